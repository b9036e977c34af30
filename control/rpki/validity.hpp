// The route origin validation state of a route (RFC 6811 §2), shared by the RPKI validator that
// computes it and the routing policy that matches on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rf::rpki {

enum class Validity : std::uint8_t {
    NotFound,  // no ROA covers the prefix
    Valid,     // a covering ROA matches the origin AS and the prefix length
    Invalid,   // covering ROAs exist and none matches
    Unknown,   // not validated: RPKI is not configured or no cache has delivered a table yet
};

constexpr std::string_view to_string(Validity v) {
    switch (v) {
        case Validity::NotFound:
            return "not-found";
        case Validity::Valid:
            return "valid";
        case Validity::Invalid:
            return "invalid";
        case Validity::Unknown:
            return "unknown";
    }
    return "unknown";
}

// The inverse of to_string, for the configuration and the API.
constexpr std::optional<Validity> parse_validity(std::string_view s) {
    for (Validity v : {Validity::NotFound, Validity::Valid, Validity::Invalid, Validity::Unknown}) {
        if (to_string(v) == s)
            return v;
    }
    return std::nullopt;
}

}  // namespace rf::rpki
