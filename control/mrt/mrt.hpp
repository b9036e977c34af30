// MRT (RFC 6396): the bytes of MRT records, built from values the route server already holds. Pure
// functions that append whole records to a buffer; no files, no clocks, no sockets (the writers that
// put records into files and rotate them live in daemon/mrt). Nothing here reads outside input: every
// record is built from the RIB's and the sessions' own values, so there is nothing to parse and nothing
// malformed to survive.
//
// Records written:
//   TABLE_DUMP_V2 (type 13): PEER_INDEX_TABLE (subtype 1), then RIB_IPV4_UNICAST (2) / RIB_IPV6_UNICAST
//     (4), one record per prefix with one RIB entry per path. Attributes always carry four-octet AS
//     numbers (RFC 6396 §4.3.4); an IPv6 entry's next hops travel in the abbreviated MP_REACH_NLRI of
//     §4.3.4 (next-hop length and next hops, nothing else).
//   BGP4MP_ET (type 17) with microsecond timestamps: BGP4MP_MESSAGE_AS4 (subtype 4), or BGP4MP_MESSAGE
//     (subtype 1) for an UPDATE of a session that did not negotiate four-octet AS numbers, whose AS_PATH
//     is in two-octet form (a reader picks the AS_PATH width from the subtype).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "control/codec/message.hpp"
#include "net/ip.hpp"

namespace rf::mrt {

enum class Type : std::uint16_t {
    TableDumpV2 = 13,
    Bgp4mp = 16,
    Bgp4mpEt = 17,
};

enum class TableDumpV2Subtype : std::uint16_t {
    PeerIndexTable = 1,
    RibIpv4Unicast = 2,
    RibIpv6Unicast = 4,
};

enum class Bgp4mpSubtype : std::uint16_t {
    Message = 1,     // two-octet peer and local AS fields; the message's AS_PATH in two-octet form
    MessageAs4 = 4,  // four-octet AS fields and AS_PATH
};

inline constexpr std::size_t kCommonHeaderSize = 12;  // timestamp, type, subtype, length

// A wall-clock instant as MRT writes it: seconds since the Unix epoch and the microseconds within.
struct Timestamp {
    std::uint32_t seconds = 0;
    std::uint32_t microseconds = 0;
    auto operator<=>(const Timestamp&) const = default;
};
[[nodiscard]] Timestamp timestamp_of(std::chrono::system_clock::time_point t);

// ----------------------------------------------------------------------------------- TABLE_DUMP_V2

struct PeerEntry {
    net::Ipv4Address bgp_id;
    net::IpAddress address;
    std::uint32_t asn = 0;  // written in four octets
};

struct PeerIndexTable {
    net::Ipv4Address collector_id;  // the route server's BGP identifier
    std::string view_name;          // at most 65,535 octets (longer is cut)
    std::vector<PeerEntry> peers;   // at most 65,535: a RIB entry names its peer by a 16-bit index
};

void encode_peer_index_table(const PeerIndexTable& table, std::uint32_t timestamp,
                             std::vector<std::uint8_t>& out);

// One path of a prefix.
struct RibEntry {
    std::uint16_t peer_index = 0;                     // into the PEER_INDEX_TABLE
    std::uint32_t originated = 0;                     // seconds since the epoch
    const bgp::PathAttributes* attributes = nullptr;  // must not be null
    std::vector<net::IpAddress> next_hops;  // IPv6 (or IPv4 without NEXT_HOP): the MP_REACH next hops
};

// RIB_IPV4_UNICAST or RIB_IPV6_UNICAST (from the prefix's family) with `entries` (at most 65,535; the
// caller splits more into several records). `sequence` counts the RIB records of one dump from 0.
void encode_rib(std::uint32_t sequence, const net::Prefix& prefix, std::span<const RibEntry> entries,
                std::uint32_t timestamp, std::vector<std::uint8_t>& out);

// ----------------------------------------------------------------------------------------- BGP4MP

struct Bgp4mpMessage {
    Timestamp time;
    std::uint32_t peer_asn = 0;
    std::uint32_t local_asn = 0;
    std::uint16_t interface_index = 0;
    net::IpAddress peer;
    net::IpAddress local;       // same family as `peer` (else the peer's family with an unspecified local)
    bool four_octet_as = true;  // the session negotiated four-octet AS numbers (RFC 6793)
    std::span<const std::uint8_t> message;  // one whole BGP message, header included
};

// The subtype a message is logged with (see the top of this file).
[[nodiscard]] Bgp4mpSubtype bgp4mp_subtype(const Bgp4mpMessage& m);

// One BGP4MP_ET record holding the message.
void encode_bgp4mp_et(const Bgp4mpMessage& m, std::vector<std::uint8_t>& out);

}  // namespace rf::mrt
