// routefabricd's /metrics with real peers on loopback: a GoBGP NVA announcing routes and a raw peer
// whose routes carry the route server's own ASN (filtered, AS loop). Every scrape passes `promtool check
// metrics`; the per-peer counters equal what the peers sent (GoBGP's own message statistics for its
// UPDATEs); the peering deleted and created again through the REST API keeps counting from where it was.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "daemon/api/http_client.hpp"
#include "tests/control/server/support/nva.hpp"
#include "tests/control/server/support/nva_suite.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

// One sample's value by its exact series text (`name{labels}` as rendered); -1 when absent.
double sample(const std::string& text, const std::string& series) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(series + " ", 0) == 0) {
            return std::stod(line.substr(series.size() + 1));
        }
    }
    return -1;
}

// Every counter sample (`*_total` series) of the text: series → value.
std::map<std::string, double> counters(const std::string& text) {
    std::map<std::string, double> out;
    std::istringstream in(text);
    std::string line;
    const std::regex counter(R"(^(\w+_total(\{[^}]*\})?) (\S+)$)");
    std::smatch m;
    while (std::getline(in, line)) {
        if (std::regex_match(line, m, counter)) {
            out[m[1]] = std::stod(m[3]);
        }
    }
    return out;
}

std::string promtool() {
    return std::system("command -v promtool >/dev/null 2>&1") == 0 ? "promtool" : "";
}

// `promtool check metrics` on `text`: its complaints, empty when it found none.
std::string promtool_problems(TempDir& dir, const std::string& text) {
    write_file(dir.file("scrape.txt"), text);
    const std::string out = dir.file("promtool.out");
    const int rc =
        std::system(("promtool check metrics < " + dir.file("scrape.txt") + " > " + out + " 2>&1").c_str());
    const std::string said = read_file(out);
    return rc == 0 && said.find_first_not_of(" \n") == std::string::npos
               ? ""
               : "exit " + std::to_string(rc) + ": " + said;
}

class MetricsDaemon : public ::testing::Test {
protected:
    std::string scrape() const {
        const auto r = api::http_request(api::ServerUrl{"127.0.0.1", api_}, "GET", "/metrics");
        return r && r->status == 200 ? r->body : std::string();
    }
    std::string request(const std::string& method, const std::string& target,
                        const std::string& body = {}) const {
        const auto r = api::http_request(api::ServerUrl{"127.0.0.1", api_}, method, target, body);
        return r ? std::to_string(r->status) + " " + r->body : r.error();
    }
    std::uint16_t api_ = 0;
};

TEST_F(MetricsDaemon, PerPeerCountersMatchWhatThePeersSentPassPromtoolAndSurviveRecreation) {
    if (const std::string why = daemon_binaries_missing(false); !why.empty()) {
        GTEST_SKIP() << why;
    }
    if (gobgpd_binary().empty() || promtool().empty()) {
        GTEST_SKIP() << "needs gobgpd and promtool (Debian gobgpd, prometheus)";
    }
    TempDir dir("rf-metrics");
    const std::string rs = loopback(70);
    const std::uint16_t port = free_port(rs);
    api_ = free_port("127.0.0.1");
    const std::string gobgp_peer =
        "{name: gobgp71, address: " + loopback(71) + ", asn: 65071, passive: true}";
    write_file(dir.file("rf.yaml"),
               "route_server:\n  router_id: 10.255.0.70\n  listen: [" + rs +
                   "]\n  port: " + std::to_string(port) + "\npeers:\n  - " + gobgp_peer +
                   "\n  - {name: raw72, address: " + loopback(72) +
                   ", asn: 65072, passive: true}\napi:\n  port: " + std::to_string(api_) + "\n");
    Process daemon;
    ASSERT_TRUE(start_routefabricd(daemon, dir.file("rf.yaml"), dir.file("rf.log"), {"--no-fib"}));

    std::vector<NvaRoute> routes;
    for (int i = 0; i < 5; ++i) {
        routes.push_back({"10.71." + std::to_string(i) + ".0/24", "100.64.0.71", {}, {}, 0});
    }
    GobgpNva gobgp(nva_spec("gobgp71", loopback(71), 71, 65071, routes, {rs}, port));
    std::filesystem::create_directories(dir.file("gobgp"));
    ASSERT_TRUE(gobgp.start(dir.file("gobgp")));

    RawPeer raw;  // two UPDATEs: one accepted prefix, then two whose AS_PATH holds 65515 (AS loop)
    ASSERT_TRUE(wait_until([&] { return raw.connect(loopback(72), rs, port, 500ms); }, 10s, 100ms));
    ASSERT_TRUE(raw.handshake(65072, "10.0.0.72"));
    ASSERT_TRUE(raw.announce({"10.72.0.0/24"}, loopback(72), {65072}));
    ASSERT_TRUE(raw.announce({"10.72.1.0/24", "10.72.2.0/24"}, loopback(72), {65072, 65515}));

    const std::string g = "{peer=\"gobgp71\"}";
    const std::string r = "{peer=\"raw72\"}";
    std::string text;
    ASSERT_TRUE(wait_until(
        [&] {
            text = scrape();
            return sample(text, "routefabric_peer_prefixes_received_total" + g) == 5 &&
                   sample(text, "routefabric_peer_prefixes_received_total" + r) == 3;
        },
        30s, 200ms))
        << text;
    EXPECT_EQ(promtool_problems(dir, text), "");

    // GoBGP says how many UPDATEs it sent (its End-of-RIB included); the route server read as many.
    std::smatch m;
    std::string neighbor;
    ASSERT_TRUE(wait_until(
        [&] {
            neighbor = gobgp.cli({"neighbor", rs});
            return std::regex_search(neighbor, m, std::regex(R"(Updates:\s+(\d+)\s+(\d+))"));
        },
        10s, 200ms))
        << neighbor;
    EXPECT_EQ(sample(text, "routefabric_peer_updates_received_total" + g), std::stod(m[1])) << neighbor;
    EXPECT_EQ(sample(text, "routefabric_peer_prefixes_accepted_total" + g), 5);
    EXPECT_EQ(sample(text, "routefabric_peer_best_prefixes" + g), 5);
    EXPECT_EQ(sample(text, "routefabric_peer_state{peer=\"gobgp71\",state=\"established\"}"), 1);
    EXPECT_EQ(sample(text, "routefabric_peer_state{peer=\"gobgp71\",state=\"idle\"}"), 0);
    EXPECT_EQ(sample(text, "routefabric_peer_established_sessions" + g), 1);
    EXPECT_GE(sample(text, "routefabric_peer_uptime_seconds" + g), 0);

    EXPECT_EQ(sample(text, "routefabric_peer_updates_received_total" + r), 2);
    EXPECT_EQ(sample(text, "routefabric_peer_prefixes_accepted_total" + r), 1);
    EXPECT_EQ(sample(text, "routefabric_peer_prefixes_filtered_total{peer=\"raw72\",reason=\"as_loop\"}"), 2);
    EXPECT_EQ(sample(text, "routefabric_peer_best_prefixes" + r), 1);
    EXPECT_EQ(sample(text, "routefabric_peer_flaps_total" + r), 0);

    // The process and io-loop families are there.
    EXPECT_GT(sample(text, "process_resident_memory_bytes"), 0);
    EXPECT_GT(sample(text, "process_open_fds"), 0);
    EXPECT_GT(sample(text, "process_start_time_seconds"), 0);
    EXPECT_NE(text.find("routefabric_io_loop_lag_seconds_count "), std::string::npos);

    // Delete the GoBGP peering (Cease / Peer De-configured goes out), then create it again.
    const std::map<std::string, double> before = counters(text);
    ASSERT_EQ(request("DELETE", "/api/v1/peerings/gobgp71").substr(0, 3), "200");
    ASSERT_TRUE(wait_until(
        [&] {
            text = scrape();
            return sample(text, "routefabric_peer_flaps_total" + g) == 1;
        },
        10s, 200ms))
        << text;
    EXPECT_EQ(sample(text,
                     "routefabric_peer_notifications_total{peer=\"gobgp71\",direction=\"sent\",code=\"6\","
                     "subcode=\"3\"}"),
              1)
        << text;
    EXPECT_EQ(sample(text, "routefabric_peer_state{peer=\"gobgp71\",state=\"established\"}"), -1)
        << "a removed peer has no state";
    EXPECT_EQ(sample(text, "routefabric_peer_prefixes_received_total" + g), 5) << "its counters stay";
    const std::string created = request(
        "POST", "/api/v1/peerings",
        R"({"name": "gobgp71", "peerIp": ")" + loopback(71) + R"(", "peerAsn": 65071, "passive": true})");
    ASSERT_EQ(created.substr(0, 3), "201") << created;
    ASSERT_TRUE(wait_until(
        [&] {
            text = scrape();
            return sample(text, "routefabric_peer_prefixes_received_total" + g) == 10;
        },
        60s, 250ms))
        << text;
    EXPECT_EQ(promtool_problems(dir, text), "");
    EXPECT_EQ(sample(text, "routefabric_peer_state{peer=\"gobgp71\",state=\"established\"}"), 1);
    EXPECT_EQ(sample(text, "routefabric_peer_best_prefixes" + g), 5);
    for (const auto& [series, value] : counters(text)) {
        const auto was = before.find(series);
        if (was != before.end()) {
            EXPECT_GE(value, was->second) << series << " went down across the peering's re-creation";
        }
    }
    for (const auto& [series, value] : before) {
        EXPECT_TRUE(counters(text).count(series) != 0) << series << " disappeared";
    }
    gobgp.stop();
    daemon.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !daemon.running(); }, 15s));
}

}  // namespace
}  // namespace rf::testing
