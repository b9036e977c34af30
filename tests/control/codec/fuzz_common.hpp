// Shared by the codec fuzz targets: the first input octet selects the negotiated options, so one corpus
// covers 2-/4-octet AS, extended message and ADD-PATH sessions.
#pragma once

#include <cstdint>
#include <cstdlib>

#include "control/codec/codec.hpp"
#include "control/codec/text.hpp"
#include "tests/support/fuzz_check.hpp"

namespace rf::bgp::fuzz {

// bit 0: 4-octet AS, bit 1: extended message, bit 2: ADD-PATH IPv4, bit 3: ADD-PATH IPv6.
inline CodecOptions options_from(std::uint8_t b) {
    CodecOptions o;
    o.four_octet_as = (b & 1U) != 0;
    o.extended_message = (b & 2U) != 0;
    if ((b & 4U) != 0) {
        o.add_path_receive.push_back(AfiSafi{Afi::Ipv4, Safi::Unicast});
    }
    if ((b & 8U) != 0) {
        o.add_path_receive.push_back(AfiSafi{Afi::Ipv6, Safi::Unicast});
    }
    o.add_path_send = o.add_path_receive;
    return o;
}

using rf::fuzz::check;

}  // namespace rf::bgp::fuzz
