// A route server on lab addresses with a VNet model (route_server.placement auto): routefabricd listens on
// loopback addresses that lie outside the modelled VNet 10.1.0.0/16, accepts the model, says once in its
// log that it sits outside its VNet, and advertises the VNet's address space to a peer over a real BGP
// session; rfctl shows it among the peering's advertised routes. A reload does not say it again.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"
#include "tests/daemon/config/support/hub_vnet.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

constexpr const char* kOutsideNotice = "the route server sits outside its VNet 'hub'";

TEST(LabVnet, RouteServerOnLoopbackAdvertisesTheVnetAddressSpace) {
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-labvnet");
    const std::string rs = loopback(1);
    const std::string peer = loopback(31);
    const std::uint16_t port = free_port(rs);
    const std::uint16_t api = free_port("127.0.0.1");
    write_file(dir.file("rf.yaml"), "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs + ", " +
                                        loopback(2) + "]\n  port: " + std::to_string(port) +
                                        "\n  idle_hold: 1\n" + "peers:\n  - {name: nva1, address: " + peer +
                                        ", asn: 65031}\n" + rf::testing::kHubVnetYaml +
                                        "api:\n  port: " + std::to_string(api) + "\n");

    const auto check = run_capture({routefabricd_path(), "--check-config", dir.file("rf.yaml")});
    ASSERT_NE(check.find("rf.yaml: OK"), std::string::npos) << check;

    Process d;
    ASSERT_TRUE(start_routefabricd(d, dir.file("rf.yaml"), dir.file("rf.log"), {"--no-fib"}));
    RawPeer p;
    ASSERT_TRUE(wait_until([&] { return p.connect(peer, rs, port, 500ms); }, 10s, 100ms))
        << read_file(dir.file("rf.log"));
    ASSERT_TRUE(p.handshake(65031, "10.0.0.31"));
    EXPECT_TRUE(wait_until(
        [&] {
            (void)p.receive(100ms);
            return p.has_announced("10.1.0.0/16");
        },
        10s))
        << read_file(dir.file("rf.log"));

    const std::string advertised =
        Rfctl("http://127.0.0.1:" + std::to_string(api))({"peering", "list-advertised-routes", "nva1"});
    EXPECT_NE(advertised.find("10.1.0.0/16"), std::string::npos) << advertised;

    std::string log = read_file(dir.file("rf.log"));
    EXPECT_EQ(count_of(log, kOutsideNotice), 1U) << log;
    EXPECT_NE(log.find(rs + ", " + loopback(2) + " lie in no modelled address space"), std::string::npos)
        << log;
    EXPECT_NE(log.find("[10.1.0.0/16] to the peers all the same"), std::string::npos) << log;

    d.signal(SIGHUP);
    EXPECT_TRUE(wait_until(
        [&] { return read_file(dir.file("rf.log")).find("reload: peerings") != std::string::npos; }, 10s));
    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 10s));
    EXPECT_TRUE(WIFEXITED(d.exit_status()) && WEXITSTATUS(d.exit_status()) == 0);
    log = read_file(dir.file("rf.log"));
    EXPECT_EQ(count_of(log, kOutsideNotice), 1U) << "said once, not on every reload\n" << log;
}

// The same listen addresses with route_server.placement: azure are refused before the daemon starts, the
// error naming the field.
TEST(LabVnet, ExplicitAzurePlacementRefusesLoopbackListenAddresses) {
    if (const std::string why = daemon_binaries_missing(false); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-labvnet");
    write_file(dir.file("rf.yaml"),
               "route_server:\n  listen: [127.0.0.1]\n  placement: azure\n"
               "virtual_network:\n  route_server_vnet: hub\n  vnets:\n"
               "    - name: hub\n      address_spaces: [10.1.0.0/16]\n      subnets:\n"
               "        - {name: RouteServerSubnet, prefix: 10.1.255.0/27}\n");
    const auto out = run_capture({routefabricd_path(), "--check-config", dir.file("rf.yaml")});
    EXPECT_NE(out.find("route_server.listen[0]: 127.0.0.1 is not inside RouteServerSubnet 10.1.255.0/27"),
              std::string::npos)
        << out;
}

}  // namespace
}  // namespace rf::testing
