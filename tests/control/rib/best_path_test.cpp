// Best path and ECMP (control/rib/best_path.hpp): the comparator, step by step in both directions, and
// the ECMP set it leads to (at most one member per neighbor, capped, in comparator order).
#include <gtest/gtest.h>

#include <algorithm>

#include "control/rib/rib.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

// -------------------------------------------------------------------------------------- the comparator

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

TEST(BestPathComparator, LowerPathIdOrdersThePathsOfOneSessionInBothDirections) {
    PathKey a = key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 1);
    PathKey b = a;
    a.path_id = 1;
    b.path_id = 2;
    expect_decides(a, b, DecisionStep::PathId);
    EXPECT_TRUE(compare_paths(a, b).ecmp_equal());
    EXPECT_NE(decision_step_name(DecisionStep::PathId), "?");
}

TEST(BestPathComparator, LlgrStaleLosesToEveryFreshPathInBothDirections) {
    // RFC 9494 §4.3: before any other step, and never in one ECMP set with a fresh path.
    PathKey fresh = key(5, bgp::Origin::Incomplete, "9.9.9.9", "10.0.0.9", 9);
    PathKey stale = key(1, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 1);
    stale.llgr_stale = true;
    expect_decides(fresh, stale, DecisionStep::LlgrStale);
    EXPECT_FALSE(compare_paths(fresh, stale).ecmp_equal());
    // Two stale paths are ordered by the usual steps.
    PathKey stale2 = key(2, bgp::Origin::Igp, "1.1.1.1", "10.0.0.1", 1);
    stale2.llgr_stale = true;
    expect_decides(stale, stale2, DecisionStep::AsPathLength);
}

TEST(BestPathComparator, EveryStepHasAName) {
    for (auto s :
         {DecisionStep::OnlyPath, DecisionStep::LlgrStale, DecisionStep::AsPathLength, DecisionStep::Origin,
          DecisionStep::PeerBgpId, DecisionStep::PeerAddress, DecisionStep::LowestPeerId}) {
        EXPECT_NE(decision_step_name(s), "?");
    }
}

// ------------------------------------------------------------------------------------ best path + ECMP

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

TEST_F(RibTest, RoutesReceivedWithLlgrStaleAreUsedOnlyWithoutAFreshPath) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    auto stale = attrs({65001}, "100.64.0.1");
    stale.communities = {bgp::community::LlgrStale};
    send(1, v4_update(stale, {"10.10.0.0/16"}));
    send(2, v4_update(attrs({65002, 65002, 65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    ASSERT_EQ(e->paths.size(), 2U);
    EXPECT_EQ(e->paths[0].peer, 2U);  // the longer AS path wins: it is not stale
    EXPECT_EQ(e->decided_by, DecisionStep::LlgrStale);
    EXPECT_EQ(e->ecmp_count, 1U);
    EXPECT_EQ(e->paths[1].ecmp, EcmpStatus::LlgrStale);
    EXPECT_EQ(e->paths[1].versus_best, DecisionStep::LlgrStale);
    EXPECT_EQ(sink.fib[P("10.10.0.0/16")], std::vector{A("100.64.0.2")});
    // The fresh path withdrawn: the stale one is used, by the FIB too.
    send(2, v4_update({}, {}, {"10.10.0.0/16"}));
    e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->paths[0].peer, 1U);
    EXPECT_EQ(sink.fib[P("10.10.0.0/16")], std::vector{A("100.64.0.1")});
}

TEST_F(RibTest, LlgrStalePathsGoOnlyToPeersThatNegotiatedLongLivedGracefulRestart) {
    up(1, 65001);
    up(2, 65002);
    PeerConfig llgr = peer(3, 65003);
    llgr.long_lived_graceful_restart = true;
    up(llgr);
    up(4, 65004);  // without LLGR
    auto stale = attrs({65001}, "100.64.0.1");
    stale.communities = {bgp::community::LlgrStale};
    send(1, v4_update(stale, {"10.10.0.0/16"}));
    // Only a stale path: peer 3 gets it (with LLGR_STALE), peers 2 and 4 nothing (RFC 9494 §4.5).
    ASSERT_EQ(views[3].table.count(P("10.10.0.0/16")), 1U);
    EXPECT_EQ(views[3].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.1")});
    EXPECT_EQ(views[4].table.count(P("10.10.0.0/16")), 0U);
    EXPECT_EQ(views[2].table.count(P("10.10.0.0/16")), 0U);
    // A fresh path arrives: everybody gets it, peer 4 too.
    send(2, v4_update(attrs({65002, 65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    EXPECT_EQ(views[4].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
    EXPECT_EQ(views[3].table.at(P("10.10.0.0/16")).next_hops, std::vector{A("100.64.0.2")});
    // It goes again: peer 4 gets a withdrawal, peer 3 the stale path back.
    send(2, v4_update({}, {}, {"10.10.0.0/16"}));
    EXPECT_EQ(views[4].table.count(P("10.10.0.0/16")), 0U);
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

// -------------------------------------------------------- one neighbor over two route-server instances

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

}  // namespace
}  // namespace rf::rib::test
