// The RIB's read-only queries (control/rib/rib_queries.cpp): Adj-RIB-In, Adj-RIB-Out and Loc-RIB entries.
#include <gtest/gtest.h>

#include <algorithm>

#include "control/rib/rib.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

// --------------------------------------------------------------------------------------------- queries

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

// -------------------------------------------------------------------------------- the decision per path

// A Loc-RIB entry says of each path why it ranks where it does: the comparator step against the best path
// and whether it is in the ECMP set, or which rule of the set left it out.
TEST_F(RibTest, LookupExplainsEachPathAgainstTheBestAndTheEcmpSet) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    up(instance_session(4, 9, 65009, "10.1.0.9"));
    up(instance_session(5, 9, 65009, "10.1.0.9"));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16"}));
    send(3, v4_update(attrs({65003, 64999}, "100.64.0.3"), {"10.10.0.0/16"}));
    send(4, v4_update(attrs({65009}, "100.64.0.9"), {"10.10.0.0/16"}));
    send(5, v4_update(attrs({65009}, "100.64.0.9"), {"10.10.0.0/16"}));
    const auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    ASSERT_EQ(e->paths.size(), 5U);
    ASSERT_EQ(e->ecmp_count, 3U);
    // The set: peer 1 (lowest BGP identifier 192.0.2.1), peer 2, then the NVA on both instances (its
    // identifier 192.0.2.77) with its lower session.
    EXPECT_EQ(e->paths[0].peer, 1U);
    EXPECT_EQ(e->paths[0].versus_best, DecisionStep::OnlyPath);
    EXPECT_EQ(e->paths[0].peer_bgp_id, A4("192.0.2.1"));
    EXPECT_EQ(e->paths[1].peer, 2U);
    EXPECT_EQ(e->paths[1].versus_best, DecisionStep::PeerBgpId);
    EXPECT_EQ(e->paths[2].peer, 4U);
    EXPECT_EQ(e->paths[2].versus_best, DecisionStep::PeerBgpId);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(e->paths[i].ecmp, EcmpStatus::Member) << i;
    }
    // Outside: the NVA's other session (its neighbor is in the set already), then the longer path.
    EXPECT_EQ(e->paths[3].peer, 5U);
    EXPECT_EQ(e->paths[3].versus_best, DecisionStep::PeerBgpId);
    EXPECT_EQ(e->paths[3].ecmp, EcmpStatus::SameNeighbor);
    EXPECT_EQ(e->paths[4].peer, 3U);
    EXPECT_EQ(e->paths[4].versus_best, DecisionStep::AsPathLength);
    EXPECT_EQ(e->paths[4].ecmp, EcmpStatus::LongerAsPath);
    EXPECT_EQ(e->paths[4].peer_bgp_id, A4("192.0.2.3"));
}

class TwoPathEcmpRib : public RibTest {
protected:
    static RibConfig cfg() {
        RibConfig c;
        c.max_ecmp_paths = 2;
        return c;
    }
    TwoPathEcmpRib() : RibTest(cfg()) {}
};

// Equal paths past max_ecmp_paths stay outside the set, and say so.
TEST_F(TwoPathEcmpRib, LookupSaysWhenTheSetIsFull) {
    for (PeerId id = 1; id <= 3; ++id) {
        up(id, 65000 + id);
        send(id, v4_update(attrs({65000 + id}, "100.64.0." + std::to_string(id)), {"10.10.0.0/16"}));
    }
    const auto e = rib.lookup(P("10.10.0.0/16"));
    ASSERT_TRUE(e);
    ASSERT_EQ(e->paths.size(), 3U);
    EXPECT_EQ(e->ecmp_count, 2U);
    EXPECT_EQ(e->paths[2].peer, 3U);
    EXPECT_EQ(e->paths[2].ecmp, EcmpStatus::PathLimit);
    EXPECT_EQ(e->paths[2].versus_best, DecisionStep::PeerBgpId);
}

}  // namespace
}  // namespace rf::rib::test
