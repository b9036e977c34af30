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

RouteUpdate Ipv4Routes::route(std::uint32_t i, std::vector<Address> next_hops) {
    return RouteUpdate{route_prefix(i), 24, std::move(next_hops)};
}

void Ipv4Routes::add_probe(ProbeSpec& spec, std::uint32_t i, bool all_affected) {
    spec.probe_addrs.push_back(route_prefix(i) + 1);
    if (!all_affected)
        spec.affected.emplace_back(route_prefix(i), route_prefix(i) + 255);
}

void Ipv4Routes::set_path(ProbeSpec& spec, std::vector<Address> include, std::vector<Address> exclude) {
    spec.include = std::move(include);
    spec.exclude = std::move(exclude);
}

std::uint64_t Ipv4Routes::inject(RouteProducer& producer, const std::vector<Update>& batch) {
    return producer.inject(batch);
}

bool Ipv4Routes::next_hop_down(RouteProducer& producer, const Address& dead, ConvergenceProbe& probe) {
    return producer.next_hops_down({&dead, 1}, {}, probe);
}

std::string Ipv4Routes::text(const Address& a) {
    return ipv4_text(a);
}

RouteUpdate6 Ipv6Routes::route(std::uint32_t i, std::vector<Address> next_hops) {
    return RouteUpdate6{route_prefix6(i), 48, std::move(next_hops)};
}

void Ipv6Routes::add_probe(ProbeSpec& spec, std::uint32_t i, bool all_affected) {
    Ipv6Bytes probe = route_prefix6(i), last = route_prefix6(i);
    probe[15] = 1;
    std::fill(last.begin() + 6, last.end(), 0xFF);  // the /48's last address
    spec.probe_addrs6.push_back(probe);
    if (!all_affected)
        spec.affected6.emplace_back(route_prefix6(i), last);
}

void Ipv6Routes::set_path(ProbeSpec& spec, std::vector<Address> include, std::vector<Address> exclude) {
    spec.include6 = std::move(include);
    spec.exclude6 = std::move(exclude);
}

std::uint64_t Ipv6Routes::inject(RouteProducer& producer, const std::vector<Update>& batch) {
    return producer.inject6(batch);
}

bool Ipv6Routes::next_hop_down(RouteProducer& producer, const Address& dead, ConvergenceProbe& probe) {
    return producer.next_hops_down({}, {&dead, 1}, probe);
}

std::string Ipv6Routes::text(const Address& a) {
    return ipv6_text(a);
}

void ScenarioRunner::run(const std::string& name) {
    const auto repeat = [&](auto scenario) {
        for (unsigned r = 0; r < o_.repeat; ++r)
            scenario();
    };
    if (name == "rate") {
        run_rate();
    } else if (name == "prefix") {
        repeat([&] { run_move<Ipv4Routes>(1, "single"); });
    } else if (name == "bulk") {
        const std::uint32_t n = std::min(o_.bulk, o_.routes);
        repeat([&] { run_move<Ipv4Routes>(n, std::to_string(n)); });
    } else if (name == "peer-down") {
        repeat([&] { run_peer_down<Ipv4Routes>(); });
    } else if (name == "churn") {
        for (auto rate : o_.churn_rates)
            run_churn(rate);
    } else if (name == "prefix6") {
        repeat([&] {
            if (have_routes6(name))
                run_move<Ipv6Routes>(1, "single");
        });
    } else if (name == "bulk6") {
        const std::uint32_t n = std::min(o_.bulk, o_.routes6);
        repeat([&] {
            if (have_routes6(name))
                run_move<Ipv6Routes>(n, std::to_string(n));
        });
    } else if (name == "peer-down6") {
        repeat([&] {
            if (have_routes6(name))
                run_peer_down<Ipv6Routes>();
        });
    } else {
        std::printf("unknown scenario %s\n", name.c_str());
    }
    log_.print_summary();
}

bool ScenarioRunner::have_routes6(const std::string& scenario) const {
    if (o_.routes6 != 0 && !sets_.nvas6.empty())
        return true;
    std::printf("  %s: needs --routes6 N (IPv6 routes)\n", scenario.c_str());
    return false;
}

template <>
const std::vector<std::uint32_t>& ScenarioRunner::initial_set<Ipv4Routes>() const {
    return sets_.nvas;
}
template <>
const std::vector<Ipv6Bytes>& ScenarioRunner::initial_set<Ipv6Routes>() const {
    return sets_.nvas6;
}
template <>
std::uint32_t ScenarioRunner::moved_to<Ipv4Routes>() const {
    return new_nva_;
}
template <>
Ipv6Bytes ScenarioRunner::moved_to<Ipv6Routes>() const {
    return new_nva6_;
}
template <>
std::uint32_t ScenarioRunner::route_count<Ipv4Routes>() const {
    return o_.routes;
}
template <>
std::uint32_t ScenarioRunner::route_count<Ipv6Routes>() const {
    return o_.routes6;
}

template <class Family>
std::vector<typename Family::Update> ScenarioRunner::set_routes(
    std::uint32_t count, const std::vector<typename Family::Address>& next_hops) const {
    std::vector<typename Family::Update> b;
    for (std::uint32_t i = 0; i < count; ++i)
        b.push_back(Family::route(i, next_hops));
    return b;
}

template <class Family>
ProbeSpec ScenarioRunner::spec_for(const std::string& name, const std::vector<std::uint32_t>& idx,
                                   std::vector<typename Family::Address> include,
                                   std::vector<typename Family::Address> exclude, bool all_affected) const {
    ProbeSpec s;
    s.name = name;
    for (std::uint32_t i : idx)
        Family::add_probe(s, i, all_affected);
    Family::set_path(s, std::move(include), std::move(exclude));
    return s;
}

template <class Family>
void ScenarioRunner::restore(const std::vector<typename Family::Update>& batch) {
    const std::uint64_t ticket = inject_retrying([&] { return Family::inject(producer_, batch); }, false);
    const std::uint64_t deadline = rte_rdtsc() + 5 * rte_get_tsc_hz();
    // Yield rather than spin: the FIB's writer thread may share this CPU.
    while (ticket != 0 && !producer_.visible(ticket) && rte_rdtsc() < deadline)
        std::this_thread::yield();
    producer_.housekeeping();
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

template <class Family>
void ScenarioRunner::run_move(std::uint32_t count, const std::string& how_many) {
    const auto& initial = initial_set<Family>();
    const auto to = moved_to<Family>();
    const std::string name = Family::kLabel + how_many + "-prefix move {A,B}->{C}";
    const auto change = set_routes<Family>(count, {to});
    log_.add(measure(spec_for<Family>(name, range_idx(0, count), {to}, initial, false),
                     [&] { return Family::inject(producer_, change); }));
    settle();
    restore<Family>(set_routes<Family>(count, initial));
    settle();
}

template <class Family>
void ScenarioRunner::run_peer_down() {
    const auto& initial = initial_set<Family>();
    if (initial.size() < 2) {
        std::printf("  peer-down%s: needs --ecmp >= 2\n", Family::kSuffix);
        return;
    }
    const std::uint32_t count = route_count<Family>();
    const std::vector<typename Family::Address> survivors(initial.begin() + 1, initial.end());
    const auto change = set_routes<Family>(count, survivors);
    auto spec = spec_for<Family>(std::string(Family::kLabel) + "peer-down of ECMP member " +
                                     Family::text(initial[0]) + (o_.next_hop_down ? " (hint first)" : ""),
                                 range_idx(0, count), survivors, {initial[0]}, true);
    bool hinted = !o_.next_hop_down;
    log_.add(measure(std::move(spec), [&] {
        if (!hinted) {
            hinted = true;
            Family::next_hop_down(producer_, initial[0], emu_.probe());
        }
        return Family::inject(producer_, change);
    }));
    settle();
    restore<Family>(set_routes<Family>(count, initial));
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
            batch.push_back(RouteUpdate{route_prefix(i), 24,
                                        moved[i] ? std::vector<std::uint32_t>{new_nva_} : sets_.nvas});
        }
        if (!probing && now - last_probe > hz / 10) {
            probe_on_c = !probe_on_c;
            std::vector<std::uint32_t> include =
                probe_on_c ? std::vector<std::uint32_t>{new_nva_} : sets_.nvas;
            std::vector<std::uint32_t> exclude =
                probe_on_c ? sets_.nvas : std::vector<std::uint32_t>{new_nva_};
            probe.arm(spec_for<Ipv4Routes>("churn probe", {0}, include, exclude, false), rte_rdtsc());
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
    std::vector<RouteUpdate> restore_batch;
    for (std::uint32_t i = 0; i < o_.routes; ++i)
        if (moved[i] || i == 0)
            restore_batch.push_back(Ipv4Routes::route(i, sets_.nvas));
    restore<Ipv4Routes>(restore_batch);
    settle();
}

}  // namespace rf::bench
