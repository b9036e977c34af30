// The load: which prefixes each emulated peer announces, with which AS path, next hop and addresses.
// Pure functions, unit-tested; nothing here touches sockets.
//
// Prefixes are /24s numbered from 0 ("the universe"): index i is (11.0.0.0 + i*256)/24. The universe
// avoids 0/8, 10/8 (router ids), 100.64/10 (next hops), 127/8 and multicast, and holds up to
// kMaxUniverse prefixes (11.0.0.0 .. 99.255.255.0).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/ip.hpp"

namespace rf::bench {

using net::Ipv4Address;
using net::Prefix;

inline constexpr std::uint32_t kUniverseBase = 11u << 24;          // 11.0.0.0
inline constexpr std::uint32_t kMaxUniverse = (100u - 11u) << 16;  // /24s below 100.0.0.0

Prefix universe_prefix(std::uint32_t index);
// The index of `p` when it is a /24 inside the universe.
std::optional<std::uint32_t> universe_index(const Prefix& p);

enum class Overlap {
    Disjoint,  // peer p announces [p*K, p*K + K): every prefix has one origin
    Shared,    // every peer announces [0, K): best path / ECMP by AS-path length
};
// "disjoint" / "shared", as --overlap takes them.
const char* overlap_name(Overlap o);

// Addresses and identities of emulated peer `i` (0-based). The monitor is a separate identity.
struct PeerIdentity {
    std::uint32_t asn = 0;
    Ipv4Address router_id;
    Ipv4Address next_hop;  // unique per peer: how the monitor tells which peer's path it received
};
PeerIdentity peer_identity(std::uint32_t i);

// The IPv6 next hop of a peer whose IPv4 next hop is `next_hop` (IPv6 unicast routes of the MRT replay):
// next_hop embedded in the low 32 bits of kIpv6NextHopPrefix (100.64.1.1 -> 2001:db8:64::6440:101), a
// global address the targets resolve like the IPv4 one and the monitor maps back to the peer.
inline constexpr const char* kIpv6NextHopPrefix = "2001:db8:64::/96";
net::Ipv6Address ipv6_next_hop(Ipv4Address next_hop);
// The IPv4 next hop embedded in `a` when it lies in kIpv6NextHopPrefix.
std::optional<Ipv4Address> embedded_next_hop(const net::Ipv6Address& a);
PeerIdentity monitor_identity();
// 127.0.0.10 + i on one /24 as long as possible, then 127.0.1.x, ...: never .0, .1 or .255.
Ipv4Address default_peer_address(std::uint32_t i);
Ipv4Address default_monitor_address();  // 127.0.0.2

// Parses "127.0.0.10-127.0.0.20,192.0.2.5" into a list (ranges inclusive, IPv4 only).
std::optional<std::vector<Ipv4Address>> parse_address_list(const std::string& text, std::string& error);

struct LoadPlan {
    std::uint32_t peers = 8;
    std::uint32_t prefixes_per_peer = 1000;
    Overlap overlap = Overlap::Disjoint;
    // AS-path length of each peer's announcements (cycled when shorter than `peers`; default 1). A path
    // of length L is the peer's ASN repeated L times.
    std::vector<std::uint32_t> path_lengths;

    [[nodiscard]] std::uint32_t universe_size() const;
    [[nodiscard]] std::uint32_t first_index(std::uint32_t peer) const;
    [[nodiscard]] std::uint32_t path_length(std::uint32_t peer) const;
    // "3,1,2" as --path-lengths takes it; empty when every path has the default length.
    [[nodiscard]] std::string path_lengths_text() const;
    [[nodiscard]] std::uint64_t total_announcements() const {
        return static_cast<std::uint64_t>(peers) * prefixes_per_peer;
    }
    // Peers announcing universe index `index`.
    [[nodiscard]] std::vector<std::uint32_t> origins(std::uint32_t index) const;
    [[nodiscard]] bool validate(std::string& error) const;
};

}  // namespace rf::bench
