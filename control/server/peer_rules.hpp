// The peer manager's rules, checked when a peer is configured (design §2): reserved ASNs, the route
// server's own ASN, 2-byte ASNs unless 4-byte mode is on, the peer count limit, duplicate addresses and
// names. Pure: the route server calls it before adding a peer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/azure/defaults.hpp"
#include "control/session/peer_settings.hpp"

namespace rf::server {

struct PeeringLimits {
    std::uint32_t local_asn = azure::kRouteServerAsn;
    bool four_octet_mode = false;
    std::size_t max_peers = azure::kMaxPeers;
};

// Checks `candidate` against the rules and the peers already configured. Returns an error message naming
// the peer ("peer nva3 (10.0.0.7): ASN 64512 is the route server's own ASN"), or nullopt when accepted.
std::optional<std::string> check_peer(const session::PeerSettings& candidate,
                                      const std::vector<session::PeerSettings>& existing,
                                      const PeeringLimits& limits);

}  // namespace rf::server
