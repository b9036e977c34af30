// Forwarding correctness against a reference LPM: every packet the emulated hosts send leaves on the
// port of its route's next hop type, with the ECMP member chosen by the flow's hash and the L2 header
// rewritten; drops and per-next-hop counters add up; a convergence probe sees every host switch; a new
// layout (VMs added, removed, moved) takes effect while the workers run.
#include <gtest/gtest.h>
#include <rte_arp.h>
#include <rte_ether.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "dataplane/emulator.hpp"
#include "dataplane/flow_hash.hpp"
#include "dataplane/flowgen.hpp"
#include "dataplane/lpm_route_source.hpp"
#include "tests/dataplane/test_support.hpp"

using namespace rf::dataplane;

namespace {

constexpr std::uint32_t A = 0x0A010104, B = 0x0A010105, C = 0x0A010106, D = 0x0A010107;

std::optional<RouteEntry> reference_lookup(const std::vector<RouteEntry>& routes, std::uint32_t dst) {
    std::optional<RouteEntry> best;
    for (const auto& r : routes) {
        const std::uint32_t mask = r.length == 0 ? 0 : ~0U << (32 - r.length);
        if ((dst & mask) == r.prefix && (!best || r.length > best->length))
            best = r;
    }
    return best;
}

RouteChange route(TableId t, std::uint32_t prefix, std::uint8_t len, NextHopKind k,
                  std::vector<std::uint32_t> nhs = {}) {
    return RouteChange{t, prefix, len, false, k, std::move(nhs)};
}

std::string unique_name(const char* base) {
    static int n = 0;
    return std::string(base) + std::to_string(n++);
}

class Forwarding : public ::testing::Test {
protected:
    void SetUp() override {
        ports_ = test::ensure_eal();
        ASSERT_TRUE(eal_started());
        name_ = unique_name("fwd");
        LpmRouteSource::Config cfg;
        cfg.tables = 2;
        cfg.max_routes = 64;
        cfg.tbl8_groups = 64;
        cfg.name = name_.c_str();
        std::string error;
        source_ = LpmRouteSource::create(cfg, &error);
        ASSERT_TRUE(source_) << error;
    }

    void make_emulator(std::uint32_t tables, std::uint32_t flows_per_vm,
                       const std::vector<std::vector<Destination>>& dests) {
        LabSpec lab;
        lab.vms = 64;
        lab.vms_per_host = 8;
        lab.vms_per_subnet = 32;
        lab.tables = tables;
        topo_ = make_lab_topology(lab);
        flows_ = make_flows(topo_, flows_per_vm, dests, 1);
        EmulatorConfig ec;
        ec.workers = 1;
        ec.burst = 32;
        ec.mbufs = 2047;
        ec.nva_port = ports_.nva;
        ec.fabric_port = ports_.fabric;
        ec.internet_port = ports_.internet;
        ec.use_lcores = false;
        ec.name = name_;
        std::string error;
        emu_ = Emulator::create(ec, *source_, topo_, flows_, &error);
        ASSERT_TRUE(emu_) << error;
        for (auto p : {ports_.nva, ports_.fabric, ports_.internet}) {
            auto stale = test::drain(p);
            test::free_all(stale);
        }
    }

    void TearDown() override {
        emu_.reset();
        source_.reset();
    }

    test::TestPorts ports_;
    std::string name_;
    std::unique_ptr<LpmRouteSource> source_;
    Topology topo_;
    FlowTable flows_;
    std::unique_ptr<Emulator> emu_;
};

TEST_F(Forwarding, EveryPacketFollowsTheReferenceLpm) {
    const std::vector<RouteChange> routes{
        route(0, 0x0A010000, 16, NextHopKind::VnetLocal),
        route(0, 0x00000000, 1, NextHopKind::Internet),
        route(0, 0x80000000, 1, NextHopKind::Internet),
        route(0, 0x14000000, 24, NextHopKind::Ip, {A, B}),
        route(0, 0x14000080, 25, NextHopKind::Ip, {C}),  // more specific inside the /24
        route(0, 0x14000100, 24, NextHopKind::Ip, {A, B, C, D}),
        route(0, 0x14000200, 24, NextHopKind::None),
        route(1, 0x0A010000, 16, NextHopKind::VnetLocal),
        route(1, 0x14000000, 16, NextHopKind::Ip, {B, D}),  // table 1 has no default route
    };
    std::string error;
    ASSERT_TRUE(source_->apply(routes, &error)) << error;
    std::vector<Destination> d{{0x0A010000, 16}, {0x14000000, 24}, {0x14000100, 24},
                               {0x14000200, 24}, {0x1E000000, 8},  {0x14050000, 16}};
    make_emulator(2, 4, {d, d});
    std::map<std::uint32_t, TableId> table_of;
    for (const auto& vm : topo_.vms)
        table_of[vm.ip] = vm.table;
    const std::vector<RouteEntry> ref[2] = {source_->routes(0), source_->routes(1)};

    emu_->run_passes(1);  // 8 VMs × 4 flows per host = one burst of 32: each flow exactly once
    ASSERT_EQ(emu_->generated(), flows_.flows.size());

    std::uint64_t expect_no_route = 0, expect_none = 0, expect_tx = 0;
    std::map<std::uint32_t, std::uint64_t> expect_nh;
    std::multiset<std::tuple<std::uint16_t, std::uint32_t, std::uint32_t, std::uint16_t, MacAddress>>
        expected, seen;
    for (const auto& f : flows_.flows) {
        const auto r = reference_lookup(ref[f.table], f.tuple.dst);
        if (!r) {
            ++expect_no_route;
            continue;
        }
        switch (r->kind) {
            case NextHopKind::None:
                ++expect_none;
                break;
            case NextHopKind::VnetLocal:
                expected.emplace(ports_.fabric, f.tuple.src, f.tuple.dst, f.tuple.sport,
                                 synthetic_mac(f.tuple.dst));
                ++expect_tx;
                break;
            case NextHopKind::Internet:
                expected.emplace(ports_.internet, f.tuple.src, f.tuple.dst, f.tuple.sport,
                                 MacAddress{0x02, 0, 0, 0, 0, 1});
                ++expect_tx;
                break;
            default: {
                const auto& m = r->next_hops;
                const std::uint32_t nh = test::expected_member(flow_hash(f.tuple), m);
                expected.emplace(ports_.nva, f.tuple.src, f.tuple.dst, f.tuple.sport, synthetic_mac(nh));
                ++expect_nh[nh];
                ++expect_tx;
            }
        }
    }
    ASSERT_GT(expect_no_route, 0U);
    ASSERT_GT(expect_none, 0U);
    ASSERT_GE(expect_nh.size(), 3U);
    for (auto port : {ports_.nva, ports_.fabric, ports_.internet}) {
        auto pkts = test::drain(port);
        rte_ether_addr port_mac{};
        rte_eth_macaddr_get(port, &port_mac);
        for (auto* m : pkts) {
            FiveTuple t;
            ASSERT_TRUE(read_five_tuple(m, &t));
            const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
            MacAddress dst{};
            std::memcpy(dst.data(), eth->dst_addr.addr_bytes, 6);
            EXPECT_EQ(0, std::memcmp(eth->src_addr.addr_bytes, port_mac.addr_bytes, 6));
            seen.emplace(port, t.src, t.dst, t.sport, dst);
        }
        test::free_all(pkts);
    }
    EXPECT_EQ(seen, expected);
    const auto totals = emu_->totals();
    EXPECT_EQ(totals.tx, expect_tx);
    EXPECT_EQ(totals.drop_no_route, expect_no_route);
    EXPECT_EQ(totals.drop_none, expect_none);
    EXPECT_EQ(totals.drop_unresolved, 0U);
    EXPECT_EQ(emu_->tx_failures(), 0U);
    std::map<std::uint32_t, std::uint64_t> nh_counts;
    for (const auto& [ip, n] : emu_->next_hop_packets())
        if (n != 0)
            nh_counts[ip] = n;
    EXPECT_EQ(nh_counts, expect_nh);
    HostTotals sum;
    for (std::uint32_t h = 0; h < topo_.hosts.size(); ++h)
        sum += emu_->host_totals(h);
    EXPECT_EQ(sum.tx, totals.tx);
    EXPECT_EQ(sum.drops(), totals.drops());
}

TEST_F(Forwarding, FlowsKeepTheirMemberAndOnlyTheRemovedMembersFlowsMove) {
    std::string error;
    ASSERT_TRUE(source_->apply(std::vector<RouteChange>{route(0, 0x14000000, 16, NextHopKind::Ip, {A, B, C})},
                               &error));
    make_emulator(1, 4, {{{0x14000000, 16}}});
    auto capture = [&]() {
        std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint16_t>, MacAddress> out;
        auto pkts = test::drain(ports_.nva);
        for (auto* m : pkts) {
            FiveTuple t;
            read_five_tuple(m, &t);
            MacAddress mac{};
            std::memcpy(mac.data(), rte_pktmbuf_mtod(m, const rte_ether_hdr*)->dst_addr.addr_bytes, 6);
            out[{t.src, t.dst, t.sport}] = mac;
        }
        test::free_all(pkts);
        return out;
    };
    emu_->run_passes(1);
    const auto first = capture();
    ASSERT_EQ(first.size(), flows_.flows.size());
    emu_->run_passes(1);
    EXPECT_EQ(capture(), first);  // group unchanged: every flow on the same member
    ASSERT_TRUE(
        source_->apply(std::vector<RouteChange>{route(0, 0x14000000, 16, NextHopKind::Ip, {A, C})}, &error));
    emu_->run_passes(1);
    const auto after = capture();
    ASSERT_EQ(after.size(), first.size());
    std::size_t moved = 0;
    for (const auto& [flow, mac] : first) {
        if (mac == synthetic_mac(B)) {
            EXPECT_NE(after.at(flow), synthetic_mac(B));
            ++moved;
        } else {
            EXPECT_EQ(after.at(flow), mac) << "a flow that was not on the removed member moved";
        }
    }
    EXPECT_GT(moved, 0U);
}

TEST_F(Forwarding, ProbeRecordsEveryHostSwitchingAndCountsOldPathPackets) {
    std::string error;
    ASSERT_TRUE(
        source_->apply(std::vector<RouteChange>{route(0, 0x14000000, 24, NextHopKind::Ip, {A, B})}, &error));
    make_emulator(1, 4, {{{0x14000000, 24}}});
    ProbeSpec spec;
    spec.name = "move";
    spec.probe_addrs = {0x14000001};
    spec.affected = {{0x14000000, 0x140000FF}};
    spec.include = {C};
    spec.exclude = {A, B};
    auto& run = emu_->probe().arm(spec, rte_rdtsc());
    emu_->run_passes(2);  // before the change: nobody converges; old-path packets are counted
    EXPECT_EQ(run.converged_hosts.load(), 0U);
    const auto before = emu_->probe().report(static_cast<double>(rte_get_tsc_hz()));
    EXPECT_EQ(before.to_withdrawn, 2 * flows_.flows.size());
    EXPECT_EQ(before.to_withdrawn_after_publish, 0U);
    ASSERT_TRUE(
        source_->apply(std::vector<RouteChange>{route(0, 0x14000000, 24, NextHopKind::Ip, {C})}, &error));
    emu_->probe().published(rte_rdtsc());
    emu_->run_passes(1);
    EXPECT_TRUE(emu_->probe().all_converged());
    const auto r = emu_->probe().report(static_cast<double>(rte_get_tsc_hz()));
    EXPECT_EQ(r.converged, topo_.hosts.size());
    EXPECT_EQ(r.to_withdrawn, before.to_withdrawn);  // nothing more after the change
    EXPECT_EQ(r.to_withdrawn_after_publish, 0U);
    EXPECT_LE(r.first_us, r.median_us);
    EXPECT_LE(r.median_us, r.p99_us);
    EXPECT_LE(r.p99_us, r.last_us);
    auto pkts = test::drain(ports_.nva);
    test::free_all(pkts);
}

// The worker verifies a table's probe addresses once and stamps its later hosts on that table without
// repeating the lookups — but only hosts whose every table was verified: with the change made in
// table 0 alone, the hosts reading table 1 stay pending until table 1 changes too.
TEST_F(Forwarding, ProbeVerifiesPerTableAndNeverStampsAHostOfAnUnverifiedTable) {
    std::string error;
    ASSERT_TRUE(source_->apply(std::vector<RouteChange>{route(0, 0x14000000, 24, NextHopKind::Ip, {A, B}),
                                                        route(1, 0x14000000, 24, NextHopKind::Ip, {A, B})},
                               &error));
    make_emulator(2, 4, {{{0x14000000, 24}}, {{0x14000000, 24}}});
    std::vector<std::uint32_t> on_table1;
    for (const Host& h : topo_.hosts) {
        if (std::find(h.tables.begin(), h.tables.end(), TableId{1}) != h.tables.end())
            on_table1.push_back(h.id);
    }
    ASSERT_FALSE(on_table1.empty());
    ASSERT_LT(on_table1.size(), topo_.hosts.size());
    ProbeSpec spec;
    spec.name = "move";
    spec.probe_addrs = {0x14000001, 0x14000080};
    spec.affected = {{0x14000000, 0x140000FF}};
    spec.include = {C};
    spec.exclude = {A, B};
    auto& run = emu_->probe().arm(spec, rte_rdtsc());
    ASSERT_TRUE(
        source_->apply(std::vector<RouteChange>{route(0, 0x14000000, 24, NextHopKind::Ip, {C})}, &error));
    emu_->run_passes(2);
    EXPECT_EQ(run.converged_hosts.load(), topo_.hosts.size() - on_table1.size());
    for (std::uint32_t h : on_table1)
        EXPECT_EQ(run.converged_tsc[h].load(), 0U) << "host " << h << " reads table 1, which has not changed";
    ASSERT_TRUE(
        source_->apply(std::vector<RouteChange>{route(1, 0x14000000, 24, NextHopKind::Ip, {C})}, &error));
    emu_->run_passes(1);
    EXPECT_TRUE(emu_->probe().all_converged());
    auto pkts = test::drain(ports_.nva);
    test::free_all(pkts);
}

TEST_F(Forwarding, WithdrawalWithoutCoverIsCountedAsLostUntilConverged) {
    std::string error;
    ASSERT_TRUE(
        source_->apply(std::vector<RouteChange>{route(0, 0x14000000, 24, NextHopKind::Ip, {A})}, &error));
    make_emulator(1, 4, {{{0x14000000, 24}}});
    ProbeSpec spec;
    spec.name = "withdraw";
    spec.probe_addrs = {0x14000001};
    spec.affected = {{0x14000000, 0x140000FF}};
    spec.exclude = {A};
    spec.expect_kind = NextHopKind::NoRoute;
    emu_->probe().arm(spec, rte_rdtsc());
    RouteChange w = route(0, 0x14000000, 24, NextHopKind::Ip);
    w.withdraw = true;
    ASSERT_TRUE(source_->apply(std::vector<RouteChange>{w}, &error));
    emu_->probe().published(rte_rdtsc());
    emu_->run_passes(1);
    const auto r = emu_->probe().report(static_cast<double>(rte_get_tsc_hz()));
    EXPECT_EQ(r.converged, topo_.hosts.size());
    // The first burst of each host is forwarded before the probe check marks it converged.
    EXPECT_EQ(r.lost, flows_.flows.size());
    EXPECT_EQ(emu_->totals().drop_no_route, flows_.flows.size());
    EXPECT_EQ(r.to_withdrawn, 0U);
    auto pkts = test::drain(ports_.nva);
    test::free_all(pkts);
}

// What the workers sent on the NVA port since the last drain: per source VM, its flows (destination,
// ports) with the destination MAC they left with.
using SeenFlows =
    std::map<std::uint32_t, std::set<std::tuple<std::uint32_t, std::uint16_t, std::uint16_t, MacAddress>>>;
SeenFlows drain_flows(std::uint16_t port, unsigned workers) {
    SeenFlows seen;
    for (std::uint16_t q = 0; q < workers; ++q) {
        auto pkts = test::drain(port, q);
        for (auto* m : pkts) {
            FiveTuple t;
            if (!read_five_tuple(m, &t))
                continue;
            MacAddress mac{};
            std::memcpy(mac.data(), rte_pktmbuf_mtod(m, const rte_ether_hdr*)->dst_addr.addr_bytes, 6);
            seen[t.src].emplace(t.dst, t.sport, t.dport, mac);
        }
        test::free_all(pkts);
    }
    return seen;
}

// A new layout while two workers run: one VM removed, one added on a new host, one moved to the other
// route table. replace_layout() returns once both workers use it; they never stop; the VMs kept send the
// same flows to the same next hops as before, the moved VM follows its new table, the removed one is
// silent, and the totals carry on from where they were.
TEST_F(Forwarding, ReplacedLayoutTakesEffectWhileWorkersRunAndKeptVmsKeepTheirFlows) {
    std::string error;
    ASSERT_TRUE(source_->apply(std::vector<RouteChange>{route(0, 0x14000000, 24, NextHopKind::Ip, {A}),
                                                        route(1, 0x14000000, 24, NextHopKind::Ip, {C})},
                               &error));
    LabSpec lab;
    lab.vms = 64;
    lab.vms_per_host = 8;
    lab.vms_per_subnet = 32;  // 10.1.0.4-35 in table 0, 10.1.1.4-35 in table 1
    lab.tables = 2;
    topo_ = make_lab_topology(lab);
    const std::vector<std::vector<Destination>> dests{{{0x14000000, 24}}, {{0x14000000, 24}}};
    flows_ = make_flows(topo_, 4, dests, 1);
    EmulatorConfig ec;
    ec.workers = 2;
    ec.burst = 32;  // 8 VMs x 4 flows: every flow of a host in each of its bursts
    ec.pass_target_us = 0;
    ec.mbufs = 2047;
    ec.nva_port = ports_.nva;
    ec.fabric_port = ports_.fabric;
    ec.internet_port = ports_.internet;
    ec.use_lcores = false;
    ec.name = name_;
    emu_ = Emulator::create(ec, *source_, topo_, flows_, &error);
    ASSERT_TRUE(emu_) << error;
    (void)drain_flows(ports_.nva, 2);
    ASSERT_TRUE(emu_->start(&error)) << error;
    // A drain empties the rings; the next few passes fill them again (1,023 packets a ring, 128 a pass).
    auto window = [&] {
        (void)drain_flows(ports_.nva, 2);
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        return drain_flows(ports_.nva, 2);
    };
    const SeenFlows before = window();
    ASSERT_EQ(before.size(), 64U) << "every VM sends";
    const MacAddress to_a = synthetic_mac(A), to_c = synthetic_mac(C);

    constexpr std::uint32_t removed = 0x0A010004, moved = 0x0A010005,
                            added = 0x0A0100C8;  // .0.4, .0.5, .0.200
    std::vector<Vm> vms;
    for (const auto& vm : topo_.vms) {
        if (vm.ip == removed)
            continue;
        vms.push_back(Vm{vm.ip, vm.ip == moved ? 1U : vm.table, vm.host});
    }
    vms.push_back(Vm{added, 0, 8});
    Topology next = Topology::from_vms(vms);
    next.tables = 2;
    auto carried = carry_flows(topo_, flows_, next, dests, {}, 7);
    EXPECT_EQ(carried.kept, 62U);
    EXPECT_EQ(carried.fresh, 2U) << "the added VM and the moved one";
    EXPECT_EQ(carried.removed, 1U);
    const std::uint64_t tx_before = emu_->totals().tx;
    const std::uint64_t generated_before = emu_->generated();
    emu_->replace_layout(std::move(next), std::move(carried.flows));
    EXPECT_TRUE(emu_->running());
    const LayoutInfo info = emu_->layout_info();
    EXPECT_EQ(info.generation, 2U);
    EXPECT_EQ(info.vms, 64U);
    EXPECT_EQ(info.hosts, 9U);
    EXPECT_GE(emu_->totals().tx, tx_before) << "the old layout's counters stay in the totals";

    const SeenFlows after = window();
    EXPECT_EQ(after.count(removed), 0U) << "the removed VM still sends";
    ASSERT_EQ(after.count(added), 1U) << "the added VM does not send";
    ASSERT_EQ(after.count(moved), 1U);
    for (const auto& flow : after.at(added))
        EXPECT_EQ(std::get<3>(flow), to_a) << "table 0: 20.0.0.0/24 via A";
    for (const auto& flow : after.at(moved))
        EXPECT_EQ(std::get<3>(flow), to_c) << "moved to table 1: 20.0.0.0/24 via C";
    for (const auto& flow : before.at(moved))
        EXPECT_EQ(std::get<3>(flow), to_a) << "before the move: table 0";
    EXPECT_EQ(after.size(), 64U);
    std::size_t same = 0;
    for (const auto& [src, flows] : after) {
        if (src == added || src == moved)
            continue;
        ASSERT_EQ(before.count(src), 1U);
        EXPECT_EQ(flows, before.at(src)) << "a kept VM's flows changed";
        same += flows == before.at(src) ? 1 : 0;
    }
    EXPECT_EQ(same, 62U);
    EXPECT_GT(emu_->generated(), generated_before);
    EXPECT_GT(emu_->totals().tx, tx_before);
    emu_->stop();
    (void)drain_flows(ports_.nva, 3);
}

// ARP in lab mode on a ring port, the NVA played by the test (as the NDP test in fib_forwarding_test.cpp
// does for IPv6): a broadcast request for the incomplete next hop, the reply resolves it, and once its
// confirmation is older than the reachable time, unanswered unicast probes withdraw it and it is asked
// for by broadcast again.
TEST_F(Forwarding, ArpNextHopsAreProbedAndExpireWhenSilent) {
    std::string error;
    ASSERT_TRUE(
        source_->apply(std::vector<RouteChange>{route(0, 0x14000000, 24, NextHopKind::Ip, {A})}, &error));
    LabSpec lab;
    lab.vms = 16;
    lab.vms_per_host = 8;
    topo_ = make_lab_topology(lab);
    flows_ = make_flows(topo_, 4, {{{0x14000000, 24}}}, 1);
    EmulatorConfig ec;
    ec.workers = 1;
    ec.mbufs = 2047;
    ec.nva_port = ports_.nva;
    ec.fabric_port = ports_.fabric;
    ec.internet_port = ports_.internet;
    ec.use_lcores = false;
    ec.name = name_;
    ec.arp = true;
    ec.nva_port_ip = 0x0A01010A;
    ec.neighbor_retry_ms = 1;
    ec.neighbor_reachable_ms = 40;
    ec.neighbor_probe_ms = 10;
    ec.neighbor_probes = 3;
    emu_ = Emulator::create(ec, *source_, topo_, flows_, &error);
    ASSERT_TRUE(emu_) << error;
    const std::uint16_t main_queue = 1;
    rte_ether_addr pm{};
    rte_eth_macaddr_get(ports_.nva, &pm);
    const MacAddress a_mac{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x0a};
    // ARP requests the emulator sent since the last call: (target, unicast to a_mac?).
    auto requests = [&] {
        std::vector<std::pair<std::uint32_t, bool>> out;
        auto pkts = test::drain(ports_.nva, main_queue);
        for (auto* m : pkts) {
            const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
            if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
                continue;
            const auto* arp = reinterpret_cast<const rte_arp_hdr*>(eth + 1);
            EXPECT_EQ(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REQUEST);
            EXPECT_EQ(rte_be_to_cpu_32(arp->arp_data.arp_sip), 0x0A01010AU);
            out.emplace_back(rte_be_to_cpu_32(arp->arp_data.arp_tip),
                             std::memcmp(eth->dst_addr.addr_bytes, a_mac.data(), 6) == 0);
        }
        test::free_all(pkts);
        return out;
    };
    // A's reply, into the main lcore's receive queue (the last one service() polls).
    auto reply = [&] {
        rte_mbuf* m = rte_pktmbuf_alloc(rte_mempool_lookup((name_ + "-main").c_str()));
        ASSERT_NE(m, nullptr);
        auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
        auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
        eth->dst_addr = pm;
        std::memcpy(eth->src_addr.addr_bytes, a_mac.data(), 6);
        eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
        arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
        arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
        arp->arp_hlen = 6;
        arp->arp_plen = 4;
        arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
        std::memcpy(arp->arp_data.arp_sha.addr_bytes, a_mac.data(), 6);
        arp->arp_data.arp_sip = rte_cpu_to_be_32(A);
        arp->arp_data.arp_tha = pm;
        arp->arp_data.arp_tip = rte_cpu_to_be_32(0x0A01010A);
        m->data_len = m->pkt_len = sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr);
        ASSERT_EQ(rte_eth_tx_burst(ports_.nva, main_queue, &m, 1), 1);
    };
    emu_->run_passes(1);  // A becomes an incomplete entry; its packets are unresolved
    EXPECT_EQ(emu_->totals().drop_unresolved, flows_.flows.size());
    auto stale = test::drain(ports_.nva);
    test::free_all(stale);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    emu_->service();
    const auto first = requests();
    ASSERT_EQ(first.size(), 1U);
    EXPECT_EQ(first[0].first, A);
    EXPECT_FALSE(first[0].second) << "an incomplete next hop is asked for by broadcast";
    reply();
    emu_->service();
    const std::uint32_t slot = emu_->neighbors().find(A);
    ASSERT_NE(slot, NeighborTable::kNotFound);
    ASSERT_NE(emu_->neighbors().resolution(slot) & NeighborTable::kValid, 0U);
    EXPECT_EQ(NeighborTable::mac_of(emu_->neighbors().resolution(slot)), a_mac);
    (void)requests();

    unsigned unicast = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while ((emu_->neighbors().resolution(slot) & NeighborTable::kValid) != 0 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        emu_->service();
        const bool expired = (emu_->neighbors().resolution(slot) & NeighborTable::kValid) == 0;
        for (const auto& [target, to_a] : requests()) {
            EXPECT_EQ(target, A);
            // Probed unicast while resolved; the service call that withdraws it asks by broadcast.
            EXPECT_EQ(to_a, !expired);
            unicast += to_a ? 1 : 0;
        }
    }
    EXPECT_EQ(emu_->neighbors().resolution(slot) & NeighborTable::kValid, 0U)
        << "a silent next hop never expired";
    EXPECT_EQ(unicast, 3U);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    emu_->service();
    const auto again = requests();
    ASSERT_FALSE(again.empty());
    EXPECT_FALSE(again.back().second) << "expired: asked for by broadcast again";
    reply();
    emu_->service();
    EXPECT_NE(emu_->neighbors().resolution(slot) & NeighborTable::kValid, 0U);
    (void)requests();
}

}  // namespace
