// OPEN validation (RFC 4271 §6.2, RFC 6793 for 4-octet ASNs, RFC 6286 for the identifier) and
// connection collision resolution (RFC 4271 §6.8). Pure functions: the session driver calls them and
// feeds the outcome to the FSM (OpenReceived, or OpenInvalid with the returned NOTIFICATION).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "control/azure/defaults.hpp"
#include "control/codec/errors.hpp"
#include "control/codec/message.hpp"
#include "control/codec/result.hpp"

namespace rf::session {

struct OpenPolicy {
    std::uint32_t local_asn = azure::kRouteServerAsn;
    net::Ipv4Address local_id;
    std::uint32_t peer_asn = 0;    // configured
    bool four_octet_mode = false;  // 4-byte ASNs accepted (RFC 6793); off = Azure-compatible 2-byte only
};

struct OpenAccepted {
    std::uint32_t peer_asn = 0;
    net::Ipv4Address peer_id;
    std::uint16_t peer_hold = 0;
};

struct OpenRejected {
    bgp::Notification notification;
    std::string reason;  // for the log: "peer ASN 65001 differs from configured 65002"
};

// Checks the peer's OPEN: version 4, ASN (AS_TRANS and the 4-octet capability), hold time (0 or >= 3),
// BGP identifier (non-zero, not ours). Returns the NOTIFICATION to send on failure.
Result<OpenAccepted, OpenRejected> validate_open(const bgp::Open& remote, const OpenPolicy& policy);

// Our OPEN: version 4, My AS (AS_TRANS if the ASN needs four octets), hold time, identifier, and the
// capabilities we support: IPv4/IPv6 unicast, route refresh (RFC 2918), enhanced route refresh
// (RFC 7313), extended messages (RFC 8654), 4-octet AS.
bgp::Open make_local_open(std::uint32_t local_asn, net::Ipv4Address router_id, std::uint16_t hold_time,
                          bool ipv6 = true);

// What our OPEN to one peer changes from the route server's (PeerSettings has the same fields).
struct PeerOpenOptions {
    std::optional<bgp::AddPathMode> add_path;  // ADD-PATH (RFC 7911) for every family offered; unset: none
    bool extended_messages = true;             // RFC 8654 capability (when `base` offers it)
    bool enhanced_route_refresh = true;        // RFC 7313 capability (when `base` offers it)
    // Graceful restart (RFC 4724) for every family `base` offers; unset: no capability.
    struct GracefulRestart {
        std::uint16_t restart_time = 120;   // seconds (12 bits on the wire; larger values are capped)
        bool notification = true;           // N bit (RFC 8538)
        bool restart_state = false;         // R bit: we have just restarted
        bool forwarding_preserved = false;  // F bit of every family: our forwarding state survived
        // Long-lived graceful restart (RFC 9494) beside it, every family with this Long-lived Stale
        // Time (seconds, 24 bits; larger values are capped); 0: no LLGR capability.
        std::uint32_t long_lived_stale_time = 0;
    };
    std::optional<GracefulRestart> graceful_restart;
};

// Our OPEN for one peer: `base` (make_local_open) with the ADD-PATH and graceful restart capabilities
// added and the extended message and enhanced route refresh capabilities left out as `options` says.
bgp::Open open_for_peer(const bgp::Open& base, const PeerOpenOptions& options);

// Long-lived graceful restart (RFC 9494 §3) as two OPENs settle it: the peer's LLGR families that are
// among `families` (those negotiated for the session), in its order, when both OPENs carry the LLGR and
// the GR capabilities (an LLGR capability without GR is ignored); empty otherwise.
std::vector<bgp::LongLivedGracefulRestartFamily> negotiate_long_lived(
    const bgp::Open& local, const bgp::Open& remote, const std::vector<bgp::AfiSafi>& families);

// RFC 4271 §6.8: of two connections to the same peer, the one initiated by the speaker with the higher
// BGP identifier survives. Returns true when the locally initiated connection is the one to keep.
bool keep_locally_initiated(net::Ipv4Address local_id, net::Ipv4Address remote_id);

// The data of NOTIFICATION Cease / Maximum Number of Prefixes Reached (RFC 4486 §4): AFI (2), SAFI (1),
// upper bound (4).
bgp::Notification max_prefix_notification(bgp::AfiSafi family, std::uint32_t limit);

// Cease / Administrative Shutdown (or Reset) with an RFC 8203 shutdown communication (UTF-8, at most
// 128 bytes; longer text is truncated on a character boundary).
bgp::Notification admin_cease(bgp::CeaseSubcode subcode, std::string_view message);

// RFC 8538 §3: Cease / Hard Reset carrying `cease` inside (its code, subcode, then its data).
bgp::Notification hard_reset(const bgp::Notification& cease);

// RFC 8538 §5: the Ceases we send as a Hard Reset when the N bit was negotiated, so that the peer drops
// our routes at once instead of keeping them stale: Maximum Number of Prefixes Reached, Administrative
// Shutdown, Peer De-configured, and Administrative Reset (the RFC leaves that one to the operator;
// routefabric's `rfctl peering reset` means "start this peering again from nothing", as FRR's
// `bgp hard-administrative-reset` default does). The others (Connection Rejected, Other Configuration
// Change, Collision Resolution, Out of Resources) stay graceful.
bool wants_hard_reset(const bgp::Notification& n);

// A NOTIFICATION from a codec WireError.
bgp::Notification to_notification(const bgp::WireError& error);

}  // namespace rf::session
