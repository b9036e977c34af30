// Readers and writer at once: worker threads forward flat out while the writer moves prefixes between
// ECMP sets and retires groups. After every change is published, no packet for an affected prefix goes
// to a withdrawn next hop, every host converges, and the counters add up. Layouts replaced under traffic
// (the emulator's VMs following a reloaded model) likewise. Runs under TSan too.
#include <gtest/gtest.h>
#include <rte_cycles.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "bench/emulator/route_producer.hpp"
#include "dataplane/emulator.hpp"
#include "dataplane/lpm_route_source.hpp"
#include "tests/dataplane/test_support.hpp"
#ifdef RF_DATAPLANE_HAVE_FIB
#include "bench/emulator/fib_producer.hpp"
#endif

using namespace rf::dataplane;
using namespace rf::bench;

namespace {

constexpr std::uint32_t A = 0x0A010104, B = 0x0A010105, C = 0x0A010106;

ProbeSpec move_spec(std::uint32_t first_prefix, unsigned prefixes, std::vector<std::uint32_t> include,
                    std::vector<std::uint32_t> exclude) {
    ProbeSpec s;
    s.name = "move";
    for (unsigned i = 0; i < prefixes; ++i) {
        const std::uint32_t p = first_prefix + (i << 8);
        s.probe_addrs.push_back(p + 1);
        s.affected.emplace_back(p, p + 255);
    }
    s.include = std::move(include);
    s.exclude = std::move(exclude);
    return s;
}

// Drives `rounds` probed changes through `producer` while `emu` forwards on two threads. With
// `writer_reports`, the publish instant comes from the producer's writer (watch_visibility), else this
// thread polls visible() and reports it.
void churn_and_check(RouteProducer& producer, Emulator& emu, unsigned rounds, unsigned prefixes,
                     bool writer_reports = false) {
    std::string error;
    ASSERT_TRUE(emu.start(&error)) << error;
    const double hz = static_cast<double>(rte_get_tsc_hz());
    bool on_c = false;
    for (unsigned round = 0; round < rounds; ++round) {
        on_c = !on_c;
        std::vector<std::uint32_t> now =
            on_c ? std::vector<std::uint32_t>{C} : std::vector<std::uint32_t>{A, B};
        std::vector<std::uint32_t> old =
            on_c ? std::vector<std::uint32_t>{A, B} : std::vector<std::uint32_t>{C};
        std::vector<RouteUpdate> batch;
        for (unsigned i = 0; i < prefixes; ++i)
            batch.push_back(RouteUpdate{0x14000000U + (i << 8), 24, now});
        emu.probe().arm(move_spec(0x14000000, prefixes, now, old), rte_rdtsc());
        std::uint64_t ticket = 0;
        for (int i = 0; i < 10000 && (ticket = producer.inject(batch)) == 0; ++i)
            std::this_thread::yield();
        ASSERT_NE(ticket, 0U);
        if (writer_reports)
            producer.watch_visibility(emu.probe(), ticket);
        for (int i = 0; i < 200000 && !producer.visible(ticket); ++i)
            std::this_thread::yield();
        ASSERT_TRUE(producer.visible(ticket));
        if (!writer_reports)
            emu.probe().published(rte_rdtsc());
        producer.housekeeping();
        ASSERT_TRUE(emu.probe().wait(20.0)) << "round " << round;
        const auto r = emu.probe().report(hz);
        EXPECT_EQ(r.converged, r.hosts);
        EXPECT_GE(r.publish_us, 0.0) << "round " << round << ": the publish instant was never reported";
        EXPECT_EQ(r.to_withdrawn_after_publish, 0U) << "round " << round;
        EXPECT_EQ(r.lost, 0U);
    }
    emu.probe().disarm();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    emu.stop();
    const auto t = emu.totals();
    EXPECT_GT(t.tx, 0U);
    EXPECT_EQ(t.tx + t.drops() + emu.alloc_failures() * 0, emu.generated());
    EXPECT_EQ(t.drop_no_route, 0U);
}

TEST(ReaderWriter, LpmSourceChangesUnderTrafficNeverMisrouteAfterPublish) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_started());
    LabSpec lab;
    lab.vms = 256;
    lab.vms_per_host = 16;
    std::string error;
    auto producer = LpmProducer::create(lab, 0x0A010000, 16, 256, &error);
    ASSERT_TRUE(producer) << error;
    std::vector<RouteUpdate> initial;
    for (unsigned i = 0; i < 64; ++i)
        initial.push_back(RouteUpdate{0x14000000U + (i << 8), 24, {A, B}});
    ASSERT_NE(producer->inject(initial), 0U);
    const auto topo = producer->topology();
    const auto flows = make_flows(topo, 4, producer->destinations(), 3);
    EmulatorConfig ec;
    ec.workers = 2;
    ec.mbufs = 4095;
    ec.nva_port = ec.fabric_port = ec.internet_port = ports.null;
    ec.use_lcores = false;
    ec.name = "rw-lpm";
    auto emu = Emulator::create(ec, producer->source(), topo, flows, &error);
    ASSERT_TRUE(emu) << error;
    churn_and_check(*producer, *emu, 40, 16);
    emu.reset();
    producer->lpm().synchronize();
    EXPECT_EQ(producer->lpm().retired_pending(), 0U);
}

#ifdef RF_DATAPLANE_HAVE_FIB
TEST(ReaderWriter, FibChangesThroughTheUpdaterNeverMisrouteAfterPublish) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_started());
    std::string error;
    auto producer = FibProducer::create(make_lab_model(256, 16), 1024, &error);
    ASSERT_TRUE(producer) << error;
    std::vector<RouteUpdate> initial;
    for (unsigned i = 0; i < 64; ++i)
        initial.push_back(RouteUpdate{0x14000000U + (i << 8), 24, {A, B}});
    const auto ticket = producer->inject(initial);
    ASSERT_NE(ticket, 0U);
    for (int i = 0; i < 20000 && !producer->visible(ticket); ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    ASSERT_TRUE(producer->visible(ticket));
    const auto topo = producer->topology();
    ASSERT_EQ(topo.vms.size(), 256U);
    ASSERT_EQ(topo.hosts.size(), 16U);
    const auto flows = make_flows(topo, 4, producer->destinations(), 3);
    EmulatorConfig ec;
    ec.workers = 2;
    ec.mbufs = 4095;
    ec.nva_port = ec.fabric_port = ec.internet_port = ports.null;
    ec.use_lcores = false;
    ec.name = "rw-fib";
    auto emu = Emulator::create(ec, producer->source(), topo, flows, &error);
    ASSERT_TRUE(emu) << error;
    churn_and_check(*producer, *emu, 40, 16, /*writer_reports=*/true);
}
#endif

// Workers scale their burst toward the pass-time target while forwarding: an unreachable target drives
// it to the minimum (4), a generous one leaves it at the configured maximum. Counters still add up.
TEST(ReaderWriter, BurstFollowsThePassTimeTarget) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_started());
    LabSpec lab;
    lab.vms = 256;
    lab.vms_per_host = 16;
    std::string error;
    auto producer = LpmProducer::create(lab, 0x0A010000, 16, 256, &error);
    ASSERT_TRUE(producer) << error;
    ASSERT_NE(producer->inject(std::vector<RouteUpdate>{RouteUpdate{0x14000000U, 24, {A, B}}}), 0U);
    const auto topo = producer->topology();
    const auto flows = make_flows(topo, 4, producer->destinations(), 3);
    for (const unsigned target_us : {1U, 1000000U}) {
        EmulatorConfig ec;
        ec.workers = 1;
        ec.burst = 32;
        ec.pass_target_us = target_us;
        ec.mbufs = 2047;
        ec.nva_port = ec.fabric_port = ec.internet_port = ports.null;
        ec.use_lcores = false;
        ec.name = "adapt" + std::to_string(target_us);
        auto emu = Emulator::create(ec, producer->source(), topo, flows, &error);
        ASSERT_TRUE(emu) << error;
        ASSERT_TRUE(emu->start(&error)) << error;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (emu->scheduling().passes < 200 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        emu->stop();
        const auto sched = emu->scheduling();
        EXPECT_GE(sched.passes, 200U);
        if (target_us == 1) {
            EXPECT_EQ(emu->current_burst(), 4U)
                << "an unreachable pass target must drive the burst to the minimum";
        } else {
            EXPECT_EQ(emu->current_burst(), 32U) << "a generous pass target must keep the configured burst";
        }
        const auto t = emu->totals();
        EXPECT_EQ(t.tx + t.drops(), emu->generated());
        emu.reset();
    }
}

// Layouts replaced while two workers forward flat out and another thread reads the statistics (as the
// REST API does), with a probe armed under each layout: every replace_layout() returns with both workers
// on the new layout, the totals never go back, and at the end every generated packet is accounted for in
// them — those of the retired layouts included.
TEST(ReaderWriter, LayoutsReplacedUnderTrafficKeepEveryPacketInTheTotals) {
    const auto& ports = test::ensure_eal();
    ASSERT_TRUE(eal_started());
    LabSpec lab;
    lab.vms = 256;
    lab.vms_per_host = 16;
    lab.vms_per_subnet = 64;
    lab.tables = 2;
    std::string error;
    auto producer = LpmProducer::create(lab, 0x0A010000, 16, 256, &error);
    ASSERT_TRUE(producer) << error;
    ASSERT_NE(producer->inject(std::vector<RouteUpdate>{RouteUpdate{0x14000000U, 24, {A, B}}}), 0U);
    const Topology full = producer->topology();
    const auto dests = producer->destinations();
    const FlowTable flows = make_flows(full, 4, dests, 3);
    // The other layout: every third VM gone, every fifth in the other table, VMs on fewer, larger hosts.
    std::vector<Vm> vms;
    for (std::size_t i = 0; i < full.vms.size(); ++i) {
        if (i % 3 == 0)
            continue;
        const Vm& vm = full.vms[i];
        vms.push_back(Vm{vm.ip, i % 5 == 0 ? 1 - vm.table : vm.table, static_cast<std::uint32_t>(i / 40)});
    }
    Topology other = Topology::from_vms(vms);
    other.tables = 2;
    EmulatorConfig ec;
    ec.workers = 2;
    ec.mbufs = 4095;
    ec.nva_port = ec.fabric_port = ec.internet_port = ports.null;
    ec.use_lcores = false;
    ec.name = "rw-layout";
    auto emu = Emulator::create(ec, producer->source(), full, flows, &error);
    ASSERT_TRUE(emu) << error;
    ASSERT_TRUE(emu->start(&error)) << error;
    std::atomic<bool> done{false};
    std::atomic<bool> went_back{false};
    std::thread stats([&] {
        std::uint64_t last = 0;
        while (!done.load()) {
            const auto t = emu->totals();
            went_back = went_back || t.tx + t.drops() < last;
            last = t.tx + t.drops();
            (void)emu->layout_info();
            (void)emu->memory_bytes();
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    });
    const Topology* current = &full;
    const FlowTable* current_flows = &flows;
    for (unsigned round = 0; round < 30; ++round) {
        const Topology& next = round % 2 == 0 ? other : full;
        auto carried = carry_flows(*current, *current_flows, next, dests, {}, round);
        emu->probe().arm(move_spec(0x14000000, 1, {A, B}, {C}), rte_rdtsc());
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        emu->replace_layout(next, std::move(carried.flows), 20.0);
        const LayoutInfo info = emu->layout_info();
        EXPECT_EQ(info.generation, round + 2);
        EXPECT_EQ(info.vms, next.vms.size());
        EXPECT_EQ(emu->probe().current(), nullptr) << "a probe armed for the old hosts stays armed";
        current = &emu->topology();
        current_flows = &emu->flows();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    emu->stop();
    done = true;
    stats.join();
    EXPECT_FALSE(went_back.load()) << "the totals went backwards across a layout change";
    const auto t = emu->totals();
    EXPECT_GT(t.tx, 0U);
    EXPECT_EQ(t.tx + t.drops(), emu->generated());
}

}  // namespace
