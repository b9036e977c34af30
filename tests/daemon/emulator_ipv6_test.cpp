// routefabricd's emulator sends IPv6 traffic when its configuration asks for it (emulator.flows6_per_vm):
// the VMs draw IPv6 flows toward their tables' IPv6 prefixes and the global unicast / unique local space, so
// an IPv6 default route learned over MP-BGP (IPv6 unicast, a global IPv6 next hop) from a raw peer carries
// them, counted per next hop like IPv4 (rfctl emulator stats: packets_to_<address>), and spread over both
// next hops when a second NVA announces an equal path (ECMP). The IPv6 flows follow a reloaded virtual
// network (SIGHUP: the VMs kept keep theirs, a VM added gets its own), and with flows6_per_vm: 0 no IPv6
// packet is generated whatever BGP brings. Loopback only; skips without routefabricd.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

// MP_REACH_NLRI (RFC 4760) for IPv6 unicast: `prefix` via `next_hop`, AS_PATH = asn.
std::vector<std::uint8_t> ipv6_update(const RawPeer& peer, const char* prefix, const char* next_hop,
                                      std::uint32_t asn) {
    bgp::Update u;
    u.attributes.origin = bgp::Origin::Igp;
    u.attributes.as_path = bgp::AsPath{{{bgp::AsSegmentType::Sequence, {asn}}}};
    u.mp_reach = bgp::MpReach{{net::Afi::Ipv6, net::Safi::Unicast},
                              {*net::IpAddress::parse(next_hop)},
                              {{*net::Prefix::parse(prefix), 0}}};
    std::vector<std::uint8_t> out;
    bgp::encode_update(u, peer.codec, out);
    return out;
}

// The two NVAs: loopback host, ASN and IPv6 next hop (equal AS-path lengths, so one ECMP set).
struct Nva {
    int host;
    std::uint32_t asn;
    const char* next_hop6;
};
constexpr Nva kNva1{36, 65036, "2001:db8:64::36"};
constexpr Nva kNva2{37, 65037, "2001:db8:64::37"};

std::string packets_to(const Nva& nva) {
    return std::string("packets_to_") + nva.next_hop6;
}

// The hub VNet (IPv4; RouteServerSubnet around the route server's loopback address), the VMs given in
// subnet "web", the two NVAs as passive peers, and the emulator with `emulator_extra` settings.
std::string config(const std::string& rs, std::uint16_t port, std::uint16_t api, const std::string& vms,
                   const std::string& emulator_extra) {
    const std::string rs_subnet = loopback(0);
    std::string peers;
    for (const Nva& n : {kNva1, kNva2}) {
        peers += "  - {name: nva" + std::to_string(n.host) + ", address: " + loopback(n.host) +
                 ", asn: " + std::to_string(n.asn) + "}\n";
    }
    return "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs + "]\n  port: " + std::to_string(port) +
           "\n  idle_hold: 1\npeers:\n" + peers +
           "virtual_network:\n  route_server_vnet: hub\n  vnets:\n"
           "    - name: hub\n      address_spaces: [10.1.0.0/16, " +
           rs_subnet + "/24]\n      subnets:\n        - {name: RouteServerSubnet, prefix: " + rs_subnet +
           "/27}\n        - {name: web, prefix: 10.1.1.0/24}\n  vms:\n" + vms +
           "emulator:\n  enabled: true\n  workers: 1\n" + emulator_extra +
           "api:\n  port: " + std::to_string(api) + "\n";
}

const char* const kTwoVms =
    "    - {name: vm1, vnet: hub, subnet: web, nic_address: 10.1.1.20, host: 0}\n"
    "    - {name: vm2, vnet: hub, subnet: web, nic_address: 10.1.1.21, host: 1}\n";
const char* const kThreeVms =
    "    - {name: vm1, vnet: hub, subnet: web, nic_address: 10.1.1.20, host: 0}\n"
    "    - {name: vm2, vnet: hub, subnet: web, nic_address: 10.1.1.21, host: 1}\n"
    "    - {name: vm3, vnet: hub, subnet: web, nic_address: 10.1.1.22, host: 1}\n";

// routefabricd with the emulator and its API, and raw dual-stack NVAs, on loopback.
class EmulatorIpv6 : public ::testing::Test {
protected:
    void SetUp() override {
        if (const std::string why = daemon_binaries_missing(); !why.empty()) {
            GTEST_SKIP() << why;
        }
    }

    // Starts routefabricd and waits until its emulator forwards (the API is up then).
    void start(const std::string& vms, const std::string& emulator_extra) {
        write_file(dir_.file("rf.yaml"), config(rs_, port_, api_, vms, emulator_extra));
        ASSERT_TRUE(start_routefabricd(daemon_process_, dir_.file("rf.yaml"), dir_.file("rf.log")));
        std::string s;
        ASSERT_TRUE(wait_until(
            [&] {
                s = stats();
                return json_number(s, "packets_forwarded") > 0;
            },
            20s, 100ms))
            << s << log();
    }
    std::string stats() { return rfctl_.json({"emulator", "stats"}); }
    // Brings `nva` up over IPv4 transport with IPv6 unicast negotiated and announces ::/0 via its
    // IPv6 next hop.
    void announce_ipv6_default(RawPeer& peer, const Nva& nva) {
        ASSERT_TRUE(
            wait_until([&] { return peer.connect(loopback(nva.host), rs_, port_, 500ms); }, 10s, 100ms))
            << log();
        ASSERT_TRUE(peer.handshake(
            RawPeer::dual_stack_open(nva.asn, ("10.0.0." + std::to_string(nva.host)).c_str())));
        ASSERT_TRUE(peer.send(ipv6_update(peer, "::/0", nva.next_hop6, nva.asn)));
    }
    void stop() {
        daemon_process_.signal(SIGTERM);
        EXPECT_TRUE(wait_until([&] { return !daemon_process_.running(); }, 15s));
        EXPECT_TRUE(WIFEXITED(daemon_process_.exit_status()) &&
                    WEXITSTATUS(daemon_process_.exit_status()) == 0)
            << log();
    }
    std::string log() const { return read_file(dir_.file("rf.log")); }

    TempDir dir_{"rf-emu6"};
    const std::string rs_ = loopback(4);
    const std::uint16_t port_ = free_port(rs_);
    const std::uint16_t api_ = free_port("127.0.0.1");
    const Rfctl rfctl_{"http://127.0.0.1:" + std::to_string(api_)};
    Process daemon_process_;
};

TEST_F(EmulatorIpv6, Ipv6DefaultRouteLearnedOverBgpCarriesTheVmsIpv6FlowsOverEcmpAndAcrossAReload) {
    ASSERT_NO_FATAL_FAILURE(start(kTwoVms, "  flows6_per_vm: 4\n"));
    EXPECT_NE(log().find("2 VMs, 8 IPv4 + 8 IPv6 flows"), std::string::npos) << log();
    std::string s = stats();
    EXPECT_EQ(json_number(s, "flows_ipv6"), 8) << s;  // 2 VMs x 4
    EXPECT_EQ(json_number(s, "flows_ipv4"), 8) << s;  // and IPv4 as before (4 per VM)

    RawPeer nva1;
    ASSERT_NO_FATAL_FAILURE(announce_ipv6_default(nva1, kNva1));
    EXPECT_TRUE(wait_until(
        [&] {
            s = stats();
            return json_number(s, packets_to(kNva1)) > 1000;
        },
        10s, 100ms))
        << "no IPv6 packets to the BGP next hop: " << s << log();
    EXPECT_GT(json_number(s, "packets_generated_ipv6"), 0) << s;

    // A second NVA with an equal path: the IPv6 flows spread over both next hops.
    RawPeer nva2;
    ASSERT_NO_FATAL_FAILURE(announce_ipv6_default(nva2, kNva2));
    EXPECT_TRUE(wait_until(
        [&] {
            s = stats();
            return json_number(s, packets_to(kNva2)) > 1000;
        },
        10s, 100ms))
        << "no IPv6 packets to the second member of the ECMP set: " << s;

    // A VM added by a reload gets IPv6 flows too; the IPv6 traffic keeps flowing to both next hops.
    write_file(dir_.file("rf.yaml"), config(rs_, port_, api_, kThreeVms, "  flows6_per_vm: 4\n"));
    daemon_process_.signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        [&] {
            return log().find("emulator: 3 VMs on 2 hosts (2 kept, 1 added or moved, 0 removed)") !=
                   std::string::npos;
        },
        10s))
        << log();
    s = stats();
    EXPECT_EQ(json_number(s, "flows_ipv6"), 12) << s;
    for (const Nva& n : {kNva1, kNva2}) {
        const long long before = json_number(s, packets_to(n));
        EXPECT_TRUE(wait_until([&] { return json_number(stats(), packets_to(n)) > before; }, 5s, 100ms))
            << n.next_hop6 << ": " << stats();
    }
    stop();
}

TEST_F(EmulatorIpv6, WithoutIpv6FlowsNoIpv6PacketIsSent) {
    ASSERT_NO_FATAL_FAILURE(start(kTwoVms, ""));  // flows6_per_vm: 0, the default
    RawPeer nva1;
    ASSERT_NO_FATAL_FAILURE(announce_ipv6_default(nva1, kNva1));
    std::string routes;
    ASSERT_TRUE(wait_until(
        [&] {
            routes = rfctl_.json({"vm", "effective-routes", "vm1"});
            return routes.find(kNva1.next_hop6) != std::string::npos;
        },
        10s, 100ms))
        << "the IPv6 default route did not reach vm1's table: " << routes;
    std::this_thread::sleep_for(300ms);  // hundreds of passes with the route in place
    const std::string s = stats();
    EXPECT_GT(json_number(s, "packets_forwarded"), 0) << s;
    EXPECT_EQ(json_number(s, "flows_ipv6"), 0) << s;
    EXPECT_EQ(json_number(s, "packets_generated_ipv6"), 0) << s;
    EXPECT_EQ(json_number(s, packets_to(kNva1)), -1) << s;
    stop();
}

}  // namespace
}  // namespace rf::testing
