// route_server.placement: where the route server sits relative to the VNet model.
//  - auto (the default): Azure's rule (every listen address in RouteServerSubnet /27 or larger of
//    route_server_vnet, none of the addresses Azure reserves) holds when a listen address lies inside a
//    modelled VNet; a route server whose listen addresses all lie outside every VNet (a lab) is accepted,
//    and the addresses the daemon names in its one log line are those;
//  - azure: the rule holds wherever the listen addresses lie;
//  - lab: the rule never holds; route_server_vnet must still name a VNet (its spaces are advertised).
// Every refusal names the listen address's field and says how the placement decided it.
#include <gtest/gtest.h>

#include "daemon/config/vnet_convert.hpp"
#include "tests/daemon/config/support/hub_vnet.hpp"

namespace rf::config {
namespace {

bool has_error(const Errors& errors, const std::string& path, const std::string& text = "") {
    for (const ConfigError& e : errors) {
        if (e.path == path && e.message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

// The hub VNet (support/hub_vnet.hpp) and the route server's section.
std::string config_with(const std::string& listen, const std::string& placement = "") {
    std::string yaml = "route_server:\n  router_id: 10.255.0.1\n  listen: [" + listen + "]\n";
    if (!placement.empty()) {
        yaml += "  placement: " + placement + "\n";
    }
    yaml += rf::testing::kHubVnetYaml;
    return yaml;
}

Config load(const std::string& yaml) {
    auto c = load_text(yaml);
    EXPECT_TRUE(c) << (c ? "" : format_errors(c.error()));
    return c ? *c : Config{};
}

TEST(Placement, AutoInsideTheVnetRefusesAReservedListenAddressNamingTheField) {
    const Config c = load(config_with("10.1.255.1, 10.1.255.5"));
    EXPECT_EQ(effective_placement(c), Placement::Azure);
    const Errors e = validate_all(c);
    ASSERT_EQ(e.size(), 1U) << format_errors(e);
    EXPECT_TRUE(
        has_error(e, "route_server.listen[0]", "10.1.255.1 is an address Azure reserves in 10.1.255.0/27"))
        << format_errors(e);
    EXPECT_TRUE(has_error(e, "route_server.listen[0]", "placement: lab")) << format_errors(e);
}

TEST(Placement, AutoInsideTheVnetAcceptsRouteServerSubnetAddresses) {
    const Config c = load(config_with("10.1.255.4, 10.1.255.5"));
    EXPECT_EQ(effective_placement(c), Placement::Azure);
    EXPECT_TRUE(validate_all(c).empty()) << format_errors(validate_all(c));
    EXPECT_TRUE(listen_outside(c.route_server, modelled_address_spaces(c)).empty());
}

TEST(Placement, AutoOutsideEveryVnetIsAcceptedAsALab) {
    // The lab: the loopback pair, a modelled VNet 10.1.0.0/16 that cannot hold it.
    const Config c = load(config_with("127.0.0.1, 127.0.0.2"));
    EXPECT_EQ(c.route_server.placement, Placement::Auto);
    EXPECT_EQ(effective_placement(c), Placement::Lab);
    EXPECT_TRUE(validate_all(c).empty()) << format_errors(validate_all(c));
    EXPECT_FALSE(to_vnet_model(c).route_server.in_route_server_subnet);
    const auto outside = listen_outside(c.route_server, modelled_address_spaces(c));
    ASSERT_EQ(outside.size(), 2U);
    EXPECT_EQ(outside[0].to_string(), "127.0.0.1");
    EXPECT_EQ(outside[1].to_string(), "127.0.0.2");
}

TEST(Placement, AutoWithOneListenAddressInsideAppliesTheRuleToTheOther) {
    const Config c = load(config_with("10.1.255.4, 127.0.0.2"));
    EXPECT_EQ(effective_placement(c), Placement::Azure);
    const Errors e = validate_all(c);
    ASSERT_EQ(e.size(), 1U) << format_errors(e);
    EXPECT_TRUE(
        has_error(e, "route_server.listen[1]", "127.0.0.2 is not inside RouteServerSubnet 10.1.255.0/27"))
        << format_errors(e);
}

TEST(Placement, ExplicitAzureRefusesListenAddressesOutsideTheVnet) {
    const Config c = load(config_with("127.0.0.1, 127.0.0.2", "azure"));
    EXPECT_EQ(effective_placement(c), Placement::Azure);
    const Errors e = validate_all(c);
    EXPECT_TRUE(has_error(e, "route_server.listen[0]", "127.0.0.1 is not inside RouteServerSubnet"))
        << format_errors(e);
    EXPECT_TRUE(has_error(e, "route_server.listen[1]", "(route_server.placement: azure)"))
        << format_errors(e);
}

TEST(Placement, ExplicitLabNeverAppliesTheRule) {
    // Inside the VNet, on a reserved address, and with no RouteServerSubnet at all.
    std::string yaml = config_with("10.1.255.1", "lab");
    yaml.replace(yaml.find("        - {name: RouteServerSubnet, prefix: 10.1.255.0/27}\n"), 59, "");
    const Config c = load(yaml);
    EXPECT_EQ(effective_placement(c), Placement::Lab);
    EXPECT_TRUE(validate_all(c).empty()) << format_errors(validate_all(c));
    EXPECT_TRUE(listen_outside(c.route_server, modelled_address_spaces(c)).empty()) << "inside: no notice";
}

TEST(Placement, LabStillNeedsTheRouteServerVnet) {
    std::string yaml = config_with("127.0.0.1", "lab");
    yaml.replace(yaml.find("route_server_vnet: hub"), 22, "route_server_vnet: nowhere");
    const Config c = load(yaml);
    EXPECT_TRUE(has_error(validate_all(c), "virtual_network.route_server_vnet", "nowhere"))
        << format_errors(validate_all(c));
}

TEST(Placement, WithoutVirtualNetworkNothingIsModelled) {
    const Config c = load("route_server: {listen: [127.0.0.1], placement: azure}\n");
    EXPECT_TRUE(validate_all(c).empty()) << format_errors(validate_all(c));
    EXPECT_TRUE(modelled_address_spaces(c).empty());
}

TEST(Placement, UnknownValueIsRefusedNamingTheField) {
    auto c = load_text("route_server: {listen: [127.0.0.1], placement: outside}\n");
    ASSERT_FALSE(c);
    EXPECT_TRUE(has_error(c.error(), "route_server.placement", "'outside' is not one of: auto, azure, lab"))
        << format_errors(c.error());
}

TEST(Placement, RoundTripsThroughTheEmitter) {
    for (const Placement p : {Placement::Auto, Placement::Azure, Placement::Lab}) {
        Config c = load(config_with("127.0.0.1"));
        c.route_server.placement = p;
        const std::string yaml = to_yaml(c);
        EXPECT_NE(yaml.find("placement: " + std::string(to_string(p))), std::string::npos) << yaml;
        auto back = load_text(yaml);
        ASSERT_TRUE(back) << format_errors(back.error());
        EXPECT_EQ(back->route_server.placement, p);
    }
}

}  // namespace
}  // namespace rf::config
