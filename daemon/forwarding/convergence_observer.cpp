#include "daemon/forwarding/convergence_observer.hpp"

#include <rte_cycles.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace rf::daemon {

namespace {

std::uint32_t last_address(std::uint32_t first, std::uint8_t length) {
    return length == 0 ? 0xFFFFFFFFU : first | (0xFFFFFFFFU >> length);
}

// An IPv6 prefix's last address, and the address probed inside it (first + 1 unless /127+).
dataplane::Ipv6Bytes last_address6(const net::Prefix& p) {
    dataplane::Ipv6Bytes a = p.bytes;
    for (unsigned bit = p.length; bit < 128; ++bit) {
        a[bit / 8] = static_cast<std::uint8_t>(a[bit / 8] | (0x80U >> (bit % 8)));
    }
    return a;
}

dataplane::Ipv6Bytes probe_address6(const net::Prefix& p) {
    dataplane::Ipv6Bytes a = p.bytes;
    if (p.length < 127) {
        a[15] = static_cast<std::uint8_t>(a[15] | 1U);
    }
    return a;
}

// One probe address inside `p` and its range of destinations (probe addresses: the first kMaxProbeAddrs).
void add_probed_prefix(dataplane::ProbeSpec& spec, const net::Prefix& p) {
    if (p.is_v4()) {
        const std::uint32_t first = p.v4_address().value;
        if (spec.probe_addrs.size() < dataplane::ConvergenceProbe::kMaxProbeAddrs) {
            spec.probe_addrs.push_back(p.length >= 31 ? first : first + 1);
        }
        spec.affected.emplace_back(first, last_address(first, p.length));
    } else {
        if (spec.probe_addrs6.size() < dataplane::ConvergenceProbe::kMaxProbeAddrs) {
            spec.probe_addrs6.push_back(probe_address6(p));
        }
        spec.affected6.emplace_back(p.bytes, last_address6(p));
    }
}

void add_included(dataplane::ProbeSpec& spec, const net::IpAddress& h) {
    if (h.is_v4()) {
        spec.include.push_back(h.as_v4().value);
    } else {
        spec.include6.push_back(h.bytes);
    }
}

void add_excluded(dataplane::ProbeSpec& spec, const net::IpAddress& h) {
    if (h.is_v4()) {
        spec.exclude.push_back(h.as_v4().value);
    } else {
        spec.exclude6.push_back(h.bytes);
    }
}

// A batch's deltas grouped by their new next-hop set (sorted); consecutive deltas with the set of the one
// before (a peer-down, a bulk change) skip the map.
using DeltaGroups = std::map<std::vector<net::IpAddress>, std::vector<const fib::RouteDelta*>>;
DeltaGroups group_by_next_hops(std::span<const fib::RouteDelta> batch) {
    DeltaGroups groups;
    std::vector<net::IpAddress> hops;
    std::vector<const fib::RouteDelta*>* same = nullptr;  // the group of the delta before
    std::vector<net::IpAddress> same_hops;
    for (const fib::RouteDelta& d : batch) {
        hops.assign(d.next_hops.begin(), d.next_hops.end());
        std::sort(hops.begin(), hops.end());
        if (same == nullptr || hops != same_hops) {
            same = &groups[hops];
            same_hops = hops;
        }
        same->push_back(&d);
    }
    return groups;
}

}  // namespace

// ------------------------------------------------------------------------------------------ the sink

bool ConvergenceObserver::ProbingSink::publish(std::span<const fib::RouteDelta> batch) {
    const std::uint64_t t0 = observer_.t0_of(rte_rdtsc());
    observer_.input_at_.reset();
    if (batch.empty()) {
        return true;
    }
    observer_.arm(batch, t0);  // before publishing: T0 precedes the FIB's visibility
    if (!next_.publish(batch)) {
        return false;  // the RIB keeps the batch and retries (back-pressure)
    }
    observer_.programmed_.apply(batch);
    return true;
}

void ConvergenceObserver::ProbingSink::next_hops_down(std::span<const net::IpAddress> next_hops) {
    // The FIB first, then the probe: arming scans every prefix the FIB was given (O(table)), which must
    // not delay the switch itself. Hosts that switch before the probe is armed are stamped at their first
    // burst after it, so the measurement can only come out late, never early.
    const std::uint64_t t0 = observer_.t0_of(rte_rdtsc());
    observer_.hint_applied_tsc_.store(0, std::memory_order_relaxed);
    next_.next_hops_down(next_hops);
    observer_.arm_down(next_hops, t0);  // the batch that follows has the same cause
}

// ------------------------------------------------------------------------------------------ observer

ConvergenceObserver::ConvergenceObserver(dataplane::ConvergenceProbe& probe, fib::DeltaSink& next,
                                         const std::atomic<metrics::StandardMetrics*>& metrics,
                                         std::chrono::milliseconds timeout)
    : probe_(probe), metrics_(metrics), timeout_(timeout), sink_(*this, next) {}

ConvergenceObserver::~ConvergenceObserver() {
    stop();
}

void ConvergenceObserver::start() {
    monitor_ = std::thread([this]() { monitor_loop(); });
}

void ConvergenceObserver::stop() {
    monitor_stop_.store(true, std::memory_order_release);
    if (monitor_.joinable()) {
        monitor_.join();
    }
}

// T0 of a measurement: when the UPDATE behind this call was read (or the peer was found down), back-dated
// from `now_tsc` on the TSC; now when there is no such cause (a VNet change) or it is stale (an input
// that published nothing, then something else did).
std::uint64_t ConvergenceObserver::t0_of(std::uint64_t now_tsc) const {
    if (!input_at_) {
        return now_tsc;
    }
    const auto age = std::chrono::steady_clock::now() - *input_at_;
    if (age < std::chrono::nanoseconds::zero() || age >= std::chrono::seconds(1)) {
        return now_tsc;
    }
    const double ticks = std::chrono::duration<double>(age).count() * static_cast<double>(rte_get_tsc_hz());
    return now_tsc - std::min(now_tsc, static_cast<std::uint64_t>(ticks));
}

void ConvergenceObserver::on_visible(std::uint64_t sequence, std::uint64_t now_tsc) {
    const std::uint64_t armed_seq = armed_sequence_.load(std::memory_order_acquire);
    if (armed_seq != 0 && sequence >= armed_seq) {
        armed_sequence_.store(0, std::memory_order_release);
        probe_.published(now_tsc);
    }
}

void ConvergenceObserver::on_next_hops_down(std::size_t repointed) {
    // A hint that repointed nothing (every group of those next hops had no other member) switches no
    // host: the publish of the batch that follows it is then the one to report (arm()). One that did is
    // reported here, or by arm_down() when it was applied before the probe was armed.
    if (repointed == 0) {
        return;
    }
    const std::uint64_t now = rte_rdtsc();
    hint_applied_tsc_.store(now, std::memory_order_release);
    if (down_armed_.exchange(false, std::memory_order_acq_rel)) {
        probe_.published(now);
    }
}

bool ConvergenceObserver::may_arm() {
    // One measurement at a time (a change arriving meanwhile is not measured, only counted), and at most
    // kMaxMeasurements per process: the probe keeps every run's (small) state for its lifetime.
    std::lock_guard lock(probe_mu_);
    if (armed_ || armed_runs_ >= kMaxMeasurements) {
        ++not_measured_;
        return false;
    }
    return true;
}

void ConvergenceObserver::start_measurement(dataplane::ProbeSpec spec, std::uint64_t t0_tsc,
                                            std::uint64_t sequence, bool by_hint) {
    ++armed_runs_;
    probe_.arm(std::move(spec), t0_tsc);
    armed_ = true;
    armed_at_ = std::chrono::steady_clock::now();
    armed_sequence_.store(sequence, std::memory_order_release);
    armed_by_hint_ = by_hint;
}

// A next-hop-down hint (the peer behind every path through `dead` went down; its RIB batch follows):
// the measurement covers every prefix the FIB was last given with one of those next hops, and a host has
// converged when none of its probe addresses is forwarded to one of them. Prefixes with other members
// switch at the hint's group repoint; prefixes that had only dead next hops switch with the batch.
void ConvergenceObserver::arm_down(std::span<const net::IpAddress> dead, std::uint64_t t0_tsc) {
    if (!may_arm()) {
        return;
    }
    dataplane::ProbeSpec spec;
    std::size_t prefixes = 0;
    programmed_.for_each_using(dead, [&](const net::Prefix& prefix) {
        add_probed_prefix(spec, prefix);
        ++prefixes;
    });
    if (prefixes == 0) {
        return;  // nothing programmed through them: nothing to observe
    }
    for (const net::IpAddress& h : dead) {
        add_excluded(spec, h);
    }
    spec.name = "next hop " + dead.front().to_string() +
                (dead.size() > 1 ? " (+" + std::to_string(dead.size() - 1) + ")" : "") + " down (" +
                std::to_string(prefixes) + (prefixes == 1 ? " prefix)" : " prefixes)");
    std::lock_guard lock(probe_mu_);
    start_measurement(std::move(spec), t0_tsc, /*sequence=*/0, /*by_hint=*/true);
    down_armed_.store(true, std::memory_order_release);
    follow_up_until_ = armed_at_ + std::chrono::seconds(1);
    // Applied (on this thread, or already by the writer) before the probe was armed: report it now.
    if (const std::uint64_t applied = hint_applied_tsc_.exchange(0, std::memory_order_acq_rel);
        applied != 0 && down_armed_.exchange(false, std::memory_order_acq_rel)) {
        probe_.published(applied);
    }
}

// The RIB's batch behind a next-hop-down measurement (within a second of the hint) is the same event:
// when the hint switched no host, this batch's publish is the one the measurement waits for.
bool ConvergenceObserver::follows_a_hint(std::span<const fib::RouteDelta> batch) {
    std::lock_guard lock(probe_mu_);
    if (!follow_up_until_) {
        return false;
    }
    const bool follows = std::chrono::steady_clock::now() <= *follow_up_until_;
    follow_up_until_.reset();
    if (follows && armed_ && down_armed_.load(std::memory_order_acquire)) {
        armed_sequence_.store(batch.back().sequence, std::memory_order_release);
    }
    return follows;
}

// One probe per batch: the batch's changes, IPv4 and IPv6, grouped by their new next-hop set; the largest
// group is measured (a peer going down moves every prefix it carried to the same remaining set; a
// dual-stack NVA's IPv4 and IPv6 prefixes form two groups). T0 (`t0_tsc`) is when the UPDATE behind the
// batch was read, or the peer found down. Runs on the io thread before the FIB gets the batch.
void ConvergenceObserver::arm(std::span<const fib::RouteDelta> batch, std::uint64_t t0_tsc) {
    if (follows_a_hint(batch) || !may_arm()) {
        return;
    }
    const DeltaGroups groups = group_by_next_hops(batch);
    if (groups.empty()) {
        return;
    }
    auto best = groups.begin();
    for (auto it = groups.begin(); it != groups.end(); ++it) {
        if (it->second.size() > best->second.size()) {
            best = it;
        }
    }
    const std::vector<net::IpAddress>& next_hops = best->first;  // sorted
    dataplane::ProbeSpec spec;
    std::set<net::IpAddress> removed;
    for (const fib::RouteDelta* d : best->second) {
        add_probed_prefix(spec, d->prefix);
        for (const net::IpAddress& h : programmed_.find(d->prefix)) {
            if (!std::binary_search(next_hops.begin(), next_hops.end(), h)) {
                removed.insert(h);
            }
        }
    }
    for (const net::IpAddress& h : next_hops) {
        add_included(spec, h);
    }
    for (const net::IpAddress& h : removed) {
        add_excluded(spec, h);
    }
    if (next_hops.empty() && removed.empty()) {
        return;  // a withdrawal of something never programmed: nothing to observe
    }
    const std::string verb = next_hops.empty() ? "withdraw" : "update";
    spec.name =
        verb + " " + best->second.front()->prefix.to_string() +
        (best->second.size() > 1 ? " (+" + std::to_string(best->second.size() - 1) + " prefixes)" : "");
    std::lock_guard lock(probe_mu_);
    start_measurement(std::move(spec), t0_tsc, batch.back().sequence, /*by_hint=*/false);
}

void ConvergenceObserver::close_measurement() {
    auto rep = probe_.report(static_cast<double>(rte_get_tsc_hz()));
    probe_.disarm();
    armed_ = false;
    armed_sequence_.store(0, std::memory_order_release);
    down_armed_.store(false, std::memory_order_release);
    ++events_;
    if (rep.converged < rep.hosts) {
        ++incomplete_;
    } else {
        const double s = rep.last_us / 1e6;
        last_host_seconds_.push_back(s);
        if (last_host_seconds_.size() > kKeptResults) {
            last_host_seconds_.erase(last_host_seconds_.begin());
        }
        if (auto* m = metrics_.load(std::memory_order_acquire)) {
            m->convergence.observe(s);
        }
    }
    api::ConvergenceEvent event;
    event.time = api::iso8601_utc(std::chrono::system_clock::now());
    event.change = rep.name;
    event.complete = rep.converged >= rep.hosts;
    event.seconds = event.complete ? rep.last_us / 1e6 : 0;
    event.hosts = rep.hosts;
    event.hosts_converged = rep.converged;
    event.next_hop_down = armed_by_hint_;
    history_.record(std::move(event));
    last_report_ = std::move(rep);
    last_by_hint_ = armed_by_hint_;
}

api::ConvergenceHistory ConvergenceObserver::history() const {
    std::lock_guard lock(probe_mu_);
    return history_.snapshot();
}

void ConvergenceObserver::monitor_loop() {
    while (!monitor_stop_.load(std::memory_order_acquire)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        std::lock_guard lock(probe_mu_);
        // Complete when every host converged and the FIB reported the publish (hosts can converge
        // first: a repointed next-hop group switches forwarding before the batch is published).
        if (armed_ && ((probe_.all_converged() && probe_.publish_reported()) ||
                       std::chrono::steady_clock::now() - armed_at_ > timeout_)) {
            close_measurement();
        }
    }
}

void ConvergenceObserver::change_layout(const std::function<void()>& change) {
    std::lock_guard lock(probe_mu_);
    if (armed_) {
        close_measurement();
    }
    change();
}

void ConvergenceObserver::append_stats(api::EmulatorStats& s) const {
    const auto us = [](double v) { return static_cast<std::uint64_t>(v < 0 ? 0 : v); };
    std::lock_guard lock(probe_mu_);
    s.counters.emplace_back("convergence_measurements", events_);
    s.counters.emplace_back("convergence_incomplete", incomplete_);
    s.counters.emplace_back("changes_not_measured", not_measured_);
    if (last_report_) {
        const auto& r = *last_report_;
        s.counters.emplace_back("last_change_hosts_converged", r.converged);
        s.counters.emplace_back("last_change_fib_publish_us", us(r.publish_us));
        s.counters.emplace_back("last_change_first_host_us", us(r.first_us));
        s.counters.emplace_back("last_change_median_host_us", us(r.median_us));
        s.counters.emplace_back("last_change_last_host_us", us(r.last_us));
        s.counters.emplace_back("last_change_packets_lost", r.lost);
        s.counters.emplace_back("last_change_packets_to_withdrawn", r.to_withdrawn);
        s.counters.emplace_back("last_change_to_withdrawn_after_publish", r.to_withdrawn_after_publish);
        // 1: started by the RIB's next-hop-down hint (a peer down; hosts switched by the group repoint).
        s.counters.emplace_back("last_change_next_hop_down", last_by_hint_ ? 1 : 0);
    }
    if (!last_host_seconds_.empty()) {
        std::vector<double> sorted = last_host_seconds_;
        std::sort(sorted.begin(), sorted.end());
        api::EmulatorStats::Convergence c;
        c.events = events_;
        c.last_seconds = last_host_seconds_.back();
        c.p50_seconds = dataplane::percentile_sorted(sorted, 50);
        c.p99_seconds = dataplane::percentile_sorted(sorted, 99);
        c.max_seconds = sorted.back();
        s.convergence = c;
    }
}

}  // namespace rf::daemon
