// One emulated BGP speaker (a generator peer or the monitor) on a non-blocking TCP socket.
//
// A small RFC 4271 FSM, active side only: Idle → Connect → OpenSent → OpenConfirm → Established, with
// the hold timer negotiated from both OPENs, keepalives every hold/3, a bounded time for every state
// before Established, and NOTIFICATIONs recorded in both directions. Outgoing data is a queue of
// slices of shared, pre-encoded buffers: sending 20,000 prefixes is a few send() calls, no encoding.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bench/rfbench/clock.hpp"
#include "bench/rfbench/loop.hpp"
#include "control/codec/codec.hpp"
#include "net/ip.hpp"

namespace rf::bench {

using net::Ipv4Address;

enum class SessionState : std::uint8_t { Idle, Connect, OpenSent, OpenConfirm, Established };
std::string_view state_name(SessionState s);

enum class CloseReason : std::uint8_t {
    None,
    ConnectFailed,      // refused, unreachable, or connect timeout
    PeerClosed,         // FIN from the target without a NOTIFICATION
    PeerReset,          // RST from the target
    PeerNotification,   // the target sent a NOTIFICATION
    LocalAbort,         // we reset the connection (failover by TCP abort)
    LocalNotification,  // we sent a NOTIFICATION (failover by Cease, or a protocol error)
    HoldTimerExpired,   // the target stayed silent for the hold time
    OpenTimeout,        // no OPEN/KEEPALIVE within the OpenSent/OpenConfirm bound
};
std::string_view close_reason_name(CloseReason r);

struct NotificationRecord {
    bool sent = false;  // true: we sent it; false: the target sent it
    std::uint8_t code = 0;
    std::uint8_t subcode = 0;
    Nanos at = 0;
};

struct SessionConfig {
    std::string name;
    Ipv4Address local_address;
    std::string bind_device;  // SO_BINDTODEVICE when not empty (bare metal)
    Ipv4Address remote_address;
    std::uint16_t remote_port = 179;
    std::uint32_t local_asn = 0;
    std::optional<std::uint32_t> expected_remote_asn;
    Ipv4Address router_id;
    std::uint16_t hold_time = 90;
    Nanos connect_timeout = 5 * kSecond;
    Nanos open_timeout = 30 * kSecond;
    bool ipv6_unicast = false;  // offer IPv6 unicast (RFC 4760) beside IPv4 unicast: the MRT replay
};

class Session final : public IoHandler {
public:
    using UpdateHandler = std::function<void(Session&, std::span<const std::uint8_t> message, Nanos now)>;
    using StateHandler = std::function<void(Session&, Nanos now)>;

    Session(EventLoop& loop, SessionConfig config);
    ~Session() override;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void connect(Nanos now);
    // Queues bytes [begin, end) of a shared buffer. `is_update` marks data whose first written byte
    // stamps first_update_write_at().
    void send(std::shared_ptr<const std::vector<std::uint8_t>> buffer, std::size_t begin, std::size_t end,
              bool is_update = true);
    void send(std::shared_ptr<const std::vector<std::uint8_t>> buffer, bool is_update = true);
    void abort();  // TCP RST (SO_LINGER 0), no NOTIFICATION
    void close_with_notification(std::uint8_t code, std::uint8_t subcode);
    void go_silent();  // stop sending keepalives: the target's hold timer will expire

    void on_io(std::uint32_t events, Nanos now) override;
    void on_tick(Nanos now) override;

    [[nodiscard]] const SessionConfig& config() const { return config_; }
    [[nodiscard]] SessionState state() const { return state_; }
    [[nodiscard]] bool established() const { return state_ == SessionState::Established; }
    [[nodiscard]] Nanos connect_started_at() const { return connect_started_at_; }
    [[nodiscard]] Nanos established_at() const { return established_at_; }
    [[nodiscard]] Nanos closed_at() const { return closed_at_; }
    [[nodiscard]] CloseReason close_reason() const { return close_reason_; }
    [[nodiscard]] const std::string& close_detail() const { return close_detail_; }
    [[nodiscard]] const std::vector<NotificationRecord>& notifications() const { return notifications_; }
    [[nodiscard]] std::optional<NotificationRecord> last_received_notification() const;
    [[nodiscard]] const bgp::CodecOptions& codec_options() const { return options_; }
    [[nodiscard]] std::uint16_t negotiated_hold() const { return negotiated_hold_; }
    [[nodiscard]] Nanos first_update_write_at() const { return first_update_write_at_; }
    [[nodiscard]] Nanos last_update_write_at() const { return last_update_write_at_; }
    [[nodiscard]] bool send_queue_empty() const { return queue_.empty(); }
    [[nodiscard]] std::uint64_t updates_in() const { return updates_in_; }
    [[nodiscard]] Nanos last_update_in_at() const { return last_update_in_at_; }
    [[nodiscard]] std::uint64_t bytes_in() const { return bytes_in_; }
    [[nodiscard]] int establishments() const { return establishments_; }

    UpdateHandler on_update;
    StateHandler on_state;

private:
    struct Chunk {
        std::shared_ptr<const std::vector<std::uint8_t>> buffer;
        std::size_t begin = 0;
        std::size_t end = 0;
        bool is_update = false;
    };

    void finish_connect(Nanos now);
    void read_ready(Nanos now);
    void parse(Nanos now);
    bool dispatch(bgp::MessageType type, std::span<const std::uint8_t> message, Nanos now);
    void flush(Nanos now);
    void update_interest();
    void send_small(std::vector<std::uint8_t> bytes);
    void protocol_error(std::uint8_t code, std::uint8_t subcode, std::string detail, Nanos now);
    void close(CloseReason reason, std::string detail, Nanos now, bool reset = false);
    void enter(SessionState s, Nanos now);

    EventLoop& loop_;
    SessionConfig config_;
    int fd_ = -1;
    SessionState state_ = SessionState::Idle;
    bool silent_ = false;
    bool want_write_ = false;
    bool ticking_ = false;
    bgp::Open local_open_;
    bgp::CodecOptions options_;
    std::uint16_t negotiated_hold_ = 0;

    std::vector<std::uint8_t> rx_;
    std::size_t rx_begin_ = 0;
    std::deque<Chunk> queue_;

    Nanos connect_started_at_ = 0;
    Nanos state_entered_at_ = 0;
    Nanos established_at_ = 0;
    Nanos closed_at_ = 0;
    Nanos last_rx_ = 0;
    Nanos last_keepalive_tx_ = 0;
    Nanos first_update_write_at_ = 0;
    Nanos last_update_write_at_ = 0;
    CloseReason close_reason_ = CloseReason::None;
    std::string close_detail_;
    std::vector<NotificationRecord> notifications_;
    std::uint64_t updates_in_ = 0;
    Nanos last_update_in_at_ = 0;
    std::uint64_t bytes_in_ = 0;
    int establishments_ = 0;
};

}  // namespace rf::bench
