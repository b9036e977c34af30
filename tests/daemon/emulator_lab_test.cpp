// routefabricd's lab-mode settings from its configuration: the emulator's NVA port is net_af_packet on
// one end of a veth pair into a namespace where plain Linux holds the appliance's addresses 10.1.1.4 and
// fd00:1:1::4; the VMs' route table sends 0.0.0.0/0 and ::/0 there (user routes, no BGP). With
// emulator.lab_address 10.1.1.10 and lab_address6 fd00:1:1::a (neither of them any kernel's), the
// appliance's kernel learns both as neighbours from the ARP request and the Neighbor Solicitation the
// emulator sends from them, the emulator's IPv4 and IPv6 packets reach both next hops once resolved, and
// the start-up line names the addresses and the neighbour timers given. Skips (with the reason) without
// root, `ip netns` or routefabricd; namespaces are deleted and the daemon stopped by PID.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>

#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

std::string ip_binary() {  // Process and run_capture exec without a PATH search
    return find_executable({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"});
}

bool sh(const std::string& cmd) {
    return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

// Namespace "rf" (routefabricd; the route server's listen address on lo) and "nva" (the appliance's
// addresses), a veth pair between them; removed on destruction.
struct ApplianceNamespaces {
    std::string id = std::to_string(::getpid());
    std::string ns_rf = "rfelr" + id, ns_nva = "rfeln" + id;
    std::string if_rf = "rfelr" + id, if_nva = "rfeln" + id;
    bool ok = false;
    std::string why;

    ApplianceNamespaces() {
        if (::geteuid() != 0) {
            why = "needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) to create network namespaces";
            return;
        }
        if (ip_binary().empty() || !sh("ip netns add " + ns_rf)) {
            why = "ip netns add failed (no iproute2 or no network namespace support?)";
            return;
        }
        const std::string rf = "ip -n " + ns_rf + " ", nva = "ip -n " + ns_nva + " ";
        ok = sh("ip netns add " + ns_nva) &&
             sh(rf + "link add " + if_rf + " type veth peer name " + if_nva + " netns " + ns_nva) &&
             sh(rf + "addr add 10.1.255.4/32 dev lo") && sh(rf + "link set lo up") &&
             sh(nva + "addr add 10.1.1.4/24 dev " + if_nva) &&
             sh(nva + "addr add fd00:1:1::4/64 dev " + if_nva + " nodad") && sh(nva + "link set lo up") &&
             sh(rf + "link set " + if_rf + " up") && sh(nva + "link set " + if_nva + " up");
        if (!ok) {
            why = "veth set-up between two namespaces failed";
        }
    }
    ~ApplianceNamespaces() {
        sh("ip netns del " + ns_rf);  // deleting a namespace removes its veth end and the peer
        sh("ip netns del " + ns_nva);
    }
    [[nodiscard]] std::vector<std::string> in(const std::string& ns, std::vector<std::string> argv) const {
        argv.insert(argv.begin(), {ip_binary(), "netns", "exec", ns});
        return argv;
    }
};

TEST(EmulatorLab, LabAddressesAndNeighbourTimersComeFromTheConfiguration) {
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
    }
    ApplianceNamespaces lab;
    if (!lab.ok) {
        GTEST_SKIP() << "lab test skipped: " << lab.why;
    }
    TempDir dir("rf-emulab");
    // One VM whose subnet's route table sends everything, IPv4 and IPv6, to the appliance.
    write_file(
        dir.file("rf.yaml"),
        "route_server:\n  router_id: 10.1.255.4\n  listen: [10.1.255.4]\n  port: 0\n"
        "virtual_network:\n  route_server_vnet: hub\n  vnets:\n"
        "    - name: hub\n      address_spaces: [10.1.0.0/16]\n      subnets:\n"
        "        - {name: RouteServerSubnet, prefix: 10.1.255.0/27}\n"
        "        - {name: nva, prefix: 10.1.1.0/24}\n"
        "        - {name: web, prefix: 10.1.2.0/24, route_table: via-nva}\n"
        "  route_tables:\n    - name: via-nva\n      routes:\n"
        "        - {name: all4, prefix: 0.0.0.0/0, next_hop_type: VirtualAppliance, next_hop_ip: 10.1.1.4}\n"
        "        - {name: all6, prefix: '::/0', next_hop_type: VirtualAppliance, next_hop_ip: "
        "'fd00:1:1::4'}\n"
        "  vms:\n    - {name: vm1, vnet: hub, subnet: web, nic_address: 10.1.2.20}\n"
        "emulator:\n  enabled: true\n  workers: 1\n  flows6_per_vm: 4\n"
        "  lab_address: 10.1.1.10\n  lab_address6: 'fd00:1:1::a'\n"
        "  neighbor_retry_ms: 20\n  neighbor_reachable_ms: 2000\n"
        "  eal_args: [-l, 0-1, --no-huge, -m, '1024', --no-shconf, --file-prefix, rfemulab" +
            lab.id + ", --no-pci, --no-telemetry, --vdev, 'net_af_packet0,iface=" + lab.if_rf +
            ",qpairs=2']\n"
            "api:\n  listen: 127.0.0.1\n  port: 9179\n");
    Process rf;
    ASSERT_TRUE(rf.start(lab.in(lab.ns_rf, routefabricd_command(dir.file("rf.yaml"))), dir.file("rf.log")));
    auto log = [&] { return read_file(dir.file("rf.log")); };
    const Rfctl rfctl("http://127.0.0.1:9179");
    EXPECT_TRUE(wait_until(
        [&] {
            return log().find(
                       "lab mode: ARP from 10.1.1.10, NDP from fd00:1:1::a, neighbour retry 20 ms, "
                       "reachable 2000 ms") != std::string::npos;
        },
        20s, 100ms))
        << log();

    // Both next hops resolved (packets are counted per next hop only once it is) and forwarded to.
    std::string stats;
    EXPECT_TRUE(wait_until(
        [&] {
            stats =
                run_capture(lab.in(lab.ns_rf, rfctl.json_command({"emulator", "stats"})), Rfctl::kTimeout);
            return json_number(stats, "packets_to_10.1.1.4") > 0 &&
                   json_number(stats, "packets_to_fd00:1:1::4") > 0;
        },
        10s, 100ms))
        << stats << log();
    // The appliance's kernel learned our addresses from the requests sent from them.
    const std::string neighbours =
        run_capture(lab.in(lab.ns_nva, {ip_binary(), "neigh", "show", "dev", lab.if_nva}), 5s);
    EXPECT_NE(neighbours.find("10.1.1.10 "), std::string::npos) << neighbours;
    EXPECT_NE(neighbours.find("fd00:1:1::a "), std::string::npos) << neighbours;

    rf.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !rf.running(); }, 15s));
    EXPECT_TRUE(WIFEXITED(rf.exit_status()) && WEXITSTATUS(rf.exit_status()) == 0) << log();
}

}  // namespace
}  // namespace rf::testing
