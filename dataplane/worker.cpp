#include "dataplane/worker.hpp"

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

namespace rf::dataplane {

namespace {
constexpr unsigned kMinAdaptiveBurst = 4;

std::uint64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}
}  // namespace

Worker::Worker(const WorkerSetup& setup, unsigned index)
    : setup_(setup),
      index_(index),
      reader_(setup.config.first_reader_id + index),
      tx_(setup.ports, static_cast<std::uint16_t>(index), counters.tx_failures),
      neighbor_lookup_(setup.neighbors, setup.neighbors6, setup.lab, setup.config.nva_port),
      path_{setup.source, neighbor_lookup_,         tx_,
            setup.ports,  setup.config.fabric_port, setup.config.internet_port},
      convergence_check_(setup.source) {
    max_burst_ = burst_ = std::clamp(setup.config.burst, 1U, kMaxBurst);
    counters.burst.store(burst_, std::memory_order_relaxed);
}

Worker::~Worker() {
    rte_mempool_free(pool_);
}

bool Worker::create_pool(std::string* error) {
    pool_ = create_mbuf_pool(setup_.config.name + "-w" + std::to_string(reader_), setup_.config.mbufs, 256,
                             error);
    return pool_ != nullptr;
}

void Worker::run() {
    counters.tid.store(static_cast<std::int64_t>(::gettid()), std::memory_order_relaxed);
    begin_cpu_accounting();
    setup_.source.reader_online(reader_);
    const std::uint64_t target = rte_get_tsc_hz() * setup_.config.pass_target_us / 1000000;
    while (!setup_.stop.load(std::memory_order_relaxed)) {
        const std::uint64_t begin = rte_rdtsc();
        adopt_layout();
        pass();
        if (target != 0)
            adapt_burst(rte_rdtsc() - begin, target);
    }
    tx_.flush_all();
    setup_.source.reader_offline(reader_);
}

void Worker::run_passes(std::uint64_t passes) {
    counters.tid.store(static_cast<std::int64_t>(::gettid()), std::memory_order_relaxed);
    begin_cpu_accounting();
    setup_.source.reader_online(reader_);
    for (std::uint64_t p = 0; p < passes; ++p) {
        adopt_layout();
        pass();
    }
    tx_.flush_all();
    setup_.source.reader_offline(reader_);
}

// Between two passes: switch to the emulator's current layout when it changed. Generations, not
// pointers, are compared (a new layout may reuse a freed one's address).
void Worker::adopt_layout() {
    const Layout* cur = setup_.layout.load(std::memory_order_acquire);
    if (cur->generation == generation_)
        return;
    layout_ = cur;
    generation_ = cur->generation;
    hosts_ = &cur->worker_hosts[index_];
    cursor_.assign(hosts_->size(), 0);
    cursor6_.assign(hosts_->size(), 0);
    seen_generation.store(generation_, std::memory_order_release);
}

// One pass: one burst per owned host, then the transmit buffers are drained.
void Worker::pass() {
    for (std::size_t i = 0; i < hosts_->size(); ++i)
        host_burst(i);
    tx_.flush_all();
    bump(counters.passes);
    const std::uint64_t now = thread_cpu_ns();
    if (cpu_start_ == 0)
        cpu_start_ = now;
    counters.cpu_ns.store(cpu_base_ + (now - cpu_start_), std::memory_order_relaxed);
}

// Pass-time target (EmulatorConfig::pass_target_us): every host gets one burst per pass, so a change
// reaches the last host at most one pass after it is published. Every 16 passes the burst is scaled
// toward the target from the fastest of those passes (a pass the worker spent partly off-CPU says
// nothing about the burst size); it shrinks at once and grows at most halfway per step.
void Worker::adapt_burst(std::uint64_t took, std::uint64_t target) {
    fastest_pass_ = std::min(fastest_pass_, took);
    if (++adapt_passes_ < 16)
        return;
    const double want = static_cast<double>(burst_) * static_cast<double>(target) /
                        static_cast<double>(std::max<std::uint64_t>(fastest_pass_, 1));
    unsigned next = static_cast<unsigned>(
        std::clamp(want, static_cast<double>(kMinAdaptiveBurst), static_cast<double>(max_burst_)));
    if (next > burst_)
        next = burst_ + std::max(1U, (next - burst_) / 2);
    burst_ = std::min(next, max_burst_);
    counters.burst.store(burst_, std::memory_order_relaxed);
    adapt_passes_ = 0;
    fastest_pass_ = ~0ULL;
}

// A new run (possibly on another thread) continues the CPU-time count from where the last stopped.
void Worker::begin_cpu_accounting() {
    last_burst_tsc_ = 0;
    stall_ticks_ = rte_get_tsc_hz() * setup_.config.stall_threshold_us / 1000000;
    cpu_base_ = counters.cpu_ns.load(std::memory_order_relaxed);
    cpu_start_ = thread_cpu_ns();
}

void Worker::host_burst(std::size_t local) {
    const std::uint32_t h = (*hosts_)[local];
    const Host& host = layout_->topo->hosts[h];
    const FlowTable& ft = *layout_->flows;
    const std::uint32_t count = host.vm_count * ft.flows_per_vm;
    const std::uint32_t count6 = host.vm_count * ft.flows6_per_vm;
    if (count == 0 && count6 == 0)
        return;
    // IPv6 packets in the proportion of the VMs' IPv6 flows (at least one per burst when any).
    unsigned n6 = 0;
    if (count6 != 0)
        n6 = count == 0 ? burst_
                        : std::max(1U, burst_ * ft.flows6_per_vm / (ft.flows_per_vm + ft.flows6_per_vm));
    rte_mbuf* pkts[kMaxBurst];
    if (rte_pktmbuf_alloc_bulk(pool_, pkts, burst_) != 0) {
        bump(counters.alloc_failures);
        setup_.source.quiescent(reader_);
        return;
    }
    TableId tables[kMaxBurst];
    const unsigned n4 = generate(local, host, pkts, tables, n6);
    bump(counters.packets, burst_);
    bump(counters.bursts);
    const std::uint64_t now = rte_rdtsc();
    note_burst_time(now);
    HostCounters& hc = layout_->counters[h];
    // The armed measurement, if it has a slot for this host (runs are sized for the layout they were
    // armed under; replace_layout() disarms a run of another size).
    ConvergenceProbe::Run* run = setup_.probe.current();
    if (run == nullptr || h >= run->hosts) {
        NoProbe none;
        forward(hc, none, pkts, tables, n4, n6);
    } else {
        ArmedProbe armed(*run, h, now);
        forward(hc, armed, pkts, tables, n4, n6);
        if (run->converged_tsc[h].load(std::memory_order_relaxed) == 0) {
            if (const std::uint64_t lookups = convergence_check_.check(*run, h, host, now); lookups != 0)
                bump(counters.probe_lookups, lookups);
        }
    }
    setup_.source.quiescent(reader_);
}

unsigned Worker::generate(std::size_t local, const Host& host, rte_mbuf** pkts, TableId* tables,
                          unsigned n6) {
    const FlowTable& ft = *layout_->flows;
    const std::uint32_t first = host.first_vm * ft.flows_per_vm;
    const std::uint32_t count = host.vm_count * ft.flows_per_vm;
    const std::uint32_t first6 = host.first_vm * ft.flows6_per_vm;
    const std::uint32_t count6 = host.vm_count * ft.flows6_per_vm;
    const unsigned n4 = burst_ - n6;
    std::uint32_t& cur = cursor_[local];
    for (unsigned i = 0; i < n4; ++i) {
        const Flow& f = ft.flows[first + cur];
        if (++cur == count)
            cur = 0;
        write_packet(pkts[i], f.tuple);
        tables[i] = f.table;
    }
    std::uint32_t& cur6 = cursor6_[local];
    for (unsigned i = n4; i < burst_; ++i) {
        const Flow6& f = ft.flows6[first6 + cur6];
        if (++cur6 == count6)
            cur6 = 0;
        write_packet6(pkts[i], f.tuple);
        tables[i] = f.table;
    }
    return n4;
}

// Scheduling: a gap between two consecutive host bursts longer than the stall threshold means every
// host of this worker waited that long for its next packet (the worker was off-CPU or interrupted).
void Worker::note_burst_time(std::uint64_t now) {
    if (last_burst_tsc_ != 0 && now - last_burst_tsc_ > stall_ticks_) {
        bump(counters.stalls);
        if (now - last_burst_tsc_ > counters.max_gap_tsc.load(std::memory_order_relaxed))
            counters.max_gap_tsc.store(now - last_burst_tsc_, std::memory_order_relaxed);
    }
    last_burst_tsc_ = now;
}

template <class Probe>
void Worker::forward(HostCounters& hc, Probe& probe, rte_mbuf** pkts, const TableId* tables, unsigned n4,
                     unsigned n6) {
    if (n4 != 0)
        path_.forward<Ipv4Packets>(hc, probe, pkts, tables, n4);
    if (n6 != 0) {
        path_.forward<Ipv6Packets>(hc, probe, pkts + n4, tables + n4, n6);
        bump(counters.packets6, n6);
    }
}

}  // namespace rf::dataplane
