// Data-plane micro-benchmarks (dataplane/): ECMP member selection as the forwarding path runs it
// (GroupView::pick, the FIB's rendezvous selection), and one worker's full forwarding path per packet —
// generate, bulk lookup, ECMP, L2 rewrite, transmit to a net_null sink, quiescent report — at 6,000 VMs
// with 1k and 10k routes, for the FIB (rte_fib, AVX-512 when available) and the stand-alone rte_lpm
// source, with no convergence probe armed and with one armed that never converges (every host checks its
// probe address after every burst, every packet goes through the probe's hooks). The worker runs on the
// benchmark thread (one core); items/s is packets per second on that core.
// rf-emulator is the macro benchmark (rates on lcores, convergence); see docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>
#include <thread>
#include <tuple>

#include "bench/emulator/route_producer.hpp"
#include "dataplane/eal.hpp"
#include "dataplane/emulator.hpp"
#include "dataplane/flow_hash.hpp"
#ifdef RF_DATAPLANE_HAVE_FIB
#include "bench/emulator/fib_producer.hpp"
#endif

using namespace rf::dataplane;
using rf::bench::LpmProducer;
using rf::bench::RouteProducer;
using rf::bench::RouteUpdate;

namespace {

constexpr std::uint32_t kNvaA = 0x0A010104, kNvaB = 0x0A010105;

void BM_GroupPick(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    std::vector<std::uint8_t> members;  // IPv4, network order, as a route source hands them over
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t a = kNvaA + i;
        members.insert(members.end(), {static_cast<std::uint8_t>(a >> 24), static_cast<std::uint8_t>(a >> 16),
                                       static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a)});
    }
    GroupView v;
    v.kind = NextHopKind::Ip;
    v.count = n;
    v.members = members.data();
    std::mt19937_64 rng(1);
    std::vector<std::uint64_t> flows(4096);
    for (auto& f : flows)
        f = rng();
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(v.pick(flows[i++ & 4095]));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_GroupPick)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(32);

struct Setup {
    std::unique_ptr<RouteProducer> producer;
    FlowTable flows;
    std::unique_ptr<Emulator> emu;
};

// (routes, source: 0 = FIB, 1 = rte_lpm) → a 6,000-VM lab with its routes loaded over {A, B}.
Setup* setup(std::uint32_t routes, int source) {
    static std::map<std::pair<std::uint32_t, int>, std::unique_ptr<Setup>> cache;
    auto& cached = cache[{routes, source}];
    if (cached)
        return cached.get();
    auto s = std::make_unique<Setup>();
    std::string error;
    if (source == 0) {
#ifdef RF_DATAPLANE_HAVE_FIB
        s->producer = rf::bench::FibProducer::create(rf::bench::make_lab_model(6000, 16), routes, &error);
#endif
    } else {
        LabSpec lab;
        s->producer = LpmProducer::create(lab, 0x0A010000, 16, routes + 16, &error);
    }
    if (!s->producer)
        return nullptr;
    std::vector<RouteUpdate> batch;
    for (std::uint32_t i = 0; i < routes; ++i)
        batch.push_back(RouteUpdate{0x14000000U + (i << 8), 24, {kNvaA, kNvaB}});
    std::uint64_t ticket = 0;
    for (std::size_t off = 0; off < batch.size(); off += 4096) {
        std::vector<RouteUpdate> chunk(
            batch.begin() + static_cast<std::ptrdiff_t>(off),
            batch.begin() + static_cast<std::ptrdiff_t>(std::min(batch.size(), off + 4096)));
        for (int t = 0; t < 100000 && (ticket = s->producer->inject(chunk)) == 0; ++t)
            std::this_thread::yield();
    }
    for (int t = 0; t < 10000 && !s->producer->visible(ticket); ++t)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    s->flows = make_flows(s->producer->topology(), 8, s->producer->destinations(), 42);
    EmulatorConfig ec;
    ec.workers = 1;
    ec.nva_port = 0;
    ec.fabric_port = ec.internet_port = 1;
    ec.use_lcores = false;
    ec.name = "bench" + std::to_string(routes) + "-" + std::to_string(source);
    s->emu = Emulator::create(ec, s->producer->source(), s->producer->topology(), s->flows, &error);
    if (!s->emu)
        return nullptr;
    cached = std::move(s);
    return cached.get();
}

// A measurement that stays pending for the whole benchmark: peer-down of A expected on every
// destination while every route still has {A, B}.
ProbeSpec pending_peer_down() {
    ProbeSpec spec;
    spec.name = "never converges";
    spec.probe_addrs = {0x14000001};
    spec.include = {kNvaB};
    spec.exclude = {kNvaA};
    return spec;
}

void BM_ForwardPass(benchmark::State& state) {
    Setup* s = setup(static_cast<std::uint32_t>(state.range(0)), static_cast<int>(state.range(1)));
    if (s == nullptr) {
        state.SkipWithError("set-up failed");
        return;
    }
    const bool probe = state.range(2) != 0;
    if (probe)
        s->emu->probe().arm(pending_peer_down(), 0);
    s->emu->run_passes(1);  // warm
    const std::uint64_t before = s->emu->generated();
    for (auto _ : state)
        s->emu->run_passes(1);  // one burst of 32 from each of the 375 hosts
    state.SetItemsProcessed(static_cast<std::int64_t>(s->emu->generated() - before));
    state.SetLabel(std::string(state.range(1) == 0 ? "fib" : "lpm") +
                   (probe ? ", probe armed" : ", no probe"));
    s->emu->probe().disarm();
}
BENCHMARK(BM_ForwardPass)
    ->ArgNames({"routes", "src", "probe"})
    ->Args({1000, 0, 0})
    ->Args({1000, 0, 1})
    ->Args({10000, 0, 0})
    ->Args({10000, 0, 1})
    ->Args({1000, 1, 0})
    ->Args({1000, 1, 1})
    ->Args({10000, 1, 0})
    ->Args({10000, 1, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
    EalOptions eal;
    eal.lcores = 1;
    eal.memory_mb = 1536;
    eal.vdevs = {"net_null0", "net_null1"};
    std::string error;
    if (!start_eal(eal, &error)) {
        std::fprintf(stderr, "dataplane_bench: %s\n", error.c_str());
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    // The cached set-ups (FIB writer threads, ports) are left to process exit: skip static destructors
    // that would run after EAL teardown.
    stop_eal();
    std::fflush(nullptr);  // _Exit does not flush: the report may sit in stdout's buffer (a pipe)
    std::_Exit(0);
}
