// Azure Route Server's behaviour as values (design §2): the defaults every layer starts from and the
// documented alternatives an operator may switch to. The configuration, the route server, the sessions
// and the RIB all take their defaults from here, so a default is written once.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rf::azure {

inline constexpr std::uint32_t kRouteServerAsn = 65515;  // Azure Route Server's ASN
inline constexpr std::uint16_t kBgpPort = 179;
inline constexpr std::size_t kMaxPeers = 8;                    // BGP peers per route server
inline constexpr std::size_t kRouteLimit = 1000;               // routes per peer; one more drops the session
inline constexpr std::uint8_t kRouteLimitWarningPercent = 75;  // usage that logs a warning (FRR's default)
inline constexpr std::uint16_t kHoldTime = 180;                // seconds
inline constexpr std::uint16_t kKeepalive = 60;                // seconds
inline constexpr std::uint16_t kConnectRetry = 30;             // seconds (RFC 4271 §10 suggests 120)
inline constexpr std::uint16_t kIdleHold = 30;      // seconds before a session dropped on error restarts
inline constexpr std::uint16_t kIdleHoldMax = 300;  // back-off cap of the idle hold
inline constexpr std::size_t kMaxEcmpPaths = 8;     // ECMP set size
inline constexpr std::uint8_t kMultihopTtl = 255;   // NVAs peer over eBGP multihop

// What the route server does to the AS_PATH of the routes it reflects.
enum class AsPathMode : std::uint8_t {
    Prepend,      // Azure Route Server (default): its ASN is prepended to every path it advertises
    Transparent,  // RFC 7947 route server: AS_PATH passed on untouched
};

// How a peer's routes are counted against its route limit.
enum class RouteCounting : std::uint8_t {
    DistinctPrefixes,  // distinct prefixes currently in the peer's Adj-RIB-In (default)
    AzureStrict,       // current count + the NLRI announced in the incoming UPDATE (design §2)
};

// What happens when a peer's routes pass its route limit.
enum class RouteLimitAction : std::uint8_t {
    Teardown,  // Azure (default): NOTIFICATION Cease / Maximum Number of Prefixes Reached (RFC 4486), the
               // UPDATE is not applied, the peer's routes are withdrawn, it may return after idle-hold
    Warn,      // FRR's `maximum-prefix N warning-only`: log and count once per crossing, keep the session
               // and accept the routes beyond the limit
};

}  // namespace rf::azure
