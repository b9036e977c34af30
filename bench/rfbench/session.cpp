#include "bench/rfbench/session.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace rf::bench {

namespace {

// std::strerror is not thread-safe (clang-tidy concurrency-mt-unsafe); the category message is.
std::string errno_text(int e) {
    return std::generic_category().message(e);
}

constexpr std::size_t kReadChunk = std::size_t{256} * 1024;
constexpr int kMaxReadsPerEvent = 8;  // fairness between sessions sharing the loop

sockaddr_in to_sockaddr(Ipv4Address a, std::uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(a.value);
    return sa;
}

}  // namespace

std::string_view state_name(SessionState s) {
    switch (s) {
        case SessionState::Idle:
            return "Idle";
        case SessionState::Connect:
            return "Connect";
        case SessionState::OpenSent:
            return "OpenSent";
        case SessionState::OpenConfirm:
            return "OpenConfirm";
        case SessionState::Established:
            return "Established";
    }
    return "?";
}

std::string_view close_reason_name(CloseReason r) {
    switch (r) {
        case CloseReason::None:
            return "none";
        case CloseReason::ConnectFailed:
            return "connect-failed";
        case CloseReason::PeerClosed:
            return "peer-closed";
        case CloseReason::PeerReset:
            return "peer-reset";
        case CloseReason::PeerNotification:
            return "peer-notification";
        case CloseReason::LocalAbort:
            return "local-abort";
        case CloseReason::LocalNotification:
            return "local-notification";
        case CloseReason::HoldTimerExpired:
            return "hold-timer-expired";
        case CloseReason::OpenTimeout:
            return "open-timeout";
    }
    return "?";
}

Session::Session(EventLoop& loop, SessionConfig config) : loop_(loop), config_(std::move(config)) {
    local_open_.version = 4;
    local_open_.my_as =
        config_.local_asn > 0xFFFF ? bgp::kAsTrans : static_cast<std::uint16_t>(config_.local_asn);
    local_open_.hold_time = config_.hold_time;
    local_open_.bgp_identifier = config_.router_id;
    local_open_.capabilities.multiprotocol.push_back(bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast});
    if (config_.ipv6_unicast)
        local_open_.capabilities.multiprotocol.push_back(bgp::AfiSafi{net::Afi::Ipv6, net::Safi::Unicast});
    local_open_.capabilities.route_refresh = true;
    local_open_.capabilities.four_octet_as = config_.local_asn;
}

Session::~Session() {
    if (fd_ >= 0) {
        loop_.remove(fd_);
        ::close(fd_);
    }
    if (ticking_)
        loop_.remove_ticker(this);
}

std::optional<NotificationRecord> Session::last_received_notification() const {
    for (auto it = notifications_.rbegin(); it != notifications_.rend(); ++it)
        if (!it->sent)
            return *it;
    return std::nullopt;
}

void Session::enter(SessionState s, Nanos now) {
    state_ = s;
    state_entered_at_ = now;
    if (on_state)
        on_state(*this, now);
}

void Session::connect(Nanos now) {
    if (fd_ >= 0)
        return;
    if (!ticking_) {
        loop_.add_ticker(this);
        ticking_ = true;
    }
    silent_ = false;
    options_ = bgp::CodecOptions{};
    negotiated_hold_ = 0;
    close_reason_ = CloseReason::None;
    close_detail_.clear();
    rx_.clear();
    rx_begin_ = 0;
    queue_.clear();
    connect_started_at_ = now;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        close(CloseReason::ConnectFailed, std::string("socket: ") + errno_text(errno), now);
        return;
    }
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // churn events go out at once
    if (!config_.bind_device.empty() &&
        ::setsockopt(fd_, SOL_SOCKET, SO_BINDTODEVICE, config_.bind_device.c_str(),
                     static_cast<socklen_t>(config_.bind_device.size())) != 0) {
        close(CloseReason::ConnectFailed, std::string("SO_BINDTODEVICE: ") + errno_text(errno), now);
        return;
    }
    if (config_.local_address.value != 0) {
        const sockaddr_in local = to_sockaddr(config_.local_address, 0);
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
            close(CloseReason::ConnectFailed,
                  "bind " + config_.local_address.to_string() + ": " + errno_text(errno), now);
            return;
        }
    }
    const sockaddr_in remote = to_sockaddr(config_.remote_address, config_.remote_port);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&remote), sizeof remote) != 0 &&
        errno != EINPROGRESS) {
        close(CloseReason::ConnectFailed, std::string("connect: ") + errno_text(errno), now);
        return;
    }
    loop_.add(fd_, EPOLLOUT | EPOLLIN | EPOLLRDHUP, this);
    want_write_ = true;
    enter(SessionState::Connect, now);
}

void Session::finish_connect(Nanos now) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
        close(CloseReason::ConnectFailed, std::string("connect: ") + errno_text(err), now);
        return;
    }
    std::vector<std::uint8_t> open;
    bgp::encode_open(local_open_, open);
    last_rx_ = now;
    enter(SessionState::OpenSent, now);
    send_small(std::move(open));
}

void Session::send(std::shared_ptr<const std::vector<std::uint8_t>> buffer, std::size_t begin,
                   std::size_t end, bool is_update) {
    if (fd_ < 0 || begin >= end)
        return;
    const bool was_empty = queue_.empty();
    queue_.push_back(Chunk{std::move(buffer), begin, end, is_update});
    if (was_empty && state_ != SessionState::Connect)
        flush(now_ns());
}

void Session::send(std::shared_ptr<const std::vector<std::uint8_t>> buffer, bool is_update) {
    const std::size_t n = buffer->size();
    send(std::move(buffer), 0, n, is_update);
}

void Session::send_small(std::vector<std::uint8_t> bytes) {
    auto buf = std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
    send(std::move(buf), false);
}

void Session::flush(Nanos now) {
    while (!queue_.empty() && fd_ >= 0) {
        Chunk& c = queue_.front();
        const ssize_t n = ::send(fd_, c.buffer->data() + c.begin, c.end - c.begin, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EINTR)
                continue;
            close(errno == ECONNRESET ? CloseReason::PeerReset : CloseReason::PeerClosed,
                  std::string("send: ") + errno_text(errno), now);
            return;
        }
        if (c.is_update) {
            if (first_update_write_at_ == 0)
                first_update_write_at_ = now;
            last_update_write_at_ = now;
        }
        c.begin += static_cast<std::size_t>(n);
        if (c.begin == c.end)
            queue_.pop_front();
    }
    update_interest();
}

void Session::update_interest() {
    if (fd_ < 0)
        return;
    const bool want = !queue_.empty() || state_ == SessionState::Connect;
    if (want != want_write_) {
        want_write_ = want;
        loop_.modify(fd_, EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u), this);
    }
}

void Session::on_io(std::uint32_t events, Nanos now) {
    if (fd_ < 0)
        return;
    if (state_ == SessionState::Connect) {
        if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0)
            finish_connect(now);
        return;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
        read_ready(now);
    if (fd_ >= 0 && (events & EPOLLOUT) != 0)
        flush(now);
}

void Session::read_ready(Nanos now) {
    for (int i = 0; i < kMaxReadsPerEvent && fd_ >= 0; ++i) {
        if (rx_begin_ > 0 && rx_begin_ == rx_.size()) {
            rx_.clear();
            rx_begin_ = 0;
        } else if (rx_begin_ > kReadChunk) {
            rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(rx_begin_));
            rx_begin_ = 0;
        }
        const std::size_t old = rx_.size();
        rx_.resize(old + kReadChunk);
        const ssize_t n = ::recv(fd_, rx_.data() + old, kReadChunk, 0);
        if (n <= 0) {
            rx_.resize(old);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return;
            if (n < 0 && errno == EINTR)
                continue;
            parse(now);  // a NOTIFICATION may sit in front of the FIN
            if (fd_ < 0)
                return;
            if (n == 0) {
                close(CloseReason::PeerClosed, "connection closed by the target", now);
            } else {
                close(errno == ECONNRESET ? CloseReason::PeerReset : CloseReason::PeerClosed,
                      std::string("recv: ") + errno_text(errno), now);
            }
            return;
        }
        rx_.resize(old + static_cast<std::size_t>(n));
        bytes_in_ += static_cast<std::uint64_t>(n);
        parse(now);
        if (static_cast<std::size_t>(n) < kReadChunk)
            return;
    }
}

void Session::parse(Nanos now) {
    while (fd_ >= 0 && rx_.size() - rx_begin_ >= bgp::kHeaderSize) {
        const std::span<const std::uint8_t> avail(rx_.data() + rx_begin_, rx_.size() - rx_begin_);
        auto header = bgp::decode_header(avail.first(bgp::kHeaderSize), options_);
        if (!header) {
            protocol_error(static_cast<std::uint8_t>(header.error().code), header.error().subcode,
                           "bad header: " + header.error().to_string(), now);
            return;
        }
        if (avail.size() < header->length)
            return;
        rx_begin_ += header->length;
        if (!dispatch(header->type, avail.first(header->length), now))
            return;
    }
}

bool Session::dispatch(bgp::MessageType type, std::span<const std::uint8_t> message, Nanos now) {
    using bgp::MessageType;
    if (type != MessageType::Notification)
        last_rx_ = now;
    switch (type) {
        case MessageType::Open: {
            if (state_ != SessionState::OpenSent) {
                protocol_error(5, 0, "OPEN outside OpenSent", now);
                return false;
            }
            auto open = bgp::decode_open(message);
            if (!open) {
                protocol_error(static_cast<std::uint8_t>(open.error().code), open.error().subcode,
                               "bad OPEN: " + open.error().to_string(), now);
                return false;
            }
            if (config_.expected_remote_asn && open->asn() != *config_.expected_remote_asn) {
                protocol_error(2, 2,
                               "target ASN " + std::to_string(open->asn()) + ", expected " +
                                   std::to_string(*config_.expected_remote_asn),
                               now);
                return false;
            }
            negotiated_hold_ = std::min(config_.hold_time, open->hold_time);
            if (negotiated_hold_ != 0 && negotiated_hold_ < 3) {
                protocol_error(2, 6, "hold time below 3 s", now);
                return false;
            }
            options_ = bgp::negotiate(local_open_, *open);
            std::vector<std::uint8_t> ka;
            bgp::encode_keepalive(ka);
            last_keepalive_tx_ = now;
            enter(SessionState::OpenConfirm, now);
            send_small(std::move(ka));
            return fd_ >= 0;
        }
        case MessageType::Keepalive:
            if (state_ == SessionState::OpenConfirm) {
                established_at_ = now;
                ++establishments_;
                enter(SessionState::Established, now);
            } else if (state_ != SessionState::Established) {
                protocol_error(5, static_cast<std::uint8_t>(bgp::FsmSubcode::UnexpectedInOpenSent),
                               "KEEPALIVE in OpenSent", now);
                return false;
            }
            return fd_ >= 0;
        case MessageType::Update:
            if (state_ != SessionState::Established) {
                protocol_error(5, 0, "UPDATE before Established", now);
                return false;
            }
            ++updates_in_;
            last_update_in_at_ = now;
            if (on_update)
                on_update(*this, message, now);
            return fd_ >= 0;
        case MessageType::Notification: {
            NotificationRecord rec;
            rec.sent = false;
            rec.code = message.size() > bgp::kHeaderSize ? message[bgp::kHeaderSize] : 0;
            rec.subcode = message.size() > bgp::kHeaderSize + 1 ? message[bgp::kHeaderSize + 1] : 0;
            rec.at = now;
            notifications_.push_back(rec);
            close(
                CloseReason::PeerNotification,
                "NOTIFICATION " + std::to_string(rec.code) + "/" + std::to_string(rec.subcode) + " (" +
                    std::string(bgp::error_code_name(static_cast<bgp::ErrorCode>(rec.code))) + " / " +
                    std::string(bgp::error_subcode_name(static_cast<bgp::ErrorCode>(rec.code), rec.subcode)) +
                    ")",
                now);
            return false;
        }
        case MessageType::RouteRefresh:
            return true;  // the generator re-sends nothing: its Adj-RIB-Out is the pre-encoded load
    }
    return true;
}

void Session::protocol_error(std::uint8_t code, std::uint8_t subcode, std::string detail, Nanos now) {
    if (fd_ < 0)
        return;
    std::vector<std::uint8_t> bytes;
    bgp::Notification n;
    n.code = code;
    n.subcode = subcode;
    bgp::encode_notification(n, bytes);
    (void)::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    notifications_.push_back(NotificationRecord{true, code, subcode, now});
    close(CloseReason::LocalNotification, std::move(detail), now);
}

void Session::abort() {
    if (fd_ < 0)
        return;
    const linger lg{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(CloseReason::LocalAbort, "TCP abort (RST)", now_ns(), true);
}

void Session::close_with_notification(std::uint8_t code, std::uint8_t subcode) {
    if (fd_ < 0)
        return;
    queue_.clear();  // nothing may follow a NOTIFICATION
    protocol_error(code, subcode, "NOTIFICATION sent by rfbench", now_ns());
}

void Session::go_silent() {
    silent_ = true;
}

void Session::close(CloseReason reason, std::string detail, Nanos now, bool /*reset*/) {
    if (fd_ >= 0) {
        loop_.remove(fd_);
        ::close(fd_);
        fd_ = -1;
    }
    queue_.clear();
    want_write_ = false;
    close_reason_ = reason;
    close_detail_ = std::move(detail);
    closed_at_ = now;
    enter(SessionState::Idle, now);
}

void Session::on_tick(Nanos now) {
    switch (state_) {
        case SessionState::Idle:
            return;
        case SessionState::Connect:
            if (now - state_entered_at_ > config_.connect_timeout)
                close(CloseReason::ConnectFailed, "connect timeout", now);
            return;
        case SessionState::OpenSent:
        case SessionState::OpenConfirm:
            if (now - state_entered_at_ > config_.open_timeout)
                close(CloseReason::OpenTimeout,
                      std::string("no progress in ") + std::string(state_name(state_)), now);
            return;
        case SessionState::Established: {
            if (negotiated_hold_ == 0)
                return;
            const Nanos hold = static_cast<Nanos>(negotiated_hold_) * kSecond;
            if (now - last_rx_ > hold) {
                protocol_error(4, 0, "hold timer expired (target silent)", now);
                close_reason_ = CloseReason::HoldTimerExpired;
                return;
            }
            if (!silent_ && now - last_keepalive_tx_ >= hold / 3) {
                last_keepalive_tx_ = now;
                std::vector<std::uint8_t> ka;
                bgp::encode_keepalive(ka);
                send_small(std::move(ka));
            }
            return;
        }
    }
}

}  // namespace rf::bench
