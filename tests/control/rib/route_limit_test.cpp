// Route limits (control/rib/route_limit.hpp): both counting modes, withdrawals first, per session, with
// ADD-PATH counting prefixes not paths.
#include <gtest/gtest.h>

#include <algorithm>

#include "control/rib/rib.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

// ----------------------------------------------------------------------------------------- route limit

TEST_F(RibTest, RouteLimitTripsOnTheFirstRouteTooManyAndWithdrawsEverything) {
    up(1, 65001);
    up(2, 65002);
    const auto a = attrs({65001}, "100.64.0.1");
    EXPECT_EQ(send(1, v4_update(a, slash24s(0, 600))).status, UpdateStatus::Ok);
    EXPECT_EQ(send(1, v4_update(a, slash24s(600, 400))).status, UpdateStatus::Ok);
    EXPECT_EQ(rib.route_count(1), 1000U);
    // Re-advertising what it has does not count twice.
    auto r = send(1, v4_update(a, slash24s(0, 1000)));
    EXPECT_EQ(r.status, UpdateStatus::Ok);
    EXPECT_EQ(r.route_count, 1000U);
    EXPECT_EQ(views[2].table.size(), 1000U);
    const auto batches_before = sink.batches.size();
    r = send(1, v4_update(a, slash24s(1000, 1)));
    EXPECT_EQ(r.status, UpdateStatus::RouteLimitExceeded);
    EXPECT_EQ(r.route_count, 1001U);
    EXPECT_EQ(r.route_limit, 1000U);
    EXPECT_FALSE(rib.is_up(1));
    EXPECT_TRUE(views[2].table.empty());
    EXPECT_TRUE(sink.fib.empty());
    EXPECT_EQ(sink.batches.size(), batches_before + 1);  // one batch for the whole sweep
    EXPECT_EQ(rib.stats().route_limit_trips, 1U);
    rib.peer_down(1);  // what the session does next: harmless
    up(1, 65001);      // and the peer may come back
    EXPECT_EQ(send(1, v4_update(a, slash24s(0, 10))).status, UpdateStatus::Ok);
}

TEST_F(RibTest, WithdrawalsInTheSameUpdateMakeRoomFirst) {
    up(1, 65001);
    const auto a = attrs({65001}, "100.64.0.1");
    EXPECT_EQ(send(1, v4_update(a, slash24s(0, 1000))).status, UpdateStatus::Ok);
    EXPECT_EQ(send(1, v4_update(a, slash24s(1000, 1), slash24s(0, 1))).status, UpdateStatus::Ok);
    EXPECT_EQ(rib.route_count(1), 1000U);
}

TEST_F(RibTest, AzureStrictCountsCurrentPlusIncomingRoutes) {
    auto c = peer(1, 65001);
    c.counting = azure::RouteCounting::AzureStrict;
    up(c);
    const auto a = attrs({65001}, "100.64.0.1");
    EXPECT_EQ(send(1, v4_update(a, slash24s(0, 499))).status, UpdateStatus::Ok);
    EXPECT_EQ(send(1, v4_update(a, slash24s(0, 499))).status, UpdateStatus::Ok);  // 998
    EXPECT_EQ(send(1, v4_update(a, slash24s(499, 2))).status, UpdateStatus::Ok);  // 501 held
    auto r = send(1, v4_update(a, slash24s(0, 501)));                             // 501 + 501 = 1,002 > 1,000
    EXPECT_EQ(r.status, UpdateStatus::RouteLimitExceeded);
    EXPECT_EQ(r.route_count, 1002U);
    EXPECT_FALSE(rib.is_up(1));
}

TEST_F(RibTest, RouteLimitZeroMeansUnlimited) {
    up(peer(1, 65001, 0));
    EXPECT_EQ(send(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 3000))).status, UpdateStatus::Ok);
    EXPECT_EQ(rib.route_count(1), 3000U);
}

TEST_F(RibTest, RouteLimitStaysPerSessionForOneNeighbor) {
    up(instance_session(11, 7, 65007, "10.1.0.7", 2));
    up(instance_session(12, 7, 65007, "10.1.0.7", 2));
    const auto a = attrs({65007}, "100.64.0.7");
    EXPECT_EQ(send(11, v4_update(a, {"10.1.0.0/24", "10.2.0.0/24"})).status, UpdateStatus::Ok);
    EXPECT_EQ(send(12, v4_update(a, {"10.1.0.0/24", "10.2.0.0/24"})).status, UpdateStatus::Ok);
    EXPECT_EQ(send(11, v4_update(a, {"10.3.0.0/24"})).status, UpdateStatus::RouteLimitExceeded);
    EXPECT_FALSE(rib.is_up(11));
    EXPECT_TRUE(rib.is_up(12));
    EXPECT_EQ(rib.route_count(12), 2U);
    EXPECT_EQ(rib.lookup(P("10.1.0.0/24"))->paths.size(), 1U);
}

// ------------------------------------------------------------------------- ADD-PATH receive (RFC 7911)

TEST_F(RibTest, AddPathReceiveCountsDistinctPrefixesAgainstTheLimit) {
    up(add_path_peer(1, 65001, true, false, 2));
    const auto a = attrs({65001}, "100.64.0.1");
    for (std::uint32_t id = 1; id <= 5; ++id) {
        EXPECT_EQ(send(1, with_path_id(v4_update(a, {"10.1.0.0/24", "10.2.0.0/24"}), id)).status,
                  UpdateStatus::Ok);
    }
    EXPECT_EQ(rib.route_count(1), 2U);
    EXPECT_EQ(rib.adj_rib_in(1).size(), 10U);
    // Withdrawing one path of a prefix does not make room; withdrawing all of them does.
    auto w = with_path_id(v4_update(a, {"10.3.0.0/24"}, {"10.1.0.0/24"}), 1);
    EXPECT_EQ(send(1, w).status, UpdateStatus::RouteLimitExceeded);
    EXPECT_FALSE(rib.is_up(1));
}

TEST_F(RibTest, AddPathReceiveWithdrawingEveryPathMakesRoom) {
    up(add_path_peer(1, 65001, true, false, 1));
    const auto a = attrs({65001}, "100.64.0.1");
    send(1, with_path_id(v4_update(a, {"10.1.0.0/24"}), 1));
    send(1, with_path_id(v4_update(a, {"10.1.0.0/24"}), 2));
    bgp::DecodedUpdate u = with_path_id(v4_update(a, {"10.3.0.0/24"}), 1);
    u.update.withdrawn = {bgp::Nlri{P("10.1.0.0/24"), 1}, bgp::Nlri{P("10.1.0.0/24"), 2}};
    EXPECT_EQ(send(1, u).status, UpdateStatus::Ok);
    EXPECT_EQ(rib.route_count(1), 1U);
}

}  // namespace
}  // namespace rf::rib::test
