// The one serialised path of runtime configuration changes: the reconcile rule on its own (plan_peers),
// then ConfigChanges over a real RouteServer on loopback: a change is reconciled against the peers the
// route server RUNS (drift is mended, an unchanged set is a no-op), persisted to the file, undone when it
// cannot be persisted or applied, and changes from many threads never lose each other.
#include "daemon/api/config_changes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "daemon/api/daemon_backend.hpp"
#include "daemon/api/reconcile.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::api {
namespace {

session::PeerSettings peer(const std::string& name, const std::string& address, std::uint32_t asn) {
    session::PeerSettings s;
    s.name = name;
    s.address = *net::IpAddress::parse(address);
    s.asn = asn;
    return s;
}

TEST(PlanPeers, EqualSetsNeedNothing) {
    const std::vector<session::PeerSettings> set{peer("a", "10.0.0.1", 65001), peer("b", "10.0.0.2", 65002)};
    const PeerPlan plan = plan_peers(set, set);
    EXPECT_TRUE(plan.empty());
    EXPECT_TRUE(plan.added.empty() && plan.removed.empty() && plan.replaced.empty());
}

TEST(PlanPeers, RunningPeersMissingFromTheDesiredSetAreRemovedAndNewOnesAdded) {
    const PeerPlan plan = plan_peers({peer("a", "10.0.0.1", 65001), peer("h0_0", "10.0.0.9", 65009)},
                                     {peer("a", "10.0.0.1", 65001), peer("h0_1", "10.0.0.10", 65010)});
    ASSERT_EQ(plan.remove.size(), 1U);
    EXPECT_EQ(plan.remove[0].name, "h0_0");
    ASSERT_EQ(plan.add.size(), 1U);
    EXPECT_EQ(plan.add[0].name, "h0_1");
    EXPECT_EQ(plan.removed, std::vector<std::string>{"h0_0"});
    EXPECT_EQ(plan.added, std::vector<std::string>{"h0_1"});
    EXPECT_TRUE(plan.replaced.empty());
}

TEST(PlanPeers, ChangedSettingsReplaceThePeer) {
    session::PeerSettings changed = peer("a", "10.0.0.1", 65001);
    changed.hold_time = 30;
    const PeerPlan plan = plan_peers({peer("a", "10.0.0.1", 65001)}, {changed});
    ASSERT_EQ(plan.remove.size(), 1U);
    ASSERT_EQ(plan.add.size(), 1U);
    EXPECT_EQ(plan.add[0].hold_time, std::optional<std::uint16_t>(30));
    EXPECT_EQ(plan.replaced, std::vector<std::string>{"a"});
    EXPECT_TRUE(plan.added.empty() && plan.removed.empty());
}

TEST(PlanPeers, AnAddressMovingToAnotherNameRemovesTheOldNameFirst) {
    const PeerPlan plan = plan_peers({peer("old", "10.0.0.1", 65001)}, {peer("new", "10.0.0.1", 65001)});
    ASSERT_EQ(plan.remove.size(), 1U);
    EXPECT_EQ(plan.remove[0].name, "old");
    ASSERT_EQ(plan.add.size(), 1U);
    EXPECT_EQ(plan.add[0].name, "new");
}

TEST(PlanPeers, EveryFieldCounts) {
    const session::PeerSettings base = peer("a", "10.0.0.1", 65001);
    std::vector<session::PeerSettings> variants(7, base);
    variants[0].port = 1179;
    variants[1].gtsm = true;
    variants[2].ttl = 1;
    variants[3].md5_password = "x";
    variants[4].mode = session::PeerMode::Active;
    variants[5].local_address = *net::IpAddress::parse("10.0.0.5");
    variants[6].add_path = bgp::AddPathMode::Both;
    for (const auto& v : variants) {
        EXPECT_FALSE(same_settings(base, v));
        EXPECT_EQ(plan_peers({base}, {v}).replaced, std::vector<std::string>{"a"});
    }
    EXPECT_TRUE(same_settings(base, base));
}

TEST(PlanPeers, RouteLimitSettingsChangeInPlace) {
    const session::PeerSettings base = peer("a", "10.0.0.1", 65001);
    std::vector<session::PeerSettings> variants(3, base);
    variants[0].route_limit = 5;
    variants[1].route_limit_action = azure::RouteLimitAction::Warn;
    variants[2].route_limit_warning_percent = 90;
    for (const auto& v : variants) {
        EXPECT_FALSE(same_settings(base, v));
        EXPECT_TRUE(same_session_settings(base, v));
        const PeerPlan plan = plan_peers({base}, {v});
        EXPECT_TRUE(plan.remove.empty());
        EXPECT_TRUE(plan.add.empty());
        EXPECT_TRUE(plan.replaced.empty());
        EXPECT_EQ(plan.updated, std::vector<std::string>{"a"});
        ASSERT_EQ(plan.update.size(), 1U);
        EXPECT_EQ(plan.update[0].route_limit, v.route_limit);
        EXPECT_EQ(plan.update[0].route_limit_action, v.route_limit_action);
        EXPECT_EQ(plan.update[0].route_limit_warning_percent, v.route_limit_warning_percent);
        EXPECT_FALSE(plan.empty());
    }
    // A limit change together with a session setting re-creates the peer.
    session::PeerSettings both = base;
    both.route_limit = 5;
    both.port = 1179;
    EXPECT_EQ(plan_peers({base}, {both}).replaced, std::vector<std::string>{"a"});
    EXPECT_TRUE(plan_peers({base}, {both}).update.empty());
}

std::vector<std::string> running_names(const server::RouteServer& server) {
    std::vector<std::string> out;
    for (const auto& p : server.peers()) {
        out.push_back(p.name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

class ConfigChangesTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto c = config::load_text(
            "route_server:\n  listen: [127.0.0.1]\n  port: 0\n  max_peers: 64\n"
            "peers:\n  - {name: a, address: 127.0.0.11, asn: 65001, passive: true}\n");
        ASSERT_TRUE(c) << config::format_errors(c.error());
        config_ = *c;
        dir_ = std::make_unique<testing::TempDir>("rf-changes");
        path_ = dir_->file("rf.yaml");
        ASSERT_EQ(config::save_file(path_, config_), std::nullopt);
        store_ = std::make_unique<config::ConfigStore>(config_, path_);
        server_ = std::make_unique<server::RouteServer>(io_, server_config(config_), sink_);
        for (const auto& p : config_.peers) {
            ASSERT_EQ(server_->add_peer(peer_settings(config_, p)), std::nullopt);
        }
        ASSERT_EQ(server_->start(), std::nullopt);
        changes_ = std::make_unique<ConfigChanges>(io_, *server_, config_);
        work_.emplace(io_.get_executor());
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        boost::asio::post(io_, [this] {
            server_->shutdown("test over", [this] {
                work_.reset();
                io_.stop();
            });
        });
        thread_.join();
    }

    // Runs `f` on the io thread and waits (the route server is only touched there).
    template <typename F>
    auto on_io(F f) {
        std::promise<decltype(f())> p;
        boost::asio::post(io_, [&] { p.set_value(f()); });
        return p.get_future().get();
    }

    static Desire add(const std::string& name, const std::string& address, std::uint32_t asn) {
        return [=](config::Config& d) -> std::optional<ChangeError> {
            config::PeerConfig p;
            p.name = name;
            p.address = *net::IpAddress::parse(address);
            p.asn = asn;
            p.passive = true;
            d.peers.push_back(p);
            return std::nullopt;
        };
    }
    // The desired configuration is the file's content (a SIGHUP).
    Desire from_file() const {
        return [path = path_](config::Config& d) -> std::optional<ChangeError> {
            auto loaded = config::load_file(path);
            if (!loaded) {
                return ChangeError{ApiError{ErrorCode::InvalidField, "bad file", ""}, loaded.error()};
            }
            d = *loaded;
            return std::nullopt;
        };
    }

    config::Config config_;
    std::unique_ptr<testing::TempDir> dir_;
    std::string path_;
    std::unique_ptr<config::ConfigStore> store_;
    boost::asio::io_context io_{1};
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    rf::testing::CountingSink sink_;  // the RIB's deltas: accepted, only counted
    std::unique_ptr<server::RouteServer> server_;
    std::unique_ptr<ConfigChanges> changes_;
    std::thread thread_;
};

TEST_F(ConfigChangesTest, AChangeRunsAndIsPersistedBeforeItReturns) {
    auto r = changes_->apply("create b", add("b", "127.0.0.12", 65002), Persist::Write, store_.get());
    ASSERT_TRUE(r) << r.error().api.message;
    EXPECT_EQ(r->added, std::vector<std::string>{"b"});
    EXPECT_EQ(on_io([&] { return running_names(*server_); }), (std::vector<std::string>{"a", "b"}));
    auto on_disk = config::load_file(path_);
    ASSERT_TRUE(on_disk);
    EXPECT_NE(on_disk->find_peer("b"), nullptr);
}

TEST_F(ConfigChangesTest, AReloadReconcilesAgainstTheRunningPeersAndMendsDrift) {
    // Drift: the route server runs a peer no configuration has, and lacks one the file has.
    on_io([&] {
        EXPECT_EQ(server_->add_peer(peer("stray", "127.0.0.99", 65099)), std::nullopt);
        return server_->remove_peer(*net::IpAddress::parse("127.0.0.11"));
    });
    auto r = changes_->apply("reload", from_file(), Persist::FromFile, store_.get());
    ASSERT_TRUE(r) << r.error().api.message;
    EXPECT_EQ(r->added, std::vector<std::string>{"a"});
    EXPECT_EQ(r->removed, std::vector<std::string>{"stray"});
    EXPECT_EQ(on_io([&] { return running_names(*server_); }), std::vector<std::string>{"a"});

    auto again = changes_->apply("reload", from_file(), Persist::FromFile, store_.get());
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->added.empty() && again->removed.empty() && again->replaced.empty())
        << "running = file: nothing to do";
}

TEST_F(ConfigChangesTest, RouteLimitSettingsApplyInPlaceAndPersist) {
    auto r = changes_->apply(
        "warn",
        [](config::Config& d) -> std::optional<ChangeError> {
            d.peers[0].route_limit = 20;
            d.peers[0].route_limit_action = azure::RouteLimitAction::Warn;
            d.peers[0].route_limit_warning_percent = 90;
            return std::nullopt;
        },
        Persist::Write, store_.get());
    ASSERT_TRUE(r) << r.error().api.message;
    EXPECT_EQ(r->updated, std::vector<std::string>{"a"});
    EXPECT_TRUE(r->replaced.empty() && r->added.empty() && r->removed.empty());
    const auto running = on_io([&] { return server_->peers(); });
    ASSERT_EQ(running.size(), 1U);
    EXPECT_EQ(running[0].route_limit, 20U);
    EXPECT_EQ(running[0].route_limit_action, azure::RouteLimitAction::Warn);
    EXPECT_EQ(running[0].route_limit_warning_percent, 90U);
    auto on_disk = config::load_file(path_);
    ASSERT_TRUE(on_disk);
    EXPECT_EQ(on_disk->peers[0].route_limit_action, azure::RouteLimitAction::Warn);
    EXPECT_EQ(on_disk->peers[0].route_limit_warning_percent, 90U);
    auto again = changes_->apply("reload", from_file(), Persist::FromFile, store_.get());
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->updated.empty()) << "running = file: nothing to do";
}

TEST_F(ConfigChangesTest, AReloadWithABadRouteLimitKeyKeepsTheRunningPeerAndSaysWhy) {
    std::ofstream(path_) << "route_server:\n  listen: [127.0.0.1]\n  port: 0\n  max_peers: 64\n"
                            "peers:\n  - {name: a, address: 127.0.0.11, asn: 65001, passive: true,"
                            " route_limit_action: warn, route_limit_warning_percent: 150}\n";
    auto r = changes_->apply("reload", from_file(), Persist::FromFile, store_.get());
    ASSERT_FALSE(r);
    ASSERT_FALSE(r.error().config.empty());
    EXPECT_EQ(r.error().config.front().path, "peers[0].route_limit_warning_percent");
    EXPECT_NE(r.error().config.front().message.find("must be 1..100"), std::string::npos);
    const auto running = on_io([&] { return server_->peers(); });
    ASSERT_EQ(running.size(), 1U);
    EXPECT_EQ(running[0].route_limit_action, azure::RouteLimitAction::Teardown) << "the old settings run on";
    EXPECT_EQ(running[0].route_limit_warning_percent, 75U);
}

TEST_F(ConfigChangesTest, AReloadWithABadPolicyKeepsTheRunningOneAndSaysWhy) {
    const std::string base =
        "route_server:\n  listen: [127.0.0.1]\n  port: 0\n  max_peers: 64\n"
        "peers:\n  - {name: a, address: 127.0.0.11, asn: 65001, passive: true, import_policy: [in]}\n"
        "policy:\n  as_path_sets:\n    - {name: leak, patterns: [";
    const std::string tail =
        "]}\n  policies:\n    - name: in\n      default_action: accept\n      statements:\n"
        "        - {name: leaks, match: {as_path_set: leak}, action: reject}\n";
    std::ofstream(path_) << base << "\"_65009_\"" << tail;
    auto good = changes_->apply("reload", from_file(), Persist::FromFile, store_.get());
    ASSERT_TRUE(good) << good.error().api.message;
    EXPECT_EQ(good->policy.peers, std::vector<std::string>{"a"});
    EXPECT_TRUE(good->restart_needed.empty()) << "a policy applies at run time";

    std::ofstream(path_) << base << "\"_650(09\"" << tail;
    auto bad = changes_->apply("reload", from_file(), Persist::FromFile, store_.get());
    ASSERT_FALSE(bad);
    ASSERT_FALSE(bad.error().config.empty());
    EXPECT_EQ(bad.error().config.front().path, "policy.as_path_sets[0].patterns[0]");
    EXPECT_NE(bad.error().config.front().message.find("not a valid regular expression"), std::string::npos);
    EXPECT_EQ(on_io([&] { return changes_->committed().policy.as_path_sets[0].patterns[0]; }), "_65009_")
        << "the running policy stays";

    // The same file again: nothing to re-evaluate.
    std::ofstream(path_) << base << "\"_65009_\"" << tail;
    auto same = changes_->apply("reload", from_file(), Persist::FromFile, store_.get());
    ASSERT_TRUE(same);
    EXPECT_TRUE(same->policy.peers.empty());
}

TEST_F(ConfigChangesTest, AReloadChangesAnExportPolicyInPlaceAndPersistsIt) {
    const std::string head =
        "route_server:\n  listen: [127.0.0.1]\n  port: 0\n  max_peers: 64\n"
        "peers:\n  - {name: a, address: 127.0.0.11, asn: 65001, passive: true";
    const std::string policy = "policy:\n  policies:\n    - {name: out, default_action: accept}\n";
    std::ofstream(path_) << head << "}\n" << policy;
    ASSERT_TRUE(changes_->apply("reload", from_file(), Persist::FromFile, store_.get()));

    std::ofstream(path_) << head << ", export_policy: [out]}\n" << policy;
    auto r = changes_->apply("reload", from_file(), Persist::FromFile, store_.get());
    ASSERT_TRUE(r) << r.error().api.message;
    EXPECT_EQ(r->policy.export_peers, std::vector<std::string>{"a"});
    EXPECT_TRUE(r->replaced.empty()) << "an export policy applies without a session reset";
    EXPECT_TRUE(r->restart_needed.empty());
    EXPECT_EQ(on_io([&] { return changes_->committed().peers[0].export_policy; }),
              std::vector<std::string>{"out"});

    std::ofstream(path_) << head << ", export_policy: [nope]}\n" << policy;
    auto bad = changes_->apply("reload", from_file(), Persist::FromFile, store_.get());
    ASSERT_FALSE(bad);
    ASSERT_FALSE(bad.error().config.empty());
    EXPECT_EQ(bad.error().config.front().path, "peers[0].export_policy[0]");
}

TEST_F(ConfigChangesTest, AChangeThatCannotBePersistedIsUndone) {
    std::filesystem::remove_all(dir_->path());  // the file's directory is gone: the save fails
    auto r = changes_->apply("create b", add("b", "127.0.0.12", 65002), Persist::Write, store_.get());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().api.code, ErrorCode::Internal);
    EXPECT_NE(r.error().api.message.find("not saved"), std::string::npos) << r.error().api.message;
    EXPECT_EQ(on_io([&] { return running_names(*server_); }), std::vector<std::string>{"a"});
    EXPECT_EQ(on_io([&] { return changes_->committed().peers.size(); }), 1U);
    EXPECT_EQ(store_->snapshot().find_peer("b"), nullptr);
}

TEST_F(ConfigChangesTest, AnInvalidDesiredConfigurationChangesNothing) {
    auto r = changes_->apply("create dup", add("a2", "127.0.0.11", 65003), Persist::Write, store_.get());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().api.code, ErrorCode::DuplicatePeering) << r.error().api.message;
    EXPECT_EQ(on_io([&] { return running_names(*server_); }), std::vector<std::string>{"a"});
}

TEST_F(ConfigChangesTest, ConcurrentChangesAreSerialisedAndNoneIsLost) {
    constexpr int kThreads = 4;
    constexpr int kEach = 10;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                const int n = t * kEach + i;
                const std::string name = "p" + std::to_string(n);
                if (!changes_->apply("create", add(name, "127.0.1." + std::to_string(n + 1), 65100 + n),
                                     Persist::Write, store_.get())) {
                    ++failures;
                }
                if (i % 3 == 0 && !changes_->apply("reload", from_file(), Persist::FromFile, store_.get())) {
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(failures, 0);
    auto on_disk = config::load_file(path_);
    ASSERT_TRUE(on_disk);
    EXPECT_EQ(on_disk->peers.size(), 1U + kThreads * kEach);
    EXPECT_EQ(on_io([&] { return server_->peers().size(); }), 1U + kThreads * kEach);
}

}  // namespace
}  // namespace rf::api
