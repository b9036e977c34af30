// The REST API's connection bound inside the management service, as routefabricd runs it over a real
// RouteServer on loopback: with api.max_connections held by idle clients, the extra connections are
// answered 503 and closed, the bound is logged once, and a configured BGP peer still establishes its
// session (the API cannot starve BGP of sockets).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/api/http_client.hpp"
#include "daemon/api/json.hpp"
#include "daemon/api/management_service.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/daemon/api/raw_http.hpp"

namespace rf::api {
namespace {

const char* const kConfig = R"(
route_server:
  listen: [127.0.0.1]
  port: 0
peers:
  - {name: nva1, address: 127.0.0.11, asn: 65001}
api:
  port: 0
  max_connections: 4
)";

class ApiConnectionLimitTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/rf_api_connlimit.XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        auto c = config::load_text(kConfig);
        ASSERT_TRUE(c) << config::format_errors(c.error());
        config_ = *c;
        server_ = std::make_unique<server::RouteServer>(io_, server_config(config_), sink_);
        for (const auto& p : config_.peers) {
            ASSERT_EQ(server_->add_peer(peer_settings(config_, p)), std::nullopt);
        }
        ASSERT_EQ(server_->start(), std::nullopt);
        const std::string l = server_->listening().front();
        bgp_port_ = static_cast<std::uint16_t>(std::stoi(l.substr(l.rfind(':') + 1)));
        management_ = std::make_unique<ManagementService>(io_, *server_, config_, dir_ + "/routefabric.yaml",
                                                          /*lab_model=*/false);
        management_->set_api_log_sink([this](const std::string& line) {
            const std::lock_guard lock(log_mutex_);
            log_.push_back(line);
        });
        ASSERT_EQ(management_->start(), std::nullopt);
        work_.emplace(io_.get_executor());
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        peer_.close();
        management_->stop();
        boost::asio::post(io_, [this] {
            server_->shutdown("test over", [this] {
                work_.reset();
                io_.stop();
            });
        });
        thread_.join();
        management_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::vector<std::string> log_lines() {
        const std::lock_guard lock(log_mutex_);
        return log_;
    }

    std::string dir_;
    config::Config config_;
    boost::asio::io_context io_{1};
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    rf::testing::CountingSink sink_;  // the RIB's deltas: accepted, only counted
    std::unique_ptr<server::RouteServer> server_;
    std::unique_ptr<ManagementService> management_;
    std::uint16_t bgp_port_ = 0;
    ::rf::testing::RawPeer peer_;
    std::thread thread_;
    std::mutex log_mutex_;
    std::vector<std::string> log_;
};

TEST_F(ApiConnectionLimitTest, ExtraConnectionsAreRefusedAndBgpStillEstablishes) {
    const std::uint16_t api_port = management_->api_port();
    ASSERT_NE(api_port, 0);

    // api.max_connections clients, each served once (so it was admitted) and then left idle.
    std::vector<std::unique_ptr<testing::RawHttpClient>> idle;
    for (int i = 0; i < 4; ++i) {
        idle.push_back(std::make_unique<testing::RawHttpClient>());
        ASSERT_TRUE(idle.back()->connect(api_port));
        ASSERT_TRUE(idle.back()->send("GET /api/v1/routeserver HTTP/1.1\r\nHost: x\r\n\r\n"));
        const std::string r = idle.back()->read_response();
        ASSERT_EQ(testing::status_of(r), 200U) << r;
    }

    constexpr int kExtra = 3;
    for (int i = 0; i < kExtra; ++i) {
        testing::RawHttpClient extra;
        ASSERT_TRUE(extra.connect(api_port));
        const std::string r = extra.read_until_close();
        EXPECT_EQ(testing::status_of(r), 503U) << r;
        EXPECT_TRUE(extra.closed);
    }
    const auto lines = log_lines();
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_NE(lines[0].find("connection limit reached (4 open"), std::string::npos) << lines[0];

    // The configured peer still gets its BGP session while the API is full.
    ASSERT_TRUE(peer_.connect("127.0.0.11", "127.0.0.1", bgp_port_));
    ASSERT_TRUE(peer_.handshake(65001, "127.0.0.11"));

    // ... and the API, once a client leaves, reports it.
    idle.front()->close();
    bool established = false;
    for (int i = 0; i < 250 && !established; ++i) {
        auto r = http_request(ServerUrl{"127.0.0.1", api_port}, "GET", "/api/v1/peerings/nva1");
        established = r && r->status == 200 && Json::parse(r->body)["state"] == "Established";
        if (!established) {
            (void)peer_.receive(std::chrono::milliseconds(1));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    EXPECT_TRUE(established);
    for (std::size_t i = 1; i < idle.size(); ++i) {
        EXPECT_TRUE(idle[i]->quiet_for(std::chrono::milliseconds(1))) << "an admitted client was closed";
    }
}

}  // namespace
}  // namespace rf::api
