// The bmp section: read, checked (errors name the field), written back unchanged.
#include <gtest/gtest.h>

#include "daemon/config/config.hpp"

namespace rf::config {
namespace {

const std::string kBase = R"(
route_server:
  listen: [10.1.255.4]
peers:
  - {name: nva1, address: 10.1.1.4, asn: 65001}
)";

Errors errors_of(const std::string& yaml) {
    auto r = load_text(yaml);
    return r ? Errors{} : r.error();
}

bool has_error(const Errors& errors, const std::string& path, const std::string& text) {
    for (const ConfigError& e : errors) {
        if (e.path == path && e.message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(BmpConfig, CollectorsAreReadAndWrittenBackUnchanged) {
    auto r = load_text(kBase + R"(
bmp:
  sys_name: rs1
  collectors:
    - {name: c1, address: 192.0.2.9, port: 11019, route_monitoring: [pre-policy, loc-rib],
       statistics_interval: 30, buffer_bytes: 1048576, connect_retry: 2, connect_retry_max: 30}
    - {name: c2, address: "2001:db8::9", port: 5000}
)");
    ASSERT_TRUE(r) << format_errors(r.error());
    const BmpConfig& b = r->bmp;
    EXPECT_EQ(b.sys_name, "rs1");
    ASSERT_EQ(b.collectors.size(), 2U);
    EXPECT_EQ(b.collectors[0].route_monitoring,
              (std::vector<BmpTable>{BmpTable::PrePolicy, BmpTable::LocRib}));
    EXPECT_EQ(b.collectors[0].statistics_interval, 30U);
    EXPECT_EQ(b.collectors[0].buffer_bytes, 1048576U);
    EXPECT_EQ(b.collectors[1].route_monitoring, (std::vector<BmpTable>{BmpTable::PrePolicy}));  // the default
    EXPECT_EQ(b.collectors[1].port, 5000);
    auto again = load_text(to_yaml(*r));
    ASSERT_TRUE(again) << format_errors(again.error());
    EXPECT_EQ(again->bmp, r->bmp);
}

TEST(BmpConfig, BadCollectorsGetErrorsNamingTheField) {
    const Errors e = errors_of(kBase + R"(
bmp:
  collectors:
    - {name: c1, address: 192.0.2.9, port: 11019, route_monitoring: [pre-policy, adj-rib-out],
       buffer_bytes: 100, connect_retry: 10, connect_retry_max: 5}
    - {name: c1, address: 192.0.2.9, port: 11019}
    - {name: c3, port: 1, colour: red}
    - {name: c4, address: 192.0.2.9, port: 4, route_monitoring: [loc-rib, loc-rib]}
)");
    EXPECT_TRUE(has_error(e, "bmp.collectors[0].route_monitoring[1]", "pre-policy, post-policy or loc-rib"))
        << format_errors(e);
    EXPECT_TRUE(has_error(e, "bmp.collectors[3].route_monitoring[1]", "listed twice")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "bmp.collectors[0].buffer_bytes", "at least 65536")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "bmp.collectors[0].connect_retry_max", "below connect_retry"))
        << format_errors(e);
    EXPECT_TRUE(has_error(e, "bmp.collectors[1].name", "another collector")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "bmp.collectors[1].address", "another collector's")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "bmp.collectors[2].address", "")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "bmp.collectors[2].colour", "")) << format_errors(e);
    const Errors no_port =
        errors_of(kBase + "bmp:\n  collectors:\n    - {name: x, address: 192.0.2.1, port: 0}\n");
    EXPECT_TRUE(has_error(no_port, "bmp.collectors[0].port", "is required")) << format_errors(no_port);
}

}  // namespace
}  // namespace rf::config
