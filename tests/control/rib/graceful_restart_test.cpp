// The RIB's part of graceful restart (RFC 4724 §4.2): a restarting peer's paths kept stale and in use
// (no withdrawal to the other peers, no delta and no next-hops-down hint to the FIB), taken up again when
// it is back, purged family by family; a peer that comes back as somebody else starts afresh.
#include <gtest/gtest.h>

#include <algorithm>

#include "control/rib/rib.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

const bgp::AfiSafi kV4{net::Afi::Ipv4, net::Safi::Unicast};
const bgp::AfiSafi kV6{net::Afi::Ipv6, net::Safi::Unicast};

class GracefulRestartRib : public RibTest {
protected:
    void SetUp() override {
        up(1, 65001);
        up(2, 65002);
        send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16", "10.11.0.0/16"}));
        send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.20.0.0/16"}));
    }
    // Peer 1 goes down; graceful restart keeps `families`.
    std::size_t restart(const std::vector<bgp::AfiSafi>& families) {
        const std::size_t deltas = sink.all().size();
        const std::size_t n = rib.retain_stale(1, families);
        views.erase(1);
        drain_into(rib, views);
        deltas_at_down = sink.all().size() - deltas;
        return n;
    }
    std::size_t deltas_at_down = 0;
};

TEST_F(GracefulRestartRib, KeptPathsStayInUseMarkedStaleWithNothingWithdrawn) {
    const std::size_t withdrawn_before = views[2].withdrawn;
    EXPECT_EQ(restart({kV4}), 2U);
    EXPECT_FALSE(rib.is_up(1));
    EXPECT_TRUE(rib.is_restarting(1));
    EXPECT_EQ(rib.stale_count(1), 2U);
    EXPECT_EQ(deltas_at_down, 0U);    // the FIB keeps forwarding
    EXPECT_TRUE(sink.hints.empty());  // no next-hops-down hint either
    EXPECT_EQ(views[2].withdrawn, withdrawn_before);
    EXPECT_TRUE(views[2].table.count(P("10.10.0.0/16")));
    const auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->paths[0].stale);
    const auto in = rib.adj_rib_in(1);
    ASSERT_EQ(in.size(), 2U);
    EXPECT_TRUE(in[0].stale && in[1].stale);
    EXPECT_TRUE(rib.adj_rib_out(1).empty());  // a restarting peer is sent nothing
    EXPECT_FALSE(rib.lookup(P("10.20.0.0/16"))->paths[0].stale);
}

TEST_F(GracefulRestartRib, FamiliesNotKeptAreWithdrawnAtOnce) {
    EXPECT_EQ(restart({kV6}), 0U);  // the peer's capability named IPv6 only: its IPv4 routes go
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16")));
    EXPECT_FALSE(views[2].table.count(P("10.10.0.0/16")));
    EXPECT_TRUE(rib.is_restarting(1));
}

TEST_F(GracefulRestartRib, BackItKeepsTheStalePathsUntilEndOfRibPurgesThoseNotAnnouncedAgain) {
    restart({kV4});
    const std::size_t deltas = sink.all().size();
    up(1, 65001);  // same identifier and address: resumed, not taken down
    EXPECT_TRUE(rib.is_up(1));
    EXPECT_EQ(rib.stale_count(1), 2U);
    EXPECT_EQ(sink.all().size(), deltas);
    EXPECT_TRUE(views[1].table.count(P("10.20.0.0/16")));  // its initial table
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}));
    EXPECT_EQ(rib.stale_count(1), 1U);
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16"))->paths[0].stale);
    EXPECT_EQ(rib.purge_stale(1, kV4), 1U);
    drain_into(rib, views);
    EXPECT_FALSE(rib.lookup(P("10.11.0.0/16")));
    EXPECT_FALSE(views[2].table.count(P("10.11.0.0/16")));
    EXPECT_TRUE(views[2].table.count(P("10.10.0.0/16")));
    EXPECT_EQ(sink.fib.count(P("10.11.0.0/16")), 0U);
}

TEST_F(GracefulRestartRib, BackWithAnotherIdentifierStartsAfresh) {
    restart({kV4});
    PeerConfig other = peer(1, 65001);
    other.bgp_identifier = A4("192.0.2.99");
    up(other);
    drain_into(rib, views);
    EXPECT_EQ(rib.stale_count(1), 0U);
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16")));
    EXPECT_FALSE(views[2].table.count(P("10.10.0.0/16")));
}

TEST_F(GracefulRestartRib, PeerDownWhileRestartingWithdrawsEverything) {
    restart({kV4});
    down(1);  // the restart time expired
    EXPECT_FALSE(rib.is_restarting(1));
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16")));
    EXPECT_FALSE(views[2].table.count(P("10.11.0.0/16")));
    EXPECT_EQ(sink.fib.count(P("10.10.0.0/16")), 0U);
}

TEST_F(GracefulRestartRib, ARestartingPeerTakesNoUpdatesAndNoRefreshes) {
    restart({kV4});
    EXPECT_EQ(rib.apply_update(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.12.0.0/16"})).status,
              UpdateStatus::UnknownPeer);
    EXPECT_TRUE(rib.route_refresh(1, kV4).empty());
    EXPECT_EQ(rib.mark_stale(1, kV4), 0U);
    EXPECT_EQ(rib.retain_stale(1, {kV4}), 0U);  // already restarting
    const VnetChange change = rib.set_vnet_prefixes({P("10.99.0.0/16")});
    EXPECT_EQ(change.refresh, std::vector<PeerId>{2});  // not the restarting peer
}

// Long-lived graceful restart (RFC 9494 §4.2): when GR's time is up, the stale paths become long-lived
// stale — NO_LLGR ones withdrawn at once, the others tagged LLGR_STALE, ranked below every fresh path
// and sent only to the peers that negotiated LLGR — until End-of-RIB or the long-lived stale time.
using LongLivedRib = RibTest;

TEST_F(LongLivedRib, KeptPathsGetLlgrStaleNoLlgrOnesGoAndOnlyLlgrPeersSeeThem) {
    up(1, 65001);
    up(2, 65002);  // without LLGR
    PeerConfig llgr = peer(3, 65003);
    llgr.long_lived_graceful_restart = true;
    up(llgr);
    auto no_llgr = attrs({65001}, "100.64.0.1");
    no_llgr.communities = {bgp::community::NoLlgr};
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16", "10.11.0.0/16"}));
    send(1, v4_update(no_llgr, {"10.12.0.0/16"}));
    send(2, v4_update(attrs({65002, 65002}, "100.64.0.2"), {"10.11.0.0/16"}));
    EXPECT_EQ(rib.retain_stale(1, {kV4}), 3U);
    views.erase(1);
    drain_into(rib, views);
    EXPECT_EQ(rib.enter_long_lived(2, {kV4}), 0U);  // not restarting: nothing

    EXPECT_EQ(rib.enter_long_lived(1, {kV4}), 2U);
    drain_into(rib, views);
    // NO_LLGR: withdrawn at once, everywhere.
    EXPECT_FALSE(rib.lookup(P("10.12.0.0/16")));
    EXPECT_EQ(views[3].table.count(P("10.12.0.0/16")), 0U);
    EXPECT_EQ(sink.fib.count(P("10.12.0.0/16")), 0U);
    // The others carry LLGR_STALE and stay stale.
    auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    const auto& c = e->paths[0].attributes.communities;
    EXPECT_NE(std::find(c.begin(), c.end(), bgp::community::LlgrStale), c.end());
    EXPECT_TRUE(e->paths[0].stale);
    EXPECT_EQ(rib.stale_count(1), 2U);
    // Only path: still in the FIB, sent to peer 3 (LLGR), withdrawn from peer 2.
    EXPECT_EQ(sink.fib[P("10.10.0.0/16")], std::vector{A("100.64.0.1")});
    EXPECT_EQ(views[3].table.count(P("10.10.0.0/16")), 1U);
    EXPECT_EQ(views[2].table.count(P("10.10.0.0/16")), 0U);
    // 10.11/16: peer 2's fresh path, with a longer AS path, is now the best and the only next hop.
    e = rib.lookup(P("10.11.0.0/16"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->paths[0].peer, 2U);
    EXPECT_EQ(e->decided_by, DecisionStep::LlgrStale);
    EXPECT_EQ(sink.fib[P("10.11.0.0/16")], std::vector{A("100.64.0.2")});
    EXPECT_EQ(views[3].table.at(P("10.11.0.0/16")).next_hops, std::vector{A("100.64.0.2")});

    // The long-lived stale time ends (or End-of-RIB): the stale paths are purged as in GR.
    EXPECT_EQ(rib.purge_stale(1, kV4), 2U);
    drain_into(rib, views);
    EXPECT_FALSE(rib.lookup(P("10.10.0.0/16")));
    EXPECT_EQ(views[3].table.count(P("10.10.0.0/16")), 0U);
    EXPECT_EQ(sink.fib.count(P("10.10.0.0/16")), 0U);
}

}  // namespace
}  // namespace rf::rib::test
