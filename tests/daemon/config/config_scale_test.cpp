// Large configurations: loading and validating grows with the size of the lists, not with its square.
// Nothing here measures time; the ctest TIMEOUT of this executable is the guard against a check that went
// quadratic again (tens of thousands of entries then take minutes instead of seconds).
#include <gtest/gtest.h>

#include <string>

#include "daemon/config/config.hpp"

namespace rf::config {
namespace {

constexpr std::size_t kPeers = 80000;
constexpr std::size_t kListenAddresses = 160000;

std::string ipv4(std::size_t i) {
    return "10." + std::to_string((i >> 16) & 0xFF) + "." + std::to_string((i >> 8) & 0xFF) + "." +
           std::to_string(i & 0xFF);
}

// fd00::<i>, one distinct IPv6 address per index.
std::string ipv6(std::size_t i) {
    char text[40];
    std::snprintf(text, sizeof text, "fd00::%zx:%zx", i >> 16, i & 0xFFFF);
    return text;
}

std::string peers_yaml(std::size_t count, bool same_name) {
    std::string yaml =
        "route_server:\n  listen: [192.0.2.1, 192.0.2.2]\n  four_byte_asn: true\n  max_peers: " +
        std::to_string(count) + "\npeers:\n";
    for (std::size_t i = 0; i < count; ++i) {
        const std::string name = same_name ? "nva" : "nva" + std::to_string(i);
        yaml +=
            "  - {name: " + name + ", address: " + ipv4(i) + ", asn: " + std::to_string(100000 + i) + "}\n";
    }
    return yaml;
}

TEST(ConfigScale, TensOfThousandsOfPeersLoad) {
    auto loaded = load_text(peers_yaml(kPeers, false));
    ASSERT_TRUE(loaded) << format_errors(loaded.error()).substr(0, 2000);
    EXPECT_EQ(loaded->peers.size(), kPeers);
}

TEST(ConfigScale, HundredThousandListenAddressesLoad) {
    std::string yaml = "route_server:\n  router_id: 192.0.2.1\n  listen:\n";
    for (std::size_t i = 0; i < kListenAddresses; ++i) {
        yaml += "    - '" + ipv6(i) + "'\n";
    }
    auto loaded = load_text(yaml);
    ASSERT_TRUE(loaded) << format_errors(loaded.error()).substr(0, 2000);
    EXPECT_EQ(loaded->route_server.listen.size(), kListenAddresses);
}

// Every repeat is reported once, naming the first use: n repeats give n errors, not one per earlier copy.
TEST(ConfigScale, RepeatedNamesAndAddressesAreReportedOncePerRepeat) {
    constexpr std::size_t kCount = 1000;
    std::string yaml = peers_yaml(kCount, true);
    yaml += "  - {name: late, address: 10.0.0.0, asn: 65001}\n";  // the address of peers[0]
    const auto loaded = load_text(yaml);
    ASSERT_FALSE(loaded);
    std::size_t names = 0;
    std::size_t addresses = 0;
    for (const ConfigError& e : loaded.error()) {
        if (e.kind != ErrorKind::Duplicate) {
            continue;
        }
        EXPECT_NE(e.message.find("already used by peers[0]"), std::string::npos) << e.to_string();
        ++(e.path.ends_with(".name") ? names : addresses);
    }
    EXPECT_EQ(names, kCount - 1);
    EXPECT_EQ(addresses, 1U);

    std::string listen = "route_server:\n  listen:\n";
    for (std::size_t i = 0; i < kCount; ++i) {
        listen += "    - 192.0.2.7\n";
    }
    const auto repeated = load_text(listen);
    ASSERT_FALSE(repeated);
    std::size_t twice = 0;
    for (const ConfigError& e : repeated.error()) {
        twice += e.message.find("listed twice (also route_server.listen[0])") != std::string::npos ? 1 : 0;
    }
    EXPECT_EQ(twice, kCount - 1);
}

}  // namespace
}  // namespace rf::config
