#include "control/azure/asn.hpp"

#include "control/azure/defaults.hpp"

namespace rf::azure {

AsnReservation reserved_by(std::uint32_t asn) {
    if (asn == 8074 || asn == 8075 || asn == 12076 || asn == kRouteServerAsn ||
        (asn >= 65517 && asn <= 65520)) {
        return AsnReservation::Azure;
    }
    if (asn == 23456 || (asn >= 64496 && asn <= 64511) || (asn >= 65535 && asn <= 65551) ||
        asn == 4294967295U) {
        return AsnReservation::Iana;
    }
    return AsnReservation::None;
}

std::string_view to_string(AsnReservation r) {
    switch (r) {
        case AsnReservation::Azure:
            return "Azure";
        case AsnReservation::Iana:
            return "IANA";
        case AsnReservation::None:
            break;
    }
    return {};
}

}  // namespace rf::azure
