// routefabricd's emulator follows a reloaded virtual network. The daemon starts with three VMs in subnet
// "web" (no route table) on two hosts; the file is then edited and SIGHUP sent: vm2 is gone, vm4 is new
// (host 1), and vm1 moved to subnet "app", whose route table sends 0.0.0.0/0 to the appliance 10.1.3.77.
// The emulator must never stop (packets keep being forwarded across the reload), report the new VMs and
// hosts, and the moved VM's traffic must reach the appliance — which no VM sent to before. A second
// reload back to the first model stops that traffic again. Loopback only; skips without routefabricd.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

// The hub VNet: RouteServerSubnet around the route server's loopback address, "web" and "app" (app's
// route table sends everything to the appliance 10.1.3.77), and the VMs given.
std::string config(const std::string& rs, std::uint16_t port, std::uint16_t api, const std::string& vms) {
    const std::string rs_subnet = loopback(0);
    return "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs + "]\n  port: " + std::to_string(port) +
           "\nvirtual_network:\n  route_server_vnet: hub\n  vnets:\n"
           "    - name: hub\n      address_spaces: [10.1.0.0/16, " +
           rs_subnet + "/24]\n      subnets:\n        - {name: RouteServerSubnet, prefix: " + rs_subnet +
           "/27}\n        - {name: web, prefix: 10.1.1.0/24}\n"
           "        - {name: app, prefix: 10.1.2.0/24, route_table: via-nva}\n"
           "  route_tables:\n    - name: via-nva\n      routes:\n"
           "        - {name: all, prefix: 0.0.0.0/0, next_hop_type: VirtualAppliance, next_hop_ip: "
           "10.1.3.77}\n"
           "  vms:\n" +
           vms + "emulator:\n  enabled: true\n  workers: 1\napi:\n  port: " + std::to_string(api) + "\n";
}

TEST(EmulatorReload, VmsFollowAReloadedVirtualNetworkWithoutStoppingForwarding) {
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-reload");
    const std::string rs = loopback(4);
    const std::uint16_t port = free_port(rs);
    const std::uint16_t api = free_port("127.0.0.1");
    const std::string before =
        "    - {name: vm1, vnet: hub, subnet: web, nic_address: 10.1.1.20, host: 0}\n"
        "    - {name: vm2, vnet: hub, subnet: web, nic_address: 10.1.1.21, host: 0}\n"
        "    - {name: vm3, vnet: hub, subnet: web, nic_address: 10.1.1.22, host: 1}\n";
    const std::string after =
        "    - {name: vm1, vnet: hub, subnet: app, nic_address: 10.1.2.20, host: 0}\n"
        "    - {name: vm3, vnet: hub, subnet: web, nic_address: 10.1.1.22, host: 1}\n"
        "    - {name: vm4, vnet: hub, subnet: web, nic_address: 10.1.1.23, host: 1}\n";
    write_file(dir.file("rf.yaml"), config(rs, port, api, before));
    Process d;
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log")));
    const Rfctl rfctl("http://127.0.0.1:" + std::to_string(api));
    auto stats = [&] { return rfctl.json({"emulator", "stats"}); };
    std::string s;
    ASSERT_TRUE(wait_until(
        [&] {
            s = stats();
            return json_number(s, "packets_forwarded") > 0;
        },
        20s, 200ms))
        << s << read_file(dir.file("rf.log"));
    EXPECT_EQ(json_number(s, "vms"), 3) << s;
    EXPECT_EQ(json_number(s, "hosts"), 2) << s;
    EXPECT_EQ(json_number(s, "packets_to_10.1.3.77"), -1) << "no VM is in app yet: " << s;

    // Forwarding never stops: sampled every 100 ms around the reload, the count only grows.
    long long last = json_number(s, "packets_forwarded");
    auto grows = [&](const char* when) {
        for (int i = 0; i < 5; ++i) {
            std::this_thread::sleep_for(100ms);
            const long long now = json_number(stats(), "packets_forwarded");
            EXPECT_GT(now, last) << "forwarding stalled " << when;
            last = now;
        }
    };
    grows("before the reload");
    write_file(dir.file("rf.yaml"), config(rs, port, api, after));
    d.signal(SIGHUP);
    std::string log;
    ASSERT_TRUE(wait_until(
        [&] {
            log = read_file(dir.file("rf.log"));
            return log.find("emulator: 3 VMs on 2 hosts") != std::string::npos;
        },
        10s))
        << log;
    // By address: vm3 kept its flows; vm1 (new address) and vm4 are new; vm1's old address and vm2 left.
    EXPECT_NE(log.find("emulator: 3 VMs on 2 hosts (1 kept, 2 added or moved, 2 removed)"), std::string::npos)
        << log;
    grows("after the reload");
    s = stats();
    EXPECT_NE(s.find("\"running\": true"), std::string::npos) << s;
    std::string effective;
    EXPECT_TRUE(wait_until(
        [&] {
            effective = rfctl.json({"vm", "effective-routes", "vm1"});
            return effective.find("10.1.3.77") != std::string::npos;
        },
        10s))
        << effective;
    long long to_nva = 0;
    EXPECT_TRUE(wait_until(
        [&] {
            to_nva = json_number(stats(), "packets_to_10.1.3.77");
            return to_nva > 1000;
        },
        10s, 100ms))
        << "the moved VM's traffic does not follow app's route table: " << stats();

    // Back to the first model: nothing goes to the appliance any more.
    write_file(dir.file("rf.yaml"), config(rs, port, api, before));
    d.signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        [&] {
            return read_file(dir.file("rf.log"))
                       .find("(1 kept, 2 added or moved, 2 removed)",
                             log.find("(1 kept, 2 added or moved, 2 removed)") + 1) != std::string::npos;
        },
        10s))
        << read_file(dir.file("rf.log"));
    grows("after the second reload");
    const long long settled = json_number(stats(), "packets_to_10.1.3.77");
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(json_number(stats(), "packets_to_10.1.3.77"), settled) << "vm1 left app, its traffic did not";
    s = stats();
    EXPECT_EQ(json_number(s, "vms"), 3) << s;

    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 15s));
    EXPECT_TRUE(WIFEXITED(d.exit_status()) && WEXITSTATUS(d.exit_status()) == 0)
        << read_file(dir.file("rf.log"));
}

}  // namespace
}  // namespace rf::testing
