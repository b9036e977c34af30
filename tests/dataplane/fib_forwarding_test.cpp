// The FIB adapter: hosts built from the FIB's virtual network model forward every packet as the FIB's
// own programmed routes (Fib::snapshot, longest prefix match) say, with ECMP members read in place
// from the FIB's next-hop groups — IPv4, and IPv6 through the FIB's IPv6 tables (LPM6, ECMP over IPv6
// next hops, L2 rewrite; static neighbours in lab mode, which has no NDP).
#include <gtest/gtest.h>
#include <rte_ether.h>

#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "dataplane/ecmp.hpp"
#include "dataplane/emulator.hpp"
#include "dataplane/fib_route_source.hpp"
#include "tests/dataplane/test_support.hpp"

using namespace rf::dataplane;

namespace {

constexpr std::uint32_t A = 0x0A010104, B = 0x0A010105, C = 0x0A010106;

TEST(FibAdapter, HostsForwardAsTheFibProgrammed) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_initialised());
    std::string error;
    auto producer = FibProducer::create(make_lab_model(128, 16), 256, &error);
    ASSERT_TRUE(producer) << error;
    std::vector<RouteUpdate> routes{
        {0x14000000, 24, {A, B}}, {0x14000080, 25, {C}}, {0x14000100, 24, {A, B, C}}, {0xAC100000, 16, {B}}};
    const auto ticket = producer->inject(routes);
    ASSERT_NE(ticket, 0U);
    for (int i = 0; i < 20000 && !producer->visible(ticket); ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    ASSERT_TRUE(producer->visible(ticket));
    const Topology topo = producer->topology();
    ASSERT_EQ(topo.vms.size(), 128U);
    std::vector<Destination> d{{0x14000000, 24}, {0x14000100, 24}, {0xAC100000, 16},
                               {0x0A010000, 16}, {0x08080800, 24}, {0xC0A80000, 16}};
    std::vector<std::vector<Destination>> dests(topo.tables, d);
    const FlowTable flows = make_flows(topo, 2, dests, 5);  // 16 VMs × 2 flows = one burst per host
    EmulatorConfig ec;
    ec.workers = 1;
    ec.mbufs = 2047;
    ec.nva_port = ports.nva;
    ec.fabric_port = ports.fabric;
    ec.internet_port = ports.internet;
    ec.use_lcores = false;
    ec.name = "fib-fwd";
    auto emu = Emulator::create(ec, producer->source(), topo, flows, &error);
    ASSERT_TRUE(emu) << error;
    for (auto p : {ports.nva, ports.fabric, ports.internet}) {
        auto stale = test::drain(p);
        test::free_all(stale);
    }
    emu->run_passes(1);
    ASSERT_EQ(emu->generated(), flows.flows.size());

    // Reference: longest match over the FIB's programmed routes of the flow's table.
    std::vector<std::vector<std::pair<rf::net::Prefix, rf::fib::NextHop>>> snap;
    for (TableId t = 0; t < topo.tables; ++t)
        snap.push_back(producer->fib().snapshot(t).routes);
    std::multiset<std::tuple<std::uint16_t, std::uint32_t, std::uint32_t, std::uint16_t, MacAddress>>
        expected, seen;
    std::uint64_t drops = 0;
    for (const auto& f : flows.flows) {
        const rf::fib::NextHop* best = nullptr;
        int best_len = -1;
        for (const auto& [p, nh] : snap[f.table]) {
            if (!p.is_v4())
                continue;
            const std::uint32_t mask = p.length == 0 ? 0 : ~0U << (32 - p.length);
            if ((f.tuple.dst & mask) == p.v4_address().value && p.length > best_len) {
                best = &nh;
                best_len = p.length;
            }
        }
        if (best == nullptr || best->type == rf::fib::NextHopType::None) {
            ++drops;
            continue;
        }
        using T = rf::fib::NextHopType;
        if (best->type == T::VnetLocal || best->type == T::VNetPeering) {
            expected.emplace(ports.fabric, f.tuple.src, f.tuple.dst, f.tuple.sport,
                             synthetic_mac(f.tuple.dst));
        } else if (best->type == T::Internet) {
            expected.emplace(ports.internet, f.tuple.src, f.tuple.dst, f.tuple.sport,
                             MacAddress{0x02, 0, 0, 0, 0, 1});
        } else {
            std::vector<std::uint32_t> m;
            for (const auto& a : best->addresses)
                m.push_back(a.as_v4().value);
            const std::uint32_t nh =
                m[select_member(flow_hash(f.tuple), m.data(), static_cast<std::uint32_t>(m.size()))];
            expected.emplace(ports.nva, f.tuple.src, f.tuple.dst, f.tuple.sport, synthetic_mac(nh));
        }
    }
    for (auto port : {ports.nva, ports.fabric, ports.internet}) {
        auto pkts = test::drain(port);
        for (auto* m : pkts) {
            FiveTuple t;
            ASSERT_TRUE(read_five_tuple(m, &t));
            MacAddress mac{};
            std::memcpy(mac.data(), rte_pktmbuf_mtod(m, const rte_ether_hdr*)->dst_addr.addr_bytes, 6);
            seen.emplace(port, t.src, t.dst, t.sport, mac);
        }
        test::free_all(pkts);
    }
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(emu->totals().drops(), drops);
    EXPECT_GT(drops, 0U);  // 192.168.0.0/16 is an Azure default "None" route
    std::set<std::uint16_t> used_ports;
    for (const auto& e : expected)
        used_ports.insert(std::get<0>(e));
    EXPECT_EQ(used_ports.size(), 3U);
}

Ipv6Bytes v6(std::initializer_list<std::uint16_t> groups) {  // leading 16-bit groups, the rest zero
    Ipv6Bytes a{};
    std::size_t i = 0;
    for (std::uint16_t g : groups) {
        a[i++] = static_cast<std::uint8_t>(g >> 8);
        a[i++] = static_cast<std::uint8_t>(g);
    }
    return a;
}
Ipv6Bytes nva6(std::uint8_t host) {  // fd00:1:1::<host>
    Ipv6Bytes a = v6({0xfd00, 1, 1});
    a[15] = host;
    return a;
}

bool covers(const rf::net::Prefix& p, const Ipv6Bytes& a) {
    for (unsigned bit = 0; bit < p.length; ++bit) {
        const unsigned byte = bit / 8, shift = 7 - bit % 8;
        if (((p.bytes[byte] >> shift) & 1U) != ((a[byte] >> shift) & 1U))
            return false;
    }
    return true;
}

// Longest match over the FIB's programmed IPv6 routes of a table; nullptr if none.
const rf::fib::NextHop* reference6(const std::vector<std::pair<rf::net::Prefix, rf::fib::NextHop>>& routes,
                                   const Ipv6Bytes& dst) {
    const rf::fib::NextHop* best = nullptr;
    int best_len = -1;
    for (const auto& [p, nh] : routes) {
        if (p.is_v4() || !covers(p, dst) || p.length <= best_len)
            continue;
        best = &nh;
        best_len = p.length;
    }
    return best;
}

struct V6Fixture {
    std::unique_ptr<FibProducer> producer;
    Topology topo;
    FlowTable flows;
};

V6Fixture make_v6(const std::vector<RouteUpdate6>& routes6) {
    V6Fixture f;
    std::string error;
    f.producer = FibProducer::create(make_lab_model(128, 16), 256, &error);
    EXPECT_TRUE(f.producer) << error;
    if (!f.producer)
        return f;
    const auto t4 = f.producer->inject(std::vector<RouteUpdate>{{0x14000000, 24, {A, B}}});
    const auto t6 = f.producer->inject6(routes6);
    EXPECT_NE(t4, 0U);
    EXPECT_NE(t6, 0U);
    for (int i = 0; i < 20000 && !f.producer->visible(t6); ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    EXPECT_TRUE(f.producer->visible(t6));
    f.topo = f.producer->topology();
    std::vector<std::vector<Destination>> d4(f.topo.tables, {{0x14000000, 24}});
    f.flows = make_flows(f.topo, 2, d4, 5);
    // Destinations: both routed /48s (and the more specific /49 inside the first) and an unrouted one.
    std::vector<std::vector<Destination6>> d6(
        f.topo.tables,
        {{v6({0x2001, 0xdb8, 1}), 48}, {v6({0x2001, 0xdb8, 2}), 48}, {v6({0x2001, 0xdb8, 0xffff}), 48}});
    add_flows6(f.flows, f.topo, 2, d6, 6);
    return f;
}

std::unique_ptr<Emulator> make_emu(const test::TestPorts& ports, RouteSource& src, const V6Fixture& f,
                                   bool arp, const char* name) {
    EmulatorConfig ec;
    ec.workers = 1;
    ec.mbufs = 2047;
    ec.nva_port = ports.nva;
    ec.fabric_port = ports.fabric;
    ec.internet_port = ports.internet;
    ec.use_lcores = false;
    ec.arp = arp;
    ec.name = name;
    std::string error;
    auto emu = Emulator::create(ec, src, f.topo, f.flows, &error);
    EXPECT_TRUE(emu) << error;
    for (auto p : {ports.nva, ports.fabric, ports.internet}) {
        auto stale = test::drain(p);
        test::free_all(stale);
    }
    return emu;
}

using Seen6 = std::multiset<std::tuple<Ipv6Bytes, Ipv6Bytes, std::uint16_t, MacAddress>>;

// IPv6 packets the emulator sent to the NVA port (src, dst, sport, destination MAC); IPv4 ones counted.
Seen6 drain_v6(std::uint16_t port, std::uint64_t* v4_packets) {
    Seen6 seen;
    auto pkts = test::drain(port);
    for (auto* m : pkts) {
        FiveTuple6 t;
        if (!read_five_tuple6(m, &t)) {
            ++*v4_packets;
            continue;
        }
        MacAddress mac{};
        std::memcpy(mac.data(), rte_pktmbuf_mtod(m, const rte_ether_hdr*)->dst_addr.addr_bytes, 6);
        seen.emplace(t.src, t.dst, t.sport, mac);
    }
    test::free_all(pkts);
    return seen;
}

TEST(FibAdapter, Ipv6PacketsFollowTheFibsIpv6TablesWithEcmp) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_initialised());
    auto f = make_v6({{v6({0x2001, 0xdb8, 1}), 48, {nva6(4), nva6(5)}},
                      {v6({0x2001, 0xdb8, 1, 0x8000}), 49, {nva6(6)}},
                      {v6({0x2001, 0xdb8, 2}), 48, {nva6(4), nva6(5), nva6(6)}}});
    ASSERT_TRUE(f.producer);
    auto emu = make_emu(ports, f.producer->source(), f, false, "fib-v6");
    ASSERT_TRUE(emu);

    // Each host: 16 VMs × 2 IPv4 and 2 IPv6 flows; bursts of 32 carry 16 of each, so two passes send
    // every flow exactly once.
    auto check = [&](const char* when) -> std::set<Ipv6Bytes> {
        const auto before = emu->totals();
        const std::uint64_t gen6_before = emu->generated6();
        emu->run_passes(2);
        EXPECT_EQ(emu->generated6() - gen6_before, f.flows.flows6.size()) << when;
        const auto routes = f.producer->fib().snapshot(0).routes;
        Seen6 expected;
        std::uint64_t no_route = 0;
        std::set<Ipv6Bytes> used;
        for (const auto& fl : f.flows.flows6) {
            const rf::fib::NextHop* nh = reference6(routes, fl.tuple.dst);
            if (nh == nullptr || nh->type == rf::fib::NextHopType::None) {
                ++no_route;
                continue;
            }
            if (nh->addresses.empty()) {
                ADD_FAILURE() << "an IPv6 route without next hops";
                continue;
            }
            std::vector<Ipv6Bytes> m;
            for (const auto& a : nh->addresses)
                m.push_back(a.bytes);
            const auto k =
                rf::fib::ecmp::select(flow_hash(fl.tuple), static_cast<std::uint32_t>(m.size()),
                                      [&m](std::uint32_t i) { return rf::fib::ecmp::seed_v6(m[i]); });
            used.insert(m[k]);
            expected.emplace(fl.tuple.src, fl.tuple.dst, fl.tuple.sport, synthetic_mac6(m[k].data()));
        }
        std::uint64_t v4 = 0;
        const Seen6 seen = drain_v6(ports.nva, &v4);
        EXPECT_EQ(seen, expected) << when;
        EXPECT_EQ(v4, f.flows.flows.size()) << when << ": every IPv4 flow (20.0.0.0/24 via A/B) once";
        EXPECT_GT(no_route, 0U) << when;  // 2001:db8:ffff::/48 has no route
        const auto after = emu->totals();
        EXPECT_EQ(after.drop_no_route - before.drop_no_route, no_route) << when;
        return used;
    };
    const auto used = check("initial");
    EXPECT_EQ(used.size(), 3U) << "the /48s spread over their ECMP members, the /49 goes to its own";
    std::uint64_t per_nh = 0;
    for (const auto& [ip, n] : emu->next_hop_packets6())
        per_nh += n;
    EXPECT_EQ(per_nh, f.flows.flows6.size() - emu->totals().drop_no_route);

    // A change through the FIB's queue: the /48 leaves its ECMP set for a single next hop.
    const auto t = f.producer->inject6(std::vector<RouteUpdate6>{{v6({0x2001, 0xdb8, 1}), 48, {nva6(7)}}});
    ASSERT_NE(t, 0U);
    for (int i = 0; i < 20000 && !f.producer->visible(t); ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    ASSERT_TRUE(f.producer->visible(t));
    const auto used2 = check("after the change");
    EXPECT_EQ(used2.count(nva6(7)), 1U);
}

TEST(FibAdapter, Ipv6NextHopsInLabModeNeedAStaticNeighbour) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_initialised());
    auto f = make_v6({{v6({0x2001, 0xdb8, 1}), 48, {nva6(4)}}, {v6({0x2001, 0xdb8, 2}), 48, {nva6(4)}}});
    ASSERT_TRUE(f.producer);
    auto emu = make_emu(ports, f.producer->source(), f, /*arp=*/true, "fib-v6-lab");
    ASSERT_TRUE(emu);
    // IPv4 next hops A/B stay unresolved too (no ARP replies on a ring port): only IPv6 matters here.
    emu->run_passes(2);
    std::uint64_t v4 = 0;
    EXPECT_TRUE(drain_v6(ports.nva, &v4).empty()) << "no NDP: unresolved IPv6 next hops must not forward";
    const auto unresolved = emu->totals().drop_unresolved;
    EXPECT_GT(unresolved, 0U);

    const MacAddress mac{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x04};
    ASSERT_TRUE(emu->add_static_neighbor6(nva6(4), mac));
    emu->run_passes(2);
    const Seen6 seen = drain_v6(ports.nva, &v4);
    EXPECT_FALSE(seen.empty());
    for (const auto& s : seen)
        EXPECT_EQ(std::get<3>(s), mac);
}

}  // namespace
