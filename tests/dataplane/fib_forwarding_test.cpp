// The FIB adapter: hosts built from the FIB's virtual network model forward every packet as the FIB's
// own programmed routes (Fib::snapshot, longest prefix match) say, with ECMP members read in place
// from the FIB's next-hop groups — IPv4, and IPv6 through the FIB's IPv6 tables (LPM6, ECMP over IPv6
// next hops, L2 rewrite); a change of an IPv6 route is measured per host by the convergence probe; in lab
// mode IPv6 next hops resolve by Neighbor Discovery (driven here by hand on a ring port), or statically.
#include <gtest/gtest.h>
#include <rte_ether.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "bench/emulator/fib_producer.hpp"
#include "dataplane/emulator.hpp"
#include "dataplane/flow_hash.hpp"
#include "dataplane/ndp.hpp"
#include "tests/dataplane/test_support.hpp"

using namespace rf::dataplane;
using namespace rf::bench;

namespace {

constexpr std::uint32_t A = 0x0A010104, B = 0x0A010105, C = 0x0A010106;

TEST(FibAdapter, HostsForwardAsTheFibProgrammed) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_started());
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
            const std::uint32_t nh = test::expected_member(flow_hash(f.tuple), m);
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
                                   bool arp, const char* name, EmulatorConfig ec = {}) {
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
    ASSERT_TRUE(eal_started());
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

TEST(FibAdapter, UnresolvedIpv6NextHopsInLabModeDoNotForwardButStaticOnesDo) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_started());
    auto f = make_v6({{v6({0x2001, 0xdb8, 1}), 48, {nva6(4)}}, {v6({0x2001, 0xdb8, 2}), 48, {nva6(4)}}});
    ASSERT_TRUE(f.producer);
    auto emu = make_emu(ports, f.producer->source(), f, /*arp=*/true, "fib-v6-lab");
    ASSERT_TRUE(emu);
    // IPv4 next hops A/B stay unresolved too (no ARP replies on a ring port): only IPv6 matters here.
    emu->run_passes(2);
    std::uint64_t v4 = 0;
    EXPECT_TRUE(drain_v6(ports.nva, &v4).empty())
        << "no Neighbor Advertisement (nobody answers on a ring port): unresolved next hops must not forward";
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

// A change of an IPv6 route, through the FIB's queue, measured per host like an IPv4 one: before the
// change no host converges and every packet for the affected /48 counts as sent to a withdrawn next hop;
// after it every host converges at its next burst and none is sent there after the publish. An IPv6
// withdrawal without cover counts the packets dropped before each host noticed as lost.
TEST(FibAdapter, Ipv6RouteChangeIsMeasuredPerHost) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_started());
    const Ipv6Bytes moved = v6({0x2001, 0xdb8, 1}), kept = v6({0x2001, 0xdb8, 2});
    auto f = make_v6({{moved, 48, {nva6(4), nva6(5)}}, {kept, 48, {nva6(4), nva6(5)}}});
    ASSERT_TRUE(f.producer);
    auto emu = make_emu(ports, f.producer->source(), f, false, "fib-v6-probe");
    ASSERT_TRUE(emu);
    auto last_of_48 = [](Ipv6Bytes a) {
        std::fill(a.begin() + 6, a.end(), 0xFF);
        return a;
    };
    auto in = [](const Ipv6Bytes& prefix48, const Ipv6Bytes& a) {
        return std::equal(a.begin(), a.begin() + 6, prefix48.begin());
    };
    std::uint64_t to_moved = 0,
                  to_kept = 0;  // IPv6 flows per destination /48 (each sent once per two passes)
    for (const auto& fl : f.flows.flows6) {
        to_moved += in(moved, fl.tuple.dst) ? 1 : 0;
        to_kept += in(kept, fl.tuple.dst) ? 1 : 0;
    }
    ASSERT_GT(to_moved, 0U);
    ASSERT_GT(to_kept, 0U);

    ProbeSpec spec;
    spec.name = "IPv6 move";
    Ipv6Bytes probe_addr = moved;
    probe_addr[15] = 1;
    spec.probe_addrs6 = {probe_addr};
    spec.affected6 = {{moved, last_of_48(moved)}};
    spec.include6 = {nva6(7)};
    spec.exclude6 = {nva6(4), nva6(5)};
    auto& run = emu->probe().arm(spec, rte_rdtsc());
    emu->run_passes(2);
    EXPECT_EQ(run.converged_hosts.load(), 0U);
    const auto before = emu->probe().report(static_cast<double>(rte_get_tsc_hz()));
    EXPECT_EQ(before.to_withdrawn, to_moved)
        << "only the affected /48 counts (IPv4 and the other /48 do not)";
    EXPECT_EQ(before.to_withdrawn_after_publish, 0U);
    std::uint64_t v4 = 0;
    (void)drain_v6(ports.nva, &v4);

    const auto t = f.producer->inject6(std::vector<RouteUpdate6>{{moved, 48, {nva6(7)}}});
    ASSERT_NE(t, 0U);
    for (int i = 0; i < 20000 && !f.producer->visible(t); ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    ASSERT_TRUE(f.producer->visible(t));
    emu->probe().published(rte_rdtsc());
    emu->run_passes(2);
    EXPECT_TRUE(emu->probe().all_converged());
    const auto r = emu->probe().report(static_cast<double>(rte_get_tsc_hz()));
    EXPECT_EQ(r.converged, f.topo.hosts.size());
    EXPECT_EQ(r.to_withdrawn, before.to_withdrawn) << "nothing more to ::4/::5 for the moved /48";
    EXPECT_EQ(r.to_withdrawn_after_publish, 0U);
    EXPECT_EQ(r.lost, 0U);
    EXPECT_LE(r.first_us, r.last_us);
    std::uint64_t to_new = 0;
    for (const auto& [src, dst, sport, mac] : drain_v6(ports.nva, &v4))
        to_new += mac == synthetic_mac6(nva6(7).data()) ? 1 : 0;
    EXPECT_EQ(to_new, to_moved) << "the two passes after the change sent the moved /48's flows to ::7";

    // Withdrawn without cover: dropped as "no route" until each host converges (its first burst).
    ProbeSpec w;
    w.name = "IPv6 withdraw";
    Ipv6Bytes probe_kept = kept;
    probe_kept[15] = 1;
    w.probe_addrs6 = {probe_kept};
    w.affected6 = {{kept, last_of_48(kept)}};
    w.exclude6 = {nva6(4), nva6(5)};
    w.expect_kind = NextHopKind::NoRoute;
    emu->probe().arm(w, rte_rdtsc());
    const auto tw = f.producer->inject6(std::vector<RouteUpdate6>{{kept, 48, {}}});
    ASSERT_NE(tw, 0U);
    for (int i = 0; i < 20000 && !f.producer->visible(tw); ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    ASSERT_TRUE(f.producer->visible(tw));
    emu->probe().published(rte_rdtsc());
    const auto drops_before = emu->totals().drop_no_route;
    emu->run_passes(2);
    const auto rw = emu->probe().report(static_cast<double>(rte_get_tsc_hz()));
    EXPECT_EQ(rw.converged, f.topo.hosts.size());
    EXPECT_EQ(rw.to_withdrawn, 0U);
    EXPECT_GT(rw.lost, 0U);
    EXPECT_LE(rw.lost, to_kept) << "lost counts only the affected /48, and only before the host converged";
    EXPECT_GE(emu->totals().drop_no_route - drops_before, to_kept);
    drain_v6(ports.nva, &v4);
}

// Frames the emulator sent on its own (main-lcore) queue of a ring port, as NDP messages.
std::vector<ndp::Message> sent_ndp(std::uint16_t port, std::uint16_t queue,
                                   std::vector<MacAddress>* eth_dst = nullptr) {
    std::vector<ndp::Message> out;
    auto pkts = test::drain(port, queue);
    for (auto* m : pkts) {
        const auto* data = rte_pktmbuf_mtod(m, const std::uint8_t*);
        if (auto msg = ndp::parse(data, m->data_len)) {
            out.push_back(*msg);
            if (eth_dst != nullptr)
                eth_dst->push_back(MacAddress{data[0], data[1], data[2], data[3], data[4], data[5]});
        }
    }
    test::free_all(pkts);
    return out;
}

// A frame from the "NVA" into the emulator's receive queue `queue` (on a ring port what is sent on a
// queue is received on it). The NVA uses the main lcore's queue, the last one service() polls: what
// service() sends in answer loops back there after its poll, for the test to read.
void deliver(std::uint16_t port, std::uint16_t queue, const std::uint8_t* frame, std::size_t len) {
    rte_mbuf* m = rte_pktmbuf_alloc(rte_mempool_lookup("fib-v6-ndp-main"));
    ASSERT_NE(m, nullptr);
    std::memcpy(rte_pktmbuf_mtod(m, std::uint8_t*), frame, len);
    m->data_len = m->pkt_len = static_cast<std::uint16_t>(len);
    ASSERT_EQ(rte_eth_tx_burst(port, queue, &m, 1), 1);
}

// Lab mode on a ring port with the NVA played by the test: the service thread's work (service()) sends a
// Neighbor Solicitation for the IPv6 next hop, learns its MAC from the Neighbor Advertisement, answers a
// solicitation for our own address, probes the neighbour once its confirmation is old and, unanswered,
// withdraws the resolution; a static neighbour is never probed.
TEST(FibAdapter, Ipv6NextHopsInLabModeResolveByNeighborDiscovery) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_started());
    auto f = make_v6({{v6({0x2001, 0xdb8, 1}), 48, {nva6(4)}}, {v6({0x2001, 0xdb8, 2}), 48, {nva6(4)}}});
    ASSERT_TRUE(f.producer);
    EmulatorConfig ec;
    ec.nva_port_ip6 = nva6(0x0a);  // fd00:1:1::a, ours
    ec.neighbor_retry_ms = 1;
    ec.neighbor_reachable_ms = 40;
    ec.neighbor_probe_ms = 10;
    ec.neighbor_probes = 2;
    auto emu = make_emu(ports, f.producer->source(), f, /*arp=*/true, "fib-v6-ndp", ec);
    ASSERT_TRUE(emu);
    ASSERT_TRUE(emu->lab_mode());
    EXPECT_EQ(emu->ndp_source(), nva6(0x0a));
    const std::uint16_t main_queue = 1;  // one worker: queue 0; the main lcore's queue is 1
    rte_ether_addr pm{};
    rte_eth_macaddr_get(ports.nva, &pm);
    const MacAddress port_mac{pm.addr_bytes[0], pm.addr_bytes[1], pm.addr_bytes[2],
                              pm.addr_bytes[3], pm.addr_bytes[4], pm.addr_bytes[5]};
    const MacAddress nva_mac{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x04};
    const MacAddress static_mac{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x09};
    ASSERT_TRUE(emu->add_static_neighbor6(nva6(9), static_mac));

    emu->run_passes(2);  // the workers meet fd00:1:1::4: an incomplete entry, packets unresolved
    std::uint64_t v4 = 0;
    EXPECT_TRUE(drain_v6(ports.nva, &v4).empty());
    const std::uint32_t slot = emu->neighbors6().find(nva6(4).data());
    ASSERT_NE(slot, NeighborTable6::kNotFound);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    emu->service();
    std::vector<MacAddress> dst_macs;
    const auto ns = sent_ndp(ports.nva, main_queue, &dst_macs);
    bool solicited = false;
    for (std::size_t i = 0; i < ns.size(); ++i) {
        if (ns[i].type != ndp::kSolicitation || ns[i].target != nva6(4))
            continue;
        solicited = true;
        EXPECT_EQ(ns[i].src, nva6(0x0a));
        EXPECT_EQ(ns[i].dst, ndp::solicited_node(nva6(4)));
        EXPECT_EQ(dst_macs[i], ndp::multicast_mac(ndp::solicited_node(nva6(4))));
        EXPECT_TRUE(ns[i].has_lladdr);
        EXPECT_EQ(ns[i].lladdr, port_mac);
    }
    ASSERT_TRUE(solicited) << "no Neighbor Solicitation for fd00:1:1::4";
    for (const auto& m : ns)
        EXPECT_NE(m.target, nva6(9)) << "a static neighbour is never solicited";

    // The NVA answers: the entry resolves to its MAC and IPv6 packets leave toward it.
    std::uint8_t frame[ndp::kMaxFrame];
    deliver(ports.nva, main_queue, frame,
            ndp::build_advertisement(frame, nva_mac, port_mac, nva6(4), nva6(0x0a), true));
    emu->service();
    ASSERT_NE(emu->neighbors6().resolution(slot) & NeighborTable::kValid, 0U);
    EXPECT_EQ(NeighborTable::mac_of(emu->neighbors6().resolution(slot)), nva_mac);
    EXPECT_EQ(NeighborTable::port_of(emu->neighbors6().resolution(slot)), ports.nva);
    emu->run_passes(2);
    const Seen6 seen = drain_v6(ports.nva, &v4);
    ASSERT_FALSE(seen.empty());
    for (const auto& s6 : seen)
        EXPECT_EQ(std::get<3>(s6), nva_mac);

    // The NVA asks for our address: a solicited, override advertisement with our MAC, to the asker.
    (void)sent_ndp(ports.nva, main_queue);
    deliver(ports.nva, main_queue, frame, ndp::build_solicitation(frame, nva_mac, nva6(4), nva6(0x0a)));
    emu->service();
    dst_macs.clear();
    bool answered = false;
    const auto na = sent_ndp(ports.nva, main_queue, &dst_macs);
    for (std::size_t i = 0; i < na.size(); ++i) {
        if (na[i].type != ndp::kAdvertisement)
            continue;
        answered = true;
        EXPECT_EQ(na[i].target, nva6(0x0a));
        EXPECT_EQ(na[i].dst, nva6(4));
        EXPECT_EQ(dst_macs[i], nva_mac);
        EXPECT_TRUE(na[i].solicited);
        EXPECT_TRUE(na[i].override_flag);
        EXPECT_EQ(na[i].lladdr, port_mac);
    }
    EXPECT_TRUE(answered) << "no Neighbor Advertisement for our own address";

    // Nobody answers any more: after the reachable time, unicast probes, then the resolution goes.
    unsigned unicast_probes = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while ((emu->neighbors6().resolution(slot) & NeighborTable::kValid) != 0 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        emu->service();
        dst_macs.clear();
        const auto sent = sent_ndp(ports.nva, main_queue, &dst_macs);
        for (std::size_t i = 0; i < sent.size(); ++i) {
            if (sent[i].type == ndp::kSolicitation && sent[i].target == nva6(4) && sent[i].dst == nva6(4)) {
                EXPECT_EQ(dst_macs[i], nva_mac) << "a reachability probe goes to the known MAC";
                ++unicast_probes;
            }
        }
    }
    EXPECT_EQ(emu->neighbors6().resolution(slot) & NeighborTable::kValid, 0U) << "never expired";
    EXPECT_EQ(unicast_probes, 2U);
    const std::uint32_t static_slot = emu->neighbors6().find(nva6(9).data());
    ASSERT_NE(static_slot, NeighborTable6::kNotFound);
    EXPECT_NE(emu->neighbors6().resolution(static_slot) & NeighborTable::kValid, 0U);
    const auto drops = emu->totals().drop_unresolved;
    emu->run_passes(2);
    EXPECT_GT(emu->totals().drop_unresolved, drops) << "an expired next hop forwards no more";
    EXPECT_TRUE(drain_v6(ports.nva, &v4).empty());
    // Solicited again (multicast), and an answer resolves it again.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    emu->service();
    bool again = false;
    for (const auto& m : sent_ndp(ports.nva, main_queue))
        again = again || (m.type == ndp::kSolicitation && m.target == nva6(4) &&
                          m.dst == ndp::solicited_node(nva6(4)));
    EXPECT_TRUE(again);
    deliver(ports.nva, main_queue, frame,
            ndp::build_advertisement(frame, nva_mac, port_mac, nva6(4), nva6(0x0a), true));
    emu->service();
    EXPECT_NE(emu->neighbors6().resolution(slot) & NeighborTable::kValid, 0U);
    (void)sent_ndp(ports.nva, main_queue);
}

}  // namespace
