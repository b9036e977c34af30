// Lab mode end to end on a real Linux link: the test creates a network namespace with one end of a veth
// pair (addresses 10.1.1.4 and 10.1.1.5, the "NVAs"); the emulator binds net_af_packet to the other end,
// resolves both next hops by ARP and forwards emulated VM traffic to them; the far side's interface
// counters must show every packet. Skips (with the reason) when namespaces cannot be created.
#include <gtest/gtest.h>

#include "dataplane/emulator.hpp"
#include "tests/dataplane/lab_support.hpp"
#include "tests/dataplane/test_support.hpp"
#include "tests/support/network_namespace.hpp"

using namespace rf::dataplane;
using namespace rf::dataplane::test;
using rf::testing::VethNamespace;

namespace {

TEST(LabMode, TrafficLeavesOnAfPacketToArpResolvedNextHops) {
    VethNamespace lab("rfdp", {{"10.1.1.4/24"}, {"10.1.1.5/24"}});
    if (!lab.ok)
        GTEST_SKIP() << "lab-mode test skipped: " << lab.why;
    const auto& ports = test::ensure_eal({"net_af_packet0,iface=" + lab.near + ",qpairs=2"});
    ASSERT_TRUE(eal_started());
    std::uint16_t lab_port = 0;
    ASSERT_EQ(rte_eth_dev_get_port_by_name("net_af_packet0", &lab_port), 0);

    LpmLab routes;
    make_lpm_lab(routes, "lab");
    ASSERT_TRUE(routes.source);
    EmulatorConfig ec = lab_emulator_config(lab_port, ports.null, "lab-emu");
    ec.arp = true;
    ec.nva_port_ip = 0x0A01010A;  // 10.1.1.10
    std::string error;
    auto emu = Emulator::create(ec, *routes.source, routes.topo, routes.flows, &error);
    ASSERT_TRUE(emu) << error;

    ASSERT_TRUE(emu->resolve_neighbors({kNvaA, kNvaB}, 5.0)) << "no ARP reply from the namespace";
    const std::string far_mac = lab.far_sys("address");
    expect_nvas_resolved_to(*emu, lab_port, far_mac);

    expect_every_packet_arrives(
        *emu, 50U * 2 * 32, [&] { return lab.far_rx_packets(); }, "the namespace");
    expect_split_over(emu->next_hop_packets(), kNvaA, kNvaB, emu->totals().tx);
    emu.reset();
}

}  // namespace
