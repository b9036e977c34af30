// The routefabricd binary end to end, from a YAML configuration:
//  - --check-config reports every error with its field path (exit 1) and summarises a valid file (exit 0);
//  - a session establishes with a raw peer on loopback, and SIGTERM sends Cease / Administrative Shutdown
//    with an RFC 8203 message before exiting 0;
//  - one process serves the REST API over the real FIB with the host emulator: a peering created with
//    rfctl learns a route, a VM's effective routes show it (computed over the FIB's VNet model), the
//    emulator measured convergence for it, /metrics shows the FIB and host series, and deleting the
//    peering withdraws the route. (The REST API itself is covered by tests/api.)
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

std::string binary_dir() {
    const char* bin = std::getenv("RF_BINARY_DIR");
    return bin != nullptr ? bin : "build";
}
std::string daemon_path() {
    return binary_dir() + "/control/daemon/routefabricd";
}
std::string rfctl_path() {
    return binary_dir() + "/control/api/rfctl";
}

TEST(Routefabricd, CheckConfigReportsEveryErrorWithItsPath) {
    if (!have_executable(daemon_path())) {
        GTEST_SKIP() << "routefabricd not built at " << daemon_path();
    }
    TempDir dir("rf-daemon");
    write_file(dir.file("bad.yaml"),
               "route_server:\n  listen: [127.0.0.1]\n  hold_time: 2\npeers:\n"
               "  - {name: x, address: 127.0.0.9, asn: 8075}\n");
    const auto out = run_capture({daemon_path(), "--check-config", dir.file("bad.yaml")});
    EXPECT_NE(out.find("route_server.hold_time: must be 0 or at least 3 seconds"), std::string::npos) << out;
    EXPECT_NE(out.find("peers[0].asn: "), std::string::npos) << out;
    EXPECT_NE(out.find("8075"), std::string::npos) << out;

    write_file(
        dir.file("good.yaml"),
        "route_server:\n  listen: [127.0.0.1]\npeers:\n  - {name: nva1, address: 127.0.0.9, asn: 65001}\n");
    const auto ok = run_capture({daemon_path(), "--check", dir.file("good.yaml")});
    EXPECT_NE(ok.find("good.yaml: OK"), std::string::npos) << ok;
    EXPECT_NE(ok.find("1 peer(s)"), std::string::npos) << ok;
}

TEST(Routefabricd, EstablishesAndSendsAdministrativeShutdownOnSigterm) {
    if (!have_executable(daemon_path())) {
        GTEST_SKIP() << "routefabricd not built at " << daemon_path();
    }
    TempDir dir("rf-daemon");
    const std::string rs = loopback(1);
    const std::string peer = loopback(21);
    const std::uint16_t port = free_port(rs);
    write_file(dir.file("rf.yaml"), "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs + ", " +
                                        loopback(2) + "]\n  port: " + std::to_string(port) +
                                        "\n  idle_hold: 1\npeers:\n  - {name: nva1, address: " + peer +
                                        ", asn: 65021}\napi:\n  enabled: false\n");
    Process d;
    ASSERT_TRUE(d.start({daemon_path(), dir.file("rf.yaml")}, dir.file("rf.log")));
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
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 10s));
    EXPECT_TRUE(WIFEXITED(d.exit_status()) && WEXITSTATUS(d.exit_status()) == 0);
    const auto log = read_file(dir.file("rf.log"));
    EXPECT_NE(log.find("OpenSent -> OpenConfirm on OpenReceived (OPEN accepted)"), std::string::npos) << log;
    EXPECT_NE(log.find("Established -> Idle on ManualStop (administrative stop)"), std::string::npos) << log;
}

TEST(Routefabricd, ApiFibAndEmulatorInOneProcess) {
    if (!have_executable(daemon_path()) || !have_executable(rfctl_path())) {
        GTEST_SKIP() << "routefabricd or rfctl not built under " << binary_dir();
    }
    TempDir dir("rf-daemon");
    const std::string rs = loopback(1);
    const std::string peer = loopback(31);
    const std::uint16_t port = free_port(rs);
    const std::uint16_t api = free_port("127.0.0.1");
    // No virtual_network: the default lab VNet (10.1.0.0/16) with 400 VMs on 4 emulated hosts.
    write_file(dir.file("rf.yaml"), "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs +
                                        "]\n  port: " + std::to_string(port) +
                                        "\n  idle_hold: 1\n  connect_retry: 1\n"
                                        "emulator:\n  enabled: true\n  vm_count: 400\n  vms_per_host: 100\n"
                                        "api:\n  port: " +
                                        std::to_string(api) + "\n");
    Process d;
    ASSERT_TRUE(d.start({daemon_path(), dir.file("rf.yaml")}, dir.file("rf.log")));
    const std::string server = "http://127.0.0.1:" + std::to_string(api);
    auto rfctl = [&](std::vector<std::string> args) {
        std::vector<std::string> argv{rfctl_path(), "--server", server};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_capture(argv, 10s);
    };
    ASSERT_TRUE(wait_until(
        [&] {
            return rfctl({"routeserver", "show"}).find("65515") != std::string::npos;
        },
        20s, 200ms))
        << read_file(dir.file("rf.log"));

    const auto created =
        rfctl({"peering", "create", "--name", "nva1", "--peer-ip", peer, "--peer-asn", "65031"});
    EXPECT_NE(created.find("nva1"), std::string::npos) << created;
    RawPeer p;
    ASSERT_TRUE(wait_until([&] { return p.connect(peer, rs, port, 500ms); }, 10s, 100ms))
        << read_file(dir.file("rf.log"));
    ASSERT_TRUE(p.handshake(65031, "10.0.0.31"));
    ASSERT_TRUE(p.announce({"10.250.0.0/16"}, peer, {65031}));

    std::string routes;
    EXPECT_TRUE(wait_until(
        [&] {
            routes = rfctl({"-o", "json", "vm", "effective-routes", "vm7"});
            return routes.find("10.250.0.0/16") != std::string::npos &&
                   routes.find(peer) != std::string::npos;
        },
        10s, 200ms))
        << routes;
    EXPECT_NE(routes.find("\"VirtualNetworkGateway\""), std::string::npos)
        << routes;  // BGP-learned, as in Azure

    std::string stats;
    EXPECT_TRUE(wait_until(
        [&] {
            stats = rfctl({"-o", "json", "emulator", "stats"});
            return stats.find("last_change_hosts_converged") != std::string::npos;
        },
        10s, 200ms))
        << stats;
    EXPECT_NE(stats.find("packets_forwarded"), std::string::npos) << stats;

    const auto metrics = run_capture({"curl", "-s", server + "/metrics"}, 5s);
    if (!metrics.empty()) {
        EXPECT_NE(metrics.find("routefabric_fib_queue_depth"), std::string::npos) << metrics;
        EXPECT_NE(metrics.find("routefabric_host_packets_total"), std::string::npos) << metrics;
        EXPECT_NE(metrics.find("routefabric_fib_publish_latency_seconds_count"), std::string::npos)
            << metrics;
    }

    const auto deleted = rfctl({"peering", "delete", "nva1"});
    (void)deleted;
    EXPECT_TRUE(wait_until(
        [&] {
            routes = rfctl({"-o", "json", "vm", "effective-routes", "vm7"});
            return routes.find("10.250.0.0/16") == std::string::npos &&
                   routes.find("10.1.0.0/16") != std::string::npos;
        },
        10s, 200ms))
        << routes;
    EXPECT_EQ(rfctl({"peering", "list"}).find("nva1"), std::string::npos);

    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 15s));
    EXPECT_TRUE(WIFEXITED(d.exit_status()) && WEXITSTATUS(d.exit_status()) == 0)
        << read_file(dir.file("rf.log"));
}

}  // namespace
}  // namespace rf::testing
