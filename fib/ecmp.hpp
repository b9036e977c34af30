// ECMP member selection, shared by the FIB (NextHopGroup::pick) and the data plane: rendezvous
// (highest-random-weight) hashing. Every member has a 64-bit seed derived from its address alone; a
// flow's score for a member is mix64(flow hash ^ seed) and the highest score wins. Consequences:
//   - deterministic: the choice depends only on the flow hash and the member set, not on member order,
//     group ids or history (a group re-created with the same members picks the same members);
//   - removing a member moves only the flows that were on it: every other member's score for a flow is
//     unchanged, so among the survivors the previous winner still wins;
//   - adding a member moves to it only the flows for which it now scores highest (about 1/(n+1)).
// mix64 is a bijection, so two members with different seeds never tie; IPv4 seeds are distinct for
// distinct addresses (multiplication by an odd constant is a bijection on 64 bits). An IPv6 seed folds
// 128 bits into 64: on the (2^-64) chance of equal seeds the lower index — members are kept sorted —
// wins, which is still independent of insertion order.
// Cost: one multiply-xorshift mix per member on precomputed seeds; ECMP sets are small.
// Header-only and free of DPDK so that the data plane and tests can include it directly.
#pragma once

#include <array>
#include <cstdint>

#include "net/hash.hpp"

namespace rf::fib::ecmp {

using net::kGolden;
using net::mix64;

// Seed of an IPv4 member (host byte order).
constexpr std::uint64_t seed_v4(std::uint32_t address) {
    return std::uint64_t{address} * kGolden;
}

// Seed of an IPv6 member (16 bytes, network order). A group's members share one family, so IPv4 and
// IPv6 seeds never compete.
constexpr std::uint64_t seed_v6(const std::array<std::uint8_t, 16>& bytes) {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    for (int i = 0; i < 8; ++i) {
        hi = (hi << 8) | bytes[static_cast<std::size_t>(i)];
        lo = (lo << 8) | bytes[static_cast<std::size_t>(i + 8)];
    }
    return mix64(hi ^ mix64(lo + kGolden)) * kGolden;
}

constexpr std::uint64_t score(std::uint64_t flow_hash, std::uint64_t seed) {
    return mix64(flow_hash ^ seed);
}

// Index (0 .. count-1) of the member that carries the flow; `seed(i)` gives member i's seed. count > 0.
template <class SeedFn>
constexpr std::uint32_t select(std::uint64_t flow_hash, std::uint32_t count, SeedFn seed) {
    std::uint32_t best = 0;
    std::uint64_t best_score = score(flow_hash, seed(0));
    for (std::uint32_t i = 1; i < count; ++i) {
        const std::uint64_t s = score(flow_hash, seed(i));
        if (s > best_score) {
            best = i;
            best_score = s;
        }
    }
    return best;
}

// The same over an array of precomputed seeds (what NextHopGroup keeps).
constexpr std::uint32_t select(std::uint64_t flow_hash, const std::uint64_t* seeds, std::uint32_t count) {
    return count == 1 ? 0 : select(flow_hash, count, [seeds](std::uint32_t i) { return seeds[i]; });
}

}  // namespace rf::fib::ecmp
