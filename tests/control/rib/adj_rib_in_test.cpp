// The Adj-RIB-In (control/rib/adj_rib_in.hpp, classified_update.hpp): what an UPDATE does to a session's
// paths — families and next hops, RFC 7606 actions, ADD-PATH receive, interning, sessions replaced.
#include <gtest/gtest.h>

#include <algorithm>

#include "control/rib/rib.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

// ------------------------------------------------------------------------------------------- interning

TEST_F(RibTest, IdenticalAttributesAreStoredOnce) {
    up(1, 65001);
    up(2, 65002);
    const auto a = attrs({65001}, "100.64.0.1");
    send(1, v4_update(a, {"10.1.0.0/16", "10.2.0.0/16"}));
    send(1, v4_update(a, {"10.3.0.0/16"}));
    EXPECT_EQ(rib.stats().interned_attributes, 1U);
    send(1, v4_update(attrs({65001}, "100.64.0.3"), {"10.3.0.0/16"}));
    EXPECT_EQ(rib.stats().interned_attributes, 2U);
    send(1, v4_withdraw({"10.3.0.0/16"}));
    EXPECT_EQ(rib.stats().interned_attributes, 1U);
    down(1);
    EXPECT_EQ(rib.stats().interned_attributes, 0U);
}

// ------------------------------------------------------------------------------ families and next hops

TEST_F(RibTest, Ipv4RoutesInMpReachAreAcceptedWithAnIpv4NextHopOnly) {
    up(1, 65001);
    up(2, 65002);
    bgp::DecodedUpdate u;
    u.update.attributes = attrs({65001});
    u.update.mp_reach =
        bgp::MpReach{{net::Afi::Ipv4, net::Safi::Unicast}, {A("100.64.0.1")}, {{P("10.10.0.0/16"), 0}}};
    send(1, u);
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
    // RFC 8950 (IPv4 NLRI, IPv6 next hop) is not supported: treated as a withdrawal.
    u.update.mp_reach->next_hops = {A("2001:db8::1")};
    send(1, u);
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16")));
    EXPECT_TRUE(views[2].table.empty());
}

TEST_F(RibTest, PeerUpAgainReplacesTheOldSession) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}));
    up(1, 65001);  // the session came back without a peer_down
    drain_into(rib, views);
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16")));
    EXPECT_TRUE(views[2].table.empty());
    EXPECT_EQ(rib.stats().peers, 2U);
}

// -------------------------------------------------------------------------------------------- RFC 7606

TEST_F(RibTest, TreatAsWithdrawWithdrawsEveryNlriOfTheUpdate) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16", "10.11.0.0/16"}));
    auto bad = v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}, {});
    bad.action = bgp::Rfc7606Action::TreatAsWithdraw;
    EXPECT_EQ(send(1, bad).status, UpdateStatus::Ok);
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16")));
    EXPECT_TRUE(rib.lookup(P("10.11.0.0/16")));
    EXPECT_EQ(views[2].prefixes(), (std::set{P("10.11.0.0/16")}));
    EXPECT_EQ(sink.fib.count(P("10.10.0.0/16")), 0U);
}

TEST_F(RibTest, AttributeDiscardAppliesTheUpdate) {
    up(1, 65001);
    auto u = v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"});
    u.action = bgp::Rfc7606Action::AttributeDiscard;
    send(1, u);
    EXPECT_TRUE(rib.lookup(P("10.10.0.0/16")));
}

TEST_F(RibTest, UpdateFromUnknownPeerIsIgnored) {
    EXPECT_EQ(rib.apply_update(7, v4_update(attrs({65007}, "100.64.0.7"), {"10.10.0.0/16"})).status,
              UpdateStatus::UnknownPeer);
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16")));
}

// ------------------------------------------------------------------------- ADD-PATH receive (RFC 7911)

TEST_F(RibTest, AddPathReceiveKeepsEveryPathIdAndWithdrawsByPathId) {
    up(add_path_peer(1, 65001, true, false));
    up(2, 65002);
    send(1, with_path_id(v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}), 1));
    send(1, with_path_id(v4_update(attrs({65001}, "100.64.0.9"), {"10.10.0.0/16"}), 2));
    auto in = rib.adj_rib_in(1);
    ASSERT_EQ(in.size(), 2U);
    EXPECT_EQ(in[0].path_id, 1U);
    EXPECT_EQ(in[1].path_id, 2U);
    EXPECT_EQ(rib.route_count(1), 1U);  // distinct prefixes
    EXPECT_EQ(rib.stats().adj_rib_in_routes, 2U);
    auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->paths.size(), 2U);
    EXPECT_EQ(e->ecmp_count, 1U);  // one neighbor, one member: its best (lower path id)
    EXPECT_EQ(e->decided_by, DecisionStep::PathId);
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
    // Withdrawing path 1 leaves path 2: peer 2 now gets its next hop.
    send(1, with_path_id(v4_withdraw({"10.10.0.0/16"}), 1));
    EXPECT_EQ(rib.adj_rib_in(1).size(), 1U);
    EXPECT_EQ(rib.route_count(1), 1U);
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.9")});
    EXPECT_EQ(sink.fib.at(P("10.10.0.0/16")), std::vector{A("100.64.0.9")});
    // Withdrawing an unknown path id changes nothing; withdrawing path 2 removes the prefix.
    send(1, with_path_id(v4_withdraw({"10.10.0.0/16"}), 7));
    EXPECT_EQ(rib.adj_rib_in(1).size(), 1U);
    send(1, with_path_id(v4_withdraw({"10.10.0.0/16"}), 2));
    EXPECT_EQ(rib.route_count(1), 0U);
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16")));
    EXPECT_TRUE(views[2].table.empty());
    EXPECT_EQ(sink.fib.count(P("10.10.0.0/16")), 0U);
}

TEST_F(RibTest, AddPathReceiveKeepsAtMost64PathsPerSessionAndPrefix) {
    up(add_path_peer(1, 65001, true, false));
    up(2, 65002);
    for (std::uint32_t id = 1; id <= 70; ++id) {
        send(1, with_path_id(v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}), id));
    }
    EXPECT_EQ(rib.adj_rib_in(1).size(), 64U);  // path ids 65..70 ignored
    EXPECT_EQ(rib.adj_rib_in(1).back().path_id, 64U);
    EXPECT_EQ(rib.lookup(P("10.10.0.0/16"))->paths.size(), 64U);
    // A known path id is still replaced, and a freed slot takes a new id.
    send(1, with_path_id(v4_withdraw({"10.10.0.0/16"}), 3));
    send(1, with_path_id(v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}), 99));
    EXPECT_EQ(rib.adj_rib_in(1).size(), 64U);
    EXPECT_EQ(rib.adj_rib_in(1).back().path_id, 99U);
}

}  // namespace
}  // namespace rf::rib::test
