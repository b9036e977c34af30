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

}  // namespace
}  // namespace rf::rib::test
