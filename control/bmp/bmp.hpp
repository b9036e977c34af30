// BMP (RFC 7854, with the Loc-RIB of RFC 9069): the bytes of BMP messages, built from values the route
// server already holds. Pure functions that append whole messages to a buffer; no sockets, no clocks
// (the collector connections live in daemon/bmp). Nothing here parses outside input.
//
// Messages written (common header: version 3, length, type):
//   Initiation (4)         sysDescr / sysName / string TLVs
//   Peer Up (3)            per-peer header, local address and ports, the OPEN we sent and the one we
//   received,
//                          and for the Loc-RIB instance the VRF/Table Name TLV (RFC 9069 §5.3)
//   Peer Down (2)          per-peer header, reason 1-5 with the NOTIFICATION (1, 3) or the FSM event code (2)
//   Route Monitoring (0)   per-peer header and one whole BGP UPDATE
//   Statistics Report (1)  per-peer header and counters / gauges
//   Termination (5)        string and reason TLVs
//
// The per-peer header says which table a Route Monitoring message shows: pre-policy Adj-RIB-In (peer type
// 0, L flag clear), post-policy Adj-RIB-In (L flag set), or the Loc-RIB (peer type 3, RFC 9069: peer
// address zero, AS and BGP identifier the route server's own).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "control/codec/message.hpp"
#include "net/ip.hpp"

namespace rf::bmp {

inline constexpr std::uint8_t kVersion = 3;
inline constexpr std::size_t kCommonHeaderSize = 6;
inline constexpr std::size_t kPerPeerHeaderSize = 42;

enum class MessageType : std::uint8_t {
    RouteMonitoring = 0,
    StatisticsReport = 1,
    PeerDown = 2,
    PeerUp = 3,
    Initiation = 4,
    Termination = 5,
};

enum class PeerType : std::uint8_t {
    Global = 0,  // RFC 7854 Global Instance Peer
    LocRib = 3,  // RFC 9069 Loc-RIB Instance Peer
};

// Per-peer header flags (RFC 7854 §4.2; RFC 9069 §4.2 gives bit 0 another meaning for Loc-RIB).
inline constexpr std::uint8_t kFlagIpv6 = 0x80;        // V: the peer address is IPv6
inline constexpr std::uint8_t kFlagPostPolicy = 0x40;  // L: post-policy Adj-RIB-In
inline constexpr std::uint8_t kFlagAs2 = 0x20;         // A: AS_PATH in the legacy two-octet form

// Which table a peer's messages show.
enum class Table : std::uint8_t { PrePolicy, PostPolicy, LocRib };

// The per-peer header's values (RFC 7854 §4.2). For the Loc-RIB (RFC 9069 §4.1) `address` is unused
// (zero on the wire), `asn` and `bgp_id` are the route server's own.
struct Peer {
    Table table = Table::PrePolicy;
    net::IpAddress address;
    std::uint32_t asn = 0;
    net::Ipv4Address bgp_id;
    std::uint64_t distinguisher = 0;
    bool two_octet_as = false;  // the UPDATEs carry two-octet AS numbers (session without RFC 6793)
    std::uint32_t seconds = 0;  // when the route or event was observed (0: unknown)
    std::uint32_t microseconds = 0;
};

struct InformationTlv {
    std::uint16_t type = 0;
    std::string value;
};

// Initiation TLV types (RFC 7854 §4.3).
inline constexpr std::uint16_t kInfoString = 0;
inline constexpr std::uint16_t kInfoSysDescr = 1;
inline constexpr std::uint16_t kInfoSysName = 2;
// Peer Up information TLV: VRF/Table Name (RFC 9069 §5.3).
inline constexpr std::uint16_t kInfoTableName = 3;

void encode_initiation(std::span<const InformationTlv> tlvs, std::vector<std::uint8_t>& out);

struct PeerUp {
    net::IpAddress local_address;  // our end of the session (unused for the Loc-RIB: zero)
    std::uint16_t local_port = 0;
    std::uint16_t remote_port = 0;
    std::span<const std::uint8_t> sent_open;  // whole BGP OPEN messages, header included
    std::span<const std::uint8_t> received_open;
    std::vector<InformationTlv> information;  // the Loc-RIB's table name (kInfoTableName)
};
void encode_peer_up(const Peer& peer, const PeerUp& up, std::vector<std::uint8_t>& out);

enum class PeerDownReason : std::uint8_t {
    LocalNotification = 1,    // we closed with a NOTIFICATION (it follows)
    LocalNoNotification = 2,  // we closed without one (the FSM event code follows)
    RemoteNotification = 3,   // the peer sent a NOTIFICATION (it follows)
    RemoteNoData = 4,         // the peer closed the connection without a NOTIFICATION
    Deconfigured = 5,         // the peer was removed from the configuration
};
struct PeerDown {
    PeerDownReason reason = PeerDownReason::RemoteNoData;
    std::optional<bgp::Notification> notification;  // reasons 1 and 3
    std::uint16_t fsm_event = 0;                    // reason 2: RFC 4271 §8.1 event number
};
void encode_peer_down(const Peer& peer, const PeerDown& down, std::vector<std::uint8_t>& out);

// One whole BGP UPDATE (header included) as the peer's table shows it.
void encode_route_monitoring(const Peer& peer, std::span<const std::uint8_t> update,
                             std::vector<std::uint8_t>& out);

// Statistics types (RFC 7854 §4.8, RFC 9069 §4.3 for the Loc-RIB).
enum class StatType : std::uint16_t {
    RejectedPrefixes = 0,          // 32-bit counter
    DuplicatePrefixes = 1,         // 32-bit counter
    AsPathLoop = 4,                // 32-bit counter: updates invalidated due to an AS_PATH loop
    AdjRibInRoutes = 7,            // 64-bit gauge
    LocRibRoutes = 8,              // 64-bit gauge
    AdjRibInRoutesAfi = 9,         // AFI, SAFI, 64-bit gauge
    LocRibRoutesAfi = 10,          // AFI, SAFI, 64-bit gauge
    UpdatesTreatAsWithdraw = 11,   // 32-bit counter (RFC 7854 errata / IANA registry)
    PrefixesTreatAsWithdraw = 12,  // 32-bit counter
};
struct Statistic {
    StatType type = StatType::AdjRibInRoutes;
    std::uint64_t value = 0;             // written in 4 octets for counters, 8 for gauges
    std::optional<bgp::AfiSafi> family;  // types 9 and 10
};
void encode_statistics(const Peer& peer, std::span<const Statistic> stats, std::vector<std::uint8_t>& out);

enum class TerminationReason : std::uint16_t {
    AdministrativelyClosed = 0,
    Unspecified = 1,
    OutOfResources = 2,
    Redundant = 3,
    PermanentlyClosed = 4,
};
void encode_termination(TerminationReason reason, const std::string& text, std::vector<std::uint8_t>& out);

// A message's type and length from its common header; nullopt when `bytes` holds no whole header or the
// version is not 3 (tests and tools walking a stream).
struct Header {
    MessageType type = MessageType::RouteMonitoring;
    std::uint32_t length = 0;
};
std::optional<Header> decode_header(std::span<const std::uint8_t> bytes);

}  // namespace rf::bmp
