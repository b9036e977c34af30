// MRT (RFC 6396) reader: the records the encoder in mrt.hpp writes, and the same records as RouteViews,
// RIPE RIS, BIRD, FRR and GoBGP write them, decoded from byte spans. Pure functions; no files. Unlike
// the encoder, this reads input from outside (a file a user hands to `rfbench --replay`), so every
// length is checked against the bytes that are there and every problem comes back as a ReadError that
// names the field and the offset in the file, never as a crash or a read past the end.
//
// Read: the common header of any record (read_record; the caller walks a file record by record and
// skips the types it does not use); TABLE_DUMP_V2 PEER_INDEX_TABLE, RIB_IPV4_UNICAST and
// RIB_IPV6_UNICAST; BGP4MP and BGP4MP_ET MESSAGE and MESSAGE_AS4 (the BGP message itself is returned
// as bytes for the BGP codec, which owns its decoding), STATE_CHANGE and STATE_CHANGE_AS4.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "control/codec/message.hpp"
#include "control/codec/result.hpp"
#include "control/mrt/mrt.hpp"
#include "net/ip.hpp"

namespace rf::mrt {

enum class ReadErrorKind : std::uint8_t {
    Truncated,          // a field or a record runs past the end of the bytes given
    BadLength,          // a length field disagrees with the data it frames
    UnsupportedRecord,  // a type/subtype this reader does not decode was asked to be decoded
    BadAddressFamily,   // an AFI other than IPv4 (1) or IPv6 (2)
    BadPrefixLength,    // longer than the family allows
    BadAttributes,      // a RIB entry's path attributes, as the BGP codec found them
};
std::string_view read_error_kind_name(ReadErrorKind k);

struct ReadError {
    ReadErrorKind kind = ReadErrorKind::Truncated;
    std::size_t offset = 0;  // in the bytes given to read_record (the file), where the problem is
    std::string_view field;  // static description ("RIB entry attribute length")
    std::string detail;      // what was found, when more than the field says

    // "truncated: RIB entry attribute length at offset 1234 (needs 2 bytes, 1 left)"
    [[nodiscard]] std::string to_string() const;
};

template <typename T>
using ReadResult = Result<T, ReadError>;

// One record as framed by its common header (RFC 6396 §2). `body` excludes the common header (and, for
// the _ET types, the microsecond field, which is in `time`).
struct Record {
    std::size_t offset = 0;  // of the common header
    Timestamp time;
    std::uint16_t type = 0;
    std::uint16_t subtype = 0;
    std::span<const std::uint8_t> body;
    std::size_t body_offset = 0;  // of `body`, for error offsets
    [[nodiscard]] std::size_t end() const { return body_offset + body.size(); }
};

// The record starting at `offset` in `file`. The next one starts at Record::end().
ReadResult<Record> read_record(std::span<const std::uint8_t> file, std::size_t offset);

// TABLE_DUMP_V2 / PEER_INDEX_TABLE (§4.3.1). Peers with two-octet AS numbers come back in `asn` as well.
ReadResult<PeerIndexTable> decode_peer_index_table(const Record& r);

// One path of a RIB record, its attributes decoded with four-octet AS numbers (§4.3.4). The abbreviated
// MP_REACH_NLRI of an entry gives `next_hops` and is not part of `attributes`.
struct DecodedRibEntry {
    std::uint16_t peer_index = 0;
    std::uint32_t originated = 0;
    bgp::PathAttributes attributes;
    std::vector<net::IpAddress> next_hops;
};

struct DecodedRib {
    std::uint32_t sequence = 0;
    net::Prefix prefix;
    std::vector<DecodedRibEntry> entries;
};

// TABLE_DUMP_V2 / RIB_IPV4_UNICAST or RIB_IPV6_UNICAST (§4.3.2).
ReadResult<DecodedRib> decode_rib(const Record& r);

// BGP4MP or BGP4MP_ET / MESSAGE or MESSAGE_AS4 (§4.4.2, §4.4.3). `message` points into the record's
// bytes; the BGP header's marker and length are the codec's to check. `four_octet_as` is what the
// subtype says about the message's AS_PATH (MESSAGE: two octets).
ReadResult<Bgp4mpMessage> decode_bgp4mp_message(const Record& r);

// BGP4MP or BGP4MP_ET / STATE_CHANGE (subtype 0, two-octet AS) or STATE_CHANGE_AS4 (5), §4.4.1: a
// collector's session with `peer` moved between RFC 4271 FSM states (1 Idle ... 6 Established).
struct Bgp4mpStateChange {
    Timestamp time;
    std::uint32_t peer_asn = 0;
    std::uint32_t local_asn = 0;
    std::uint16_t interface_index = 0;
    net::IpAddress peer;
    net::IpAddress local;
    std::uint16_t old_state = 0;
    std::uint16_t new_state = 0;
};
inline constexpr std::uint16_t kBgp4mpStateChange = 0;
inline constexpr std::uint16_t kBgp4mpStateChangeAs4 = 5;
inline constexpr std::uint16_t kFsmEstablished = 6;
ReadResult<Bgp4mpStateChange> decode_bgp4mp_state_change(const Record& r);

// True for the record kinds decode_peer_index_table, decode_rib, decode_bgp4mp_message and
// decode_bgp4mp_state_change read.
[[nodiscard]] bool is_peer_index_table(const Record& r);
[[nodiscard]] bool is_rib(const Record& r);
[[nodiscard]] bool is_bgp4mp_message(const Record& r);
[[nodiscard]] bool is_bgp4mp_state_change(const Record& r);

}  // namespace rf::mrt
