#include "bench/emulator/report.hpp"

#include <arpa/inet.h>
#include <rte_cycles.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace rf::bench {

using dataplane::percentile_sorted;

std::string ipv4_text(std::uint32_t ip) {
    return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
           std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

std::string ipv6_text(const dataplane::Ipv6Bytes& a) {
    char buf[INET6_ADDRSTRLEN];
    return ::inet_ntop(AF_INET6, a.data(), buf, sizeof buf) != nullptr ? buf : "?";
}

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

void ReportLog::add(const dataplane::ConvergenceReport& r) {
    std::printf("  %s\n", r.to_string().c_str());
    reports_.push_back(r);
}

void ReportLog::print_summary() {
    if (reports_.size() < 2) {
        reports_.clear();
        return;
    }
    std::vector<double> pub, first, med, p99, last;
    std::uint64_t to_withdrawn = 0, after = 0, lost = 0, unconverged = 0;
    for (const auto& r : reports_) {
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
        reports_.size(), percentile_sorted(pub, 50), percentile_sorted(first, 50), percentile_sorted(med, 50),
        percentile_sorted(p99, 50), percentile_sorted(last, 50), last.back(),
        static_cast<unsigned long long>(to_withdrawn), static_cast<unsigned long long>(after),
        static_cast<unsigned long long>(lost), static_cast<unsigned long long>(unconverged));
    reports_.clear();
}

void print_churn(const ChurnOutcome& c, bool quiet) {
    std::vector<double> last, p99, pub, first, median, pickup;
    std::uint64_t after_publish = 0, to_withdrawn = 0, lost = 0, unconverged = 0;
    for (const auto& r : c.reports) {
        if (!quiet)
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
        c.rate, static_cast<double>(c.changes) / c.seconds, c.seconds,
        static_cast<unsigned long long>(c.refused), c.reports.size(), percentile_sorted(pub, 50),
        pub.empty() ? 0.0 : pub.back(), percentile_sorted(first, 50), percentile_sorted(median, 50),
        percentile_sorted(p99, 50), percentile_sorted(last, 50), percentile_sorted(last, 90),
        last.empty() ? 0.0 : last.back(), percentile_sorted(pickup, 50),
        static_cast<unsigned long long>(unconverged), static_cast<unsigned long long>(to_withdrawn),
        static_cast<unsigned long long>(after_publish), static_cast<unsigned long long>(lost));
}

void print_memory(const RouteProducer& producer, const dataplane::Emulator& emu) {
    const dataplane::Topology& topo = emu.topology();
    const dataplane::FlowTable& flows = emu.flows();
    std::printf(
        "memory: RSS %.1f MiB; route source %.1f MiB; emulator %.1f MiB (topology %.2f MiB, flows %.2f "
        "MiB)\n",
        static_cast<double>(rss_kib()) / 1024.0, static_cast<double>(producer.memory_bytes()) / 1048576.0,
        static_cast<double>(emu.memory_bytes()) / 1048576.0,
        static_cast<double>(topo.memory_bytes()) / 1048576.0,
        static_cast<double>(flows.memory_bytes()) / 1048576.0);
}

void print_scheduling(const std::string& name, const dataplane::SchedulingStats& before,
                      const dataplane::SchedulingStats& after, unsigned stall_threshold_us,
                      const dataplane::Emulator& emu) {
    const double run_ms = static_cast<double>(after.run_ns - before.run_ns) / 1e6;
    const double wait_ms = static_cast<double>(after.runqueue_ns - before.runqueue_ns) / 1e6;
    std::printf(
        "  worker scheduling during %s: on CPU %.1f ms, waiting for a CPU %.1f ms (%.1f%%); "
        "%llu stalls > %u us between bursts; %llu passes; burst now %u\n",
        name.c_str(), run_ms, wait_ms, run_ms + wait_ms > 0 ? 100.0 * wait_ms / (run_ms + wait_ms) : 0.0,
        static_cast<unsigned long long>(after.stalls - before.stalls), stall_threshold_us,
        static_cast<unsigned long long>(after.passes - before.passes), emu.current_burst());
}

void print_totals(const Options& o, const RouteProducer& producer, const dataplane::Emulator& emu) {
    const auto t = emu.totals();
    if (o.flows6_per_vm != 0) {
        std::printf("IPv6: generated %llu;", static_cast<unsigned long long>(emu.generated6()));
        for (const auto& [ip, n] : emu.next_hop_packets6())
            std::printf(" %s=%llu", ipv6_text(ip).c_str(), static_cast<unsigned long long>(n));
        std::printf("\n");
    }
    std::printf(
        "totals: generated %llu, tx %llu, drops no-route %llu none %llu unresolved %llu, tx failures "
        "%llu, "
        "mbuf alloc failures %llu\n",
        static_cast<unsigned long long>(emu.generated()), static_cast<unsigned long long>(t.tx),
        static_cast<unsigned long long>(t.drop_no_route), static_cast<unsigned long long>(t.drop_none),
        static_cast<unsigned long long>(t.drop_unresolved),
        static_cast<unsigned long long>(emu.tx_failures()),
        static_cast<unsigned long long>(emu.alloc_failures()));
    if (const auto st = producer.stats(); !st.empty())
        std::printf("%s\n", st.c_str());
    if (!o.quiet) {
        std::printf("per next hop:");
        for (const auto& [ip, n] : emu.next_hop_packets())
            std::printf(" %s=%llu", ipv4_text(ip).c_str(), static_cast<unsigned long long>(n));
        std::printf("\n");
    }
}

}  // namespace rf::bench
