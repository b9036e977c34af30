#include "control/session/peer_rules.hpp"

namespace rf::session {

bool is_reserved_asn(std::uint32_t asn) {
    return asn == 8074 || asn == 8075 || asn == 12076 || asn == 65515 || (asn >= 65517 && asn <= 65520) ||
           asn == 23456 || (asn >= 64496 && asn <= 64511) || (asn >= 65535 && asn <= 65551);
}

std::optional<std::string> check_peer(const PeerSettings& candidate,
                                      const std::vector<PeerSettings>& existing,
                                      const PeeringLimits& limits) {
    const std::string who =
        "peer " + (candidate.name.empty() ? candidate.address.to_string()
                                          : candidate.name + " (" + candidate.address.to_string() + ")");
    const std::string asn = "ASN " + std::to_string(candidate.asn);
    if (candidate.asn == 0) {
        return who + ": ASN 0 is invalid";
    }
    if (candidate.asn == limits.local_asn) {
        return who + ": " + asn + " is the route server's own ASN";
    }
    if (is_reserved_asn(candidate.asn)) {
        return who + ": " + asn +
               " is reserved (8074, 8075, 12076, 65515, 65517-65520, 23456, 64496-64511, 65535-65551)";
    }
    if (candidate.asn > 0xFFFF && !limits.four_octet_mode) {
        return who + ": " + asn + " is a 4-byte ASN and 4-byte mode is off (only 2-byte ASNs are accepted)";
    }
    if (candidate.asn == 4294967295U) {
        return who + ": " + asn + " is reserved (RFC 7300)";
    }
    if (candidate.md5_password.size() > 80) {  // TCP_MD5SIG_MAXKEYLEN
        return who + ": md5 password longer than 80 bytes";
    }
    if (candidate.hold_time && (*candidate.hold_time == 1 || *candidate.hold_time == 2)) {
        return who + ": hold time must be 0 or at least 3 seconds";
    }
    for (const auto& p : existing) {
        if (p.address == candidate.address) {
            return who + ": address " + candidate.address.to_string() + " is already configured (peer " +
                   (p.name.empty() ? p.address.to_string() : p.name) + ")";
        }
        if (!candidate.name.empty() && p.name == candidate.name) {
            return who + ": name already used by peer " + p.address.to_string();
        }
    }
    if (existing.size() >= limits.max_peers) {
        return who + ": the route server already has " + std::to_string(existing.size()) +
               " peers, the maximum (" + std::to_string(limits.max_peers) + "); raise max-peers to add more";
    }
    return std::nullopt;
}

}  // namespace rf::session
