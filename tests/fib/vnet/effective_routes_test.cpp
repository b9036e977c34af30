#include "fib/vnet/effective_routes.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/fib/vnet/test_util.hpp"

namespace rf::fib {
namespace {

using test::A;
using test::P;
using BgpView = std::map<net::Prefix, std::vector<net::IpAddress>>;

const EffectiveRoute* find(const std::vector<EffectiveRoute>& rows, RouteSource src,
                           const std::string& prefix) {
    for (const EffectiveRoute& r : rows) {
        if (r.source == src && r.prefix == P(prefix)) {
            return &r;
        }
    }
    return nullptr;
}

class EffectiveRoutes : public ::testing::Test {
protected:
    VnetModel model = test::hub_and_spokes();
    TablePlan plan = plan_tables(model);
    const TableSpec& table_of(const std::string& vm) { return plan.tables[*plan.table_for_vm(model, vm)]; }
};

TEST_F(EffectiveRoutes, SubnetsWithoutRouteTableShareOneTablePerVnet) {
    // hub (RouteServerSubnet, nva, workload), hub/rt-fw, spoke1, spoke2.
    EXPECT_EQ(plan.tables.size(), 4U);
    EXPECT_EQ(plan.table_for_subnet("hub", "nva"), plan.table_for_subnet("hub", "workload"));
    EXPECT_NE(plan.table_for_subnet("hub", "fw"), plan.table_for_subnet("hub", "workload"));
    EXPECT_EQ(plan.table_for_vm(model, "vm0"), plan.table_for_subnet("hub", "workload"));
    EXPECT_FALSE(plan.table_for_vm(model, "nobody"));
}

TEST_F(EffectiveRoutes, SystemRoutesOfTheHub) {
    const auto rows = effective_routes(table_of("vm0"), {});
    const EffectiveRoute* local = find(rows, RouteSource::Default, "10.1.0.0/16");
    ASSERT_NE(local, nullptr);
    EXPECT_EQ(local->next_hop_type, NextHopType::VnetLocal);
    EXPECT_EQ(local->state, RouteState::Active);
    const EffectiveRoute* peer = find(rows, RouteSource::Default, "10.2.0.0/16");
    ASSERT_NE(peer, nullptr);
    EXPECT_EQ(peer->next_hop_type, NextHopType::VNetPeering);
    ASSERT_NE(find(rows, RouteSource::Default, "10.3.0.0/16"), nullptr);  // peering listed on spoke2's side
    const EffectiveRoute* inet = find(rows, RouteSource::Default, "0.0.0.0/0");
    ASSERT_NE(inet, nullptr);
    EXPECT_EQ(inet->next_hop_type, NextHopType::Internet);
    for (const char* p : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"}) {
        const EffectiveRoute* r = find(rows, RouteSource::Default, p);
        ASSERT_NE(r, nullptr) << p;
        EXPECT_EQ(r->next_hop_type, NextHopType::None) << p;
    }
}

TEST_F(EffectiveRoutes, AddressSpaceEqualToAPrivateRangeReplacesItsNoneRoute) {
    model.vnets[0].address_spaces.push_back(P("172.16.0.0/12"));
    plan = plan_tables(model);
    const auto rows = effective_routes(table_of("vm0"), {});
    const auto n = std::count_if(rows.begin(), rows.end(),
                                 [](const EffectiveRoute& r) { return r.prefix == P("172.16.0.0/12"); });
    EXPECT_EQ(n, 1);
    EXPECT_EQ(find(rows, RouteSource::Default, "172.16.0.0/12")->next_hop_type, NextHopType::VnetLocal);
}

TEST_F(EffectiveRoutes, BgpRouteIsActiveWithEcmpNextHopsAsVirtualNetworkGateway) {
    const BgpView bgp{{P("10.250.0.0/16"), {A("10.1.1.5"), A("10.1.1.4")}}};
    const auto rows = effective_routes(table_of("vm0"), bgp);
    const EffectiveRoute* r = find(rows, RouteSource::VirtualNetworkGateway, "10.250.0.0/16");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->state, RouteState::Active);
    EXPECT_EQ(r->next_hop_type, NextHopType::VirtualNetworkGateway);
    EXPECT_EQ(r->next_hops, (std::vector<net::IpAddress>{A("10.1.1.4"), A("10.1.1.5")}));
}

TEST_F(EffectiveRoutes, BgpRouteNeverOverridesTheVnetAddressSpaceEvenMoreSpecific) {
    const BgpView bgp{{P("10.1.5.0/24"), {A("10.1.1.4")}},
                      {P("10.1.0.0/16"), {A("10.1.1.4")}},
                      {P("10.2.7.0/24"), {A("10.1.1.4")}}};
    const TableSpec& t = table_of("vm0");
    const auto rows = effective_routes(t, bgp);
    for (const char* p : {"10.1.5.0/24", "10.1.0.0/16", "10.2.7.0/24"}) {
        const EffectiveRoute* r = find(rows, RouteSource::VirtualNetworkGateway, p);
        ASSERT_NE(r, nullptr) << p;
        EXPECT_EQ(r->state, RouteState::Invalid) << p;
        EXPECT_NE(r->reason.find("address space"), std::string::npos) << r->reason;
    }
    EXPECT_NE(find(rows, RouteSource::VirtualNetworkGateway, "10.2.7.0/24")->reason.find("spoke1"),
              std::string::npos);
    EXPECT_EQ(find(rows, RouteSource::Default, "10.1.0.0/16")->state, RouteState::Active);
    const std::vector<net::IpAddress> hops{A("10.1.1.4")};
    EXPECT_EQ(programmed_next_hop(t, P("10.1.5.0/24"), hops), std::nullopt);
    EXPECT_EQ(programmed_next_hop(t, P("10.1.0.0/16"), hops)->type, NextHopType::VnetLocal);
}

TEST_F(EffectiveRoutes, BgpBeatsSystemRouteForTheSamePrefix) {
    const BgpView bgp{{P("0.0.0.0/0"), {A("10.1.1.4")}}, {P("10.0.0.0/8"), {A("10.1.1.5")}}};
    const auto rows = effective_routes(table_of("vm0"), bgp);
    EXPECT_EQ(find(rows, RouteSource::Default, "0.0.0.0/0")->state, RouteState::Invalid);
    EXPECT_EQ(find(rows, RouteSource::VirtualNetworkGateway, "0.0.0.0/0")->state, RouteState::Active);
    EXPECT_EQ(find(rows, RouteSource::Default, "10.0.0.0/8")->state, RouteState::Invalid);
    EXPECT_EQ(find(rows, RouteSource::VirtualNetworkGateway, "10.0.0.0/8")->state, RouteState::Active);
    const auto nh = programmed_next_hop(table_of("vm0"), P("0.0.0.0/0"), bgp.at(P("0.0.0.0/0")));
    EXPECT_EQ(nh->type, NextHopType::VirtualNetworkGateway);
}

TEST_F(EffectiveRoutes, UserRouteBeatsBgpForTheSamePrefixAndLpmStillPicksMoreSpecificBgp) {
    const BgpView bgp{{P("192.168.10.0/24"), {A("10.1.1.4")}}, {P("192.168.10.128/25"), {A("10.1.1.4")}}};
    const TableSpec& t = table_of("fw-vm");
    const auto rows = effective_routes(t, bgp);
    const EffectiveRoute* bgp24 = find(rows, RouteSource::VirtualNetworkGateway, "192.168.10.0/24");
    EXPECT_EQ(bgp24->state, RouteState::Invalid);
    EXPECT_NE(bgp24->reason.find("to-onprem"), std::string::npos);
    const EffectiveRoute* udr = find(rows, RouteSource::User, "192.168.10.0/24");
    EXPECT_EQ(udr->state, RouteState::Active);
    EXPECT_EQ(udr->next_hop_type, NextHopType::VirtualAppliance);
    EXPECT_EQ(udr->next_hops, std::vector<net::IpAddress>{A("10.1.1.10")});
    EXPECT_EQ(find(rows, RouteSource::VirtualNetworkGateway, "192.168.10.128/25")->state, RouteState::Active);
    EXPECT_EQ(programmed_next_hop(t, P("192.168.10.0/24"), bgp.at(P("192.168.10.0/24")))->type,
              NextHopType::VirtualAppliance);
    // Azure's order: system routes, then BGP, then user routes.
    EXPECT_EQ(rows.front().source, RouteSource::Default);
    EXPECT_EQ(rows.back().source, RouteSource::User);
}

TEST_F(EffectiveRoutes, PeeredVnetGetsBgpRoutesOnlyWithUseRemoteRouteServer) {
    const BgpView bgp{{P("10.250.0.0/16"), {A("10.1.1.4")}}};
    const auto s1 = effective_routes(table_of("s1-vm"), bgp);
    ASSERT_NE(find(s1, RouteSource::VirtualNetworkGateway, "10.250.0.0/16"), nullptr);
    EXPECT_EQ(find(s1, RouteSource::Default, "10.1.0.0/16")->next_hop_type, NextHopType::VNetPeering);
    EXPECT_EQ(find(s1, RouteSource::Default, "10.2.0.0/16")->next_hop_type, NextHopType::VnetLocal);
    const auto s2 = effective_routes(table_of("s2-vm"), bgp);
    EXPECT_EQ(find(s2, RouteSource::VirtualNetworkGateway, "10.250.0.0/16"), nullptr);
    EXPECT_FALSE(table_of("s2-vm").bgp);
    EXPECT_EQ(programmed_next_hop(table_of("s2-vm"), P("10.250.0.0/16"), bgp.at(P("10.250.0.0/16"))),
              std::nullopt);
}

TEST_F(EffectiveRoutes, RouteTableWithoutGatewayRoutePropagationGetsNoBgpRoutes) {
    model.route_tables[0].propagate_gateway_routes = false;
    plan = plan_tables(model);
    EXPECT_FALSE(table_of("fw-vm").bgp);
    EXPECT_TRUE(table_of("vm0").bgp);
}

TEST_F(EffectiveRoutes, FormatLooksLikeTheAzCliTable) {
    const BgpView bgp{{P("10.1.5.0/24"), {A("10.1.1.4")}}};
    const std::string text = format_effective_routes(effective_routes(table_of("vm0"), bgp));
    EXPECT_NE(text.find("Source"), std::string::npos);
    EXPECT_NE(text.find("Next Hop Type"), std::string::npos);
    EXPECT_NE(text.find("VirtualNetworkGateway  Invalid  10.1.5.0/24"), std::string::npos) << text;
    EXPECT_NE(text.find("Default                Active   10.1.0.0/16         VnetLocal"), std::string::npos)
        << text;
}

}  // namespace
}  // namespace rf::fib
