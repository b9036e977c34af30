// The routefabricd binary end to end, from a YAML configuration:
//  - --check-config reports every error with its field path (exit 1) and summarises a valid file (exit 0);
//  - a session establishes with a raw peer on loopback, and SIGTERM sends Cease / Administrative Shutdown
//    with an RFC 8203 message before exiting 0;
//  - one process serves the REST API over the real FIB with the host emulator: a peering created with
//    rfctl learns a route, a VM's effective routes show it (computed over the FIB's VNet model), the
//    emulator measured convergence for it, /metrics shows the FIB and host series, and deleting the
//    peering withdraws the route. (The REST API itself is covered by tests/daemon/api.)
//  - route-server-only mode (no virtual_network, no emulator, or --no-fib): no EAL, no FIB, BGP works;
//  - SIGHUP applies the file's peers (an invalid file changes nothing) and a changed virtual_network
//    section: the new address spaces are announced, every NVA is asked for its routes again
//    (ROUTE-REFRESH, or Cease / Other Configuration Change without route refresh), effective routes use
//    the new model, and in FIB mode the FIB takes it;
//  - SIGHUP changes a peer's route limit, action and threshold in place (no reset, a warning), and
//    `rfctl peering reset` clears one peering's session (Cease / Administrative Reset), not the other's.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

TEST(Routefabricd, CheckConfigReportsEveryErrorWithItsPath) {
    if (const std::string why = daemon_binaries_missing(false); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-daemon");
    write_file(dir.file("bad.yaml"),
               "route_server:\n  listen: [127.0.0.1]\n  hold_time: 2\npeers:\n"
               "  - {name: x, address: 127.0.0.9, asn: 8075}\n");
    const auto out = run_capture({routefabricd_path(), "--check-config", dir.file("bad.yaml")});
    EXPECT_NE(out.find("route_server.hold_time: must be 0 or at least 3 seconds"), std::string::npos) << out;
    EXPECT_NE(out.find("peers[0].asn: "), std::string::npos) << out;
    EXPECT_NE(out.find("8075"), std::string::npos) << out;

    write_file(
        dir.file("good.yaml"),
        "route_server:\n  listen: [127.0.0.1]\npeers:\n  - {name: nva1, address: 127.0.0.9, asn: 65001}\n");
    const auto ok = run_capture({routefabricd_path(), "--check", dir.file("good.yaml")});
    EXPECT_NE(ok.find("good.yaml: OK"), std::string::npos) << ok;
    EXPECT_NE(ok.find("1 peer(s)"), std::string::npos) << ok;
}

TEST(Routefabricd, EstablishesAndSendsAdministrativeShutdownOnSigterm) {
    if (const std::string why = daemon_binaries_missing(false); !why.empty()) {
        GTEST_SKIP() << why;
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
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log")));
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
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
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
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log")));
    const std::string server = "http://127.0.0.1:" + std::to_string(api);
    const Rfctl rfctl(server);
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

// BGP PIC edge end to end: two NVAs advertise the same 20 prefixes (ECMP), one session drops. The RIB
// hints that its next hop is gone before it withdraws the paths; the FIB repoints the ECMP group, and
// the convergence measurement is the hint's: every host stops forwarding to the dead next hop, none
// after the FIB's change, and the RIB's withdrawal batch that follows is part of the same event (not
// a second measurement, not a change "not measured").
TEST(Routefabricd, PeerDownSwitchesHostsThroughTheNextHopDownHint) {
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-daemon");
    const std::string rs = loopback(1);
    const std::string a = loopback(61);
    const std::string b = loopback(62);
    const std::uint16_t port = free_port(rs);
    const std::uint16_t api = free_port("127.0.0.1");
    write_file(dir.file("rf.yaml"), "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs +
                                        "]\n  port: " + std::to_string(port) +
                                        "\n  idle_hold: 1\npeers:\n  - {name: a, address: " + a +
                                        ", asn: 65061}\n  - {name: b, address: " + b +
                                        ", asn: 65062}\nemulator:\n  enabled: true\n  vm_count: 400\n"
                                        "  vms_per_host: 100\napi:\n  port: " +
                                        std::to_string(api) + "\n");
    Process d;
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log")));
    const std::string server = "http://127.0.0.1:" + std::to_string(api);
    const Rfctl rfctl(server);
    RawPeer pa;
    RawPeer pb;
    ASSERT_TRUE(wait_until([&] { return pa.connect(a, rs, port, 500ms); }, 20s, 100ms))
        << read_file(dir.file("rf.log"));
    ASSERT_TRUE(pb.connect(b, rs, port));
    ASSERT_TRUE(pa.handshake(65061, "10.0.0.61"));
    ASSERT_TRUE(pb.handshake(65062, "10.0.0.62"));
    std::vector<std::string> prefixes;
    for (int i = 0; i < 20; ++i) {
        prefixes.push_back("198.18." + std::to_string(i) + ".0/24");
    }
    ASSERT_TRUE(pa.announce(prefixes, a, {65061}));
    ASSERT_TRUE(pb.announce(prefixes, b, {65062}));
    std::string routes;
    ASSERT_TRUE(wait_until(
        [&] {
            (void)pa.receive(10ms);
            (void)pb.receive(10ms);
            routes = rfctl({"-o", "json", "vm", "effective-routes", "vm7"});
            return routes.find("198.18.19.0/24") != std::string::npos &&
                   routes.find(a) != std::string::npos && routes.find(b) != std::string::npos;
        },
        10s, 100ms))
        << routes;
    std::string stats;
    long long measured = -1;
    // The announcements' own measurements close first (one at a time); then b's session drops.
    ASSERT_TRUE(wait_until(
        [&] {
            stats = rfctl({"-o", "json", "emulator", "stats"});
            measured = json_number(stats, "convergence_measurements");
            return measured > 0 && json_number(stats, "last_change_hosts_converged") == 4;
        },
        10s, 100ms))
        << stats;
    std::this_thread::sleep_for(300ms);
    stats = rfctl({"-o", "json", "emulator", "stats"});
    measured = json_number(stats, "convergence_measurements");
    const long long not_measured = json_number(stats, "changes_not_measured");
    pb.close();
    ASSERT_TRUE(wait_until(
        [&] {
            (void)pa.receive(10ms);
            stats = rfctl({"-o", "json", "emulator", "stats"});
            return json_number(stats, "convergence_measurements") > measured;
        },
        10s, 100ms))
        << stats;
    EXPECT_EQ(json_number(stats, "last_change_next_hop_down"), 1) << stats;
    EXPECT_EQ(json_number(stats, "last_change_hosts_converged"), 4) << stats;
    EXPECT_EQ(json_number(stats, "last_change_to_withdrawn_after_publish"), 0) << stats;
    EXPECT_EQ(json_number(stats, "fib_next_hop_down_hints"), 1) << stats;
    EXPECT_EQ(json_number(stats, "fib_groups_repointed_by_hint"), 1) << stats;
    std::this_thread::sleep_for(300ms);  // the RIB's batch has been applied by now
    stats = rfctl({"-o", "json", "emulator", "stats"});
    EXPECT_EQ(json_number(stats, "convergence_measurements"), measured + 1) << stats;
    EXPECT_EQ(json_number(stats, "changes_not_measured"), not_measured) << stats;
    routes = rfctl({"-o", "json", "vm", "effective-routes", "vm7"});
    EXPECT_NE(routes.find("198.18.19.0/24"), std::string::npos) << routes;
    EXPECT_EQ(routes.find(b), std::string::npos) << routes;

    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 15s));
    EXPECT_TRUE(WIFEXITED(d.exit_status()) && WEXITSTATUS(d.exit_status()) == 0)
        << read_file(dir.file("rf.log"));
}

// Threads named by DPDK's EAL (eal-intr-thread, rte_mp_handle, rte-worker-N, ...) in the process.
std::vector<std::string> eal_threads(pid_t pid) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& t : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::string comm = read_file(t.path().string() + "/comm");
        while (!comm.empty() && comm.back() == '\n') {
            comm.pop_back();
        }
        if (comm.starts_with("eal-") || comm.starts_with("rte")) {
            out.push_back(comm);
        }
    }
    return out;
}

std::string status_line(pid_t pid, const std::string& key) {
    const std::string s = read_file("/proc/" + std::to_string(pid) + "/status");
    const auto at = s.find(key + ":");
    return at == std::string::npos ? "" : s.substr(at, s.find('\n', at) - at);
}

// A plain route server (no virtual_network, no emulator): no EAL, no FIB, no emulator, and BGP works —
// a route from one NVA reaches the other; the API says the emulator is not there.
TEST(Routefabricd, RouteServerOnlyModeServesBgpWithoutFib) {
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-daemon");
    const std::string rs = loopback(1);
    const std::string a = loopback(41);
    const std::string b = loopback(42);
    const std::uint16_t port = free_port(rs);
    const std::uint16_t api = free_port("127.0.0.1");
    const std::string yaml = "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs +
                             "]\n  port: " + std::to_string(port) +
                             "\n  idle_hold: 1\n  mode: transparent\npeers:\n  - {name: a, address: " + a +
                             ", asn: 65041}\n  - {name: b, address: " + b +
                             ", asn: 65042}\napi:\n  port: " + std::to_string(api) + "\n";
    write_file(dir.file("rf.yaml"), yaml);
    EXPECT_NE(run_capture({routefabricd_path(), "--check-config", dir.file("rf.yaml")})
                  .find("FIB off (route server only)"),
              std::string::npos);

    Process d;
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log")));
    RawPeer pa;
    RawPeer pb;
    ASSERT_TRUE(wait_until([&] { return pa.connect(a, rs, port, 500ms); }, 10s, 100ms))
        << read_file(dir.file("rf.log"));
    ASSERT_TRUE(pb.connect(b, rs, port));
    ASSERT_TRUE(pa.handshake(65041, "10.0.0.41"));
    ASSERT_TRUE(pb.handshake(65042, "10.0.0.42"));
    ASSERT_TRUE(pa.announce({"10.41.0.0/24", "10.41.1.0/24"}, a, {65041}));
    const auto reflected = [&](const std::string& prefix) {
        for (const auto& u : pb.updates) {
            for (const auto& n : u.nlri) {
                if (n.prefix.to_string() == prefix) {
                    return u.attributes.as_path && u.attributes.as_path->to_string() == "65041";
                }
            }
        }
        return false;
    };
    EXPECT_TRUE(wait_until(
        [&] {
            (void)pb.receive(100ms);
            return reflected("10.41.0.0/24") && reflected("10.41.1.0/24");
        },
        5s))
        << read_file(dir.file("rf.log"));

    const std::string log = read_file(dir.file("rf.log"));
    EXPECT_NE(log.find("route server only: no FIB, no emulator"), std::string::npos) << log;
    EXPECT_EQ(log.find("FIB: "), std::string::npos) << log;
    EXPECT_TRUE(eal_threads(d.pid()).empty()) << "DPDK EAL threads in a route-server-only daemon";
    const std::string server = "http://127.0.0.1:" + std::to_string(api);
    const auto stats = Rfctl(server)({"emulator", "stats"});
    EXPECT_NE(stats.find("not running"), std::string::npos) << stats;
    const auto effective = Rfctl(server)({"vm", "effective-routes", "vm1"});
    EXPECT_NE(effective.find("route server only"), std::string::npos) << effective;
    // Memory is a benchmark's business (rfbench, docs/benchmarks.md); shown here for the record only.
    std::printf("route-server-only routefabricd: %s, %s\n", status_line(d.pid(), "VmRSS").c_str(),
                status_line(d.pid(), "VmHWM").c_str());

    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 10s));
    EXPECT_TRUE(WIFEXITED(d.exit_status()) && WEXITSTATUS(d.exit_status()) == 0)
        << read_file(dir.file("rf.log"));
    EXPECT_NE(read_file(dir.file("rf.log")).find("Loc-RIB changes, no FIB"), std::string::npos);
}

// --no-fib wins over a configured VNet model and emulator (the file is left alone); --emulator with
// --no-fib is a usage error.
TEST(Routefabricd, NoFibFlagOverridesTheConfiguration) {
    if (const std::string why = daemon_binaries_missing(false); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-daemon");
    const std::string rs = loopback(1);
    const std::uint16_t port = free_port(rs);
    const std::string yaml = "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs +
                             "]\n  port: " + std::to_string(port) +
                             "\nemulator:\n  enabled: true\n  vm_count: 100\n  vms_per_host: 50\napi:\n"
                             "  enabled: false\n";
    write_file(dir.file("rf.yaml"), yaml);
    EXPECT_NE(run_capture({routefabricd_path(), "--check-config", dir.file("rf.yaml")}).find("FIB on"),
              std::string::npos);
    EXPECT_NE(run_capture({routefabricd_path(), "--no-fib", "--check-config", dir.file("rf.yaml")})
                  .find("FIB off (route server only), emulator off"),
              std::string::npos);
    Process usage;
    ASSERT_TRUE(
        start_routefabricd(usage, dir.file("rf.yaml"), dir.file("usage.log"), {"--emulator", "--no-fib"}));
    EXPECT_TRUE(wait_until([&] { return !usage.running(); }, 5s));
    EXPECT_TRUE(WIFEXITED(usage.exit_status()) && WEXITSTATUS(usage.exit_status()) == 2);
    EXPECT_NE(read_file(dir.file("usage.log")).find("cannot run with --no-fib"), std::string::npos);

    Process d;
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log"), {"--no-fib"}));
    EXPECT_TRUE(wait_until(
        [&] { return read_file(dir.file("rf.log")).find("listening on") != std::string::npos; }, 10s))
        << read_file(dir.file("rf.log"));
    const std::string log = read_file(dir.file("rf.log"));
    EXPECT_NE(log.find("the emulator (emulator.enabled in"), std::string::npos) << log;
    EXPECT_NE(log.find("route server only: no FIB"), std::string::npos) << log;
    EXPECT_TRUE(eal_threads(d.pid()).empty());
    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 10s));
    EXPECT_EQ(read_file(dir.file("rf.yaml")), yaml) << "the configuration file is not rewritten";
}

// SIGHUP re-reads the file: peerings gone from it are deleted (the NVA gets a Cease), new ones can
// establish, a changed route_server section is reported as needing a restart, the file is not rewritten;
// an invalid file changes nothing and the daemon keeps running.
TEST(Routefabricd, SighupAppliesTheFilesPeers) {
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-daemon");
    const std::string rs = loopback(1);
    const std::uint16_t port = free_port(rs);
    const std::uint16_t api = free_port("127.0.0.1");
    const auto config = [&](const std::string& hold, const std::string& peers) {
        return "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs +
               "]\n  port: " + std::to_string(port) + "\n  idle_hold: 1\n  hold_time: " + hold +
               "\npeers:\n" + peers + "api:\n  port: " + std::to_string(api) + "\n";
    };
    const std::string peer_a = "  - {name: a, address: " + loopback(51) + ", asn: 65051}\n";
    const std::string peer_b = "  - {name: b, address: " + loopback(52) + ", asn: 65052}\n";
    const std::string peer_c = "  - {name: c, address: " + loopback(53) + ", asn: 65053}\n";
    write_file(dir.file("rf.yaml"), config("180", peer_a + peer_b));
    Process d;
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log")));
    RawPeer pa;
    ASSERT_TRUE(wait_until([&] { return pa.connect(loopback(51), rs, port, 500ms); }, 10s, 100ms))
        << read_file(dir.file("rf.log"));
    ASSERT_TRUE(pa.handshake(65051, "10.0.0.51"));
    ASSERT_TRUE(pa.announce({"10.51.0.0/24"}, loopback(51), {65051}));
    const std::string server = "http://127.0.0.1:" + std::to_string(api);
    const auto peerings = [&] { return Rfctl(server)({"peering", "list"}); };
    ASSERT_TRUE(wait_until([&] { return peerings().find("Established") != std::string::npos; }, 10s))
        << peerings();

    const std::string edited = "# edited by hand\n" + config("90", peer_b + peer_c);
    write_file(dir.file("rf.yaml"), edited);
    d.signal(SIGHUP);
    EXPECT_TRUE(wait_until(
        [&] {
            return read_file(dir.file("rf.log")).find("reload: peerings added [c], deleted [a]") !=
                   std::string::npos;
        },
        10s))
        << read_file(dir.file("rf.log"));
    const auto n = pa.await_notification(5s);
    ASSERT_TRUE(n) << "the deleted peering's session is closed with a NOTIFICATION";
    EXPECT_EQ(n->code, 6);
    const std::string list = peerings();
    EXPECT_EQ(list.find(loopback(51)), std::string::npos) << list;
    EXPECT_NE(list.find(loopback(53)), std::string::npos) << list;
    RawPeer pc;
    ASSERT_TRUE(wait_until([&] { return pc.connect(loopback(53), rs, port, 500ms); }, 10s, 100ms));
    EXPECT_TRUE(pc.handshake(65053, "10.0.0.53")) << read_file(dir.file("rf.log"));
    EXPECT_NE(read_file(dir.file("rf.log")).find("reload: route_server changed"), std::string::npos);
    EXPECT_EQ(read_file(dir.file("rf.yaml")), edited) << "SIGHUP does not rewrite the file";

    write_file(dir.file("rf.yaml"), config("2", peer_b));  // hold_time 2 is invalid
    d.signal(SIGHUP);
    EXPECT_TRUE(wait_until(
        [&] { return read_file(dir.file("rf.log")).find("error(s); nothing changed") != std::string::npos; },
        10s))
        << read_file(dir.file("rf.log"));
    EXPECT_NE(read_file(dir.file("rf.log")).find("route_server.hold_time"), std::string::npos);
    EXPECT_TRUE(d.running());
    EXPECT_NE(peerings().find(loopback(53)), std::string::npos) << "an invalid file changes nothing";

    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 10s));
    EXPECT_TRUE(WIFEXITED(d.exit_status()) && WEXITSTATUS(d.exit_status()) == 0)
        << read_file(dir.file("rf.log"));
}

// Route-limit settings changed by SIGHUP apply in place (no NOTIFICATION, the session keeps its routes and
// warns), and `rfctl peering reset` clears exactly one peering's session with Cease / Administrative
// Reset while the other keeps running.
TEST(Routefabricd, SighupChangesRouteLimitsInPlaceAndRfctlResetsOnePeering) {
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-daemon");
    const std::string rs = loopback(1);
    const std::uint16_t port = free_port(rs);
    const std::uint16_t api = free_port("127.0.0.1");
    const auto config = [&](const std::string& a_extra) {
        return "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs +
               "]\n  port: " + std::to_string(port) +
               "\n  idle_hold: 1\npeers:\n  - {name: a, address: " + loopback(61) + ", asn: 65061" + a_extra +
               "}\n  - {name: b, address: " + loopback(62) +
               ", asn: 65062}\napi:\n  port: " + std::to_string(api) + "\n";
    };
    write_file(dir.file("rf.yaml"), config(", route_limit: 10"));
    Process d;
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log")));
    RawPeer pa;
    ASSERT_TRUE(wait_until([&] { return pa.connect(loopback(61), rs, port, 500ms); }, 10s, 100ms))
        << read_file(dir.file("rf.log"));
    ASSERT_TRUE(pa.handshake(65061, "10.0.0.61"));
    RawPeer pb;
    ASSERT_TRUE(pb.connect(loopback(62), rs, port));
    ASSERT_TRUE(pb.handshake(65062, "10.0.0.62"));
    ASSERT_TRUE(pa.announce({"10.61.0.0/24", "10.61.1.0/24", "10.61.2.0/24"}, loopback(61), {65061}));
    const Rfctl rfctl("http://127.0.0.1:" + std::to_string(api));
    ASSERT_TRUE(wait_until(
        [&] {
            return rfctl.json({"peering", "show", "a"}).find("\"routesReceived\": 3") != std::string::npos;
        },
        10s))
        << rfctl.json({"peering", "show", "a"});

    write_file(dir.file("rf.yaml"),
               config(", route_limit: 2, route_limit_action: warn, route_limit_warning_percent: 50"));
    d.signal(SIGHUP);
    EXPECT_TRUE(wait_until(
        [&] {
            return read_file(dir.file("rf.log")).find("route limits changed in place [a]") !=
                   std::string::npos;
        },
        10s))
        << read_file(dir.file("rf.log"));
    EXPECT_TRUE(wait_until(
        [&] {
            return read_file(dir.file("rf.log")).find("routes exceed its route limit 2") != std::string::npos;
        },
        10s))
        << read_file(dir.file("rf.log"));
    EXPECT_FALSE(pa.await_notification(500ms)) << "an in-place change sends nothing";
    std::string shown = rfctl.json({"peering", "show", "a"});
    EXPECT_NE(shown.find("\"routeLimitAction\": \"warn\""), std::string::npos) << shown;
    EXPECT_NE(shown.find("\"routeLimitUsagePercent\": 150.0"), std::string::npos) << shown;
    EXPECT_NE(shown.find("\"establishedCount\": 1"), std::string::npos) << shown;

    const std::string out = rfctl({"peering", "reset", "a"});
    EXPECT_NE(out.find("reset peering a: 1 established session(s) reset"), std::string::npos) << out;
    const auto n = pa.await_notification(5s);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 4);
    EXPECT_FALSE(pb.await_notification(500ms)) << "the other peering is not touched";
    shown = rfctl.json({"peering", "show", "b"});
    EXPECT_NE(shown.find("\"state\": \"Established\""), std::string::npos) << shown;
    EXPECT_NE(shown.find("\"establishedCount\": 1"), std::string::npos) << shown;
    RawPeer again;  // a may come back at once
    ASSERT_TRUE(wait_until([&] { return again.connect(loopback(61), rs, port, 500ms); }, 10s, 100ms));
    EXPECT_TRUE(again.handshake(65061, "10.0.0.61")) << read_file(dir.file("rf.log"));

    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 10s));
}

// A VNet model with the route server's VNet (hub) and a spoke; `peered`: the spoke peers with the hub and
// uses its route server (design §2), so its address space is advertised and its VMs get the BGP routes.
std::string vnet_section(bool peered) {
    const std::string rs_subnet = loopback(0);  // the route server listens in RouteServerSubnet
    std::string s =
        "virtual_network:\n  route_server_vnet: hub\n  vnets:\n"
        "    - name: hub\n      address_spaces: [10.1.0.0/16, " +
        rs_subnet + "/24]\n      subnets:\n        - {name: RouteServerSubnet, prefix: " + rs_subnet +
        "/27}\n        - {name: workload, prefix: 10.1.1.0/24}\n";
    if (peered) {
        s += "      peerings: [{remote_vnet: spoke}]\n";
    }
    s += "    - name: spoke\n      address_spaces: [10.2.0.0/16]\n      subnets:\n"
         "        - {name: app, prefix: 10.2.1.0/24}\n";
    if (peered) {
        s += "      peerings: [{remote_vnet: hub, use_remote_route_server: true}]\n";
    }
    s += "  vms:\n    - {name: vm1, vnet: hub, subnet: workload, nic_address: 10.1.1.20}\n"
         "    - {name: vm2, vnet: spoke, subnet: app, nic_address: 10.2.1.20}\n";
    return s;
}

// SIGHUP with a VNet peering added (route server only, --no-fib): the spoke's address space is announced
// to both NVAs; the one with route refresh gets a ROUTE-REFRESH, the one without is reset with Cease /
// Other Configuration Change and gets the new space when it comes back; the spoke's VM now has the BGP
// route; removing the peering again withdraws the space.
TEST(Routefabricd, SighupAppliesAChangedVirtualNetwork) {
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-daemon");
    const std::string rs = loopback(4);
    const std::string a = loopback(61);
    const std::string b = loopback(62);
    const std::uint16_t port = free_port(rs);
    const std::uint16_t api = free_port("127.0.0.1");
    const auto config = [&](bool peered) {
        return "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs +
               "]\n  port: " + std::to_string(port) +
               "\n  idle_hold: 1\npeers:\n  - {name: a, address: " + a +
               ", asn: 65061}\n  - {name: b, address: " + b + ", asn: 65062}\n" + vnet_section(peered) +
               "api:\n  port: " + std::to_string(api) + "\n";
    };
    write_file(dir.file("rf.yaml"), config(false));
    Process d;
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log"), {"--no-fib"}));
    RawPeer pa;
    ASSERT_TRUE(wait_until([&] { return pa.connect(a, rs, port, 500ms); }, 10s, 100ms))
        << read_file(dir.file("rf.log"));
    ASSERT_TRUE(pa.handshake(65061, "10.0.0.61"));
    EXPECT_TRUE(pa.remote_open.capabilities.route_refresh);
    RawPeer pb;
    pb.capabilities.route_refresh = false;
    ASSERT_TRUE(pb.connect(b, rs, port));
    ASSERT_TRUE(pb.handshake(65062, "10.0.0.62"));
    ASSERT_TRUE(pa.announce({"10.61.0.0/24"}, a, {65061}));
    pa.drain();
    pb.drain();
    EXPECT_TRUE(pa.has_announced("10.1.0.0/16"));
    EXPECT_FALSE(pa.has_announced("10.2.0.0/16")) << "the spoke is not peered yet";
    const std::string server = "http://127.0.0.1:" + std::to_string(api);
    const auto effective = [&](const std::string& vm) {
        return Rfctl(server).json({"vm", "effective-routes", vm});
    };
    ASSERT_TRUE(wait_until([&] { return effective("vm1").find("10.61.0.0/24") != std::string::npos; }, 10s))
        << effective("vm1");
    EXPECT_EQ(effective("vm2").find("10.61.0.0/24"), std::string::npos) << effective("vm2");

    write_file(dir.file("rf.yaml"), config(true));
    d.signal(SIGHUP);
    EXPECT_TRUE(wait_until(
        [&] {
            (void)pa.receive(100ms);
            return pa.has_announced("10.2.0.0/16") && !pa.route_refreshes.empty();
        },
        10s))
        << read_file(dir.file("rf.log"));
    const auto n = pb.await_notification(5s);
    ASSERT_TRUE(n) << "the peer without route refresh is reset";
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 6);  // Other Configuration Change
    const std::string log = read_file(dir.file("rf.log"));
    EXPECT_NE(
        log.find("reload: virtual_network applied: address spaces announced [10.2.0.0/16], withdrawn []; "
                 "ROUTE-REFRESH sent to 1 peer(s), 1 reset"),
        std::string::npos)
        << log;
    EXPECT_EQ(log.find("virtual_network changed"), std::string::npos) << "applied, not left for a restart";
    RawPeer pb2;
    pb2.capabilities.route_refresh = false;
    ASSERT_TRUE(wait_until([&] { return pb2.connect(b, rs, port, 500ms); }, 10s, 200ms));
    ASSERT_TRUE(pb2.handshake(65062, "10.0.0.62")) << read_file(dir.file("rf.log"));
    EXPECT_TRUE(wait_until(
        [&] {
            (void)pb2.receive(100ms);
            return pb2.has_announced("10.2.0.0/16") && pb2.has_announced("10.61.0.0/24");
        },
        5s));
    EXPECT_TRUE(wait_until([&] { return effective("vm2").find("10.61.0.0/24") != std::string::npos; }, 10s))
        << effective("vm2");

    write_file(dir.file("rf.yaml"), config(false));
    d.signal(SIGHUP);
    EXPECT_TRUE(wait_until(
        [&] {
            (void)pa.receive(100ms);
            return pa.has_withdrawn("10.2.0.0/16");
        },
        10s))
        << read_file(dir.file("rf.log"));
    EXPECT_TRUE(wait_until([&] { return effective("vm2").find("10.61.0.0/24") == std::string::npos; }, 10s))
        << effective("vm2");

    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 10s));
    EXPECT_TRUE(WIFEXITED(d.exit_status()) && WEXITSTATUS(d.exit_status()) == 0)
        << read_file(dir.file("rf.log"));
}

// FIB mode: the same SIGHUP gives the FIB the new model (the spoke's table gets the hub's address space).
TEST(Routefabricd, SighupGivesTheFibTheNewVnetModel) {
    if (const std::string why = daemon_binaries_missing(false); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-daemon");
    const std::string rs = loopback(4);
    const std::uint16_t port = free_port(rs);
    const auto config = [&](bool peered) {
        return "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs +
               "]\n  port: " + std::to_string(port) + "\n" + vnet_section(peered) +
               "api:\n  enabled: false\n";
    };
    write_file(dir.file("rf.yaml"), config(false));
    Process d;
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log")));
    ASSERT_TRUE(wait_until(
        [&] { return read_file(dir.file("rf.log")).find("listening on") != std::string::npos; }, 20s))
        << read_file(dir.file("rf.log"));
    ASSERT_NE(read_file(dir.file("rf.log")).find("FIB: "), std::string::npos)
        << read_file(dir.file("rf.log"));
    write_file(dir.file("rf.yaml"), config(true));
    d.signal(SIGHUP);
    std::string log;
    EXPECT_TRUE(wait_until(
        [&] {
            log = read_file(dir.file("rf.log"));
            return log.find("reload: virtual_network applied") != std::string::npos;
        },
        10s))
        << log;
    EXPECT_NE(log.find("announced [10.2.0.0/16]"), std::string::npos) << log;
    const auto at = log.find("FIB model updated: ");
    ASSERT_NE(at, std::string::npos) << log;
    EXPECT_EQ(log.find("FIB model updated: 0 table(s) changed"), std::string::npos) << log;
    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 15s));
    EXPECT_TRUE(WIFEXITED(d.exit_status()) && WEXITSTATUS(d.exit_status()) == 0)
        << read_file(dir.file("rf.log"));
}

}  // namespace
}  // namespace rf::testing
