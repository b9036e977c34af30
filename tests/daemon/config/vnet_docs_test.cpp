// The VNet section mapped onto the FIB's model and checked by its rules (paths in configuration terms),
// and the documentation checked against the validator: the configuration reference holds the schema
// table generated from the parser's schema, and the example configuration passes every check.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "daemon/config/vnet_convert.hpp"

namespace rf::config {
namespace {

std::string source_dir() {
    const char* s = std::getenv("RF_SOURCE_DIR");
    return s != nullptr ? s : ".";
}

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool has_error(const Errors& errors, const std::string& path, const std::string& text = "") {
    for (const ConfigError& e : errors) {
        if (e.path == path && e.message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

const char* const kHub = R"(
route_server: {listen: [10.1.255.4, 10.1.255.5]}
virtual_network:
  route_server_vnet: hub
  vnets:
    - name: hub
      address_spaces: [10.1.0.0/16]
      subnets:
        - {name: RouteServerSubnet, prefix: 10.1.255.0/27}
        - {name: workload, prefix: 10.1.1.0/24, route_table: rt1}
  route_tables:
    - name: rt1
      routes: [{name: fw, prefix: 0.0.0.0/0, next_hop_type: VirtualAppliance, next_hop_ip: 10.1.1.10}]
  vms:
    - {name: vm1, vnet: hub, subnet: workload, nic_address: 10.1.1.20, host: 1}
)";

TEST(VnetConvert, ValidModelMapsFieldByField) {
    auto c = load_text(kHub);
    ASSERT_TRUE(c) << format_errors(c.error());
    EXPECT_TRUE(validate_vnet(*c).empty()) << format_errors(validate_vnet(*c));
    const fib::VnetModel m = to_vnet_model(*c);
    ASSERT_EQ(m.vnets.size(), 1U);
    EXPECT_EQ(m.vnets[0].subnets[1].route_table, "rt1");
    EXPECT_EQ(m.route_tables[0].routes[0].next_hop_type, fib::UdrNextHopType::VirtualAppliance);
    EXPECT_EQ(m.route_server.vnet, "hub");
    EXPECT_EQ(m.route_server.listen_addresses.size(), 2U);
    EXPECT_EQ(m.vms[0].host, 1U);
}

TEST(VnetConvert, FibRulesAreReportedWithConfigurationPaths) {
    std::string yaml = kHub;
    yaml.replace(yaml.find("10.1.255.4, 10.1.255.5"), 22,
                 "10.1.255.4, 10.1.9.5");                                 // outside RouteServerSubnet
    yaml.replace(yaml.find("10.1.255.0/27"), 13, "10.1.255.0/28");        // too small
    yaml.replace(yaml.find("route_table: rt1"), 16, "route_table: rt9");  // unknown table
    yaml.replace(yaml.find("nic_address: 10.1.1.20"), 22, "nic_address: 10.1.2.20");  // outside the subnet
    auto c = load_text(yaml);
    ASSERT_TRUE(c) << format_errors(c.error());
    const Errors e = validate_all(*c);
    EXPECT_TRUE(has_error(e, "virtual_network.vnets[0].subnets[0].prefix", "/27")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "virtual_network.vnets[0].subnets[1].route_table", "rt9")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "virtual_network.vms[0].nic_address")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "route_server.listen[1]", "RouteServerSubnet")) << format_errors(e);

    std::string no_rs = kHub;
    no_rs.replace(no_rs.find("route_server_vnet: hub"), 22, "route_server_vnet: spoke");
    auto c2 = load_text(no_rs);
    ASSERT_TRUE(c2);
    EXPECT_TRUE(has_error(validate_vnet(*c2), "virtual_network.route_server_vnet", "spoke"));
}

TEST(VnetConvert, WithoutVirtualNetworkTheDefaultLabIsUsed) {
    auto c = load_text("route_server: {listen: [127.0.0.1]}\nemulator: {vm_count: 100, vms_per_host: 30}\n");
    ASSERT_TRUE(c);
    EXPECT_TRUE(validate_vnet(*c).empty());
    const fib::VnetModel m = to_vnet_model(*c);
    EXPECT_EQ(m.vms.size(), 100U);
    EXPECT_TRUE(fib::validate(m).empty());
}

TEST(Docs, ExampleConfigurationPassesEveryCheck) {
    const std::string path = source_dir() + "/docs/examples/routefabric.yaml";
    auto c = load_file_checked(path);
    ASSERT_TRUE(c) << path << ":\n" << format_errors(c.error());
    EXPECT_EQ(c->peers.size(), 2U);
    EXPECT_TRUE(c->virtual_network.has_value());
}

TEST(Docs, ConfigurationReferenceHoldsTheGeneratedSchemaTable) {
    const std::string doc = read(source_dir() + "/docs/configuration.md");
    ASSERT_FALSE(doc.empty()) << "docs/configuration.md is missing";
    for (const KeyInfo& k : schema()) {
        EXPECT_NE(doc.find("`" + std::string(k.path) + "`"), std::string::npos)
            << k.path << " is not documented";
    }
    EXPECT_NE(doc.find(schema_markdown()), std::string::npos)
        << "the key table in docs/configuration.md differs from the schema; replace it with:\n"
        << schema_markdown();
}

TEST(Docs, ApiReferenceNamesEveryRouteAndErrorCode) {
    const std::string doc = read(source_dir() + "/docs/api.md");
    ASSERT_FALSE(doc.empty()) << "docs/api.md is missing";
    for (const char* route :
         {"GET /api/v1/routeserver", "GET /api/v1/peerings", "POST /api/v1/peerings",
          "GET /api/v1/peerings/{name}", "DELETE /api/v1/peerings/{name}",
          "GET /api/v1/peerings/{name}/learned-routes", "GET /api/v1/peerings/{name}/advertised-routes",
          "GET /api/v1/rib/{prefix}", "GET /api/v1/rib/mrt", "GET /api/v1/vms/{name}/effective-routes",
          "GET /api/v1/subnets/{vnet}/{subnet}/effective-routes", "GET /api/v1/emulator/stats",
          "GET /metrics"}) {
        EXPECT_NE(doc.find(route), std::string::npos) << route;
    }
    for (const char* code :
         {"InvalidJson", "InvalidField", "InvalidPrefix", "Unauthorized", "NotFound", "PeeringNotFound",
          "VmNotFound", "SubnetNotFound", "RouteNotFound", "MethodNotAllowed", "DuplicatePeering",
          "PeerLimitReached", "PeeringRejected", "PayloadTooLarge", "NotAvailable", "Internal"}) {
        EXPECT_NE(doc.find(std::string("`") + code + "`"), std::string::npos) << code;
    }
}

}  // namespace
}  // namespace rf::config
