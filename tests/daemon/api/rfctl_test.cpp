// rfctl against a running API server (fake backend): the verbs, tables, -o json, exit codes and
// the messages that say what to do.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "daemon/api/json.hpp"
#include "daemon/api/server.hpp"
#include "tests/daemon/api/fake_backend.hpp"

namespace rf::api {
namespace {

struct CliRun {
    int exit_code = -1;
    std::string out;  // stdout + stderr
};

class RfctlTest : public ::testing::Test {
protected:
    void SetUp() override {
        const char* bin = std::getenv("RF_BINARY_DIR");
        ASSERT_NE(bin, nullptr) << "run through ctest (RF_BINARY_DIR names the build tree)";
        rfctl_ = std::string(bin) + "/daemon/api/rfctl";
        ASSERT_EQ(::access(rfctl_.c_str(), X_OK), 0) << rfctl_ << " is not built";
        auto c = config::load_text(R"(
route_server: {listen: [10.1.255.4, 10.1.255.5]}
peers:
  - {name: nva1, address: 10.1.1.4, asn: 65001}
  - {name: nva2, address: 10.1.1.5, asn: 65002}
)");
        ASSERT_TRUE(c);
        store_ = std::make_unique<config::ConfigStore>(*c, "");
        cp_ = std::make_unique<testing::FakeBackend>(*c);
        ServerOptions o;
        o.port = 0;
        o.token = token_;
        server_ = std::make_unique<ApiServer>(o, *cp_, *store_, registry_);
        ASSERT_EQ(server_->start(), std::nullopt);
        server_url_ = "http://127.0.0.1:" + std::to_string(server_->port());
    }

    // Runs rfctl with the server and token options first; arguments are quoted for the shell.
    CliRun rfctl(const std::string& args, bool with_server = true, bool with_token = true) {
        std::string cmd = "env -u RFCTL_SERVER -u RFCTL_TOKEN " + rfctl_;
        if (with_server) {
            cmd += " --server " + server_url_;
        }
        if (with_token) {
            cmd += " --token " + token_;
        }
        cmd += " " + args + " 2>&1";
        CliRun run;
        FILE* pipe = ::popen(cmd.c_str(), "r");
        if (pipe == nullptr) {
            return run;
        }
        std::array<char, 4096> buf{};
        std::size_t n = 0;
        while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
            run.out.append(buf.data(), n);
        }
        const int status = ::pclose(pipe);
        run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return run;
    }

    std::string rfctl_;
    std::string token_ = "t0ken";
    std::string server_url_;
    std::unique_ptr<config::ConfigStore> store_;
    std::unique_ptr<testing::FakeBackend> cp_;
    metrics::Registry registry_;
    std::unique_ptr<ApiServer> server_;
};

TEST_F(RfctlTest, PeeringListAsTableAndJson) {
    CliRun r = rfctl("peering list");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("Name"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("PeerAsn"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("nva2  10.1.1.5"), std::string::npos) << r.out;

    r = rfctl("-o json peering list");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const Json j = Json::parse(r.out);
    EXPECT_EQ(j["value"][1]["peerIp"], "10.1.1.5");
}

TEST_F(RfctlTest, CreateShowDeletePeering) {
    CliRun r = rfctl("peering create --name nva3 --peer-ip 10.1.1.6 --peer-asn 65003 --ttl 2 --active");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("nva3"), std::string::npos);
    EXPECT_EQ(cp_->peer_count(), 3U);
    EXPECT_FALSE(store_->snapshot().find_peer("nva3")->passive);

    r = rfctl("-o json peering show nva3");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(Json::parse(r.out)["ttl"], 2);
    EXPECT_EQ(Json::parse(r.out)["sessions"][0]["capabilities"]["maxMessageSize"], 65535);
    EXPECT_EQ(Json::parse(r.out)["sessions"][0]["routeRefresh"]["borrReceived"], 2);
    EXPECT_EQ(Json::parse(r.out)["extendedMessages"], true);
    r = rfctl("peering show --name nva3");  // az style
    ASSERT_EQ(r.exit_code, 0) << r.out;
    // The negotiated capabilities and the refresh exchanges, per session.
    EXPECT_NE(r.out.find("route-refresh,enhanced-refresh,extended-message"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("BoRR(in/out)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2/1"), std::string::npos) << r.out;

    r = rfctl("peering delete nva3");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("deleted peering nva3"), std::string::npos);
    EXPECT_EQ(cp_->peer_count(), 2U);
}

TEST_F(RfctlTest, ResetAndRouteLimitOptions) {
    CliRun r = rfctl("peering reset nva1");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("reset peering nva1: 1 established session(s) reset"), std::string::npos) << r.out;
    EXPECT_EQ(cp_->resets(), std::vector<std::string>{"nva1"});
    r = rfctl("peering reset ghost");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    r = rfctl("peering reset");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    r = rfctl(
        "-o json peering create --name nva3 --peer-ip 10.1.1.6 --peer-asn 65003 --route-limit 50 "
        "--route-limit-action warn --route-limit-warning-percent 90 --gtsm");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("\"routeLimitAction\": \"warn\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"routeLimitWarningPercent\": 90"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"gtsm\": true"), std::string::npos) << r.out;
    r = rfctl("peering show nva3");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("RouteLimitUsage"), std::string::npos) << r.out;
    r = rfctl(
        "peering create --name nva4 --peer-ip 10.1.1.7 --peer-asn 65004 --route-limit-warning-percent lots");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    r = rfctl("peering create --name nva4 --peer-ip 10.1.1.7 --peer-asn 65004 --route-limit-action drop");
    EXPECT_EQ(r.exit_code, 5) << r.out;  // the API refuses it: 400
    EXPECT_NE(r.out.find("routeLimitAction"), std::string::npos) << r.out;
}

TEST_F(RfctlTest, ExitCodes) {
    CliRun r = rfctl("peering show ghost");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("PeeringNotFound"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("rfctl peering list"), std::string::npos) << r.out;  // says what to do

    r = rfctl("peering create --name x --peer-ip 10.1.1.4 --peer-asn 65009");
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("DuplicatePeering"), std::string::npos) << r.out;

    r = rfctl("peering create --name x --peer-ip 10.1.1.9 --peer-asn 65517");
    EXPECT_EQ(r.exit_code, 5) << r.out;
    EXPECT_NE(r.out.find("reserved by Azure"), std::string::npos) << r.out;

    r = rfctl("peering create --name x --peer-ip 10.1.1.9");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("--peer-asn"), std::string::npos) << r.out;

    r = rfctl("peering frobnicate");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    r = rfctl("");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    r = rfctl("--bogus routeserver show");
    EXPECT_EQ(r.exit_code, 1) << r.out;

    r = rfctl("routeserver show", false, true);  // default server: nothing listens on 9179 in tests...
    if (r.exit_code != 0) {                      // ...unless a developer runs routefabricd there
        EXPECT_EQ(r.exit_code, 4) << r.out;
        EXPECT_NE(r.out.find("--server"), std::string::npos) << r.out;
    }
    r = rfctl("--server http://127.0.0.1:1 routeserver show", false, true);
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find("cannot reach"), std::string::npos) << r.out;

    r = rfctl("routeserver show", true, false);  // no token
    EXPECT_EQ(r.exit_code, 5) << r.out;
    EXPECT_NE(r.out.find("Unauthorized"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--token"), std::string::npos) << r.out;

    r = rfctl("--help", false, false);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("exit status"), std::string::npos) << "the help lists the exit codes";
}

TEST_F(RfctlTest, PeerLimitIsExitCode3) {
    for (int i = 3; i <= 8; ++i) {
        CliRun r = rfctl("peering create --name nva" + std::to_string(i) + " --peer-ip 10.1.1." +
                         std::to_string(10 + i) + " --peer-asn " + std::to_string(65000 + i));
        ASSERT_EQ(r.exit_code, 0) << r.out;
    }
    CliRun r = rfctl("peering create --name nva9 --peer-ip 10.1.1.99 --peer-asn 65009");
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("PeerLimitReached"), std::string::npos) << r.out;
}

TEST_F(RfctlTest, RoutesRibEffectiveRoutesAndEmulator) {
    CliRun r = rfctl("peering list-learned-routes nva1");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("LocalAddress"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("10.1.255.5    10.250.0.0/16"), std::string::npos) << r.out;

    r = rfctl("peering list-learned-routes nva1 --filtered");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("Statement"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("no-bogons"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("192.168.0.0/16"), std::string::npos) << r.out;
    r = rfctl("peering list-advertised-routes nva1 --filtered");
    EXPECT_EQ(r.exit_code, 1) << r.out;

    r = rfctl("-o json peering list-advertised-routes nva1");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(Json::parse(r.out).contains("RouteServiceRole_IN_1"));

    r = rfctl("rib show 10.250.0.0/16");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("Decided by: PeerBgpId"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("10.1.1.4, 10.1.1.5"), std::string::npos) << r.out;
    r = rfctl("rib show 192.0.2.0/24");
    EXPECT_EQ(r.exit_code, 2) << r.out;

    r = rfctl("vm effective-routes vm1");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("VirtualNetworkGateway"), std::string::npos) << r.out;
    r = rfctl("subnet effective-routes hub/workload");
    ASSERT_EQ(r.exit_code, 0) << r.out;

    r = rfctl("emulator stats");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("6000"), std::string::npos) << r.out;

    r = rfctl("routeserver show");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("65515"), std::string::npos) << r.out;
}

TEST_F(RfctlTest, RpkiShowsTheStateAndEveryCache) {
    CliRun r = rfctl("rpki show");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("State:   stale"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2 valid, 1 invalid, 5 not-found"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("192.0.2.10:8282"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("RTR_ERROR_TRANSPORT"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("never"), std::string::npos) << r.out;  // the standby cache never synchronised
    r = rfctl("rpki");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("192.0.2.11:323"), std::string::npos) << r.out;
    r = rfctl("rpki show extra");
    EXPECT_EQ(r.exit_code, 1) << r.out;
}

}  // namespace
}  // namespace rf::api
