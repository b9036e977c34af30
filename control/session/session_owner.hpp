// The boundary between a BGP session and its owner (the route server): what a session reports, as
// events, and the values they carry. A session knows nothing of the RIB. It reports that it reached
// Established (with everything negotiated), the UPDATEs it received, a ROUTE-REFRESH, the beginning and
// end of the peer's enhanced route refresh (RFC 7313), that it went down, and its transitions and log lines;
// it sends what its owner hands it and obeys the owner's commands (Session::send_messages,
// drop_for_route_limit, request_route_refresh, reset, stop).
//
// Order: a session reports its inputs in the order they arrived. The UPDATEs of one read are handed over
// as one batch, before any other message that followed them in the stream (a ROUTE-REFRESH, a
// NOTIFICATION, a KEEPALIVE) and before an error that ends the session, so the owner sees UPDATE /
// ROUTE-REFRESH / NOTIFICATION in stream order. on_input_handled closes every input (one read, one
// timer expiry, one socket error).
//
// Threading: every event is delivered on the io_context thread, from inside the session's own handlers;
// the owner may call the session's commands from within an event (the route server answers
// on_established with the initial table, and an UPDATE batch over the route limit with
// drop_for_route_limit).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "control/codec/codec.hpp"
#include "control/codec/message.hpp"
#include "control/session/fsm.hpp"
#include "net/ip.hpp"

namespace rf::session {

class Session;

// One line of the transition log: the daemon prints it, tests watch it.
struct TransitionRecord {
    std::string peer;   // name (or address)
    std::string local;  // our address of the session
    Transition transition;
    std::string detail;  // the OPEN rejection reason, the NOTIFICATION text, the socket error …
};

// Graceful restart (RFC 4724) as the two OPENs settled it: both carried the capability. What the peer
// said, restricted to the families negotiated for the session.
struct NegotiatedGracefulRestart {
    // The peer's families with its Forwarding State bit, in its order (RFC 4724 §3): a family missing
    // here, or present without the F bit, has no routes worth keeping across the peer's restart.
    std::vector<bgp::GracefulRestartFamily> families;
    std::uint16_t restart_time = 0;  // the peer's Restart Time, seconds
    bool restart_state = false;      // the peer's R bit: it has just restarted
    bool notification = false;       // both sides set the N bit (RFC 8538)
    // Long-lived graceful restart (RFC 9494): the peer's LLGR families (F bit, Long-lived Stale Time)
    // among the session's, when both OPENs carried LLGR beside GR; empty: not negotiated.
    std::vector<bgp::LongLivedGracefulRestartFamily> long_lived;
};

// Why an established session went down, for its owner's graceful-restart decision (RFC 4724 §4.2,
// RFC 8538 §4): a NOTIFICATION either way, and whether it was a Cease / Hard Reset.
struct DownCause {
    Reason reason = Reason::ConnectionLost;
    std::optional<bgp::Notification> sent;      // the NOTIFICATION we sent as the session went down
    std::optional<bgp::Notification> received;  // the NOTIFICATION the peer sent that took it down
    bool removed = false;  // the session itself is being destroyed (its peer removed): nothing may stay
    [[nodiscard]] bool notification() const { return sent.has_value() || received.has_value(); }
    [[nodiscard]] bool hard_reset() const {
        const auto hard = [](const std::optional<bgp::Notification>& n) {
            return n && n->code == static_cast<std::uint8_t>(bgp::ErrorCode::Cease) &&
                   n->subcode == static_cast<std::uint8_t>(bgp::CeaseSubcode::HardReset);
        };
        return hard(sent) || hard(received);
    }
};

// What the two OPENs settled when the session reached Established.
struct EstablishedSession {
    std::uint32_t peer_asn = 0;  // the peer's real ASN (RFC 6793: from its 4-octet AS capability)
    net::Ipv4Address peer_id;    // the peer's BGP identifier
    // Negotiated codec: 4-octet AS numbers, extended messages, and ADD-PATH (RFC 7911) receive / send
    // per family.
    bgp::CodecOptions codec;
    // Families both sides offered (RFC 4760; IPv4 unicast alone when the peer offered none).
    std::vector<bgp::AfiSafi> families;
    bool route_refresh = false;           // both sides advertised route refresh (RFC 2918)
    bool enhanced_route_refresh = false;  // both sides advertised enhanced route refresh (RFC 7313)
    net::IpAddress local_address;         // our end of the session
    // Set when both OPENs carried the graceful restart capability.
    std::optional<NegotiatedGracefulRestart> graceful_restart;
    std::uint16_t local_port = 0;  // the connection's ports (BMP Peer Up)
    std::uint16_t remote_port = 0;
    bgp::Open received_open;  // the peer's OPEN as decoded
};

// The UPDATEs of one read, decoded, in arrival order; RFC 7606 outcomes inside each. The session reuses
// the batch (and its vector) for every read.
struct UpdateBatch {
    std::vector<bgp::DecodedUpdate> updates;
    TimePoint read_at{};  // when the read that brought them completed
};

class SessionOwner {
public:
    virtual ~SessionOwner() = default;

    // The session reached Established. The owner answers with Session::send_messages (the initial table).
    virtual void on_established(Session& session, const EstablishedSession& negotiated) = 0;
    // UPDATEs received in Established, in order. Returns how many the owner took: every one, or those up
    // to and including the UPDATE for which it dropped the session (drop_for_route_limit); the rest are
    // discarded unseen, as the connection stops reading.
    virtual std::size_t on_updates(Session& session, UpdateBatch& batch) = 0;
    // A ROUTE-REFRESH (RFC 2918) for `family` arrived in Established; the owner answers with
    // send_messages.
    virtual void on_route_refresh(Session& session, bgp::AfiSafi family) = 0;
    // Enhanced route refresh (RFC 7313 §4), only where it was negotiated: the peer sent BoRR for `family`
    // (its routes of the family are stale until re-advertised), then EoRR, or EoRR never came within the
    // session's refresh_stale_time (`timed_out`): the routes still stale are to be purged. A BoRR while a
    // refresh of the family is in progress begins it again; an EoRR without a BoRR is never reported.
    virtual void on_refresh_begin(Session& session, bgp::AfiSafi family) = 0;
    virtual void on_refresh_end(Session& session, bgp::AfiSafi family, bool timed_out) = 0;
    // The session left Established, or an established session is being destroyed. `at`: when it was found
    // down; `cause`: how (the NOTIFICATION each way, if any). After on_established, exactly once.
    virtual void on_down(Session& session, TimePoint at, const DownCause& cause) = 0;
    // The session is done with one input (a read, a timer expiry, a socket event): a good moment to send
    // what the owner queued for its peers.
    virtual void on_input_handled(Session& session) = 0;
    virtual void on_transition(const TransitionRecord& record) = 0;
    virtual void on_log(const std::string& line) = 0;
    // Every whole message read from the peer (header included), before the session acts on it, in
    // stream order; `four_octet_as`: the connection's negotiated AS width at that moment (false until the
    // OPENs are exchanged). For recording (MRT); the bytes are valid only during the call. Default: none.
    virtual void on_message_received(Session& /*session*/, std::span<const std::uint8_t> /*message*/,
                                     bool /*four_octet_as*/) {}
    // A NOTIFICATION sent to the peer (`sent`) or received from it, on any of the session's connections
    // (extra connections included), once each. For counting (metrics). Default: none.
    virtual void on_notification(Session& /*session*/, const bgp::Notification& /*n*/, bool /*sent*/) {}
};

}  // namespace rf::session
