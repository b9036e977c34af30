// Convergence report maths and the probe's predicates (no DPDK needed).
#include "dataplane/probe.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

using namespace rf::dataplane;

TEST(ProbeMaths, NearestRankPercentiles) {
    std::vector<double> v;
    for (int i = 1; i <= 100; ++i)
        v.push_back(i);
    EXPECT_DOUBLE_EQ(percentile_sorted(v, 50), 50);
    EXPECT_DOUBLE_EQ(percentile_sorted(v, 99), 99);
    EXPECT_DOUBLE_EQ(percentile_sorted(v, 100), 100);
    EXPECT_DOUBLE_EQ(percentile_sorted(v, 0), 1);
    EXPECT_DOUBLE_EQ(percentile_sorted({7}, 99), 7);
    EXPECT_DOUBLE_EQ(percentile_sorted({}, 50), 0);
    // Nearest rank on 10 values: p99 is the largest, p50 the 5th.
    std::vector<double> ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    EXPECT_DOUBLE_EQ(percentile_sorted(ten, 99), 10);
    EXPECT_DOUBLE_EQ(percentile_sorted(ten, 50), 5);
}

TEST(ProbeMaths, SummaryIgnoresUnconvergedHosts) {
    const auto r = summarise("x", {30, -1, 10, 20, -1});
    EXPECT_EQ(r.hosts, 5U);
    EXPECT_EQ(r.converged, 3U);
    EXPECT_DOUBLE_EQ(r.first_us, 10);
    EXPECT_DOUBLE_EQ(r.median_us, 20);
    EXPECT_DOUBLE_EQ(r.p99_us, 30);
    EXPECT_DOUBLE_EQ(r.last_us, 30);
}

TEST(ProbeMaths, ReportConvertsTicksFromT0) {
    ConvergenceProbe probe(4);
    ProbeSpec spec;
    spec.name = "t";
    auto& run = probe.arm(spec, 1000);
    run.converged_tsc[0].store(1000 + 100);  // 1 us at 100 MHz
    run.converged_tsc[1].store(1000 + 300);
    run.converged_tsc[2].store(1000 + 200);
    run.converged_hosts.store(3);
    run.lost[1].store(2);
    run.to_withdrawn[2].store(5);
    run.after_publish[2].store(1);
    probe.published(1000 + 50);
    EXPECT_FALSE(probe.all_converged());
    const auto r = probe.report(100e6);
    EXPECT_EQ(r.converged, 3U);
    EXPECT_DOUBLE_EQ(r.publish_us, 0.5);
    EXPECT_DOUBLE_EQ(r.first_us, 1);
    EXPECT_DOUBLE_EQ(r.median_us, 2);
    EXPECT_DOUBLE_EQ(r.last_us, 3);
    EXPECT_EQ(r.lost, 2U);
    EXPECT_EQ(r.to_withdrawn, 5U);
    EXPECT_EQ(r.to_withdrawn_after_publish, 1U);
    run.converged_tsc[3].store(1000 + 400);
    run.converged_hosts.store(4);
    EXPECT_TRUE(probe.all_converged());
    EXPECT_TRUE(probe.wait(0.01));
}

TEST(ProbeMaths, AMeasurementIsCompleteOnlyOnceThePublishIsReportedToo) {
    // A repointed next-hop group converges every host before the FIB reports the batch published.
    ConvergenceProbe probe(1);
    auto& run = probe.arm(ProbeSpec{}, 1000);
    run.converged_tsc[0].store(1000 + 100);
    run.converged_hosts.store(1);
    EXPECT_TRUE(probe.all_converged());
    EXPECT_FALSE(probe.publish_reported());
    EXPECT_FALSE(probe.wait(0.001));
    probe.published(1000 + 400);
    EXPECT_TRUE(probe.publish_reported());
    EXPECT_TRUE(probe.wait(0.001));
    const auto r = probe.report(100e6);
    EXPECT_DOUBLE_EQ(r.last_us, 1.0);  // before the publish (4 us)
    EXPECT_DOUBLE_EQ(r.publish_us, 4.0);
}

TEST(ProbeMaths, FirstPublishReportWins) {
    ConvergenceProbe probe(1);
    probe.arm(ProbeSpec{}, 1000);
    probe.published(1000 + 100);  // the writer's visibility hook
    probe.published(1000 + 900);  // a caller polling visible() later
    EXPECT_DOUBLE_EQ(probe.report(100e6).publish_us, 1.0);
    probe.arm(ProbeSpec{}, 5000);  // a new run starts unpublished
    EXPECT_LT(probe.report(100e6).publish_us, 0.0);
}

TEST(ProbePredicates, AffectedRangesAreMergedAndSearched) {
    ConvergenceProbe probe(1);
    ProbeSpec spec;
    spec.affected = {{300, 400}, {100, 200}, {150, 250}};
    auto& run = probe.arm(spec, 0);
    ASSERT_EQ(run.spec.affected.size(), 2U);
    EXPECT_FALSE(run.affects(99));
    EXPECT_TRUE(run.affects(100));
    EXPECT_TRUE(run.affects(250));
    EXPECT_FALSE(run.affects(251));
    EXPECT_TRUE(run.affects(400));
    EXPECT_FALSE(run.affects(401));
    ProbeSpec all;
    EXPECT_TRUE(probe.arm(all, 0).affects(12345));
}

TEST(ProbePredicates, NewPathMustIncludeAndExclude) {
    ConvergenceProbe probe(1);
    ProbeSpec spec;
    spec.include = {0x0A010106};
    spec.exclude = {0x0A010104};
    auto& run = probe.arm(spec, 0);
    auto view = [](const std::vector<std::uint32_t>& be) {
        GroupView v;
        v.kind = NextHopKind::Ip;
        v.count = static_cast<std::uint32_t>(be.size());
        v.members = reinterpret_cast<const std::uint8_t*>(be.data());
        v.stride = 4;
        return v;
    };
    const std::vector<std::uint32_t> old_set{htonl(0x0A010104), htonl(0x0A010105)};
    const std::vector<std::uint32_t> with_both{htonl(0x0A010104), htonl(0x0A010106)};
    const std::vector<std::uint32_t> new_set{htonl(0x0A010105), htonl(0x0A010106)};
    EXPECT_FALSE(run.satisfied(view(old_set)));
    EXPECT_FALSE(run.satisfied(view(with_both)));
    EXPECT_TRUE(run.satisfied(view(new_set)));
    EXPECT_FALSE(run.satisfied(GroupView{}));  // no route: the include is missing
    EXPECT_TRUE(run.excluded(0x0A010104));
    EXPECT_FALSE(run.excluded(0x0A010105));
}

TEST(ProbePredicates, LargeProbeSetsAreSampled) {
    ConvergenceProbe probe(1);
    ProbeSpec spec;
    for (std::uint32_t i = 0; i < 1000; ++i)
        spec.probe_addrs.push_back(i);
    auto& run = probe.arm(spec, 0);
    EXPECT_EQ(run.spec.probe_addrs.size(), ConvergenceProbe::kMaxProbeAddrs);
    EXPECT_EQ(run.spec.probe_addrs.front(), 0U);
}
