// A bounded in-process DeltaSink: the RIB strand publishes, a consumer (test, or a FIB updater thread)
// takes. It is the test consumer of the RIB → FIB interface and a reference for real consumers.
//
// Bounded by `capacity` deltas. A batch is accepted whole or refused whole (publish() returns false and
// the refusal is counted); the RIB then keeps it pending and offers it again, coalesced with later
// changes. A batch larger than the whole capacity is accepted into an empty queue, so a big peer-down
// sweep cannot be refused forever. Thread-safe (one mutex; this is not the lock-free data path).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <limits>
#include <mutex>
#include <span>
#include <vector>

#include "fib/delta/delta.hpp"

namespace rf::fib {

class BoundedDeltaQueue final : public DeltaSink {
public:
    explicit BoundedDeltaQueue(std::size_t capacity) : capacity_(capacity) {}

    bool publish(std::span<const RouteDelta> batch) override {
        std::lock_guard lock(mu_);
        if (!queue_.empty() && queue_.size() + batch.size() > capacity_) {
            ++refusals_;
            return false;
        }
        queue_.insert(queue_.end(), batch.begin(), batch.end());
        ++batches_;
        return true;
    }

    // Takes up to `max` deltas, oldest first.
    std::vector<RouteDelta> take(std::size_t max = std::numeric_limits<std::size_t>::max()) {
        std::lock_guard lock(mu_);
        const std::size_t n = std::min(max, queue_.size());
        std::vector<RouteDelta> out(std::make_move_iterator(queue_.begin()),
                                    std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        return out;
    }

    [[nodiscard]] std::size_t size() const {
        std::lock_guard lock(mu_);
        return queue_.size();
    }
    [[nodiscard]] std::uint64_t refusals() const {
        std::lock_guard lock(mu_);
        return refusals_;
    }
    [[nodiscard]] std::uint64_t accepted_batches() const {
        std::lock_guard lock(mu_);
        return batches_;
    }

private:
    mutable std::mutex mu_;
    std::size_t capacity_;
    std::deque<RouteDelta> queue_;
    std::uint64_t refusals_ = 0;
    std::uint64_t batches_ = 0;
};

}  // namespace rf::fib
