// Lab mode on a TAP device created by DPDK's net_tap PMD (EAL without hugepages). The test enters a
// network namespace of its own before EAL start-up, so the TAP interface is created there; the kernel
// side of the TAP (addresses 10.1.1.4 and 10.1.1.5) plays the NVAs. The emulator must switch to lab mode
// by itself (the port is bound to a Linux interface), resolve both next hops by ARP — with 0.0.0.0 as
// sender address, an ARP probe, since nothing configured one — and the kernel must receive every
// packet it sent. Then the same for IPv6 on the same port (a second emulator, IPv6 routes from the FIB):
// fd00:1:1::4 and ::5 resolve by Neighbor Discovery from the unspecified address (DAD-style
// solicitations, which the kernel answers to all nodes) and every IPv6 packet arrives. Skips (with the
// reason) without root, /dev/net/tun or the net_tap PMD.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>

#include "dataplane/emulator.hpp"
#include "dataplane/lab_port.hpp"
#include "dataplane/ndp.hpp"
#include "tests/dataplane/lab_support.hpp"
#include "tests/dataplane/test_support.hpp"
#include "tests/support/network_namespace.hpp"
#ifdef RF_DATAPLANE_HAVE_FIB
#include "bench/emulator/fib_producer.hpp"
#endif

using namespace rf::dataplane;
using namespace rf::dataplane::test;
using namespace rf::bench;
using rf::testing::EnteredNamespace;
using rf::testing::run_shell;
using rf::testing::shell_output;

namespace {

// The TAP device's kernel side, in the namespace the test entered.
struct TapDevice {
    const EnteredNamespace& ns;
    std::string ifname = "rft" + std::to_string(::getpid());
    [[nodiscard]] std::string sys(const std::string& file) const {
        return shell_output("ip netns exec " + ns.ns + " cat /sys/class/net/" + ifname + "/" + file);
    }
    [[nodiscard]] std::uint64_t rx_packets() const { return std::stoull("0" + sys("statistics/rx_packets")); }
    [[nodiscard]] bool ip(const std::string& args) const {
        return run_shell("ip -n " + ns.ns + " " + args + " dev " + ifname);
    }
};

TEST(LabTap, NetTapPortIsLabModeAndDeliversToArpAndNdpResolvedKernelSide) {
    if (::geteuid() == 0 && ::access("/dev/net/tun", R_OK | W_OK) != 0)
        GTEST_SKIP() << "net_tap lab test skipped: /dev/net/tun is not available";
    const EnteredNamespace entered("rftap");
    if (!entered.ok)
        GTEST_SKIP() << "net_tap lab test skipped: " << entered.why;
    const TapDevice lab{entered};
    const auto& ports = test::ensure_eal({"net_tap0,iface=" + lab.ifname});
    ASSERT_TRUE(eal_started());
    std::uint16_t tap_port = 0;
    if (rte_eth_dev_get_port_by_name("net_tap0", &tap_port) != 0) {
        GTEST_SKIP() << "the net_tap PMD is not available in this DPDK";
    }
    const LabPort lp = describe_lab_port(tap_port);
    EXPECT_TRUE(lp.linux_bound);
    EXPECT_TRUE(lp.tap);
    EXPECT_EQ(lp.ifname, lab.ifname);
    ASSERT_TRUE(lab.ip("addr add 10.1.1.4/24"));
    ASSERT_TRUE(lab.ip("addr add 10.1.1.5/24"));

    LpmLab routes;
    make_lpm_lab(routes, "tap");
    ASSERT_TRUE(routes.source);
    // `arp` stays false: the TAP port alone must turn lab mode on.
    EmulatorConfig ec = lab_emulator_config(tap_port, ports.null, "tap-emu");
    std::string error;
    auto emu = Emulator::create(ec, *routes.source, routes.topo, routes.flows, &error);
    ASSERT_TRUE(emu) << error;
    EXPECT_TRUE(emu->lab_mode());
    EXPECT_EQ(emu->arp_sender(), 0U);  // nothing configured, and the kernel side's address is not ours
    ASSERT_TRUE(lab.ip("link set up"));

    ASSERT_TRUE(emu->resolve_neighbors({kNvaA, kNvaB}, 5.0)) << "no ARP reply from the TAP's kernel side";
    const std::string kernel_mac = lab.sys("address");
    expect_nvas_resolved_to(*emu, tap_port, kernel_mac);

    rte_ether_addr port_mac{};
    rte_eth_macaddr_get(tap_port, &port_mac);
    MacAddress pm{};
    std::copy(port_mac.addr_bytes, port_mac.addr_bytes + 6, pm.begin());
    std::printf("  net_tap port %s, kernel side %s (%s): next hops resolved by ARP probe\n",
                mac_text(pm).c_str(), lab.ifname.c_str(), kernel_mac.c_str());

    expect_every_packet_arrives(
        *emu, 50U * 2 * 32, [&] { return lab.rx_packets(); }, "the TAP's kernel side");
    expect_split_over(emu->next_hop_packets(), kNvaA, kNvaB, emu->totals().tx);
    emu.reset();

#ifdef RF_DATAPLANE_HAVE_FIB
    // IPv6 on the same TAP (a TAP port starts again after a stop, unlike af_packet).
    ASSERT_TRUE(lab.ip("-6 addr add fd00:1:1::4/64 nodad"));
    ASSERT_TRUE(lab.ip("-6 addr add fd00:1:1::5/64 nodad"));
    auto producer = FibProducer::create(make_lab_model(32, 16), 64, &error);
    ASSERT_TRUE(producer) << error;
    const Ipv6Bytes routed{0x20, 0x01, 0x0d, 0xb8, 0, 1};
    const auto t6 = producer->inject6(std::vector<RouteUpdate6>{{routed, 48, {nva6(4), nva6(5)}}});
    ASSERT_NE(t6, 0U);
    for (int i = 0; i < 20000 && !producer->visible(t6); ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    ASSERT_TRUE(producer->visible(t6));
    const Topology topo6 = producer->topology();
    FlowTable flows6 = make_flows(topo6, 0, {}, 1);
    add_flows6(flows6, topo6, 2, std::vector<std::vector<Destination6>>(topo6.tables, {{routed, 48}}), 9);
    ec.name = "tap-emu6";
    auto emu6 = Emulator::create(ec, producer->source(), topo6, flows6, &error);
    ASSERT_TRUE(emu6) << error;
    EXPECT_TRUE(emu6->lab_mode());
    EXPECT_TRUE(ndp::is_unspecified(emu6->ndp_source())) << "nothing configured, and the kernel side's "
                                                            "addresses are not ours";
    ASSERT_TRUE(emu6->resolve_neighbors6({nva6(4), nva6(5)}, 5.0))
        << "no Neighbor Advertisement from the TAP's kernel side";
    for (std::uint8_t h : {4, 5}) {
        const auto slot = emu6->neighbors6().find(nva6(h).data());
        ASSERT_NE(slot, NeighborTable6::kNotFound);
        const auto res = emu6->neighbors6().resolution(slot);
        EXPECT_EQ(NeighborTable::port_of(res), tap_port);
        EXPECT_EQ(mac_text(NeighborTable::mac_of(res)), kernel_mac);
    }
    expect_every_packet_arrives(
        *emu6, 50U * 32 * topo6.hosts.size(), [&] { return lab.rx_packets(); },
        "the TAP's kernel side (IPv6)");
    expect_split_over(emu6->next_hop_packets6(), nva6(4), nva6(5), emu6->totals().tx);
    emu6.reset();
#endif
}

}  // namespace
