// The looking glass as the API serves it (ApiHandler, no sockets; the page in a browser is
// tests/daemon/looking_glass_browser_test.cpp): the page and its assets come without the token and with a
// Content-Security-Policy that allows nothing from elsewhere, / redirects to it, data requests keep the
// token rules, it is read-only; the convergence history endpoint and its bounded log.
#include "daemon/api/looking_glass.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "daemon/api/convergence_history.hpp"
#include "daemon/api/json.hpp"
#include "daemon/api/server.hpp"
#include "tests/daemon/api/fake_backend.hpp"

namespace rf::api {
namespace {

std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
        if (n == name) {
            return v;
        }
    }
    return {};
}

class LookingGlass : public ::testing::Test {
protected:
    explicit LookingGlass(std::string token = "s3cret") {
        auto c = config::load_text(
            "route_server:\n  listen: [10.1.255.4]\npeers:\n  - {name: nva1, address: 10.1.1.4, asn: "
            "65001}\n");
        EXPECT_TRUE(c);
        config_ = *c;
        dir_ = std::filesystem::temp_directory_path() / ("rf_lg_test." + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        store_ = std::make_unique<config::ConfigStore>(config_, (dir_ / "rf.yaml").string());
        backend_ = std::make_unique<testing::FakeBackend>(config_);
        ServerOptions o;
        o.token = std::move(token);
        handler_ = std::make_unique<ApiHandler>(o, *backend_, *store_, registry_);
    }
    ~LookingGlass() override { std::filesystem::remove_all(dir_); }

    HttpResponse get(const std::string& target, const std::string& authorization = {}) {
        return handler_->handle(HttpRequest{"GET", target, authorization, ""});
    }

    config::Config config_;
    std::filesystem::path dir_;
    std::unique_ptr<config::ConfigStore> store_;
    std::unique_ptr<testing::FakeBackend> backend_;
    metrics::Registry registry_;
    std::unique_ptr<ApiHandler> handler_;
};

TEST_F(LookingGlass, PageAndAssetsAreServedWithoutTheTokenAndFetchNothingFromElsewhere) {
    const HttpResponse page = get("/lg");
    ASSERT_EQ(page.status, 200U) << page.body;
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("<script src=\"/lg/lg.js\"></script>"), std::string::npos);
    const std::string csp = header(page, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(header(page, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(get("/lg/").body, page.body);
    EXPECT_EQ(get("/lg?x=1").status, 200U);

    const HttpResponse js = get("/lg/lg.js");
    ASSERT_EQ(js.status, 200U);
    EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
    EXPECT_NE(js.body.find("/api/v1/peerings"), std::string::npos);
    const HttpResponse css = get("/lg/lg.css");
    ASSERT_EQ(css.status, 200U);
    EXPECT_EQ(css.content_type, "text/css; charset=utf-8");

    // No asset names another origin: every URL in them is a path on this server.
    const std::regex remote(R"((https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,})");
    for (const HttpResponse* r : {&page, &js, &css}) {
        std::smatch m;
        const std::string body =
            std::regex_replace(r->body, std::regex("http://www\\.w3\\.org/2000/svg"), "");
        EXPECT_FALSE(std::regex_search(body, m, remote)) << m.str();
    }
}

TEST_F(LookingGlass, RootRedirectsToThePage) {
    const HttpResponse r = get("/");
    EXPECT_EQ(r.status, 302U);
    EXPECT_EQ(header(r, "Location"), "/lg");
}

TEST_F(LookingGlass, DataRequestsStillNeedTheToken) {
    EXPECT_EQ(get("/api/v1/peerings").status, 401U);
    EXPECT_EQ(get("/api/v1/emulator/convergence").status, 401U);
    EXPECT_EQ(get("/lg/other").status, 401U);  // not an asset: an API request like any other
    EXPECT_EQ(get("/api/v1/peerings", "Bearer s3cret").status, 200U);
}

TEST_F(LookingGlass, IsReadOnly) {
    for (const char* method : {"POST", "PUT", "DELETE"}) {
        const HttpResponse r = handler_->handle(HttpRequest{method, "/lg", "", ""});
        EXPECT_EQ(r.status, 405U) << method;
        EXPECT_EQ(Json::parse(r.body)["error"]["code"], "MethodNotAllowed");
    }
}

TEST_F(LookingGlass, ConvergenceHistoryEndpoint) {
    const HttpResponse r = get("/api/v1/emulator/convergence", "Bearer s3cret");
    ASSERT_EQ(r.status, 200U) << r.body;
    const Json j = Json::parse(r.body);
    EXPECT_EQ(j["capacity"], 256);
    EXPECT_EQ(j["recorded"], 2);
    ASSERT_EQ(j["events"].size(), 2U);
    EXPECT_EQ(j["events"][0]["time"], "2026-12-07T18:40:01.123Z");
    EXPECT_EQ(j["events"][0]["change"], "update 10.250.0.0/16");
    EXPECT_EQ(j["events"][0]["complete"], true);
    EXPECT_DOUBLE_EQ(j["events"][0]["seconds"].get<double>(), 0.0021);
    EXPECT_EQ(j["events"][0]["hostsConverged"], 8);
    EXPECT_EQ(j["events"][1]["complete"], false);
    EXPECT_FALSE(j["events"][1].contains("seconds"));  // it timed out: no time to plot
    EXPECT_EQ(j["events"][1]["nextHopDown"], true);
    const HttpResponse post =
        handler_->handle(HttpRequest{"POST", "/api/v1/emulator/convergence", "Bearer s3cret", ""});
    EXPECT_EQ(post.status, 405U);
}

TEST(ConvergenceLog, KeepsTheLastEventsOldestFirst) {
    ConvergenceLog log(3);
    EXPECT_TRUE(log.snapshot().events.empty());
    for (int i = 1; i <= 5; ++i) {
        ConvergenceEvent e;
        e.change = "c" + std::to_string(i);
        log.record(e);
    }
    const ConvergenceHistory h = log.snapshot();
    EXPECT_EQ(h.capacity, 3U);
    EXPECT_EQ(h.recorded, 5U);
    ASSERT_EQ(h.events.size(), 3U);
    EXPECT_EQ(h.events[0].change, "c3");
    EXPECT_EQ(h.events[1].change, "c4");
    EXPECT_EQ(h.events[2].change, "c5");
    EXPECT_EQ(ConvergenceLog().snapshot().capacity, ConvergenceLog::kCapacity);
}

TEST(ConvergenceLog, TimesAreIso8601Utc) {
    const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796668801123LL));
    EXPECT_EQ(iso8601_utc(t), "2026-12-07T18:40:01.123Z");
}

}  // namespace
}  // namespace rf::api
