// Every rfbench scenario, small (a few peers, a few hundred prefixes), against real route servers:
// BIRD 2, OpenBGPD and routefabricd (each skipped when its executable is missing). Asserts final states
// and the NOTIFICATIONs on the wire, never timings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "bench/rfbench/scenario.hpp"
#include "bench/rfbench/target.hpp"

namespace rf::bench {
namespace {

std::unique_ptr<Target> target_named(const std::string& name) {
    auto t = make_target(name);
#ifdef RF_ROUTEFABRICD
    if (name == "routefabricd")
        t->set_binary(RF_ROUTEFABRICD);
#endif
    return t;
}

ScenarioOptions small() {
    ScenarioOptions o;
    o.plan.peers = 3;
    o.plan.prefixes_per_peer = 200;
    o.phase_timeout_s = 20;
    o.bringup_timeout_s = 15;
    o.settle_s = 0.2;
    // Addresses apart from other integration tests' 127.0.0.x peers.
    for (std::uint32_t i = 0; i < 8; ++i)
        o.local_addresses.push_back(Ipv4Address{(127u << 24) | (8u << 16) | (10 + i)});
    o.monitor_address = Ipv4Address{(127u << 24) | (8u << 16) | 2};
    return o;
}

std::string text_field(const Measurement& m, const std::string& name) {
    const auto* f = m.field(name);
    return f == nullptr ? "" : *f;
}

class RfbenchScenario : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        target_ = target_named(GetParam());
        if (!target_->binary())
            GTEST_SKIP() << GetParam() << " not installed / not built";
    }
    Measurement run(const std::string& scenario, const ScenarioOptions& o) {
        Measurement m = run_scenario(scenario, o, *target_);
        std::printf("%s\n", m.json_line().c_str());
        return m;
    }
    std::unique_ptr<Target> target_;
};

TEST_P(RfbenchScenario, BringUpEstablishesEverySession) {
    const auto m = run("bringup", small());
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(m.number("sessions"), 4);
}

TEST_P(RfbenchScenario, IngestReachesTheMonitorExactly) {
    const auto m = run("ingest", small());
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(m.number("universe"), 600);
    EXPECT_EQ(m.number("foreign_prefixes"), 0);
    EXPECT_EQ(m.convergence.size(), 600u);
}

TEST_P(RfbenchScenario, IngestSharedPrefixesPickTheShortestPath) {
    auto o = small();
    o.plan.overlap = Overlap::Shared;
    o.plan.path_lengths = {3, 1, 2};  // peer1 is the single best path for every prefix
    const auto m = run("ingest", o);
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(m.number("universe"), 200);
}

TEST_P(RfbenchScenario, FailoverByTcpAbortMovesToTheAlternative) {
    auto o = small();
    o.plan.peers = 2;
    o.plan.prefixes_per_peer = 100;
    o.failover_mode = FailoverMode::Abort;
    const auto m = run("failover", o);
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(text_field(m, "case"), "\"best-path\"");
    EXPECT_EQ(m.number("victim"), 0);  // path lengths 1, 2
    EXPECT_EQ(m.number("regressions"), 0);
}

TEST_P(RfbenchScenario, FailoverByCeaseInEcmpPair) {
    auto o = small();
    o.plan.peers = 2;
    o.plan.prefixes_per_peer = 100;
    o.plan.path_lengths = {1, 1};
    o.failover_mode = FailoverMode::Notification;
    const auto m = run("failover", o);
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(text_field(m, "case"), "\"ecmp\"");
}

TEST_P(RfbenchScenario, FailoverByHoldExpirySendsHoldTimerExpired) {
    auto o = small();
    o.plan.peers = 2;
    o.plan.prefixes_per_peer = 100;
    o.failover_mode = FailoverMode::HoldExpiry;
    o.failover_hold = 3;
    const auto m = run("failover", o);
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(text_field(m, "victim_notification").rfind("\"4/0", 0), 0u)
        << text_field(m, "victim_notification");
}

TEST_P(RfbenchScenario, ChurnEndsInTheExactFinalState) {
    auto o = small();
    o.plan.peers = 2;
    o.plan.prefixes_per_peer = 100;
    o.churn_prefixes = 50;
    o.churn_rate = 200;
    o.churn_seconds = 1;
    const auto m = run("churn", o);
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(text_field(m, "final_state_ok"), "true");
    EXPECT_EQ(m.number("events"), 200);
    EXPECT_EQ(m.number("lag_samples"), 200);
    EXPECT_EQ(m.number("stale_prefixes"), 0);
}

TEST_P(RfbenchScenario, RouteLimitTripsSessionWithCeaseAndPeerComesBack) {
    auto o = small();
    o.route_limit = 50;
    o.route_limit_excess = 5;
    o.plan.prefixes_per_peer = 40;
    o.idle_hold_s = 1;
    o.comeback_timeout_s = 15;
    const auto m = run("route-limit", o);
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(text_field(m, "notification").rfind("\"6/1 ", 0), 0u) << text_field(m, "notification");
    EXPECT_EQ(text_field(m, "cease_max_prefixes"), "true");
    EXPECT_EQ(text_field(m, "others_undisturbed"), "true");
    EXPECT_EQ(text_field(m, "restored"), "true");
}

TEST_P(RfbenchScenario, PeersBeyondTheConfiguredOnesAreRefused) {
    auto o = small();
    o.peer_limit = 2;
    o.extra_peers = 2;
    o.plan.prefixes_per_peer = 50;
    const auto m = run("peer-count", o);
    ASSERT_TRUE(m.ok) << m.error << " " << text_field(m, "refusal");
    EXPECT_EQ(m.number("refused"), 2);
    EXPECT_EQ(text_field(m, "others_undisturbed"), "true");
}

// The replay of the shipped MRT sample: what the monitor ends with is what an independent decoder
// (bgpdump -m) says the file holds after its table, its UPDATEs and its session drops: every IPv4 and
// IPv6 unicast prefix some peer still announces, from one of those peers, nothing else.
std::map<std::string, std::set<std::string>> bgpdump_final_holders(const std::string& file) {
    std::map<std::string, std::set<std::string>> held;
    FILE* in = ::popen(("bgpdump -m '" + file + "' 2>/dev/null").c_str(), "r");
    if (in == nullptr)
        return held;
    char line[4096];
    while (std::fgets(line, sizeof line, in) != nullptr) {
        std::string text(line);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
            text.pop_back();  // a withdrawal's line ends with its prefix
        std::vector<std::string> f;
        std::stringstream ss(text);
        std::string item;
        while (std::getline(ss, item, '|'))
            f.push_back(item);
        if (f.size() >= 7 && f[2] == "STATE" && f[5] == "6" && f[6] != "6") {
            for (auto& [prefix, holders] : held)  // the session dropped: its routes are gone
                holders.erase(f[3]);
            continue;
        }
        if (f.size() < 6)
            continue;
        if (f[2] == "B" || f[2] == "A") {
            held[f[5]].insert(f[3]);
        } else if (f[2] == "W") {
            held[f[5]].erase(f[3]);
        }
    }
    ::pclose(in);
    for (auto it = held.begin(); it != held.end();)
        it = it->second.empty() ? held.erase(it) : std::next(it);
    return held;
}

TEST_P(RfbenchScenario, ReplayOfTheSampleGivesTheMonitorExactlyWhatBgpdumpReads) {
#ifndef RF_MRT_SAMPLE
    GTEST_SKIP() << "no sample path";
#else
    if (std::system("command -v bgpdump >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "bgpdump not installed";
    const auto expected = bgpdump_final_holders(RF_MRT_SAMPLE);
    ASSERT_GT(expected.size(), 250U) << "bgpdump read too little of " << RF_MRT_SAMPLE;
    const auto ipv6 = [](const std::string& prefix) { return prefix.find(':') != std::string::npos; };
    const auto expected_ipv6 =
        std::count_if(expected.begin(), expected.end(), [&](const auto& e) { return ipv6(e.first); });
    ASSERT_GE(expected_ipv6, 6) << "the sample holds IPv6 routes and IPv6 churn";

    auto o = small();
    o.replay.file = RF_MRT_SAMPLE;
    o.replay.pace = ReplayPace::Recorded;
    o.replay.speed = 10;  // the sample's 2 s of UPDATEs in 0.2 s
    const auto table = std::filesystem::temp_directory_path() /
                       ("rfbench-replay-" + GetParam() + "-" + std::to_string(::getpid()) + ".txt");
    o.replay.monitor_table = table.string();
    std::string error;
    auto file = load_replay(o.replay, error);
    ASSERT_TRUE(file) << error;
    o.replay_file = std::make_shared<const ReplayFile>(std::move(*file));
    const auto m = run("replay", o);
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(text_field(m, "final_state_ok"), "true");
    EXPECT_EQ(m.number("file_peers"), 5);
    EXPECT_EQ(m.number("wrong_peer_prefixes"), 0);
    EXPECT_EQ(m.number("peer_downs"), 1);

    std::map<std::string, std::string> monitor;  // prefix -> file peer whose path the monitor holds
    std::ifstream in(table);
    std::string prefix;
    std::string peer;
    std::string asn;
    while (in >> prefix >> peer >> asn)
        monitor[prefix] = peer;
    std::filesystem::remove(table);
    EXPECT_EQ(monitor.size(), expected.size());
    EXPECT_EQ(std::count_if(monitor.begin(), monitor.end(), [&](const auto& e) { return ipv6(e.first); }),
              expected_ipv6);
    for (const auto& [p, holders] : expected) {
        const auto it = monitor.find(p);
        if (it == monitor.end()) {
            ADD_FAILURE() << p << " is in the file but not at the monitor";
            continue;
        }
        EXPECT_EQ(holders.count(it->second), 1U) << p << " came from " << it->second;
    }
    for (const auto& [p, from] : monitor)
        EXPECT_EQ(expected.count(p), 1U) << p << " is at the monitor but not in the file";
#endif
}

INSTANTIATE_TEST_SUITE_P(Targets, RfbenchScenario, ::testing::Values("bird", "openbgpd", "routefabricd"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace rf::bench
