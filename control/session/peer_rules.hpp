// Peering rules checked at configuration time (design §2): reserved ASNs, the RS's own ASN, 2-byte ASNs
// unless 4-byte mode is on, the peer count limit, duplicate addresses. Pure: the peer manager calls it
// before adding a peer, the daemon before starting.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/codec/message.hpp"
#include "net/ip.hpp"

namespace rf::session {

enum class PeerMode : std::uint8_t { Active, Passive };

struct PeerSettings {
    std::string name;  // for logs and errors; defaults to the address
    net::IpAddress address;
    std::uint16_t port = 179;  // the peer's port for active connects
    std::uint32_t asn = 0;
    std::size_t route_limit = 1000;      // 0 = unlimited
    bool azure_strict_counting = false;  // design §2 "azure-strict" route counting
    std::uint8_t ttl = 255;              // IP TTL of our packets (1 = directly connected; 255 = multihop)
    bool gtsm = false;                   // RFC 5082: send TTL 255 and require at least 255 - (ttl hops)
    std::string md5_password;            // RFC 2385 TCP-MD5; empty = none
    PeerMode mode = PeerMode::Passive;
    std::optional<net::IpAddress>
        local_address;  // source for active connects (default: first listen address)
    // Per-peer timer overrides (seconds); unset = the global value.
    std::optional<std::uint16_t> hold_time;
    std::optional<std::uint16_t> idle_hold;
    // ADD-PATH (RFC 7911) offered in our OPEN to this peer, for every family we offer; unset = none.
    std::optional<bgp::AddPathMode> add_path;
};

struct PeeringLimits {
    std::uint32_t local_asn = 65515;
    bool four_octet_mode = false;
    std::size_t max_peers = 8;
};

// Checks `candidate` against the rules and the peers already configured. Returns an error message naming
// the peer ("peer nva3 (10.0.0.7): ASN 65515 is the route server's own ASN"), or nullopt when accepted.
std::optional<std::string> check_peer(const PeerSettings& candidate,
                                      const std::vector<PeerSettings>& existing, const PeeringLimits& limits);

}  // namespace rf::session
