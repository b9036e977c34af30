// The Adj-RIB-Out and update groups (control/rib/adj_rib_out.hpp, update_groups.hpp): reflection rules,
// origination, IPv6, End-of-RIB and route refresh, shared encodings, path hiding, ADD-PATH send.
#include <gtest/gtest.h>

#include <algorithm>

#include "control/rib/rib.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

// ------------------------------------------------------------------------------------ reflection rules

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

// ----------------------------------------------------------------------------------------- origination

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

// --------------------------------------------------------------------------------- IPv6 and attributes

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

// ---------------------------------------------------------------------------------- EoR, route refresh

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

// --------------------------------------------------------------------------------------- update groups

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

// ------------------------------------------------------------------------------ path hiding (RFC 7947)

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

// ---------------------------------------------------------------------------- ADD-PATH send (RFC 7911)

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

}  // namespace
}  // namespace rf::rib::test
