// The ASN rules of Azure Route Server (design §2), in one place for the configuration checker and the
// route server's peer manager: which ASNs a peer may not use, and who reserves them.
#pragma once

#include <cstdint>
#include <string_view>

namespace rf::azure {

enum class AsnReservation : std::uint8_t {
    None,
    Azure,  // 8074, 8075, 12076, its route server's (kRouteServerAsn), 65517-65520: used by Azure itself
    Iana,   // 23456 (AS_TRANS), 64496-64511 (documentation), 65535-65551 (reserved and documentation),
            // 4294967295 (RFC 7300, the last 4-byte ASN)
};

// Who reserves `asn`; None when a peer may use it.
[[nodiscard]] AsnReservation reserved_by(std::uint32_t asn);
// "Azure", "IANA" (empty for None).
[[nodiscard]] std::string_view to_string(AsnReservation r);

// A 4-byte ASN: above 65535 (RFC 6793); accepted only when the route server's 4-byte mode is on.
[[nodiscard]] constexpr bool is_four_byte(std::uint32_t asn) {
    return asn > 0xFFFF;
}

}  // namespace rf::azure
