// Route-limit warnings (control/rib/route_limit.hpp): the Warn action keeps the peer and applies what it
// sends past the limit; the threshold warning and the limit warning fire once per crossing and are
// re-armed when the count falls back below; a runtime change of the limit applies in place.
#include <gtest/gtest.h>

#include "control/rib/rib.hpp"
#include "control/rib/route_limit.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

PeerConfig warn_peer(PeerId id, std::uint32_t asn, std::size_t limit, std::uint8_t percent) {
    PeerConfig c = peer(id, asn, limit);
    c.limit_action = azure::RouteLimitAction::Warn;
    c.warning_percent = percent;
    return c;
}

TEST(RouteLimitThreshold, IsThePercentOfTheLimitRoundedUp) {
    EXPECT_EQ(warning_threshold(1000, 75), 750U);
    EXPECT_EQ(warning_threshold(1000, 100), 1000U);
    EXPECT_EQ(warning_threshold(3, 80), 3U);  // 2.4 routes: the third one warns
    EXPECT_EQ(warning_threshold(10, 1), 1U);
    EXPECT_EQ(warning_threshold(0, 75), 0U);                     // no limit, no threshold
    EXPECT_EQ(warning_threshold(1000, 0), 0U);                   // no threshold
    EXPECT_EQ(warning_threshold(4000000000U, 90), 3600000000U);  // no overflow
}

TEST(RouteLimitWatch, FiresOncePerCrossingAndReArmsBelow) {
    RouteLimitWatch w;
    EXPECT_FALSE(w.observe(7, 10, 80).threshold);
    EXPECT_TRUE(w.observe(8, 10, 80).threshold);
    EXPECT_FALSE(w.observe(9, 10, 80).threshold);  // still above: no second warning
    auto c = w.observe(11, 10, 80);
    EXPECT_FALSE(c.threshold);
    EXPECT_TRUE(c.limit);
    EXPECT_FALSE(w.observe(12, 10, 80).limit);
    c = w.observe(10, 10, 80);  // at the limit is not past it: re-armed
    EXPECT_FALSE(c.limit);
    EXPECT_TRUE(w.observe(11, 10, 80).limit);
    EXPECT_FALSE(w.observe(5, 10, 80).threshold);  // below the threshold: re-armed
    EXPECT_FALSE(w.above_threshold);
    EXPECT_TRUE(w.observe(8, 10, 80).threshold);
}

TEST_F(RibTest, WarnKeepsThePeerAndAcceptsRoutesPastTheLimit) {
    up(warn_peer(1, 65001, 10, 80));
    up(2, 65002);
    const auto a = attrs({65001}, "100.64.0.1");
    auto r = send(1, v4_update(a, slash24s(0, 7)));
    EXPECT_EQ(r.status, UpdateStatus::Ok);
    EXPECT_FALSE(r.threshold_crossed);
    r = send(1, v4_update(a, slash24s(7, 1)));  // 8 = 80 % of 10
    EXPECT_TRUE(r.threshold_crossed);
    EXPECT_FALSE(r.limit_crossed);
    r = send(1, v4_update(a, slash24s(8, 5)));  // 13 > 10
    EXPECT_EQ(r.status, UpdateStatus::Ok);
    EXPECT_FALSE(r.threshold_crossed);
    EXPECT_TRUE(r.limit_crossed);
    EXPECT_EQ(r.route_count, 13U);
    EXPECT_TRUE(rib.is_up(1));
    EXPECT_EQ(rib.route_count(1), 13U);
    EXPECT_EQ(views[2].table.size(), 13U);  // reflected like any other route
    EXPECT_EQ(sink.fib.size(), 13U);
    r = send(1, v4_update(a, slash24s(13, 1)));  // still past it: no second warning
    EXPECT_FALSE(r.limit_crossed);
    const RibStats s = rib.stats();
    EXPECT_EQ(s.route_limit_warnings, 1U);
    EXPECT_EQ(s.route_limit_threshold_warnings, 1U);
    EXPECT_EQ(s.route_limit_trips, 0U);
    const auto usage = rib.route_limit_usage(1);
    ASSERT_TRUE(usage);
    EXPECT_EQ(usage->routes, 14U);
    EXPECT_EQ(usage->limit, 10U);
    EXPECT_EQ(usage->warning_threshold, 8U);
    EXPECT_TRUE(usage->above_threshold);
    EXPECT_TRUE(usage->above_limit);
    EXPECT_EQ(usage->action, azure::RouteLimitAction::Warn);
}

TEST_F(RibTest, WarningsReArmWhenWithdrawalsBringTheCountBack) {
    up(warn_peer(1, 65001, 10, 50));
    const auto a = attrs({65001}, "100.64.0.1");
    EXPECT_TRUE(send(1, v4_update(a, slash24s(0, 11))).limit_crossed);
    EXPECT_FALSE(send(1, v4_withdraw(slash24s(10, 1))).limit_crossed);  // 10: at the limit, re-armed
    EXPECT_TRUE(send(1, v4_update(a, slash24s(10, 1))).limit_crossed);
    EXPECT_FALSE(send(1, v4_withdraw(slash24s(0, 8))).threshold_crossed);  // 3: below 5, re-armed
    EXPECT_FALSE(rib.route_limit_usage(1)->above_threshold);
    EXPECT_TRUE(send(1, v4_update(a, slash24s(0, 2))).threshold_crossed);
    EXPECT_EQ(rib.stats().route_limit_warnings, 2U);
    EXPECT_EQ(rib.stats().route_limit_threshold_warnings, 2U);
}

TEST_F(RibTest, TeardownWarnsAtTheThresholdBeforeItTrips) {
    auto c = peer(1, 65001, 10);
    c.warning_percent = 90;
    up(c);
    const auto a = attrs({65001}, "100.64.0.1");
    EXPECT_FALSE(send(1, v4_update(a, slash24s(0, 8))).threshold_crossed);
    EXPECT_TRUE(send(1, v4_update(a, slash24s(8, 1))).threshold_crossed);
    const auto r = send(1, v4_update(a, slash24s(9, 2)));
    EXPECT_EQ(r.status, UpdateStatus::RouteLimitExceeded);
    EXPECT_FALSE(r.limit_crossed);  // no warning: the peer was taken down
    EXPECT_FALSE(rib.is_up(1));
    EXPECT_EQ(rib.stats().route_limit_warnings, 0U);
}

TEST_F(RibTest, ThresholdZeroNeverWarns) {
    up(warn_peer(1, 65001, 10, 0));
    const auto r = send(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 10)));
    EXPECT_FALSE(r.threshold_crossed);
    EXPECT_FALSE(r.limit_crossed);
}

TEST_F(RibTest, ChangingTheLimitAtRuntimeKeepsTheRoutesOrTripsWithTeardown) {
    up(warn_peer(1, 65001, 100, 75));
    up(warn_peer(2, 65002, 100, 75));
    up(3, 65003);
    EXPECT_EQ(send(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 20))).status, UpdateStatus::Ok);
    EXPECT_EQ(send(2, v4_update(attrs({65002}, "100.64.0.2"), slash24s(100, 20))).status, UpdateStatus::Ok);
    // Warn with a limit below what it holds: kept, warned once.
    auto r = rib.set_route_limit(1, 10, azure::RouteLimitAction::Warn, 75);
    EXPECT_EQ(r.status, UpdateStatus::Ok);
    EXPECT_TRUE(r.limit_crossed);
    EXPECT_TRUE(r.threshold_crossed);
    EXPECT_EQ(rib.route_count(1), 20U);
    EXPECT_EQ(rib.route_limit_usage(1)->limit, 10U);
    // Back to Teardown with the same limit: the peer goes, its routes are withdrawn.
    r = rib.set_route_limit(1, 10, azure::RouteLimitAction::Teardown, 75);
    EXPECT_EQ(r.status, UpdateStatus::RouteLimitExceeded);
    EXPECT_EQ(r.route_count, 20U);
    EXPECT_FALSE(rib.is_up(1));
    EXPECT_EQ(rib.stats().route_limit_trips, 1U);
    // Teardown with room: nothing happens to the routes.
    r = rib.set_route_limit(2, 50, azure::RouteLimitAction::Teardown, 30);
    EXPECT_EQ(r.status, UpdateStatus::Ok);
    EXPECT_TRUE(r.threshold_crossed);  // 20 >= 15
    EXPECT_EQ(rib.route_count(2), 20U);
    EXPECT_FALSE(rib.lookup(P(slash24s(0, 1)[0])).has_value());  // peer 1's, withdrawn
    EXPECT_TRUE(rib.lookup(P(slash24s(100, 1)[0])).has_value());
    EXPECT_EQ(rib.set_route_limit(9, 10, azure::RouteLimitAction::Warn, 75).status,
              UpdateStatus::UnknownPeer);
}

}  // namespace
}  // namespace rf::rib::test
