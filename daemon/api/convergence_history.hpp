// The bounded history of convergence measurements behind GET /api/v1/emulator/convergence and the
// looking glass's plot: the last kCapacity events, oldest first. The convergence observer
// (daemon/forwarding/convergence_observer.hpp) records one event when it closes a measurement, at the edge
// where it measures; nothing here is on the forwarding or the UPDATE path.
//
// Not synchronised: the owner records and copies under its own lock. Header-only: the forwarding module
// (a separate shared object) records into it and the API renders what it returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "daemon/api/backend.hpp"

namespace rf::api {

class ConvergenceLog {
public:
    static constexpr std::size_t kCapacity = 256;

    explicit ConvergenceLog(std::size_t capacity = kCapacity) : capacity_(capacity == 0 ? 1 : capacity) {
        ring_.reserve(capacity_);
    }

    // Keeps `e`; past capacity the oldest event is dropped.
    void record(ConvergenceEvent e) {
        ++recorded_;
        if (ring_.size() < capacity_) {
            ring_.push_back(std::move(e));
            return;
        }
        ring_[next_] = std::move(e);
        next_ = (next_ + 1) % capacity_;
    }

    // The events kept, oldest first, with the capacity and the count recorded since start.
    [[nodiscard]] ConvergenceHistory snapshot() const {
        ConvergenceHistory h;
        h.capacity = capacity_;
        h.recorded = recorded_;
        h.events.reserve(ring_.size());
        for (std::size_t i = 0; i < ring_.size(); ++i) {
            h.events.push_back(ring_[(next_ + i) % ring_.size()]);
        }
        return h;
    }

private:
    std::size_t capacity_;
    std::vector<ConvergenceEvent> ring_;  // ring_[next_] is the oldest once full
    std::size_t next_ = 0;
    std::uint64_t recorded_ = 0;
};

// `t` as ISO 8601 UTC with milliseconds: "2026-12-07T18:40:01.123Z".
[[nodiscard]] inline std::string iso8601_utc(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];  // room for any int the format could print
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

}  // namespace rf::api
