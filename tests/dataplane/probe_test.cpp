// Convergence report maths and the probe's predicates, IPv4 and IPv6 (no DPDK needed).
#include "dataplane/probe.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>

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

namespace {
Ipv6Bytes v6(std::uint16_t g0, std::uint16_t g1, std::uint16_t g2, std::uint8_t last = 0) {
    Ipv6Bytes a{};
    a[0] = static_cast<std::uint8_t>(g0 >> 8);
    a[1] = static_cast<std::uint8_t>(g0);
    a[2] = static_cast<std::uint8_t>(g1 >> 8);
    a[3] = static_cast<std::uint8_t>(g1);
    a[4] = static_cast<std::uint8_t>(g2 >> 8);
    a[5] = static_cast<std::uint8_t>(g2);
    a[15] = last;
    return a;
}

Ipv6Bytes last_of_48(Ipv6Bytes a) {
    std::fill(a.begin() + 6, a.end(), 0xFF);
    return a;
}

GroupView view6(const std::vector<Ipv6Bytes>& members) {
    GroupView v;
    v.kind = NextHopKind::Ip;
    v.count = static_cast<std::uint32_t>(members.size());
    v.members = members.empty() ? nullptr : members.front().data();
    v.stride = 16;
    v.v6 = true;
    return v;
}
}  // namespace

TEST(ProbePredicates, Ipv6RangesAreMergedAndOnlyTheirFamilyIsAffected) {
    ConvergenceProbe probe(1);
    ProbeSpec spec;
    const Ipv6Bytes a = v6(0x2001, 0xdb8, 1), b = v6(0x2001, 0xdb8, 2), c = v6(0x2001, 0xdb8, 9);
    spec.affected6 = {{c, last_of_48(c)}, {b, last_of_48(b)}, {a, last_of_48(a)}};
    auto& run = probe.arm(spec, 0);
    ASSERT_EQ(run.spec.affected6.size(), 3U);
    EXPECT_TRUE(run.spec.affected6.front().first == a) << "sorted";
    EXPECT_TRUE(run.affects6(v6(0x2001, 0xdb8, 1, 7).data()));
    EXPECT_TRUE(run.affects6(last_of_48(b).data()));
    EXPECT_FALSE(run.affects6(v6(0x2001, 0xdb8, 3).data()));
    EXPECT_FALSE(run.affects6(v6(0x2001, 0xdb7, 0xffff, 0xff).data()));
    EXPECT_TRUE(run.affects6(v6(0x2001, 0xdb8, 9, 1).data()));
    EXPECT_FALSE(run.affects(0x14000001)) << "IPv6 ranges only: IPv4 destinations are not affected";
    // And the other way round; no ranges at all: everything.
    ProbeSpec v4only;
    v4only.affected = {{0x14000000, 0x140000FF}};
    auto& r4 = probe.arm(v4only, 0);
    EXPECT_TRUE(r4.affects(0x14000001));
    EXPECT_FALSE(r4.affects6(a.data()));
    auto& all = probe.arm(ProbeSpec{}, 0);
    EXPECT_TRUE(all.affects(0x01020304));
    EXPECT_TRUE(all.affects6(a.data()));
}

TEST(ProbePredicates, NewIpv6PathMustIncludeAndExclude) {
    ConvergenceProbe probe(1);
    ProbeSpec spec;
    const Ipv6Bytes na = v6(0xfd00, 1, 1, 4), nb = v6(0xfd00, 1, 1, 5), nc = v6(0xfd00, 1, 1, 6);
    spec.include6 = {nc};
    spec.exclude6 = {na};
    auto& run = probe.arm(spec, 0);
    const std::vector<Ipv6Bytes> old_set{na, nb}, with_both{na, nc}, new_set{nb, nc};
    EXPECT_FALSE(run.satisfied(view6(old_set)));
    EXPECT_FALSE(run.satisfied(view6(with_both)));
    EXPECT_TRUE(run.satisfied(view6(new_set)));
    EXPECT_FALSE(run.satisfied(GroupView{}));
    EXPECT_TRUE(run.excluded6(na.data()));
    EXPECT_FALSE(run.excluded6(nb.data()));
    // An IPv4 path (an IPv6 route via IPv4 next hops) has none of the required IPv6 next hops.
    const std::vector<std::uint32_t> v4_members{htonl(0x0A010106)};
    GroupView v4;
    v4.kind = NextHopKind::Ip;
    v4.count = 1;
    v4.members = reinterpret_cast<const std::uint8_t*>(v4_members.data());
    EXPECT_FALSE(run.satisfied(v4));
}

TEST(ProbePredicates, DualStackSpecChecksEachPathAgainstItsOwnFamily) {
    // A dual-stack NVA goes down: its IPv4 prefixes move to B4, its IPv6 prefixes to B6.
    ConvergenceProbe probe(1);
    ProbeSpec spec;
    const Ipv6Bytes a6 = v6(0xfd00, 1, 1, 4), b6 = v6(0xfd00, 1, 1, 5);
    spec.include = {0x0A010105};
    spec.exclude = {0x0A010104};
    spec.include6 = {b6};
    spec.exclude6 = {a6};
    auto& run = probe.arm(spec, 0);
    const std::vector<std::uint32_t> b4{htonl(0x0A010105)}, a4b4{htonl(0x0A010104), htonl(0x0A010105)};
    GroupView v4;
    v4.kind = NextHopKind::Ip;
    v4.count = 1;
    v4.members = reinterpret_cast<const std::uint8_t*>(b4.data());
    EXPECT_TRUE(run.satisfied(v4));
    v4.count = 2;
    v4.members = reinterpret_cast<const std::uint8_t*>(a4b4.data());
    EXPECT_FALSE(run.satisfied(v4));
    const std::vector<Ipv6Bytes> only_b6{b6}, both6{a6, b6};
    EXPECT_TRUE(run.satisfied(view6(only_b6)));
    EXPECT_FALSE(run.satisfied(view6(both6)));
}

TEST(ProbeMaths, Ipv6ProbeAddressesAreSampledAndCountedWithIpv4) {
    ConvergenceProbe probe(2);
    ProbeSpec spec;
    spec.probe_addrs = {1, 2, 3};
    for (std::uint32_t i = 0; i < 200; ++i)
        spec.probe_addrs6.push_back(v6(0x2001, 0xdb8, static_cast<std::uint16_t>(i), 1));
    auto& run = probe.arm(spec, 0);
    EXPECT_EQ(run.spec.probe_addrs6.size(), ConvergenceProbe::kMaxProbeAddrs);
    EXPECT_TRUE(run.spec.probe_addrs6.front() == v6(0x2001, 0xdb8, 0, 1));
    EXPECT_EQ(run.probe_count(), 3 + ConvergenceProbe::kMaxProbeAddrs);
}

TEST(ProbeMaths, ResizeDisarmsAndSizesLaterRuns) {
    ConvergenceProbe probe(4);
    auto& old_run = probe.arm(ProbeSpec{}, 0);
    EXPECT_EQ(old_run.hosts, 4U);
    probe.resize(7);
    EXPECT_EQ(probe.current(), nullptr) << "a run armed for the old hosts is disarmed";
    EXPECT_EQ(probe.hosts(), 7U);
    auto& run = probe.arm(ProbeSpec{}, 0);
    EXPECT_EQ(run.hosts, 7U);
    for (std::uint32_t h = 0; h < 7; ++h)
        run.converged_tsc[h].store(10 + h);
    run.converged_hosts.store(7);
    EXPECT_TRUE(probe.all_converged());
}
