// Internal to the codec: the capabilities carried in an OPEN's Capabilities optional parameter
// (RFC 5492), read and written by capabilities.cpp for the OPEN codec in open.cpp. Negotiation is public
// (bgp::negotiate in codec.hpp). Not part of the public API.
#pragma once

#include <cstdint>
#include <vector>

#include "control/codec/wire.hpp"

namespace rf::bgp::detail {

// Reads the capabilities in one Capabilities parameter value (`n` octets at `p`, found at `offset` in the
// message) into `caps`; unknown capabilities are kept. Errors are OPEN Message Error / Unspecific.
Result<bool, WireError> decode_capabilities(const std::uint8_t* p, std::size_t n, std::size_t offset,
                                            Capabilities& caps);

// One encoded capability each (code, length, value), in a fixed order: multiprotocol, route refresh,
// enhanced route refresh, extended message, 4-octet AS, graceful restart, long-lived
// graceful restart, ADD-PATH, then unknown ones
// as given. A length octet above 255 is the OPEN encoder's business (RFC 9072); here it is capped.
std::vector<std::vector<std::uint8_t>> encode_capabilities(const Capabilities& caps);

}  // namespace rf::bgp::detail
