// One configured peer as its sessions see it: where it is, what it must say in its OPEN, the transport
// options of its connections and the route limit the owner enforces. The peer manager's rules about
// which peers may be configured at all are the route server's (control/server/peer_rules.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "control/azure/defaults.hpp"
#include "control/codec/message.hpp"
#include "net/ip.hpp"

namespace rf::session {

// Graceful restart (RFC 4724, RFC 8538) with one peer. On by default: the route server is a helper for
// NVAs that restart (their routes stay, stale, until they are back and send End-of-RIB), which is what
// FRR (helper by default) and BIRD (`graceful restart aware` by default) do. Off: no capability in our
// OPEN, so the peer's routes go the moment its session does, as before.
struct GracefulRestartSettings {
    bool enabled = true;
    // The Restart Time we advertise (RFC 4724 §3, 12 bits): how long the peer should keep our routes
    // while we restart. FRR's and BIRD's default.
    std::uint16_t restart_time = 120;
    // After the peer is back: how long its routes stay stale waiting for its End-of-RIB (FRR's
    // stale-path time); then the ones not re-announced are purged as if End-of-RIB had come.
    std::uint16_t stale_path_time = 360;
    // The N bit (RFC 8538): with it negotiated, a NOTIFICATION other than Cease / Hard Reset also keeps
    // the peer's routes (stale) instead of withdrawing them.
    bool notification = true;
    // Long-lived graceful restart (RFC 9494): the Long-lived Stale Time we offer the peer, seconds
    // (24 bits); 0 = the capability is not offered. Off by default: a route server's peers are mostly
    // NVAs and gateways whose death should move traffic to the survivors, and a dead next hop kept for
    // hours (even depreferenced) blackholes every prefix that has no other path. Operators who want it
    // (e.g. a single-homed site whose routes must outlive a long outage) set it per peer.
    std::uint32_t long_lived_stale_time = 0;
    bool operator==(const GracefulRestartSettings&) const = default;
};

enum class PeerMode : std::uint8_t { Active, Passive };

struct PeerSettings {
    std::string name;  // for logs and errors; defaults to the address
    net::IpAddress address;
    std::uint16_t port = azure::kBgpPort;  // the peer's port for active connects
    std::uint32_t asn = 0;
    std::size_t route_limit = azure::kRouteLimit;                            // 0 = unlimited
    azure::RouteCounting counting = azure::RouteCounting::DistinctPrefixes;  // design §2 route counting
    azure::RouteLimitAction route_limit_action = azure::RouteLimitAction::Teardown;
    std::uint8_t route_limit_warning_percent = azure::kRouteLimitWarningPercent;  // 0 = no threshold warning
    std::uint8_t ttl = azure::kMultihopTtl;  // IP TTL of our packets (1 = directly connected; 255 = multihop)
    // RFC 5082: send TTL 255 and accept only packets with TTL >= 256 - hops, where hops is `ttl` when it
    // is 2-254 and 1 (directly connected: TTL 255 only) when `ttl` is 1 or 255.
    bool gtsm = false;
    std::string md5_password;  // RFC 2385 TCP-MD5; empty = none
    PeerMode mode = PeerMode::Passive;
    std::optional<net::IpAddress>
        local_address;  // source for active connects (default: first listen address)
    // Per-peer timer overrides (seconds); unset = the global value.
    std::optional<std::uint16_t> hold_time;
    std::optional<std::uint16_t> idle_hold;
    // ADD-PATH (RFC 7911) offered in our OPEN to this peer, for every family we offer; unset = none.
    std::optional<bgp::AddPathMode> add_path;
    // Capabilities offered in our OPEN to this peer (on by default, like FRR): extended messages
    // (RFC 8654: UPDATEs up to 65,535 octets both ways when the peer offers it too) and enhanced route
    // refresh (RFC 7313: BoRR/EoRR around a refresh, stale routes purged at EoRR).
    bool extended_messages = true;
    bool enhanced_route_refresh = true;
    GracefulRestartSettings graceful_restart;
};

}  // namespace rf::session
