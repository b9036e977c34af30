#include "fib/vnet/vnet_model.hpp"

#include <gtest/gtest.h>

#include "tests/fib/vnet/test_util.hpp"

namespace rf::fib {
namespace {

using test::A;
using test::P;

bool has_error(const std::vector<ModelError>& errors, const std::string& field,
               const std::string& text = "") {
    for (const ModelError& e : errors) {
        if (e.field == field && e.message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string all(const std::vector<ModelError>& errors) {
    std::string s;
    for (const ModelError& e : errors) {
        s += e.to_string() + "\n";
    }
    return s;
}

TEST(VnetModel, DefaultLabWithSixThousandVmsIsValid) {
    const VnetModel m = default_lab(6000, 8);
    EXPECT_EQ(m.vms.size(), 6000U);
    const auto errors = validate(m);
    EXPECT_TRUE(errors.empty()) << all(errors);
    EXPECT_EQ(m.vms[5999].host, 5999U % 8);
}

TEST(VnetModel, HubAndSpokesIsValid) {
    const auto errors = validate(test::hub_and_spokes());
    EXPECT_TRUE(errors.empty()) << all(errors);
}

TEST(VnetModel, RouteServerSubnetSmallerThanSlash27IsRefusedNamingTheField) {
    VnetModel m = default_lab(1);
    m.vnets[0].subnets[0].prefix = P("10.1.255.0/28");
    m.route_server.listen_addresses = {A("10.1.255.4")};
    const auto errors = validate(m);
    EXPECT_TRUE(has_error(errors, "vnets[0].subnets[0].prefix", "/27 or larger")) << all(errors);
}

TEST(VnetModel, RouteServerSubnetOfSlash26IsAccepted) {
    VnetModel m = default_lab(1);
    m.vnets[0].subnets[0].prefix = P("10.1.255.0/26");
    EXPECT_TRUE(validate(m).empty());
}

TEST(VnetModel, ListenAddressesMustLieInRouteServerSubnetAndNotBeReserved) {
    VnetModel m = default_lab(1);
    m.route_server.listen_addresses = {A("10.1.1.4"), A("10.1.255.1"), A("10.1.255.1")};
    const auto errors = validate(m);
    EXPECT_TRUE(has_error(errors, "route_server.listen_addresses[0]", "not inside RouteServerSubnet"))
        << all(errors);
    EXPECT_TRUE(has_error(errors, "route_server.listen_addresses[1]", "reserves")) << all(errors);
    EXPECT_TRUE(has_error(errors, "route_server.listen_addresses[2]", "duplicate")) << all(errors);
}

// A route server on lab addresses outside the model: neither its subnet nor its addresses are checked,
// only the VNet whose address spaces it advertises.
TEST(VnetModel, RouteServerOutsideTheModelIsCheckedOnlyForItsVnet) {
    VnetModel m = default_lab(1);
    m.vnets[0].subnets[0].name = "rs";  // no RouteServerSubnet at all
    m.route_server.listen_addresses = {A("127.0.0.1"), A("127.0.0.2")};
    m.route_server.in_route_server_subnet = false;
    EXPECT_TRUE(validate(m).empty()) << all(validate(m));
    m.route_server.vnet = "nope";
    EXPECT_TRUE(has_error(validate(m), "route_server.vnet", "unknown VNet"));
}

TEST(VnetModel, RouteServerVnetNeedsRouteServerSubnet) {
    VnetModel m = default_lab(1);
    m.vnets[0].subnets[0].name = "rs";
    EXPECT_TRUE(has_error(validate(m), "route_server.vnet", "no subnet named RouteServerSubnet"));
    m.route_server.vnet = "nope";
    EXPECT_TRUE(has_error(validate(m), "route_server.vnet", "unknown VNet"));
}

TEST(VnetModel, SubnetsMustLieInAddressSpaceAndNotOverlap) {
    VnetModel m = default_lab(1);
    m.vnets[0].subnets.push_back(Subnet{"outside", P("10.9.0.0/24"), ""});
    m.vnets[0].subnets.push_back(Subnet{"overlap", P("10.1.1.128/25"), ""});
    m.vnets[0].subnets.push_back(Subnet{"nva", P("10.1.3.0/24"), ""});
    const auto errors = validate(m);
    EXPECT_TRUE(has_error(errors, "vnets[0].subnets[3].prefix", "not inside")) << all(errors);
    EXPECT_TRUE(has_error(errors, "vnets[0].subnets[4].prefix", "overlaps subnet 'nva'")) << all(errors);
    EXPECT_TRUE(has_error(errors, "vnets[0].subnets[5].name", "duplicate")) << all(errors);
}

TEST(VnetModel, UdrNextHopIpRules) {
    VnetModel m = default_lab(1);
    RouteTable rt;
    rt.name = "rt";
    rt.routes.push_back(
        UserDefinedRoute{"a", P("0.0.0.0/0"), UdrNextHopType::VirtualAppliance, std::nullopt});
    rt.routes.push_back(UserDefinedRoute{"b", P("1.0.0.0/8"), UdrNextHopType::Internet, A("10.1.1.4")});
    rt.routes.push_back(UserDefinedRoute{"b", P("1.0.0.0/8"), UdrNextHopType::None, std::nullopt});
    m.route_tables.push_back(rt);
    m.vnets[0].subnets[1].route_table = "missing";
    const auto errors = validate(m);
    EXPECT_TRUE(has_error(errors, "route_tables[0].routes[0].next_hop_ip", "required")) << all(errors);
    EXPECT_TRUE(
        has_error(errors, "route_tables[0].routes[1].next_hop_ip", "only for next hop type VirtualAppliance"))
        << all(errors);
    EXPECT_TRUE(has_error(errors, "route_tables[0].routes[2].name", "duplicate")) << all(errors);
    EXPECT_TRUE(has_error(errors, "route_tables[0].routes[2].prefix", "duplicate")) << all(errors);
    EXPECT_TRUE(has_error(errors, "vnets[0].subnets[1].route_table", "unknown route table")) << all(errors);
}

TEST(VnetModel, PeeringRules) {
    VnetModel m = test::hub_and_spokes();
    m.vnets[2].peerings.push_back(VnetPeering{"spoke1", true});  // spoke2 → spoke1 with remote RS
    m.vnets[2].peerings.push_back(VnetPeering{"ghost", false});
    m.vnets[1].address_spaces.push_back(P("10.3.128.0/17"));  // overlaps spoke2, peered with spoke1
    const auto errors = validate(m);
    EXPECT_TRUE(has_error(errors, "vnets[2].peerings[1].use_remote_route_server", "does not host"))
        << all(errors);
    EXPECT_TRUE(has_error(errors, "vnets[2].peerings[2].remote_vnet", "unknown VNet")) << all(errors);
    EXPECT_TRUE(has_error(errors, "vnets[2].peerings[1].remote_vnet", "overlaps")) << all(errors);
}

TEST(VnetModel, VmRules) {
    VnetModel m = default_lab(3);
    m.vms[0].nic_address = A("10.1.1.4");    // in the nva subnet, not workload
    m.vms[1].nic_address = A("10.1.128.0");  // reserved network address
    m.vms[2].subnet = "RouteServerSubnet";
    m.vms[2].nic_address = A("10.1.255.10");
    m.vms.push_back(m.vms[1]);
    m.vms.back().name = "dup";
    const auto errors = validate(m);
    EXPECT_TRUE(has_error(errors, "vms[0].nic_address", "not inside subnet 10.1.128.0/18")) << all(errors);
    EXPECT_TRUE(has_error(errors, "vms[1].nic_address", "reserves")) << all(errors);
    EXPECT_TRUE(has_error(errors, "vms[2].subnet", "cannot hold VMs")) << all(errors);
    EXPECT_TRUE(has_error(errors, "vms[3].nic_address", "already used")) << all(errors);
}

}  // namespace
}  // namespace rf::fib
