// 64-bit hash finaliser shared by the RIB's tables, the attribute store and ECMP member selection.
#pragma once

#include <cstdint>

namespace rf::net {

// splitmix64's finaliser (Stafford's variant 13): a bijection on 64-bit words with good avalanche.
constexpr std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}

// 2^64 / golden ratio: the usual increment for combining words before mixing.
inline constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

}  // namespace rf::net
