#include "dataplane/probe.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
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

namespace {

// Ranges are sorted by first address and disjoint (arm() normalises them).
template <class Addr>
bool in_ranges(const std::vector<std::pair<Addr, Addr>>& ranges, const Addr& a) {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), a,
                               [](const Addr& v, const auto& r) { return v < r.first; });
    if (it == ranges.begin())
        return false;
    --it;
    return !(it->second < a);
}

// Sorts and merges overlapping ranges.
template <class Addr>
std::vector<std::pair<Addr, Addr>> merge_ranges(std::vector<std::pair<Addr, Addr>> ranges) {
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<Addr, Addr>> merged;
    for (const auto& r : ranges) {
        if (!merged.empty() && !(merged.back().second < r.first)) {
            merged.back().second = std::max(merged.back().second, r.second);
        } else {
            merged.push_back(r);
        }
    }
    return merged;
}

// Evenly spaced deterministic sample of at most `max` entries.
template <class Addr>
void sample(std::vector<Addr>& v, std::size_t max) {
    if (v.size() <= max)
        return;
    std::vector<Addr> out;
    out.reserve(max);
    const std::size_t n = v.size();
    for (std::size_t i = 0; i < max; ++i)
        out.push_back(v[i * n / max]);
    v = std::move(out);
}

Ipv6Bytes to_bytes(const std::uint8_t* a16) {
    Ipv6Bytes a{};
    std::memcpy(a.data(), a16, 16);
    return a;
}

}  // namespace

bool ConvergenceProbe::Run::affects(std::uint32_t dst) const {
    if (spec.affected.empty())
        return spec.affected6.empty();  // no ranges at all: every destination
    return in_ranges(spec.affected, dst);
}

bool ConvergenceProbe::Run::affects6(const std::uint8_t* dst16) const {
    if (spec.affected6.empty())
        return spec.affected.empty();
    return in_ranges(spec.affected6, to_bytes(dst16));
}

bool ConvergenceProbe::Run::excluded(std::uint32_t nh) const {
    for (std::uint32_t x : spec.exclude)
        if (x == nh)
            return true;
    return false;
}

bool ConvergenceProbe::Run::excluded6(const std::uint8_t* nh16) const {
    for (const Ipv6Bytes& x : spec.exclude6)
        if (std::memcmp(x.data(), nh16, 16) == 0)
            return true;
    return false;
}

bool ConvergenceProbe::Run::satisfied(const GroupView& view) const {
    if (spec.expect_kind && view.kind != *spec.expect_kind)
        return false;
    const bool any_include = !spec.include.empty() || !spec.include6.empty();
    if (any_include && view.kind != NextHopKind::Ip)
        return false;
    if (view.kind != NextHopKind::Ip)
        return true;
    if (view.v6) {
        auto has6 = [&](const Ipv6Bytes& a) {
            for (std::uint32_t i = 0; i < view.count; ++i)
                if (std::memcmp(view.member6(i), a.data(), 16) == 0)
                    return true;
            return false;
        };
        if (spec.include6.empty() && !spec.include.empty())
            return false;  // the required next hops are IPv4; this path has none
        for (const Ipv6Bytes& a : spec.include6)
            if (!has6(a))
                return false;
        for (const Ipv6Bytes& a : spec.exclude6)
            if (has6(a))
                return false;
        return true;
    }
    auto has = [&](std::uint32_t a) {
        for (std::uint32_t i = 0; i < view.count; ++i)
            if (view.member(i) == a)
                return true;
        return false;
    };
    if (spec.include.empty() && !spec.include6.empty())
        return false;
    for (std::uint32_t a : spec.include)
        if (!has(a))
            return false;
    for (std::uint32_t a : spec.exclude)
        if (has(a))
            return false;
    return true;
}

ConvergenceProbe::Run& ConvergenceProbe::arm(ProbeSpec spec, std::uint64_t t0_tsc) {
    std::lock_guard lock(mutex_);
    sample(spec.probe_addrs, kMaxProbeAddrs);
    sample(spec.probe_addrs6, kMaxProbeAddrs);
    spec.affected = merge_ranges(std::move(spec.affected));
    spec.affected6 = merge_ranges(std::move(spec.affected6));
    const std::uint32_t hosts = hosts_.load(std::memory_order_relaxed);
    auto run = std::make_unique<Run>();
    run->spec = std::move(spec);
    run->t0_tsc = t0_tsc;
    run->hosts = hosts;
    run->converged_tsc = std::make_unique<std::atomic<std::uint64_t>[]>(hosts);
    run->done =
        std::make_unique<std::uint8_t[]>(std::size_t{hosts} * std::max<std::size_t>(1, run->probe_count()));
    run->lost = std::make_unique<std::atomic<std::uint64_t>[]>(hosts);
    run->to_withdrawn = std::make_unique<std::atomic<std::uint64_t>[]>(hosts);
    run->after_publish = std::make_unique<std::atomic<std::uint64_t>[]>(hosts);
    Run& ref = *run;
    runs_.push_back(std::move(run));
    current_.store(&ref, std::memory_order_release);
    return ref;
}

void ConvergenceProbe::resize(std::uint32_t hosts) {
    std::lock_guard lock(mutex_);
    current_.store(nullptr, std::memory_order_release);
    hosts_.store(hosts, std::memory_order_relaxed);
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
