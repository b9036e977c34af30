// A Route Origin Authorisation as a relying party hands it to a router (RFC 6811 §2, the "VRP" of
// RFC 8210 §5.6/§5.7): a prefix, the longest prefix length it authorises, and the AS allowed to originate
// it. And the route's side of the comparison: its origin AS, taken from the AS_PATH.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "control/codec/message.hpp"
#include "net/ip.hpp"

namespace rf::rpki {

struct Roa {
    net::Prefix prefix;
    std::uint8_t max_length = 0;  // at least prefix.length for a ROA that authorises anything
    std::uint32_t asn = 0;        // 0: an AS0 ROA (RFC 6483 §4): the prefix must not be routed at all

    auto operator<=>(const Roa&) const = default;
    [[nodiscard]] std::string to_string() const;  // "10.0.0.0/16-24 AS65001"
};

// The route's origin AS (RFC 6811 §2 "Route Origin ASN"): the rightmost AS of the AS_PATH's final segment
// when that segment is an AS_SEQUENCE; the speaker's own AS (`local_asn`) when the path is empty or its
// final segment is a confederation segment; nothing ("NONE", which no ROA matches) when the final segment
// is an AS_SET. A missing AS_PATH counts as an empty one.
[[nodiscard]] std::optional<std::uint32_t> origin_as(const bgp::AsPath* path, std::uint32_t local_asn);

}  // namespace rf::rpki
