// RIB micro-benchmarks (in-process, no sockets): the route-server work behind N peers × K prefixes.
//
//   BM_RibPropagation/N/K  every peer announces K distinct /24s (UPDATEs of 500 NLRI, one attribute set
//                          per peer); timed: apply_update for all of them + drain_outbound, i.e. Loc-RIB,
//                          FIB deltas and the encoded Adj-RIB-Out of every peer (each peer receives the
//                          other N-1 peers' routes). items/s = prefixes ingested per second;
//                          routes_out/s = prefixes delivered to peers per second (N-1 per prefix);
//                          heap_B_per_prefix = heap the RIB holds afterwards / (N×K) (glibc mallinfo2);
//                          heap_MiB = the same in total.
//   BM_RibSharedPropagation/N/K  every peer announces the SAME K prefixes (equal AS-path lengths): N
//                          paths per prefix, ECMP sets, path hiding for the best path's peer.
//   BM_RibPeerDown/N/K     the same table loaded (not timed), then every peer goes down one after the
//                          other; timed: the withdrawal sweeps (Loc-RIB, deltas, withdrawals encoded for
//                          the remaining peers). items/s = prefixes withdrawn per second.
//   BM_RibInitialTable/N/K the same table loaded (not timed); timed: peer_up of one more peer, i.e. its
//                          whole initial Adj-RIB-Out (N×K routes) encoded + End-of-RIB.
// Input: prefix i of peer p is 10.0.0.0/8 + ((p*K + i) << 8) as a /24 (or 11.x beyond), next hop
// 100.64.p.1, AS path [65000+p], ORIGIN IGP. All peers negotiate the same options (one update group).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "control/rib/rib.hpp"

namespace {

// Heap in use: small chunks plus mmap-ed large blocks (the big hash tables).
double heap_in_use() {
    const auto mi = mallinfo2();
    return static_cast<double>(mi.uordblks + mi.hblkhd);
}

using namespace rf;

constexpr std::size_t kNlriPerUpdate = 500;

class CountingSink final : public fib::DeltaSink {
public:
    bool publish(std::span<const fib::RouteDelta> batch) override {
        deltas += batch.size();
        return true;
    }
    std::uint64_t deltas = 0;
};

rib::PeerConfig peer_config(std::uint32_t p) {
    rib::PeerConfig c;
    c.id = p + 1;
    c.asn = 65000 + p;
    c.address = net::IpAddress::v4(net::Ipv4Address{0x0A010000U + p + 1});
    c.bgp_identifier = net::Ipv4Address{0xC0000200U + p + 1};
    c.route_limit = 0;
    c.local_address_v4 = net::IpAddress::v4(net::Ipv4Address{0x0A01FFFEU});
    return c;
}

// The UPDATEs each peer sends.
// shared: every peer announces the same K prefixes (else peer p's are p*K .. p*K+K-1).
std::vector<std::vector<bgp::DecodedUpdate>> make_updates(std::uint32_t peers, std::uint32_t k,
                                                          bool shared = false) {
    std::vector<std::vector<bgp::DecodedUpdate>> all(peers);
    for (std::uint32_t p = 0; p < peers; ++p) {
        bgp::PathAttributes a;
        a.origin = bgp::Origin::Igp;
        a.as_path = bgp::AsPath{{bgp::AsSegment{bgp::AsSegmentType::Sequence, {65000 + p}}}};
        a.next_hop = net::Ipv4Address{0x64400001U + (p << 8)};
        for (std::uint32_t i = 0; i < k; i += kNlriPerUpdate) {
            bgp::DecodedUpdate u;
            u.update.attributes = a;
            for (std::uint32_t j = i; j < std::min<std::uint32_t>(k, i + kNlriPerUpdate); ++j) {
                const std::uint32_t n = shared ? j : p * k + j;
                u.update.nlri.push_back(
                    bgp::Nlri{net::Prefix::v4(net::Ipv4Address{0x0A000000U + (n << 8)}, 24), 0});
            }
            all[p].push_back(std::move(u));
        }
    }
    return all;
}

struct Loaded {
    CountingSink sink;
    std::unique_ptr<rib::RouteServerRib> rib;
    std::size_t out_buffers = 0;
    std::size_t out_bytes = 0;

    void drain() {
        for (auto& o : rib->drain_outbound()) {
            out_buffers += o.messages.size();
            for (const auto& b : o.messages) {
                out_bytes += b->size();
            }
        }
    }
};

std::unique_ptr<Loaded> start(std::uint32_t peers) {
    auto l = std::make_unique<Loaded>();
    l->rib = std::make_unique<rib::RouteServerRib>(rib::RibConfig{}, l->sink);
    for (std::uint32_t p = 0; p < peers; ++p) {
        benchmark::DoNotOptimize(l->rib->peer_up(peer_config(p)));
    }
    return l;
}

// Peers interleave, as they would on a real server. One call per UPDATE, drained after each; or
// `staged`: a round (one UPDATE from every peer, as the reads of one io-loop turn) staged into one call,
// as routefabricd's route server does.
void ingest(Loaded& l, const std::vector<std::vector<bgp::DecodedUpdate>>& updates, bool staged = false) {
    std::size_t rounds = 0;
    for (const auto& u : updates) {
        rounds = std::max(rounds, u.size());
    }
    for (std::size_t r = 0; r < rounds; ++r) {
        for (std::size_t p = 0; p < updates.size(); ++p) {
            if (r >= updates[p].size()) {
                continue;
            }
            const auto id = static_cast<rib::PeerId>(p + 1);
            if (staged) {
                benchmark::DoNotOptimize(l.rib->stage_update(id, updates[p][r]));
            } else {
                benchmark::DoNotOptimize(l.rib->apply_update(id, updates[p][r]));
                l.drain();
            }
        }
        if (staged) {
            l.rib->finish_staged();
            l.drain();
        }
    }
}

void BM_RibPropagation(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    const auto k = static_cast<std::uint32_t>(state.range(1));
    const auto updates = make_updates(n, k);
    std::size_t out_bytes = 0;
    double heap_per_prefix = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const double heap_before = heap_in_use();
        auto l = start(n);
        state.ResumeTiming();
        ingest(*l, updates);
        state.PauseTiming();
        out_bytes = l->out_bytes;
        // Heap held by the RIB once everything is sent (Loc-RIB, Adj-RIB-In, interned attributes).
        heap_per_prefix = (heap_in_use() - heap_before) / (static_cast<double>(n) * k);
        l.reset();  // teardown not timed
        state.ResumeTiming();
    }
    const double prefixes = static_cast<double>(n) * k;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n * k));
    state.counters["routes_out"] = benchmark::Counter(
        prefixes * (n - 1) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["out_MB_per_group"] = static_cast<double>(out_bytes) / (n - 1) / 1e6;
    state.counters["heap_B_per_prefix"] = heap_per_prefix;
    state.counters["heap_MiB"] = heap_per_prefix * prefixes / (1024.0 * 1024.0);
}

// Every peer announces the SAME K prefixes with equal AS-path lengths: each prefix has N paths, an ECMP
// set of min(N, 8), and the best path's peer receives the second best (path hiding) while the others
// receive the best. Timed like BM_RibPropagation; heap per path = heap / (N×K).
// Third argument 1: each round of UPDATEs staged into one RIB call (RouteServerRib::stage_update).
void BM_RibSharedPropagation(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    const auto k = static_cast<std::uint32_t>(state.range(1));
    const bool staged = state.range(2) != 0;
    const auto updates = make_updates(n, k, true);
    double heap_per_path = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const double heap_before = heap_in_use();
        auto l = start(n);
        state.ResumeTiming();
        ingest(*l, updates, staged);
        state.PauseTiming();
        heap_per_path = (heap_in_use() - heap_before) / (static_cast<double>(n) * k);
        l.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n * k));
    state.counters["heap_B_per_path"] = heap_per_path;
}

void BM_RibPeerDown(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    const auto k = static_cast<std::uint32_t>(state.range(1));
    const auto updates = make_updates(n, k);
    for (auto _ : state) {
        state.PauseTiming();
        auto l = start(n);
        ingest(*l, updates);
        state.ResumeTiming();
        for (std::uint32_t p = 0; p < n; ++p) {
            l->rib->peer_down(p + 1);
            l->drain();
        }
        state.PauseTiming();
        l.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n * k));
}

void BM_RibInitialTable(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    const auto k = static_cast<std::uint32_t>(state.range(1));
    const auto updates = make_updates(n, k);
    auto l = start(n);
    ingest(*l, updates);
    std::uint32_t next = n;
    for (auto _ : state) {
        auto t = l->rib->peer_up(peer_config(next));
        benchmark::DoNotOptimize(t);
        state.PauseTiming();
        l->rib->peer_down(next + 1);
        // A change invalidates the cached table, so every iteration encodes it again.
        bgp::DecodedUpdate withdraw;
        withdraw.update.withdrawn.push_back(updates[0][0].update.nlri[0]);
        l->rib->apply_update(1, withdraw);
        l->rib->apply_update(1, updates[0][0]);
        l->drain();
        ++next;
        state.ResumeTiming();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n * k));
}

void sizes(benchmark::internal::Benchmark* b) {
    b->Args({8, 1000})->Args({8, 10000})->Args({32, 10000})->Args({64, 20000});
    b->Unit(benchmark::kMillisecond);  // CPU time: the machine is shared, wall time is noisy
}

BENCHMARK(BM_RibPropagation)->Apply(sizes);
BENCHMARK(BM_RibSharedPropagation)
    ->ArgsProduct({{8}, {10000, 100000}, {0, 1}})
    ->Args({32, 10000, 0})
    ->Args({32, 10000, 1})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RibPeerDown)->Apply(sizes);
BENCHMARK(BM_RibInitialTable)->Apply(sizes);

}  // namespace

BENCHMARK_MAIN();
