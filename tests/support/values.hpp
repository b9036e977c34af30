// Values the tests spell as text: addresses, prefixes and AS paths. A text that does not parse is a bug
// in the test itself, so these dereference without checking.
#pragma once

#include <cstdint>
#include <vector>

#include "control/codec/message.hpp"
#include "net/ip.hpp"

namespace rf::testing {

inline net::IpAddress ip(const char* text) {
    return *net::IpAddress::parse(text);
}
inline net::Ipv4Address v4(const char* text) {
    return ip(text).as_v4();
}
inline net::Prefix prefix(const char* text) {
    return *net::Prefix::parse(text);
}
// One AS_SEQUENCE segment of `asns` (empty: an empty AS_PATH).
inline bgp::AsPath as_sequence(const std::vector<std::uint32_t>& asns) {
    bgp::AsPath p;
    if (!asns.empty()) {
        p.segments.push_back(bgp::AsSegment{bgp::AsSegmentType::Sequence, {asns.begin(), asns.end()}});
    }
    return p;
}

}  // namespace rf::testing
