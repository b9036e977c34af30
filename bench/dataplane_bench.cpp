// Data-plane micro-benchmarks (dataplane/): ECMP member selection, and one worker's full forwarding
// path per packet — generate, bulk lookup, ECMP, L2 rewrite, transmit to a net_null sink, quiescent
// report — at 6,000 VMs with 1k and 10k routes, for the FIB (rte_fib, AVX-512 when available) and the
// stand-alone rte_lpm source. The worker runs on the benchmark thread (one core).
// rf-emulator is the macro benchmark (rates on lcores, convergence); see docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>
#include <thread>

#include "dataplane/eal.hpp"
#include "dataplane/ecmp.hpp"
#include "dataplane/emulator.hpp"
#include "dataplane/route_producer.hpp"
#ifdef RF_DATAPLANE_HAVE_FIB
#include "dataplane/fib_route_source.hpp"
#endif

using namespace rf::dataplane;

namespace {

void BM_SelectMember(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    std::vector<std::uint32_t> members;
    for (std::uint32_t i = 0; i < n; ++i)
        members.push_back(0x0A010104 + i);
    std::mt19937_64 rng(1);
    std::vector<std::uint64_t> flows(4096);
    for (auto& f : flows)
        f = rng();
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(select_member(flows[i++ & 4095], members.data(), n));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_SelectMember)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(32);

struct Setup {
    std::unique_ptr<RouteProducer> producer;
    FlowTable flows;
    std::unique_ptr<Emulator> emu;
};

// (routes, source: 0 = FIB, 1 = rte_lpm) → a 6,000-VM lab with its routes loaded.
Setup* setup(std::uint32_t routes, int source) {
    static std::map<std::pair<std::uint32_t, int>, std::unique_ptr<Setup>> cache;
    auto& slot = cache[{routes, source}];
    if (slot)
        return slot.get();
    auto s = std::make_unique<Setup>();
    std::string error;
    if (source == 0) {
#ifdef RF_DATAPLANE_HAVE_FIB
        s->producer = FibProducer::create(make_lab_model(6000, 16), routes, &error);
#endif
    } else {
        LabSpec lab;
        s->producer = LpmProducer::create(lab, 0x0A010000, 16, routes + 16, &error);
    }
    if (!s->producer)
        return nullptr;
    std::vector<RouteUpdate> batch;
    for (std::uint32_t i = 0; i < routes; ++i)
        batch.push_back(RouteUpdate{0x14000000U + (i << 8), 24, {0x0A010104, 0x0A010105}});
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
    slot = std::move(s);
    return slot.get();
}

void BM_ForwardPass(benchmark::State& state) {
    Setup* s = setup(static_cast<std::uint32_t>(state.range(0)), static_cast<int>(state.range(1)));
    if (s == nullptr) {
        state.SkipWithError("set-up failed");
        return;
    }
    s->emu->run_passes(1);  // warm
    const std::uint64_t before = s->emu->generated();
    for (auto _ : state)
        s->emu->run_passes(1);  // one burst of 32 from each of the 375 hosts
    state.SetItemsProcessed(static_cast<std::int64_t>(s->emu->generated() - before));
    state.SetLabel(state.range(1) == 0 ? "fib" : "lpm");
}
BENCHMARK(BM_ForwardPass)
    ->ArgNames({"routes", "src"})
    ->Args({1000, 0})
    ->Args({10000, 0})
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
    EalConfig eal;
    eal.lcores = 1;
    eal.memory_mb = 1536;
    eal.vdevs = {"net_null0", "net_null1"};
    std::string error;
    if (!eal_init(eal, &error)) {
        std::fprintf(stderr, "dataplane_bench: %s\n", error.c_str());
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    // The cached set-ups (FIB writer threads, ports) are left to process exit: skip static destructors
    // that would run after EAL teardown.
    eal_shutdown();
    std::_Exit(0);
}
