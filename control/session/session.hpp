// One BGP session: a peer seen through one of our listen addresses. Drives the pure Fsm with real
// connections (Connection), one Asio timer for the FSM deadlines, OPEN validation and collision
// resolution (RFC 4271 §6.8, session_collision.cpp). It knows nothing of the RIB: it reports to its
// SessionOwner (session_owner.hpp) and sends what the owner hands it. Runs on the io_context thread only; the
// owner holds it (shared_ptr; async handlers hold weak ones).
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
// clang-format on
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/codec/shared_message.hpp"
#include "control/session/connection.hpp"
#include "control/session/fsm.hpp"
#include "control/session/log_rate_limit.hpp"
#include "control/session/open_policy.hpp"
#include "control/session/peer_settings.hpp"
#include "control/session/session_owner.hpp"

namespace rf::session {

// What a session is given when its owner creates it.
struct SessionConfig {
    net::IpAddress local;  // our address of the session (one of the listen addresses)
    FsmConfig fsm;
    bool connects_out = false;  // an active peer's session on the address it connects from
    bgp::Open local_open;       // the route server's OPEN; the session adds the peer's ADD-PATH capability
    OpenPolicy open_policy;     // local ASN, identifier and 4-byte mode; the session sets the peer's ASN
    std::size_t max_output_bytes = 0;  // a slower reader is dropped with Cease / Out of Resources
    // The owner's names for the session: `id` is unique among its sessions and never 0 (the route server
    // uses it as the session's RIB peer id); `neighbor` is the configured peer, shared by its sessions on
    // every listen address (non-zero).
    std::uint32_t id = 0;
    std::uint32_t neighbor = 0;
    // Extra connections from the peer's address beside the session's own (RFC 4271 §6.8): at most this
    // many wait for their OPEN at once (a newer one closes the oldest), each for at most
    // `extra_open_wait`, so silent sockets neither pile up nor keep the peer's real connection out.
    std::size_t max_extra_connections = 4;
    Seconds extra_open_wait{10};
    // Enhanced route refresh (RFC 7313 §4): how long the peer's routes of a family stay stale after its
    // BoRR when no EoRR comes; then they are purged as if it had. FRR's default stale-path time.
    Seconds refresh_stale_time{360};
    // Graceful restart (RFC 4724) in our OPEN, when the peer's settings enable it: the R bit (the route
    // server has just restarted; Session::clear_restart_state takes it off) and the F bit of every
    // family (our forwarding state survived the restart).
    bool restart_state = false;
    bool forwarding_preserved = false;
};

struct SessionStatus {
    std::string peer;
    net::IpAddress peer_address;
    net::IpAddress local_address;
    State state = State::Idle;
    Reason last_reason = Reason::IllegalEvent;
    std::uint32_t rib_id = 0;             // SessionConfig::id: the route server's RIB peer id
    std::uint32_t neighbor = 0;           // the configured peer (same on each of its sessions)
    std::uint64_t established_count = 0;  // times it reached Established
    std::uint64_t route_limit_trips = 0;
    std::optional<bgp::Notification> last_sent;      // last NOTIFICATION we sent
    std::optional<bgp::Notification> last_received;  // last NOTIFICATION we received
    std::uint64_t updates_received = 0;
    std::uint64_t updates_sent = 0;          // UPDATE messages handed to the connection (End-of-RIB included)
    std::uint64_t route_refreshes_sent = 0;  // ROUTE-REFRESH requests we sent (VNet changes)
    std::uint64_t route_refreshes_received = 0;  // ROUTE-REFRESH requests the peer sent (subtype 0)
    // Enhanced route refresh (RFC 7313): the demarcations each way, EoRRs that never came (the stale
    // routes purged after refresh_stale_time), and ROUTE-REFRESH messages ignored (RFC 7313 §5: an
    // unknown subtype, BoRR/EoRR without the capability, an EoRR without a BoRR).
    std::uint64_t borr_sent = 0;
    std::uint64_t eorr_sent = 0;
    std::uint64_t borr_received = 0;
    std::uint64_t eorr_received = 0;
    std::uint64_t refresh_timeouts = 0;
    std::uint64_t route_refreshes_ignored = 0;
    std::vector<bgp::AfiSafi> refreshing;  // families between the peer's BoRR and EoRR now
    // Families whose End-of-RIB (RFC 4724 §2) the peer sent since it reached Established. FRR answers a
    // ROUTE-REFRESH only after it sent its own End-of-RIB.
    std::vector<bgp::AfiSafi> end_of_rib_received;
    std::uint64_t config_resets = 0;     // resets for a configuration change (AutomaticStop)
    std::uint64_t admin_resets = 0;      // resets by the operator (admin_reset)
    std::uint64_t output_overflows = 0;  // torn down for an output queue above max_output_bytes (Cease/8)
    // Graceful restart as negotiated at the last OPEN exchange (both OPENs carried the capability): the
    // peer's families and Restart Time, and whether the N bit (RFC 8538) was negotiated.
    std::optional<NegotiatedGracefulRestart> graceful_restart;
    std::uint64_t hard_resets_sent = 0;  // Ceases sent as Hard Reset (RFC 8538, N bit negotiated)
    // What was negotiated with the peer at the last OPEN exchange: families with ADD-PATH each way,
    // route refresh, enhanced route refresh, extended messages (the largest message either way).
    std::vector<bgp::AfiSafi> add_path_receive;
    std::vector<bgp::AfiSafi> add_path_send;
    bool route_refresh = false;
    bool enhanced_route_refresh = false;
    bool extended_message = false;
    std::size_t max_message_size = bgp::kMaxMessageSize;
    std::uint64_t illegal_events = 0;
    std::size_t extra_connections = 0;           // extra connections waiting for their OPEN now
    std::uint64_t extra_connections_closed = 0;  // extra connections closed (no OPEN, collision lost …)
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(boost::asio::io_context& io, SessionOwner& owner, std::shared_ptr<const PeerSettings> peer,
            SessionConfig config);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void start();
    // Administrative stop with this Cease (RFC 8203 message inside); no automatic restart.
    void stop(const bgp::Notification& cease);
    // An inbound connection from the peer to our `local` address.
    void accept(boost::asio::ip::tcp::socket socket);

    // ---- commands of the owner
    // Whole BGP messages to send, in order (nothing when the session is not established). A peer whose
    // output queue passes max_output_bytes is dropped with Cease / Out of Resources (RFC 4486 subcode 8).
    void send_messages(const std::vector<bgp::SharedMessage>& messages);
    // The peer's routes passed its route limit with an UPDATE of `family`: NOTIFICATION Cease / Maximum
    // Number of Prefixes Reached (RFC 4486 §4) with the limit, and the session closes (idle-hold after).
    void drop_for_route_limit(bgp::AfiSafi family, std::size_t route_count, std::size_t route_limit);
    // Design §2 VNet changes. request_route_refresh: ROUTE-REFRESH (RFC 2918) for every family negotiated
    // with the peer; false when the session is not established or did not negotiate route refresh. A peer
    // with enhanced route refresh answers with BoRR … EoRR (reported as on_refresh_begin / _end).
    // reset: NOTIFICATION `cease` (Cease / Other Configuration Change), the session goes down and starts
    // again at once (no idle-hold); false when it was not established.
    bool request_route_refresh();
    bool reset(const bgp::Notification& cease, const std::string& why);
    // The operator's `clear` (rfctl peering reset): an established session sends `cease` (Cease /
    // Administrative Reset, RFC 4486 subcode 4), goes down (ManualStop: the owner withdraws its routes)
    // and starts again at once; a session waiting in Idle (idle-hold after an error) starts again at once,
    // its back-off forgotten. Returns what was done.
    enum class AdminReset : std::uint8_t { Reset, Restarted, Nothing };
    AdminReset admin_reset(const bgp::Notification& cease);
    // Settings that change no transport, OPEN or timer (the route limit, its action and threshold, which
    // the owner applies itself): the session keeps running with `peer`. Same address and name required.
    void update_settings(std::shared_ptr<const PeerSettings> peer);
    // The route server's restart is over (RFC 4724 §4.1): later OPENs carry the R bit clear.
    void clear_restart_state();

    [[nodiscard]] SessionStatus status() const;
    [[nodiscard]] State state() const { return primary_.fsm.state(); }
    [[nodiscard]] bool has_open_connection() const;
    [[nodiscard]] const PeerSettings& peer() const { return *peer_; }
    [[nodiscard]] const net::IpAddress& local() const { return config_.local; }
    [[nodiscard]] const bgp::Open& local_open() const { return local_open_; }
    [[nodiscard]] std::uint32_t id() const { return config_.id; }
    [[nodiscard]] std::uint32_t neighbor() const { return config_.neighbor; }

private:
    // One TCP connection to the peer and the FSM that runs it. The session's own is primary_; extra
    // connections from the peer's address (extra_) wait beside it for their OPEN, and only an OPEN lets
    // one take part in collision resolution (session_collision.cpp).
    struct ConnectionFsm {
        explicit ConnectionFsm(FsmConfig c) : fsm(c) {}
        Fsm fsm;
        std::shared_ptr<Connection> conn;
        std::optional<OpenAccepted> remote;
        bgp::Open remote_open;
        bgp::CodecOptions codec;
        bool outbound = false;
        std::uint64_t serial = 0;  // arrival order among the session's connections (newer: higher)
    };

    void feed(ConnectionFsm& link, Event event, const EventData& data = {}, const std::string& detail = {});
    void execute(ConnectionFsm& link, const Transition& t, const std::string& detail);
    void attach(ConnectionFsm& link, std::shared_ptr<Connection> conn);
    bool on_message(ConnectionFsm* link, std::span<const std::uint8_t> message, bgp::MessageType type);
    void on_open(ConnectionFsm& link, std::span<const std::uint8_t> message);
    void on_notification(ConnectionFsm& link, std::span<const std::uint8_t> message);
    // session_refresh.cpp: ROUTE-REFRESH received (RFC 2918, RFC 7313) and the EoRR guard timer.
    void on_route_refresh(ConnectionFsm& link, std::span<const std::uint8_t> message);
    void on_refresh_demarcation(const bgp::RouteRefresh& r);
    void arm_refresh_timer();
    void on_refresh_timer();
    void clear_refreshes();
    ConnectionFsm* resolve_collision(ConnectionFsm& received_on);  // the survivor; null if it lost
    void add_extra(std::shared_ptr<Connection> conn);
    void dump(ConnectionFsm& link, const std::string& why);  // closes with Cease / Collision Resolution
    void take_primary(ConnectionFsm& extra);  // an extra connection with an OPEN becomes the session's
    void demote_primary();                    // the session's OPEN-less connection becomes an extra one
    void erase_extra(const ConnectionFsm* link);
    void stop_extra(const bgp::Notification& cease);
    void report(ConnectionFsm& link, const Transition& t, std::string detail);
    void settle(ConnectionFsm& link);
    void on_update(ConnectionFsm& link, std::span<const std::uint8_t> message);
    // Hands the UPDATEs batched from the current read to the owner. False when the owner dropped the
    // session meanwhile (the route limit): the rest of the read is not processed.
    bool hand_over_updates();
    void end_read();  // the messages of one read are done: hand over its UPDATEs
    void established(ConnectionFsm& link);
    void down(const DownCause& cause);
    [[nodiscard]] PeerOpenOptions open_options() const;
    void start_connect();
    void cancel_connect();
    void rearm();
    void on_timer();
    ConnectionFsm* link_of(const Connection* c);
    void apply_socket_options(boost::asio::ip::tcp::socket& s, bool connecting);

    boost::asio::io_context& io_;
    SessionOwner& owner_;
    std::shared_ptr<const PeerSettings> peer_;
    SessionConfig config_;
    bgp::Open local_open_;  // config_.local_open plus this peer's ADD-PATH capability
    ConnectionFsm primary_;
    std::vector<std::unique_ptr<ConnectionFsm>> extra_;  // oldest first; none has received an OPEN
    LogRateLimit extra_reports_;          // transitions of extra connections: a remote party sets their rate
    bool up_ = false;                     // the owner was told on_established, not yet on_down
    std::vector<bgp::AfiSafi> families_;  // negotiated when it last reached Established
    bool route_refresh_ = false;          // both sides advertised route refresh then
    bool enhanced_refresh_ = false;       // both sides advertised enhanced route refresh then
    std::optional<NegotiatedGracefulRestart> graceful_restart_;  // both sides advertised GR then
    // The peer's refreshes in progress (BoRR received, EoRR not yet): family and when its stale routes
    // are purged anyway. refresh_timer_ is armed at the earliest.
    std::vector<std::pair<bgp::AfiSafi, TimePoint>> refreshing_;
    std::vector<bgp::AfiSafi> end_of_rib_received_;  // since Established
    std::optional<LogRateLimit> ignored_reports_;    // ROUTE-REFRESH messages ignored (made on first use)
    boost::asio::steady_timer refresh_timer_;
    UpdateBatch updates_;              // UPDATEs of the current read, not yet handed over
    std::size_t updates_in_read_ = 0;  // UPDATEs batched in the current read, handed over or not
    boost::asio::steady_timer timer_;
    std::optional<TimePoint> armed_;  // deadline the timer is armed for
    std::optional<boost::asio::ip::tcp::socket> connecting_;
    std::uint64_t connect_generation_ = 0;
    std::uint64_t connection_serial_ = 0;  // ConnectionFsm::serial of the last attached connection
    // status
    Reason last_reason_ = Reason::IllegalEvent;
    std::uint64_t established_count_ = 0;
    std::uint64_t route_limit_trips_ = 0;
    std::uint64_t updates_received_ = 0;
    std::uint64_t updates_sent_ = 0;
    std::uint64_t route_refreshes_sent_ = 0;
    std::uint64_t route_refreshes_received_ = 0;
    std::uint64_t borr_sent_ = 0;
    std::uint64_t eorr_sent_ = 0;
    std::uint64_t borr_received_ = 0;
    std::uint64_t eorr_received_ = 0;
    std::uint64_t refresh_timeouts_ = 0;
    std::uint64_t route_refreshes_ignored_ = 0;
    std::uint64_t config_resets_ = 0;
    std::uint64_t admin_resets_ = 0;
    std::uint64_t output_overflows_ = 0;
    std::uint64_t hard_resets_sent_ = 0;
    std::uint64_t extra_closed_ = 0;
    std::optional<bgp::Notification> last_sent_;
    std::optional<bgp::Notification> last_received_;
};

}  // namespace rf::session
