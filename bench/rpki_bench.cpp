// RPKI origin validation (control/rpki): loading a ROA table and validating routes against it, the issue's
// 1 M routes against 500 k ROAs among the sizes. Input: IPv4 ROAs of /12../24 (the bulk of the real
// table is /24 and /16-/22) at random addresses, max length equal to the length or up to /24, 65,000
// origin ASes; routes are random /24s of which about half fall under some ROA, their origin the ROA's AS
// or another. Reports ns per route, the share per outcome, and the table's slot memory.
#include <benchmark/benchmark.h>

#include <array>
#include <random>
#include <vector>

#include "control/rpki/roa_table.hpp"

namespace {

using rf::rpki::Roa;
using rf::rpki::RoaTable;
using rf::rpki::Validity;

rf::net::Prefix v4(std::uint32_t address, std::uint8_t length) {
    return rf::net::PackedV4Prefix::of(address, length).prefix();
}

std::vector<Roa> make_roas(std::size_t n, std::mt19937& rng) {
    std::vector<Roa> roas;
    roas.reserve(n);
    std::uniform_int_distribution<std::uint32_t> addr(0x01000000U, 0xDFFFFFFFU);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t pick = rng() % 100;
        const std::uint8_t len = pick < 60 ? 24 : static_cast<std::uint8_t>(12 + rng() % 12);
        const std::uint8_t max = rng() % 2 == 0 ? len : 24;
        roas.push_back(Roa{v4(addr(rng), len), max, 1 + static_cast<std::uint32_t>(rng() % 65000)});
    }
    return roas;
}

std::uint32_t v4_word(const rf::net::Prefix& p) {
    return rf::net::PackedV4Prefix::of(p).address();
}

struct Route {
    rf::net::Prefix prefix;
    std::uint32_t origin;
};

std::vector<Route> make_routes(std::size_t n, const std::vector<Roa>& roas, std::mt19937& rng) {
    std::vector<Route> routes;
    routes.reserve(n);
    std::uniform_int_distribution<std::uint32_t> addr(0x01000000U, 0xDFFFFFFFU);
    for (std::size_t i = 0; i < n; ++i) {
        if (rng() % 2 == 0) {  // under a ROA: its own origin (mostly) or another
            const Roa& r = roas[rng() % roas.size()];
            const std::uint32_t host_bits = r.prefix.length >= 32 ? 0 : ~0U >> r.prefix.length;
            const std::uint32_t host = v4_word(r.prefix) | (static_cast<std::uint32_t>(rng()) & host_bits);
            routes.push_back(Route{v4(host, 24), rng() % 4 == 0 ? r.asn + 1 : r.asn});
        } else {
            routes.push_back(Route{v4(addr(rng), 24), 1 + static_cast<std::uint32_t>(rng() % 65000)});
        }
    }
    return routes;
}

void BM_RoaTableLoad(benchmark::State& state) {
    std::mt19937 rng(1);
    const auto roas = make_roas(static_cast<std::size_t>(state.range(0)), rng);
    std::size_t bytes = 0;
    for (auto _ : state) {
        RoaTable t;
        for (const Roa& r : roas) {
            t.add(r);
        }
        bytes = t.slot_bytes();
        benchmark::DoNotOptimize(t.size());
    }
    state.counters["ns_per_roa"] =
        benchmark::Counter(static_cast<double>(roas.size()),
                           benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    state.counters["slot_MiB"] = static_cast<double>(bytes) / (1024.0 * 1024.0);
}
BENCHMARK(BM_RoaTableLoad)->Arg(100000)->Arg(500000)->Unit(benchmark::kMillisecond);

void BM_RoaValidate(benchmark::State& state) {
    std::mt19937 rng(2);
    const auto roas = make_roas(static_cast<std::size_t>(state.range(0)), rng);
    const auto routes = make_routes(static_cast<std::size_t>(state.range(1)), roas, rng);
    RoaTable t;
    for (const Roa& r : roas) {
        t.add(r);
    }
    std::array<std::size_t, 4> outcome{};
    for (auto _ : state) {
        outcome = {};
        for (const Route& r : routes) {
            ++outcome[static_cast<std::size_t>(t.validate(r.prefix, r.origin))];
        }
        benchmark::DoNotOptimize(outcome);
    }
    const double n = static_cast<double>(routes.size());
    state.counters["ns_per_route"] =
        benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    state.counters["valid_share"] =
        static_cast<double>(outcome[static_cast<std::size_t>(Validity::Valid)]) / n;
    state.counters["invalid_share"] =
        static_cast<double>(outcome[static_cast<std::size_t>(Validity::Invalid)]) / n;
    state.counters["table_slot_MiB"] = static_cast<double>(t.slot_bytes()) / (1024.0 * 1024.0);
}
BENCHMARK(BM_RoaValidate)->Args({500000, 1000000})->Args({50000, 100000})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
