// routefabric_fib_publish_latency_seconds: from the RIB's publish of a batch to the FIB's report that it
// is visible to the data plane. The FIB updater reports only the second instant (its visibility
// observer, with the batch's highest sequence), so the first is taken here, in a DeltaSink in front of
// the updater that stamps each accepted batch: one TSC read and one entry in a bounded list per batch,
// nothing per delta. The updater's visibility observer closes the stamps up to the sequence it reports.
//
// Threads: publish() and next_hops_down() on the io thread (the RIB's strand); on_visible() on the FIB
// writer's thread or the publishing one (an inline apply).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <utility>

#include "daemon/api/metrics.hpp"
#include "fib/delta/delta.hpp"

namespace rf::daemon {

class PublishLatency final : public fib::DeltaSink {
public:
    // `next`: the FIB updater. `metrics` is read at each visibility report (null: nothing recorded).
    PublishLatency(fib::DeltaSink& next, const std::atomic<metrics::StandardMetrics*>& metrics)
        : next_(next), metrics_(metrics) {}

    bool publish(std::span<const fib::RouteDelta> batch) override;
    void next_hops_down(std::span<const net::IpAddress> next_hops) override {
        next_.next_hops_down(next_hops);
    }

    // Everything up to `sequence` became visible at `now_tsc`.
    void on_visible(std::uint64_t sequence, std::uint64_t now_tsc);

private:
    static constexpr std::size_t kMaxPending = 4096;  // stamps beyond it are not taken (not timed)

    fib::DeltaSink& next_;
    const std::atomic<metrics::StandardMetrics*>& metrics_;
    std::mutex mu_;
    std::deque<std::pair<std::uint64_t, std::uint64_t>> pending_;  // (highest sequence, TSC at publish)
};

}  // namespace rf::daemon
