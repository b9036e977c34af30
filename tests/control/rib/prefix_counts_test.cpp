// What the RIB tells the route server about each UPDATE's prefixes (UpdateResult::prefixes): every
// announcement counted once, as accepted or as filtered with its reason, withdrawals counted; and each
// session's share of the ECMP sets (ecmp_prefix_count), kept at the end of every call.
#include <gtest/gtest.h>

#include "control/rib/rib.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

std::uint64_t filtered(const PrefixCounts& c, FilterReason r) {
    return c.filtered[static_cast<std::size_t>(r)];
}

TEST_F(RibTest, AcceptedAnnouncementsAndWithdrawalsAreCounted) {
    up(1, 65001);
    const auto r = send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.1.0.0/24", "10.1.1.0/24"}));
    EXPECT_EQ(r.prefixes.received, 2U);
    EXPECT_EQ(r.prefixes.accepted, 2U);
    EXPECT_EQ(r.prefixes.filtered_total(), 0U);
    const auto w = send(1, v4_withdraw({"10.1.0.0/24", "10.9.0.0/24"}));
    EXPECT_EQ(w.prefixes.withdrawn, 2U);  // what the peer sent, known to the RIB or not
    EXPECT_EQ(w.prefixes.received, 0U);
}

TEST_F(RibTest, AnAsPathWithTheRouteServerAsnIsFilteredAsALoop) {
    up(1, 65001);
    const auto r = send(1, v4_update(attrs({65001, 65515}, "100.64.0.1"), {"10.1.0.0/24"}));
    EXPECT_EQ(r.prefixes.received, 1U);
    EXPECT_EQ(r.prefixes.accepted, 0U);
    EXPECT_EQ(filtered(r.prefixes, FilterReason::AsLoop), 1U);
    EXPECT_EQ(rib.route_count(1), 1U);  // kept in the Adj-RIB-In, not eligible
    EXPECT_EQ(rib.ecmp_prefix_count(1), 0U);
}

TEST_F(RibTest, TreatAsWithdrawFiltersEveryAnnouncementOfTheUpdate) {
    up(1, 65001);
    auto u = v4_update(attrs({65001}, "100.64.0.1"), {"10.1.0.0/24", "10.1.1.0/24"});
    u.action = bgp::Rfc7606Action::TreatAsWithdraw;
    const auto r = send(1, u);
    EXPECT_EQ(r.prefixes.received, 2U);
    EXPECT_EQ(filtered(r.prefixes, FilterReason::Rfc7606), 2U);
    EXPECT_EQ(r.prefixes.accepted, 0U);
}

TEST_F(RibTest, AFamilyThePeerDidNotNegotiateIsFiltered) {
    up(1, 65001);  // IPv4 unicast only
    const auto r = send(1, v6_update(attrs({65001}), "2001:db8::1", {"2001:db8:1::/48", "2001:db8:2::/48"}));
    EXPECT_EQ(r.prefixes.received, 2U);
    EXPECT_EQ(filtered(r.prefixes, FilterReason::Family), 2U);
}

TEST_F(RibTest, MpReachWithoutANextHopIsFilteredForTheNextHop) {
    PeerConfig c = peer(1, 65001);
    c.families.push_back({net::Afi::Ipv6, net::Safi::Unicast});
    up(c);
    auto u = v6_update(attrs({65001}), "2001:db8::1", {"2001:db8:1::/48"});
    u.update.mp_reach->next_hops.clear();
    const auto r = send(1, u);
    EXPECT_EQ(filtered(r.prefixes, FilterReason::NextHop), 1U);
    EXPECT_EQ(r.prefixes.accepted, 0U);
}

TEST_F(RibTest, TheUpdateThatTripsTheRouteLimitIsFilteredForTheLimit) {
    up(peer(1, 65001, 2));
    const auto r = send(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 3)));
    EXPECT_EQ(r.status, UpdateStatus::RouteLimitExceeded);
    EXPECT_EQ(r.prefixes.received, 3U);
    EXPECT_EQ(filtered(r.prefixes, FilterReason::RouteLimit), 3U);
    EXPECT_EQ(r.prefixes.accepted, 0U);
}

TEST_F(RibTest, EcmpShareFollowsTheEcmpSetsOfEveryCall) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.1.0.0/24", "10.1.1.0/24"}));
    EXPECT_EQ(rib.ecmp_prefix_count(1), 2U);
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.1.0.0/24"}));  // same length: both in the set
    EXPECT_EQ(rib.ecmp_prefix_count(1), 2U);
    EXPECT_EQ(rib.ecmp_prefix_count(2), 1U);
    send(2, v4_update(attrs({65002, 65002}, "100.64.0.2"), {"10.1.1.0/24"}));  // longer: not in the set
    EXPECT_EQ(rib.ecmp_prefix_count(2), 1U);
    send(1, v4_update(attrs({65001, 65001, 65001}, "100.64.0.1"), {"10.1.0.0/24"}));  // 1 leaves 10.1.0.0
    EXPECT_EQ(rib.ecmp_prefix_count(1), 1U);
    EXPECT_EQ(rib.ecmp_prefix_count(2), 1U);
    down(1);  // 2's longer path to 10.1.1.0/24 becomes the best
    EXPECT_EQ(rib.ecmp_prefix_count(2), 2U);
    EXPECT_EQ(rib.ecmp_prefix_count(1), 0U);
    send(2, v4_withdraw({"10.1.0.0/24", "10.1.1.0/24"}));
    EXPECT_EQ(rib.ecmp_prefix_count(2), 0U);
}

}  // namespace
}  // namespace rf::rib::test
