// One emulator worker: owns a share of the current layout's hosts and, per pass, gives each of them one
// burst — generate the VMs' packets, forward them (forwarding_loop.hpp), check the armed convergence probe
// for the host, report quiescent state to the route source's RCU — then drains its transmit buffers.
// Between passes it adopts the emulator's current layout if it changed and scales its burst toward the
// pass-time target. Runs on an EAL worker lcore or a thread (Emulator::start), or synchronously
// (Emulator::run_passes). Internal to the emulator (emulator.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/counters.hpp"
#include "dataplane/emulator.hpp"
#include "dataplane/forwarding_loop.hpp"
#include "dataplane/layout.hpp"
#include "dataplane/neighbor_lookup.hpp"
#include "dataplane/port_io.hpp"
#include "dataplane/probe_checks.hpp"

struct rte_mbuf;
struct rte_mempool;

namespace rf::dataplane {

// What a worker reads that its emulator owns; everything outlives the worker.
struct WorkerSetup {
    const EmulatorConfig& config;
    bool lab;  // neighbours are resolved by the neighbour service (ARP, NDP)
    RouteSource& source;
    NeighborTable& neighbors;
    NeighborTable6& neighbors6;
    ConvergenceProbe& probe;
    const PortSet& ports;
    const std::atomic<const Layout*>& layout;  // the current layout
    const std::atomic<bool>& stop;             // run() returns when set
};

class Worker {
public:
    Worker(const WorkerSetup& setup, unsigned index);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Each worker allocates from its own pool (like l3fwd's per-lcore pools): sinks free mbufs back to
    // mbuf->pool, so a pool is only ever touched by its worker and the thread that drains a port.
    bool create_pool(std::string* error);
    [[nodiscard]] const rte_mempool* pool() const { return pool_; }

    void run();                             // until the stop flag is set
    void run_passes(std::uint64_t passes);  // a fixed number of passes at a fixed burst

    [[nodiscard]] const NeighborLookup& neighbor_lookup() const { return neighbor_lookup_; }
    WorkerCounters counters;
    std::atomic<std::uint64_t> seen_generation{0};  // the layout this worker uses (replace_layout waits)

private:
    void adopt_layout();
    void pass();
    void adapt_burst(std::uint64_t took, std::uint64_t target);
    void begin_cpu_accounting();
    void host_burst(std::size_t local);
    // Fills `pkts` with the host's next flows (IPv4 first, then IPv6) and their tables; returns the IPv4
    // count.
    unsigned generate(std::size_t local, const Host& host, rte_mbuf** pkts, TableId* tables, unsigned n6);
    void note_burst_time(std::uint64_t now);
    template <class Probe>
    void forward(HostCounters& hc, Probe& probe, rte_mbuf** pkts, const TableId* tables, unsigned n4,
                 unsigned n6);

    WorkerSetup setup_;
    unsigned index_;
    unsigned reader_;  // RCU reader id
    rte_mempool* pool_ = nullptr;
    TxBuffers tx_;
    NeighborLookup neighbor_lookup_;
    ForwardingPath path_;
    HostConvergenceCheck convergence_check_;
    const Layout* layout_ = nullptr;  // adopted at a pass start (adopt_layout)
    std::uint64_t generation_ = 0;
    const std::vector<std::uint32_t>* hosts_ = nullptr;  // this worker's hosts in layout_
    std::vector<std::uint32_t> cursor_, cursor6_;        // per local host: next flow
    unsigned burst_ = 32, max_burst_ = 32;
    unsigned adapt_passes_ = 0;
    std::uint64_t fastest_pass_ = ~0ULL;
    std::uint64_t cpu_base_ = 0, cpu_start_ = 0;
    std::uint64_t last_burst_tsc_ = 0, stall_ticks_ = 0;
};

}  // namespace rf::dataplane
