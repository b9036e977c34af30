// The address families the RIB carries (IPv4 and IPv6 unicast) as small indices and bit masks: a
// peer's negotiated families, its ADD-PATH families and an update group's families are masks of them.
#pragma once

#include <vector>

#include "control/codec/message.hpp"

namespace rf::rib {

inline constexpr int kFamilyCount = 2;  // IPv4 unicast, IPv6 unicast

inline int family_index(net::Afi afi) {
    return afi == net::Afi::Ipv4 ? 0 : 1;
}

inline bgp::AfiSafi family_at(int index) {
    return {index == 0 ? net::Afi::Ipv4 : net::Afi::Ipv6, net::Safi::Unicast};
}

inline unsigned family_bit(int index) {
    return 1U << static_cast<unsigned>(index);
}

// The unicast families of the list as a mask; other SAFIs are not carried.
inline unsigned family_mask(const std::vector<bgp::AfiSafi>& families) {
    unsigned mask = 0;
    for (const auto& f : families) {
        if (f.safi == net::Safi::Unicast) {
            mask |= family_bit(family_index(f.afi));
        }
    }
    return mask;
}

}  // namespace rf::rib
