// The configuration: every validation rule (with the field path it reports), parse errors, unknown keys,
// the load → save → load round trip, and atomic persistence (a kill -9 during writes leaves a valid file).
#include "daemon/config/config.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "daemon/config/config_store.hpp"

namespace rf::config {
namespace {

const char* const kMinimal = R"(
route_server:
  listen: [10.1.255.4, 10.1.255.5]
peers:
  - {name: nva1, address: 10.1.1.4, asn: 65001}
  - {name: nva2, address: 10.1.1.5, asn: 65002}
)";

Errors errors_of(const std::string& yaml) {
    auto r = load_text(yaml);
    return r ? Errors{} : r.error();
}

// True when some error has exactly this path and its message contains `text`.
bool has_error(const Errors& errors, const std::string& path, const std::string& text = "") {
    for (const ConfigError& e : errors) {
        if (e.path == path && e.message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string dump(const Errors& errors) {
    return format_errors(errors);
}

std::string with_peer(const std::string& peer_line, const std::string& rs_extra = "") {
    return "route_server:\n  listen: [10.1.255.4, 10.1.255.5]\n" + rs_extra + "peers:\n  - " + peer_line +
           "\n";
}

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/rf_config_test.XXXXXX";
        path_ = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

TEST(ConfigLoad, MinimalConfigGetsAzureDefaults) {
    auto r = load_text(kMinimal);
    ASSERT_TRUE(r) << dump(r.error());
    const Config& c = *r;
    EXPECT_EQ(c.route_server.asn, 65515U);
    EXPECT_EQ(c.route_server.keepalive, 60);
    EXPECT_EQ(c.route_server.hold_time, 180);
    EXPECT_EQ(c.route_server.max_peers, 8U);
    EXPECT_EQ(c.route_server.route_limit, 1000U);
    EXPECT_EQ(c.route_server.route_counting, azure::RouteCounting::DistinctPrefixes);
    EXPECT_FALSE(c.route_server.four_byte_asn);
    EXPECT_EQ(c.route_server.mode, azure::AsPathMode::Prepend);
    EXPECT_TRUE(c.route_server.branch_to_branch);
    EXPECT_EQ(c.route_server.port, 179);
    ASSERT_EQ(c.route_server.listen.size(), 2U);
    EXPECT_EQ(c.effective_router_id()->to_string(), "10.1.255.4");
    ASSERT_EQ(c.peers.size(), 2U);
    EXPECT_EQ(c.peers[1].name, "nva2");
    EXPECT_EQ(c.peers[1].asn, 65002U);
    EXPECT_EQ(c.peers[1].ttl, 255);
    EXPECT_TRUE(c.peers[1].passive);
    EXPECT_EQ(c.route_limit_of(c.peers[1]), 1000U);
    EXPECT_EQ(c.api.listen.to_string(), "127.0.0.1");
    EXPECT_FALSE(c.virtual_network.has_value());
}

TEST(ConfigLoad, EveryFieldIsRead) {
    auto r = load_text(R"(
route_server:
  asn: 65100
  router_id: 1.2.3.4
  listen: [10.1.255.4, "2001:db8::4"]
  port: 1179
  keepalive: 10
  hold_time: 30
  connect_retry: 5
  idle_hold: 2
  idle_hold_max: 20
  max_peers: 16
  route_limit: 5000
  route_counting: azure-strict
  max_output_mib: 64
  refresh_stale_time: 90
  four_byte_asn: true
  mode: transparent
  branch_to_branch: false
peers:
  - name: nva1
    address: 10.1.1.4
    asn: 4200000001
    port: 1790
    ttl: 2
    md5_password: "s3cret: with # chars"
    route_limit: 10
    route_limit_action: warn
    route_limit_warning_percent: 90
    gtsm: true
    passive: false
    hold_time: 9
    local_address: 10.1.255.4
    add_path: both
    extended_messages: false
    enhanced_route_refresh: false
emulator: {enabled: true, vm_count: 100, vms_per_host: 10, workers: 2, eal_args: [--no-huge, "-m 512"]}
api: {enabled: true, listen: 0.0.0.0, port: 0, token: abc}
)");
    ASSERT_TRUE(r) << dump(r.error());
    const Config& c = *r;
    EXPECT_EQ(c.route_server.asn, 65100U);
    EXPECT_EQ(c.route_server.router_id->to_string(), "1.2.3.4");
    EXPECT_EQ(c.route_server.listen[1].to_string(), "2001:db8::4");
    EXPECT_EQ(c.route_server.port, 1179);
    EXPECT_EQ(c.route_server.idle_hold_max, 20);
    EXPECT_EQ(c.route_server.route_counting, azure::RouteCounting::AzureStrict);
    EXPECT_EQ(c.route_server.max_output_mib, 64U);
    EXPECT_EQ(c.route_server.refresh_stale_time, 90);
    EXPECT_EQ(c.route_server.mode, azure::AsPathMode::Transparent);
    EXPECT_FALSE(c.route_server.branch_to_branch);
    const PeerConfig& p = c.peers[0];
    EXPECT_EQ(p.asn, 4200000001U);
    EXPECT_EQ(p.ttl, 2);
    EXPECT_EQ(p.md5_password, "s3cret: with # chars");
    EXPECT_EQ(*p.route_limit, 10U);
    EXPECT_EQ(p.route_limit_action, azure::RouteLimitAction::Warn);
    EXPECT_EQ(p.route_limit_warning_percent, 90U);
    EXPECT_TRUE(p.gtsm);
    EXPECT_FALSE(p.passive);
    EXPECT_EQ(*p.hold_time, 9);
    EXPECT_EQ(p.local_address->to_string(), "10.1.255.4");
    EXPECT_EQ(p.add_path, AddPath::Both);
    EXPECT_FALSE(p.extended_messages);
    EXPECT_FALSE(p.enhanced_route_refresh);
    EXPECT_TRUE(PeerConfig{}.extended_messages);  // both offered by default
    EXPECT_TRUE(PeerConfig{}.enhanced_route_refresh);
    EXPECT_EQ(RouteServerConfig{}.refresh_stale_time, 360);
    EXPECT_TRUE(c.emulator.enabled);
    EXPECT_EQ(c.emulator.eal_args.size(), 2U);
    EXPECT_EQ(c.api.token, "abc");
    EXPECT_EQ(c.api.port, 0);
}

// ------------------------------------------------------------------------------------------ peers

TEST(ConfigValidation, ReservedAsnsAreRefusedNamingWhoReservesThem) {
    for (const std::uint32_t asn : {8074U, 8075U, 12076U, 65517U, 65518U, 65519U, 65520U}) {
        const Errors e =
            errors_of(with_peer("{name: n, address: 10.1.1.4, asn: " + std::to_string(asn) + "}"));
        EXPECT_TRUE(has_error(e, "peers[0].asn", std::to_string(asn) + " is reserved by Azure"))
            << asn << dump(e);
    }
    for (const std::uint32_t asn : {23456U, 64496U, 64511U, 65535U, 65551U}) {
        const Errors e =
            errors_of(with_peer("{name: n, address: 10.1.1.4, asn: " + std::to_string(asn) + "}"));
        EXPECT_TRUE(has_error(e, "peers[0].asn", "reserved by IANA")) << asn << dump(e);
    }
    EXPECT_TRUE(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 64495}")).empty());
    EXPECT_TRUE(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65516}")).empty());
}

TEST(ConfigValidation, ThirdPeerWithReservedAsnIsReportedAtItsIndex) {
    const Errors e = errors_of(R"(
route_server: {listen: [10.1.255.4]}
peers:
  - {name: a, address: 10.1.1.4, asn: 65001}
  - {name: b, address: 10.1.1.5, asn: 65002}
  - {name: c, address: 10.1.1.6, asn: 65517}
)");
    ASSERT_EQ(e.size(), 1U) << dump(e);
    EXPECT_EQ(e[0].to_string(), "peers[2].asn: 65517 is reserved by Azure");
}

TEST(ConfigValidation, PeerAsnEqualToRouteServerAsnIsRefused) {
    const Errors e = errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65100}", "  asn: 65100\n"));
    EXPECT_TRUE(has_error(e, "peers[0].asn", "route server's own ASN")) << dump(e);
}

TEST(ConfigValidation, FourByteAsnNeedsFourByteMode) {
    Errors e = errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 4200000000}"));
    EXPECT_TRUE(has_error(e, "peers[0].asn", "4-byte ASN")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[0].asn", "four_byte_asn")) << dump(e);
    e = errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 4200000000}", "  four_byte_asn: true\n"));
    EXPECT_TRUE(e.empty()) << dump(e);
    e = errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001}", "  asn: 4200000000\n"));
    EXPECT_TRUE(has_error(e, "route_server.asn", "4-byte")) << dump(e);
}

TEST(ConfigValidation, AsnZeroAndOutOfRange) {
    Errors e = errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 0}"));
    EXPECT_TRUE(has_error(e, "peers[0].asn", "ASN 0")) << dump(e);
    e = errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 4294967296}"));
    EXPECT_TRUE(has_error(e, "peers[0].asn", "out of range")) << dump(e);
    e = errors_of(with_peer("{name: n, address: 10.1.1.4, asn: -5}"));
    EXPECT_TRUE(has_error(e, "peers[0].asn", "not a non-negative whole number")) << dump(e);
    e = errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001}", "  asn: 0\n"));
    EXPECT_TRUE(has_error(e, "route_server.asn")) << dump(e);
}

TEST(ConfigValidation, NinthPeerExceedsTheDefaultLimit) {
    std::string yaml = "route_server: {listen: [10.1.255.4]}\npeers:\n";
    for (int i = 0; i < 9; ++i) {
        yaml += "  - {name: nva" + std::to_string(i) + ", address: 10.1.1." + std::to_string(10 + i) +
                ", asn: " + std::to_string(65001 + i) + "}\n";
    }
    const Errors e = errors_of(yaml);
    ASSERT_EQ(e.size(), 1U) << dump(e);
    EXPECT_EQ(e[0].path, "peers[8]");
    EXPECT_EQ(e[0].kind, ErrorKind::LimitExceeded);
    EXPECT_NE(e[0].message.find("max_peers is 8"), std::string::npos);
    // Raising the limit accepts them.
    const std::string raised =
        "route_server: {listen: [10.1.255.4], max_peers: 9}" + yaml.substr(yaml.find('\n'));
    EXPECT_TRUE(errors_of(raised).empty()) << dump(errors_of(raised));
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], max_peers: 0}\n"),
                          "route_server.max_peers"));
}

TEST(ConfigValidation, DuplicatePeerAddressesAndNames) {
    const Errors e = errors_of(R"(
route_server: {listen: [10.1.255.4]}
peers:
  - {name: a, address: 10.1.1.4, asn: 65001}
  - {name: b, address: 10.1.1.4, asn: 65002}
  - {name: a, address: 10.1.1.6, asn: 65003}
)");
    EXPECT_TRUE(has_error(e, "peers[1].address", "already used by peers[0] (a)")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[2].name", "already used by peers[0]")) << dump(e);
    for (const ConfigError& err : e) {
        EXPECT_EQ(err.kind, ErrorKind::Duplicate);
    }
}

TEST(ConfigValidation, PeerFieldRules) {
    EXPECT_TRUE(has_error(errors_of(with_peer("{name: 'bad name!', address: 10.1.1.4, asn: 65001}")),
                          "peers[0].name", "letters, digits"));
    EXPECT_TRUE(has_error(errors_of(with_peer("{name: n, address: 10.1.255.4, asn: 65001}")),
                          "peers[0].address", "listen addresses"));
    EXPECT_TRUE(
        has_error(errors_of(with_peer("{name: n, address: 0.0.0.0, asn: 65001}")), "peers[0].address"));
    EXPECT_TRUE(
        has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, ttl: 0}")), "peers[0].ttl"));
    EXPECT_TRUE(has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, ttl: 256}")),
                          "peers[0].ttl", "out of range"));
    EXPECT_TRUE(has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, port: 0}")),
                          "peers[0].port"));
    EXPECT_TRUE(has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, hold_time: 2}")),
                          "peers[0].hold_time"));
    EXPECT_TRUE(has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, md5_password: " +
                                              std::string(81, 'x') + "}")),
                          "peers[0].md5_password", "80 bytes"));
    EXPECT_TRUE(
        has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, local_address: 10.9.9.9}")),
                  "peers[0].local_address", "not one of route_server.listen"));
    EXPECT_TRUE(has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, passive: maybe}")),
                          "peers[0].passive", "true or false"));
    EXPECT_TRUE(has_error(errors_of(with_peer("{name: n, address: nva.example, asn: 65001}")),
                          "peers[0].address", "not an IP address"));
}

TEST(ConfigValidation, RouteLimitAndGtsmKeys) {
    // Defaults: Azure's teardown, FRR's 75 % threshold, no GTSM.
    auto ok = load_text(with_peer("{name: n, address: 10.1.1.4, asn: 65001}"));
    ASSERT_TRUE(ok) << dump(ok.error());
    EXPECT_EQ(ok->peers[0].route_limit_action, azure::RouteLimitAction::Teardown);
    EXPECT_EQ(ok->peers[0].route_limit_warning_percent, 75U);
    EXPECT_FALSE(ok->peers[0].gtsm);
    for (const char* bad : {"0", "101", "300"}) {
        const Errors e = errors_of(
            with_peer(std::string("{name: n, address: 10.1.1.4, asn: 65001, route_limit_warning_percent: ") +
                      bad + "}"));
        EXPECT_TRUE(has_error(e, "peers[0].route_limit_warning_percent", "must be 1..100")) << bad << dump(e);
    }
    EXPECT_TRUE(has_error(
        errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, route_limit_warning_percent: high}")),
        "peers[0].route_limit_warning_percent", "not a non-negative whole number"));
    EXPECT_TRUE(
        has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, route_limit_action: drop}")),
                  "peers[0].route_limit_action", "not one of: teardown, warn"));
    EXPECT_TRUE(has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, gtsm: yes please}")),
                          "peers[0].gtsm", "true or false"));
    for (const char* edge : {"1", "100"}) {
        auto r = load_text(
            with_peer(std::string("{name: n, address: 10.1.1.4, asn: 65001, route_limit_warning_percent: ") +
                      edge + "}"));
        EXPECT_TRUE(r) << edge;
    }
}

TEST(ConfigLoad, GracefulRestartIsOnByDefaultAndEveryKeyIsRead) {
    const PeerConfig defaults;
    EXPECT_TRUE(defaults.graceful_restart.enabled);
    EXPECT_EQ(defaults.graceful_restart.restart_time, 120);
    EXPECT_EQ(defaults.graceful_restart.stale_path_time, 360);
    EXPECT_TRUE(defaults.graceful_restart.notification);
    EXPECT_EQ(defaults.graceful_restart.long_lived_stale_time, 0U);  // LLGR off unless asked for
    auto r =
        load_text(with_peer("{name: n, address: 10.1.1.4, asn: 65001, graceful_restart: {enabled: false, "
                            "restart_time: 5, stale_path_time: 10, notification: false, "
                            "long_lived_stale_time: 86400}}"));
    ASSERT_TRUE(r) << dump(r.error());
    const auto& gr = r->peers[0].graceful_restart;
    EXPECT_FALSE(gr.enabled);
    EXPECT_EQ(gr.restart_time, 5);
    EXPECT_EQ(gr.stale_path_time, 10);
    EXPECT_FALSE(gr.notification);
    EXPECT_EQ(gr.long_lived_stale_time, 86400U);
}

TEST(ConfigValidation, GracefulRestartErrorsNameTheField) {
    const auto peer = [](const std::string& gr) {
        return with_peer("{name: n, address: 10.1.1.4, asn: 65001, graceful_restart: " + gr + "}");
    };
    EXPECT_TRUE(has_error(errors_of(peer("{restart_time: 4096}")), "peers[0].graceful_restart.restart_time",
                          "0-4095"));
    EXPECT_TRUE(has_error(errors_of(peer("{stale_path_time: 0}")),
                          "peers[0].graceful_restart.stale_path_time", "1-3600"));
    EXPECT_TRUE(
        has_error(errors_of(peer("{stale_path_time: 3601}")), "peers[0].graceful_restart.stale_path_time"));
    EXPECT_TRUE(has_error(errors_of(peer("{long_lived_stale_time: 16777216}")),
                          "peers[0].graceful_restart.long_lived_stale_time", "0-16777215"));
    EXPECT_TRUE(has_error(errors_of(peer("{enabled: maybe}")), "peers[0].graceful_restart.enabled"));
    EXPECT_TRUE(
        has_error(errors_of(peer("{restart: 5}")), "peers[0].graceful_restart.restart", "unknown key"));
    EXPECT_TRUE(has_error(errors_of(peer("5")), "peers[0].graceful_restart", "expected a map"));
    EXPECT_TRUE(errors_of(peer("{restart_time: 0}")).empty());  // 0: the peer keeps nothing of ours
}

TEST(ConfigValidation, RequiredPeerKeys) {
    const Errors e = errors_of(with_peer("{port: 179}"));
    EXPECT_TRUE(has_error(e, "peers[0].name", "is required")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[0].address", "is required")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[0].asn", "is required")) << dump(e);
}

// ------------------------------------------------------------------------------------------ route server

TEST(ConfigValidation, ListenAddresses) {
    Errors e = errors_of("route_server:\n  listen: [10.1.255.4, not-an-ip]\n");
    EXPECT_TRUE(has_error(e, "route_server.listen[1]", "not an IP address")) << dump(e);
    e = errors_of("route_server:\n  listen: [10.1.255.4, 10.1.255.4]\n");
    EXPECT_TRUE(has_error(e, "route_server.listen[1]", "listed twice")) << dump(e);
    e = errors_of("route_server:\n  listen: []\n");
    EXPECT_TRUE(has_error(e, "route_server.listen", "at least one")) << dump(e);
    e = errors_of("route_server:\n  asn: 65515\n");
    EXPECT_TRUE(has_error(e, "route_server.listen", "is required")) << dump(e);
    e = errors_of("route_server:\n  listen: ['2001:db8::4']\n");
    EXPECT_TRUE(has_error(e, "route_server.router_id", "no listen address is IPv4")) << dump(e);
    e = errors_of("route_server:\n  listen: ['2001:db8::4']\n  router_id: 1.1.1.1\n");
    EXPECT_TRUE(e.empty()) << dump(e);
    e = errors_of("route_server:\n  listen: [10.1.255.4]\n  router_id: '2001:db8::1'\n");
    EXPECT_TRUE(has_error(e, "route_server.router_id", "IPv4")) << dump(e);
}

TEST(ConfigValidation, Timers) {
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], hold_time: 2}\n"),
                          "route_server.hold_time"));
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], keepalive: 180}\n"),
                          "route_server.keepalive", "less than hold_time"));
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], keepalive: 0}\n"),
                          "route_server.keepalive"));
    EXPECT_TRUE(errors_of("route_server: {listen: [10.1.255.4], keepalive: 0, hold_time: 0}\n").empty());
    EXPECT_TRUE(
        has_error(errors_of("route_server: {listen: [10.1.255.4], idle_hold: 60, idle_hold_max: 30}\n"),
                  "route_server.idle_hold_max"));
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], max_output_mib: 0}\n"),
                          "route_server.max_output_mib"));
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], max_output_mib: 70000}\n"),
                          "route_server.max_output_mib"));
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], refresh_stale_time: 0}\n"),
                          "route_server.refresh_stale_time", "1-3600"));
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], refresh_stale_time: 3601}\n"),
                          "route_server.refresh_stale_time"));
    EXPECT_TRUE(
        has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, extended_messages: maybe}")),
                  "peers[0].extended_messages"));
    EXPECT_TRUE(
        has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, enhanced_route_refresh: 2}")),
                  "peers[0].enhanced_route_refresh"));
    EXPECT_TRUE(errors_of("route_server: {listen: [10.1.255.4], port: 0}\n").empty());  // any free port
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], port: 70000}\n"),
                          "route_server.port", "out of range"));
}

TEST(ConfigValidation, EnumsNameTheirValues) {
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], mode: bird}\n"),
                          "route_server.mode", "azure, transparent"));
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4], route_counting: strict}\n"),
                          "route_server.route_counting", "distinct, azure-strict"));
    EXPECT_TRUE(has_error(errors_of(with_peer("{name: n, address: 10.1.1.4, asn: 65001, add_path: all}")),
                          "peers[0].add_path", "none, receive, send, both"));
}

TEST(ConfigValidation, ApiOffLoopbackNeedsToken) {
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4]}\napi: {listen: 0.0.0.0}\n"),
                          "api.token", "not a loopback"));
    EXPECT_TRUE(
        errors_of("route_server: {listen: [10.1.255.4]}\napi: {listen: 0.0.0.0, token: t}\n").empty());
    EXPECT_TRUE(errors_of("route_server: {listen: [10.1.255.4]}\napi: {listen: 127.0.0.2}\n").empty());
}

TEST(ConfigValidation, Emulator) {
    EXPECT_TRUE(has_error(errors_of("route_server: {listen: [10.1.255.4]}\nemulator: {vms_per_host: 0}\n"),
                          "emulator.vms_per_host"));
    EXPECT_TRUE(
        has_error(errors_of("route_server: {listen: [10.1.255.4]}\nemulator: {enabled: true, workers: 0}\n"),
                  "emulator.workers"));
}

Errors emulator_errors(const std::string& fields) {
    return errors_of("route_server: {listen: [10.1.255.4]}\nemulator: {" + fields + "}\n");
}

TEST(ConfigLoad, EmulatorTrafficAndLabSettingsKeepTodaysDefaults) {
    auto r = load_text("route_server: {listen: [10.1.255.4]}\nemulator: {enabled: true}\n");
    ASSERT_TRUE(r) << dump(r.error());
    const EmulatorConfig& e = r->emulator;
    EXPECT_EQ(e.flows_per_vm, 4U);
    EXPECT_EQ(e.flows6_per_vm, 0U);  // no IPv6 traffic unless asked for
    EXPECT_EQ(e.burst, 32U);
    EXPECT_EQ(e.pass_target_us, 400U);
    EXPECT_FALSE(e.lab_address.has_value());
    EXPECT_FALSE(e.lab_address6.has_value());
    EXPECT_EQ(e.neighbor_retry_ms, 50U);
    EXPECT_EQ(e.neighbor_reachable_ms, 30000U);
}

TEST(ConfigLoad, EmulatorTrafficAndLabSettingsAreRead) {
    auto r = load_text(R"(
route_server: {listen: [10.1.255.4]}
emulator:
  flows_per_vm: 8
  flows6_per_vm: 2
  burst: 16
  pass_target_us: 200
  lab_address: 10.1.1.10
  lab_address6: "fd00:1:1::a"
  neighbor_retry_ms: 20
  neighbor_reachable_ms: 5000
)");
    ASSERT_TRUE(r) << dump(r.error());
    const EmulatorConfig& e = r->emulator;
    EXPECT_EQ(e.flows_per_vm, 8U);
    EXPECT_EQ(e.flows6_per_vm, 2U);
    EXPECT_EQ(e.burst, 16U);
    EXPECT_EQ(e.pass_target_us, 200U);
    ASSERT_TRUE(e.lab_address.has_value());
    EXPECT_EQ(e.lab_address->to_string(), "10.1.1.10");
    ASSERT_TRUE(e.lab_address6.has_value());
    EXPECT_EQ(e.lab_address6->to_string(), "fd00:1:1::a");
    EXPECT_EQ(e.neighbor_retry_ms, 20U);
    EXPECT_EQ(e.neighbor_reachable_ms, 5000U);

    // The limits themselves are accepted: IPv6 only, fixed bursts of 1, the largest values.
    EXPECT_TRUE(emulator_errors("flows_per_vm: 0, flows6_per_vm: 256, burst: 1, pass_target_us: 0").empty());
    EXPECT_TRUE(emulator_errors("flows_per_vm: 256, burst: 64, pass_target_us: 100000").empty());
    EXPECT_TRUE(emulator_errors("burst: 4, neighbor_retry_ms: 1, neighbor_reachable_ms: 10").empty());
    EXPECT_TRUE(emulator_errors("neighbor_retry_ms: 60000, neighbor_reachable_ms: 3600000").empty());
    EXPECT_TRUE(emulator_errors("lab_address6: \"fe80::1\"").empty());  // link-local: a usual NS source
}

TEST(ConfigValidation, EmulatorFlowCountsOutOfRangeAreRefused) {
    Errors e = emulator_errors("flows_per_vm: 257");
    EXPECT_TRUE(has_error(e, "emulator.flows_per_vm", "0-256")) << dump(e);
    e = emulator_errors("flows6_per_vm: 1000");
    EXPECT_TRUE(has_error(e, "emulator.flows6_per_vm", "0-256")) << dump(e);
    e = emulator_errors("flows_per_vm: 0");
    EXPECT_TRUE(has_error(e, "emulator.flows_per_vm", "send nothing")) << dump(e);
    e = emulator_errors("flows6_per_vm: -1");
    EXPECT_TRUE(has_error(e, "emulator.flows6_per_vm", "not a non-negative whole number")) << dump(e);
    e = emulator_errors("flows_per_vm: many");
    EXPECT_TRUE(has_error(e, "emulator.flows_per_vm", "not a non-negative whole number")) << dump(e);
}

TEST(ConfigValidation, EmulatorBurstAndPassTargetOutOfRangeAreRefused) {
    Errors e = emulator_errors("burst: 0");
    EXPECT_TRUE(has_error(e, "emulator.burst", "1-64")) << dump(e);
    e = emulator_errors("burst: 65");
    EXPECT_TRUE(has_error(e, "emulator.burst", "1-64")) << dump(e);
    e = emulator_errors("burst: 2");  // the default pass target scales bursts from 4 up
    EXPECT_TRUE(has_error(e, "emulator.burst", "pass_target_us: 0")) << dump(e);
    EXPECT_TRUE(emulator_errors("burst: 2, pass_target_us: 0").empty());
    e = emulator_errors("burst: 1, pass_target_us: 0, flows6_per_vm: 1");
    EXPECT_TRUE(has_error(e, "emulator.burst", "at least 2")) << dump(e);
    e = emulator_errors("pass_target_us: 100001");
    EXPECT_TRUE(has_error(e, "emulator.pass_target_us", "0-100000")) << dump(e);
}

TEST(ConfigValidation, EmulatorLabAddressesMustBeUnicastOfTheirFamily) {
    Errors e = emulator_errors("lab_address: \"fd00::a\"");
    EXPECT_TRUE(has_error(e, "emulator.lab_address", "not an IPv4 address")) << dump(e);
    e = emulator_errors("lab_address6: 10.1.1.10");
    EXPECT_TRUE(has_error(e, "emulator.lab_address6", "not an IPv6 address")) << dump(e);
    e = emulator_errors("lab_address: 10.1.1");
    EXPECT_TRUE(has_error(e, "emulator.lab_address", "not an IP address")) << dump(e);
    for (const char* bad :
         {"0.0.0.0", "127.0.0.1", "224.0.0.5", "239.1.1.1", "240.0.0.1", "255.255.255.255"}) {
        e = emulator_errors(std::string("lab_address: ") + bad);
        EXPECT_TRUE(has_error(e, "emulator.lab_address", "not an IPv4 unicast address")) << bad << dump(e);
    }
    for (const char* bad : {"::", "::1", "ff02::1", "ff05::1:3"}) {
        e = emulator_errors(std::string("lab_address6: \"") + bad + "\"");
        EXPECT_TRUE(has_error(e, "emulator.lab_address6", "not an IPv6 unicast address")) << bad << dump(e);
    }
}

TEST(ConfigValidation, EmulatorNeighbourTimersOutOfRangeAreRefused) {
    Errors e = emulator_errors("neighbor_retry_ms: 0");
    EXPECT_TRUE(has_error(e, "emulator.neighbor_retry_ms", "1-60000")) << dump(e);
    e = emulator_errors("neighbor_retry_ms: 60001");
    EXPECT_TRUE(has_error(e, "emulator.neighbor_retry_ms", "1-60000")) << dump(e);
    e = emulator_errors("neighbor_reachable_ms: 9");
    EXPECT_TRUE(has_error(e, "emulator.neighbor_reachable_ms", "10-3600000")) << dump(e);
    e = emulator_errors("neighbor_reachable_ms: 3600001");
    EXPECT_TRUE(has_error(e, "emulator.neighbor_reachable_ms", "10-3600000")) << dump(e);
    e = emulator_errors("neighbor_reachable_ms: 5000000000");  // past 32 bits: refused by the parser
    EXPECT_TRUE(has_error(e, "emulator.neighbor_reachable_ms", "out of range")) << dump(e);
}

// ------------------------------------------------------------------------------------------ structure

TEST(ConfigParse, UnknownKeysAreRejectedWithTheirPath) {
    const Errors e = errors_of(R"(
route_server:
  listen: [10.1.255.4]
  holdtime: 90
peers:
  - {name: a, address: 10.1.1.4, asn: 65001, multihop: 2}
virtual_network:
  vnets:
    - name: hub
      address_spaces: [10.1.0.0/16]
      subnets: [{name: s, prefix: 10.1.1.0/24, nsg: x}]
colour: blue
)");
    EXPECT_TRUE(has_error(e, "route_server.holdtime", "unknown key")) << dump(e);
    EXPECT_TRUE(has_error(e, "route_server.holdtime", "did you mean 'hold_time'")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[0].multihop", "unknown key")) << dump(e);
    EXPECT_TRUE(has_error(e, "virtual_network.vnets[0].subnets[0].nsg", "unknown key")) << dump(e);
    EXPECT_TRUE(has_error(e, "colour", "unknown key")) << dump(e);
    for (const ConfigError& err : e) {
        EXPECT_EQ(err.kind, ErrorKind::UnknownKey) << err.to_string();
    }
}

TEST(ConfigParse, EveryErrorIsReportedNotJustTheFirst) {
    const Errors e = errors_of(R"(
route_server:
  listen: [10.1.255.4, bogus]
  keepalive: 500
peers:
  - {name: a, address: 10.1.1.4, asn: 65515}
  - {name: b, address: 10.1.1.4, asn: 65002}
  - {name: c, address: 10.1.1.6, asn: 65517}
  - {name: d, address: 10.1.1.7, asn: 100000}
)");
    EXPECT_TRUE(has_error(e, "route_server.listen[1]")) << dump(e);
    EXPECT_TRUE(has_error(e, "route_server.keepalive")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[0].asn", "own ASN")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[1].address", "already used")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[2].asn", "reserved by Azure")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[3].asn", "4-byte")) << dump(e);
    EXPECT_EQ(e.size(), 6U) << dump(e);
}

TEST(ConfigParse, InvalidYamlNamesTheLine) {
    const Errors e = errors_of("route_server:\n  listen: [10.1.255.4\npeers: {\n");
    ASSERT_EQ(e.size(), 1U);
    EXPECT_EQ(e[0].kind, ErrorKind::Syntax);
    EXPECT_NE(e[0].message.find("not valid YAML"), std::string::npos) << e[0].message;
    EXPECT_NE(e[0].message.find("line"), std::string::npos) << e[0].message;
}

TEST(ConfigParse, WrongTypes) {
    Errors e = errors_of("route_server: [1, 2]\n");
    EXPECT_TRUE(has_error(e, "route_server", "expected a map")) << dump(e);
    e = errors_of("route_server: {listen: 10.1.255.4}\n");
    EXPECT_TRUE(has_error(e, "route_server.listen", "expected a list")) << dump(e);
    e = errors_of("route_server: {listen: [10.1.255.4]}\npeers: {name: a}\n");
    EXPECT_TRUE(has_error(e, "peers", "expected a list")) << dump(e);
    e = errors_of("route_server: {listen: [10.1.255.4], asn: {x: 1}}\n");
    EXPECT_TRUE(has_error(e, "route_server.asn", "expected a number")) << dump(e);
    EXPECT_TRUE(has_error(errors_of(""), "", "empty"));
    EXPECT_TRUE(has_error(errors_of("just a string\n"), "", "expected a map"));
}

// ------------------------------------------------------------------------------------------ strict YAML

// yaml-cpp's nodes answer a lookup with the first of two equal keys, other YAML tools with the last: the
// same file would mean two things, so a repeated key is an error at any depth, naming both lines.
TEST(ConfigStrictYaml, DuplicateKeysAreErrorsNamingBothLines) {
    const std::string yaml =
        "route_server:\n"           // 1
        "  listen: [10.1.255.4]\n"  // 2
        "peers:\n"                  // 3
        "  - name: a\n"             // 4
        "    address: 10.1.1.4\n"   // 5
        "    asn: 65001\n"          // 6
        "    port: 42179\n"         // 7
        "    port: 99999999\n"      // 8
        "virtual_network:\n"        // 9
        "  vnets:\n"                // 10
        "    - name: hub\n"         // 11
        "      address_spaces: [10.1.0.0/16]\n"
        "      subnets: [{name: s, prefix: 10.1.1.0/24, name: t}]\n"  // 13
        "peers:\n"                                                    // 14
        "  - {name: b, address: 10.1.1.5, asn: 65515}\n";
    const Errors e = errors_of(yaml);
    EXPECT_TRUE(has_error(e, "peers[0]", "duplicate key 'port' (line 8, column 5; first at line 7)"))
        << dump(e);
    EXPECT_TRUE(has_error(e, "virtual_network.vnets[0].subnets[0]", "duplicate key 'name' (line 13"))
        << dump(e);
    EXPECT_TRUE(has_error(e, "", "duplicate key 'peers' (line 14, column 1; first at line 3)")) << dump(e);
    for (const ConfigError& err : e) {
        if (err.message.find("duplicate key") != std::string::npos) {
            EXPECT_EQ(err.kind, ErrorKind::Syntax);
        }
    }
    // The same key in different maps is no repeat.
    EXPECT_TRUE(errors_of(kMinimal).empty()) << dump(errors_of(kMinimal));
}

TEST(ConfigStrictYaml, ExplicitTagsAreErrors) {
    Errors e = errors_of("route_server: {listen: [10.1.255.4], port: !!str 5}\n");
    EXPECT_TRUE(has_error(e, "route_server.port", "explicit tag '!!str' at line 1, column 44")) << dump(e);
    e = errors_of(with_peer("{name: !nva x, address: 10.1.1.4, asn: 65001}"));
    EXPECT_TRUE(has_error(e, "peers[0].name", "explicit tag '!nva'")) << dump(e);
    e = errors_of("route_server: !!map {listen: !!seq [10.1.255.4]}\n");
    EXPECT_TRUE(has_error(e, "route_server", "explicit tag '!!map'")) << dump(e);
    EXPECT_TRUE(has_error(e, "route_server.listen", "explicit tag '!!seq'")) << dump(e);
    // Quotes are not tags.
    e = errors_of(with_peer("{name: \"nva\", address: '10.1.1.4', asn: 65001}"));
    EXPECT_TRUE(e.empty()) << dump(e);
}

TEST(ConfigStrictYaml, ASecondDocumentIsAnError) {
    Errors e = errors_of(std::string(kMinimal) + "---\nroute_server: {listen: [10.9.9.9]}\n");
    EXPECT_TRUE(has_error(e, "", "a second YAML document starts at line 7, column 1")) << dump(e);
    e = errors_of(std::string(kMinimal) + "---\n");
    EXPECT_TRUE(has_error(e, "", "second YAML document")) << dump(e);
    // An explicit start (and end) of the one document is fine.
    e = errors_of("---\n" + std::string(kMinimal) + "...\n");
    EXPECT_TRUE(e.empty()) << dump(e);
}

// ------------------------------------------------------------------------------------------ error text

bool has_nul(const Errors& errors) {
    return std::any_of(errors.begin(), errors.end(),
                       [](const ConfigError& e) { return e.to_string().find('\0') != std::string::npos; });
}

// A message is printed as a C string: a NUL from the value would cut it, so values are shown escaped.
TEST(ConfigErrorText, ControlCharactersInValuesAreShownEscapedWithTheReason) {
    Errors e = errors_of(with_peer(R"({name: "sdwan\x00evil", address: 10.1.1.4, asn: 65001})"));
    EXPECT_TRUE(has_error(e, "peers[0].name", R"('sdwan\x00evil' may hold only letters)")) << dump(e);
    e = errors_of(with_peer(R"({name: a, address: "10.1.1.4\x00", asn: "7\x7f", port: 0})"));
    EXPECT_TRUE(has_error(e, "peers[0].address", R"('10.1.1.4\x00' is not an IP address)")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[0].asn", R"('7\x7f' is not a non-negative whole number)")) << dump(e);
    e = errors_of(with_peer(R"({name: a, address: 10.1.1.4, asn: 65001, "po\x00rt": 1})"));
    EXPECT_TRUE(has_error(e, R"(peers[0].po\x00rt)", "unknown key")) << dump(e);
    e = errors_of(with_peer(R"({name: a, address: 10.1.1.4, asn: 65001})") +
                  R"(  - {name: "a\u0085", address: 10.1.1.4, asn: 65002})" + "\n");
    EXPECT_TRUE(has_error(e, "peers[1].address", R"(already used by peers[0] (a))")) << dump(e);
    EXPECT_TRUE(has_error(e, "peers[1].name", R"('a\xc2\x85' may hold)")) << dump(e);
    EXPECT_FALSE(has_nul(e));
}

TEST(ConfigErrorText, AFileThatIsNotTextSaysSoWithLineAndColumn) {
    Errors e = errors_of(std::string(64, '\0'));
    ASSERT_EQ(e.size(), 1U) << dump(e);
    EXPECT_EQ(e[0].kind, ErrorKind::Syntax);
    EXPECT_EQ(e[0].message,
              "not YAML text: control character 0x00 at line 1, column 1 (YAML allows tab, line "
              "breaks and printable characters)");
    e = errors_of(
        "route_server:\n  listen: [10.1.255.4]\n  asn: 65\x01"
        "515\n");
    EXPECT_TRUE(has_error(e, "", "control character 0x01 at line 3, column 10")) << dump(e);
    e = errors_of("route_server:\n  listen: [10.1.255.4]  # \x7f\n");
    EXPECT_TRUE(has_error(e, "", "control character 0x7f at line 2, column 27")) << dump(e);
    e = errors_of("route_server: {listen: [10.1.255.4]}\npeers: \xff\xfe\x00\x01");
    EXPECT_TRUE(has_error(e, "", "byte 0xff at line 2, column 8 is not UTF-8")) << dump(e);
    e = errors_of("route_server: {listen: [10.1.255.4]}\n# \xc3\xa9\xc2\x80\n");
    EXPECT_TRUE(has_error(e, "", "control character U+0080 at line 2, column 4")) << dump(e);
    EXPECT_FALSE(has_nul(e));
    // UTF-8 text is text: a comment in another script, a byte order mark.
    e = errors_of("\xef\xbb\xbf# r\xc3\xa9seau, \xe7\xbd\x91\xe7\xbb\x9c\n" + std::string(kMinimal));
    EXPECT_TRUE(e.empty()) << dump(e);
}

TEST(ConfigErrorText, DeepNestingSaysSoWithTheLine) {
    Errors e = errors_of("route_server: " + std::string(5000, '[') + "\n");
    ASSERT_EQ(e.size(), 1U) << dump(e);
    EXPECT_NE(e[0].message.find("nesting deeper than 64 levels at line 1,"), std::string::npos) << dump(e);
    std::string block = "route_server:\n";
    for (int depth = 1; depth < 3000; ++depth) {
        block += std::string(static_cast<std::size_t>(depth) * 2, ' ') + "k:\n";
    }
    e = errors_of(block);
    ASSERT_EQ(e.size(), 1U) << dump(e);
    EXPECT_NE(e[0].message.find("nesting deeper than 64 levels at line 65, column 129"), std::string::npos)
        << dump(e);
}

TEST(ConfigParse, VirtualNetworkStructure) {
    auto r = load_text(R"(
route_server: {listen: [10.1.255.4, 10.1.255.5]}
virtual_network:
  route_server_vnet: hub
  vnets:
    - name: hub
      address_spaces: [10.1.0.0/16]
      subnets:
        - {name: RouteServerSubnet, prefix: 10.1.255.0/27}
        - {name: workload, prefix: 10.1.1.0/24, route_table: rt1}
      peerings: [{remote_vnet: spoke}]
    - name: spoke
      address_spaces: [10.2.0.0/16]
      subnets: [{name: app, prefix: 10.2.1.0/24}]
      peerings: [{remote_vnet: hub, use_remote_route_server: true}]
  route_tables:
    - name: rt1
      propagate_gateway_routes: false
      routes:
        - {name: fw, prefix: 0.0.0.0/0, next_hop_type: VirtualAppliance, next_hop_ip: 10.1.1.10}
  vms:
    - {name: vm1, vnet: hub, subnet: workload, nic_address: 10.1.1.20, host: 3}
)");
    ASSERT_TRUE(r) << dump(r.error());
    const VirtualNetworkConfig& vn = *r->virtual_network;
    EXPECT_EQ(vn.route_server_vnet, "hub");
    ASSERT_EQ(vn.vnets.size(), 2U);
    EXPECT_EQ(vn.vnets[0].subnets[1].route_table, "rt1");
    EXPECT_TRUE(vn.vnets[1].peerings[0].use_remote_route_server);
    EXPECT_FALSE(vn.route_tables[0].propagate_gateway_routes);
    EXPECT_EQ(vn.route_tables[0].routes[0].next_hop_type, UdrNextHopType::VirtualAppliance);
    EXPECT_EQ(vn.vms[0].host, 3U);

    const Errors e = errors_of(R"(
route_server: {listen: [10.1.255.4]}
virtual_network:
  vnets:
    - name: hub
      address_spaces: [10.1.0.1/16, banana]
      subnets: [{name: s}]
  route_tables:
    - name: rt
      routes: [{name: r, prefix: 0.0.0.0/0, next_hop_type: Firewall}]
)");
    EXPECT_TRUE(has_error(e, "virtual_network.vnets[0].address_spaces[0]", "host bits")) << dump(e);
    EXPECT_TRUE(has_error(e, "virtual_network.vnets[0].address_spaces[1]", "not a prefix")) << dump(e);
    EXPECT_TRUE(has_error(e, "virtual_network.vnets[0].subnets[0].prefix", "is required")) << dump(e);
    EXPECT_TRUE(has_error(e, "virtual_network.route_tables[0].routes[0].next_hop_type", "VirtualAppliance"))
        << dump(e);
}

TEST(ConfigSchema, EveryKeyTheParserReadsIsInTheSchema) {
    // A config using every key parses without an unknown-key error, and the schema has no key the parser
    // ignores: the full config round-trips through to_yaml with the same values (checked below).
    std::set<std::string> paths;
    for (const KeyInfo& k : schema()) {
        EXPECT_TRUE(paths.insert(std::string(k.path)).second) << "duplicate schema row " << k.path;
        EXPECT_FALSE(k.description.empty()) << k.path;
    }
    EXPECT_TRUE(paths.count("peers[].asn"));
    EXPECT_TRUE(paths.count("route_server.route_counting"));
}

// ------------------------------------------------------------------------------------------ round trip

Config full_config() {
    auto r = load_text(R"(
route_server:
  asn: 65100
  router_id: 1.2.3.4
  listen: [10.1.255.4, "2001:db8::4"]
  keepalive: 20
  hold_time: 60
  route_counting: azure-strict
  four_byte_asn: true
  mode: transparent
  branch_to_branch: false
  refresh_stale_time: 45
peers:
  - {name: nva1, address: 10.1.1.4, asn: 4200000001, ttl: 2, md5_password: "p@ss \"quoted\" 'x'", route_limit: 10,
     passive: false, hold_time: 9, local_address: 10.1.255.4, add_path: receive, route_limit_action: warn,
     route_limit_warning_percent: 60, gtsm: true, extended_messages: false, enhanced_route_refresh: false,
     graceful_restart: {enabled: true, restart_time: 30, stale_path_time: 90, notification: false}}
  - {name: nva2, address: "2001:db8:1::5", asn: 65002, graceful_restart: {enabled: false}}
virtual_network:
  route_server_vnet: hub
  vnets:
    - name: hub
      address_spaces: [10.1.0.0/16]
      subnets:
        - {name: RouteServerSubnet, prefix: 10.1.255.0/27}
        - {name: workload, prefix: 10.1.1.0/24, route_table: rt1}
      peerings: [{remote_vnet: spoke}]
    - name: spoke
      address_spaces: [10.2.0.0/16]
      subnets: [{name: app, prefix: 10.2.1.0/24}]
      peerings: [{remote_vnet: hub, use_remote_route_server: true}]
  route_tables:
    - name: rt1
      propagate_gateway_routes: false
      routes:
        - {name: fw, prefix: 0.0.0.0/0, next_hop_type: VirtualAppliance, next_hop_ip: 10.1.1.10}
        - {name: blackhole, prefix: 192.0.2.0/24, next_hop_type: None}
  vms:
    - {name: vm1, vnet: hub, subnet: workload, nic_address: 10.1.1.20, host: 3}
emulator: {enabled: true, vm_count: 100, vms_per_host: 10, workers: 2, flows_per_vm: 2, flows6_per_vm: 3,
           burst: 8, pass_target_us: 0, lab_address: 10.1.1.10, lab_address6: "fd00:1:1::a",
           neighbor_retry_ms: 10, neighbor_reachable_ms: 1000, eal_args: [--no-huge, "-m 512"]}
api: {listen: "::1", port: 8080, token: "t0k3n"}
mrt:
  directory: /var/lib/routefabric/mrt
  rib_dump: {interval: 7200, file: "rib.%Y%m%d.%H%M.mrt", keep: 12}
  updates: {enabled: true, file: "updates.%Y%m%d.%H%M.mrt", rotate_interval: 300, rotate_bytes: 1000000,
            keep: 10, buffer_bytes: 1048576}
)");
    EXPECT_TRUE(r) << dump(r.error());
    return *r;
}

TEST(ConfigMrt, FileNamesStayInTheDirectoryAndTheDirectoryIsRequired) {
    auto e = load_text(std::string(kMinimal) +
                       "mrt:\n  rib_dump: {interval: 60, file: ../../etc/rib.mrt}\n"
                       "  updates: {buffer_bytes: 100}\n");
    ASSERT_FALSE(e);
    EXPECT_TRUE(has_error(e.error(), "mrt.directory", "is required")) << dump(e.error());
    EXPECT_TRUE(has_error(e.error(), "mrt.rib_dump.file", "not a file name")) << dump(e.error());
    EXPECT_TRUE(has_error(e.error(), "mrt.updates.buffer_bytes", "at least 65536")) << dump(e.error());
    auto unknown = load_text(std::string(kMinimal) + "mrt:\n  directory: /tmp\n  updates: {rotate: 5}\n");
    ASSERT_FALSE(unknown);
    EXPECT_TRUE(has_error(unknown.error(), "mrt.updates.rotate", "")) << dump(unknown.error());
    auto ok = load_text(std::string(kMinimal) + "mrt:\n  directory: /srv/mrt\n  updates: {enabled: true}\n");
    ASSERT_TRUE(ok) << dump(ok.error());
    EXPECT_TRUE(ok->mrt.updates.enabled);
    EXPECT_EQ(ok->mrt.updates.rotate_interval, 900U);
    EXPECT_EQ(ok->mrt.rib_dump.interval, 0U);
}

TEST(ConfigRoundTrip, LoadSaveLoadGivesTheSameConfig) {
    const Config original = full_config();
    const std::string yaml = to_yaml(original);
    auto again = load_text(yaml);
    ASSERT_TRUE(again) << dump(again.error()) << yaml;
    EXPECT_EQ(*again, original) << yaml;
    EXPECT_EQ(to_yaml(*again), yaml);  // stable output

    auto minimal = load_text(kMinimal);
    ASSERT_TRUE(minimal);
    auto minimal_again = load_text(to_yaml(*minimal));
    ASSERT_TRUE(minimal_again) << to_yaml(*minimal);
    EXPECT_EQ(*minimal_again, *minimal);
}

// Strings holding control characters (C0, DEL, C1), separators and other scripts: the values the API
// may store and the emitter must write so that they read back the same.
Config config_with_control_characters() {
    Config c = full_config();
    c.peers[0].md5_password = std::string("pa\x7fss\x01\tw\x00rd", 11) + "\xc2\x85\xc2\x9f\xe2\x80\xa8";
    c.api.token = "t\x7f\x1b[0m\n";
    c.emulator.eal_args = {"--log-level=\x7f", "-a\xc2\x80"};
    c.virtual_network->vnets[0].name = "hub\x7f";
    c.virtual_network->route_server_vnet = "hub\x7f";
    c.virtual_network->vms[0].vnet = "hub\x7f";
    c.virtual_network->route_tables[0].name = "r\xc3\xa9seau\x7f";
    return c;
}

// Every byte of the emitted file is YAML text: no control character but the line breaks.
TEST(ConfigRoundTrip, ControlCharactersInStringsAreWrittenEscapedAndReadBackTheSame) {
    const Config original = config_with_control_characters();
    const std::string yaml = to_yaml(original);
    for (std::size_t i = 0; i < yaml.size(); ++i) {
        const auto b = static_cast<unsigned char>(yaml[i]);
        ASSERT_TRUE(b >= 0x20 || b == '\n') << "byte " << int{b} << " at " << i << "\n" << yaml;
        ASSERT_NE(b, 0x7F) << "DEL at " << i << "\n" << yaml;
        ASSERT_FALSE(b == 0xC2 && i + 1 < yaml.size() && static_cast<unsigned char>(yaml[i + 1]) < 0xA0)
            << "C1 control at " << i << "\n"
            << yaml;
    }
    Config again;
    const Errors e = parse_yaml(yaml, again);
    ASSERT_TRUE(e.empty()) << dump(e) << yaml;
    EXPECT_EQ(again, original) << yaml;
    // Strings without control characters keep their plain spelling.
    EXPECT_NE(to_yaml(full_config()).find("name: nva1"), std::string::npos) << to_yaml(full_config());
}

std::string hex(std::string_view s) {
    std::string out;
    char byte[3];
    for (const char c : s) {
        std::snprintf(byte, sizeof byte, "%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += byte;
    }
    return out;
}

// Other tools read the file too: PyYAML (when python3-yaml is installed) loads it and gets the same
// strings.
TEST(ConfigRoundTrip, PyYamlReadsTheEmittedFileWithTheSameStrings) {
    if (std::system("python3 -c 'import yaml' >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "python3 with the yaml module is not installed";
    }
    TempDir dir;
    const std::string path = dir.file("routefabric.yaml");
    const Config c = config_with_control_characters();
    ASSERT_EQ(save_file(path, c), std::nullopt);
    const std::string script =
        "import sys, yaml\n"
        "d = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n"
        "vn = d['virtual_network']\n"
        "for s in [d['peers'][0]['md5_password'], d['api']['token'], d['emulator']['eal_args'][0],\n"
        "          d['emulator']['eal_args'][1], vn['vnets'][0]['name'], vn['route_tables'][0]['name']]:\n"
        "    print(s.encode('utf-8').hex())\n";
    const std::string script_path = dir.file("read.py");
    std::ofstream(script_path) << script;
    FILE* out = ::popen(("python3 " + script_path + " " + path + " 2>&1").c_str(), "r");
    ASSERT_NE(out, nullptr);
    std::string printed;
    char buf[4096];
    while (const std::size_t n = std::fread(buf, 1, sizeof buf, out)) {
        printed.append(buf, n);
    }
    ASSERT_EQ(::pclose(out), 0) << printed;
    const std::string expected = hex(c.peers[0].md5_password) + "\n" + hex(c.api.token) + "\n" +
                                 hex(c.emulator.eal_args[0]) + "\n" + hex(c.emulator.eal_args[1]) + "\n" +
                                 hex(c.virtual_network->vnets[0].name) + "\n" +
                                 hex(c.virtual_network->route_tables[0].name) + "\n";
    EXPECT_EQ(printed, expected);
}

TEST(ConfigRoundTrip, SaveFileThenLoadFile) {
    TempDir dir;
    const std::string path = dir.file("routefabric.yaml");
    const Config original = full_config();
    ASSERT_EQ(save_file(path, original), std::nullopt);
    auto loaded = load_file(path);
    ASSERT_TRUE(loaded) << dump(loaded.error());
    EXPECT_EQ(*loaded, original);
    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_read,
              std::filesystem::perms::none);
    // No temporary file is left behind.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
        ++files;
    }
    EXPECT_EQ(files, 1U);
}

TEST(ConfigRoundTrip, SaveIntoMissingDirectoryFailsAndSaysWhy) {
    const auto err = save_file("/nonexistent-dir-for-rf-test/x.yaml", full_config());
    ASSERT_TRUE(err.has_value());
    EXPECT_NE(err->find("cannot create"), std::string::npos) << *err;
}

TEST(ConfigFile, MissingFileIsReported) {
    auto r = load_file("/nonexistent-dir-for-rf-test/x.yaml");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error()[0].message.find("cannot read"), std::string::npos);
}

// A child rewrites the file in a loop, alternating two different valid configurations, and is killed
// with SIGKILL at a random moment; the file must parse as one of the two, every time.
TEST(ConfigAtomicity, KillDuringWriteLeavesAValidFile) {
    TempDir dir;
    const std::string path = dir.file("routefabric.yaml");
    Config a = full_config();
    Config b = a;
    for (int i = 0; i < 200; ++i) {  // a bigger file makes a torn write more likely if writes were not atomic
        b.virtual_network->vms.push_back(
            Vm{"vm-b" + std::to_string(i), "hub", "workload",
               net::IpAddress::v4(net::Ipv4Address{0x0A010100U + 30U + static_cast<unsigned>(i)}), 0});
    }
    ASSERT_EQ(save_file(path, a), std::nullopt);
    for (int round = 0; round < 5; ++round) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            for (int i = 0; i < 100000; ++i) {  // bounded; killed long before
                if (save_file(path, (i % 2) != 0 ? a : b)) {
                    ::_exit(1);
                }
            }
            ::_exit(0);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + 17 * round));
        ASSERT_EQ(::kill(child, SIGKILL), 0);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFSIGNALED(status)) << "the writer finished before it was killed";
        auto loaded = load_file(path);
        ASSERT_TRUE(loaded) << "round " << round << ": " << dump(loaded.error());
        EXPECT_TRUE(*loaded == a || *loaded == b) << "round " << round;
    }
}

// A writer killed before its rename leaves `<file>.tmp.<pid>` (holding the whole configuration, MD5
// passwords included); the next write removes those of processes that no longer run, and only those.
TEST(ConfigAtomicity, TempFilesOfDeadWritersAreRemovedByTheNextWrite) {
    TempDir dir;
    const std::string path = dir.file("routefabric.yaml");
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::_exit(0);
    }
    ASSERT_EQ(::waitpid(child, nullptr, 0), child);  // `child` is now a pid without a process
    const std::string dead = path + ".tmp." + std::to_string(child);
    const std::string live = path + ".tmp." + std::to_string(::getppid());
    const std::string not_a_pid = path + ".tmp.backup";
    const std::string other_file = dir.file("other.yaml.tmp." + std::to_string(child));
    for (const std::string& f : {dead, live, not_a_pid, other_file}) {
        std::ofstream(f) << "md5_password: \"secret\"\n";
    }

    ASSERT_EQ(save_file(path, full_config()), std::nullopt);
    EXPECT_FALSE(std::filesystem::exists(dead));
    EXPECT_TRUE(std::filesystem::exists(live));
    EXPECT_TRUE(std::filesystem::exists(not_a_pid));
    EXPECT_TRUE(std::filesystem::exists(other_file));
}

// The file is 0600 however it is written: with no umask, and over a world-readable leftover of a
// temporary file that happens to carry this process's pid.
TEST(ConfigAtomicity, SavedFileIsPrivateEvenOverAWorldReadableLeftover) {
    TempDir dir;
    const std::string path = dir.file("routefabric.yaml");
    const std::string leftover = path + ".tmp." + std::to_string(::getpid());
    std::ofstream(leftover) << "old\n";
    std::filesystem::permissions(leftover, std::filesystem::perms::all);
    const mode_t old_mask = ::umask(0);
    const auto err = save_file(path, full_config());
    ::umask(old_mask);
    ASSERT_EQ(err, std::nullopt);
    EXPECT_EQ(std::filesystem::status(path).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_FALSE(std::filesystem::exists(leftover));
    EXPECT_TRUE(load_file(path));
}

// ------------------------------------------------------------------------------------------ store

TEST(ConfigStore, ReplaceValidatesAndPersists) {
    TempDir dir;
    const std::string path = dir.file("c.yaml");
    ConfigStore store(full_config(), path);
    auto r = store.update([](Config& c) {
        PeerConfig p;
        p.name = "nva3";
        p.address = *net::IpAddress::parse("10.1.1.9");
        p.asn = 65003;
        c.peers.push_back(p);
    });
    ASSERT_TRUE(r) << dump(r.error());
    auto loaded = load_file(path);
    ASSERT_TRUE(loaded);
    EXPECT_NE(loaded->find_peer("nva3"), nullptr);

    auto bad = store.update([](Config& c) { c.peers[0].asn = 65517; });
    ASSERT_FALSE(bad);
    EXPECT_TRUE(has_error(bad.error(), "peers[0].asn", "reserved by Azure"));
    EXPECT_EQ(store.snapshot().peers[0].asn, 4200000001U);  // unchanged
    EXPECT_EQ(load_file(path)->peers[0].asn, 4200000001U);
}

}  // namespace
}  // namespace rf::config
