// Unit tests of the route-server RIB: best path and ECMP, reflection, origination, route limits,
// End-of-RIB, route refresh, update groups and the delta stream.
#include "control/rib/rib.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "fib/delta/queue.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

// ------------------------------------------------------------------------------------ comparator

PathKey key(std::size_t len, bgp::Origin origin, const std::string& bgp_id, const std::string& addr,
            PeerId id) {
    return PathKey{len, origin, A4(bgp_id), A(addr), id};
}

void expect_decides(const PathKey& better, const PathKey& worse, DecisionStep step) {
    const auto ab = compare_paths(better, worse);
    EXPECT_LT(ab.order, 0);
    EXPECT_EQ(ab.step, step) << decision_step_name(ab.step);
    const auto ba = compare_paths(worse, better);  // the other direction
    EXPECT_GT(ba.order, 0);
    EXPECT_EQ(ba.step, step) << decision_step_name(ba.step);
}

TEST(BestPathComparator, ShorterAsPathWinsInBothDirections) {
    // The longer path has every later tie-breaker in its favour: length must still decide.
    expect_decides(key(1, bgp::Origin::Incomplete, "9.9.9.9", "10.0.0.9", 9),
                   key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 1), DecisionStep::AsPathLength);
    EXPECT_FALSE(compare_paths(key(1, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 1),
                               key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 1))
                     .ecmp_equal());
}

TEST(BestPathComparator, LowerOriginBreaksTieInBothDirections) {
    expect_decides(key(2, bgp::Origin::Igp, "9.9.9.9", "10.0.0.9", 9),
                   key(2, bgp::Origin::Egp, "1.1.1.1", "10.0.0.1", 1), DecisionStep::Origin);
    expect_decides(key(2, bgp::Origin::Egp, "9.9.9.9", "10.0.0.9", 9),
                   key(2, bgp::Origin::Incomplete, "1.1.1.1", "10.0.0.1", 1), DecisionStep::Origin);
    EXPECT_TRUE(compare_paths(key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 1),
                              key(2, bgp::Origin::Egp, "1.1.1.1", "10.0.0.1", 1))
                    .ecmp_equal());
}

TEST(BestPathComparator, LowerPeerBgpIdBreaksTieInBothDirections) {
    expect_decides(key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.9", 9),
                   key(2, bgp::Origin::Igp, "1.1.1.2", "10.0.0.1", 1), DecisionStep::PeerBgpId);
}

TEST(BestPathComparator, LowerPeerAddressBreaksTieInBothDirections) {
    expect_decides(key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 9),
                   key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.2", 1), DecisionStep::PeerAddress);
    expect_decides(key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 9),
                   key(2, bgp::Origin::Igp, "1.1.1.1", "2001:db8::1", 1), DecisionStep::PeerAddress);
}

TEST(BestPathComparator, LowerPeerIdIsTheLastResortInBothDirections) {
    expect_decides(key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 1),
                   key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 2), DecisionStep::LowestPeerId);
    EXPECT_EQ(compare_paths(key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 1),
                            key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 1))
                  .order,
              0);
}

TEST(BestPathComparator, EveryStepHasAName) {
    for (auto s : {DecisionStep::OnlyPath, DecisionStep::AsPathLength, DecisionStep::Origin,
                   DecisionStep::PeerBgpId, DecisionStep::PeerAddress, DecisionStep::LowestPeerId}) {
        EXPECT_NE(decision_step_name(s), "?");
    }
}

// ------------------------------------------------------------------------------------ fixture

class RibTest : public ::testing::Test {
protected:
    explicit RibTest(RibConfig cfg = {}) : rib(std::move(cfg), sink) {}

    // Brings a peer up and records what it received.
    void up(const PeerConfig& c) {
        views[c.id] = view_for(c);
        views[c.id].apply(rib.peer_up(c));
    }
    void up(PeerId id, std::uint32_t asn) { up(peer(id, asn)); }
    UpdateResult send(PeerId id, const bgp::DecodedUpdate& u) {
        auto r = rib.apply_update(id, u);
        drain_into(rib, views);
        return r;
    }
    void down(PeerId id) {
        rib.peer_down(id);
        views.erase(id);
        drain_into(rib, views);
    }

    RecordingSink sink;
    RouteServerRib rib;
    std::map<PeerId, WireView> views;
};

// ---------------------------------------------------------------------------- best path + ECMP

TEST_F(RibTest, ShortestAsPathWinsAndIsTheOnlyNextHop) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001, 65100}, "100.64.0.1"), {"10.10.0.0/16"}));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    ASSERT_EQ(e->paths.size(), 2U);
    EXPECT_EQ(e->paths[0].peer, 2U);
    EXPECT_EQ(e->ecmp_count, 1U);
    EXPECT_EQ(e->decided_by, DecisionStep::AsPathLength);
    EXPECT_EQ(e->next_hops, std::vector{A("100.64.0.2")});
    EXPECT_EQ(sink.fib[P("10.10.0.0/16")], std::vector{A("100.64.0.2")});
}

TEST_F(RibTest, EqualAsPathLengthFromDifferentPeersFormsEcmpSet) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}));
    send(3, v4_update(attrs({65003, 65003}, "100.64.0.3"), {"10.10.0.0/16"}));
    auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->ecmp_count, 2U);
    EXPECT_EQ(e->decided_by, DecisionStep::PeerBgpId);  // 192.0.2.1 < 192.0.2.2
    EXPECT_EQ(e->paths[0].peer, 1U);
    EXPECT_EQ(e->paths[2].peer, 3U);
    const std::vector<net::IpAddress> ecmp{A("100.64.0.1"), A("100.64.0.2")};
    EXPECT_EQ(e->next_hops, ecmp);
    EXPECT_EQ(sink.fib[P("10.10.0.0/16")], ecmp);
    // Peer 3 gets the best (peer 1's) path, reflected: one path per prefix on the wire.
    EXPECT_EQ(views[3].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
}

TEST_F(RibTest, OriginOrdersTheEcmpSet) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "100.64.0.1", bgp::Origin::Incomplete), {"10.10.0.0/16"}));
    send(2, v4_update(attrs({65002}, "100.64.0.2", bgp::Origin::Igp), {"10.10.0.0/16"}));
    auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->ecmp_count, 2U);
    EXPECT_EQ(e->paths[0].peer, 2U);
    EXPECT_EQ(e->decided_by, DecisionStep::Origin);
}

TEST_F(RibTest, SameNextHopFromTwoPeersAppearsOnceInTheEcmpSet) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "100.64.0.9"), {"10.10.0.0/16"}));
    send(2, v4_update(attrs({65002}, "100.64.0.9"), {"10.10.0.0/16"}));
    EXPECT_EQ(rib.lookup(P("10.10.0.0/16"))->next_hops, std::vector{A("100.64.0.9")});
}

class SmallEcmpRib : public RibTest {
protected:
    static RibConfig cfg() {
        RibConfig c;
        c.max_ecmp_paths = 2;
        return c;
    }
    SmallEcmpRib() : RibTest(cfg()) {}
};

TEST_F(SmallEcmpRib, EcmpSetIsCappedInComparatorOrder) {
    for (PeerId id = 1; id <= 3; ++id) {
        up(id, 65000 + id);
    }
    for (PeerId id = 3; id >= 1; --id) {
        send(id, v4_update(attrs({65000 + id}, "100.64.0." + std::to_string(id)), {"10.10.0.0/16"}));
    }
    auto e = rib.lookup(P("10.10.0.0/16"));
    EXPECT_EQ(e->ecmp_count, 2U);
    const std::vector<net::IpAddress> ecmp{A("100.64.0.1"), A("100.64.0.2")};
    EXPECT_EQ(sink.fib[P("10.10.0.0/16")], ecmp);
}

TEST_F(RibTest, RoutesWithTheRouteServerAsnAreKeptButNotUsed) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001, 65515, 65002}, "100.64.0.1"), {"10.10.0.0/16"}));
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16")));
    auto in = rib.adj_rib_in(1);
    ASSERT_EQ(in.size(), 1U);
    EXPECT_FALSE(in[0].eligible);
    EXPECT_EQ(rib.route_count(1), 1U);
    EXPECT_TRUE(views[2].table.empty());
}

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

// ------------------------------------------------------------------------------- reflection rules

TEST_F(RibTest, NvaRoutesAreReflectedToEveryOtherNvaButNeverBack) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16", "10.11.0.0/16"}));
    EXPECT_TRUE(views[1].table.empty());  // split horizon
    for (PeerId id : {2U, 3U}) {
        ASSERT_EQ(views[id].table.size(), 2U);
        const auto& r = views[id].table.at(P("10.10.0.0/16"));
        EXPECT_EQ(r.next_hops, std::vector{A("100.64.0.1")});      // next hop kept
        EXPECT_EQ(r.attributes.as_path, path_of({65515, 65001}));  // Azure: RS ASN prepended
        auto out = rib.adj_rib_out(id);
        ASSERT_EQ(out.size(), 2U);
        EXPECT_EQ(out[0].source, 1U);
    }
    EXPECT_TRUE(rib.adj_rib_out(1).empty());
}

// RFC 7947 §2.3 path hiding: the peer whose route is the best receives the best of the OTHER peers'
// routes (never its own), not nothing.
TEST_F(RibTest, WhenBestMovesToAPeerThatPeerGetsTheBestOfTheOthers) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(1, v4_update(attrs({65001, 65009}, "100.64.0.1"), {"10.10.0.0/16"}));
    ASSERT_EQ(views[2].table.count(P("10.10.0.0/16")), 1U);
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));  // shorter: best is now peer 2
    // Peer 2 keeps peer 1's (longer) route: the best among the routes that are not its own.
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).attributes.as_path, path_of({65515, 65001, 65009}));
    EXPECT_EQ(views[1].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
    EXPECT_EQ(views[3].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
    send(2, v4_withdraw({"10.10.0.0/16"}));  // back to peer 1's route
    EXPECT_EQ(views[1].table.count(P("10.10.0.0/16")), 0U);
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
    EXPECT_EQ(views[3].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
}

TEST_F(RibTest, CommunitiesOfEveryKindArePassedOn) {
    up(1, 65001);
    up(2, 65002);
    auto a = attrs({65001}, "100.64.0.1");
    a.communities = {(65001U << 16) | 100U, (65001U << 16) | 200U};
    a.extended_communities = {0x0002FDE900000064ULL};
    a.large_communities = {bgp::LargeCommunity{65001, 1, 2}};
    a.med = 50;
    a.local_pref = 300;  // never sent to an eBGP peer
    send(1, v4_update(a, {"10.10.0.0/16"}));
    const auto& got = views[2].table.at(P("10.10.0.0/16")).attributes;
    EXPECT_EQ(got.communities, a.communities);
    EXPECT_EQ(got.extended_communities, a.extended_communities);
    EXPECT_EQ(got.large_communities, a.large_communities);
    EXPECT_EQ(got.med, a.med);
    EXPECT_FALSE(got.local_pref);
}

TEST_F(RibTest, NoAdvertiseAndNoExportRoutesAreUsedButNotAdvertised) {
    up(1, 65001);
    up(2, 65002);
    auto na = attrs({65001}, "100.64.0.1");
    na.communities = {bgp::community::NoAdvertise};
    auto ne = attrs({65001}, "100.64.0.1");
    ne.communities = {bgp::community::NoExport};
    send(1, v4_update(na, {"10.10.0.0/16"}));
    send(1, v4_update(ne, {"10.11.0.0/16"}));
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.12.0.0/16"}));
    EXPECT_EQ(views[2].prefixes(), (std::set{P("10.12.0.0/16")}));
    EXPECT_EQ(sink.fib.size(), 3U);  // still in the Loc-RIB and the FIB
    // The route loses NO_ADVERTISE: it is advertised now; and withdrawn again when it comes back.
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}));
    EXPECT_EQ(views[2].table.count(P("10.10.0.0/16")), 1U);
    send(1, v4_update(na, {"10.10.0.0/16"}));
    EXPECT_EQ(views[2].table.count(P("10.10.0.0/16")), 0U);
}

TEST_F(RibTest, PeerWithTheSameAsnInThePathStillReceivesTheRouteByDefault) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001, 65002}, "100.64.0.1"), {"10.10.0.0/16"}));
    EXPECT_EQ(views[2].table.count(P("10.10.0.0/16")), 1U);  // peer 2's own loop detection decides
}

class SuppressPeerAsRib : public RibTest {
protected:
    static RibConfig cfg() {
        RibConfig c;
        c.suppress_peer_as_in_path = true;
        return c;
    }
    SuppressPeerAsRib() : RibTest(cfg()) {}
};

TEST_F(SuppressPeerAsRib, RouteIsNotSentToAPeerWhoseAsnIsInThePath) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(1, v4_update(attrs({65001, 65002}, "100.64.0.1"), {"10.10.0.0/16"}));
    EXPECT_EQ(views[2].table.count(P("10.10.0.0/16")), 0U);
    EXPECT_EQ(views[3].table.count(P("10.10.0.0/16")), 1U);
    EXPECT_EQ(rib.stats().update_groups, 3U);
}

class TransparentRib : public RibTest {
protected:
    static RibConfig cfg() {
        RibConfig c;
        c.as_path_mode = azure::AsPathMode::Transparent;
        c.vnet_prefixes = {P("10.0.0.0/16")};
        return c;
    }
    TransparentRib() : RibTest(cfg()) {}
};

TEST_F(TransparentRib, AsPathIsPassedOnUntouched) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001, 65100}, "100.64.0.1"), {"10.10.0.0/16"}));
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).attributes.as_path, path_of({65001, 65100}));
    // Our own VNet route carries our ASN in either mode.
    EXPECT_EQ(views[2].table.at(P("10.0.0.0/16")).attributes.as_path, path_of({65515}));
}

class NoBranchToBranchRib : public RibTest {
protected:
    static RibConfig cfg() {
        RibConfig c;
        c.branch_to_branch = false;
        c.vnet_prefixes = {P("10.0.0.0/16")};
        return c;
    }
    NoBranchToBranchRib() : RibTest(cfg()) {}
};

TEST_F(NoBranchToBranchRib, OnlyVnetPrefixesAreAdvertised) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}));
    EXPECT_EQ(views[2].prefixes(), (std::set{P("10.0.0.0/16")}));
    EXPECT_TRUE(rib.lookup(P("10.10.0.0/16")));  // still learned and programmed
    EXPECT_EQ(sink.fib.size(), 1U);
}

// ------------------------------------------------------------------------------- origination

class VnetRib : public RibTest {
protected:
    static RibConfig cfg() {
        RibConfig c;
        c.vnet_prefixes = {P("10.0.0.0/16"), P("10.1.0.0/16"), P("fd00:1::/48")};
        return c;
    }
    VnetRib() : RibTest(cfg()) {}
};

TEST_F(VnetRib, VnetAddressSpacesGoToEveryPeerThenEndOfRib) {
    up(1, 65001);
    auto& v = views[1];
    EXPECT_EQ(v.prefixes(), (std::set{P("10.0.0.0/16"), P("10.1.0.0/16")}));  // IPv4-only peer
    EXPECT_EQ(v.end_of_rib, 1U);
    EXPECT_TRUE(v.eor_last);
    const auto& r = v.table.at(P("10.0.0.0/16"));
    EXPECT_EQ(r.next_hops, std::vector{A("10.1.0.100")});  // our end of the session
    EXPECT_EQ(r.attributes.as_path, path_of({65515}));
    EXPECT_EQ(r.attributes.origin, bgp::Origin::Igp);
    EXPECT_TRUE(sink.fib.empty());  // the VNet is not a BGP route for the FIB

    auto c = peer(2, 65002);
    c.families.push_back({net::Afi::Ipv6, net::Safi::Unicast});
    c.local_address_v6 = A("fd00:ffff::100");
    up(c);
    EXPECT_EQ(views[2].table.size(), 3U);
    EXPECT_EQ(views[2].end_of_rib, 2U);
    EXPECT_EQ(views[2].table.at(P("fd00:1::/48")).next_hops, std::vector{A("fd00:ffff::100")});
}

TEST_F(VnetRib, ChangingVnetPrefixesUpdatesEveryPeerAtOnce) {
    up(1, 65001);
    up(2, 65002);
    auto c3 = peer(3, 65003);
    c3.route_refresh = false;
    up(c3);
    const auto change = rib.set_vnet_prefixes({P("10.0.0.0/16"), P("10.2.0.0/16")});
    drain_into(rib, views);
    for (PeerId id : {1U, 2U, 3U}) {
        EXPECT_EQ(views[id].prefixes(), (std::set{P("10.0.0.0/16"), P("10.2.0.0/16")}));
    }
    // Every NVA is asked for its routes again: ROUTE-REFRESH, or a reset without it.
    EXPECT_EQ(change.refresh, (std::vector<PeerId>{1, 2}));
    EXPECT_EQ(change.reset, (std::vector<PeerId>{3}));
    const auto same = rib.set_vnet_prefixes({P("10.2.0.0/16"), P("10.0.0.0/16")});
    EXPECT_TRUE(same.refresh.empty() && same.reset.empty());
    EXPECT_FALSE(rib.has_outbound());
}

TEST_F(VnetRib, VnetPrefixIsAdvertisedInsteadOfALearnedRouteForIt) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.0.0.0/16"}));
    EXPECT_EQ(views[2].table.at(P("10.0.0.0/16")).attributes.as_path, path_of({65515}));
    EXPECT_TRUE(rib.lookup(P("10.0.0.0/16")));  // learned, kept for the FIB to judge
    // The VNet prefix goes away: the learned route takes its place; peer 1 (its source) loses ours.
    rib.set_vnet_prefixes({P("10.1.0.0/16")});
    drain_into(rib, views);
    EXPECT_EQ(views[2].table.at(P("10.0.0.0/16")).attributes.as_path, path_of({65515, 65001}));
    EXPECT_EQ(views[1].table.count(P("10.0.0.0/16")), 0U);
}

// ------------------------------------------------------------------------------- IPv6

TEST_F(RibTest, Ipv6RoutesAreReflectedWithTheirNextHopToIpv6Peers) {
    auto c1 = peer(1, 65001);
    c1.families.push_back({net::Afi::Ipv6, net::Safi::Unicast});
    auto c2 = peer(2, 65002);
    c2.families.push_back({net::Afi::Ipv6, net::Safi::Unicast});
    up(c1);
    up(c2);
    up(3, 65003);  // IPv4 only
    send(1, v6_update(attrs({65001}), "2001:db8::1", {"2001:db8:10::/48"}));
    auto e = rib.lookup(P("2001:db8:10::/48"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->next_hops, std::vector{A("2001:db8::1")});
    EXPECT_EQ(views[2].table.at(P("2001:db8:10::/48")).next_hops, std::vector{A("2001:db8::1")});
    EXPECT_TRUE(views[3].table.empty());
    EXPECT_NE(rib.stats().update_groups, 1U);
}

TEST_F(RibTest, UnknownAttributesTransitiveOnesPassedWithPartialOthersDropped) {
    up(1, 65001);
    up(2, 65002);
    auto a = attrs({65001}, "100.64.0.1");
    a.unknown = {bgp::UnknownAttribute{bgp::attr_flag::Optional, 201, {1, 2}},
                 bgp::UnknownAttribute{bgp::attr_flag::Optional | bgp::attr_flag::Transitive, 202, {3, 4}}};
    a.originator_id = A4("192.0.2.99");  // iBGP-only: not passed to an eBGP peer
    send(1, v4_update(a, {"10.10.0.0/16"}));
    const auto& got = views[2].table.at(P("10.10.0.0/16")).attributes;
    ASSERT_EQ(got.unknown.size(), 1U);
    EXPECT_EQ(got.unknown[0].type, 202);
    EXPECT_NE(got.unknown[0].flags & bgp::attr_flag::Partial, 0);
    EXPECT_EQ(got.unknown[0].value, (std::vector<std::uint8_t>{3, 4}));
    EXPECT_FALSE(got.originator_id);
}

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

TEST_F(RibTest, QueriesShowLearnedAdvertisedAndLocRib) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16", "10.20.0.0/16"}));
    auto in = rib.adj_rib_in(2);
    ASSERT_EQ(in.size(), 2U);
    EXPECT_EQ(in[0].prefix, P("10.10.0.0/16"));
    EXPECT_EQ(in[0].next_hops, std::vector{A("100.64.0.2")});
    auto out = rib.adj_rib_out(1);
    ASSERT_EQ(out.size(), 2U);  // 10.10/16's best is peer 1's own route: peer 1 gets peer 2's (hiding)
    EXPECT_EQ(out[0].prefix, P("10.10.0.0/16"));
    EXPECT_EQ(out[0].source, 2U);
    EXPECT_EQ(out[1].prefix, P("10.20.0.0/16"));
    EXPECT_EQ(out[1].attributes.as_path, path_of({65515, 65002}));
    EXPECT_EQ(out[1].source, 2U);
    EXPECT_EQ(rib.adj_rib_out(2).size(), 1U);  // 10.10/16 from peer 1; 10.20/16 is its own
    EXPECT_EQ(rib.loc_rib_prefixes(), (std::vector{P("10.10.0.0/16"), P("10.20.0.0/16")}));
    auto s = rib.stats();
    EXPECT_EQ(s.loc_rib_prefixes, 2U);
    EXPECT_EQ(s.adj_rib_in_routes, 3U);
    EXPECT_EQ(s.update_groups, 1U);
    EXPECT_EQ(rib.config().local_asn, 65515U);
}

// ------------------------------------------------------------------------------- RFC 7606

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

// ------------------------------------------------------------------------------- route limit

std::vector<std::string> slash24s(int from, int count) {
    std::vector<std::string> v;
    for (int i = from; i < from + count; ++i) {
        v.push_back("10." + std::to_string(100 + i / 256) + "." + std::to_string(i % 256) + ".0/24");
    }
    return v;
}

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

// ------------------------------------------------------------------------- EoR, route refresh

TEST_F(RibTest, InitialTableHoldsEveryRouteThenEndOfRib) {
    up(1, 65001);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 700)));
    send(1, v4_update(attrs({65001, 65010}, "100.64.0.1"), slash24s(700, 300)));
    up(2, 65002);
    EXPECT_EQ(views[2].table.size(), 1000U);
    EXPECT_EQ(views[2].end_of_rib, 1U);
    EXPECT_TRUE(views[2].eor_last);
    EXPECT_LT(views[2].updates, 20U);  // packed many prefixes per UPDATE
}

TEST_F(RibTest, RouteRefreshAnswersWithTheFullTable) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 50)));
    WireView fresh;
    fresh.apply(rib.route_refresh(2, {net::Afi::Ipv4, net::Safi::Unicast}));
    EXPECT_EQ(fresh.prefixes(), views[2].prefixes());
    EXPECT_EQ(fresh.table.size(), 50U);
    EXPECT_EQ(fresh.end_of_rib, 1U);
    EXPECT_TRUE(rib.route_refresh(2, {net::Afi::Ipv6, net::Safi::Unicast}).empty());  // not negotiated
    EXPECT_TRUE(rib.route_refresh(9, {net::Afi::Ipv4, net::Safi::Unicast}).empty());
}

// ------------------------------------------------------------------------------- update groups

TEST_F(RibTest, PeersWithTheSameOptionsShareTheSameEncodedBuffers) {
    for (PeerId id = 1; id <= 4; ++id) {
        up(id, 65000 + id);
    }
    auto c5 = peer(5, 65005);
    c5.codec.four_octet_as = false;  // different encoding: its own group
    up(c5);
    EXPECT_EQ(rib.stats().update_groups, 2U);
    rib.apply_update(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 100)));
    auto out = rib.drain_outbound();
    std::map<PeerId, std::vector<bgp::SharedMessage>> by_peer;
    for (auto& o : out) {
        by_peer[o.peer] = o.messages;
    }
    EXPECT_EQ(by_peer.count(1), 0U);  // split horizon: nothing for the source
    ASSERT_EQ(by_peer[2].size(), 1U);
    EXPECT_EQ(by_peer[2][0].get(), by_peer[3][0].get());  // one buffer, shared
    EXPECT_EQ(by_peer[2][0].get(), by_peer[4][0].get());
    ASSERT_EQ(by_peer[5].size(), 1U);
    EXPECT_NE(by_peer[5][0].get(), by_peer[2][0].get());
    // And the 2-byte-AS peer can read its copy.
    WireView v5;
    v5.options = c5.codec;
    v5.apply(by_peer[5]);
    EXPECT_EQ(v5.table.size(), 100U);
    EXPECT_EQ(v5.table.begin()->second.attributes.as_path, path_of({65515, 65001}));

    // The initial table of a new member is shared too.
    auto t6 = rib.peer_up(peer(6, 65006));
    auto t7 = rib.peer_up(peer(7, 65007));
    ASSERT_EQ(t6.size(), t7.size());
    EXPECT_EQ(t6[0].get(), t7[0].get());
}

// ------------------------------------------------------------------------- path hiding (RFC 7947)

TEST_F(RibTest, PathHidingFollowsTheOwnRouteThroughAnnounceAndWithdraw) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(2, v4_update(attrs({65002, 65009}, "100.64.0.2"), {"10.10.0.0/16"}));
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}));  // shorter: the best
    // Peers 2 and 3 get peer 1's best; peer 1 gets the best of the others: peer 2's longer route.
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
    EXPECT_EQ(views[3].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
    EXPECT_EQ(views[1].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
    EXPECT_EQ(views[1].table.at(P("10.10.0.0/16")).attributes.as_path, path_of({65515, 65002, 65009}));
    // Peer 2's route goes: peer 1 has nothing left to receive, the others keep peer 1's route.
    const auto withdrawn_before = views[1].withdrawn;
    const auto updates2 = views[2].updates;
    send(2, v4_withdraw({"10.10.0.0/16"}));
    EXPECT_EQ(views[1].table.count(P("10.10.0.0/16")), 0U);
    EXPECT_EQ(views[1].withdrawn, withdrawn_before + 1);
    EXPECT_EQ(views[2].updates, updates2);  // nothing changed for peer 2
    EXPECT_EQ(views[3].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
    // Back, then peer 1's own route changes (longer than peer 2's now): everybody moves.
    send(2, v4_update(attrs({65002, 65009}, "100.64.0.2"), {"10.10.0.0/16"}));
    EXPECT_EQ(views[1].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
    send(1, v4_update(attrs({65001, 65008, 65007}, "100.64.0.1"), {"10.10.0.0/16"}));
    EXPECT_EQ(views[1].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
    EXPECT_EQ(views[3].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
    // Peer 1 withdraws: peer 2 (now the only source) loses it, peer 1 still gets peer 2's.
    send(1, v4_withdraw({"10.10.0.0/16"}));
    EXPECT_EQ(views[2].table.count(P("10.10.0.0/16")), 0U);
    EXPECT_EQ(views[1].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
    EXPECT_EQ(views[3].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
    // The query API agrees with the wire, and a new peer's initial table gets the best.
    EXPECT_EQ(rib.adj_rib_out(1).size(), 1U);
    EXPECT_TRUE(rib.adj_rib_out(2).empty());
    up(4, 65004);
    EXPECT_EQ(views[4].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
}

TEST_F(RibTest, PathHidingKeepsOneSharedBufferForEveryoneButTheBestPathsNeighbor) {
    for (PeerId id = 1; id <= 4; ++id) {
        up(id, 65000 + id);
    }
    send(2, v4_update(attrs({65002, 65009}, "100.64.0.2"), slash24s(0, 50)));
    rib.apply_update(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 50)));
    auto out = rib.drain_outbound();
    std::map<PeerId, std::vector<bgp::SharedMessage>> by_peer;
    for (auto& o : out) {
        by_peer[o.peer] = o.messages;
    }
    // Peers 2, 3, 4 get peer 1's routes from one buffer; peer 1 already holds peer 2's: nothing.
    ASSERT_EQ(by_peer[2].size(), 1U);
    EXPECT_EQ(by_peer[2][0].get(), by_peer[3][0].get());
    EXPECT_EQ(by_peer[2][0].get(), by_peer[4][0].get());
    EXPECT_EQ(by_peer.count(1), 0U);
    // Full tables: the members of one group still share the table buffers, only the hidden
    // neighbor's part differs.
    auto t5 = rib.peer_up(peer(5, 65005));
    auto t6 = rib.peer_up(peer(6, 65006));
    ASSERT_EQ(t5.size(), t6.size());
    EXPECT_EQ(t5[0].get(), t6[0].get());
}

// A best path with NO_ADVERTISE is used but not sent: the other peers get nothing for the prefix (the
// next best is not sent in its place), while the best path's own peer still gets the best of the others.
TEST_F(RibTest, PathHidingWithANoAdvertiseBest) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(2, v4_update(attrs({65002, 65009}, "100.64.0.2"), {"10.10.0.0/16"}));
    auto a = attrs({65001}, "100.64.0.1");
    a.communities.push_back(bgp::community::NoAdvertise);
    send(1, v4_update(a, {"10.10.0.0/16"}));
    EXPECT_EQ(rib.lookup(P("10.10.0.0/16"))->paths[0].peer, 1U);
    EXPECT_EQ(views[3].table.count(P("10.10.0.0/16")), 0U);
    EXPECT_EQ(views[2].table.count(P("10.10.0.0/16")), 0U);
    EXPECT_EQ(views[1].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
}

// ---------------------------------------------------------- one neighbor over two route-server instances

PeerConfig instance_session(PeerId id, std::uint32_t neighbor, std::uint32_t asn, const std::string& address,
                            std::size_t limit = 1000) {
    PeerConfig c = peer(id, asn, limit);
    c.neighbor = neighbor;
    c.address = A(address);  // the same NVA: same address and identifier on both sessions
    c.bgp_identifier = A4("192.0.2.77");
    return c;
}

TEST_F(RibTest, OneNeighborOverTwoSessionsIsOneEcmpMember) {
    up(instance_session(11, 7, 65007, "10.1.0.7"));
    up(instance_session(12, 7, 65007, "10.1.0.7"));
    up(2, 65002);
    const auto a = attrs({65007}, "100.64.0.7");
    send(11, v4_update(a, {"10.10.0.0/16"}));
    send(12, v4_update(a, {"10.10.0.0/16"}));  // the NVA advertises the same route to both instances
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    ASSERT_EQ(e->paths.size(), 3U);  // what each session learned
    EXPECT_EQ(e->ecmp_count, 2U);    // but the NVA is one member
    EXPECT_EQ(e->next_hops, (std::vector{A("100.64.0.2"), A("100.64.0.7")}));
    // Deterministic: peer 2's identifier 192.0.2.2 < 192.0.2.77; of the NVA's sessions the lower
    // PeerId is the member; the other session's path is listed after the ECMP set.
    EXPECT_EQ(e->paths[0].peer, 2U);
    EXPECT_EQ(e->paths[1].peer, 11U);
    EXPECT_EQ(e->paths[2].peer, 12U);
    EXPECT_EQ(compare_paths(PathKey{1, bgp::Origin::Igp, A4("192.0.2.77"), A("10.1.0.7"), 11},
                            PathKey{1, bgp::Origin::Igp, A4("192.0.2.77"), A("10.1.0.7"), 12})
                  .step,
              DecisionStep::LowestPeerId);
    // Split horizon and hiding cover both sessions: neither gets the NVA's own route back.
    for (PeerId s : {11U, 12U}) {
        EXPECT_EQ(views[s].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")}) << s;
        EXPECT_EQ(rib.adj_rib_in(s).size(), 1U);
    }
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.7")});
    // One session goes: the other keeps the NVA in the set; the FIB sees no change.
    const auto batches = sink.batches.size();
    down(11);
    e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->ecmp_count, 2U);
    EXPECT_EQ(e->paths[1].peer, 12U);
    EXPECT_EQ(sink.batches.size(), batches);
    EXPECT_EQ(views[2].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.7")});
}

TEST_F(RibTest, TwoSessionsOfOneNeighborWithDifferentPathsStillMakeOneMember) {
    up(instance_session(11, 7, 65007, "10.1.0.7"));
    up(instance_session(12, 7, 65007, "10.1.0.7"));
    up(3, 65003);
    send(12, v4_update(attrs({65007}, "100.64.0.8"), {"10.10.0.0/16"}));
    send(11, v4_update(attrs({65007}, "100.64.0.7"), {"10.10.0.0/16"}));
    auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->ecmp_count, 1U);
    EXPECT_EQ(e->next_hops, std::vector{A("100.64.0.7")});  // session 11 (lower PeerId)
    EXPECT_EQ(views[3].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.7")});
    EXPECT_TRUE(views[11].table.empty());
    EXPECT_TRUE(views[12].table.empty());
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

// ----------------------------------------------------------------------------- ADD-PATH (RFC 7911)

bgp::DecodedUpdate with_path_id(bgp::DecodedUpdate u, std::uint32_t id) {
    for (auto& n : u.update.nlri) {
        n.path_id = id;
    }
    for (auto& n : u.update.withdrawn) {
        n.path_id = id;
    }
    return u;
}

PeerConfig add_path_peer(PeerId id, std::uint32_t asn, bool receive, bool send_paths,
                         std::size_t limit = 1000) {
    PeerConfig c = peer(id, asn, limit);
    const bgp::AfiSafi v4{net::Afi::Ipv4, net::Safi::Unicast};
    if (receive) {
        c.codec.add_path_receive = {v4};
    }
    if (send_paths) {
        c.codec.add_path_send = {v4};
    }
    return c;
}

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

TEST_F(RibTest, AddPathSendAdvertisesTheWholeEcmpSetWithStablePathIds) {
    up(1, 65001);
    up(2, 65002);
    up(add_path_peer(3, 65003, false, true));
    up(4, 65004);
    EXPECT_EQ(rib.stats().update_groups, 2U);  // the ADD-PATH peer is kept apart
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    // Peer 3 gets both paths, each with its own path id; peer 4 gets one.
    ASSERT_EQ(views[3].paths.size(), 2U);
    std::map<net::IpAddress, std::uint32_t> id_of;
    for (const auto& [n, r] : views[3].paths) {
        id_of[r.next_hops.front()] = n.path_id;
    }
    ASSERT_EQ(id_of.size(), 2U);
    EXPECT_NE(id_of[A("100.64.0.1")], id_of[A("100.64.0.2")]);
    EXPECT_EQ(views[4].paths.size(), 1U);
    EXPECT_EQ(rib.adj_rib_out(3).size(), 2U);
    // Peer 1's path changes attributes but stays in the set: re-announced with the same path id.
    send(1, v4_update(attrs({65001}, "100.64.0.11"), {"10.10.0.0/16"}));
    ASSERT_EQ(views[3].paths.size(), 2U);
    EXPECT_EQ(views[3].paths.at(bgp::Nlri{P("10.10.0.0/16"), id_of[A("100.64.0.1")]}).next_hops,
              std::vector{A("100.64.0.11")});
    // Peer 1's path becomes longer: it leaves the set; its path id is withdrawn, peer 2's stays.
    send(1, v4_update(attrs({65001, 65009}, "100.64.0.11"), {"10.10.0.0/16"}));
    ASSERT_EQ(views[3].paths.size(), 1U);
    EXPECT_EQ(views[3].paths.begin()->first.path_id, id_of[A("100.64.0.2")]);
    // A new peer with ADD-PATH gets the same path ids in its initial table.
    up(add_path_peer(5, 65005, false, true));
    ASSERT_EQ(views[5].paths.size(), 1U);
    EXPECT_EQ(views[5].paths.begin()->first.path_id, id_of[A("100.64.0.2")]);
    // Peer 2 goes: peer 1's (longer) path is the set now, with its own id.
    down(2);
    ASSERT_EQ(views[3].paths.size(), 1U);
    EXPECT_EQ(views[3].paths.begin()->first.path_id, id_of[A("100.64.0.1")]);
}

TEST_F(RibTest, AddPathSendPeerInTheEcmpSetGetsTheOtherMembersOnly) {
    up(add_path_peer(1, 65001, false, true));
    up(2, 65002);
    up(3, 65003);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    send(3, v4_update(attrs({65003}, "100.64.0.3"), {"10.10.0.0/16"}));
    ASSERT_EQ(views[1].paths.size(), 2U);
    for (const auto& [n, r] : views[1].paths) {
        EXPECT_NE(r.next_hops.front(), A("100.64.0.1"));
    }
    send(2, v4_withdraw({"10.10.0.0/16"}));
    send(3, v4_withdraw({"10.10.0.0/16"}));
    EXPECT_TRUE(views[1].paths.empty());
}

// ------------------------------------------------------------------------------- peer down

TEST_F(RibTest, PeerDownWithdrawsEverythingInOneBatch) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 100)));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), slash24s(50, 100)));
    EXPECT_EQ(sink.fib.size(), 150U);
    const auto before = sink.batches.size();
    down(1);
    ASSERT_EQ(sink.batches.size(), before + 1);
    const auto& batch = sink.batches.back();
    EXPECT_EQ(batch.size(), 100U);  // 50 withdrawn, 50 shrunk to peer 2's next hop
    EXPECT_EQ(
        std::count_if(batch.begin(), batch.end(), [](const RouteDelta& d) { return d.is_withdrawal(); }), 50);
    EXPECT_EQ(sink.fib.size(), 100U);
    EXPECT_EQ(views[3].table.size(), 100U);
    EXPECT_EQ(views[2].table.size(), 0U);  // peer 2 now holds only its own routes' best
    for (const auto& [p, r] : views[3].table) {
        EXPECT_EQ(r.next_hops, std::vector{A("100.64.0.2")});
    }
    EXPECT_FALSE(rib.is_up(1));
    rib.peer_down(1);  // idempotent
}

// BGP PIC edge: before the batch, the sink learns which next hops only the down peer's paths used.
TEST_F(RibTest, PeerDownHintsTheNextHopsNoOtherSessionUses) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 10)));
    send(1, v4_update(attrs({65001, 65100}, "100.64.0.9"), slash24s(20, 5)));  // a second next hop
    send(1, v4_update(attrs({65001}, "100.64.0.3"), {"10.99.0.0/16"}));        // a third party's address
    send(3, v4_update(attrs({65003}, "100.64.0.3"), {"10.98.0.0/16"}));        // which peer 3 uses too
    send(2, v4_update(attrs({65002}, "100.64.0.2"), slash24s(0, 10)));
    // A replaced path gives its next hop back: peer 1's 10.99/16 moves from .3 to .9 and back to .3.
    send(1, v4_update(attrs({65001}, "100.64.0.9"), {"10.99.0.0/16"}));
    send(1, v4_update(attrs({65001}, "100.64.0.3"), {"10.99.0.0/16"}));
    const std::size_t batches = sink.batches.size();
    down(1);
    ASSERT_EQ(sink.hints.size(), 1U);
    EXPECT_EQ(sink.hints[0], (std::vector{A("100.64.0.1"), A("100.64.0.9")}))
        << "not .3: peer 3 has a path through it";
    EXPECT_EQ(sink.hint_before_batch[0], batches) << "the hint comes before the batch";
    ASSERT_EQ(sink.batches.size(), batches + 1);

    // Withdrawn paths give their next hops back too: peer 3 withdraws, then goes down with nothing.
    send(3, v4_withdraw({"10.98.0.0/16"}));
    down(3);
    EXPECT_EQ(sink.hints.size(), 1U) << "peer 3 had no path left";
    // Peer 2's next hop dies with it.
    down(2);
    ASSERT_EQ(sink.hints.size(), 2U);
    EXPECT_EQ(sink.hints[1], std::vector{A("100.64.0.2")});
}

TEST_F(RibTest, NoHintWhileAnotherSessionOfTheNeighborKeepsTheNextHop) {
    up(instance_session(11, 7, 65007, "10.1.0.7"));
    up(instance_session(12, 7, 65007, "10.1.0.7"));
    up(2, 65002);
    const auto a = attrs({65007}, "100.64.0.7");
    send(11, v4_update(a, {"10.10.0.0/16"}));
    send(12, v4_update(a, {"10.10.0.0/16"}));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    down(11);
    EXPECT_TRUE(sink.hints.empty());
    down(12);
    ASSERT_EQ(sink.hints.size(), 1U);
    EXPECT_EQ(sink.hints[0], std::vector{A("100.64.0.7")});
    EXPECT_EQ(sink.fib.at(P("10.10.0.0/16")), std::vector{A("100.64.0.2")});
}

// ------------------------------------------------------------------------------- back-pressure

TEST_F(RibTest, RefusedDeltasArePendingCoalescedAndRetriedWithoutGaps) {
    up(1, 65001);
    up(2, 65002);
    sink.refuse = true;
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16", "10.11.0.0/16"}));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    send(1, v4_withdraw({"10.11.0.0/16"}));
    EXPECT_EQ(rib.stats().pending_deltas, 2U);  // one per prefix, latest state
    EXPECT_GE(rib.stats().delta_refusals, 3U);
    EXPECT_TRUE(sink.batches.empty());
    EXPECT_FALSE(rib.flush_deltas());
    sink.refuse = false;
    EXPECT_TRUE(rib.flush_deltas());
    ASSERT_EQ(sink.batches.size(), 1U);
    EXPECT_EQ(sink.batches[0][0].sequence, 1U);
    EXPECT_EQ(sink.fib.size(), 1U);
    const std::vector<net::IpAddress> ecmp{A("100.64.0.1"), A("100.64.0.2")};
    EXPECT_EQ(sink.fib[P("10.10.0.0/16")], ecmp);
    EXPECT_EQ(rib.stats().pending_deltas, 0U);
    // The next call publishes right away, continuing the sequence.
    send(1, v4_withdraw({"10.10.0.0/16"}));
    EXPECT_EQ(sink.batches.back()[0].sequence, 3U);
}

TEST(BoundedDeltaQueue, RefusesWhatDoesNotFitAndCountsIt) {
    BoundedDeltaQueue q(4);
    std::vector<RouteDelta> three(3);
    EXPECT_TRUE(q.publish(three));
    EXPECT_FALSE(q.publish(three));
    EXPECT_EQ(q.refusals(), 1U);
    EXPECT_EQ(q.take(2).size(), 2U);
    EXPECT_TRUE(q.publish(three));
    EXPECT_EQ(q.size(), 4U);
    q.take();
    std::vector<RouteDelta> big(10);
    EXPECT_TRUE(q.publish(big));  // larger than the capacity: accepted when empty
}

TEST(BoundedDeltaQueue, RibRetriesUntilTheConsumerMakesRoom) {
    BoundedDeltaQueue q(150);
    RouteServerRib rib({}, q);
    rib.peer_up(peer(1, 65001));
    rib.apply_update(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 100)));
    rib.apply_update(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(100, 100)));  // refused
    EXPECT_EQ(q.size(), 100U);
    EXPECT_EQ(rib.stats().pending_deltas, 100U);
    auto got = q.take();
    EXPECT_TRUE(rib.flush_deltas());
    auto more = q.take();
    got.insert(got.end(), more.begin(), more.end());
    ASSERT_EQ(got.size(), 200U);
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].sequence, i + 1);
    }
}

}  // namespace
}  // namespace rf::rib::test
