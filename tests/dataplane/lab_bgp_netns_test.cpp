// Lab mode end to end with a real BGP NVA. The test builds two network namespaces joined by a veth pair:
//
//   ns "rf":  routefabricd (BGP + FIB + host emulator in one process), 10.1.1.10/24 on the veth end;
//   ns "nva": FRR bgpd (foreground, generated config), 10.1.1.4/24, advertising 32.0.0.0/3 with itself
//             as next hop, and a packet socket of this test counting the emulated VMs' UDP packets
//             toward 32.0.0.0/3 that arrive on the NVA port's link partner with its own MAC as
//             destination (a classic BPF filter in the kernel counts them, drops included) — i.e. the
//             next hop was resolved by ARP.
//
// The emulator's NVA port (given through emulator.eal_args) is, in one test, net_af_packet on the veth
// end in "rf" (BGP and data share the link; the NVA's veth end counts), and in the other net_tap: the
// TAP that routefabricd's PMD creates in "rf" is then moved into "nva", so the NVA's kernel is the TAP's
// link partner (BGP runs over the veth pair, the emulated traffic over the TAP; the emulator resolves
// 10.1.1.4 by an ARP probe, which the NVA's kernel answers on the TAP for its own address, and the
// TAP's kernel side counts).
//
// Then the NVA withdraws the prefix (vtysh "no network"): once the VMs' effective routes no longer have
// it, not one more packet may arrive, and routefabricd's convergence report must show no packet sent to
// the withdrawn next hop after the FIB published the change. The NVA re-advertises, traffic resumes, and
// the NVA is stopped by PID (session down → routes withdrawn): traffic stops again. Everything is
// stopped by PID and the namespaces are deleted. Skips (with the reason) without root, `ip netns`,
// routefabricd or FRR.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"
#include "tests/support/network_namespace.hpp"

namespace rf::testing {
namespace {

constexpr const char* kPrefix = "32.0.0.0/3";
constexpr std::uint32_t kPrefixValue = 0x20000000U, kPrefixMask = 0xE0000000U;
constexpr const char* kNva = "10.1.1.4";
constexpr const char* kRs = "10.1.1.10";

std::string frr_bgpd() {
    return find_executable({"/usr/lib/frr/bgpd", "/usr/sbin/bgpd"});
}

std::string ip_binary() {  // Process and run_capture exec without a PATH search
    return find_executable({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"});
}

bool sh(const std::string& cmd) {
    return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

enum class NvaPort { AfPacket, Tap };

// The route server's and the NVA's namespaces and the veth pair between them; removed on destruction.
struct BgpNamespaces : NvaLink {
    std::string tap = "rfbt" + id;  // NvaPort::Tap: created by routefabricd's net_tap PMD

    BgpNamespaces() : NvaLink("rfbgp", {{std::string(kRs) + "/24"}}, {{std::string(kNva) + "/24"}}) {}
    std::vector<std::string> in(const std::string& ns, std::vector<std::string> argv) const {
        argv.insert(argv.begin(), {ip_binary(), "netns", "exec", ns});
        return argv;
    }
};

// Counts frames on `ifname` inside `ns` that pass a kernel BPF filter: destination MAC = the
// interface's own, IPv4, UDP, destination inside the advertised prefix. The kernel's PACKET_STATISTICS
// count every frame that passed the filter, including those dropped for a full socket buffer.
class PacketCounter {
public:
    bool open(const std::string& ns, const std::string& ifname, std::string* why) {
        const bool entered = in_namespace(ns, [&] {
            fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
            const unsigned index = ::if_nametoindex(ifname.c_str());
            std::uint8_t m[6] = {};
            if (fd_ >= 0 && index != 0 && read_mac(index, m)) {
                attach(m);
                sockaddr_ll sll{};
                sll.sll_family = AF_PACKET;
                sll.sll_protocol = htons(ETH_P_ALL);
                sll.sll_ifindex = static_cast<int>(index);
                if (::bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
                    *why = "bind to " + ifname + " failed";
                }
            } else {
                *why = "packet socket on " + ifname + " failed";
            }
        });
        if (!entered) {
            *why = "cannot enter namespace " + ns;
        }
        if (!why->empty() && fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
        return fd_ >= 0;
    }
    ~PacketCounter() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    // Frames that passed the filter since open() (reading the statistics resets the kernel's count).
    std::uint64_t count() {
        tpacket_stats st{};
        socklen_t len = sizeof st;
        if (fd_ >= 0 && ::getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
            total_ += st.tp_packets;  // includes tp_drops
        }
        char buf[128];
        while (fd_ >= 0 && ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT) > 0) {
        }
        return total_;
    }

private:
    // The MAC of interface `index` in the current (thread's) namespace, via SIOCGIFHWADDR.
    bool read_mac(unsigned index, std::uint8_t* mac) const {
        ifreq ifr{};
        if (::if_indextoname(index, ifr.ifr_name) == nullptr || ::ioctl(fd_, SIOCGIFHWADDR, &ifr) != 0) {
            return false;
        }
        std::memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
        return true;
    }
    void attach(const std::uint8_t* m) {
        const std::uint32_t mac_hi =
            (std::uint32_t{m[0]} << 24) | (std::uint32_t{m[1]} << 16) | (std::uint32_t{m[2]} << 8) | m[3];
        const std::uint32_t mac_lo = (std::uint32_t{m[4]} << 8) | m[5];
        // Jump offsets are relative to the next instruction; 12 is "ret 0".
        sock_filter code[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mac_hi, 0, 10),
            BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 4),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mac_lo, 0, 8),
            BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 6),
            BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 4),  // UDP
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 30),         // IPv4 destination
            BPF_STMT(BPF_ALU | BPF_AND | BPF_K, kPrefixMask),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kPrefixValue, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, 64),
            BPF_STMT(BPF_RET | BPF_K, 0),
        };
        sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
        ::setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
    }

    int fd_ = -1;
    std::uint64_t total_ = 0;
};

void run_lab_bgp(NvaPort kind) {
    const bool tap = kind == NvaPort::Tap;
    if (const std::string why = daemon_binaries_missing(); !why.empty()) {
        GTEST_SKIP() << why;
    }
    if (frr_bgpd().empty() || !have_executable("/usr/bin/vtysh")) {
        GTEST_SKIP() << "FRR (bgpd, vtysh) not installed";
    }
    if (ip_binary().empty()) {
        GTEST_SKIP() << "iproute2 (ip) not installed";
    }
    if (tap && ::access("/dev/net/tun", R_OK | W_OK) != 0) {
        GTEST_SKIP() << "/dev/net/tun is not available";
    }
    BgpNamespaces lab;
    if (!lab.ok)
        GTEST_SKIP() << "lab BGP test skipped: " << lab.why;
    TempDir dir("rf-labbgp");
    const std::string eal_prefix = std::string(tap ? "rftap" : "rfbgp") + lab.id;
    // The NVA port: net_af_packet on our veth end (lab mode: next hops resolved by ARP from the
    // interface's address), or net_tap creating the TAP (lab mode: ARP probes, no address of our own).
    const std::string vdev =
        tap ? "net_tap0,iface=" + lab.tap : "net_af_packet0,iface=" + lab.if_rf + ",qpairs=2";
    // Where the NVA counts the emulated traffic: its veth end, or the TAP once moved to its namespace.
    const std::string nva_if = tap ? lab.tap : lab.if_nva;

    // routefabricd: the default lab VNet (10.1.0.0/16) with 512 VMs on 8 emulated hosts.
    write_file(dir.file("rf.yaml"),
               "route_server:\n  asn: 65515\n  router_id: " + std::string(kRs) + "\n  listen: [" + kRs +
                   "]\n  port: 179\n  connect_retry: 1\n  idle_hold: 1\n"
                   "peers:\n  - {name: nva1, address: " +
                   kNva +
                   ", asn: 65001}\n"
                   "emulator:\n  enabled: true\n  vm_count: 512\n  vms_per_host: 64\n  workers: 1\n"
                   "  eal_args: [-l, 0-1, --no-huge, -m, '1024', --no-shconf, --file-prefix, " +
                   eal_prefix + ", --no-pci, --no-telemetry, --vdev, '" + vdev +
                   "']\n"
                   "api:\n  listen: 127.0.0.1\n  port: 9179\n");
    const Rfctl rfctl("http://127.0.0.1:9179");
    auto api = [&](const std::vector<std::string>& args) {
        return run_capture(lab.in(lab.ns_rf, rfctl.json_command(args)), Rfctl::kTimeout);
    };
    struct RuntimeDir {  // EAL's runtime files for our --file-prefix (passthrough args: not removed by EAL)
        std::string path;
        ~RuntimeDir() {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    } runtime{"/var/run/dpdk/" + eal_prefix};

    Process rf;
    ASSERT_TRUE(rf.start(lab.in(lab.ns_rf, routefabricd_command(dir.file("rf.yaml"))), dir.file("rf.log")));
    ASSERT_TRUE(wait_until(
        [&] {
            return api({"emulator", "stats"}).find("packets_forwarded") != std::string::npos;
        },
        20s, 200ms))
        << read_file(dir.file("rf.log"));

    if (tap) {
        // The TAP's kernel side moves to the NVA's namespace (it goes down on the way); the PMD keeps its
        // file descriptor, so the emulator's frames now arrive there.
        ASSERT_TRUE(sh("ip -n " + lab.ns_rf + " link set " + lab.tap + " netns " + lab.ns_nva))
            << read_file(dir.file("rf.log"));
        ASSERT_TRUE(sh("ip -n " + lab.ns_nva + " link set " + lab.tap + " up"));
    }
    PacketCounter counter;
    std::string why;
    ASSERT_TRUE(counter.open(lab.ns_nva, nva_if, &why)) << why;

    // FRR bgpd as the NVA: standalone (-Z: no zebra, -n: no kernel routes), no listener (-p 0), its own
    // vty socket directory; `network` with import-check off originates the prefix, eBGP next hop = self.
    const std::string conf = dir.file("bgpd.conf");
    write_file(conf, std::string("frr defaults traditional\nhostname nva1\nlog stdout informational\n!\n") +
                         "router bgp 65001\n bgp router-id " + kNva +
                         "\n no bgp ebgp-requires-policy\n no bgp network import-check\n"
                         " neighbor " +
                         kRs + " remote-as 65515\n neighbor " + kRs + " update-source " + kNva +
                         "\n neighbor " + kRs + " disable-connected-check\n neighbor " + kRs +
                         " timers connect 1\n neighbor " + kRs +
                         " advertisement-interval 0\n"
                         " address-family ipv4 unicast\n  network " +
                         kPrefix + "\n exit-address-family\n!\n");
    std::filesystem::create_directories(dir.file("vty"));
    Process nva;
    ASSERT_TRUE(nva.start(
        lab.in(lab.ns_nva, {frr_bgpd(), "-Z", "-n", "-S", "-p", "0", "-A", "127.0.0.1", "-P", "0", "-f", conf,
                            "-i", dir.file("bgpd.pid"), "--vty_socket", dir.file("vty"), "--log", "stdout"}),
        dir.file("bgpd.log")));
    auto vtysh = [&](const std::string& network_cmd) {
        return run_capture({"/usr/bin/vtysh", "--vty_socket", dir.file("vty"), "-c", "configure terminal",
                            "-c", "router bgp 65001", "-c", "address-family ipv4 unicast", "-c",
                            network_cmd});
    };
    auto logs = [&] {
        return "routefabricd:\n" + read_file(dir.file("rf.log")) + "\nbgpd:\n" +
               read_file(dir.file("bgpd.log"));
    };
    auto nh_packets = [&] {
        return json_number(api({"emulator", "stats"}), std::string("packets_to_") + kNva);
    };
    auto vm_has_route = [&] {
        return api({"vm", "effective-routes", "vm0"}).find(kPrefix) != std::string::npos;
    };
    // Counts over `window` must stay flat (a few in-flight frames may land just after the check began).
    auto flat = [&](std::chrono::milliseconds settle, std::chrono::milliseconds window) {
        std::this_thread::sleep_for(settle);
        const auto c1 = counter.count();
        const auto d1 = nh_packets();
        std::this_thread::sleep_for(window);
        const auto c2 = counter.count();
        const auto d2 = nh_packets();
        std::printf("  NVA received %llu packets for %s in total; none in the last %lld ms\n",
                    static_cast<unsigned long long>(c2), kPrefix, static_cast<long long>(window.count()));
        EXPECT_EQ(c2, c1) << "packets for the withdrawn route still reach the NVA";
        EXPECT_EQ(d2, d1) << "the emulator still sends to the withdrawn next hop";
    };

    // 1. The route arrives: the emulated VMs' traffic for it reaches the NVA with the NVA's own MAC.
    ASSERT_TRUE(wait_until([&] { return counter.count() > 1000; }, 20s, 100ms))
        << "no emulated traffic reached the NVA\n"
        << logs();
    EXPECT_TRUE(vm_has_route());
    {
        const auto c0 = counter.count();
        std::this_thread::sleep_for(300ms);
        EXPECT_GT(counter.count(), c0) << "traffic toward the NVA is not continuous";
    }
    EXPECT_GT(nh_packets(), 0);
    std::printf(
        "  route learned: the NVA received %llu packets on %s (next hop resolved by ARP: destination MAC = "
        "the NVA's); the emulator counts %lld to %s\n",
        static_cast<unsigned long long>(counter.count()), tap ? "the TAP" : "its veth end", nh_packets(),
        kNva);
    const long long measured_before = json_number(api({"emulator", "stats"}), "convergence_measurements");

    // 2. The NVA withdraws the prefix: traffic stops once the hosts have the change; none after publish.
    const std::string out = vtysh(std::string("no network ") + kPrefix);
    EXPECT_EQ(out.find('%'), std::string::npos) << out;  // vtysh reports errors with "%"
    ASSERT_TRUE(wait_until([&] { return !vm_has_route(); }, 10s, 50ms)) << logs();
    std::string stats;
    EXPECT_TRUE(wait_until(
        [&] {
            stats = api({"emulator", "stats"});
            return json_number(stats, "convergence_measurements") > measured_before;
        },
        10s, 100ms))
        << stats;
    std::printf(
        "  withdrawal measured by routefabricd: FIB publish %lld us, first host %lld us, last host %lld us, "
        "to the withdrawn next hop after publish %lld\n",
        json_number(stats, "last_change_fib_publish_us"), json_number(stats, "last_change_first_host_us"),
        json_number(stats, "last_change_last_host_us"),
        json_number(stats, "last_change_to_withdrawn_after_publish"));
    EXPECT_EQ(json_number(stats, "last_change_hosts_converged"), 8) << stats;
    EXPECT_EQ(json_number(stats, "last_change_to_withdrawn_after_publish"), 0) << stats;
    flat(200ms, 500ms);

    // 3. Re-advertised: traffic resumes; then the NVA is stopped by PID (its session closes).
    vtysh(std::string("network ") + kPrefix);
    {
        const auto c0 = counter.count();
        ASSERT_TRUE(wait_until([&] { return counter.count() > c0 + 1000; }, 10s, 100ms))
            << "traffic did not resume after re-advertisement\n"
            << logs();
    }
    // Wait for the re-advertisement's measurement to close, so the session-down withdrawal is measured.
    long long measured = 0;
    EXPECT_TRUE(wait_until(
        [&] {
            stats = api({"emulator", "stats"});
            measured = json_number(stats, "convergence_measurements");
            return measured > measured_before + 1;
        },
        10s, 100ms))
        << stats;
    nva.stop();
    ASSERT_TRUE(wait_until([&] { return !vm_has_route(); }, 10s, 50ms)) << logs();
    // Every host has switched (the measurement closed) before the count must stay flat.
    EXPECT_TRUE(wait_until(
        [&] {
            stats = api({"emulator", "stats"});
            return json_number(stats, "convergence_measurements") > measured;
        },
        10s, 100ms))
        << stats;
    EXPECT_EQ(json_number(stats, "last_change_to_withdrawn_after_publish"), 0) << stats;
    flat(200ms, 500ms);

    rf.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !rf.running(); }, 15s));
    EXPECT_TRUE(WIFEXITED(rf.exit_status()) && WEXITSTATUS(rf.exit_status()) == 0) << logs();
}

TEST(LabBgp, FrrNvaRouteCarriesEmulatedTrafficOverAfPacketUntilWithdrawn) {
    run_lab_bgp(NvaPort::AfPacket);
}

TEST(LabBgp, FrrNvaRouteCarriesEmulatedTrafficOverNetTapUntilWithdrawn) {
    run_lab_bgp(NvaPort::Tap);
}

}  // namespace
}  // namespace rf::testing
