// DaemonBackend over a real RouteServer (two listen addresses on loopback, as Azure's two instances)
// with scripted BGP peers: peerings with their per-instance sessions, learned and advertised routes keyed
// RouteServiceRole_IN_<i>, the RIB entry with its ECMP set and deciding step, runtime add/remove, and
// effective routes of the VNet model; then the same through the REST API.
#include "daemon/api/daemon_backend.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "daemon/api/http_client.hpp"
#include "daemon/api/json.hpp"
#include "daemon/api/management_service.hpp"
#include "daemon/api/reconcile.hpp"
#include "daemon/config/vnet_convert.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/daemon/config/support/hub_vnet.hpp"

namespace rf::api {
namespace {

const char* const kPeers = R"(
route_server:
  listen: [127.0.0.1, 127.0.0.2]
  port: 0
peers:
  - {name: nva1, address: 127.0.0.11, asn: 65001}
  - {name: nva2, address: 127.0.0.12, asn: 65002}
)";

const std::string kConfig = std::string(kPeers) + rf::testing::kHubVnetYaml;

class DaemonBackendTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto c = config::load_text(kConfig);
        ASSERT_TRUE(c) << config::format_errors(c.error());
        config_ = *c;
        server_ = std::make_unique<server::RouteServer>(io_, server_config(config_), sink_);
        for (const auto& p : config_.peers) {
            ASSERT_EQ(server_->add_peer(peer_settings(config_, p)), std::nullopt);
        }
        ASSERT_EQ(server_->start(), std::nullopt);
        for (const std::string& l : server_->listening()) {
            ports_.push_back(static_cast<std::uint16_t>(std::stoi(l.substr(l.rfind(':') + 1))));
        }
        ASSERT_EQ(ports_.size(), 2U);
        cp_ = std::make_unique<DaemonBackend>(io_, *server_, config_);
        // The model's listen addresses are the lab's, not loopback: use the model without the placement
        // check.
        fib::VnetModel model = config::to_vnet_model(config_);
        cp_->set_vnet_model(model);
        work_.emplace(io_.get_executor());
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        for (auto& p : peers_) {
            p->close();
        }
        boost::asio::post(io_, [this] {
            server_->shutdown("test over", [this] {
                work_.reset();
                io_.stop();
            });
        });
        thread_.join();
    }

    // A scripted NVA from `local` establishing with both instances and announcing `prefixes`.
    void connect_nva(const std::string& local, std::uint32_t asn, const std::vector<std::string>& prefixes,
                     std::vector<std::uint32_t> path, bool graceful_restart = false) {
        for (int i = 0; i < 2; ++i) {
            auto peer = std::make_unique<testing::RawPeer>();
            if (graceful_restart) {  // RFC 4724, IPv4 unicast with the F bit, restart time 60 s, N bit
                peer->capabilities.graceful_restart =
                    bgp::GracefulRestart{false, true, 60, {{{net::Afi::Ipv4, net::Safi::Unicast}, true}}};
            }
            ASSERT_TRUE(peer->connect(local, i == 0 ? "127.0.0.1" : "127.0.0.2",
                                      ports_[static_cast<std::size_t>(i)]));
            ASSERT_TRUE(peer->handshake(asn, local));
            ASSERT_TRUE(peer->announce(prefixes, local, path, {(asn << 16) | 100U}));
            peers_.push_back(std::move(peer));
        }
    }

    // Polls `pred` for up to 5 s.
    template <typename Pred>
    bool eventually(Pred pred) {
        for (int i = 0; i < 250; ++i) {
            if (pred()) {
                return true;
            }
            for (auto& p : peers_) {
                (void)p->receive(std::chrono::milliseconds(1));  // keep reading what the RS sends
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    config::Config config_;
    boost::asio::io_context io_{1};
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    rf::testing::CountingSink sink_;  // the RIB's deltas: accepted, only counted
    std::unique_ptr<server::RouteServer> server_;
    std::unique_ptr<DaemonBackend> cp_;
    std::vector<std::uint16_t> ports_;
    std::vector<std::unique_ptr<testing::RawPeer>> peers_;
    std::thread thread_;
};

TEST_F(DaemonBackendTest, InfoAndPeeringsBeforeAnySession) {
    const RouteServerInfo info = cp_->info();
    EXPECT_EQ(info.asn, 65515U);
    EXPECT_EQ(info.listen, (std::vector<std::string>{"127.0.0.1", "127.0.0.2"}));
    EXPECT_EQ(info.router_id, "127.0.0.1");
    EXPECT_EQ(info.peers, 2U);
    const auto list = cp_->peerings();
    ASSERT_EQ(list.size(), 2U);
    EXPECT_EQ(list[0].config.name, "nva1");
    EXPECT_EQ(list[0].route_limit, 1000U);
    EXPECT_FALSE(cp_->peering("ghost"));
    EXPECT_EQ(cp_->peering("ghost").error().code, ErrorCode::PeeringNotFound);
    auto routes = cp_->learned_routes("nva1");
    ASSERT_TRUE(routes);
    ASSERT_EQ(routes->size(), 2U);
    EXPECT_EQ((*routes)[1].first, "RouteServiceRole_IN_1");
    EXPECT_TRUE((*routes)[1].second.empty());
}

TEST_F(DaemonBackendTest, LearnedAdvertisedRibAndEffectiveRoutes) {
    connect_nva("127.0.0.11", 65001, {"10.250.0.0/16"}, {65001});
    connect_nva("127.0.0.12", 65002, {"10.250.0.0/16", "192.168.7.0/24"}, {65002});
    ASSERT_TRUE(eventually([&] {
        auto e = cp_->rib_entry(*net::Prefix::parse("10.250.0.0/16"));
        return e && e->ecmp_next_hops.size() == 2;
    }));

    auto nva1 = cp_->peering("nva1");
    ASSERT_TRUE(nva1);
    EXPECT_EQ(nva1->state, "Established");
    EXPECT_EQ(nva1->routes_received, 1U);
    ASSERT_EQ(nva1->sessions.size(), 2U);

    auto learned = cp_->learned_routes("nva2");
    ASSERT_TRUE(learned);
    ASSERT_EQ(learned->size(), 2U);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& [key, rows] = (*learned)[i];
        EXPECT_EQ(key, instance_key(i));
        ASSERT_EQ(rows.size(), 2U) << key;
        EXPECT_EQ(rows[0].local_address, i == 0 ? "127.0.0.1" : "127.0.0.2");
        EXPECT_EQ(rows[0].source_peer, "127.0.0.12");
        EXPECT_EQ(rows[0].next_hop, "127.0.0.12");
        EXPECT_EQ(rows[0].as_path, "65002");
        EXPECT_EQ(rows[0].origin, "EBgp");
    }

    ASSERT_TRUE(eventually([&] {
        auto adv = cp_->advertised_routes("nva1");
        if (!adv || adv->empty()) {
            return false;
        }
        for (const RouteRow& r : (*adv)[0].second) {
            if (r.network == "192.168.7.0/24") {
                return r.source_peer == "127.0.0.12" && r.as_path == "65515 65002";
            }
        }
        return false;
    }));
    auto adv = cp_->advertised_routes("nva1");
    bool vnet_space = false;
    for (const RouteRow& r : (*adv)[0].second) {
        vnet_space = vnet_space || (r.network == "10.1.0.0/16" && r.source_peer == "127.0.0.1");
    }
    EXPECT_TRUE(vnet_space) << "the VNet address space is advertised from the instance itself";

    auto entry = cp_->rib_entry(*net::Prefix::parse("10.250.0.0/16"));
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->paths.size(), 4U);  // two NVAs × two instances
    EXPECT_TRUE(entry->paths[0].best);
    EXPECT_EQ(entry->paths[0].communities.size(), 1U);
    const std::set<std::string> steps{"OnlyPath",    "AsPathLength", "Origin", "PeerBgpId",
                                      "PeerAddress", "LowestPeerId", "PathId"};
    EXPECT_TRUE(steps.contains(entry->decided_by)) << entry->decided_by;  // docs/api.md identifiers
    // Each path says why: the best against nothing, the other NVA's path in the set, and each NVA's
    // second session (the other instance) outside it for its neighbor's path in the set.
    EXPECT_EQ(entry->paths[0].decided_by, "OnlyPath");
    EXPECT_EQ(entry->paths[0].ecmp_status, "Member");
    EXPECT_EQ(entry->paths[1].ecmp_status, "Member");
    EXPECT_TRUE(steps.contains(entry->paths[1].decided_by)) << entry->paths[1].decided_by;
    EXPECT_EQ(entry->paths[2].ecmp_status, "SameNeighbor");
    EXPECT_EQ(entry->paths[3].ecmp_status, "SameNeighbor");
    EXPECT_FALSE(entry->paths[0].peer_bgp_id.empty());
    EXPECT_FALSE(cp_->rib_entry(*net::Prefix::parse("10.99.0.0/16")));

    auto eff = cp_->vm_effective_routes("vm1");
    ASSERT_TRUE(eff) << eff.error().message;
    bool bgp_ecmp = false;
    for (const EffectiveRouteRow& r : eff->routes) {
        bgp_ecmp = bgp_ecmp || (r.address_prefix[0] == "10.250.0.0/16" &&
                                r.source == "VirtualNetworkGateway" && r.next_hop_ip.size() == 2);
    }
    EXPECT_TRUE(bgp_ecmp);
    EXPECT_TRUE(cp_->subnet_effective_routes("hub/workload"));
    EXPECT_TRUE(cp_->subnet_effective_routes("workload"));
    EXPECT_EQ(cp_->vm_effective_routes("nope").error().code, ErrorCode::VmNotFound);
    EXPECT_EQ(cp_->emulator_stats().error().code, ErrorCode::NotAvailable);

    metrics::Registry registry;
    cp_->collect_metrics(registry);
    const std::string text = registry.render();
    EXPECT_NE(text.find("routefabric_sessions{state=\"established\"} 4\n"), std::string::npos) << text;
    EXPECT_NE(text.find("routefabric_peer_routes{peer=\"nva2\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("routefabric_ecmp_groups 1\n"), std::string::npos) << text;
    // Every established session was sent at least its initial table and End-of-RIB.
    EXPECT_NE(text.find("routefabric_updates_total{direction=\"out\"}"), std::string::npos) << text;
    EXPECT_EQ(text.find("routefabric_updates_total{direction=\"out\"} 0\n"), std::string::npos) << text;
}

// The value of one series in a /metrics text; -1 when absent.
double metric_value(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) {
        return -1;
    }
    return std::stod(text.substr(at + series.size() + 2));
}

TEST_F(DaemonBackendTest, UpdateCountersNeverGoDownWhenAPeeringIsRemoved) {
    connect_nva("127.0.0.11", 65001, {"10.250.0.0/16"}, {65001});
    connect_nva("127.0.0.12", 65002, {"10.250.0.0/16", "192.168.7.0/24"}, {65002});
    ASSERT_TRUE(eventually([&] {
        auto e = cp_->rib_entry(*net::Prefix::parse("10.250.0.0/16"));
        return e && e->ecmp_next_hops.size() == 2 && cp_->rib_entry(*net::Prefix::parse("192.168.7.0/24"));
    }));
    metrics::Registry registry;  // one registry across scrapes, as the API server keeps it
    cp_->collect_metrics(registry);
    const std::string before = registry.render();
    const double in_before = metric_value(before, "routefabric_updates_total{direction=\"in\"}");
    const double out_before = metric_value(before, "routefabric_updates_total{direction=\"out\"}");
    // Four sessions (two NVAs × two instances), each announced its routes in at least one UPDATE.
    ASSERT_GE(in_before, 4) << before;
    ASSERT_GT(out_before, 0) << before;

    ASSERT_TRUE(cp_->remove_peer("nva2"));
    ASSERT_TRUE(
        eventually([&] { return !cp_->rib_entry(*net::Prefix::parse("192.168.7.0/24")).has_value(); }));
    cp_->collect_metrics(registry);
    const std::string after = registry.render();
    // nva2's sessions are gone, their UPDATEs stay counted (Prometheus counters never decrease); the
    // withdrawals sent to nva1 only add to "out".
    EXPECT_GE(metric_value(after, "routefabric_updates_total{direction=\"in\"}"), in_before) << after;
    EXPECT_GE(metric_value(after, "routefabric_updates_total{direction=\"out\"}"), out_before) << after;
    EXPECT_NE(after.find("routefabric_sessions{state=\"established\"} 2\n"), std::string::npos) << after;

    // A new scrape with nothing new changes nothing.
    cp_->collect_metrics(registry);
    const std::string again = registry.render();
    EXPECT_EQ(metric_value(again, "routefabric_updates_total{direction=\"in\"}"),
              metric_value(after, "routefabric_updates_total{direction=\"in\"}"));
}

TEST_F(DaemonBackendTest, RouteLimitUsageInPlaceChangesAndTheOperatorsReset) {
    connect_nva("127.0.0.11", 65001, {"10.251.0.0/24", "10.251.1.0/24", "10.251.2.0/24"}, {65001});
    connect_nva("127.0.0.12", 65002, {"10.252.0.0/24"}, {65002});
    ASSERT_TRUE(eventually([&] {
        auto a = cp_->peering("nva1");
        auto b = cp_->peering("nva2");
        return a && b && a->routes_received == 3 && b->routes_received == 1;
    }));
    // A SIGHUP-like change: nva1 goes to warn with a limit below what it holds. Applied in place.
    auto r = cp_->changes().apply(
        "reload",
        [](config::Config& d) -> std::optional<ChangeError> {
            d.peers[0].route_limit = 2;
            d.peers[0].route_limit_action = azure::RouteLimitAction::Warn;
            d.peers[0].route_limit_warning_percent = 50;
            return std::nullopt;
        },
        Persist::Write, nullptr);
    ASSERT_TRUE(r) << r.error().api.message;
    EXPECT_EQ(r->updated, std::vector<std::string>{"nva1"});
    EXPECT_TRUE(r->replaced.empty());
    auto nva1 = cp_->peering("nva1");
    ASSERT_TRUE(nva1);
    EXPECT_EQ(nva1->route_limit, 2U);
    EXPECT_EQ(nva1->routes_received, 3U);
    EXPECT_EQ(nva1->warning_threshold, 1U);
    ASSERT_EQ(nva1->sessions.size(), 2U);
    for (const SessionInfo& s : nva1->sessions) {
        EXPECT_EQ(s.state, "Established");
        EXPECT_EQ(s.established_count, 1U) << "not reset";
        EXPECT_EQ(s.routes, 3U);
        EXPECT_TRUE(s.above_route_limit);
        EXPECT_TRUE(s.above_warning_threshold);
    }
    const Json j = to_json(*nva1);
    EXPECT_EQ(j["routeLimitAction"], "warn");
    EXPECT_EQ(j["routeLimitUsagePercent"], 150.0);
    metrics::Registry registry;
    cp_->collect_metrics(registry);
    const std::string text = registry.render();
    EXPECT_EQ(metric_value(text, "routefabric_route_limit_warnings_total{kind=\"limit\"}"), 2) << text;
    EXPECT_EQ(metric_value(text, "routefabric_route_limit_warnings_total{kind=\"threshold\"}"), 2) << text;
    EXPECT_EQ(metric_value(text, "routefabric_peer_route_limit_usage_ratio{peer=\"nva1\"}"), 1.5) << text;

    // The operator's reset: both sessions of nva1, none of nva2.
    auto reset = cp_->reset_peering("nva1");
    ASSERT_TRUE(reset) << reset.error().message;
    EXPECT_EQ(reset->reset, 2U);
    for (std::size_t i = 0; i < 2; ++i) {  // peers_[0..1] are nva1's two sessions
        const auto n = peers_[i]->await_notification();
        ASSERT_TRUE(n);
        EXPECT_EQ(n->code, 6);
        EXPECT_EQ(n->subcode, 4);
    }
    ASSERT_TRUE(eventually([&] { return cp_->peering("nva1")->routes_received == 0; }));
    EXPECT_FALSE(cp_->rib_entry(*net::Prefix::parse("10.251.0.0/24")));
    const auto nva2 = cp_->peering("nva2");
    ASSERT_TRUE(nva2);
    EXPECT_EQ(nva2->state, "Established");
    for (const SessionInfo& s : nva2->sessions) {
        EXPECT_EQ(s.established_count, 1U);
        EXPECT_EQ(s.admin_resets, 0U);
    }
    const auto nva1_after = cp_->peering("nva1");
    ASSERT_TRUE(nva1_after);
    for (const SessionInfo& s : nva1_after->sessions) {
        EXPECT_EQ(s.admin_resets, 1U);
    }
    EXPECT_TRUE(cp_->rib_entry(*net::Prefix::parse("10.252.0.0/24")));
    const auto ghost = cp_->reset_peering("ghost");
    ASSERT_FALSE(ghost);
    EXPECT_EQ(ghost.error().code, ErrorCode::PeeringNotFound);
}

TEST_F(DaemonBackendTest, RuntimeAddAndRemoveThroughTheApi) {
    config::ConfigStore store(config_, "");
    metrics::Registry registry;
    ServerOptions o;
    o.port = 0;
    ApiServer api(o, *cp_, store, registry);
    ASSERT_EQ(api.start(), std::nullopt);
    ServerUrl url;
    url.port = api.port();

    auto r = http_request(url, "POST", "/api/v1/peerings",
                          R"({"name": "nva3", "peerIp": "127.0.0.13", "peerAsn": 65003})");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201U) << r->body;
    EXPECT_EQ(server_->peers().size(), 3U);
    connect_nva("127.0.0.13", 65003, {"172.16.5.0/24"}, {65003});
    ASSERT_TRUE(eventually([&] { return cp_->rib_entry(*net::Prefix::parse("172.16.5.0/24")).has_value(); }));

    r = http_request(url, "GET", "/api/v1/peerings/nva3/learned-routes");
    ASSERT_TRUE(r);
    const Json j = Json::parse(r->body);
    ASSERT_EQ(j["RouteServiceRole_IN_0"].size(), 1U) << r->body;
    EXPECT_EQ(j["RouteServiceRole_IN_0"][0]["network"], "172.16.5.0/24");

    r = http_request(url, "GET", "/api/v1/rib/172.16.5.0/24");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200U) << r->body;

    r = http_request(url, "DELETE", "/api/v1/peerings/nva3");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200U) << r->body;
    EXPECT_EQ(server_->peers().size(), 2U);
    ASSERT_TRUE(eventually([&] { return !cp_->rib_entry(*net::Prefix::parse("172.16.5.0/24")).has_value(); }))
        << "the removed peer's routes are withdrawn";
    api.stop();
}

TEST_F(DaemonBackendTest, ManagementServiceServesAndPersists) {
    char tmpl[] = "/tmp/rf_surface_test.XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const std::string path = dir + "/routefabric.yaml";
    config::Config c = config_;
    c.api.port = 0;
    ASSERT_EQ(config::save_file(path, c), std::nullopt);
    {
        ManagementService surface(io_, *server_, c, path);
        ASSERT_EQ(surface.start(), std::nullopt);
        ServerUrl url;
        url.port = surface.api_port();
        auto r = http_request(url, "GET", "/api/v1/routeserver");
        ASSERT_TRUE(r);
        EXPECT_EQ(Json::parse(r->body)["listenAddresses"].size(), 2U);
        r = http_request(url, "POST", "/api/v1/peerings",
                         R"({"name": "nva4", "peerIp": "127.0.0.14", "peerAsn": 65004})");
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 201U) << r->body;
        r = http_request(url, "GET", "/metrics");
        ASSERT_TRUE(r);
        EXPECT_NE(r->body.find("routefabric_peer_routes{peer=\"nva4\"} 0"), std::string::npos) << r->body;
    }
    auto saved = config::load_file(path);
    ASSERT_TRUE(saved);
    EXPECT_NE(saved->find_peer("nva4"), nullptr);
    std::filesystem::remove_all(dir);
}

TEST(DaemonMapping, ConfigToSessionSettings) {
    auto c = config::load_text(R"(
route_server: {listen: [10.1.255.4, 10.1.255.5], mode: transparent, route_counting: azure-strict, branch_to_branch: false,
               refresh_stale_time: 120}
peers: [{name: a, address: 10.1.1.4, asn: 65001, passive: false, ttl: 2, route_limit: 7, hold_time: 30, add_path: send,
         route_limit_action: warn, route_limit_warning_percent: 90, gtsm: true, extended_messages: false,
         enhanced_route_refresh: false}]
virtual_network:
  route_server_vnet: hub
  vnets:
    - {name: hub, address_spaces: [10.1.0.0/16], peerings: [{remote_vnet: spoke}]}
    - {name: spoke, address_spaces: [10.2.0.0/16], peerings: [{remote_vnet: hub, use_remote_route_server: true}]}
    - {name: other, address_spaces: [10.3.0.0/16]}
api: {listen: 127.0.0.1, port: 8080, token: x}
)");
    ASSERT_TRUE(c) << config::format_errors(c.error());
    const server::ServerConfig s = server_config(*c);
    EXPECT_EQ(s.local_asn, 65515U);
    EXPECT_EQ(s.router_id.to_string(), "10.1.255.4");
    EXPECT_EQ(s.rib.as_path_mode, azure::AsPathMode::Transparent);
    EXPECT_FALSE(s.rib.branch_to_branch);
    EXPECT_EQ(s.refresh_stale_time, 120);
    ASSERT_EQ(s.rib.vnet_prefixes.size(), 2U);  // hub and the spoke using its route server, not "other"
    EXPECT_EQ(s.rib.vnet_prefixes[1].to_string(), "10.2.0.0/16");
    const session::PeerSettings p = peer_settings(*c, c->peers[0]);
    EXPECT_EQ(p.mode, session::PeerMode::Active);
    EXPECT_EQ(p.ttl, 2);
    EXPECT_EQ(p.route_limit, 7U);
    EXPECT_EQ(p.route_limit_action, azure::RouteLimitAction::Warn);
    EXPECT_EQ(p.route_limit_warning_percent, 90U);
    EXPECT_TRUE(p.gtsm);
    EXPECT_EQ(p.counting, azure::RouteCounting::AzureStrict);
    EXPECT_EQ(*p.hold_time, 30);
    EXPECT_EQ(p.add_path, bgp::AddPathMode::Send);
    EXPECT_FALSE(peer_settings(*c, config::PeerConfig{}).add_path);  // default: no ADD-PATH
    EXPECT_FALSE(p.extended_messages);
    EXPECT_FALSE(p.enhanced_route_refresh);
    EXPECT_TRUE(peer_settings(*c, config::PeerConfig{}).extended_messages);  // default: both offered
    EXPECT_TRUE(peer_settings(*c, config::PeerConfig{}).enhanced_route_refresh);
    // A change of either is a change of the peer's settings: the peer is replaced (its sessions reset).
    session::PeerSettings other = p;
    other.extended_messages = true;
    EXPECT_FALSE(same_settings(p, other));
    const ServerOptions o = server_options(*c);
    EXPECT_EQ(o.port, 8080);
    EXPECT_EQ(o.token, "x");
}

TEST_F(DaemonBackendTest, AGracefullyRestartingPeersRoutesShowAsStaleWithItsPhase) {
    connect_nva("127.0.0.11", 65001, {"10.250.0.0/16"}, {65001}, /*graceful_restart=*/true);
    ASSERT_TRUE(eventually([&] {
        auto e = cp_->rib_entry(*net::Prefix::parse("10.250.0.0/16"));
        return e && !e->paths.empty();
    }));
    auto before = cp_->peering("nva1");
    ASSERT_TRUE(before);
    ASSERT_FALSE(before->sessions.empty());
    EXPECT_TRUE(before->sessions[0].graceful_restart.negotiated);
    EXPECT_EQ(before->sessions[0].graceful_restart.families, std::vector<std::string>{"ipv4-unicast"});
    EXPECT_EQ(before->sessions[0].graceful_restart.forwarding, std::vector<std::string>{"ipv4-unicast"});
    EXPECT_EQ(before->sessions[0].graceful_restart.peer_restart_time, 60);
    EXPECT_EQ(before->sessions[0].graceful_restart.phase, "none");
    for (auto& p : peers_) {
        p->close();  // TCP lost, no NOTIFICATION: the routes stay, stale
    }
    ASSERT_TRUE(eventually([&] {
        auto p = cp_->peering("nva1");
        return p && p->sessions[0].graceful_restart.phase == "restarting";
    }));
    const auto nva1 = cp_->peering("nva1");
    EXPECT_EQ(nva1->sessions[0].graceful_restart.stale_families, std::vector<std::string>{"ipv4-unicast"});
    EXPECT_GT(nva1->sessions[0].graceful_restart.seconds_left, 0U);
    EXPECT_EQ(nva1->sessions[0].refresh.stale_routes, 1U);
    const auto learned = cp_->learned_routes("nva1");
    ASSERT_TRUE(learned);
    ASSERT_EQ((*learned)[0].second.size(), 1U);
    EXPECT_TRUE((*learned)[0].second[0].stale);
    const auto e = cp_->rib_entry(*net::Prefix::parse("10.250.0.0/16"));
    ASSERT_TRUE(e);
    ASSERT_FALSE(e->paths.empty());
    EXPECT_TRUE(e->paths[0].stale);
}

}  // namespace
}  // namespace rf::api
