// Convergence probes, in the terms of RFC 4098 (BGP convergence benchmarking) and RFC 7747 (convergence
// for route changes at the forwarding plane): a route change enters the control plane at T0 (an UPDATE
// arrives, a peer goes down); each emulated host's forwarding for the affected prefixes "converges" when
// its lookups for every probe address give the new path. Per host we record that instant; the report
// gives first-host, median, p99 and last-host convergence time, and the packets the hosts dropped
// (lost) or sent to a withdrawn next hop for an affected prefix meanwhile — split into before and after
// the FIB published the change (the latter must be zero).
//
// IPv4 and IPv6 alike: a spec names probe addresses, affected ranges and next hops of either family (an
// IPv6 route change is measured per host exactly like an IPv4 one; a dual-stack peer going down moves
// prefixes of both families at once).
//
// Concurrency: arm() publishes an immutable Run (spec + per-host result slots) through an atomic
// pointer; each host's slots are written only by the worker that owns the host. Runs live as long as
// the probe, so a worker holding an old Run never touches freed memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/flow_hash.hpp"
#include "dataplane/route_source.hpp"

namespace rf::dataplane {

struct ProbeSpec {
    std::string name;
    // One address inside each affected prefix: IPv4 (host order) and IPv6 (network order); at most
    // kMaxProbeAddrs of each family are checked (sampled if more).
    std::vector<std::uint32_t> probe_addrs;
    std::vector<Ipv6Bytes> probe_addrs6;
    // Affected destination ranges [first, last] per family; both empty means every destination of
    // either family (a peer down). Ranges of one family only: the other family is not affected.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> affected;
    std::vector<std::pair<Ipv6Bytes, Ipv6Bytes>> affected6;
    // The new path: must contain every `include` next hop and none of `exclude` (the withdrawn ones).
    // A group's members share one family: a path is checked against the next hops of its members'
    // family (IPv4 host order, IPv6 network order); a path whose family has no `include` while the
    // other family has some does not qualify.
    std::vector<std::uint32_t> include;
    std::vector<std::uint32_t> exclude;
    std::vector<Ipv6Bytes> include6;
    std::vector<Ipv6Bytes> exclude6;
    // If set, the new path must be of this kind (e.g. NoRoute after a withdrawal with no cover).
    std::optional<NextHopKind> expect_kind;
};

struct ConvergenceReport {
    std::string name;
    std::uint32_t hosts = 0;
    std::uint32_t converged = 0;
    double publish_us = -1;                                       // T0 → FIB published (if reported)
    double first_us = 0, median_us = 0, p99_us = 0, last_us = 0;  // over converged hosts
    std::uint64_t lost = 0;          // affected packets dropped before the host converged
    std::uint64_t to_withdrawn = 0;  // affected packets sent to an excluded next hop
    std::uint64_t to_withdrawn_after_publish = 0;
    [[nodiscard]] std::string to_string() const;
};

// Percentile (nearest-rank) of sorted values; p in [0, 100].
double percentile_sorted(const std::vector<double>& sorted, double p);

class ConvergenceProbe {
public:
    static constexpr std::size_t kMaxProbeAddrs = 64;

    struct Run {
        ProbeSpec spec;
        std::uint64_t t0_tsc = 0;
        std::atomic<std::uint64_t> publish_tsc{0};  // 0 until published
        std::uint32_t hosts = 0;
        std::unique_ptr<std::atomic<std::uint64_t>[]> converged_tsc;  // per host; 0 = pending
        std::unique_ptr<std::uint8_t[]> done;  // per host × probe address, IPv4 then IPv6 (owner worker)
        std::unique_ptr<std::atomic<std::uint64_t>[]> lost, to_withdrawn, after_publish;  // per host
        std::atomic<std::uint32_t> converged_hosts{0};

        [[nodiscard]] bool affects(std::uint32_t dst) const;
        [[nodiscard]] bool affects6(const std::uint8_t* dst16) const;
        [[nodiscard]] bool excluded(std::uint32_t nh) const;
        [[nodiscard]] bool excluded6(const std::uint8_t* nh16) const;
        [[nodiscard]] bool satisfied(const GroupView& view) const;
        [[nodiscard]] std::size_t probe_count() const {
            return spec.probe_addrs.size() + spec.probe_addrs6.size();
        }
    };

    explicit ConvergenceProbe(std::uint32_t hosts) : hosts_(hosts) {}

    // The emulator's hosts changed (a new layout, Emulator::replace_layout): runs armed from now on
    // have `hosts` slots; the current run, armed for the old hosts, is disarmed.
    void resize(std::uint32_t hosts);
    // Starts a measurement with the route change entering the control plane at t0_tsc (rte_rdtsc()).
    Run& arm(ProbeSpec spec, std::uint64_t t0_tsc);
    void published(std::uint64_t tsc);  // the FIB made the change visible to readers (first call wins)
    void disarm() { current_.store(nullptr, std::memory_order_release); }
    [[nodiscard]] Run* current() const { return current_.load(std::memory_order_acquire); }
    [[nodiscard]] bool all_converged() const;
    // The FIB reported the change visible (published()). With prefix-independent convergence the hosts
    // can converge before that: a measurement is complete when both happened.
    [[nodiscard]] bool publish_reported() const;
    // Waits (polling, bounded) until every host converged and the publish was reported; false on
    // timeout.
    bool wait(double timeout_s) const;
    [[nodiscard]] ConvergenceReport report(double tsc_hz) const;
    [[nodiscard]] std::uint32_t hosts() const { return hosts_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint32_t> hosts_;
    std::mutex mutex_;  // arm() and resize()
    std::vector<std::unique_ptr<Run>> runs_;
    std::atomic<Run*> current_{nullptr};
};

// Report maths on raw per-host convergence times (microseconds; negative = never converged).
ConvergenceReport summarise(std::string name, const std::vector<double>& host_us);

}  // namespace rf::dataplane
