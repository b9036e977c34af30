// The `rpki:` section: read, defaults, errors that name the field, and the round trip through to_yaml.
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

bool has_error(const Errors& errors, const std::string& path, const std::string& text = "") {
    for (const ConfigError& e : errors) {
        if (e.path == path && e.message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(RpkiConfig, AbsentMeansNoValidation) {
    auto c = load_text(kBase);
    ASSERT_TRUE(c) << format_errors(c.error());
    EXPECT_FALSE(c->rpki.has_value());
}

TEST(RpkiConfig, CachesAndIntervalsAreRead) {
    auto c = load_text(kBase + R"(
rpki:
  caches:
    - {address: 192.0.2.10, port: 8282, preference: 1}
    - {address: "2001:db8::10"}
  refresh_interval: 300
  retry_interval: 60
  expire_interval: 3600
)");
    ASSERT_TRUE(c) << format_errors(c.error());
    ASSERT_TRUE(c->rpki);
    ASSERT_EQ(c->rpki->caches.size(), 2U);
    EXPECT_EQ(c->rpki->caches[0].address, "192.0.2.10");
    EXPECT_EQ(c->rpki->caches[0].port, 8282);
    EXPECT_EQ(c->rpki->caches[1].port, rpki::kRtrPort);
    EXPECT_EQ(c->rpki->caches[1].preference, 1);
    EXPECT_EQ(c->rpki->refresh_interval, 300U);
    EXPECT_EQ(c->rpki->retry_interval, 60U);
    EXPECT_EQ(c->rpki->expire_interval, 3600U);
    auto again = load_text(to_yaml(*c));
    ASSERT_TRUE(again) << format_errors(again.error());
    EXPECT_EQ(again->rpki, c->rpki);
}

TEST(RpkiConfig, BadValuesNameTheirField) {
    const auto e = errors_of(kBase + R"(
rpki:
  caches:
    - {address: rtr.example, port: 0}
    - {port: 8282}
    - {address: 192.0.2.1, preference: 256}
  expire_interval: 100
  colour: blue
)");
    EXPECT_TRUE(has_error(e, "rpki.caches[0].address", "not an IP address")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "rpki.caches[0].port")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "rpki.caches[1].address")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "rpki.caches[2].preference", "out of range")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "rpki.colour")) << format_errors(e);
}

TEST(RpkiConfig, IntervalsFollowRfc8210) {
    auto e = errors_of(kBase + "rpki:\n  caches: [{address: 192.0.2.1}]\n  expire_interval: 100\n");
    EXPECT_TRUE(has_error(e, "rpki.expire_interval", "600..172800")) << format_errors(e);
    e = errors_of(kBase + "rpki:\n  caches: [{address: 192.0.2.1}]\n  refresh_interval: 7200\n");
    EXPECT_TRUE(has_error(e, "rpki.expire_interval", "longer than refresh_interval")) << format_errors(e);
    e = errors_of(kBase + "rpki:\n  caches: []\n");
    EXPECT_TRUE(has_error(e, "rpki.caches", "at least one")) << format_errors(e);
    e = errors_of(kBase + "rpki:\n  caches: [{address: 192.0.2.1}, {address: 192.0.2.1}]\n");
    EXPECT_TRUE(has_error(e, "rpki.caches[1]", "listed twice")) << format_errors(e);
}

}  // namespace
}  // namespace rf::config
