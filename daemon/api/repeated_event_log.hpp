// RepeatedEventLog: turns an event that may repeat thousands of times a second (a refused connection, a
// malformed request) into at most one log line per interval, each line carrying how many events it
// stands for. The first event after a quiet interval is reported at once; later ones are held back and
// reported together when the interval has passed (by the next event, or by the owner's timer calling
// flush() at next_flush()). The clock is passed in, so tests need no sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace rf::api {

class RepeatedEventLog {
public:
    using Clock = std::chrono::steady_clock;

    explicit RepeatedEventLog(Clock::duration interval) : interval_(interval) {}

    // Counts one event. Returns how many events a line written now reports (this one and those held back
    // before it), or 0 when the last line is younger than the interval and the event is held back.
    std::uint64_t record(Clock::time_point now) {
        ++held_back_;
        return due(now) ? take(now) : 0;
    }

    // The events held back since the last line, once the interval has passed (0 otherwise); the caller
    // writes them as one line.
    std::uint64_t flush(Clock::time_point now) { return held_back_ != 0 && due(now) ? take(now) : 0; }

    // When flush() will have something to report; nullopt when nothing is held back.
    [[nodiscard]] std::optional<Clock::time_point> next_flush() const {
        if (held_back_ == 0) {
            return std::nullopt;
        }
        return last_line_ + interval_;
    }

    [[nodiscard]] Clock::duration interval() const { return interval_; }

private:
    [[nodiscard]] bool due(Clock::time_point now) const {
        return !wrote_line_ || now >= last_line_ + interval_;
    }
    std::uint64_t take(Clock::time_point now) {
        const std::uint64_t n = held_back_;
        held_back_ = 0;
        last_line_ = now;
        wrote_line_ = true;
        return n;
    }

    Clock::duration interval_;
    Clock::time_point last_line_{};
    bool wrote_line_ = false;
    std::uint64_t held_back_ = 0;
};

}  // namespace rf::api
