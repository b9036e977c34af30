#include "daemon/forwarding/publish_latency.hpp"

#include <rte_cycles.h>

namespace rf::daemon {

bool PublishLatency::publish(std::span<const fib::RouteDelta> batch) {
    if (batch.empty()) {
        return true;
    }
    // Stamped before the updater gets the batch: a batch it applies inline is reported visible before
    // publish() returns.
    bool stamped = false;
    {
        std::lock_guard lock(mu_);
        if (pending_.size() < kMaxPending) {
            pending_.emplace_back(batch.back().sequence, rte_rdtsc());
            stamped = true;
        }
    }
    if (next_.publish(batch)) {
        return true;
    }
    // Refused (the RIB keeps the batch and retries): its stamp, still the last, goes.
    if (stamped) {
        std::lock_guard lock(mu_);
        if (!pending_.empty() && pending_.back().first == batch.back().sequence) {
            pending_.pop_back();
        }
    }
    return false;
}

void PublishLatency::on_visible(std::uint64_t sequence, std::uint64_t now_tsc) {
    const double hz = static_cast<double>(rte_get_tsc_hz());
    std::lock_guard lock(mu_);
    while (!pending_.empty() && pending_.front().first <= sequence) {
        if (auto* m = metrics_.load(std::memory_order_acquire)) {
            m->fib_publish_latency.observe(static_cast<double>(now_tsc - pending_.front().second) / hz);
        }
        pending_.pop_front();
    }
}

}  // namespace rf::daemon
