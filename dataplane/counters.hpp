// Forwarding counters. Each worker owns its counters (one writer), so increments are plain load+store on
// relaxed atomics — no locked instructions on the fast path — and any thread may read a consistent-enough
// snapshot at any time.
#pragma once

#include <atomic>
#include <cstdint>

namespace rf::dataplane {

inline void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

struct HostCounters {
    std::atomic<std::uint64_t> tx{0};               // packets handed to a port
    std::atomic<std::uint64_t> drop_no_route{0};    // LPM miss
    std::atomic<std::uint64_t> drop_none{0};        // next hop type None
    std::atomic<std::uint64_t> drop_unresolved{0};  // next hop without ARP resolution yet
};

struct HostTotals {
    std::uint64_t tx = 0, drop_no_route = 0, drop_none = 0, drop_unresolved = 0;
    HostTotals& operator+=(const HostCounters& c) {
        tx += c.tx.load(std::memory_order_relaxed);
        drop_no_route += c.drop_no_route.load(std::memory_order_relaxed);
        drop_none += c.drop_none.load(std::memory_order_relaxed);
        drop_unresolved += c.drop_unresolved.load(std::memory_order_relaxed);
        return *this;
    }
    HostTotals& operator+=(const HostTotals& c) {
        tx += c.tx;
        drop_no_route += c.drop_no_route;
        drop_none += c.drop_none;
        drop_unresolved += c.drop_unresolved;
        return *this;
    }
    [[nodiscard]] std::uint64_t drops() const { return drop_no_route + drop_none + drop_unresolved; }
};

struct alignas(64) WorkerCounters {
    std::atomic<std::uint64_t> bursts{0};
    std::atomic<std::uint64_t> packets{0};         // generated (IPv4 and IPv6)
    std::atomic<std::uint64_t> packets6{0};        // of which IPv6
    std::atomic<std::uint64_t> alloc_failures{0};  // mbuf pool empty
    std::atomic<std::uint64_t> tx_failures{0};     // port refused the packet (freed, counted)
    std::atomic<std::uint64_t> probe_lookups{0};
    // CPU time the worker thread has used (CLOCK_THREAD_CPUTIME_ID, updated once per pass): forwarding
    // rate per core = packets / cpu_ns, which stays meaningful when the machine is shared.
    std::atomic<std::uint64_t> cpu_ns{0};
    // Scheduling: gaps between two consecutive host bursts longer than the stall threshold (the worker
    // was off-CPU or interrupted: every host it owns waited that long for its next packet), the longest
    // gap (TSC ticks), and the worker's thread id (for /proc/self/task/<tid>/schedstat).
    std::atomic<std::uint64_t> stalls{0};
    std::atomic<std::uint64_t> max_gap_tsc{0};
    std::atomic<std::uint64_t> passes{0};
    std::atomic<std::int64_t> tid{0};
    std::atomic<std::uint32_t> burst{0};  // current host burst (adapted to the pass-time target)
};

// A worker's scheduling as the kernel and the worker saw it (Emulator::scheduling()).
struct SchedulingStats {
    std::uint64_t run_ns = 0;       // on CPU (schedstat)
    std::uint64_t runqueue_ns = 0;  // runnable but waiting for a CPU (schedstat)
    std::uint64_t stalls = 0;       // burst-to-burst gaps above the threshold
    std::uint64_t max_gap_tsc = 0;
    std::uint64_t passes = 0;
    SchedulingStats& operator+=(const SchedulingStats& o) {
        run_ns += o.run_ns;
        runqueue_ns += o.runqueue_ns;
        stalls += o.stalls;
        max_gap_tsc = max_gap_tsc > o.max_gap_tsc ? max_gap_tsc : o.max_gap_tsc;
        passes += o.passes;
        return *this;
    }
};

}  // namespace rf::dataplane
