// Lab mode end to end on a real Linux link: the test creates a network namespace with one end of a veth
// pair (addresses 10.1.1.4 and 10.1.1.5, the "NVAs"); the emulator binds net_af_packet to the other end,
// resolves both next hops by ARP and forwards emulated VM traffic to them; the far side's interface
// counters must show every packet. Skips (with the reason) when namespaces cannot be created.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "dataplane/emulator.hpp"
#include "dataplane/lpm_route_source.hpp"
#include "tests/dataplane/test_support.hpp"

using namespace rf::dataplane;

namespace {

constexpr std::uint32_t A = 0x0A010104, B = 0x0A010105;

bool sh(const std::string& cmd) {
    return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

std::string capture(const std::string& cmd) {
    std::string out;
    if (FILE* f = ::popen(cmd.c_str(), "r")) {
        char buf[256];
        while (std::fgets(buf, sizeof buf, f) != nullptr)
            out += buf;
        ::pclose(f);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

struct Namespace {
    std::string ns, near, far;
    bool ok = false;
    std::string why;

    Namespace() {
        const std::string id = std::to_string(::getpid());
        ns = "rfdp" + id;
        near = "rfdpa" + id;
        far = "rfdpb" + id;
        if (::geteuid() != 0) {
            why = "needs root (CAP_NET_ADMIN) to create a network namespace";
            return;
        }
        if (!sh("ip netns add " + ns)) {
            why = "ip netns add failed";
            return;
        }
        ok = sh("ip link add " + near + " type veth peer name " + far) &&
             sh("ip link set " + far + " netns " + ns) &&
             sh("ip -n " + ns + " addr add 10.1.1.4/24 dev " + far) &&
             sh("ip -n " + ns + " addr add 10.1.1.5/24 dev " + far) &&
             sh("ip -n " + ns + " link set " + far + " up") && sh("ip -n " + ns + " link set lo up") &&
             sh("ip link set " + near + " up");
        if (!ok)
            why = "veth set-up failed";
    }
    ~Namespace() {
        sh("ip link del " + near);  // also removes the peer
        sh("ip netns del " + ns);
    }
    std::uint64_t far_rx_packets() const {
        return std::stoull(
            "0" + capture("ip netns exec " + ns + " cat /sys/class/net/" + far + "/statistics/rx_packets"));
    }
    std::string far_mac() const {
        return capture("ip netns exec " + ns + " cat /sys/class/net/" + far + "/address");
    }
};

std::string mac_string(const MacAddress& m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

TEST(LabMode, TrafficLeavesOnAfPacketToArpResolvedNextHops) {
    Namespace lab;
    if (!lab.ok)
        GTEST_SKIP() << "lab-mode test skipped: " << lab.why;
    const auto& ports = test::ensure_eal({"net_af_packet0,iface=" + lab.near + ",qpairs=2"});
    ASSERT_TRUE(eal_started());
    std::uint16_t lab_port = 0;
    ASSERT_EQ(rte_eth_dev_get_port_by_name("net_af_packet0", &lab_port), 0);

    LpmRouteSource::Config cfg;
    cfg.tables = 1;
    cfg.max_routes = 16;
    cfg.tbl8_groups = 16;
    cfg.name = "lab";
    std::string error;
    auto source = LpmRouteSource::create(cfg, &error);
    ASSERT_TRUE(source) << error;
    ASSERT_TRUE(source->apply(
        std::vector<RouteChange>{RouteChange{0, 0x14000000, 24, false, NextHopKind::Ip, {A, B}}}, &error));
    LabSpec spec;
    spec.vms = 32;
    spec.vms_per_host = 16;
    const Topology topo = make_lab_topology(spec);
    const FlowTable flows = make_flows(topo, 2, {{{0x14000000, 24}}}, 9);
    EmulatorConfig ec;
    ec.workers = 1;
    ec.mbufs = 2047;
    ec.nva_port = lab_port;
    ec.fabric_port = ec.internet_port = ports.null;
    ec.arp = true;
    ec.nva_port_ip = 0x0A01010A;  // 10.1.1.10
    ec.use_lcores = false;
    ec.name = "lab-emu";
    auto emu = Emulator::create(ec, *source, topo, flows, &error);
    ASSERT_TRUE(emu) << error;

    ASSERT_TRUE(emu->resolve_neighbors({A, B}, 5.0)) << "no ARP reply from the namespace";
    const std::string far_mac = lab.far_mac();
    for (std::uint32_t nh : {A, B}) {
        const auto slot = emu->neighbors().find(nh);
        ASSERT_NE(slot, NeighborTable::kNotFound);
        const auto res = emu->neighbors().resolution(slot);
        EXPECT_EQ(NeighborTable::port_of(res), lab_port);
        EXPECT_EQ(mac_string(NeighborTable::mac_of(res)), far_mac);
    }

    const std::uint64_t rx_before = lab.far_rx_packets();
    emu->run_passes(50);
    const auto totals = emu->totals();
    EXPECT_EQ(totals.tx, 50U * 2 * 32);
    EXPECT_EQ(totals.drop_unresolved, 0U);
    EXPECT_EQ(emu->tx_failures(), 0U);
    std::uint64_t rx = 0;
    for (int i = 0; i < 50; ++i) {  // veth delivery is asynchronous; bounded wait
        rx = lab.far_rx_packets() - rx_before;
        if (rx >= totals.tx)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GE(rx, totals.tx) << "the namespace saw fewer packets than the emulator sent";
    std::uint64_t to_a = 0, to_b = 0;
    for (const auto& [ip, n] : emu->next_hop_packets()) {
        if (ip == A)
            to_a = n;
        if (ip == B)
            to_b = n;
    }
    EXPECT_GT(to_a, 0U);
    EXPECT_GT(to_b, 0U);
    EXPECT_EQ(to_a + to_b, totals.tx);
    emu.reset();
}

}  // namespace
