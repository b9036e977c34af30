// The REST API over real HTTP on 127.0.0.1 against a fake backend: peering create/list/show/delete,
// limits and rules refused with the right error code and status, invalid JSON (bodies that are not UTF-8
// or hold huge numbers: 400, never 500), authentication, route listings in az's shape, metrics, and
// persistence across a server restart.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "daemon/api/http_client.hpp"
#include "daemon/api/json.hpp"
#include "daemon/api/server.hpp"
#include "tests/daemon/api/fake_backend.hpp"

namespace rf::api {
namespace {

const char* const kConfig = R"(
route_server:
  listen: [10.1.255.4, 10.1.255.5]
peers:
  - {name: nva1, address: 10.1.1.4, asn: 65001}
  - {name: nva2, address: 10.1.1.5, asn: 65002}
)";

class ApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/rf_api_test.XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        path_ = dir_ + "/routefabric.yaml";
        auto c = config::load_text(kConfig);
        ASSERT_TRUE(c);
        ASSERT_EQ(config::save_file(path_, *c), std::nullopt);
        start_from_file();
    }
    void TearDown() override {
        server_.reset();
        std::filesystem::remove_all(dir_);
    }

    // (Re)starts the whole stack from the file on disk, as routefabricd does at start-up.
    void start_from_file(std::string token = {}) {
        server_.reset();
        auto c = config::load_file(path_);
        ASSERT_TRUE(c) << config::format_errors(c.error());
        store_ = std::make_unique<config::ConfigStore>(*c, path_);
        cp_ = std::make_unique<testing::FakeBackend>(*c);
        registry_ = std::make_unique<metrics::Registry>();
        ServerOptions o;
        o.port = 0;
        o.token = std::move(token);
        server_ = std::make_unique<ApiServer>(o, *cp_, *store_, *registry_);
        ASSERT_EQ(server_->start(), std::nullopt);
        url_.port = server_->port();
    }

    ClientResponse call(const std::string& method, const std::string& target, const std::string& body = {},
                        const std::string& token = {}) {
        auto r = http_request(url_, method, target, body, token);
        EXPECT_TRUE(r) << r.error();
        return r ? *r : ClientResponse{};
    }
    static Json json(const ClientResponse& r) { return Json::parse(r.body); }
    static std::string code(const ClientResponse& r) { return json(r)["error"]["code"].get<std::string>(); }

    std::string dir_;
    std::string path_;
    std::unique_ptr<config::ConfigStore> store_;
    std::unique_ptr<testing::FakeBackend> cp_;
    std::unique_ptr<metrics::Registry> registry_;
    std::unique_ptr<ApiServer> server_;
    ServerUrl url_;
};

TEST_F(ApiTest, RouteServerShow) {
    const auto r = call("GET", "/api/v1/routeserver");
    ASSERT_EQ(r.status, 200U) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    const Json j = json(r);
    EXPECT_EQ(j["asn"], 65515);
    EXPECT_EQ(j["listenAddresses"], Json::array({"10.1.255.4", "10.1.255.5"}));
    EXPECT_EQ(j["holdTime"], 180);
    EXPECT_EQ(j["maxPeers"], 8);
    EXPECT_EQ(j["mode"], "azure");
}

TEST_F(ApiTest, ListShowCreateDeletePeering) {
    auto r = call("GET", "/api/v1/peerings");
    ASSERT_EQ(r.status, 200U);
    ASSERT_EQ(json(r)["value"].size(), 2U);
    EXPECT_EQ(json(r)["value"][0]["name"], "nva1");
    EXPECT_EQ(json(r)["value"][0]["peerIp"], "10.1.1.4");
    EXPECT_EQ(json(r)["value"][0]["peerAsn"], 65001);

    r = call("POST", "/api/v1/peerings", R"({"name": "nva3", "peerIp": "10.1.1.6", "peerAsn": 65003, "ttl": 2,
                                            "md5Password": "secret", "routeLimit": 500})");
    ASSERT_EQ(r.status, 201U) << r.body;
    EXPECT_EQ(json(r)["name"], "nva3");
    EXPECT_EQ(json(r)["routeLimit"], 500);
    EXPECT_EQ(json(r)["md5Configured"], true);
    EXPECT_FALSE(json(r).contains("md5Password"));  // never echoed
    EXPECT_EQ(cp_->peer_count(), 3U);

    r = call("GET", "/api/v1/peerings/nva3");
    ASSERT_EQ(r.status, 200U);
    EXPECT_EQ(json(r)["ttl"], 2);
    EXPECT_EQ(json(r)["sessions"].size(), 2U);

    // The change is in the file already.
    auto on_disk = config::load_file(path_);
    ASSERT_TRUE(on_disk);
    ASSERT_NE(on_disk->find_peer("nva3"), nullptr);
    EXPECT_EQ(on_disk->find_peer("nva3")->md5_password, "secret");

    r = call("DELETE", "/api/v1/peerings/nva3");
    ASSERT_EQ(r.status, 200U) << r.body;
    EXPECT_EQ(cp_->peer_count(), 2U);
    EXPECT_EQ(config::load_file(path_)->find_peer("nva3"), nullptr);

    r = call("GET", "/api/v1/peerings/nva3");
    EXPECT_EQ(r.status, 404U);
    EXPECT_EQ(code(r), "PeeringNotFound");
    r = call("DELETE", "/api/v1/peerings/nva3");
    EXPECT_EQ(r.status, 404U);
    EXPECT_EQ(code(r), "PeeringNotFound");
}

TEST_F(ApiTest, RouteLimitActionThresholdAndGtsmAreCreatedShownAndValidated) {
    auto r = call("POST", "/api/v1/peerings",
                  R"({"name": "nva3", "peerIp": "10.1.1.6", "peerAsn": 65003, "routeLimit": 200,
                      "routeLimitAction": "warn", "routeLimitWarningPercent": 90, "gtsm": true})");
    ASSERT_EQ(r.status, 201U) << r.body;
    EXPECT_EQ(json(r)["routeLimitAction"], "warn");
    EXPECT_EQ(json(r)["routeLimitWarningPercent"], 90);
    EXPECT_EQ(json(r)["gtsm"], true);
    const auto on_disk = config::load_file(path_);
    ASSERT_TRUE(on_disk);
    ASSERT_NE(on_disk->find_peer("nva3"), nullptr);
    EXPECT_EQ(on_disk->find_peer("nva3")->route_limit_action, azure::RouteLimitAction::Warn);
    EXPECT_EQ(on_disk->find_peer("nva3")->route_limit_warning_percent, 90U);
    EXPECT_TRUE(on_disk->find_peer("nva3")->gtsm);
    // Defaults shown for a peering that names none.
    r = call("GET", "/api/v1/peerings/nva1");
    EXPECT_EQ(json(r)["routeLimitAction"], "teardown");
    EXPECT_EQ(json(r)["routeLimitWarningPercent"], 75);
    EXPECT_EQ(json(r)["gtsm"], false);

    for (const char* bad :
         {R"("routeLimitAction": "drop")", R"("routeLimitAction": 1)", R"("routeLimitWarningPercent": 0)",
          R"("routeLimitWarningPercent": 101)", R"("gtsm": "yes")"}) {
        r = call("POST", "/api/v1/peerings",
                 std::string(R"({"name": "nva4", "peerIp": "10.1.1.7", "peerAsn": 65004, )") + bad + "}");
        EXPECT_EQ(r.status, 400U) << bad << ": " << r.body;
        const std::string field = json(r)["error"].value("field", std::string());
        EXPECT_TRUE(field == "routeLimitAction" || field == "routeLimitWarningPercent" || field == "gtsm")
            << bad << ": " << r.body;
    }
    EXPECT_EQ(cp_->peer_count(), 3U);
}

TEST_F(ApiTest, ResetPeeringIsAPostThatNamesAPeering) {
    auto r = call("POST", "/api/v1/peerings/nva2/reset");
    ASSERT_EQ(r.status, 200U) << r.body;
    EXPECT_EQ(json(r)["name"], "nva2");
    EXPECT_EQ(json(r)["sessionsReset"], 1);
    EXPECT_EQ(json(r)["sessionsRestarted"], 0);
    EXPECT_EQ(cp_->resets(), std::vector<std::string>{"nva2"});
    r = call("GET", "/api/v1/peerings/nva2/reset");
    EXPECT_EQ(r.status, 405U);
    r = call("POST", "/api/v1/peerings/nope/reset");
    EXPECT_EQ(r.status, 404U);
    EXPECT_EQ(code(r), "PeeringNotFound");
    EXPECT_EQ(cp_->resets(), std::vector<std::string>{"nva2"});
}

TEST_F(ApiTest, NinthPeeringIsRefusedWithPeerLimitReached) {
    for (int i = 3; i <= 8; ++i) {
        const auto r = call("POST", "/api/v1/peerings",
                            Json{{"name", "nva" + std::to_string(i)},
                                 {"peerIp", "10.1.1." + std::to_string(10 + i)},
                                 {"peerAsn", 65000 + i}}
                                .dump());
        ASSERT_EQ(r.status, 201U) << r.body;
    }
    const auto r =
        call("POST", "/api/v1/peerings", R"({"name": "nva9", "peerIp": "10.1.1.99", "peerAsn": 65009})");
    EXPECT_EQ(r.status, 409U) << r.body;
    EXPECT_EQ(code(r), "PeerLimitReached");
    EXPECT_NE(json(r)["error"]["message"].get<std::string>().find("max_peers"), std::string::npos);
    EXPECT_EQ(cp_->peer_count(), 8U);
    EXPECT_EQ(config::load_file(path_)->peers.size(), 8U);
}

TEST_F(ApiTest, DuplicatePeeringIsAConflict) {
    auto r = call("POST", "/api/v1/peerings", R"({"name": "nva1", "peerIp": "10.1.1.50", "peerAsn": 65010})");
    EXPECT_EQ(r.status, 409U) << r.body;
    EXPECT_EQ(code(r), "DuplicatePeering");
    EXPECT_EQ(json(r)["error"]["field"], "name");
    r = call("POST", "/api/v1/peerings", R"({"name": "other", "peerIp": "10.1.1.4", "peerAsn": 65010})");
    EXPECT_EQ(r.status, 409U) << r.body;
    EXPECT_EQ(code(r), "DuplicatePeering");
    EXPECT_EQ(json(r)["error"]["field"], "peerIp");
    EXPECT_EQ(cp_->peer_count(), 2U);
}

TEST_F(ApiTest, AsnRulesAreInvalidFieldsNamingPeerAsn) {
    for (const char* asn : {"65517", "8075", "65515", "23456", "4200000000"}) {
        const auto r = call("POST", "/api/v1/peerings",
                            std::string(R"({"name": "x", "peerIp": "10.1.1.60", "peerAsn": )") + asn + "}");
        EXPECT_EQ(r.status, 400U) << asn << r.body;
        EXPECT_EQ(code(r), "InvalidField") << asn;
        EXPECT_EQ(json(r)["error"]["field"], "peerAsn") << asn;
    }
    const auto r =
        call("POST", "/api/v1/peerings", R"({"name": "x", "peerIp": "10.1.1.60", "peerAsn": 65517})");
    EXPECT_NE(json(r)["error"]["message"].get<std::string>().find("reserved by Azure"), std::string::npos)
        << r.body;
    EXPECT_EQ(cp_->peer_count(), 2U);
}

TEST_F(ApiTest, InvalidJsonAndFieldsAreRejectedClearly) {
    auto r = call("POST", "/api/v1/peerings", R"({"name": "x", "peerIp": )");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(code(r), "InvalidJson");
    EXPECT_NE(json(r)["error"]["message"].get<std::string>().find("not valid JSON"), std::string::npos);

    r = call("POST", "/api/v1/peerings", R"([1, 2])");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(code(r), "InvalidJson");

    r = call("POST", "/api/v1/peerings", R"({"name": "x", "peerIp": "ten.one", "peerAsn": 65010})");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(json(r)["error"]["field"], "peerIp");

    r = call("POST", "/api/v1/peerings", R"({"name": "x", "peerIp": "10.1.1.70"})");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(json(r)["error"]["field"], "peerAsn");
    EXPECT_NE(json(r)["error"]["message"].get<std::string>().find("required"), std::string::npos);

    r = call("POST", "/api/v1/peerings", R"({"name": "x", "peerIp": "10.1.1.70", "peerAsn": "65010"})");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(json(r)["error"]["field"], "peerAsn");

    r = call("POST", "/api/v1/peerings",
             R"({"name": "x", "peerIp": "10.1.1.70", "peerAsn": 65010, "colour": 1})");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(json(r)["error"]["field"], "colour");

    r = call("POST", "/api/v1/peerings", R"({"name": "bad name", "peerIp": "10.1.1.70", "peerAsn": 65010})");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(json(r)["error"]["field"], "name");

    r = call("POST", "/api/v1/peerings",
             R"({"name": "x", "peerIp": "10.1.1.70", "peerAsn": 65010, "ttl": 300})");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(json(r)["error"]["field"], "ttl");
    EXPECT_EQ(cp_->peer_count(), 2U);
}

TEST_F(ApiTest, PeerManagerRefusalIsPassedOnAndNothingIsPersisted) {
    cp_->refuse_next_add(ApiError{ErrorCode::PeeringRejected, "peer manager says no", ""});
    const auto r =
        call("POST", "/api/v1/peerings", R"({"name": "nva3", "peerIp": "10.1.1.6", "peerAsn": 65003})");
    EXPECT_EQ(r.status, 409U);
    EXPECT_EQ(code(r), "PeeringRejected");
    EXPECT_EQ(config::load_file(path_)->find_peer("nva3"), nullptr);
}

TEST_F(ApiTest, FailedPersistenceRollsTheChangeBack) {
    std::filesystem::remove_all(dir_);  // the file's directory is gone: the save fails
    const auto r =
        call("POST", "/api/v1/peerings", R"({"name": "nva3", "peerIp": "10.1.1.6", "peerAsn": 65003})");
    EXPECT_EQ(r.status, 500U) << r.body;
    EXPECT_EQ(code(r), "Internal");
    EXPECT_NE(json(r)["error"]["message"].get<std::string>().find("not saved"), std::string::npos) << r.body;
    EXPECT_EQ(cp_->peer_count(), 2U);
    std::filesystem::create_directories(dir_);
}

TEST_F(ApiTest, PersistedChangesSurviveARestart) {
    ASSERT_EQ(call("POST", "/api/v1/peerings", R"({"name": "nva3", "peerIp": "10.1.1.6", "peerAsn": 65003})")
                  .status,
              201U);
    ASSERT_EQ(call("DELETE", "/api/v1/peerings/nva1").status, 200U);
    start_from_file();
    const Json list = json(call("GET", "/api/v1/peerings"))["value"];
    ASSERT_EQ(list.size(), 2U);
    EXPECT_EQ(list[0]["name"], "nva2");
    EXPECT_EQ(list[1]["name"], "nva3");
}

TEST_F(ApiTest, LearnedAndAdvertisedRoutesAreKeyedPerInstanceLikeAz) {
    auto r = call("GET", "/api/v1/peerings/nva1/learned-routes");
    ASSERT_EQ(r.status, 200U) << r.body;
    Json j = json(r);
    ASSERT_TRUE(j.contains("RouteServiceRole_IN_0"));
    ASSERT_TRUE(j.contains("RouteServiceRole_IN_1"));
    const Json& route = j["RouteServiceRole_IN_1"][0];
    EXPECT_EQ(route["localAddress"], "10.1.255.5");
    EXPECT_EQ(route["network"], "10.250.0.0/16");
    EXPECT_EQ(route["nextHop"], "10.1.1.4");
    EXPECT_EQ(route["sourcePeer"], "10.1.1.4");
    EXPECT_EQ(route["asPath"], "65001");
    EXPECT_EQ(route["origin"], "EBgp");
    EXPECT_EQ(route["weight"], 32768);

    r = call("GET", "/api/v1/peerings/nva2/advertised-routes");
    ASSERT_EQ(r.status, 200U);
    EXPECT_EQ(json(r)["RouteServiceRole_IN_0"][0]["network"], "10.1.0.0/16");

    r = call("GET", "/api/v1/peerings/ghost/learned-routes");
    EXPECT_EQ(r.status, 404U);
    EXPECT_EQ(code(r), "PeeringNotFound");
}

TEST_F(ApiTest, FilteredRoutesNameThePolicyAndStatement) {
    auto r = call("GET", "/api/v1/peerings/nva1/filtered-routes");
    ASSERT_EQ(r.status, 200U) << r.body;
    const Json filtered = json(r);
    const Json& route = filtered["RouteServiceRole_IN_0"][0];
    EXPECT_EQ(route["network"], "192.168.0.0/16");
    EXPECT_EQ(route["policy"]["name"], "no-bogons");
    EXPECT_EQ(route["policy"]["statement"], "bogons");
    EXPECT_EQ(route["policy"]["decidedBy"], "statement");
    // Learned routes carry no verdict.
    r = call("GET", "/api/v1/peerings/nva1/learned-routes");
    EXPECT_FALSE(json(r)["RouteServiceRole_IN_0"][0].contains("policy"));
    EXPECT_EQ(call("GET", "/api/v1/peerings/ghost/filtered-routes").status, 404U);
    EXPECT_EQ(call("POST", "/api/v1/peerings/nva1/filtered-routes").status, 405U);
    // A path an import statement rewrote names it; the others carry no rewrittenBy.
    const Json e = json(call("GET", "/api/v1/rib/10.250.0.0/16"));
    EXPECT_EQ(e["paths"][0]["rewrittenBy"], "from-nva1/tag");
    EXPECT_FALSE(e["paths"][1].contains("rewrittenBy"));
}

TEST_F(ApiTest, RibByPrefixShowsEcmpSetAndDecidingStep) {
    for (const char* target : {"/api/v1/rib/10.250.0.0/16", "/api/v1/rib/10.250.0.0%2F16"}) {
        const auto r = call("GET", target);
        ASSERT_EQ(r.status, 200U) << target << r.body;
        const Json j = json(r);
        EXPECT_EQ(j["prefix"], "10.250.0.0/16");
        EXPECT_EQ(j["decidedBy"], "PeerBgpId");
        EXPECT_EQ(j["ecmpNextHops"].size(), 2U);
        EXPECT_EQ(j["paths"][0]["best"], true);
        EXPECT_EQ(j["paths"][1]["peerBgpId"], "10.1.1.5");  // each path: why it ranks where it does
        EXPECT_EQ(j["paths"][1]["decidedBy"], "PeerBgpId");
        EXPECT_EQ(j["paths"][1]["ecmpStatus"], "Member");
    }
    auto r = call("GET", "/api/v1/rib/10.250.0.1/16");
    EXPECT_EQ(r.status, 400U);
    EXPECT_EQ(code(r), "InvalidPrefix");
    r = call("GET", "/api/v1/rib/192.0.2.0/24");
    EXPECT_EQ(r.status, 404U);
    EXPECT_EQ(code(r), "RouteNotFound");
}

TEST_F(ApiTest, EffectiveRoutesOfVmAndSubnet) {
    auto r = call("GET", "/api/v1/vms/vm1/effective-routes");
    ASSERT_EQ(r.status, 200U);
    EXPECT_EQ(json(r)["value"][1]["nextHopType"], "VirtualNetworkGateway");
    EXPECT_EQ(json(r)["value"][1]["nextHopIpAddress"].size(), 2U);
    EXPECT_EQ(call("GET", "/api/v1/vms/nope/effective-routes").status, 404U);
    EXPECT_EQ(call("GET", "/api/v1/subnets/hub/workload/effective-routes").status, 200U);
    EXPECT_EQ(call("GET", "/api/v1/subnets/hub%2Fworkload/effective-routes").status, 200U);
    EXPECT_EQ(call("GET", "/api/v1/subnets/hub/nope/effective-routes").status, 404U);
}

TEST_F(ApiTest, RpkiShowsTheTableTheCachesAndRoutesByValidity) {
    auto r = call("GET", "/api/v1/rpki");
    ASSERT_EQ(r.status, 200U);
    const auto j = json(r);
    EXPECT_EQ(j["state"], "stale");
    EXPECT_EQ(j["roas"]["ipv4"], 3);
    EXPECT_EQ(j["caches"][0]["state"], "error");
    EXPECT_EQ(j["caches"][0]["sessionId"], 4242);
    EXPECT_EQ(j["caches"][0]["secondsSinceSync"], 95);
    EXPECT_TRUE(j["caches"][1]["secondsSinceSync"].is_null());
    EXPECT_EQ(j["routes"]["notFound"], 5);
    EXPECT_EQ(j["revalidation"]["validityChanges"], 3);
    EXPECT_EQ(call("POST", "/api/v1/rpki").status, 405U);
}

TEST_F(ApiTest, EmulatorStats) {
    const auto r = call("GET", "/api/v1/emulator/stats");
    ASSERT_EQ(r.status, 200U);
    EXPECT_EQ(json(r)["vms"], 6000);
    EXPECT_EQ(json(r)["convergence"]["events"], 3);
}

TEST_F(ApiTest, MetricsInPrometheusFormat) {
    call("GET", "/api/v1/peerings");
    const auto r = call("GET", "/metrics");
    ASSERT_EQ(r.status, 200U);
    EXPECT_EQ(r.content_type.rfind("text/plain; version=0.0.4", 0), 0U) << r.content_type;
    EXPECT_NE(r.body.find("# TYPE routefabric_sessions gauge\n"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("routefabric_sessions{state=\"established\"} 4\n"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("routefabric_peer_routes{peer=\"nva1\"} 2\n"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("routefabric_locrib_prefixes 2\n"), std::string::npos);
    EXPECT_NE(r.body.find("routefabric_fib_publish_latency_seconds_bucket{le=\"+Inf\"} 0\n"),
              std::string::npos);
    EXPECT_NE(r.body.find("routefabric_api_requests_total{code=\"200\"}"), std::string::npos);
}

TEST_F(ApiTest, UnknownRoutesAndMethods) {
    auto r = call("GET", "/api/v1/nothing");
    EXPECT_EQ(r.status, 404U);
    EXPECT_EQ(code(r), "NotFound");
    r = call("PUT", "/api/v1/peerings");
    EXPECT_EQ(r.status, 405U);
    EXPECT_EQ(code(r), "MethodNotAllowed");
    r = call("GET", "/nothing");
    EXPECT_EQ(r.status, 404U);
    r = call("GET", "/");  // the looking glass (looking_glass_test.cpp)
    EXPECT_EQ(r.status, 302U);
}

TEST_F(ApiTest, InvalidUtf8InTheBodyIsAClientError) {
    const auto r = call("POST", "/api/v1/peerings",
                        "{\"name\": \"nva\xC3\x28\", \"peerIp\": \"10.1.1.9\", \"peerAsn\": 65009}");
    ASSERT_EQ(r.status, 400U) << r.body;
    const Json j = Json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "InvalidJson");
    EXPECT_NE(j["error"]["message"].get<std::string>().find("not valid UTF-8: byte 0xC3 at offset 13"),
              std::string::npos)
        << r.body;
    EXPECT_EQ(cp_->peer_count(), 2U);
}

TEST_F(ApiTest, AFourHundredDigitNumberIsAClientError) {
    const auto r =
        call("POST", "/api/v1/peerings",
             R"({"name": "nva9", "peerIp": "10.1.1.9", "peerAsn": )" + std::string(400, '9') + "}");
    ASSERT_EQ(r.status, 400U) << r.body;
    const Json j = Json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "InvalidJson");
    EXPECT_NE(j["error"]["message"].get<std::string>().find("number too large"), std::string::npos) << r.body;
    EXPECT_EQ(cp_->peer_count(), 2U);
}

TEST(Utf8Check, FindsTheFirstByteThatIsNotUtf8) {
    EXPECT_EQ(first_invalid_utf8("plain ascii"), std::nullopt);
    EXPECT_EQ(first_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::nullopt);  // é € 😀
    EXPECT_EQ(first_invalid_utf8("ab\x80"), 2U);            // stray continuation
    EXPECT_EQ(first_invalid_utf8("\xC0\xAF"), 0U);          // overlong '/'
    EXPECT_EQ(first_invalid_utf8("x\xED\xA0\x80"), 1U);     // a surrogate
    EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0U);  // past U+10FFFF
    EXPECT_EQ(first_invalid_utf8("ok\xE2\x82"), 2U);        // cut short
    EXPECT_EQ(first_invalid_utf8("\xFF"), 0U);
}

TEST(ApiServerLimits, OversizedBodyIsRefusedWith413) {
    auto c = config::load_text(kConfig);
    ASSERT_TRUE(c);
    config::ConfigStore store(*c, "");
    testing::FakeBackend cp(*c);
    metrics::Registry registry;
    ServerOptions o;
    o.port = 0;
    o.body_limit = 256;
    ApiServer server(o, cp, store, registry);
    ASSERT_EQ(server.start(), std::nullopt);
    ServerUrl url;
    url.port = server.port();
    auto r = http_request(url, "POST", "/api/v1/peerings", std::string(4096, ' '));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, 413U);
    EXPECT_NE(r->body.find("PayloadTooLarge"), std::string::npos);
    EXPECT_EQ(cp.peer_count(), 2U);
}

TEST_F(ApiTest, TokenIsRequiredWhenConfigured) {
    start_from_file("s3cret");
    auto r = call("GET", "/api/v1/peerings");
    EXPECT_EQ(r.status, 401U);
    EXPECT_EQ(code(r), "Unauthorized");
    EXPECT_NE(json(r)["error"]["message"].get<std::string>().find("Authorization: Bearer"),
              std::string::npos);
    r = call("GET", "/api/v1/peerings", "", "wrong");
    EXPECT_EQ(r.status, 401U);
    r = call("GET", "/metrics", "", "");
    EXPECT_EQ(r.status, 401U);
    r = call("GET", "/api/v1/peerings", "", "s3cret");
    EXPECT_EQ(r.status, 200U);
}

TEST(ApiServerStart, NonLoopbackWithoutTokenIsRefused) {
    auto c = config::load_text(kConfig);
    ASSERT_TRUE(c);
    config::ConfigStore store(*c, "");
    testing::FakeBackend cp(*c);
    metrics::Registry registry;
    ServerOptions o;
    o.address = *net::IpAddress::parse("0.0.0.0");
    o.port = 0;
    ApiServer server(o, cp, store, registry);
    const auto err = server.start();
    ASSERT_TRUE(err.has_value());
    EXPECT_NE(err->find("api.token"), std::string::npos) << *err;
}

TEST(ApiServerStart, PortInUseIsReported) {
    auto c = config::load_text(kConfig);
    ASSERT_TRUE(c);
    config::ConfigStore store(*c, "");
    testing::FakeBackend cp(*c);
    metrics::Registry registry;
    ServerOptions o;
    o.port = 0;
    ApiServer first(o, cp, store, registry);
    ASSERT_EQ(first.start(), std::nullopt);
    o.port = first.port();
    ApiServer second(o, cp, store, registry);
    const auto err = second.start();
    ASSERT_TRUE(err.has_value());
    EXPECT_NE(err->find("cannot listen on 127.0.0.1:" + std::to_string(o.port)), std::string::npos) << *err;
}

TEST(HttpClient, UnreachableServerIsAnError) {
    ServerUrl url;
    url.port = 1;  // nothing listens on port 1 of loopback
    auto r = http_request(url, "GET", "/api/v1/routeserver");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("cannot connect"), std::string::npos) << r.error();
}

TEST(HttpClient, ParseServerUrl) {
    EXPECT_EQ(parse_server_url("http://127.0.0.1:8080")->port, 8080);
    EXPECT_EQ(parse_server_url("localhost")->host, "localhost");
    EXPECT_EQ(parse_server_url("localhost")->port, 9179);
    EXPECT_EQ(parse_server_url("http://[::1]:81/")->host, "::1");
    EXPECT_FALSE(parse_server_url("https://x"));
    EXPECT_FALSE(parse_server_url("http://x:0"));
}

}  // namespace
}  // namespace rf::api
