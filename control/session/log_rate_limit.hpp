// A log line that can repeat at the will of a remote party (a refused connection, an extra connection
// from a peer's address) is written for the first few occurrences of an interval only; the rest are
// counted, and the owner reports the count as one line. Pure: the caller passes the time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace rf::session {

class LogRateLimit {
public:
    using Clock = std::chrono::steady_clock;

    LogRateLimit(std::size_t burst, Clock::duration interval) : burst_(burst), interval_(interval) {}

    // One occurrence at `now`: true when it may be logged (one of the first `burst` of its interval),
    // false when it is only counted.
    bool admit(Clock::time_point now) {
        if (!window_end_ || now >= *window_end_) {
            window_end_ = now + interval_;
            in_window_ = 0;
        }
        if (in_window_ < burst_) {
            ++in_window_;
            return true;
        }
        ++suppressed_;
        return false;
    }

    // The occurrences counted and not logged since the last call; the caller logs them as one line.
    std::uint64_t take_suppressed() {
        const std::uint64_t n = suppressed_;
        suppressed_ = 0;
        return n;
    }

    [[nodiscard]] std::uint64_t suppressed() const { return suppressed_; }
    // When the current interval ends (nothing counted yet: none).
    [[nodiscard]] std::optional<Clock::time_point> window_end() const { return window_end_; }
    [[nodiscard]] Clock::duration interval() const { return interval_; }

private:
    std::size_t burst_;
    Clock::duration interval_;
    std::optional<Clock::time_point> window_end_;
    std::size_t in_window_ = 0;
    std::uint64_t suppressed_ = 0;
};

}  // namespace rf::session
