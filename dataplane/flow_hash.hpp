// Flows as the forwarding path sees them: the 5-tuples of IPv4 and IPv6 packets and their 64-bit hash.
// The hash feeds the ECMP member selection, which is the FIB's (fib/ecmp.hpp, run by GroupView::pick()):
// the data plane has no selection of its own, so a flow's member is the one NextHopGroup::pick() names.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "net/hash.hpp"

namespace rf::dataplane {

using net::mix64;

// IPv6 addresses as 16 bytes in network byte order.
using Ipv6Bytes = std::array<std::uint8_t, 16>;

struct FiveTuple {
    std::uint32_t src = 0;  // host byte order
    std::uint32_t dst = 0;
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint8_t proto = 0;
};

struct FiveTuple6 {
    Ipv6Bytes src{};
    Ipv6Bytes dst{};
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint8_t proto = 0;
};

constexpr std::uint64_t flow_hash(std::uint32_t src, std::uint32_t dst, std::uint16_t sport,
                                  std::uint16_t dport, std::uint8_t proto) {
    const std::uint64_t a = (std::uint64_t{src} << 32) | dst;
    const std::uint64_t b = (std::uint64_t{sport} << 24) | (std::uint64_t{dport} << 8) | proto;
    return mix64(a ^ mix64(b + net::kGolden));
}

constexpr std::uint64_t flow_hash(const FiveTuple& t) {
    return flow_hash(t.src, t.dst, t.sport, t.dport, t.proto);
}

constexpr std::uint64_t fold64(const Ipv6Bytes& a, std::size_t off) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i)
        v = (v << 8) | a[off + i];
    return v;
}

constexpr std::uint64_t flow_hash(const FiveTuple6& t) {
    const std::uint64_t s = mix64(fold64(t.src, 0) ^ mix64(fold64(t.src, 8)));
    const std::uint64_t d = mix64(fold64(t.dst, 0) ^ mix64(fold64(t.dst, 8) + net::kGolden));
    const std::uint64_t b = (std::uint64_t{t.sport} << 24) | (std::uint64_t{t.dport} << 8) | t.proto;
    return mix64(s ^ mix64(d ^ mix64(b + net::kGolden)));
}

}  // namespace rf::dataplane
