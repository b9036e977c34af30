// Network-namespace fixtures for the lab tests (tests/dataplane/lab_*_test.cpp, and any test that needs a
// real Linux link): each fixture creates what it names in its constructor, says in `ok` / `why` whether
// that worked (the test then skips with the reason: no root, no namespaces, no TAP), and removes it in its
// destructor. Names carry the process id, so parallel test processes never collide. Header-only.
//
//   VethNamespace   a namespace holding the far end of a veth pair; the near end stays in the caller's
//                   namespace (where DPDK's net_af_packet binds to it)
//   NvaLink         two namespaces, the route server's and an NVA's, joined by a veth pair
//   EnteredNamespace  a fresh namespace the calling thread enters and leaves again (a TAP device that
//                   EAL creates meanwhile lives there)
//   in_namespace    runs a function on a thread inside a namespace
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rf::testing {

// Runs a shell command, its output discarded; true on exit status 0.
inline bool run_shell(const std::string& cmd) {
    return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

// A shell command's standard output, trailing newlines and blanks removed.
inline std::string shell_output(const std::string& cmd) {
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

// Runs `fn` on a thread that has entered namespace `ns` (a name under /var/run/netns); false when the
// namespace cannot be entered (then `fn` does not run).
template <class Fn>
bool in_namespace(const std::string& ns, Fn fn) {
    bool entered = false;
    std::thread t([&] {
        const int self = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        const int target = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
        if (self >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0) {
            entered = true;
            fn();
            ::setns(self, CLONE_NEWNET);
        }
        if (self >= 0)
            ::close(self);
        if (target >= 0)
            ::close(target);
    });
    t.join();
    return entered;
}

// An address for one end of a link.
struct InterfaceAddress {
    std::string cidr;       // "10.1.1.4/24", or IPv6 "fd00:1:1::4/64" (added without DAD: usable at once)
    bool loopback = false;  // on lo instead of the link's end
};

namespace detail {
inline std::string add_address(const std::string& ns, const std::string& ifname, const InterfaceAddress& a) {
    const bool v6 = a.cidr.find(':') != std::string::npos;
    return "ip -n " + ns + (v6 ? " -6" : "") + " addr add " + a.cidr + " dev " +
           (a.loopback ? "lo" : ifname) + (v6 ? " nodad" : "");
}
inline bool have_root(std::string& why) {
    if (::geteuid() == 0)
        return true;
    why = "needs root (CAP_NET_ADMIN) to create network namespaces";
    return false;
}
}  // namespace detail

// Namespace `ns` with the far end `far` of a veth pair (with `far_addresses`, up, and lo up); the near
// end `near` stays in the caller's namespace, up. Named <tag><pid>, <tag>a<pid>, <tag>b<pid>.
struct VethNamespace {
    std::string ns, near, far;
    bool ok = false;
    std::string why;

    VethNamespace(const std::string& tag, const std::vector<InterfaceAddress>& far_addresses) {
        const std::string id = std::to_string(::getpid());
        ns = tag + id;
        near = tag + "a" + id;
        far = tag + "b" + id;
        if (!detail::have_root(why))
            return;
        if (!run_shell("ip netns add " + ns)) {
            why = "ip netns add failed";
            return;
        }
        ok = run_shell("ip link add " + near + " type veth peer name " + far) &&
             run_shell("ip link set " + far + " netns " + ns);
        for (const InterfaceAddress& a : far_addresses)
            ok = ok && run_shell(detail::add_address(ns, far, a));
        ok = ok && run_shell("ip -n " + ns + " link set " + far + " up") &&
             run_shell("ip -n " + ns + " link set lo up") && run_shell("ip link set " + near + " up");
        if (!ok)
            why = "veth set-up failed";
    }
    ~VethNamespace() {
        run_shell("ip link del " + near);  // also removes the peer
        run_shell("ip netns del " + ns);
    }
    VethNamespace(const VethNamespace&) = delete;
    VethNamespace& operator=(const VethNamespace&) = delete;

    // A file of the far end's /sys/class/net directory ("address", "statistics/rx_packets").
    [[nodiscard]] std::string far_sys(const std::string& file) const {
        return shell_output("ip netns exec " + ns + " cat /sys/class/net/" + far + "/" + file);
    }
    [[nodiscard]] std::uint64_t far_rx_packets() const {
        return std::stoull("0" + far_sys("statistics/rx_packets"));
    }
};

// Namespaces `ns_rf` (the route server's side) and `ns_nva` (an NVA's) joined by a veth pair `if_rf` -
// `if_nva`, each end with its addresses, everything up. Named <tag>r<pid> and <tag>n<pid>, both for the
// namespace and its end of the pair.
struct NvaLink {
    std::string id = std::to_string(::getpid());
    std::string ns_rf, ns_nva, if_rf, if_nva;
    bool ok = false;
    std::string why;

    NvaLink(const std::string& tag, const std::vector<InterfaceAddress>& rf_addresses,
            const std::vector<InterfaceAddress>& nva_addresses)
        : ns_rf(tag + "r" + id), ns_nva(tag + "n" + id), if_rf(ns_rf), if_nva(ns_nva) {
        if (!detail::have_root(why))
            return;
        if (!run_shell("ip netns add " + ns_rf)) {
            why = "ip netns add failed (no iproute2 or no network namespace support?)";
            return;
        }
        ok = run_shell("ip netns add " + ns_nva) &&
             run_shell("ip -n " + ns_rf + " link add " + if_rf + " type veth peer name " + if_nva +
                       " netns " + ns_nva);
        for (const InterfaceAddress& a : rf_addresses)
            ok = ok && run_shell(detail::add_address(ns_rf, if_rf, a));
        for (const InterfaceAddress& a : nva_addresses)
            ok = ok && run_shell(detail::add_address(ns_nva, if_nva, a));
        ok = ok && run_shell("ip -n " + ns_rf + " link set lo up") &&
             run_shell("ip -n " + ns_nva + " link set lo up") &&
             run_shell("ip -n " + ns_rf + " link set " + if_rf + " up") &&
             run_shell("ip -n " + ns_nva + " link set " + if_nva + " up");
        if (!ok)
            why = "veth set-up between two namespaces failed";
    }
    ~NvaLink() {
        run_shell("ip netns del " + ns_rf);  // deleting a namespace removes its veth end and the peer
        run_shell("ip netns del " + ns_nva);
    }
    NvaLink(const NvaLink&) = delete;
    NvaLink& operator=(const NvaLink&) = delete;
};

// A fresh namespace <tag><pid> that the calling thread enters for the fixture's life.
struct EnteredNamespace {
    std::string ns;
    int home = -1;
    bool ok = false;
    std::string why;

    explicit EnteredNamespace(const std::string& tag) : ns(tag + std::to_string(::getpid())) {
        if (!detail::have_root(why))
            return;
        if (!run_shell("ip netns add " + ns)) {
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
    ~EnteredNamespace() {
        if (home >= 0) {
            ::setns(home, CLONE_NEWNET);
            ::close(home);
        }
        run_shell("ip netns del " + ns);
    }
    EnteredNamespace(const EnteredNamespace&) = delete;
    EnteredNamespace& operator=(const EnteredNamespace&) = delete;
};

}  // namespace rf::testing
