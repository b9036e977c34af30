// One monotonic clock for every timestamp rfbench takes: generator sends, monitor receives, phase
// deadlines. Nanoseconds since an arbitrary epoch (CLOCK_MONOTONIC via steady_clock).
#pragma once

#include <chrono>
#include <cstdint>

namespace rf::bench {

using Nanos = std::int64_t;

inline constexpr Nanos kMicro = 1'000;
inline constexpr Nanos kMilli = 1'000'000;
inline constexpr Nanos kSecond = 1'000'000'000;

inline Nanos now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline double to_ms(Nanos n) {
    return static_cast<double>(n) / 1e6;
}
inline double to_s(Nanos n) {
    return static_cast<double>(n) / 1e9;
}
inline Nanos seconds(double s) {
    return static_cast<Nanos>(s * 1e9);
}

}  // namespace rf::bench
