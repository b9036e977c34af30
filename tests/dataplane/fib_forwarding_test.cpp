// The FIB adapter: hosts built from the FIB's virtual network model forward every packet as the FIB's
// own programmed routes (Fib::snapshot, longest prefix match) say, with ECMP members read in place
// from the FIB's next-hop groups.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <rte_ether.h>

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
    std::vector<RouteUpdate> routes{{0x14000000, 24, {A, B}}, {0x14000080, 25, {C}}, {0x14000100, 24, {A, B, C}},
                                    {0xAC100000, 16, {B}}};
    const auto ticket = producer->inject(routes);
    ASSERT_NE(ticket, 0U);
    for (int i = 0; i < 20000 && !producer->visible(ticket); ++i) std::this_thread::sleep_for(std::chrono::microseconds(100));
    ASSERT_TRUE(producer->visible(ticket));
    const Topology topo = producer->topology();
    ASSERT_EQ(topo.vms.size(), 128U);
    std::vector<Destination> d{{0x14000000, 24}, {0x14000100, 24}, {0xAC100000, 16}, {0x0A010000, 16},
                               {0x08080800, 24}, {0xC0A80000, 16}};
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
    for (TableId t = 0; t < topo.tables; ++t) snap.push_back(producer->fib().snapshot(t).routes);
    std::multiset<std::tuple<std::uint16_t, std::uint32_t, std::uint32_t, std::uint16_t, MacAddress>> expected, seen;
    std::uint64_t drops = 0;
    for (const auto& f : flows.flows) {
        const rf::fib::NextHop* best = nullptr;
        int best_len = -1;
        for (const auto& [p, nh] : snap[f.table]) {
            if (!p.is_v4()) continue;
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
            expected.emplace(ports.fabric, f.tuple.src, f.tuple.dst, f.tuple.sport, synthetic_mac(f.tuple.dst));
        } else if (best->type == T::Internet) {
            expected.emplace(ports.internet, f.tuple.src, f.tuple.dst, f.tuple.sport, MacAddress{0x02, 0, 0, 0, 0, 1});
        } else {
            std::vector<std::uint32_t> m;
            for (const auto& a : best->addresses) m.push_back(a.as_v4().value);
            const std::uint32_t nh = m[select_member(flow_hash(f.tuple), m.data(), static_cast<std::uint32_t>(m.size()))];
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
    for (const auto& e : expected) used_ports.insert(std::get<0>(e));
    EXPECT_EQ(used_ports.size(), 3U);
}

}  // namespace
