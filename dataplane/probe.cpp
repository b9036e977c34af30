#include "dataplane/probe.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

namespace rf::dataplane {

double percentile_sorted(const std::vector<double>& sorted, double p) {
    if (sorted.empty())
        return 0;
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
    const std::size_t idx = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
    return sorted[std::min(idx, sorted.size() - 1)];
}

ConvergenceReport summarise(std::string name, const std::vector<double>& host_us) {
    ConvergenceReport r;
    r.name = std::move(name);
    r.hosts = static_cast<std::uint32_t>(host_us.size());
    std::vector<double> done;
    for (double v : host_us)
        if (v >= 0)
            done.push_back(v);
    std::sort(done.begin(), done.end());
    r.converged = static_cast<std::uint32_t>(done.size());
    if (!done.empty()) {
        r.first_us = done.front();
        r.median_us = percentile_sorted(done, 50);
        r.p99_us = percentile_sorted(done, 99);
        r.last_us = done.back();
    }
    return r;
}

std::string ConvergenceReport::to_string() const {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "%s: hosts %u/%u converged; publish %.1f us; first %.1f us, median %.1f us, p99 %.1f us, "
                  "last %.1f us; lost %llu, to withdrawn next hop %llu (after publish %llu)",
                  name.c_str(), converged, hosts, publish_us, first_us, median_us, p99_us, last_us,
                  static_cast<unsigned long long>(lost), static_cast<unsigned long long>(to_withdrawn),
                  static_cast<unsigned long long>(to_withdrawn_after_publish));
    return buf;
}

bool ConvergenceProbe::Run::affects(std::uint32_t dst) const {
    if (spec.affected.empty())
        return true;
    // Ranges are sorted by first address and disjoint (arm() normalises them).
    auto it = std::upper_bound(spec.affected.begin(), spec.affected.end(), dst,
                               [](std::uint32_t v, const auto& r) { return v < r.first; });
    if (it == spec.affected.begin())
        return false;
    --it;
    return dst <= it->second;
}

bool ConvergenceProbe::Run::excluded(std::uint32_t nh) const {
    for (std::uint32_t x : spec.exclude)
        if (x == nh)
            return true;
    return false;
}

bool ConvergenceProbe::Run::satisfied(const GroupView& view) const {
    if (spec.expect_kind && view.kind != *spec.expect_kind)
        return false;
    if (!spec.include.empty() && view.kind != NextHopKind::Ip)
        return false;
    auto has = [&](std::uint32_t a) {
        for (std::uint32_t i = 0; i < view.count; ++i)
            if (view.member(i) == a)
                return true;
        return false;
    };
    if (view.kind == NextHopKind::Ip) {
        for (std::uint32_t a : spec.include)
            if (!has(a))
                return false;
        for (std::uint32_t a : spec.exclude)
            if (has(a))
                return false;
    }
    return true;
}

ConvergenceProbe::Run& ConvergenceProbe::arm(ProbeSpec spec, std::uint64_t t0_tsc) {
    std::lock_guard lock(mutex_);
    if (spec.probe_addrs.size() > kMaxProbeAddrs) {
        // Evenly spaced sample, deterministic.
        std::vector<std::uint32_t> sample;
        const std::size_t n = spec.probe_addrs.size();
        for (std::size_t i = 0; i < kMaxProbeAddrs; ++i)
            sample.push_back(spec.probe_addrs[i * n / kMaxProbeAddrs]);
        spec.probe_addrs = std::move(sample);
    }
    std::sort(spec.affected.begin(), spec.affected.end());
    std::vector<std::pair<std::uint32_t, std::uint32_t>> merged;
    for (const auto& r : spec.affected) {
        if (!merged.empty() && r.first <= merged.back().second) {
            merged.back().second = std::max(merged.back().second, r.second);
        } else {
            merged.push_back(r);
        }
    }
    spec.affected = std::move(merged);
    auto run = std::make_unique<Run>();
    run->spec = std::move(spec);
    run->t0_tsc = t0_tsc;
    run->hosts = hosts_;
    run->converged_tsc = std::make_unique<std::atomic<std::uint64_t>[]>(hosts_);
    run->done = std::make_unique<std::uint8_t[]>(std::size_t{hosts_} *
                                                 std::max<std::size_t>(1, run->spec.probe_addrs.size()));
    run->lost = std::make_unique<std::atomic<std::uint64_t>[]>(hosts_);
    run->to_withdrawn = std::make_unique<std::atomic<std::uint64_t>[]>(hosts_);
    run->after_publish = std::make_unique<std::atomic<std::uint64_t>[]>(hosts_);
    Run& ref = *run;
    runs_.push_back(std::move(run));
    current_.store(&ref, std::memory_order_release);
    return ref;
}

void ConvergenceProbe::published(std::uint64_t tsc) {
    // The first report wins (the writer's visibility hook and a polling caller may both report).
    if (Run* r = current()) {
        std::uint64_t expected = 0;
        r->publish_tsc.compare_exchange_strong(expected, tsc, std::memory_order_acq_rel);
    }
}

bool ConvergenceProbe::all_converged() const {
    const Run* r = current();
    return r != nullptr && r->converged_hosts.load(std::memory_order_acquire) >= r->hosts;
}

bool ConvergenceProbe::publish_reported() const {
    const Run* r = current();
    return r != nullptr && r->publish_tsc.load(std::memory_order_acquire) != 0;
}

bool ConvergenceProbe::wait(double timeout_s) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (!all_converged() || !publish_reported()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    return true;
}

ConvergenceReport ConvergenceProbe::report(double tsc_hz) const {
    const Run* r = current();
    if (r == nullptr)
        return ConvergenceReport{};
    const double us_per_tick = 1e6 / tsc_hz;
    std::vector<double> host_us(r->hosts);
    ConvergenceReport rep;
    for (std::uint32_t h = 0; h < r->hosts; ++h) {
        const std::uint64_t t = r->converged_tsc[h].load(std::memory_order_acquire);
        host_us[h] = t == 0 ? -1.0 : static_cast<double>(t > r->t0_tsc ? t - r->t0_tsc : 0) * us_per_tick;
    }
    rep = summarise(r->spec.name, host_us);
    for (std::uint32_t h = 0; h < r->hosts; ++h) {
        rep.lost += r->lost[h].load(std::memory_order_relaxed);
        rep.to_withdrawn += r->to_withdrawn[h].load(std::memory_order_relaxed);
        rep.to_withdrawn_after_publish += r->after_publish[h].load(std::memory_order_relaxed);
    }
    const std::uint64_t p = r->publish_tsc.load(std::memory_order_acquire);
    if (p != 0)
        rep.publish_us = static_cast<double>(p > r->t0_tsc ? p - r->t0_tsc : 0) * us_per_tick;
    return rep;
}

}  // namespace rf::dataplane
