// FIB micro-benchmarks (docs/benchmarks.md, "FIB updater and lookups").
//
// Routes: N distinct random IPv4 prefixes outside the lab VNet (10.1.0.0/16), lengths drawn like a
// BGP table (≈60 % /24, 35 % /16–/23, 5 % /25–/32), next hops = ECMP sets over 8 NVAs. The table is
// the default lab's one effective route table. Destinations for lookups are drawn uniformly from the
// installed prefixes. Reader threads (0/1/2) look up flat out in the background during update runs.
// BM_Load reports the writer thread's CPU time next to wall time (the shared VM's load inflates wall);
// BM_TableMemory compares lazy, shared lookup structures with one structure per table.
//
//   fib_bench --benchmark_filter=...   (EAL: lab mode, -m 3072; RF_EAL_ARGS adds EAL arguments)
//   RF_FIB_ENGINE=rte_fib runs the same benchmarks on the rte_fib left-right engine (default: dir24).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dataplane/eal.hpp"
#include "fib/dpdk.hpp"
#include "fib/fib.hpp"
#include "fib/reader.hpp"
#include "fib/updater.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wcast-align"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wvolatile"
#endif
#include <rte_malloc.h>
#pragma GCC diagnostic pop

namespace {

using namespace rf;
using Clock = std::chrono::steady_clock;

struct Route {
    net::Prefix prefix;
    std::uint32_t ecmp;  // index into the ECMP set list
};

std::vector<net::IpAddress> ecmp_set(std::uint32_t i) {
    // 8 NVAs 10.1.1.4..11; set i = the NVAs whose bit is set in (i % 255) + 1.
    std::vector<net::IpAddress> out;
    const std::uint32_t bits = i % 255 + 1;
    for (std::uint32_t b = 0; b < 8; ++b) {
        if ((bits & (1U << b)) != 0) {
            out.push_back(net::IpAddress::v4(net::Ipv4Address{0x0A010104U + b}));
        }
    }
    return out;
}

std::vector<Route> make_routes(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::unordered_set<net::Prefix, net::PrefixHash> seen;
    std::vector<Route> out;
    out.reserve(n);
    while (out.size() < n) {
        const int r = static_cast<int>(rng() % 100);
        std::uint8_t len = 24;
        if (r >= 60 && r < 95) {
            len = static_cast<std::uint8_t>(16 + rng() % 8);
        } else if (r >= 95) {
            len = static_cast<std::uint8_t>(25 + rng() % 8);
        }
        std::uint32_t a = rng();
        if ((a >> 24) == 10 || (a >> 24) == 0 || (a >> 24) >= 224) {
            continue;  // keep clear of the VNet and special ranges
        }
        const net::Prefix p = net::Prefix::v4(net::Ipv4Address{a}, len);
        if (seen.insert(p).second) {
            out.push_back(Route{p, static_cast<std::uint32_t>(rng() % 16)});
        }
    }
    return out;
}

// The lookup engine every benchmark uses (RF_FIB_ENGINE=dir24|rte_fib); the in-place benchmarks use rte_fib.
fib::LookupEngine g_engine = fib::LookupEngine::Dir24;

const char* engine_name(fib::LookupEngine e) {
    return e == fib::LookupEngine::Dir24 ? "dir24" : "rte_fib";
}

// Resident memory of the process (/proc/self/statm), bytes.
std::size_t rss_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) {
        return 0;
    }
    unsigned long size = 0;
    unsigned long resident = 0;
    const int got = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    return got == 2 ? static_cast<std::size_t>(resident) * 4096 : 0;
}

fib::FibConfig config_for(std::size_t n, fib::LookupPath path = fib::LookupPath::Default,
                          bool left_right = true) {
    fib::FibConfig c;
    c.lookup.engine = left_right ? g_engine : fib::LookupEngine::RteFib;
    c.lookup.max_routes = static_cast<std::uint32_t>(std::max<std::size_t>(n + n / 8 + 64, 1024));
    // Prefixes longer than /24 (5 %) each need a tbl8 group; keep headroom for churn.
    c.lookup.num_tbl8 = static_cast<std::uint32_t>(std::max<std::size_t>(n / 10 + 256, 1024));
    c.lookup.path = path;
    c.lookup.left_right = left_right;
    c.max_groups = 4096;
    c.max_readers = 8;
    return c;
}

std::vector<fib::RouteDelta> deltas_for(const std::vector<Route>& routes, std::uint64_t& seq,
                                        std::uint32_t shift) {
    std::vector<fib::RouteDelta> out;
    out.reserve(routes.size());
    for (const Route& r : routes) {
        out.push_back(fib::RouteDelta{++seq, r.prefix, ecmp_set(r.ecmp + shift)});
    }
    return out;
}

std::size_t dpdk_heap_bytes() {
    rte_malloc_socket_stats s{};
    std::size_t total = 0;
    for (int sock = 0; sock < RTE_MAX_NUMA_NODES; ++sock) {
        if (rte_malloc_get_socket_stats(sock, &s) == 0) {
            total += s.heap_allocsz_bytes;
        }
    }
    return total;
}

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A loaded FIB, kept between benchmarks of the same size (building 1M routes takes a while).
struct Loaded {
    std::size_t n = 0;
    fib::LookupPath path = fib::LookupPath::Default;
    bool left_right = true;
    std::vector<Route> routes;
    std::unique_ptr<fib::Fib> fib;
    std::uint64_t seq = 0;
    double load_seconds = 0;
    std::size_t dpdk_bytes = 0;
};

Loaded g_loaded;  // reset in main() before EAL goes down

Loaded& loaded(std::size_t n, fib::LookupPath path = fib::LookupPath::Default, bool left_right = true) {
    Loaded& cache = g_loaded;
    if (cache.fib && cache.n == n && cache.path == path && cache.left_right == left_right) {
        return cache;
    }
    cache.fib.reset();
    cache = Loaded{};
    cache.n = n;
    cache.path = path;
    cache.left_right = left_right;
    cache.routes = make_routes(n, 42);
    const std::size_t heap0 = dpdk_heap_bytes();
    std::string error;
    cache.fib = fib::Fib::create(fib::default_lab(100, 4), config_for(n, path, left_right), &error);
    if (!cache.fib) {
        std::fprintf(stderr, "Fib::create: %s\n", error.c_str());
        std::abort();
    }
    cache.dpdk_bytes = dpdk_heap_bytes() - heap0;
    const auto batch = deltas_for(cache.routes, cache.seq, 0);
    const auto t0 = Clock::now();
    cache.fib->apply(batch);
    cache.load_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    cache.fib->sync(true);  // the second instance too, before anything is measured
    return cache;
}

std::vector<std::uint32_t> destinations(const std::vector<Route>& routes, std::size_t count) {
    std::mt19937 rng(7);
    std::vector<std::uint32_t> out(count);
    for (std::uint32_t& d : out) {
        const net::Prefix& p = routes[rng() % routes.size()].prefix;
        const std::uint32_t host = p.length >= 32 ? 0 : (0xFFFFFFFFU >> p.length);
        d = p.v4_address().value | (rng() & host);
    }
    return out;
}

// Reader threads looking up flat out (bursts of 64, quiescent after each) until stopped.
class BackgroundReaders {
public:
    BackgroundReaders(const fib::Fib& f, int count, const std::vector<std::uint32_t>& dst) {
        for (int i = 0; i < count; ++i) {
            threads_.emplace_back([this, &f, &dst, i] {
                fib::FibReader r(f, static_cast<unsigned>(i));
                std::uint64_t gid[64];
                std::size_t pos = static_cast<std::size_t>(i) * 4096;
                std::uint64_t n = 0;
                while (!stop_.load(std::memory_order_relaxed)) {
                    if (pos + 64 > dst.size()) {
                        pos = 0;
                    }
                    r.lookup_bulk(0, &dst[pos], gid, 64);
                    benchmark::DoNotOptimize(r.group(gid[0]));
                    pos += 64;
                    n += 64;
                    r.quiescent();
                }
                lookups_.fetch_add(n);
            });
        }
    }
    ~BackgroundReaders() { stop(); }
    std::uint64_t stop() {
        stop_.store(true);
        for (std::thread& t : threads_) {
            t.join();
        }
        threads_.clear();
        return lookups_.load();
    }

private:
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> lookups_{0};
    std::vector<std::thread> threads_;
};

// --- load -------------------------------------------------------------------------------------------

// Time to apply N routes as one batch into an empty FIB (what a full table load costs).
void BM_Load(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto routes = make_routes(n, 42);
    double total = 0;  // until visible to readers
    double both = 0;   // until the standby instance is programmed too
    double total_cpu = 0;
    double both_cpu = 0;
    for (auto _ : state) {
        state.PauseTiming();
        std::string error;
        std::uint64_t seq = 0;
        const auto batch = deltas_for(routes, seq, 0);
        const std::size_t heap0 = dpdk_heap_bytes();
        const std::size_t rss0 = rss_bytes();
        auto f = fib::Fib::create(fib::default_lab(100, 4), config_for(n), &error);
        state.ResumeTiming();
        const auto t0 = Clock::now();
        const double c0 = thread_cpu_seconds();
        f->apply(batch);
        total += std::chrono::duration<double>(Clock::now() - t0).count();
        total_cpu += thread_cpu_seconds() - c0;
        f->sync(true);
        both += std::chrono::duration<double>(Clock::now() - t0).count();
        both_cpu += thread_cpu_seconds() - c0;
        state.PauseTiming();
        const fib::FibStats s = f->stats();
        state.counters["dpdk_MiB_per_table"] = static_cast<double>(dpdk_heap_bytes() - heap0) / (1 << 20);
        state.counters["dpdk_B_per_route"] =
            static_cast<double>(dpdk_heap_bytes() - heap0) / static_cast<double>(n);
        // What the lookup structure says it holds (Dir24: tbl24 + tbl8 groups used + route ids + map),
        // and what the process gained in resident memory (FIB, groups, the Loc-RIB map; EAL memory with
        // --no-huge is anonymous memory too, counted as its pages are touched).
        state.counters["lookup_MiB"] = static_cast<double>(s.lookup_bytes) / (1 << 20);
        state.counters["rss_MiB"] = static_cast<double>(rss_bytes() - rss0) / (1 << 20);
        if (const fib::LookupTable* lt = f->lookup(0); lt != nullptr) {
            state.counters["entry_bytes"] = lt->entry_bytes();
        }
        state.counters["control_B_per_route"] = static_cast<double>(s.control_bytes) / static_cast<double>(n);
        state.counters["groups"] = static_cast<double>(s.groups.live);
        f.reset();
        state.ResumeTiming();
    }
    state.SetLabel(engine_name(g_engine));
    state.counters["visible_ms"] = total * 1e3 / static_cast<double>(state.iterations());
    state.counters["both_instances_ms"] = both * 1e3 / static_cast<double>(state.iterations());
    state.counters["visible_cpu_ms"] = total_cpu * 1e3 / static_cast<double>(state.iterations());
    state.counters["both_cpu_ms"] = both_cpu * 1e3 / static_cast<double>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(n) * state.iterations());
}

// --- peer-down: prefix-independent convergence ----------------------------------------------------------

// N prefixes, each over NVA A (10.1.1.4) and one of 7 others (7 ECMP pairs, N/7 prefixes each). A goes
// down: one batch gives every prefix its other member alone. range(1) = 1: FibConfig::repoint_groups on
// (the default: the 7 pairs are repointed in place, then the prefixes are moved one by one), 0: off.
// Reports when forwarding changed for all N prefixes (repoint_visible_us; the whole batch without a
// repoint) against the batch's total (visible_us), both wall time.
void BM_PeerDown(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const bool repoint = state.range(1) != 0;
    const auto routes = make_routes(n, 7);
    fib::FibConfig c = config_for(n);
    c.repoint_groups = repoint;
    std::string error;
    auto f = fib::Fib::create(fib::default_lab(100, 4), c, &error);
    if (!f) {
        state.SkipWithError(error.c_str());
        return;
    }
    const net::IpAddress a = net::IpAddress::v4(net::Ipv4Address{0x0A010104U});
    std::vector<fib::RouteDelta> up;
    std::vector<fib::RouteDelta> down;
    for (std::size_t i = 0; i < routes.size(); ++i) {
        const net::IpAddress other =
            net::IpAddress::v4(net::Ipv4Address{0x0A010105U + static_cast<std::uint32_t>(i % 7)});
        up.push_back(fib::RouteDelta{0, routes[i].prefix, {a, other}});
        down.push_back(fib::RouteDelta{0, routes[i].prefix, {other}});
    }
    std::uint64_t seq = 0;
    double switched = 0;
    double total = 0;
    std::size_t repointed = 0;
    for (auto _ : state) {
        state.PauseTiming();
        for (auto& d : up) {
            d.sequence = ++seq;
        }
        f->apply(up);
        f->sync(true);
        for (auto& d : down) {
            d.sequence = ++seq;
        }
        state.ResumeTiming();
        const auto t0 = Clock::now();
        const fib::ApplyResult r = f->apply(down);
        const double batch = std::chrono::duration<double>(Clock::now() - t0).count();
        total += batch;
        switched += r.repointed != 0 ? std::chrono::duration<double>(r.repoint_visible).count() : batch;
        repointed += r.repointed;
        state.PauseTiming();
        f->sync(true);
        state.ResumeTiming();
    }
    const auto it = static_cast<double>(state.iterations());
    state.counters["forwarding_switched_us"] = switched * 1e6 / it;
    state.counters["batch_visible_us"] = total * 1e6 / it;
    state.counters["groups_repointed"] = static_cast<double>(repointed) / it;
    state.SetLabel(engine_name(g_engine));
    state.SetItemsProcessed(static_cast<std::int64_t>(n) * state.iterations());
}
BENCHMARK(BM_PeerDown)
    ->ArgsProduct({{1000, 10000, 100000}, {1, 0}})
    ->Iterations(5)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// --- memory per table: lazy and shared lookup structures ----------------------------------------------

// A hub with `tables` subnets, each on its own route table: route tables come in identical pairs (the
// same two UDRs), and only every other pair's subnets hold VMs. range(1) = 1: lazy + shared structures
// (the default), 0: one structure per table. Reports DPDK memory in all and per table, no BGP routes.
void BM_TableMemory(benchmark::State& state) {
    const auto tables = static_cast<std::uint32_t>(state.range(0));
    const bool lazy = state.range(1) != 0;
    fib::VnetModel m = fib::default_lab(0, 1);
    for (std::uint32_t i = 0; i < tables; ++i) {
        fib::RouteTable rt;
        rt.name = "rt" + std::to_string(i);
        const auto pair = static_cast<std::uint8_t>(i / 2);
        rt.routes.push_back(fib::UserDefinedRoute{
            "u1", net::Prefix::v4(net::Ipv4Address{0xC0A80000U | (std::uint32_t{pair} << 8)}, 24),
            fib::UdrNextHopType::VirtualAppliance, net::IpAddress::v4(net::Ipv4Address{0x0A010104U})});
        m.route_tables.push_back(rt);
        const std::uint32_t base = 0x0A014000U + (i << 8);  // 10.1.64.0/24, 10.1.65.0/24, ...
        m.vnets[0].subnets.push_back(
            fib::Subnet{"s" + std::to_string(i), net::Prefix::v4(net::Ipv4Address{base}, 24), rt.name});
        if ((i / 2) % 2 == 0) {
            m.vms.push_back(fib::Vm{"vm" + std::to_string(i), "hub", "s" + std::to_string(i),
                                    net::IpAddress::v4(net::Ipv4Address{base + 4}), i});
        }
    }
    fib::FibConfig c = config_for(1000);
    c.lazy_tables = lazy;
    c.share_identical_tables = lazy;
    for (auto _ : state) {
        const std::size_t heap0 = dpdk_heap_bytes();
        std::string error;
        auto f = fib::Fib::create(m, c, &error);
        if (!f) {
            state.SkipWithError(error.c_str());
            return;
        }
        const fib::FibStats s = f->stats();
        const double mib = static_cast<double>(dpdk_heap_bytes() - heap0) / (1 << 20);
        state.counters["tables"] = static_cast<double>(s.tables);
        state.counters["structures"] = static_cast<double>(s.lookup_structures);
        state.counters["dpdk_MiB"] = mib;
        state.counters["dpdk_MiB_per_table"] = mib / static_cast<double>(s.tables);
        state.counters["lookup_MiB"] = static_cast<double>(s.lookup_bytes) / (1 << 20);
        state.counters["lookup_MiB_per_table"] =
            static_cast<double>(s.lookup_bytes) / (1 << 20) / static_cast<double>(s.tables);
    }
}
BENCHMARK(BM_TableMemory)->ArgsProduct({{8, 32}, {0, 1}})->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Load)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

// --- updates ----------------------------------------------------------------------------------------

// Next-hop changes of installed prefixes, `batch` deltas per Fib::apply(), with R background readers.
// Batches are built beforehand in two variants over the same prefixes (next-hop set X, then Y), applied
// alternately, so every delta is a real change and the loop times only Fib::apply().
void update_bench(benchmark::State& state, std::size_t batch_size, bool left_right = true) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const int readers = static_cast<int>(state.range(1));
    Loaded& l = loaded(n, fib::LookupPath::Default, left_right);
    const auto dst = destinations(l.routes, 1U << 20);
    // Google Benchmark calls this function several times: each run starts from other next-hop sets
    // than the previous one left, so repeated runs are not no-ops either.
    static std::uint32_t run = 0;
    ++run;
    std::mt19937 rng(3 + run);
    const std::size_t k = std::max<std::size_t>(1, 100000 / batch_size);
    // Two passes' worth of deltas; each occurrence of a prefix flips its next-hop set, and the second
    // pass uses other sets than the first, so that no delta is a no-op however often they repeat.
    std::vector<std::vector<fib::RouteDelta>> variant[2];
    std::vector<std::size_t> picks(k * batch_size);
    for (std::size_t& p : picks) {
        p = rng() % l.routes.size();
    }
    std::unordered_map<std::size_t, std::uint32_t> flips;
    for (int v = 0; v < 2; ++v) {
        flips.clear();
        for (std::size_t j = 0; j < k; ++j) {
            std::vector<fib::RouteDelta> b(batch_size);
            for (std::size_t i = 0; i < batch_size; ++i) {
                const std::size_t ri = picks[j * batch_size + i];
                const Route& r = l.routes[ri];
                const std::uint32_t f = flips[ri]++ % 2;
                b[i] = fib::RouteDelta{
                    0, r.prefix, ecmp_set(r.ecmp + 1 + f + 2 * static_cast<std::uint32_t>(v) + 4 * run)};
            }
            variant[v].push_back(std::move(b));
        }
    }
    BackgroundReaders bg(*l.fib, readers, dst);
    const std::uint64_t waits0 = l.fib->stats().grace_waits;
    const std::uint64_t ops0 = l.fib->stats().table_ops;
    std::size_t i = 0;
    for (auto _ : state) {
        auto& b = variant[(i / k) % 2][i % k];
        b.back().sequence = ++l.seq;
        l.fib->apply(b);
        ++i;
    }
    const std::uint64_t lookups = bg.stop();
    state.SetItemsProcessed(static_cast<std::int64_t>(batch_size) * state.iterations());
    state.counters["grace_waits"] = static_cast<double>(l.fib->stats().grace_waits - waits0);
    state.counters["table_ops_per_s"] =
        benchmark::Counter(static_cast<double>(l.fib->stats().table_ops - ops0), benchmark::Counter::kIsRate);
    state.counters["table_ops_per_delta"] = static_cast<double>(l.fib->stats().table_ops - ops0) /
                                            static_cast<double>(batch_size * state.iterations());
    state.counters["reader_Mlookups_per_s"] =
        benchmark::Counter(static_cast<double>(lookups) / 1e6, benchmark::Counter::kIsRate);
    state.SetLabel(left_right ? engine_name(g_engine) : "rte_fib in place");
}

void BM_UpdateSingle(benchmark::State& state) {
    update_bench(state, 1);
}
void BM_UpdateBatch10k(benchmark::State& state) {
    update_bench(state, 10000);
}
void size_reader_args(benchmark::internal::Benchmark* b) {
    for (int n : {1000, 10000, 100000, 1000000}) {
        for (int r : {0, 1, 2}) {
            b->Args({n, r});
        }
    }
}
// The cost of the left-right fix: the same updates programmed in place into one rte_fib instance, as
// plain 22.11 use would (unsafe with readers, so measured without any).
void BM_UpdateBatch10kInPlace(benchmark::State& state) {
    update_bench(state, 10000, false);
}
void BM_UpdateSingleInPlace(benchmark::State& state) {
    update_bench(state, 1, false);
}
BENCHMARK(BM_UpdateBatch10kInPlace)
    ->ArgsProduct({{10000, 100000, 1000000}, {0}})
    ->MinTime(0.5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UpdateSingleInPlace)->ArgsProduct({{10000, 100000, 1000000}, {0}})->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_UpdateSingle)->Apply(size_reader_args)->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_UpdateBatch10k)
    ->Apply(size_reader_args)
    ->MinTime(0.5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// --- publish latency through the updater ------------------------------------------------------------

double percentile(std::vector<double>& v, double q) {
    if (v.empty()) {
        return 0;
    }
    const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

// Publish → visible through the FibUpdater: latency from publish() accepting a batch until the writer
// has made the batch's last sequence visible (timestamped on the writer thread by the visibility
// observer). range(2) = deltas per batch; range(3) = offered load in deltas/s, 0 = closed loop (publish,
// wait until visible, repeat: latency without queueing). With a rate, batches are paced at that rate for
// at most kSeconds and the latency includes queueing; rejected publishes (back-pressure) are retried
// and counted.
void BM_PublishLatency(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const int readers = static_cast<int>(state.range(1));
    const auto batch_size = static_cast<std::size_t>(state.range(2));
    const auto rate = static_cast<double>(state.range(3));
    Loaded& l = loaded(n);
    const auto dst = destinations(l.routes, 1U << 20);
    constexpr double kSeconds = 1.0;
    const std::size_t count =
        rate > 0 ? static_cast<std::size_t>(rate * kSeconds / static_cast<double>(batch_size))
                 : std::size_t{300};
    std::vector<std::pair<std::uint64_t, Clock::time_point>> sent;
    std::vector<std::pair<std::uint64_t, Clock::time_point>> seen;
    sent.reserve(count);
    seen.reserve(count);
    std::vector<double> lat_us;
    std::uint64_t rejected = 0;
    std::uint64_t delivered = 0;
    double seconds = 0;
    static std::uint32_t run = 0;
    ++run;
    std::mt19937 rng(5 + run);
    // Pre-built batches (the producer's own cost is not the FIB's); each occurrence of a prefix flips
    // its next-hop set so that no delta is a no-op.
    std::vector<std::vector<fib::RouteDelta>> batches(count, std::vector<fib::RouteDelta>(batch_size));
    std::unordered_map<std::size_t, std::uint32_t> flips;
    for (auto _ : state) {
        state.PauseTiming();
        for (auto& b : batches) {
            for (fib::RouteDelta& d : b) {
                const std::size_t ri = rng() % l.routes.size();
                const Route& r = l.routes[ri];
                d = fib::RouteDelta{++l.seq, r.prefix, ecmp_set(r.ecmp + 1 + flips[ri]++ % 2 + 2 * run)};
            }
        }
        sent.clear();
        seen.clear();
        fib::UpdaterConfig uc;
        uc.queue_capacity = 1U << 16;
        uc.max_batch = 1U << 14;
        if (const char* p = std::getenv("RF_IDLE_POLL_US"); p != nullptr) {
            uc.idle_poll_us = static_cast<std::uint32_t>(std::atoi(p));
        }
        fib::FibUpdater up(*l.fib, uc);
        up.set_visibility_observer([&seen](std::uint64_t s) { seen.emplace_back(s, Clock::now()); });
        BackgroundReaders bg(*l.fib, readers, dst);
        up.start();
        state.ResumeTiming();
        const auto t0 = Clock::now();
        for (std::size_t i = 0; i < batches.size(); ++i) {
            const auto& b = batches[i];
            if (rate > 0) {
                const auto due =
                    t0 + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(i * batch_size) / rate));
                // Wait for the batch's time without holding a core the writer may need (2 vCPUs here:
                // a spinning producer beside a reader running flat out leaves the writer none).
                while (Clock::now() < due) {
                    std::this_thread::yield();
                }
            }
            // Timestamped before the (last) attempt: the writer may apply the batch and report it
            // before publish() returns to this thread.
            auto attempt = Clock::now();
            while (!up.publish(b)) {
                ++rejected;
                // Back-pressure: give the core to the writer (a spinning producer on this 2-vCPU VM
                // starves the very thread it waits for).
                std::this_thread::yield();
                attempt = Clock::now();
            }
            sent.emplace_back(b.back().sequence, attempt);
            if (rate <= 0) {
                up.wait_visible(b.back().sequence, std::chrono::seconds(10));
            }
        }
        up.wait_visible(batches.back().back().sequence, std::chrono::seconds(120));
        seconds += std::chrono::duration<double>(Clock::now() - t0).count();
        state.PauseTiming();
        up.stop();
        bg.stop();
        delivered += batches.size() * batch_size;
        std::size_t j = 0;
        for (const auto& [sq, t] : sent) {
            while (j < seen.size() && seen[j].first < sq) {
                ++j;
            }
            if (j < seen.size()) {
                lat_us.push_back(std::chrono::duration<double, std::micro>(seen[j].second - t).count());
            }
        }
        state.ResumeTiming();
    }
    state.counters["deltas_per_s"] = static_cast<double>(delivered) / seconds;
    state.counters["p50_us"] = percentile(lat_us, 0.50);
    state.counters["p90_us"] = percentile(lat_us, 0.90);
    state.counters["p99_us"] = percentile(lat_us, 0.99);
    state.counters["p999_us"] = percentile(lat_us, 0.999);
    state.counters["max_us"] = lat_us.empty() ? 0 : *std::max_element(lat_us.begin(), lat_us.end());
    state.counters["rejected_publishes"] = static_cast<double>(rejected);
    state.SetLabel(engine_name(g_engine));
}
void latency_args(benchmark::internal::Benchmark* b) {
    for (int n : {1000, 10000, 100000, 1000000}) {
        for (int r : {0, 1, 2}) {
            b->Args({n, r, 1, 0});           // closed loop, single deltas
            b->Args({n, r, 100, 0});         // closed loop, batches of 100
            b->Args({n, r, 100, 100000});    // 100k deltas/s offered, batches of 100
            b->Args({n, r, 1000, 1000000});  // the goal: 1M deltas/s offered, batches of 1000
            b->Args({n, r, 100, 1000000});   // the same rate in batches of 100 (10,000 publishes/s)
        }
    }
}
BENCHMARK(BM_PublishLatency)
    ->Apply(latency_args)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The machine's own floor for latency figures: `range(0)` threads (one per vCPU) do nothing but read the
// clock for a second; every gap between two reads above 20 µs is time the thread did not run (an
// interrupt, another task, or — on a VM — the host not running the vCPU). No FIB involved: whatever a
// latency percentile shows below these gaps' share of samples is the machine, not the FIB.
void BM_SchedulingJitter(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    std::vector<std::vector<double>> gaps(static_cast<std::size_t>(threads));
    for (auto _ : state) {
        std::vector<std::thread> ts;
        for (int t = 0; t < threads; ++t) {
            ts.emplace_back([&gaps, t] {
                auto& mine = gaps[static_cast<std::size_t>(t)];
                const auto end = Clock::now() + std::chrono::seconds(1);
                auto last = Clock::now();
                for (auto now = last; now < end; now = Clock::now()) {
                    const double us = std::chrono::duration<double, std::micro>(now - last).count();
                    if (us > 20) {
                        mine.push_back(us);
                    }
                    last = now;
                }
            });
        }
        for (std::thread& t : ts) {
            t.join();
        }
    }
    std::vector<double> all;
    for (const auto& g : gaps) {
        all.insert(all.end(), g.begin(), g.end());
    }
    const double seconds = static_cast<double>(state.iterations()) * threads;
    double lost = 0;
    for (double g : all) {
        lost += g;
    }
    auto over = [&all, seconds](double us) {
        return static_cast<double>(std::count_if(all.begin(), all.end(), [us](double g) { return g > us; })) /
               seconds;
    };
    state.counters["gaps_over_20us_per_s"] = over(20);
    state.counters["gaps_over_100us_per_s"] = over(100);
    state.counters["gaps_over_1ms_per_s"] = over(1000);
    state.counters["max_gap_us"] = all.empty() ? 0 : *std::max_element(all.begin(), all.end());
    state.counters["time_lost_pct"] = lost / (seconds * 1e6) * 100;
}
BENCHMARK(BM_SchedulingJitter)->Arg(1)->Arg(2)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

// --- lookups ----------------------------------------------------------------------------------------

// Bulk lookups of 64 destinations on one core; range(1): 0 = rte_fib default (scalar unless AVX-512
// is enabled), 1 = scalar, 2 = AVX-512.
void BM_Lookup(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto path = static_cast<fib::LookupPath>(state.range(1));
    Loaded& l = loaded(n, path);
    const auto dst = destinations(l.routes, 1U << 22);
    fib::FibReader r(*l.fib, 0);
    std::uint64_t gid[64];
    std::size_t pos = 0;
    for (auto _ : state) {
        if (pos + 64 > dst.size()) {
            pos = 0;
        }
        r.lookup_bulk(0, &dst[pos], gid, 64);
        benchmark::DoNotOptimize(gid);
        pos += 64;
        r.quiescent();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 64);
    const fib::LookupTable* lt = l.fib->lookup(0);
    state.SetLabel(std::string(engine_name(g_engine)) + " " +
                   (path == fib::LookupPath::Avx512
                        ? (lt != nullptr && lt->avx512() ? "avx512" : "avx512-unavailable")
                    : path == fib::LookupPath::Scalar ? "scalar"
                                                      : "default"));
}
BENCHMARK(BM_Lookup)->ArgsProduct({{1000, 10000, 100000, 1000000}, {1, 2}})->MinTime(0.5);

// The same, resolving each id to its group and picking a member by flow hash (what a host does).
void BM_LookupAndPick(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    Loaded& l = loaded(n, fib::LookupPath::Avx512);
    const auto dst = destinations(l.routes, 1U << 22);
    fib::FibReader r(*l.fib, 0);
    std::uint64_t gid[64];
    std::size_t pos = 0;
    for (auto _ : state) {
        if (pos + 64 > dst.size()) {
            pos = 0;
        }
        r.lookup_bulk(0, &dst[pos], gid, 64);
        for (unsigned i = 0; i < 64; ++i) {
            benchmark::DoNotOptimize(r.pick(gid[i], dst[pos + i] * 2654435761U));
        }
        pos += 64;
        r.quiescent();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 64);
}
BENCHMARK(BM_LookupAndPick)->Arg(10000)->Arg(1000000)->MinTime(0.5);

// --- rte_lpm, for comparison (RCU-capable in 22.11, but a flat rule array per depth) ---------------

struct Lpm {
    rte_lpm* lpm = nullptr;
    std::vector<Route> routes;
    double add_seconds = 0;
};

Lpm g_lpm;  // freed in main() before EAL goes down

Lpm& lpm_loaded(std::size_t n) {
    Lpm& cache = g_lpm;
    if (cache.lpm != nullptr && cache.routes.size() == n) {
        return cache;
    }
    if (cache.lpm != nullptr) {
        rte_lpm_free(cache.lpm);
    }
    cache = Lpm{};
    cache.routes = make_routes(n, 42);
    rte_lpm_config c{};
    c.max_rules = static_cast<std::uint32_t>(n + 16);
    c.number_tbl8s = static_cast<std::uint32_t>(std::max<std::size_t>(n / 8 + 256, 1024));
    cache.lpm = rte_lpm_create(("lpm" + std::to_string(n)).c_str(), SOCKET_ID_ANY, &c);
    if (cache.lpm == nullptr) {
        std::fprintf(stderr, "rte_lpm_create failed\n");
        std::abort();
    }
    const auto t0 = Clock::now();
    for (const Route& r : cache.routes) {
        rte_lpm_add(cache.lpm, r.prefix.v4_address().value, r.prefix.length, 1 + r.ecmp);
    }
    cache.add_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return cache;
}

void BM_LpmLoad(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        Lpm& l = lpm_loaded(n);
        state.SetIterationTime(l.add_seconds);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(n) * state.iterations());
}
BENCHMARK(BM_LpmLoad)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_LpmLookupX4(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    Lpm& l = lpm_loaded(n);
    const auto dst = destinations(l.routes, 1U << 22);
    std::uint32_t hop[4];
    std::size_t pos = 0;
    for (auto _ : state) {
        if (pos + 64 > dst.size()) {
            pos = 0;
        }
        for (unsigned i = 0; i < 64; i += 4) {
            xmm_t ip = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&dst[pos + i]));
            rte_lpm_lookupx4(l.lpm, ip, hop, 0);
            benchmark::DoNotOptimize(hop);
        }
        pos += 64;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 64);
}
BENCHMARK(BM_LpmLookupX4)->Arg(1000)->Arg(10000)->Arg(100000)->MinTime(0.5);

}  // namespace

int main(int argc, char** argv) {
    rf::dataplane::EalOptions o;
    o.memory_mb = 3072;
    o.log_level = "*:error";
    if (const char* extra = std::getenv("RF_EAL_ARGS"); extra != nullptr) {
        std::istringstream in(extra);
        for (std::string a; in >> a;) {
            o.extra_args.push_back(a);
        }
    }
    if (const char* e = std::getenv("RF_FIB_ENGINE"); e != nullptr && std::string(e) == "rte_fib") {
        g_engine = rf::fib::LookupEngine::RteFib;
    }
    std::string error;
    if (!rf::dataplane::start_eal(o, &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    g_loaded = Loaded{};
    if (g_lpm.lpm != nullptr) {
        rte_lpm_free(g_lpm.lpm);
        g_lpm.lpm = nullptr;
    }
    rf::dataplane::stop_eal();
    return 0;
}
