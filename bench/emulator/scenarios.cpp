#include "bench/emulator/scenarios.hpp"

#include <rte_cycles.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace rf::bench {

using dataplane::ConvergenceProbe;
using dataplane::ConvergenceReport;
using dataplane::ProbeSpec;

namespace {

std::vector<std::uint32_t> range_idx(std::uint32_t first, std::uint32_t n) {
    std::vector<std::uint32_t> v(n);
    for (std::uint32_t i = 0; i < n; ++i)
        v[i] = first + i;
    return v;
}

// Hands `batch` to `inject` until it is taken (back-pressure: retried, bounded); returns its ticket, 0
// if it never was.
template <class Inject>
std::uint64_t inject_retrying(Inject inject, bool sleep_between) {
    std::uint64_t ticket = 0;
    for (int tries = 0; tries < 100000 && (ticket = inject()) == 0; ++tries) {
        if (sleep_between)
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        else
            std::this_thread::yield();
    }
    return ticket;
}

}  // namespace

std::uint32_t route_prefix(std::uint32_t i) {
    return 0x14000000U + (i << 8);
}

Ipv6Bytes route_prefix6(std::uint32_t i) {
    return Ipv6Bytes{0x20, 0x01, 0x0d, 0xb8, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
}

Ipv6Bytes nva_address6(std::uint8_t host) {
    Ipv6Bytes a{0xfd, 0x00, 0x00, 0x01, 0x00, 0x01};
    a[15] = host;
    return a;
}

NextHopSets initial_next_hops(const Options& o) {
    NextHopSets s;
    for (std::uint32_t i = 0; i < o.ecmp; ++i) {
        s.nvas.push_back(0x0A010104 + i);                                   // 10.1.1.4, ...
        s.nvas6.push_back(nva_address6(static_cast<std::uint8_t>(4 + i)));  // fd00:1:1::4, ...
    }
    if (o.routes6 == 0)
        s.nvas6.clear();
    return s;
}

void load_initial_routes(RouteProducer& producer, const Options& o, const NextHopSets& sets) {
    constexpr std::size_t kChunk = 4096;
    std::uint64_t ticket = 0;
    std::vector<RouteUpdate> chunk;
    for (std::uint32_t first = 0; first < o.routes; first += kChunk) {
        chunk.clear();
        for (std::uint32_t i = first; i < std::min<std::uint32_t>(o.routes, first + kChunk); ++i)
            chunk.push_back(RouteUpdate{route_prefix(i), 24, sets.nvas});
        ticket = inject_retrying([&] { return producer.inject(chunk); }, true);
    }
    std::vector<RouteUpdate6> chunk6;
    for (std::uint32_t first = 0; first < o.routes6; first += kChunk) {
        chunk6.clear();
        for (std::uint32_t i = first; i < std::min<std::uint32_t>(o.routes6, first + kChunk); ++i)
            chunk6.push_back(RouteUpdate6{route_prefix6(i), 48, sets.nvas6});
        const std::uint64_t t = inject_retrying([&] { return producer.inject6(chunk6); }, true);
        if (t == 0)
            std::fprintf(stderr, "rf-emulator: IPv6 routes refused (no IPv6 tables in this source?)\n");
        ticket = std::max(ticket, t);
    }
    for (int i = 0; i < 5000 && !producer.visible(ticket); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    producer.housekeeping();
}

void ScenarioRunner::run(const std::string& name) {
    const auto repeat = [&](auto scenario) {
        for (unsigned r = 0; r < o_.repeat; ++r)
            (this->*scenario)();
    };
    if (name == "rate")
        run_rate();
    else if (name == "prefix")
        repeat(&ScenarioRunner::run_prefix);
    else if (name == "bulk")
        repeat(&ScenarioRunner::run_bulk);
    else if (name == "peer-down")
        repeat(&ScenarioRunner::run_peer_down);
    else if (name == "churn")
        for (auto rate : o_.churn_rates)
            run_churn(rate);
    else if (name == "prefix6")
        repeat(&ScenarioRunner::run_prefix6);
    else if (name == "bulk6")
        repeat(&ScenarioRunner::run_bulk6);
    else if (name == "peer-down6")
        repeat(&ScenarioRunner::run_peer_down6);
    else
        std::printf("unknown scenario %s\n", name.c_str());
    log_.print_summary();
}

std::uint64_t ScenarioRunner::inject_and_publish(const std::vector<RouteUpdate>& batch) {
    const std::uint64_t ticket = inject_retrying([&] { return producer_.inject(batch); }, false);
    const std::uint64_t deadline = rte_rdtsc() + 5 * rte_get_tsc_hz();
    // Yield rather than spin: the FIB's writer thread may share this CPU.
    while (!producer_.visible(ticket)) {
        if (rte_rdtsc() > deadline)
            return 0;
        std::this_thread::yield();
    }
    const std::uint64_t t = rte_rdtsc();
    producer_.housekeeping();
    return t;
}

void ScenarioRunner::restore6(const std::vector<RouteUpdate6>& batch) {
    const std::uint64_t ticket = inject_retrying([&] { return producer_.inject6(batch); }, false);
    const std::uint64_t deadline = rte_rdtsc() + 5 * rte_get_tsc_hz();
    while (ticket != 0 && !producer_.visible(ticket) && rte_rdtsc() < deadline)
        std::this_thread::yield();
    producer_.housekeeping();
}

ProbeSpec ScenarioRunner::spec_for(const std::string& name, const std::vector<std::uint32_t>& idx,
                                   std::vector<std::uint32_t> include, std::vector<std::uint32_t> exclude,
                                   bool all_affected) const {
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

ProbeSpec ScenarioRunner::spec_for6(const std::string& name, const std::vector<std::uint32_t>& idx,
                                    std::vector<Ipv6Bytes> include, std::vector<Ipv6Bytes> exclude,
                                    bool all_affected) const {
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

template <class Inject>
ConvergenceReport ScenarioRunner::measure(ProbeSpec spec, Inject inject) {
    ConvergenceProbe& probe = emu_.probe();
    // T0 is the change handed to the FIB, taken after arming: the probe's own set-up is not part of what
    // is measured.
    ConvergenceProbe::Run& run = probe.arm(std::move(spec), 0);
    run.t0_tsc = rte_rdtsc();  // read only by report(), on this thread
    const std::uint64_t ticket = inject_retrying(inject, false);
    producer_.watch_visibility(probe, ticket);  // the writer reports the visible instant
    probe.wait(5.0);
    if (const std::uint64_t deadline = rte_rdtsc() + rte_get_tsc_hz(); !producer_.visible(ticket))
        while (!producer_.visible(ticket) && rte_rdtsc() < deadline)
            std::this_thread::sleep_for(std::chrono::microseconds(100));
    producer_.housekeeping();
    return probe.report(static_cast<double>(rte_get_tsc_hz()));
}

std::vector<RouteUpdate> ScenarioRunner::set_routes(const std::vector<std::uint32_t>& idx,
                                                    const std::vector<std::uint32_t>& nhs) const {
    std::vector<RouteUpdate> b;
    for (std::uint32_t i : idx)
        b.push_back(RouteUpdate{route_prefix(i), 24, nhs});
    return b;
}

std::vector<RouteUpdate6> ScenarioRunner::set_routes6(const std::vector<std::uint32_t>& idx,
                                                      const std::vector<Ipv6Bytes>& nhs) const {
    std::vector<RouteUpdate6> b;
    for (std::uint32_t i : idx)
        b.push_back(RouteUpdate6{route_prefix6(i), 48, nhs});
    return b;
}

void ScenarioRunner::settle() {
    emu_.probe().disarm();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

void ScenarioRunner::run_rate() {
    const auto before = emu_.totals();
    const std::uint64_t gen0 = emu_.generated();
    const std::uint64_t cpu0 = emu_.worker_cpu_ns();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(o_.rate_seconds));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto after = emu_.totals();
    const double gen = static_cast<double>(emu_.generated() - gen0);
    const double fwd = static_cast<double>(after.tx - before.tx);
    const double cpu = static_cast<double>(emu_.worker_cpu_ns() - cpu0) / 1e9;
    std::printf(
        "rate: %u worker(s), %.2f s wall, %.2f s worker CPU: forwarded %.2f Mpps wall-clock total; "
        "per worker core %.2f Mpps (%.1f ns/packet incl. generation); drops no-route %llu none %llu "
        "unresolved %llu\n",
        o_.workers, secs, cpu, fwd / secs / 1e6, cpu > 0 ? gen / cpu / 1e6 : 0.0,
        gen > 0 ? cpu * 1e9 / gen : 0.0,
        static_cast<unsigned long long>(after.drop_no_route - before.drop_no_route),
        static_cast<unsigned long long>(after.drop_none - before.drop_none),
        static_cast<unsigned long long>(after.drop_unresolved - before.drop_unresolved));
}

void ScenarioRunner::run_prefix() {
    const std::vector<std::uint32_t> idx{0};
    const auto change = set_routes(idx, {new_nva_});
    log_.add(measure(spec_for("single-prefix move {A,B}->{C}", idx, {new_nva_}, nvas_, false),
                     [&] { return producer_.inject(change); }));
    settle();
    inject_and_publish(set_routes(idx, nvas_));
    settle();
}

void ScenarioRunner::run_bulk() {
    const auto idx = range_idx(0, std::min(o_.bulk, o_.routes));
    const auto change = set_routes(idx, {new_nva_});
    log_.add(measure(
        spec_for(std::to_string(idx.size()) + "-prefix move {A,B}->{C}", idx, {new_nva_}, nvas_, false),
        [&] { return producer_.inject(change); }));
    settle();
    inject_and_publish(set_routes(idx, nvas_));
    settle();
}

void ScenarioRunner::run_peer_down() {
    if (nvas_.size() < 2) {
        std::puts("  peer-down: needs --ecmp >= 2");
        return;
    }
    const auto idx = range_idx(0, o_.routes);
    std::vector<std::uint32_t> survivors(nvas_.begin() + 1, nvas_.end());
    const auto change = set_routes(idx, survivors);
    auto spec = spec_for(
        "peer-down of ECMP member " + ipv4_text(nvas_[0]) + (o_.next_hop_down ? " (hint first)" : ""), idx,
        survivors, {nvas_[0]}, true);
    bool hinted = !o_.next_hop_down;
    log_.add(measure(std::move(spec), [&] {
        if (!hinted) {
            hinted = true;
            const std::uint32_t dead = nvas_[0];
            producer_.next_hops_down({&dead, 1}, {}, emu_.probe());
        }
        return producer_.inject(change);
    }));
    settle();
    inject_and_publish(set_routes(idx, nvas_));
    settle();
}

bool ScenarioRunner::have_routes6(const char* scenario) const {
    if (o_.routes6 != 0 && !nvas6_.empty())
        return true;
    std::printf("  %s: needs --routes6 N (IPv6 routes)\n", scenario);
    return false;
}

void ScenarioRunner::run_prefix6() {
    if (!have_routes6("prefix6"))
        return;
    const std::vector<std::uint32_t> idx{0};
    const auto change = set_routes6(idx, {new_nva6_});
    log_.add(measure(spec_for6("IPv6 single-prefix move {A,B}->{C}", idx, {new_nva6_}, nvas6_, false),
                     [&] { return producer_.inject6(change); }));
    settle();
    restore6(set_routes6(idx, nvas6_));
    settle();
}

void ScenarioRunner::run_bulk6() {
    if (!have_routes6("bulk6"))
        return;
    const auto idx = range_idx(0, std::min(o_.bulk, o_.routes6));
    const auto change = set_routes6(idx, {new_nva6_});
    log_.add(measure(spec_for6("IPv6 " + std::to_string(idx.size()) + "-prefix move {A,B}->{C}", idx,
                               {new_nva6_}, nvas6_, false),
                     [&] { return producer_.inject6(change); }));
    settle();
    restore6(set_routes6(idx, nvas6_));
    settle();
}

void ScenarioRunner::run_peer_down6() {
    if (!have_routes6("peer-down6"))
        return;
    if (nvas6_.size() < 2) {
        std::puts("  peer-down6: needs --ecmp >= 2");
        return;
    }
    const auto idx = range_idx(0, o_.routes6);
    std::vector<Ipv6Bytes> survivors(nvas6_.begin() + 1, nvas6_.end());
    const auto change = set_routes6(idx, survivors);
    auto spec = spec_for6(
        "IPv6 peer-down of ECMP member " + ipv6_text(nvas6_[0]) + (o_.next_hop_down ? " (hint first)" : ""),
        idx, survivors, {nvas6_[0]}, true);
    bool hinted = !o_.next_hop_down;
    log_.add(measure(std::move(spec), [&] {
        if (!hinted) {
            hinted = true;
            const Ipv6Bytes dead = nvas6_[0];
            producer_.next_hops_down({}, {&dead, 1}, emu_.probe());
        }
        return producer_.inject6(change);
    }));
    settle();
    restore6(set_routes6(idx, nvas6_));
    settle();
}

// Sustained churn at `rate` changes/s over every route but the probe prefix (route 0); every 100 ms a
// probed change moves route 0 between {A,B} and {C} in the middle of the churn.
void ScenarioRunner::run_churn(std::uint32_t rate) {
    if (o_.routes < 2)
        return;
    const std::uint64_t hz = rte_get_tsc_hz();
    const std::uint64_t start = rte_rdtsc();
    const std::uint64_t end = start + static_cast<std::uint64_t>(o_.churn_seconds * static_cast<double>(hz));
    std::vector<std::uint8_t> moved(o_.routes, 0);
    std::uint32_t cursor = 1;
    std::uint64_t tick = 0;
    double owed = 0;
    ChurnOutcome outcome;
    outcome.rate = rate;
    bool probe_on_c = false;
    bool probing = false;
    std::uint64_t probe_ticket = 0, last_probe = start;
    ConvergenceProbe& probe = emu_.probe();
    const std::uint64_t tick_len = hz / 1000;
    while (rte_rdtsc() < end) {
        const std::uint64_t now = rte_rdtsc();
        // Churn batch for this millisecond.
        owed += static_cast<double>(rate) / 1000.0;
        std::vector<RouteUpdate> batch;
        while (owed >= 1.0) {
            owed -= 1.0;
            const std::uint32_t i = cursor;
            cursor = cursor + 1 >= o_.routes ? 1 : cursor + 1;
            moved[i] ^= 1;
            batch.push_back(
                RouteUpdate{route_prefix(i), 24, moved[i] ? std::vector<std::uint32_t>{new_nva_} : nvas_});
        }
        if (!probing && now - last_probe > hz / 10) {
            probe_on_c = !probe_on_c;
            std::vector<std::uint32_t> include = probe_on_c ? std::vector<std::uint32_t>{new_nva_} : nvas_;
            std::vector<std::uint32_t> exclude = probe_on_c ? nvas_ : std::vector<std::uint32_t>{new_nva_};
            probe.arm(spec_for("churn probe", {0}, include, exclude, false), rte_rdtsc());
            batch.insert(batch.begin(), RouteUpdate{route_prefix(0), 24, include});
            probing = true;
            probe_ticket = 0;
            last_probe = now;
        }
        if (!batch.empty()) {
            const std::uint64_t t = producer_.inject(batch);
            if (t == 0) {
                ++outcome.refused;
                if (probing && probe_ticket == 0) {  // the probed change was refused with its batch
                    probe.disarm();
                    probing = false;
                }
            } else {
                outcome.changes += batch.size();
                if (probing && probe_ticket == 0) {
                    probe_ticket = t;
                    producer_.watch_visibility(probe, t);  // the FIB writer reports the visible instant
                }
            }
        }
        if (probing && probe_ticket != 0 && (probe.all_converged() || now - last_probe > hz)) {
            outcome.reports.push_back(probe.report(static_cast<double>(hz)));
            probing = false;
        }
        producer_.housekeeping();
        ++tick;
        // Sleep to the next tick rather than spin: this thread shares its CPU with the FIB writer.
        const std::uint64_t next = start + tick * tick_len, cur = rte_rdtsc();
        if (next > cur)
            std::this_thread::sleep_for(std::chrono::nanoseconds((next - cur) * 1000000000ULL / hz));
    }
    probe.disarm();
    outcome.seconds = tsc_us(rte_rdtsc() - start) / 1e6;
    print_churn(outcome, o_.quiet);
    // Restore every route to the initial set.
    std::vector<std::uint32_t> all;
    for (std::uint32_t i = 0; i < o_.routes; ++i)
        if (moved[i] || i == 0)
            all.push_back(i);
    inject_and_publish(set_routes(all, nvas_));
    settle();
}

}  // namespace rf::bench
