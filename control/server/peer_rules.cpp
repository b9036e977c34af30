#include "control/server/peer_rules.hpp"

#include "control/azure/asn.hpp"

namespace rf::server {

std::optional<std::string> check_peer(const session::PeerSettings& candidate,
                                      const std::vector<session::PeerSettings>& existing,
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
    if (const auto by = azure::reserved_by(candidate.asn); by != azure::AsnReservation::None) {
        return who + ": " + asn + " is reserved by " + std::string(azure::to_string(by));
    }
    if (azure::is_four_byte(candidate.asn) && !limits.four_octet_mode) {
        return who + ": " + asn + " is a 4-byte ASN and 4-byte mode is off (only 2-byte ASNs are accepted)";
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

}  // namespace rf::server
