// `routefabricd --check-config` on files the strict reader refuses: the command a user runs reports each
// problem with its line and column, exit status 1, and a value's NUL does not cut the message.
#include <gtest/gtest.h>

#include <string>

#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

class CheckConfig : public ::testing::Test {
protected:
    void SetUp() override {
        if (const std::string why = daemon_binaries_missing(false); !why.empty()) {
            GTEST_SKIP() << why;
        }
    }
    // What --check-config prints for a file holding `text` (stdout and stderr).
    std::string check(const std::string& text) {
        write_file(dir_.file("rf.yaml"), text);
        return run_capture({routefabricd_path(), "--check-config", dir_.file("rf.yaml")});
    }

    TempDir dir_{"rf-check-config"};
};

TEST_F(CheckConfig, ReportsDuplicateKeysTagsAndASecondDocumentWithTheirLines) {
    const std::string out = check(
        "route_server:\n"
        "  listen: [127.0.0.1]\n"
        "peers:\n"
        "  - name: a\n"
        "    address: 127.0.0.9\n"
        "    asn: 65001\n"
        "    port: 42179\n"
        "    port: 99999999\n"
        "  - {name: b, address: 127.0.0.10, asn: !!str 65002}\n");
    EXPECT_NE(out.find("peers[0]: duplicate key 'port' (line 8, column 5; first at line 7)"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("peers[1].asn: explicit tag '!!str' at line 9"), std::string::npos) << out;
    EXPECT_EQ(out.find(": OK"), std::string::npos) << out;

    const std::string two = check("route_server: {listen: [127.0.0.1]}\n---\nroute_server: {asn: 1}\n");
    EXPECT_NE(two.find("a second YAML document starts at line 2, column 1"), std::string::npos) << two;
}

TEST_F(CheckConfig, ReportsANulInAValueEscapedAndAFileThatIsNotText) {
    const std::string out = check(
        "route_server: {listen: [127.0.0.1]}\n"
        "peers:\n"
        "  - {name: \"sdwan\\x00evil\", address: 127.0.0.9, asn: 65001}\n");
    EXPECT_NE(out.find("peers[0].name: 'sdwan\\x00evil' may hold only letters"), std::string::npos) << out;

    const std::string nul = check(std::string(32, '\0'));
    EXPECT_NE(nul.find("not YAML text: control character 0x00 at line 1, column 1"), std::string::npos)
        << nul;
}

TEST_F(CheckConfig, NamesTheRouteLimitAndGtsmKeysOfTheBadPeer) {
    const std::string out = check(
        "route_server: {listen: [127.0.0.1]}\n"
        "peers:\n"
        "  - {name: a, address: 127.0.0.9, asn: 65001, route_limit_action: warn, "
        "route_limit_warning_percent: 80}\n"
        "  - {name: b, address: 127.0.0.10, asn: 65002, gtsm: true}\n"
        "  - {name: c, address: 127.0.0.11, asn: 65003, route_limit_warning_percent: 0}\n"
        "  - {name: d, address: 127.0.0.12, asn: 65004, route_limit_action: shutdown, gtsm: maybe}\n");
    EXPECT_NE(out.find("peers[2].route_limit_warning_percent: must be 1..100"), std::string::npos) << out;
    EXPECT_NE(out.find("peers[3].route_limit_action: 'shutdown' is not one of: teardown, warn"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("peers[3].gtsm:"), std::string::npos) << out;
    EXPECT_EQ(out.find("peers[0]."), std::string::npos) << out;
    EXPECT_EQ(out.find("peers[1]."), std::string::npos) << out;
    EXPECT_EQ(out.find(": OK"), std::string::npos) << out;

    const std::string ok = check(
        "route_server: {listen: [127.0.0.1]}\n"
        "peers:\n"
        "  - {name: a, address: 127.0.0.9, asn: 65001, route_limit_action: warn, "
        "route_limit_warning_percent: 100,"
        " gtsm: true}\n");
    EXPECT_NE(ok.find(": OK"), std::string::npos) << ok;
}

}  // namespace
}  // namespace rf::testing
