// One BGP session: a peer seen through one of our listen addresses. Drives the pure Fsm with real
// connections (Connection), one Asio timer for the FSM deadlines, OPEN validation, collision resolution
// (RFC 4271 §6.8) and the RIB calls of peer up / UPDATE / ROUTE-REFRESH / peer down.
// Runs on the io_context thread only; the RouteServer owns it (shared_ptr; async handlers hold weak ones).
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
// clang-format on
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "control/rib/rib.hpp"
#include "control/session/connection.hpp"
#include "control/session/fsm.hpp"
#include "control/session/open_policy.hpp"
#include "control/session/peer_rules.hpp"

namespace rf::session {

// One line of the transition log: the daemon prints it, tests watch it.
struct TransitionRecord {
    std::string peer;   // name (or address)
    std::string local;  // our address of the session
    Transition transition;
    std::string detail;  // the OPEN rejection reason, the NOTIFICATION text, the socket error …
};

// What a session needs from its owner (the RouteServer).
class SessionContext {
public:
    virtual ~SessionContext() = default;
    virtual boost::asio::io_context& io() = 0;
    virtual rib::RouteServerRib& rib() = 0;
    virtual const bgp::Open& local_open() = 0;
    virtual const OpenPolicy& policy_base() = 0;  // local ASN, identifier, 4-byte mode
    virtual void transition(const TransitionRecord& record) = 0;
    virtual void log(const std::string& line) = 0;
    // Drains the RIB's outbound queue to every established session (after any RIB call).
    virtual void distribute() = 0;
    virtual void register_rib_peer(rib::PeerId id, class Session* session) = 0;
    virtual void unregister_rib_peer(rib::PeerId id) = 0;
    virtual std::size_t max_output_bytes() = 0;
    // An UPDATE read at `at`, or a peer found down at `at`, is about to go to the RIB (DeltaSink).
    virtual void input_received(std::chrono::steady_clock::time_point at) = 0;
};

struct SessionStatus {
    std::string peer;
    net::IpAddress peer_address;
    net::IpAddress local_address;
    State state = State::Idle;
    Reason last_reason = Reason::IllegalEvent;
    rib::PeerId rib_id = 0;
    std::uint32_t neighbor = 0;           // the configured peer (same on each of its sessions)
    std::uint64_t established_count = 0;  // times it reached Established
    std::uint64_t route_limit_trips = 0;
    std::optional<bgp::Notification> last_sent;      // last NOTIFICATION we sent
    std::optional<bgp::Notification> last_received;  // last NOTIFICATION we received
    std::uint64_t updates_received = 0;
    std::uint64_t updates_sent = 0;          // UPDATE messages handed to the connection (End-of-RIB included)
    std::uint64_t route_refreshes_sent = 0;  // ROUTE-REFRESH messages we sent (VNet changes)
    std::uint64_t route_refreshes_received = 0;  // ROUTE-REFRESH messages the peer sent
    std::uint64_t config_resets = 0;             // resets for a configuration change (AutomaticStop)
    std::uint64_t output_overflows = 0;  // torn down for an output queue above max_output_bytes (Cease/8)
    // What was negotiated with the peer at the last OPEN exchange (families with ADD-PATH each way).
    std::vector<bgp::AfiSafi> add_path_receive;
    std::vector<bgp::AfiSafi> add_path_send;
    std::uint64_t illegal_events = 0;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    // `neighbor`: the configured peer's id, shared by its sessions on every listen address (non-zero).
    Session(SessionContext& ctx, std::shared_ptr<const PeerSettings> peer, net::IpAddress local,
            FsmConfig fsm_config, bool connects_out, rib::PeerId rib_id, std::uint32_t neighbor);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void start();
    // Administrative stop with this Cease (RFC 8203 message inside); no automatic restart.
    void stop(const bgp::Notification& cease);
    // An inbound connection from the peer to our `local` address.
    void accept(boost::asio::ip::tcp::socket socket);
    // Outbound bytes from the RIB.
    void send_messages(const std::vector<bgp::SharedMessage>& messages);
    // Design §2 VNet changes. request_route_refresh: ROUTE-REFRESH (RFC 2918) for every family negotiated
    // with the peer; false when the session is not established or did not negotiate route refresh.
    // reset: NOTIFICATION `cease` (Cease / Other Configuration Change), routes withdrawn, and the session
    // starts again at once (no idle-hold); false when it was not established.
    bool request_route_refresh();
    bool reset(const bgp::Notification& cease, const std::string& why);

    [[nodiscard]] SessionStatus status() const;
    [[nodiscard]] State state() const { return primary_.fsm.state(); }
    [[nodiscard]] bool has_open_connection() const;
    [[nodiscard]] const PeerSettings& peer() const { return *peer_; }
    [[nodiscard]] const net::IpAddress& local() const { return local_; }
    [[nodiscard]] const bgp::Open& local_open() const { return local_open_; }

private:
    struct Slot {
        explicit Slot(FsmConfig c) : fsm(c) {}
        Fsm fsm;
        std::shared_ptr<Connection> conn;
        std::optional<OpenAccepted> remote;
        bgp::Open remote_open;
        bgp::CodecOptions codec;
        bool outbound = false;
    };

    void feed(Slot& slot, Event event, const EventData& data = {}, const std::string& detail = {});
    void execute(Slot& slot, const Transition& t, const std::string& detail);
    void attach(Slot& slot, std::shared_ptr<Connection> conn);
    bool on_message(Slot* slot, std::span<const std::uint8_t> message, bgp::MessageType type);
    void on_open(Slot& slot, std::span<const std::uint8_t> message);
    Slot* resolve_collision(Slot& received_on);  // where the received slot lives now; null if it lost
    void settle(Slot& slot);
    void on_update(Slot& slot, std::span<const std::uint8_t> message);
    void peer_up(Slot& slot);
    void peer_down();
    void start_connect();
    void cancel_connect();
    void rearm();
    void on_timer();
    Slot* slot_of(const Connection* c);
    void promote_candidate();
    void apply_socket_options(boost::asio::ip::tcp::socket& s, bool connecting);

    SessionContext& ctx_;
    std::shared_ptr<const PeerSettings> peer_;
    net::IpAddress local_;
    FsmConfig fsm_config_;
    bool connects_out_;
    rib::PeerId rib_id_;
    std::uint32_t neighbor_;
    bgp::Open local_open_;  // the server's OPEN plus this peer's ADD-PATH capability
    Slot primary_;
    std::unique_ptr<Slot> candidate_;  // a second connection during collision resolution
    bool rib_up_ = false;
    std::vector<bgp::AfiSafi> families_;  // negotiated at the last peer_up
    bool route_refresh_ = false;          // both sides advertised route refresh at the last peer_up
    boost::asio::steady_timer timer_;
    std::optional<TimePoint> armed_;  // deadline the timer is armed for
    std::optional<boost::asio::ip::tcp::socket> connecting_;
    std::uint64_t connect_generation_ = 0;
    // status
    Reason last_reason_ = Reason::IllegalEvent;
    std::uint64_t established_count_ = 0;
    std::uint64_t route_limit_trips_ = 0;
    std::uint64_t updates_received_ = 0;
    std::uint64_t updates_sent_ = 0;
    std::uint64_t route_refreshes_sent_ = 0;
    std::uint64_t route_refreshes_received_ = 0;
    std::uint64_t config_resets_ = 0;
    std::uint64_t output_overflows_ = 0;
    std::optional<bgp::Notification> last_sent_;
    std::optional<bgp::Notification> last_received_;
};

}  // namespace rf::session
