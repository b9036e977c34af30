// Lab mode on a TAP device created by DPDK's net_tap PMD (EAL without hugepages). The test enters a
// network namespace of its own before EAL start-up, so the TAP interface is created there; the kernel
// side of the TAP (addresses 10.1.1.4 and 10.1.1.5) plays the NVAs. The emulator must switch to lab mode
// by itself (the port is bound to a Linux interface), resolve both next hops by ARP — with 0.0.0.0 as
// sender address, an ARP probe, since nothing configured one — and the kernel must receive every
// packet it sent. Then the same for IPv6 on the same port (a second emulator, IPv6 routes from the FIB):
// fd00:1:1::4 and ::5 resolve by Neighbor Discovery from the unspecified address (DAD-style
// solicitations, which the kernel answers to all nodes) and every IPv6 packet arrives. Skips (with the
// reason) without root, /dev/net/tun or the net_tap PMD.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "dataplane/emulator.hpp"
#include "dataplane/lab_port.hpp"
#include "dataplane/lpm_route_source.hpp"
#include "dataplane/ndp.hpp"
#include "tests/dataplane/test_support.hpp"
#ifdef RF_DATAPLANE_HAVE_FIB
#include "bench/emulator/fib_producer.hpp"
#endif

using namespace rf::dataplane;
using namespace rf::bench;

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

// A namespace the calling thread enters (so the TAP that EAL creates lives there) and leaves again.
struct TapNamespace {
    std::string ns = "rftap" + std::to_string(::getpid());
    std::string ifname = "rft" + std::to_string(::getpid());
    int home = -1;
    bool ok = false;
    std::string why;

    TapNamespace() {
        if (::geteuid() != 0) {
            why = "needs root (CAP_NET_ADMIN) for TAP devices and namespaces";
            return;
        }
        if (::access("/dev/net/tun", R_OK | W_OK) != 0) {
            why = "/dev/net/tun is not available";
            return;
        }
        if (!sh("ip netns add " + ns)) {
            why = "ip netns add failed";
            return;
        }
        home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        const int target = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
        ok = home >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0;
        if (target >= 0)
            ::close(target);
        if (!ok)
            why = "cannot enter namespace " + ns;
    }
    ~TapNamespace() {
        if (home >= 0) {
            ::setns(home, CLONE_NEWNET);
            ::close(home);
        }
        sh("ip netns del " + ns);  // the TAP itself goes when EAL closes its file descriptors
    }
    std::string sys(const std::string& file) const {
        return capture("ip netns exec " + ns + " cat /sys/class/net/" + ifname + "/" + file);
    }
};

std::string mac_string(const MacAddress& m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

TEST(LabTap, NetTapPortIsLabModeAndDeliversToArpAndNdpResolvedKernelSide) {
    TapNamespace lab;
    if (!lab.ok)
        GTEST_SKIP() << "net_tap lab test skipped: " << lab.why;
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
    ASSERT_TRUE(sh("ip -n " + lab.ns + " addr add 10.1.1.4/24 dev " + lab.ifname));
    ASSERT_TRUE(sh("ip -n " + lab.ns + " addr add 10.1.1.5/24 dev " + lab.ifname));

    LpmRouteSource::Config cfg;
    cfg.tables = 1;
    cfg.max_routes = 16;
    cfg.tbl8_groups = 16;
    cfg.name = "tap";
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
    ec.nva_port = tap_port;
    ec.fabric_port = ec.internet_port = ports.null;
    ec.use_lcores = false;  // arp stays false: the TAP port alone must turn lab mode on
    ec.name = "tap-emu";
    auto emu = Emulator::create(ec, *source, topo, flows, &error);
    ASSERT_TRUE(emu) << error;
    EXPECT_TRUE(emu->lab_mode());
    EXPECT_EQ(emu->arp_sender(), 0U);  // nothing configured, and the kernel side's address is not ours
    ASSERT_TRUE(sh("ip -n " + lab.ns + " link set " + lab.ifname + " up"));

    ASSERT_TRUE(emu->resolve_neighbors({A, B}, 5.0)) << "no ARP reply from the TAP's kernel side";
    const std::string kernel_mac = lab.sys("address");
    for (std::uint32_t nh : {A, B}) {
        const auto slot = emu->neighbors().find(nh);
        ASSERT_NE(slot, NeighborTable::kNotFound);
        const auto res = emu->neighbors().resolution(slot);
        EXPECT_EQ(NeighborTable::port_of(res), tap_port);
        EXPECT_EQ(mac_string(NeighborTable::mac_of(res)), kernel_mac);
    }

    rte_ether_addr port_mac{};
    rte_eth_macaddr_get(tap_port, &port_mac);
    MacAddress pm{};
    std::copy(port_mac.addr_bytes, port_mac.addr_bytes + 6, pm.begin());
    std::printf("  net_tap port %s, kernel side %s (%s): next hops resolved by ARP probe\n",
                mac_string(pm).c_str(), lab.ifname.c_str(), kernel_mac.c_str());

    const std::uint64_t rx_before = std::stoull("0" + lab.sys("statistics/rx_packets"));
    emu->run_passes(50);
    const auto totals = emu->totals();
    EXPECT_EQ(totals.tx, 50U * 2 * 32);
    EXPECT_EQ(totals.drop_unresolved, 0U);
    EXPECT_EQ(emu->tx_failures(), 0U);
    std::uint64_t rx = 0;
    for (int i = 0; i < 50; ++i) {  // bounded wait for the kernel's counters
        rx = std::stoull("0" + lab.sys("statistics/rx_packets")) - rx_before;
        if (rx >= totals.tx)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GE(rx, totals.tx) << "the TAP's kernel side saw fewer packets than the emulator sent";
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

#ifdef RF_DATAPLANE_HAVE_FIB
    // IPv6 on the same TAP (a TAP port starts again after a stop, unlike af_packet).
    auto nva6 = [](std::uint8_t host) {
        Ipv6Bytes a{0xfd, 0x00, 0x00, 0x01, 0x00, 0x01};
        a[15] = host;
        return a;
    };
    ASSERT_TRUE(sh("ip -n " + lab.ns + " -6 addr add fd00:1:1::4/64 dev " + lab.ifname + " nodad"));
    ASSERT_TRUE(sh("ip -n " + lab.ns + " -6 addr add fd00:1:1::5/64 dev " + lab.ifname + " nodad"));
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
        EXPECT_EQ(mac_string(NeighborTable::mac_of(res)), kernel_mac);
    }
    const std::uint64_t rx6_before = std::stoull("0" + lab.sys("statistics/rx_packets"));
    emu6->run_passes(50);
    const auto totals6 = emu6->totals();
    EXPECT_EQ(totals6.tx, 50U * 32 * topo6.hosts.size());
    EXPECT_EQ(totals6.drop_unresolved, 0U);
    std::uint64_t rx6 = 0;
    for (int i = 0; i < 50; ++i) {  // bounded wait for the kernel's counters
        rx6 = std::stoull("0" + lab.sys("statistics/rx_packets")) - rx6_before;
        if (rx6 >= totals6.tx)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GE(rx6, totals6.tx) << "the TAP's kernel side saw fewer IPv6 packets than the emulator sent";
    std::uint64_t to4 = 0, to5 = 0;
    for (const auto& [ip, n] : emu6->next_hop_packets6()) {
        to4 += ip == nva6(4) ? n : 0;
        to5 += ip == nva6(5) ? n : 0;
    }
    EXPECT_GT(to4, 0U);
    EXPECT_GT(to5, 0U);
    EXPECT_EQ(to4 + to5, totals6.tx);
    emu6.reset();
#endif
}

}  // namespace
