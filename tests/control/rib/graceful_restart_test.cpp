// The RIB's part of graceful restart (RFC 4724 §4.2): a restarting peer's paths kept stale and in use
// (no withdrawal to the other peers, no delta and no next-hops-down hint to the FIB), taken up again when
// it is back, purged family by family; a peer that comes back as somebody else starts afresh.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace rf::rib::test
