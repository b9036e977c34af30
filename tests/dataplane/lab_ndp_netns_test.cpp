// IPv6 Neighbor Discovery in lab mode on real Linux links. The test creates two network namespaces, each
// with one end of a veth pair whose far end has fd00:1:1::4 and fd00:1:1::5 (the "NVAs", plain Linux);
// the emulator binds net_af_packet to the near ends (one emulator per port: an af_packet port does not
// come back after it is stopped). IPv6 routes come from the FIB (2001:db8:1::/48 over both next hops).
//
//  1. No address configured: the emulator solicits from the interface's own link-local address (the
//     kernel owns it), learns both next hops' MAC from Linux's advertisements, and the far side counts
//     every IPv6 packet it sent.
//  2. Our own address fd00:1:1::a configured: Linux resolves it through the emulator's advertisement; a
//     next hop whose address is removed stops answering the reachability probes and its resolution is
//     withdrawn while the other, still answering, stays; added back, it resolves again.
//
// Skips (with the reason) without root or network namespaces, or without the FIB.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
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
using rf::testing::in_namespace;
using rf::testing::run_shell;
using rf::testing::shell_output;
using rf::testing::VethNamespace;

namespace {

// Both namespaces (each with the far end of a veth pair holding fd00:1:1::4 and ::5) and EAL with an
// af_packet port on each near end: made once, before EAL starts (it binds the ports at start-up), removed
// at exit after EAL has shut down.
struct NdpNamespaces {
    bool ok = false;
    std::string why;
    std::unique_ptr<VethNamespace> a, b;
    std::uint16_t port_a = 0, port_b = 0;
    std::uint16_t null_port = 0;

    NdpNamespaces() {
        const std::vector<rf::testing::InterfaceAddress> nvas{{"fd00:1:1::4/64"}, {"fd00:1:1::5/64"}};
        a = std::make_unique<VethNamespace>("rfnda", nvas);
        b = std::make_unique<VethNamespace>("rfndb", nvas);
        if (!a->ok || !b->ok) {
            why = !a->ok ? a->why : b->why;
            return;
        }
        // The near ends' link-local addresses appear with the carrier (bounded wait).
        for (int i = 0; i < 100 && !ndp::is_link_local(interface_ipv6(a->near)); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const auto& ports = test::ensure_eal({"net_af_packet0,iface=" + a->near + ",qpairs=2",
                                              "net_af_packet1,iface=" + b->near + ",qpairs=2"});
        null_port = ports.null;
        ok = eal_started() && rte_eth_dev_get_port_by_name("net_af_packet0", &port_a) == 0 &&
             rte_eth_dev_get_port_by_name("net_af_packet1", &port_b) == 0;
        if (!ok)
            why = "EAL or the af_packet ports did not start";
    }
};

NdpNamespaces& lab() {
    static NdpNamespaces l;
    return l;
}

#ifdef RF_DATAPLANE_HAVE_FIB
struct NdpSetup {
    std::unique_ptr<FibProducer> producer;
    Topology topo;
    FlowTable flows;
    std::unique_ptr<Emulator> emu;
};

// The FIB with 2001:db8:1::/48 over both next hops, 32 VMs on 2 hosts sending IPv6 only (2 flows each:
// one burst of 32 per host carries every flow), an emulator on `port` in lab mode (the af_packet port
// alone turns it on).
void make_setup(NdpSetup& s, std::uint16_t port, EmulatorConfig ec, const char* name) {
    std::string error;
    s.producer = FibProducer::create(make_lab_model(32, 16), 64, &error);
    ASSERT_TRUE(s.producer) << error;
    const auto t = s.producer->inject6(
        std::vector<RouteUpdate6>{{Ipv6Bytes{0x20, 0x01, 0x0d, 0xb8, 0, 1}, 48, {nva6(4), nva6(5)}}});
    ASSERT_NE(t, 0U);
    for (int i = 0; i < 20000 && !s.producer->visible(t); ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    ASSERT_TRUE(s.producer->visible(t));
    s.topo = s.producer->topology();
    s.flows = make_flows(s.topo, 0, {}, 1);
    add_flows6(s.flows, s.topo, 2,
               std::vector<std::vector<Destination6>>(s.topo.tables,
                                                      {{Ipv6Bytes{0x20, 0x01, 0x0d, 0xb8, 0, 1}, 48}}),
               9);
    ec.workers = 1;
    ec.mbufs = 2047;
    ec.nva_port = port;
    ec.fabric_port = ec.internet_port = lab().null_port;
    ec.use_lcores = false;
    ec.name = name;
    s.emu = Emulator::create(ec, s.producer->source(), s.topo, s.flows, &error);
    ASSERT_TRUE(s.emu) << error;
    ASSERT_TRUE(s.emu->lab_mode());
}

bool valid6(Emulator& emu, const Ipv6Bytes& ip) {
    const auto slot = emu.neighbors6().find(ip.data());
    return slot != NeighborTable6::kNotFound &&
           (emu.neighbors6().resolution(slot) & NeighborTable::kValid) != 0;
}
#endif

TEST(LabNdp, Ipv6NextHopsResolveFromTheInterfacesLinkLocalAndEveryPacketArrives) {
#ifndef RF_DATAPLANE_HAVE_FIB
    GTEST_SKIP() << "built without the FIB (IPv6 routes)";
#else
    if (!lab().ok)
        GTEST_SKIP() << "lab NDP test skipped: " << lab().why;
    const VethNamespace& far = *lab().a;
    NdpSetup s;
    make_setup(s, lab().port_a, EmulatorConfig{}, "ndp-a");
    ASSERT_TRUE(s.emu);
    // The solicitation source: the near interface's own link-local address (the kernel answers for it).
    EXPECT_TRUE(ndp::is_link_local(s.emu->ndp_source()));
    EXPECT_EQ(s.emu->ndp_source(), interface_ipv6(far.near));

    ASSERT_TRUE(s.emu->resolve_neighbors6({nva6(4), nva6(5)}, 5.0))
        << "no Neighbor Advertisement from the namespace";
    const std::string far_mac = far.far_sys("address");
    for (std::uint8_t h : {4, 5}) {
        const auto slot = s.emu->neighbors6().find(nva6(h).data());
        ASSERT_NE(slot, NeighborTable6::kNotFound);
        const auto res = s.emu->neighbors6().resolution(slot);
        EXPECT_EQ(NeighborTable::port_of(res), lab().port_a);
        EXPECT_EQ(mac_text(NeighborTable::mac_of(res)), far_mac);
    }

    expect_every_packet_arrives(
        *s.emu, 50U * 32 * s.topo.hosts.size(), [&] { return far.far_rx_packets(); }, "the namespace");
    expect_split_over(s.emu->next_hop_packets6(), nva6(4), nva6(5), s.emu->totals().tx);
    s.emu.reset();
#endif
}

TEST(LabNdp, OurPortAddressIsAnsweredAndSilentNeighboursExpire) {
#ifndef RF_DATAPLANE_HAVE_FIB
    GTEST_SKIP() << "built without the FIB (IPv6 routes)";
#else
    if (!lab().ok)
        GTEST_SKIP() << "lab NDP test skipped: " << lab().why;
    const VethNamespace& far = *lab().b;
    EmulatorConfig ec;
    ec.nva_port_ip6 = nva6(0x0a);  // fd00:1:1::a is ours: the emulator answers for it
    ec.neighbor_reachable_ms = 300;
    ec.neighbor_probe_ms = 100;
    ec.neighbor_probes = 2;
    NdpSetup s;
    make_setup(s, lab().port_b, ec, "ndp-b");
    ASSERT_TRUE(s.emu);
    EXPECT_EQ(s.emu->ndp_source(), nva6(0x0a));
    ASSERT_TRUE(s.emu->resolve_neighbors6({nva6(4), nva6(5)}, 5.0))
        << "no Neighbor Advertisement from the namespace";

    // Linux resolves our address: a datagram from the namespace to fd00:1:1::a makes it solicit, and the
    // emulator's solicited advertisement makes the entry REACHABLE with the port's MAC. (Our own
    // solicitations leave STALE entries for fd00:1:1::a there: flushed first; only a solicited
    // advertisement makes an entry REACHABLE.)
    ASSERT_TRUE(run_shell("ip -n " + far.ns + " -6 neigh flush dev " + far.far));
    rte_ether_addr pm{};
    rte_eth_macaddr_get(lab().port_b, &pm);
    const std::string port_mac = mac_text(MacAddress{pm.addr_bytes[0], pm.addr_bytes[1], pm.addr_bytes[2],
                                                     pm.addr_bytes[3], pm.addr_bytes[4], pm.addr_bytes[5]});
    // A datagram from the namespace to fd00:1:1::a, sent from a thread inside it.
    std::thread sender([&] {
        in_namespace(far.ns, [] {
            const int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            sockaddr_in6 to{};
            to.sin6_family = AF_INET6;
            to.sin6_port = htons(9);
            const Ipv6Bytes ours = nva6(0x0a);
            std::memcpy(to.sin6_addr.s6_addr, ours.data(), 16);
            if (fd >= 0) {
                (void)::sendto(fd, "x", 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
                ::close(fd);
            }
        });
    });
    std::string neigh;
    for (int i = 0; i < 1000; ++i) {  // the test runs the resolver itself (no service thread): ~2 s max
        s.emu->service();
        if (i % 50 == 49) {
            neigh = shell_output("ip -n " + far.ns + " -6 neigh show fd00:1:1::a dev " + far.far);
            if (neigh.find(port_mac) != std::string::npos && neigh.find("REACHABLE") != std::string::npos)
                break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    sender.join();
    EXPECT_NE(neigh.find(port_mac), std::string::npos) << "Linux did not learn our address: " << neigh;
    EXPECT_NE(neigh.find("REACHABLE"), std::string::npos) << "no solicited advertisement: " << neigh;

    // fd00:1:1::5 goes away: its reachability probes go unanswered and its resolution is withdrawn;
    // fd00:1:1::4 answers its probes and stays.
    ASSERT_TRUE(run_shell("ip -n " + far.ns + " -6 addr del fd00:1:1::5/64 dev " + far.far));
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 1500 && valid6(*s.emu, nva6(5)); ++i) {  // ~3 s max
        s.emu->service();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    const double expired_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_FALSE(valid6(*s.emu, nva6(5))) << "a silent neighbour never expired";
    EXPECT_GE(expired_ms, 190.0) << "expired before its two probes were due";
    EXPECT_TRUE(valid6(*s.emu, nva6(4))) << "a neighbour that answers its probes expired";
    std::printf(
        "  fd00:1:1::5 withdrawn %.0f ms after its address was removed (reachable 300 ms, 2 probes)\n",
        expired_ms);
    const auto unresolved = s.emu->totals().drop_unresolved;
    s.emu->run_passes(4);
    EXPECT_GT(s.emu->totals().drop_unresolved, unresolved)
        << "flows over the expired next hop must not leave";

    // Back again: solicited again and resolved.
    ASSERT_TRUE(run_shell("ip -n " + far.ns + " -6 addr add fd00:1:1::5/64 dev " + far.far + " nodad"));
    EXPECT_TRUE(s.emu->resolve_neighbors6({nva6(5)}, 5.0));
    s.emu.reset();
#endif
}

}  // namespace
