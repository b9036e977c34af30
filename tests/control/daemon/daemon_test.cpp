// The routefabricd binary end to end: starts from a config file, establishes with a raw peer on
// loopback, logs transitions with reasons, and on SIGTERM sends Cease / Administrative Shutdown with an
// RFC 8203 message to every peer before exiting 0.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

std::string daemon_path() {
    const char* bin = std::getenv("RF_BINARY_DIR");
    return std::string(bin != nullptr ? bin : "build") + "/control/daemon/routefabricd";
}

TEST(Routefabricd, CheckModeReportsConfigErrorsWithLine) {
    if (!have_executable(daemon_path())) {
        GTEST_SKIP() << "routefabricd not built at " << daemon_path();
    }
    TempDir dir("rf-daemon");
    write_file(dir.file("bad.conf"),
               "router-id 10.0.0.1\nlisten 127.0.0.1\n[peer x]\naddress 127.0.0.9\nasn 8075\n");
    const auto out = run_capture({daemon_path(), "--check", dir.file("bad.conf")});
    EXPECT_NE(out.find("bad.conf:3: peer x (127.0.0.9): ASN 8075 is reserved"), std::string::npos) << out;
}

TEST(Routefabricd, EstablishesAndSendsAdministrativeShutdownOnSigterm) {
    if (!have_executable(daemon_path())) {
        GTEST_SKIP() << "routefabricd not built at " << daemon_path();
    }
    TempDir dir("rf-daemon");
    const std::string rs = loopback(1);
    const std::string peer = loopback(21);
    const std::uint16_t port = free_port(rs);
    write_file(dir.file("rf.conf"), "local-asn 65515\nrouter-id 10.255.0.1\nlisten " + rs + " " +
                                        loopback(2) + "\nport " + std::to_string(port) +
                                        "\nidle-hold 1\nvnet-prefix 10.1.0.0/16\n[peer nva1]\naddress " +
                                        peer + "\nasn 65021\n");
    Process d;
    ASSERT_TRUE(d.start({daemon_path(), dir.file("rf.conf")}, dir.file("rf.log")));
    RawPeer p;
    ASSERT_TRUE(wait_until([&] { return p.connect(peer, rs, port, 500ms); }, 10s, 100ms))
        << read_file(dir.file("rf.log"));
    ASSERT_TRUE(p.handshake(65021, "10.0.0.21"));
    ASSERT_TRUE(p.announce({"10.21.0.0/24"}, "100.64.0.21", {65021}));
    ASSERT_TRUE(wait_until(
        [&] { return read_file(dir.file("rf.log")).find("-> Established") != std::string::npos; }, 5s));
    d.signal(SIGTERM);
    auto n = p.await_notification(5s);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 2);  // Administrative Shutdown
    ASSERT_FALSE(n->data.empty());
    const std::string msg(n->data.begin() + 1, n->data.end());
    EXPECT_NE(msg.find("shutting down"), std::string::npos) << msg;
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 5s));
    EXPECT_TRUE(WIFEXITED(d.exit_status()) && WEXITSTATUS(d.exit_status()) == 0);
    const auto log = read_file(dir.file("rf.log"));
    EXPECT_NE(log.find("OpenSent -> OpenConfirm on OpenReceived (OPEN accepted)"), std::string::npos) << log;
    EXPECT_NE(log.find("Established -> Idle on ManualStop (administrative stop)"), std::string::npos) << log;
}

}  // namespace
}  // namespace rf::testing
