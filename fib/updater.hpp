// The FIB's input: a bounded queue of RIB deltas (rf::fib::DeltaSink) and the one writer thread that
// drains it in batches into Fib::apply().
//
// Ownership and costs: publish() copies the deltas into preallocated slots (the producer pays the copy;
// slots keep their vectors' capacity); the writer moves them out. A batch that does not fit is refused
// whole and counted — the producer keeps it and retries (explicit back-pressure, never silent loss).
// The writer drains up to max_batch deltas at a time, so a burst becomes one Fib::apply() with
// per-prefix coalescing; when the queue is empty it sleeps on a futex (std::atomic::wait).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "fib/delta/delta.hpp"
#include "fib/fib.hpp"

namespace rf::fib {

struct UpdaterConfig {
    std::uint32_t queue_capacity = 1U << 16;  // deltas; rounded up to a power of two
    // Deltas per Fib::apply(), except that a publish is never split: one larger than this is applied
    // whole (a peer-down then repoints every group it empties, however many prefixes it moves).
    std::uint32_t max_batch = 1U << 14;
    // Scheduling priority of the writer thread relative to the thread that starts it (0: the same). A
    // negative value lets the writer preempt the control plane that feeds it (the io thread keeps
    // sending UPDATEs after handing over a batch); it needs CAP_SYS_NICE, and without it the writer
    // keeps the inherited priority (stats().priority_refused says so).
    int nice_delta = 0;
    // How long the writer polls an empty queue before it sleeps on a futex. Waking a sleeping thread
    // costs a futex call and a scheduling delay (on a VM, often a halted vCPU's wake-up: up to
    // milliseconds), which dwarfs applying a small batch; polling costs CPU while idle. 0 = sleep at once.
    std::uint32_t idle_poll_us = 50;
    // A publish of at most this many deltas that finds the queue empty and the FIB idle is applied on
    // the publishing thread (Fib::try_apply) instead of waking the writer: no thread hand-off and no
    // scheduling delay between the RIB and the lookup tables (on a busy machine the writer's wake-up
    // can take longer than applying a small batch; docs/benchmarks.md). 0 = always through the writer.
    std::uint32_t inline_max = 0;
    // Inline applies draw on a token bucket of deltas — `inline_burst` deep, refilled at `inline_rate`
    // per second — so that isolated changes (a peer down, a few UPDATEs) take the short path while a
    // stream (a table load at a million prefixes a second) goes to the writer, which then works beside
    // the publishing thread instead of in it: inline applies of a full load slow routefabricd's ingest
    // down (docs/benchmarks.md).
    std::uint32_t inline_burst = 4096;
    std::uint32_t inline_rate = 50000;
};

struct UpdaterStats {
    std::uint64_t accepted_batches = 0;
    std::uint64_t accepted_deltas = 0;
    std::uint64_t rejected_batches = 0;  // back-pressure: publish() returned false
    std::uint64_t rejected_deltas = 0;
    std::uint64_t applied_batches = 0;  // Fib::apply() calls
    std::uint64_t applied_deltas = 0;
    std::uint64_t queue_depth = 0;  // now
    bool priority_refused = false;  // nice_delta could not be applied (no CAP_SYS_NICE)
    std::uint64_t max_queue_depth = 0;
    std::uint64_t inline_batches = 0;  // publishes applied on the publishing thread (inline_max)
};

class FibUpdater final : public fib::DeltaSink {
public:
    explicit FibUpdater(Fib& fib, UpdaterConfig config = {});
    ~FibUpdater() override;  // stop()
    FibUpdater(const FibUpdater&) = delete;
    FibUpdater& operator=(const FibUpdater&) = delete;

    // Producer side. Deltas must arrive in sequence order. Safe from several threads (they serialise
    // on a producer-only mutex), though the RIB publishes from one strand.
    bool publish(std::span<const fib::RouteDelta> batch) override;
    // The RIB's hint that these next hops are gone (fib::DeltaSink), applied ahead of anything still
    // queued — it only takes dead next hops out of ECMP groups, which the queued batches cannot make
    // wrong. When the FIB is idle the caller applies it at once (Fib::try_next_hops_down: no wake-up of
    // the writer on the critical path); otherwise it waits in a small list of its own, merged, for the
    // writer's next loop. Never refused. The next-hop-down observer follows on whichever thread applied it.
    void next_hops_down(std::span<const net::IpAddress> next_hops) override;

    // Called after each batch becomes visible, with its highest sequence: on the writer thread, or on
    // the publishing thread for a batch applied inline (UpdaterConfig::inline_max). Set it before start().
    // The hook where a measurement (convergence probes) or a delta-log subscriber (design §6) picks up
    // progress.
    void set_visibility_observer(std::function<void(std::uint64_t sequence)> observer) {
        observer_ = std::move(observer);
    }

    // Called once per published batch when it has become visible, with the time since its publish()
    // (routefabricd's routefabric_fib_publish_latency_seconds): on the thread that applied it. Without
    // an observer no time is taken. Set it before start(). One clock read and one entry in a bounded
    // list per batch, nothing per delta; batches published while the list is full are not timed.
    void set_latency_observer(std::function<void(std::chrono::nanoseconds)> observer) {
        latency_observer_ = std::move(observer);
    }

    // Called after a next-hop-down hint was applied — on the writer thread, or on the caller's when it
    // applied the hint itself — with the groups it repointed (their prefixes forward by the remaining
    // members from then on). Set it before start().
    void set_next_hops_down_observer(std::function<void(std::size_t repointed)> observer) {
        down_observer_ = std::move(observer);
    }

    void start();
    // Applies what is queued, then joins the writer thread.
    void stop();
    // Waits until `sequence` is visible to readers; false on timeout. For tests and tools.
    bool wait_visible(std::uint64_t sequence, std::chrono::milliseconds timeout) const;
    [[nodiscard]] UpdaterStats stats() const;

private:
    void run();
    std::size_t drain(std::vector<fib::RouteDelta>& out);
    void apply_down_hints();
    void applied(std::uint64_t sequence, std::size_t deltas);  // counters, latency, visibility observer
    bool stamp_publish(std::uint64_t sequence);                // producer_mu_ held; false: not timed
    void unstamp_publish(std::uint64_t sequence);              // a refused batch's stamp goes
    bool take_inline_tokens(std::size_t deltas);               // producer_mu_ held

    Fib& fib_;
    UpdaterConfig config_;
    std::vector<fib::RouteDelta> ring_;
    std::vector<std::uint8_t> ends_;  // by slot: 1 = the last delta of its publish
    std::uint64_t mask_;
    std::mutex producer_mu_;
    alignas(64) std::atomic<std::uint64_t> head_{0};  // next slot the writer reads
    alignas(64) std::atomic<std::uint64_t> tail_{0};  // next slot the producer writes
    std::atomic<std::uint32_t> wake_{0};
    std::atomic<bool> stop_{false};
    std::atomic<bool> priority_refused_{false};
    std::atomic<std::uint64_t> accepted_batches_{0}, accepted_deltas_{0}, rejected_batches_{0},
        rejected_deltas_{0}, applied_batches_{0}, applied_deltas_{0}, max_depth_{0};
    std::function<void(std::uint64_t)> observer_;
    std::function<void(std::size_t)> down_observer_;
    std::function<void(std::chrono::nanoseconds)> latency_observer_;
    static constexpr std::size_t kMaxPublishStamps = 4096;
    std::mutex stamps_mu_;
    // (highest sequence of a batch, when it was published), in sequence order; guarded by stamps_mu_.
    std::deque<std::pair<std::uint64_t, std::chrono::steady_clock::time_point>> publish_stamps_;
    std::mutex down_mu_;
    std::vector<net::IpAddress> down_pending_;   // guarded by down_mu_
    std::vector<net::IpAddress> down_applying_;  // writer only
    std::atomic<bool> down_flag_{false};         // down_pending_ is not empty
    std::atomic<std::uint64_t> inline_batches_{0};
    double inline_tokens_ = 0;  // producer_mu_: the bucket of inline_burst / inline_rate
    std::chrono::steady_clock::time_point inline_refilled_{};
    // Deltas the writer has drained and not yet applied: a publish may not be applied inline over them.
    std::atomic<std::size_t> in_flight_{0};
    std::thread thread_;
};

}  // namespace rf::fib
