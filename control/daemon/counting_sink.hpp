// A DeltaSink that accepts everything, counts it and logs at debug level: the stand-in until the FIB
// updater (its own issue) subscribes to the RIB's delta log.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>

#include "control/rib/delta.hpp"

namespace rf::daemon {

class CountingDeltaSink final : public rib::DeltaSink {
public:
    bool publish(std::span<const rib::RouteDelta> batch) override {
        ++batches_;
        deltas_ += batch.size();
        for (const auto& d : batch) {
            if (d.is_withdrawal()) {
                ++withdrawals_;
            }
            if (spdlog::should_log(spdlog::level::trace)) {
                std::string hops;
                for (const auto& h : d.next_hops) {
                    hops += (hops.empty() ? "" : ",") + h.to_string();
                }
                spdlog::trace("fib delta #{} {} -> [{}]", d.sequence, d.prefix.to_string(), hops);
            }
        }
        return true;
    }
    [[nodiscard]] std::uint64_t batches() const { return batches_; }
    [[nodiscard]] std::uint64_t deltas() const { return deltas_; }
    [[nodiscard]] std::uint64_t withdrawals() const { return withdrawals_; }

private:
    std::uint64_t batches_ = 0;
    std::uint64_t deltas_ = 0;
    std::uint64_t withdrawals_ = 0;
};

}  // namespace rf::daemon
