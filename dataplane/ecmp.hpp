// ECMP member selection. A flow's 5-tuple hash picks the member by rendezvous (highest-random-weight)
// hashing — the FIB's one implementation, fib/ecmp.hpp, which NextHopGroup::pick() uses too: every
// member gets the score mix(flow hash, member seed) and the highest score wins. The choice depends only
// on the flow and the member set, so
//   - a flow stays on its member while the group is unchanged (and across group re-creation with the
//     same members: no per-group state to lose);
//   - removing a member moves only the flows that were on it (every other member's score for a flow is
//     unchanged, so the winner among the survivors is the previous winner) — resilient hashing without
//     bucket tables;
//   - adding a member moves to it only the flows for which it now scores highest (about 1/(n+1)).
// Cost is one 64-bit mix per member; groups are small (ECMP sets of at most a few dozen NVAs).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "fib/ecmp.hpp"

namespace rf::dataplane {

using fib::ecmp::mix64;

struct FiveTuple {
    std::uint32_t src = 0;  // host byte order
    std::uint32_t dst = 0;
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint8_t proto = 0;
};

constexpr std::uint64_t flow_hash(std::uint32_t src, std::uint32_t dst, std::uint16_t sport,
                                  std::uint16_t dport, std::uint8_t proto) {
    const std::uint64_t a = (std::uint64_t{src} << 32) | dst;
    const std::uint64_t b = (std::uint64_t{sport} << 24) | (std::uint64_t{dport} << 8) | proto;
    return mix64(a ^ mix64(b + 0x9e3779b97f4a7c15ULL));
}

constexpr std::uint64_t flow_hash(const FiveTuple& t) {
    return flow_hash(t.src, t.dst, t.sport, t.dport, t.proto);
}

// IPv6: addresses as 16 bytes in network byte order.
using Ipv6Bytes = std::array<std::uint8_t, 16>;

struct FiveTuple6 {
    Ipv6Bytes src{};
    Ipv6Bytes dst{};
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint8_t proto = 0;
};

constexpr std::uint64_t fold64(const Ipv6Bytes& a, std::size_t off) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i)
        v = (v << 8) | a[off + i];
    return v;
}

constexpr std::uint64_t flow_hash(const FiveTuple6& t) {
    const std::uint64_t s = mix64(fold64(t.src, 0) ^ mix64(fold64(t.src, 8)));
    const std::uint64_t d = mix64(fold64(t.dst, 0) ^ mix64(fold64(t.dst, 8) + 0x9e3779b97f4a7c15ULL));
    const std::uint64_t b = (std::uint64_t{t.sport} << 24) | (std::uint64_t{t.dport} << 8) | t.proto;
    return mix64(s ^ mix64(d ^ mix64(b + 0x9e3779b97f4a7c15ULL)));
}

constexpr std::uint64_t member_score(std::uint64_t flow, std::uint32_t member) {
    return fib::ecmp::score(flow, fib::ecmp::seed_v4(member));
}

// Index of the member (0 .. count-1) that carries the flow; count must be > 0. `member(i)` gives
// member i's IPv4 address (host byte order). The FIB's selection (fib::ecmp::select), seeded per
// address, so a FIB group's pick() and this agree.
template <class MemberFn>
constexpr std::uint32_t select_member(std::uint64_t flow, std::uint32_t count, MemberFn member) {
    if (count == 1)
        return 0;
    return fib::ecmp::select(flow, count,
                             [&member](std::uint32_t i) { return fib::ecmp::seed_v4(member(i)); });
}

constexpr std::uint32_t select_member(std::uint64_t flow, const std::uint32_t* members, std::uint32_t count) {
    return select_member(flow, count, [members](std::uint32_t i) { return members[i]; });
}

}  // namespace rf::dataplane
