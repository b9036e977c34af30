// BGP wire codec: pure functions over byte spans. No sockets, no global state, no exceptions across
// this API: every malformed input yields a WireError that names the NOTIFICATION to send or the
// RFC 7606 action to take. Implemented by codec.cpp (framing, UPDATE, NOTIFICATION, KEEPALIVE,
// ROUTE-REFRESH), open.cpp (OPEN), capabilities.cpp (capabilities, negotiate) and attributes.cpp (the
// path attribute table); messages as text are text.hpp's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "control/codec/errors.hpp"
#include "control/codec/message.hpp"
#include "control/codec/result.hpp"

namespace rf::bgp {

using Bytes = std::span<const std::uint8_t>;

// What the two speakers negotiated; it changes how UPDATEs are read and written.
struct CodecOptions {
    bool four_octet_as = true;              // both sides sent the 4-octet AS capability (RFC 6793)
    bool extended_message = false;          // both sides sent the extended message capability (RFC 8654)
    std::vector<AfiSafi> add_path_receive;  // families whose incoming NLRI carry a path identifier
    std::vector<AfiSafi> add_path_send;     // families whose outgoing NLRI carry a path identifier

    [[nodiscard]] std::size_t max_message_size() const {
        return extended_message ? kMaxExtendedMessageSize : kMaxMessageSize;
    }
    // Inline: asked once per UPDATE and per MP attribute on the decode and encode paths.
    [[nodiscard]] bool receives_path_id(AfiSafi f) const {
        return std::find(add_path_receive.begin(), add_path_receive.end(), f) != add_path_receive.end();
    }
    [[nodiscard]] bool sends_path_id(AfiSafi f) const {
        return std::find(add_path_send.begin(), add_path_send.end(), f) != add_path_send.end();
    }
};

// Negotiated options from our OPEN and the peer's OPEN (RFC 6793, RFC 8654, RFC 7911 §4).
CodecOptions negotiate(const Open& local, const Open& remote);

struct Header {
    std::uint16_t length = 0;  // whole message, header included
    MessageType type = MessageType::Keepalive;
};

// Reads and checks the 19-byte header (marker, length against type and the negotiated maximum, type).
// `bytes` needs only the first 19 bytes; the session uses this to frame a TCP stream.
Result<Header, WireError> decode_header(Bytes bytes, const CodecOptions& options);

// Decodes one complete message (header included, exactly `Header::length` bytes).
// For UPDATE, only a SessionReset problem is an error here; milder RFC 7606 outcomes need decode_update.
Result<Message, WireError> decode_message(Bytes message, const CodecOptions& options);

// Decodes one complete OPEN (header included). Structural checks only (RFC 4271 §6.2): version 4, hold
// time 0 or ≥ 3, non-zero BGP identifier, parameter and capability lengths, Capabilities as the only
// optional parameter (RFC 9072 extended parameter lengths accepted). Peer AS and the capabilities a
// session requires are the session's checks.
Result<Open, WireError> decode_open(Bytes message);

// An UPDATE with the RFC 7606 outcome. With TreatAsWithdraw the caller withdraws every NLRI in
// `update` (announced ones included); with AttributeDiscard the offending attributes are already gone.
struct DecodedUpdate {
    Update update;
    Rfc7606Action action = Rfc7606Action::None;
    std::vector<WireError> problems;  // every non-fatal problem, in order found
};
// Returns an error only when the session must be reset (RFC 4271 §6.3 / RFC 7606 "session reset").
Result<DecodedUpdate, WireError> decode_update(Bytes message, const CodecOptions& options);

// ------------------------------------------------------------------------------------- encoding
// Each call appends whole messages (header included) to `out`.

void encode_open(const Open& open, std::vector<std::uint8_t>& out);
void encode_keepalive(std::vector<std::uint8_t>& out);
void encode_notification(const Notification& n, std::vector<std::uint8_t>& out);
void encode_route_refresh(const RouteRefresh& r, std::vector<std::uint8_t>& out);

// Encodes one UPDATE as given. Returns false and appends nothing if it exceeds the message size limit.
bool encode_update(const Update& update, const CodecOptions& options, std::vector<std::uint8_t>& out);

// Announces `nlri` of `family` with `attributes`, packing as many NLRI per UPDATE as fit and starting a
// new UPDATE at the limit; the attributes are encoded once. IPv4 unicast NLRI go in the NLRI field
// (next hop from attributes.next_hop); other families in MP_REACH_NLRI with `mp_next_hops`.
// Returns the number of messages appended: 0 when the attributes leave no room for even one NLRI (the
// caller withdraws the routes instead, RFC 8654 §4).
std::size_t encode_announcements(const PathAttributes& attributes, AfiSafi family,
                                 std::span<const IpAddress> mp_next_hops, std::span<const Nlri> nlri,
                                 const CodecOptions& options, std::vector<std::uint8_t>& out);

// Withdraws `nlri` of `family`, packed likewise (IPv4 unicast in Withdrawn Routes, else MP_UNREACH).
std::size_t encode_withdrawals(AfiSafi family, std::span<const Nlri> nlri, const CodecOptions& options,
                               std::vector<std::uint8_t>& out);

// End-of-RIB marker for `family` (RFC 4724 §2).
void encode_end_of_rib(AfiSafi family, std::vector<std::uint8_t>& out);

// The path attribute area alone, without an UPDATE around it: every attribute of `attributes` in
// ascending type code order, each in its shortest length form, AS numbers as `options` says (four octets,
// or two with AS4_PATH). With `with_next_hop` false the NEXT_HOP attribute is left out. MP_REACH_NLRI is
// not written (it carries NLRI, which only the caller knows how to frame). Used by the MRT encoder
// (control/mrt), whose RIB entries carry the attributes of one path.
void encode_path_attributes(const PathAttributes& attributes, const CodecOptions& options, bool with_next_hop,
                            std::vector<std::uint8_t>& out);

}  // namespace rf::bgp
