// rf-emulator: the DPDK host-forwarding emulator against the FIB (or, with --source lpm, a stand-alone
// rte_lpm source), with a test route producer that injects route changes at T0 and prints the
// convergence report of every scenario.
//
//   rf-emulator [options] [-- <EAL arguments> | --eal "<EAL arguments>"]
//
// Without EAL arguments it runs with no hugepages, no PCI and virtual ports (net_null) — any machine.
#include <arpa/inet.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/eal.hpp"
#include "dataplane/emulator.hpp"
#include "dataplane/route_producer.hpp"
#ifdef RF_DATAPLANE_HAVE_FIB
#include "dataplane/fib_route_source.hpp"
#endif

using namespace rf::dataplane;

namespace {

struct Options {
    std::uint32_t vms = 6000;
    std::uint32_t vms_per_host = 16;
    unsigned workers = 1;
    std::uint32_t routes = 1000;
    std::uint32_t ecmp = 2;
    std::uint32_t flows_per_vm = 8;
    std::uint32_t routes6 = 0;        // IPv6 BGP routes (/48s from 2001:db8::, ECMP over fd00:1:1::4 ...)
    std::uint32_t flows6_per_vm = 0;  // IPv6 flows per VM toward them
    unsigned burst = 32;
    unsigned pass_target_us = 400;
    bool repoint_groups = true;
    bool next_hop_down = false;  // peer-down scenarios send the RIB's next-hop-down hint first
    unsigned memory_mb = 0;      // 0 = sized from the run
    std::string source =
#ifdef RF_DATAPLANE_HAVE_FIB
        "fib";
#else
        "lpm";
#endif
    std::vector<std::string> scenarios{"rate", "prefix", "bulk", "peer-down", "churn"};
    bool scenarios_given = false;  // else the IPv6 scenarios join the default list when --routes6 > 0
    double rate_seconds = 2.0;
    std::uint32_t bulk = 1000;
    std::vector<std::uint32_t> churn_rates{1000, 10000};
    double churn_seconds = 2.0;
    std::string lab_iface;              // lab mode: net_af_packet on this Linux interface
    bool lab_tap = false;               // lab mode: net_tap creating the TAP interface lab_iface instead
    std::uint32_t lab_ip = 0x0A01010A;  // 10.1.1.10
    Ipv6Bytes lab_ip6{};                // none: the interface's link-local (af_packet) or DAD-style NS
    bool memory_only = false;
    unsigned repeat = 1;  // runs of each single-change scenario
    bool quiet = false;
    int nice = 0;  // applied to every thread (EAL lcores and the FIB writer inherit it)
};

void usage() {
    std::puts(
        "usage: rf-emulator [options] [-- EAL args | --eal \"EAL args\"]\n"
        "  --vms N                VMs (default 6000)\n"
        "  --vms-per-host N       VMs per emulated host (default 16)\n"
        "  --workers N            worker lcores (default 1)\n"
        "  --routes N             BGP routes (default 1000), /24s from 20.0.0.0\n"
        "  --ecmp N               NVAs in the initial ECMP set (default 2: 10.1.1.4, 10.1.1.5)\n"
        "  --flows-per-vm N       (default 8)\n"
        "  --routes6 N            IPv6 BGP routes, /48s from 2001:db8:: (default 0; FIB source only)\n"
        "  --flows6-per-vm N      IPv6 flows per VM toward them (default 0)\n"
        "  --burst N              packets per host burst (default 32; the maximum with a pass-time target)\n"
        "  --pass-target-us N     workers scale their burst so one pass over their hosts takes about N us\n"
        "                         (default 400; 0 = fixed bursts)\n"
        "  --no-repoint           FIB source: apply whole-group moves prefix by prefix (no in-place group\n"
        "                         repoint, i.e. no prefix-independent convergence) to measure what it saves\n"
        "  --next-hop-down        FIB source: peer-down and peer-down6 first give the FIB the control\n"
        "                         plane's next-hop-down hint (BGP PIC edge, as routefabricd's RIB does on a\n"
        "                         session loss), then the withdrawal batch\n"
        "  --source fib|lpm       route source (default fib when built with the FIB)\n"
        "  --scenarios a,b,...    rate,prefix,bulk,peer-down,churn and, with --routes6, prefix6,bulk6,\n"
        "                         peer-down6 (the same changes on the IPv6 routes; default all)\n"
        "  --rate-seconds S       forwarding-rate measurement time (default 2)\n"
        "  --bulk N               prefixes in the bulk change (default 1000)\n"
        "  --churn-rates a,b      changes/s (default 1000,10000)\n"
        "  --churn-seconds S      per churn rate (default 2)\n"
        "  --repeat N             runs of each single-change scenario, with a summary (default 1)\n"
        "  --memory               set up, print memory, exit\n"
        "  --lab IFACE            lab mode: NVA port = net_af_packet on IFACE, ARP resolution\n"
        "  --lab-tap IFACE        lab mode: NVA port = net_tap creating the TAP interface IFACE (its kernel\n"
        "                         side is the link partner)\n"
        "  --lab-ip A.B.C.D       our address on the lab link (default 10.1.1.10)\n"
        "  --lab-ip6 ADDR         our IPv6 address on the lab link (NDP; default: the interface's "
        "link-local\n"
        "                         address with --lab, NS from the unspecified address with --lab-tap)\n"
        "  --mem MB               EAL memory (-m) without hugepages\n"
        "  --nice N               scheduling priority of every thread of the process (-20..19; below 0 "
        "needs\n"
        "                         CAP_SYS_NICE): on a shared machine the worker then rarely waits for a "
        "CPU\n");
}

std::uint32_t parse_ip(const std::string& s) {
    unsigned a, b, c, d;
    if (std::sscanf(s.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
        return 0;
    return (a << 24) | (b << 16) | (c << 8) | d;
}

std::string ip_str(std::uint32_t ip) {
    return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
           std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        const auto next = s.find(sep, pos);
        out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
        if (next == std::string::npos)
            break;
        pos = next + 1;
    }
    return out;
}

bool parse(const std::vector<std::string>& args, Options& o) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= args.size()) {
                std::fprintf(stderr, "%s needs a value\n", a.c_str());
                std::exit(2);
            }
            return args[++i];
        };
        auto num = [&]() { return static_cast<std::uint32_t>(std::stoul(next())); };
        if (a == "--vms")
            o.vms = num();
        else if (a == "--vms-per-host")
            o.vms_per_host = std::max(1U, num());
        else if (a == "--workers")
            o.workers = std::max(1U, num());
        else if (a == "--routes")
            o.routes = std::max(1U, num());
        else if (a == "--ecmp")
            o.ecmp = std::clamp(num(), 1U, 64U);
        else if (a == "--flows-per-vm")
            o.flows_per_vm = std::max(1U, num());
        else if (a == "--routes6")
            o.routes6 = num();
        else if (a == "--flows6-per-vm")
            o.flows6_per_vm = num();
        else if (a == "--burst")
            o.burst = std::clamp(num(), 1U, 64U);
        else if (a == "--pass-target-us")
            o.pass_target_us = num();
        else if (a == "--source")
            o.source = next();
        else if (a == "--no-repoint")
            o.repoint_groups = false;
        else if (a == "--next-hop-down")
            o.next_hop_down = true;
        else if (a == "--scenarios") {
            o.scenarios = split(next(), ',');
            o.scenarios_given = true;
        } else if (a == "--rate-seconds")
            o.rate_seconds = std::stod(next());
        else if (a == "--bulk")
            o.bulk = num();
        else if (a == "--churn-rates") {
            o.churn_rates.clear();
            for (const auto& r : split(next(), ','))
                o.churn_rates.push_back(static_cast<std::uint32_t>(std::stoul(r)));
        } else if (a == "--churn-seconds")
            o.churn_seconds = std::stod(next());
        else if (a == "--memory")
            o.memory_only = true;
        else if (a == "--lab")
            o.lab_iface = next();
        else if (a == "--lab-tap") {
            o.lab_iface = next();
            o.lab_tap = true;
        } else if (a == "--lab-ip")
            o.lab_ip = parse_ip(next());
        else if (a == "--lab-ip6") {
            const std::string v = next();
            if (::inet_pton(AF_INET6, v.c_str(), o.lab_ip6.data()) != 1) {
                std::fprintf(stderr, "--lab-ip6: not an IPv6 address: %s\n", v.c_str());
                return false;
            }
        } else if (a == "--mem")
            o.memory_mb = num();
        else if (a == "--quiet")
            o.quiet = true;
        else if (a == "--nice")
            o.nice = std::stoi(next());
        else if (a == "--repeat")
            o.repeat = std::max(1U, num());
        else if (a == "-h" || a == "--help") {
            usage();
            std::exit(0);
        } else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            usage();
            return false;
        }
    }
    return true;
}

// /proc/self/autogroup: "/autogroup-N nice V"; writing a number sets the group's nice.
struct AutogroupNice {
    bool changed = false;
    int old = 0;
    void set(int nice) {
        std::ifstream in("/proc/self/autogroup");
        std::string group, word;
        if (!(in >> group >> word >> old))
            return;
        std::ofstream out("/proc/self/autogroup");
        out << nice << std::flush;
        changed = static_cast<bool>(out);
    }
    ~AutogroupNice() {
        if (changed)
            std::ofstream("/proc/self/autogroup") << old << std::flush;
    }
};

long rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    return -1;
}

double tsc_us(std::uint64_t ticks) {
    return static_cast<double>(ticks) * 1e6 / static_cast<double>(rte_get_tsc_hz());
}

struct Lab {
    Options& o;
    RouteProducer& producer;
    Emulator& emu;
    std::vector<std::uint32_t> nvas;     // initial ECMP set
    std::vector<Ipv6Bytes> nvas6;        // the IPv6 routes' initial ECMP set (fd00:1:1::4, ...)
    std::uint32_t new_nva = 0x0A010164;  // 10.1.1.100: the next hop of moved prefixes
    Ipv6Bytes new_nva6 = nva6(0x64);     // fd00:1:1::64 for moved IPv6 prefixes

    static std::uint32_t route_prefix(std::uint32_t i) { return 0x14000000U + (i << 8); }  // 20.x.y.0/24
    static Ipv6Bytes route_prefix6(std::uint32_t i) {                                      // 2001:db8:i::/48
        return Ipv6Bytes{
            0x20, 0x01, 0x0d, 0xb8, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
    }
    static Ipv6Bytes nva6(std::uint8_t host) {  // fd00:1:1::<host>
        Ipv6Bytes a{0xfd, 0x00, 0x00, 0x01, 0x00, 0x01};
        a[15] = host;
        return a;
    }

    // Injects (retrying on back-pressure, bounded) and waits until visible; returns the visible tsc.
    std::uint64_t inject_and_publish(const std::vector<RouteUpdate>& batch,
                                     std::uint64_t* ticket_out = nullptr) {
        std::uint64_t ticket = 0;
        for (int tries = 0; tries < 100000 && (ticket = producer.inject(batch)) == 0; ++tries)
            std::this_thread::yield();
        if (ticket_out)
            *ticket_out = ticket;
        const std::uint64_t deadline = rte_rdtsc() + 5 * rte_get_tsc_hz();
        // Yield rather than spin: the FIB's writer thread may share this CPU.
        while (!producer.visible(ticket)) {
            if (rte_rdtsc() > deadline)
                return 0;
            std::this_thread::yield();
        }
        const std::uint64_t t = rte_rdtsc();
        producer.housekeeping();
        return t;
    }

    ProbeSpec spec_for(const std::string& name, const std::vector<std::uint32_t>& idx,
                       std::vector<std::uint32_t> include, std::vector<std::uint32_t> exclude,
                       bool all_affected) {
        ProbeSpec s;
        s.name = name;
        for (std::uint32_t i : idx) {
            s.probe_addrs.push_back(route_prefix(i) + 1);
            if (!all_affected)
                s.affected.emplace_back(route_prefix(i), route_prefix(i) + 255);
        }
        s.include = std::move(include);
        s.exclude = std::move(exclude);
        return s;
    }

    ProbeSpec spec_for6(const std::string& name, const std::vector<std::uint32_t>& idx,
                        std::vector<Ipv6Bytes> include, std::vector<Ipv6Bytes> exclude, bool all_affected) {
        ProbeSpec s;
        s.name = name;
        for (std::uint32_t i : idx) {
            Ipv6Bytes probe = route_prefix6(i), last = route_prefix6(i);
            probe[15] = 1;
            std::fill(last.begin() + 6, last.end(), 0xFF);  // the /48's last address
            s.probe_addrs6.push_back(probe);
            if (!all_affected)
                s.affected6.emplace_back(route_prefix6(i), last);
        }
        s.include6 = std::move(include);
        s.exclude6 = std::move(exclude);
        return s;
    }

    ConvergenceReport measure(ProbeSpec spec, const std::vector<RouteUpdate>& change) {
        return measure_with(std::move(spec), [&] { return producer.inject(change); });
    }
    ConvergenceReport measure6(ProbeSpec spec, const std::vector<RouteUpdate6>& change) {
        return measure_with(std::move(spec), [&] { return producer.inject6(change); });
    }

    template <class Inject>
    ConvergenceReport measure_with(ProbeSpec spec, Inject inject) {
        ConvergenceProbe& probe = emu.probe();
        // T0 is the change handed to the FIB, taken after arming: the probe's own set-up is not part of
        // what is measured.
        ConvergenceProbe::Run& run = probe.arm(std::move(spec), 0);
        run.t0_tsc = rte_rdtsc();  // read only by report(), on this thread
        std::uint64_t ticket = 0;
        for (int tries = 0; tries < 100000 && (ticket = inject()) == 0; ++tries)
            std::this_thread::yield();
        producer.watch_visibility(probe, ticket);  // the writer reports the visible instant
        probe.wait(5.0);
        if (const std::uint64_t deadline = rte_rdtsc() + rte_get_tsc_hz(); !producer.visible(ticket))
            while (!producer.visible(ticket) && rte_rdtsc() < deadline)
                std::this_thread::sleep_for(std::chrono::microseconds(100));
        producer.housekeeping();
        const auto rep = probe.report(static_cast<double>(rte_get_tsc_hz()));
        return rep;
    }

    std::vector<RouteUpdate> set_routes(const std::vector<std::uint32_t>& idx,
                                        const std::vector<std::uint32_t>& nhs) {
        std::vector<RouteUpdate> b;
        for (std::uint32_t i : idx)
            b.push_back(RouteUpdate{route_prefix(i), 24, nhs});
        return b;
    }
    std::vector<RouteUpdate6> set_routes6(const std::vector<std::uint32_t>& idx,
                                          const std::vector<Ipv6Bytes>& nhs) {
        std::vector<RouteUpdate6> b;
        for (std::uint32_t i : idx)
            b.push_back(RouteUpdate6{route_prefix6(i), 48, nhs});
        return b;
    }
    // Restores IPv6 routes (retrying on back-pressure, bounded) and waits until visible.
    void restore6(const std::vector<RouteUpdate6>& batch) {
        std::uint64_t ticket = 0;
        for (int tries = 0; tries < 100000 && (ticket = producer.inject6(batch)) == 0; ++tries)
            std::this_thread::yield();
        const std::uint64_t deadline = rte_rdtsc() + 5 * rte_get_tsc_hz();
        while (ticket != 0 && !producer.visible(ticket) && rte_rdtsc() < deadline)
            std::this_thread::yield();
        producer.housekeeping();
    }

    void settle() {
        probe_disarm();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    void probe_disarm() { emu.probe().disarm(); }
};

std::vector<ConvergenceReport> g_reports;  // of the scenario being repeated

void print_report(const ConvergenceReport& r) {
    std::printf("  %s\n", r.to_string().c_str());
    g_reports.push_back(r);
}

// Medians over the runs of one scenario (and the worst last-host time and the misrouting totals).
void print_summary() {
    if (g_reports.size() < 2) {
        g_reports.clear();
        return;
    }
    std::vector<double> pub, first, med, p99, last;
    std::uint64_t to_withdrawn = 0, after = 0, lost = 0, unconverged = 0;
    for (const auto& r : g_reports) {
        pub.push_back(r.publish_us);
        first.push_back(r.first_us);
        med.push_back(r.median_us);
        p99.push_back(r.p99_us);
        last.push_back(r.last_us);
        to_withdrawn += r.to_withdrawn;
        after += r.to_withdrawn_after_publish;
        lost += r.lost;
        unconverged += r.hosts - r.converged;
    }
    for (auto* v : {&pub, &first, &med, &p99, &last})
        std::sort(v->begin(), v->end());
    std::printf(
        "  summary of %zu runs (medians): publish %.1f us; first %.1f us, median %.1f us, p99 %.1f us, last "
        "%.1f us "
        "(worst last %.1f us); totals: to withdrawn %llu (after publish %llu), lost %llu, unconverged hosts "
        "%llu\n",
        g_reports.size(), percentile_sorted(pub, 50), percentile_sorted(first, 50),
        percentile_sorted(med, 50), percentile_sorted(p99, 50), percentile_sorted(last, 50), last.back(),
        static_cast<unsigned long long>(to_withdrawn), static_cast<unsigned long long>(after),
        static_cast<unsigned long long>(lost), static_cast<unsigned long long>(unconverged));
    g_reports.clear();
}

void run_rate(Lab& lab, const Options& o) {
    const auto before = lab.emu.totals();
    const std::uint64_t gen0 = lab.emu.generated();
    const std::uint64_t cpu0 = lab.emu.worker_cpu_ns();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(o.rate_seconds));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto after = lab.emu.totals();
    const double gen = static_cast<double>(lab.emu.generated() - gen0);
    const double fwd = static_cast<double>(after.tx - before.tx);
    const double cpu = static_cast<double>(lab.emu.worker_cpu_ns() - cpu0) / 1e9;
    std::printf(
        "rate: %u worker(s), %.2f s wall, %.2f s worker CPU: forwarded %.2f Mpps wall-clock total; "
        "per worker core %.2f Mpps (%.1f ns/packet incl. generation); drops no-route %llu none %llu "
        "unresolved %llu\n",
        o.workers, secs, cpu, fwd / secs / 1e6, cpu > 0 ? gen / cpu / 1e6 : 0.0,
        gen > 0 ? cpu * 1e9 / gen : 0.0,
        static_cast<unsigned long long>(after.drop_no_route - before.drop_no_route),
        static_cast<unsigned long long>(after.drop_none - before.drop_none),
        static_cast<unsigned long long>(after.drop_unresolved - before.drop_unresolved));
}

std::vector<std::uint32_t> range_idx(std::uint32_t first, std::uint32_t n) {
    std::vector<std::uint32_t> v(n);
    for (std::uint32_t i = 0; i < n; ++i)
        v[i] = first + i;
    return v;
}

void run_prefix(Lab& lab) {
    const std::vector<std::uint32_t> idx{0};
    auto r = lab.measure(lab.spec_for("single-prefix move {A,B}->{C}", idx, {lab.new_nva}, lab.nvas, false),
                         lab.set_routes(idx, {lab.new_nva}));
    print_report(r);
    lab.settle();
    lab.inject_and_publish(lab.set_routes(idx, lab.nvas));
    lab.settle();
}

void run_bulk(Lab& lab, const Options& o) {
    const auto idx = range_idx(0, std::min(o.bulk, o.routes));
    auto r = lab.measure(lab.spec_for(std::to_string(idx.size()) + "-prefix move {A,B}->{C}", idx,
                                      {lab.new_nva}, lab.nvas, false),
                         lab.set_routes(idx, {lab.new_nva}));
    print_report(r);
    lab.settle();
    lab.inject_and_publish(lab.set_routes(idx, lab.nvas));
    lab.settle();
}

void run_peer_down(Lab& lab, const Options& o) {
    if (lab.nvas.size() < 2) {
        std::puts("  peer-down: needs --ecmp >= 2");
        return;
    }
    const auto idx = range_idx(0, o.routes);
    std::vector<std::uint32_t> survivors(lab.nvas.begin() + 1, lab.nvas.end());
    const auto change = lab.set_routes(idx, survivors);
    auto spec = lab.spec_for(
        "peer-down of ECMP member " + ip_str(lab.nvas[0]) + (o.next_hop_down ? " (hint first)" : ""), idx,
        survivors, {lab.nvas[0]}, true);
    bool hinted = !o.next_hop_down;
    auto r = lab.measure_with(std::move(spec), [&] {
        if (!hinted) {
            hinted = true;
            const std::uint32_t dead = lab.nvas[0];
            lab.producer.next_hops_down({&dead, 1}, {}, lab.emu.probe());
        }
        return lab.producer.inject(change);
    });
    print_report(r);
    lab.settle();
    lab.inject_and_publish(lab.set_routes(idx, lab.nvas));
    lab.settle();
}

std::string ip6_str(const Ipv6Bytes& a) {
    char buf[INET6_ADDRSTRLEN];
    return ::inet_ntop(AF_INET6, a.data(), buf, sizeof buf) != nullptr ? buf : "?";
}

// The IPv6 counterparts of prefix, bulk and peer-down: 2001:db8:i::/48 routes over fd00:1:1::4, ::5, ...
bool have_routes6(const Lab& lab, const Options& o, const char* scenario) {
    if (o.routes6 != 0 && !lab.nvas6.empty())
        return true;
    std::printf("  %s: needs --routes6 N (IPv6 routes)\n", scenario);
    return false;
}

void run_prefix6(Lab& lab, const Options& o) {
    if (!have_routes6(lab, o, "prefix6"))
        return;
    const std::vector<std::uint32_t> idx{0};
    auto r = lab.measure6(
        lab.spec_for6("IPv6 single-prefix move {A,B}->{C}", idx, {lab.new_nva6}, lab.nvas6, false),
        lab.set_routes6(idx, {lab.new_nva6}));
    print_report(r);
    lab.settle();
    lab.restore6(lab.set_routes6(idx, lab.nvas6));
    lab.settle();
}

void run_bulk6(Lab& lab, const Options& o) {
    if (!have_routes6(lab, o, "bulk6"))
        return;
    const auto idx = range_idx(0, std::min(o.bulk, o.routes6));
    auto r = lab.measure6(lab.spec_for6("IPv6 " + std::to_string(idx.size()) + "-prefix move {A,B}->{C}", idx,
                                        {lab.new_nva6}, lab.nvas6, false),
                          lab.set_routes6(idx, {lab.new_nva6}));
    print_report(r);
    lab.settle();
    lab.restore6(lab.set_routes6(idx, lab.nvas6));
    lab.settle();
}

void run_peer_down6(Lab& lab, const Options& o) {
    if (!have_routes6(lab, o, "peer-down6"))
        return;
    if (lab.nvas6.size() < 2) {
        std::puts("  peer-down6: needs --ecmp >= 2");
        return;
    }
    const auto idx = range_idx(0, o.routes6);
    std::vector<Ipv6Bytes> survivors(lab.nvas6.begin() + 1, lab.nvas6.end());
    const auto change = lab.set_routes6(idx, survivors);
    auto spec = lab.spec_for6(
        "IPv6 peer-down of ECMP member " + ip6_str(lab.nvas6[0]) + (o.next_hop_down ? " (hint first)" : ""),
        idx, survivors, {lab.nvas6[0]}, true);
    bool hinted = !o.next_hop_down;
    auto r = lab.measure_with(std::move(spec), [&] {
        if (!hinted) {
            hinted = true;
            const Ipv6Bytes dead = lab.nvas6[0];
            lab.producer.next_hops_down({}, {&dead, 1}, lab.emu.probe());
        }
        return lab.producer.inject6(change);
    });
    print_report(r);
    lab.settle();
    lab.restore6(lab.set_routes6(idx, lab.nvas6));
    lab.settle();
}

// Sustained churn at `rate` changes/s over every route but the probe prefix (route 0); every 100 ms a
// probed change moves route 0 between {A,B} and {C} in the middle of the churn.
void run_churn(Lab& lab, const Options& o, std::uint32_t rate) {
    if (o.routes < 2)
        return;
    const std::uint64_t hz = rte_get_tsc_hz();
    const std::uint64_t start = rte_rdtsc();
    const std::uint64_t end = start + static_cast<std::uint64_t>(o.churn_seconds * static_cast<double>(hz));
    std::vector<std::uint8_t> moved(o.routes, 0);
    std::uint32_t cursor = 1;
    std::uint64_t changes = 0, refused = 0, tick = 0;
    double owed = 0;
    std::vector<ConvergenceReport> reports;
    bool probe_on_c = false;
    bool probing = false;
    std::uint64_t probe_ticket = 0, last_probe = start;
    ConvergenceProbe& probe = lab.emu.probe();
    const std::uint64_t tick_len = hz / 1000;
    while (rte_rdtsc() < end) {
        const std::uint64_t now = rte_rdtsc();
        // Churn batch for this millisecond.
        owed += static_cast<double>(rate) / 1000.0;
        std::vector<RouteUpdate> batch;
        while (owed >= 1.0) {
            owed -= 1.0;
            const std::uint32_t i = cursor;
            cursor = cursor + 1 >= o.routes ? 1 : cursor + 1;
            moved[i] ^= 1;
            batch.push_back(RouteUpdate{Lab::route_prefix(i), 24,
                                        moved[i] ? std::vector<std::uint32_t>{lab.new_nva} : lab.nvas});
        }
        if (!probing && now - last_probe > hz / 10) {
            probe_on_c = !probe_on_c;
            std::vector<std::uint32_t> include =
                probe_on_c ? std::vector<std::uint32_t>{lab.new_nva} : lab.nvas;
            std::vector<std::uint32_t> exclude =
                probe_on_c ? lab.nvas : std::vector<std::uint32_t>{lab.new_nva};
            probe.arm(lab.spec_for("churn probe", {0}, include, exclude, false), rte_rdtsc());
            batch.insert(batch.begin(), RouteUpdate{Lab::route_prefix(0), 24, include});
            probing = true;
            probe_ticket = 0;
            last_probe = now;
        }
        if (!batch.empty()) {
            const std::uint64_t t = lab.producer.inject(batch);
            if (t == 0) {
                ++refused;
                if (probing && probe_ticket == 0) {  // the probed change was refused with its batch
                    probe.disarm();
                    probing = false;
                }
            } else {
                changes += batch.size();
                if (probing && probe_ticket == 0) {
                    probe_ticket = t;
                    lab.producer.watch_visibility(probe, t);  // the FIB writer reports the visible instant
                }
            }
        }
        if (probing && probe_ticket != 0 && (probe.all_converged() || now - last_probe > hz)) {
            reports.push_back(probe.report(static_cast<double>(hz)));
            probing = false;
        }
        lab.producer.housekeeping();
        ++tick;
        // Sleep to the next tick rather than spin: this thread shares its CPU with the FIB writer.
        const std::uint64_t next = start + tick * tick_len, cur = rte_rdtsc();
        if (next > cur)
            std::this_thread::sleep_for(std::chrono::nanoseconds((next - cur) * 1000000000ULL / hz));
    }
    probe.disarm();
    const double secs = tsc_us(rte_rdtsc() - start) / 1e6;
    std::vector<double> last, p99, pub, first, median, pickup;
    std::uint64_t after_publish = 0, to_withdrawn = 0, lost = 0, unconverged = 0;
    for (const auto& r : reports) {
        if (!o.quiet)
            std::printf("    %s\n", r.to_string().c_str());
        last.push_back(r.last_us);
        p99.push_back(r.p99_us);
        pub.push_back(r.publish_us);
        first.push_back(r.first_us);
        median.push_back(r.median_us);
        pickup.push_back(r.last_us - r.publish_us);  // publish → last host
        after_publish += r.to_withdrawn_after_publish;
        to_withdrawn += r.to_withdrawn;
        lost += r.lost;
        unconverged += r.hosts - r.converged;
    }
    for (auto* v : {&last, &p99, &pub, &first, &median, &pickup})
        std::sort(v->begin(), v->end());
    std::printf(
        "  churn %u changes/s: applied %.0f changes/s over %.1f s (refused batches %llu); %zu probed "
        "changes: "
        "publish median %.1f us max %.1f us; first-host median %.1f us; host median %.1f us; host p99 median "
        "%.1f us; last-host median %.1f us p90 %.1f us max %.1f us; publish->last host median %.1f us; "
        "unconverged host-probes %llu; to withdrawn next hop %llu (after publish %llu), lost %llu\n",
        rate, static_cast<double>(changes) / secs, secs, static_cast<unsigned long long>(refused),
        reports.size(), percentile_sorted(pub, 50), pub.empty() ? 0.0 : pub.back(),
        percentile_sorted(first, 50), percentile_sorted(median, 50), percentile_sorted(p99, 50),
        percentile_sorted(last, 50), percentile_sorted(last, 90), last.empty() ? 0.0 : last.back(),
        percentile_sorted(pickup, 50), static_cast<unsigned long long>(unconverged),
        static_cast<unsigned long long>(to_withdrawn), static_cast<unsigned long long>(after_publish),
        static_cast<unsigned long long>(lost));
    // Restore every route to the initial set.
    std::vector<std::uint32_t> all;
    for (std::uint32_t i = 0; i < o.routes; ++i)
        if (moved[i] || i == 0)
            all.push_back(i);
    lab.inject_and_publish(lab.set_routes(all, lab.nvas));
    lab.settle();
}

}  // namespace

int main(int argc, char** argv) {
    std::string error;
    auto cl = split_command_line(argc, argv, &error);
    if (!cl) {
        std::fprintf(stderr, "rf-emulator: %s\n", error.c_str());
        return 2;
    }
    Options o;
    if (!parse(cl->app, o))
        return 2;

    // --nice: the threads' own priority (later threads inherit it) and, where the kernel groups tasks per
    // session (autogroup: nice then only ranks threads within the group), the group's weight too; the
    // group's old value is restored at exit.
    AutogroupNice autogroup;
    if (o.nice != 0) {
        if (::setpriority(PRIO_PROCESS, 0, o.nice) != 0) {
            std::fprintf(stderr, "rf-emulator: setpriority(%d): %s\n", o.nice, std::strerror(errno));
            return 1;
        }
        autogroup.set(o.nice);
    }
    EalConfig eal;
    eal.lcores = o.workers + 1;
    // Memory: the FIB's tables (2 × 64 MiB DIR-24-8 per table), mbufs, and headroom.
    eal.memory_mb = o.memory_mb != 0 ? o.memory_mb : 1024 + (o.vms > 32000 ? 512 : 0);
    eal.passthrough = cl->eal;
    const unsigned queues = o.workers + 1;
    if (!o.lab_iface.empty()) {
        eal.vdevs.push_back(o.lab_tap ? "net_tap0,iface=" + o.lab_iface
                                      : "net_af_packet0,iface=" + o.lab_iface +
                                            ",qpairs=" + std::to_string(queues));
    } else {
        eal.vdevs.push_back("net_null0");
    }
    eal.vdevs.push_back("net_null1");
    if (!eal_init(eal, &error)) {
        std::fprintf(stderr, "rf-emulator: %s\n", error.c_str());
        return 1;
    }

    if (o.next_hop_down && o.source != "fib") {
        std::fprintf(stderr, "rf-emulator: --next-hop-down needs --source fib\n");
        eal_shutdown();
        return 2;
    }
    std::unique_ptr<RouteProducer> producer;
    if (o.source == "fib") {
#ifdef RF_DATAPLANE_HAVE_FIB
        auto model = make_lab_model(o.vms, o.vms_per_host);
        producer = FibProducer::create(model, o.routes, &error, o.repoint_groups);
#else
        error = "built without the FIB; use --source lpm";
#endif
    } else {
        LabSpec lab;
        lab.vms = o.vms;
        lab.vms_per_host = o.vms_per_host;
        lab.vms_per_subnet = 250;
        lab.base = 0x0A010000;
        producer = LpmProducer::create(lab, 0x0A010000, 16, o.routes + 16, &error);
    }
    if (!producer) {
        std::fprintf(stderr, "rf-emulator: route source: %s\n", error.c_str());
        eal_shutdown();
        return 1;
    }

    std::vector<std::uint32_t> nvas;
    std::vector<Ipv6Bytes> nvas6;
    for (std::uint32_t i = 0; i < o.ecmp; ++i) {
        nvas.push_back(0x0A010104 + i);                                // 10.1.1.4, ...
        nvas6.push_back(Lab::nva6(static_cast<std::uint8_t>(4 + i)));  // fd00:1:1::4, ...
    }
    if (o.routes6 == 0)
        nvas6.clear();
    else if (!o.scenarios_given)
        o.scenarios.insert(o.scenarios.end(), {"prefix6", "bulk6", "peer-down6"});
    {
        std::vector<RouteUpdate> initial;
        for (std::uint32_t i = 0; i < o.routes; ++i)
            initial.push_back(RouteUpdate{Lab::route_prefix(i), 24, nvas});
        std::uint64_t ticket = 0;
        for (std::size_t off = 0; off < initial.size(); off += 4096) {
            std::vector<RouteUpdate> chunk(
                initial.begin() + static_cast<std::ptrdiff_t>(off),
                initial.begin() + static_cast<std::ptrdiff_t>(std::min(initial.size(), off + 4096)));
            std::uint64_t t = 0;
            for (int tries = 0; tries < 100000 && (t = producer->inject(chunk)) == 0; ++tries)
                std::this_thread::sleep_for(std::chrono::microseconds(100));
            ticket = t;
        }
        if (o.routes6 != 0) {
            std::vector<RouteUpdate6> initial6;
            for (std::uint32_t i = 0; i < o.routes6; ++i) {
                RouteUpdate6 r;
                r.prefix = Lab::route_prefix6(i);
                r.length = 48;
                r.next_hops = nvas6;
                initial6.push_back(std::move(r));
            }
            for (std::size_t off = 0; off < initial6.size(); off += 4096) {
                std::vector<RouteUpdate6> chunk(
                    initial6.begin() + static_cast<std::ptrdiff_t>(off),
                    initial6.begin() + static_cast<std::ptrdiff_t>(std::min(initial6.size(), off + 4096)));
                std::uint64_t t = 0;
                for (int tries = 0; tries < 100000 && (t = producer->inject6(chunk)) == 0; ++tries)
                    std::this_thread::sleep_for(std::chrono::microseconds(100));
                if (t == 0)
                    std::fprintf(stderr,
                                 "rf-emulator: IPv6 routes refused (no IPv6 tables in this source?)\n");
                ticket = std::max(ticket, t);
            }
        }
        for (int i = 0; i < 5000 && !producer->visible(ticket); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        producer->housekeeping();
    }

    const Topology& topo = producer->topology();
    FlowTable flows = make_flows(topo, o.flows_per_vm, producer->destinations(), 42);
    if (o.flows6_per_vm != 0)
        add_flows6(flows, topo, o.flows6_per_vm, producer->destinations6(), 43);
    EmulatorConfig ec;
    ec.workers = o.workers;
    ec.burst = o.burst;
    ec.pass_target_us = o.pass_target_us;
    ec.nva_port = 0;
    ec.fabric_port = 1;
    ec.internet_port = 1;
    ec.arp = !o.lab_iface.empty();
    ec.nva_port_ip = o.lab_ip;
    ec.nva_port_ip6 = o.lab_ip6;
    auto emu = Emulator::create(ec, producer->source(), topo, flows, &error);
    if (!emu) {
        std::fprintf(stderr, "rf-emulator: %s\n", error.c_str());
        producer.reset();
        eal_shutdown();
        return 1;
    }
    std::printf(
        "rf-emulator: %s; %zu VMs on %zu hosts (%u per host), %u tables, %u routes, ECMP %u, %zu flows, "
        "%u worker(s), burst %u, pass target %u us\n",
        producer->describe().c_str(), topo.vms.size(), topo.hosts.size(), o.vms_per_host, topo.tables,
        o.routes, o.ecmp, flows.flows.size(), o.workers, o.burst, o.pass_target_us);
    if (ec.arp) {
        const bool ok = emu->resolve_neighbors(nvas, 3.0);
        std::printf("lab: ARP on %s for %zu next hops: %s\n", o.lab_iface.c_str(), nvas.size(),
                    ok ? "resolved" : "NOT resolved");
        if (!nvas6.empty()) {
            const bool ok6 = emu->resolve_neighbors6(nvas6, 3.0);
            std::printf("lab: NDP on %s from %s for %zu IPv6 next hops: %s\n", o.lab_iface.c_str(),
                        ip6_str(emu->ndp_source()).c_str(), nvas6.size(), ok6 ? "resolved" : "NOT resolved");
        }
    }
    std::printf(
        "memory: RSS %.1f MiB; route source %.1f MiB; emulator %.1f MiB (topology %.2f MiB, flows %.2f "
        "MiB)\n",
        static_cast<double>(rss_kib()) / 1024.0, static_cast<double>(producer->memory_bytes()) / 1048576.0,
        static_cast<double>(emu->memory_bytes()) / 1048576.0,
        static_cast<double>(topo.memory_bytes()) / 1048576.0,
        static_cast<double>(flows.memory_bytes()) / 1048576.0);
    int rc = 0;
    if (!o.memory_only) {
        if (!emu->start(&error)) {
            std::fprintf(stderr, "rf-emulator: %s\n", error.c_str());
            rc = 1;
        } else {
            Lab lab{o, *producer, *emu, nvas, nvas6};
            std::this_thread::sleep_for(std::chrono::milliseconds(300));  // warm-up
            for (const auto& s : o.scenarios) {
                const SchedulingStats sched0 = emu->scheduling();
                if (s == "rate")
                    run_rate(lab, o);
                else if (s == "prefix")
                    for (unsigned r = 0; r < o.repeat; ++r)
                        run_prefix(lab);
                else if (s == "bulk")
                    for (unsigned r = 0; r < o.repeat; ++r)
                        run_bulk(lab, o);
                else if (s == "peer-down")
                    for (unsigned r = 0; r < o.repeat; ++r)
                        run_peer_down(lab, o);
                else if (s == "churn")
                    for (auto r : o.churn_rates)
                        run_churn(lab, o, r);
                else if (s == "prefix6")
                    for (unsigned r = 0; r < o.repeat; ++r)
                        run_prefix6(lab, o);
                else if (s == "bulk6")
                    for (unsigned r = 0; r < o.repeat; ++r)
                        run_bulk6(lab, o);
                else if (s == "peer-down6")
                    for (unsigned r = 0; r < o.repeat; ++r)
                        run_peer_down6(lab, o);
                else
                    std::printf("unknown scenario %s\n", s.c_str());
                print_summary();  // lab mode: the emulator's service thread answers ARP meanwhile
                const SchedulingStats sched1 = emu->scheduling();
                const double run_ms = static_cast<double>(sched1.run_ns - sched0.run_ns) / 1e6;
                const double wait_ms = static_cast<double>(sched1.runqueue_ns - sched0.runqueue_ns) / 1e6;
                std::printf(
                    "  worker scheduling during %s: on CPU %.1f ms, waiting for a CPU %.1f ms (%.1f%%); "
                    "%llu stalls > %u us between bursts; %llu passes; burst now %u\n",
                    s.c_str(), run_ms, wait_ms,
                    run_ms + wait_ms > 0 ? 100.0 * wait_ms / (run_ms + wait_ms) : 0.0,
                    static_cast<unsigned long long>(sched1.stalls - sched0.stalls), ec.stall_threshold_us,
                    static_cast<unsigned long long>(sched1.passes - sched0.passes), emu->current_burst());
            }
            emu->stop();
            const auto t = emu->totals();
            if (o.flows6_per_vm != 0) {
                std::printf("IPv6: generated %llu;", static_cast<unsigned long long>(emu->generated6()));
                for (const auto& [ip, n] : emu->next_hop_packets6())
                    std::printf(" %s=%llu", ip6_str(ip).c_str(), static_cast<unsigned long long>(n));
                std::printf("\n");
            }
            std::printf(
                "totals: generated %llu, tx %llu, drops no-route %llu none %llu unresolved %llu, tx failures "
                "%llu, "
                "mbuf alloc failures %llu\n",
                static_cast<unsigned long long>(emu->generated()), static_cast<unsigned long long>(t.tx),
                static_cast<unsigned long long>(t.drop_no_route),
                static_cast<unsigned long long>(t.drop_none),
                static_cast<unsigned long long>(t.drop_unresolved),
                static_cast<unsigned long long>(emu->tx_failures()),
                static_cast<unsigned long long>(emu->alloc_failures()));
            if (const auto st = producer->stats(); !st.empty())
                std::printf("%s\n", st.c_str());
            if (!o.quiet) {
                std::printf("per next hop:");
                for (const auto& [ip, n] : emu->next_hop_packets())
                    std::printf(" %s=%llu", ip_str(ip).c_str(), static_cast<unsigned long long>(n));
                std::printf("\n");
            }
        }
    }
    emu.reset();
    producer.reset();
    eal_shutdown();
    return rc;
}
