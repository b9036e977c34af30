// routefabricd --log-format json: every line the daemon writes in a run with real BGP sessions (raw
// peers on loopback: OPEN, UPDATEs, a peer dropping its connection, a SIGHUP reload, an unknown
// address refused, SIGTERM) is one JSON object with the stable keys time (RFC 3339, UTC, microseconds),
// level, event, peer, reason and message; session transitions carry the peer and the reason.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

using Json = nlohmann::json;

TEST(JsonLog, EveryLineOfARunIsOneJsonObjectWithTheStableKeys) {
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-jsonlog");
    const std::string rs = loopback(60);
    const std::uint16_t port = free_port(rs);
    const std::uint16_t api = free_port("127.0.0.1");
    const std::string cfg = "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs +
                            "]\n  port: " + std::to_string(port) +
                            "\npeers:\n  - {name: nva61, address: " + loopback(61) +
                            ", asn: 65061}\napi:\n  port: " + std::to_string(api) + "\n";
    write_file(dir.file("rf.yaml"), cfg);
    Process daemon;
    ASSERT_TRUE(start_routefabricd(daemon, dir.file("rf.yaml"), dir.file("rf.log"),
                                   {"--no-fib", "--log-format", "json"}));
    const Rfctl rfctl("http://127.0.0.1:" + std::to_string(api));
    {
        RawPeer nva;
        ASSERT_TRUE(wait_until([&] { return nva.connect(loopback(61), rs, port, 500ms); }, 10s, 100ms));
        ASSERT_TRUE(nva.handshake(65061, "10.0.0.61"));
        ASSERT_TRUE(nva.announce({"10.61.0.0/16"}, loopback(61), {65061}));
        ASSERT_TRUE(wait_until(
            [&] {
                return rfctl.json({"rib", "show", "10.61.0.0/16"}).find("65061") != std::string::npos;
            },
            10s, 100ms));
    }                  // the peer closes its socket: the session goes down
    RawPeer stranger;  // not a configured peer: refused, and logged
    (void)stranger.connect(loopback(62), rs, port, 500ms);
    daemon.signal(SIGHUP);
    ASSERT_TRUE(
        wait_until([&] { return read_file(dir.file("rf.log")).find("reload") != std::string::npos; }, 10s));
    daemon.signal(SIGTERM);
    ASSERT_TRUE(wait_until([&] { return !daemon.running(); }, 15s));

    const std::string log = read_file(dir.file("rf.log"));
    const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
    std::istringstream in(log);
    std::string line;
    std::size_t lines = 0;
    bool transition_seen = false;
    bool refused_seen = false;
    while (std::getline(in, line)) {
        ++lines;
        Json j;
        ASSERT_NO_THROW(j = Json::parse(line)) << "not JSON: " << line;
        ASSERT_TRUE(j.is_object()) << line;
        for (const char* key : {"time", "level", "event", "peer", "reason", "message"}) {
            EXPECT_TRUE(j.contains(key)) << key << " missing: " << line;
        }
        EXPECT_TRUE(std::regex_match(j["time"].get<std::string>(), rfc3339)) << line;
        EXPECT_TRUE(j["level"].is_string() && j["event"].is_string() && j["message"].is_string()) << line;
        EXPECT_TRUE(j["peer"].is_null() || j["peer"].is_string()) << line;
        EXPECT_TRUE(j["reason"].is_null() || j["reason"].is_string()) << line;
        if (j["event"] == "session_transition" && j["to"] == "Established") {
            transition_seen = true;
            EXPECT_EQ(j["peer"], "nva61") << line;
            EXPECT_TRUE(j["reason"].is_string()) << line;
            EXPECT_EQ(j["from"], "OpenConfirm") << line;
        }
        refused_seen =
            refused_seen || j["message"].get<std::string>().find(loopback(62)) != std::string::npos;
    }
    EXPECT_GT(lines, 5U) << log;
    EXPECT_TRUE(transition_seen) << log;
    EXPECT_TRUE(refused_seen) << log;
    EXPECT_TRUE(WIFEXITED(daemon.exit_status()) && WEXITSTATUS(daemon.exit_status()) == 0) << log;
}

}  // namespace
}  // namespace rf::testing
