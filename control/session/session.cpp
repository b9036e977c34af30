#include "control/session/session.hpp"

#include <algorithm>
#include <cassert>

#include "control/session/asio_address.hpp"
#include "control/session/socket_options.hpp"

namespace rf::session {

namespace asio = boost::asio;

namespace {

std::vector<std::uint8_t> encode(const bgp::Notification& n) {
    std::vector<std::uint8_t> out;
    bgp::encode_notification(n, out);
    return out;
}

bool is_link_local(const net::IpAddress& a) {  // fe80::/10
    return !a.is_v4() && a.bytes[0] == 0xFE && (a.bytes[1] & 0xC0) == 0x80;
}

bool is_unspecified(const net::IpAddress& a) {
    return std::all_of(a.bytes.begin(), a.bytes.end(), [](std::uint8_t b) { return b == 0; });
}

// RFC 2545 §3: the link-local next hop of an IPv6 route is meaningful only on the link it was learned on.
// A multihop peer (TTL > 1, the default) is not on a link shared with the other NVAs, so its link-local
// address is dropped and the global next hop alone is kept and reflected (what BIRD's `next hop keep`
// and FRR send over multihop sessions). A directly connected peer's pair is kept as received. A route
// whose global next hop is unspecified (link-local only) keeps both: there is nothing better to give.
void drop_foreign_link_local(bgp::Update& u, const PeerSettings& peer) {
    if (peer.ttl == 1 || !u.mp_reach || u.mp_reach->next_hops.size() != 2) {
        return;
    }
    auto& nh = u.mp_reach->next_hops;
    if (is_link_local(nh[1]) && !is_unspecified(nh[0]) && !is_link_local(nh[0])) {
        nh.resize(1);
    }
}

// UPDATEs in a read below which the session counts as quiet (see end_read).
constexpr std::size_t kQuietRead = 64;

// Transitions of extra connections logged per interval (the rest are counted, see report()).
constexpr std::size_t kExtraReportBurst = 5;
constexpr std::chrono::seconds kExtraReportInterval{60};

}  // namespace

Session::Session(asio::io_context& io, SessionOwner& owner, std::shared_ptr<const PeerSettings> peer,
                 SessionConfig config)
    : io_(io),
      owner_(owner),
      peer_(std::move(peer)),
      config_(std::move(config)),
      primary_(config_.fsm),
      extra_reports_(kExtraReportBurst, kExtraReportInterval),
      refresh_timer_(io),
      timer_(io) {
    config_.open_policy.peer_asn = peer_->asn;
    local_open_ = open_for_peer(config_.local_open, open_options());
}

PeerOpenOptions Session::open_options() const {
    PeerOpenOptions o{peer_->add_path, peer_->extended_messages, peer_->enhanced_route_refresh, {}};
    if (peer_->graceful_restart.enabled) {
        const auto& gr = peer_->graceful_restart;
        o.graceful_restart =
            PeerOpenOptions::GracefulRestart{gr.restart_time, gr.notification, config_.restart_state,
                                             config_.forwarding_preserved, gr.long_lived_stale_time};
    }
    return o;
}

void Session::clear_restart_state() {
    config_.restart_state = false;
    local_open_ = open_for_peer(config_.local_open, open_options());
}

Session::~Session() {
    timer_.cancel();
    refresh_timer_.cancel();
    cancel_connect();
    if (primary_.conn) {
        primary_.conn->close_after_flush();
    }
    for (auto& e : extra_) {
        if (e->conn) {
            e->conn->close_after_flush();
        }
    }
    DownCause cause;
    cause.reason = Reason::AdminStop;
    cause.removed = true;
    down(cause);  // removed by its owner: its routes go, whatever graceful restart says
}

void Session::start() {
    feed(primary_, config_.connects_out ? Event::ManualStart : Event::ManualStartPassive);
}

void Session::stop(const bgp::Notification& cease) {
    EventData d;
    d.notification = cease;
    stop_extra(cease);
    feed(primary_, Event::ManualStop, d);
}

bool Session::has_open_connection() const {
    return (primary_.conn && primary_.conn->open()) ||
           std::any_of(extra_.begin(), extra_.end(),
                       [](const auto& e) { return e->conn && e->conn->open(); });
}

void Session::apply_socket_options(asio::ip::tcp::socket& s, bool connecting) {
    const bool v6 = !peer_->address.is_v4();
    const int fd = s.native_handle();
    const int ttl = peer_->gtsm ? 255 : peer_->ttl;
    if (auto err = set_ttl(fd, v6, ttl)) {
        owner_.on_log("peer " + peer_->name + ": " + *err);
    }
    if (peer_->gtsm) {
        if (auto err = set_min_ttl(fd, v6, 256 - std::max<int>(1, peer_->ttl == 255 ? 1 : peer_->ttl))) {
            owner_.on_log("peer " + peer_->name + ": " + *err);
        }
    }
    if (connecting && !peer_->md5_password.empty()) {
        if (auto err = set_tcp_md5(fd, peer_->address, peer_->md5_password)) {
            owner_.on_log("peer " + peer_->name + ": " + *err);
        }
    }
}

void Session::attach(ConnectionFsm& link, std::shared_ptr<Connection> conn) {
    link.conn = std::move(conn);
    link.outbound = link.conn->outbound();
    link.serial = ++connection_serial_;
    link.codec = bgp::CodecOptions{};
    link.codec.four_octet_as = false;
    link.remote.reset();
    updates_in_read_ = 0;
    std::weak_ptr<Session> weak = weak_from_this();
    const Connection* raw = link.conn.get();
    Connection::Callbacks cb;
    cb.on_message = [weak, raw](std::span<const std::uint8_t> m, bgp::MessageType type) {
        auto self = weak.lock();
        if (!self) {
            return false;
        }
        ConnectionFsm* s = self->link_of(raw);
        return s != nullptr && self->on_message(s, m, type);
    };
    cb.on_batch_end = [weak]() {
        if (auto self = weak.lock()) {
            self->end_read();
            self->owner_.on_input_handled(*self);
        }
    };
    cb.on_framing_error = [weak, raw](const bgp::WireError& e) {
        auto self = weak.lock();
        if (!self) {
            return;
        }
        if (ConnectionFsm* s = self->link_of(raw)) {
            // The messages before the bad header came in the same read: their UPDATEs go first.
            if (self->hand_over_updates()) {
                EventData d;
                d.notification = to_notification(e);
                self->feed(*s, Event::HeaderError, d, e.to_string());
            }
            self->owner_.on_input_handled(*self);
        }
    };
    cb.on_closed = [weak, raw](const std::string& why) {
        auto self = weak.lock();
        if (!self) {
            return;
        }
        if (ConnectionFsm* s = self->link_of(raw)) {
            self->feed(*s, Event::TcpConnectionFails, {}, why);
            self->owner_.on_input_handled(*self);
        }
    };
    link.conn->start(std::move(cb));
}

void Session::feed(ConnectionFsm& link, Event event, const EventData& data, const std::string& detail) {
    const Transition t = link.fsm.handle(event, Clock::now(), data);
    execute(link, t, detail);
    settle(link);
    rearm();
}

void Session::execute(ConnectionFsm& link, const Transition& t, const std::string& detail) {
    using namespace action;  // NOLINT(google-build-using-namespace)
    const bool is_primary = &link == &primary_;
    if (is_primary) {
        last_reason_ = t.reason;
    }
    if (t.changed() || !t.legal || t.has(SendNotification) || t.reason == Reason::RefusedInIdle) {
        report(link, t, detail);
    }
    if (t.has(SendOpen) && link.conn) {
        std::vector<std::uint8_t> out;
        bgp::encode_open(local_open_, out);
        link.conn->send(std::move(out));
    }
    if (t.has(SendKeepalive) && link.conn) {
        std::vector<std::uint8_t> out;
        bgp::encode_keepalive(out);
        link.conn->send(std::move(out));
    }
    std::optional<bgp::Notification> sent;
    if (t.has(SendNotification) && t.notification && link.conn) {
        sent = t.notification;
        // RFC 8538 §5: with the N bit negotiated, the Ceases that mean "forget my routes" go as Hard
        // Reset, or the peer would keep them stale.
        if (is_primary && up_ && graceful_restart_ && graceful_restart_->notification &&
            wants_hard_reset(*sent)) {
            sent = hard_reset(*sent);
            ++hard_resets_sent_;
        }
        link.conn->send(encode(*sent));
        last_sent_ = sent;
        owner_.on_notification(*this, *sent, true);
    }
    if (t.has(CancelConnect)) {
        cancel_connect();
    }
    if (t.has(PeerUp)) {
        ++established_count_;
        established(link);
    }
    if (t.has(PeerDown)) {
        DownCause cause;
        cause.reason = t.reason;
        cause.sent = sent;
        if (t.reason == Reason::NotificationReceived || t.reason == Reason::NotificationVersionError) {
            cause.received = last_received_;
        }
        down(cause);
    }
    if (t.has(CloseConnection) && link.conn) {
        link.conn->close_after_flush();
        link.conn.reset();
    }
    if (t.has(Connect) && is_primary) {
        start_connect();
    }
}

void Session::start_connect() {
    cancel_connect();
    const auto remote = to_asio(peer_->address);
    asio::ip::tcp::socket sock(io_);
    boost::system::error_code ec;
    sock.open(remote.is_v4() ? asio::ip::tcp::v4() : asio::ip::tcp::v6(), ec);
    if (!ec) {
        sock.bind({to_asio(config_.local), 0}, ec);
    }
    if (ec) {
        owner_.on_log("peer " + peer_->name + ": cannot open an outbound socket from " +
                      config_.local.to_string() + ": " + ec.message());
        asio::post(io_, [weak = weak_from_this()]() {
            if (auto self = weak.lock(); self && self->primary_.fsm.state() == State::Connect) {
                self->feed(self->primary_, Event::TcpConnectionFails, {}, "socket setup failed");
            }
        });
        return;
    }
    apply_socket_options(sock, true);
    connecting_.emplace(std::move(sock));
    const std::uint64_t gen = ++connect_generation_;
    connecting_->async_connect({remote, peer_->port}, [weak = weak_from_this(),
                                                       gen](const boost::system::error_code& e) {
        auto self = weak.lock();
        if (!self || gen != self->connect_generation_ || !self->connecting_) {
            return;
        }
        asio::ip::tcp::socket s = std::move(*self->connecting_);
        self->connecting_.reset();
        if (self->primary_.fsm.state() != State::Connect) {
            return;  // the peer connected to us meanwhile
        }
        if (e) {
            self->feed(self->primary_, Event::TcpConnectionFails, {}, "connect: " + e.message());
            return;
        }
        self->attach(self->primary_, std::make_shared<Connection>(std::move(s), true));
        self->feed(self->primary_, Event::TcpConnected, {}, "outbound to " + self->primary_.conn->remote());
    });
}

void Session::cancel_connect() {
    ++connect_generation_;
    if (connecting_) {
        boost::system::error_code ec;
        connecting_->close(ec);
        connecting_.reset();
    }
}

bool Session::on_message(ConnectionFsm* link, std::span<const std::uint8_t> message, bgp::MessageType type) {
    const Connection* conn = link->conn.get();
    owner_.on_message_received(*this, message, link->codec.four_octet_as);
    if (type == bgp::MessageType::Update) {
        on_update(*link, message);
    } else if (!hand_over_updates()) {
        return false;  // the UPDATEs before this message dropped the session: nothing more is read
    } else {
        switch (type) {
            case bgp::MessageType::Open:
                on_open(*link, message);
                break;
            case bgp::MessageType::Keepalive:
                feed(*link, Event::KeepaliveReceived);
                break;
            case bgp::MessageType::Notification:
                on_notification(*link, message);
                break;
            case bgp::MessageType::RouteRefresh:
                on_route_refresh(*link, message);
                break;
            case bgp::MessageType::Update:
                break;
        }
    }
    // Keep delivering only while this connection is still the session's.
    ConnectionFsm* now = link_of(conn);
    return now != nullptr && now->conn.get() == conn;
}

void Session::on_notification(ConnectionFsm& link, std::span<const std::uint8_t> message) {
    auto m = bgp::decode_message(message, link.codec);
    bgp::Notification n;
    if (m) {
        if (auto* p = std::get_if<bgp::Notification>(&*m)) {
            n = *p;
        }
    }
    last_received_ = n;
    owner_.on_notification(*this, n, false);
    const bool version = n.code == static_cast<std::uint8_t>(bgp::ErrorCode::OpenMessage) &&
                         n.subcode == static_cast<std::uint8_t>(bgp::OpenSubcode::UnsupportedVersionNumber);
    feed(link, version ? Event::NotificationVersionError : Event::NotificationReceived, {},
         "received NOTIFICATION " + n.to_string());
}

void Session::on_update(ConnectionFsm& link, std::span<const std::uint8_t> message) {
    if (link.fsm.state() != State::Established) {
        ++updates_received_;
        feed(link, Event::UpdateReceived, {}, "UPDATE in " + std::string(state_name(link.fsm.state())));
        return;
    }
    auto decoded = bgp::decode_update(message, link.codec);
    if (!decoded) {
        if (!hand_over_updates()) {
            return;  // the UPDATEs before it dropped the session
        }
        ++updates_received_;
        EventData d;
        d.notification = to_notification(decoded.error());
        feed(link, Event::UpdateError, d, decoded.error().to_string());
        return;
    }
    feed(link, Event::UpdateReceived);  // restarts the hold timer
    if (!up_) {
        ++updates_received_;
        return;
    }
    if (decoded->update.is_end_of_rib()) {
        const bgp::AfiSafi f = decoded->update.mp_unreach ? decoded->update.mp_unreach->family
                                                          : bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast};
        if (std::find(end_of_rib_received_.begin(), end_of_rib_received_.end(), f) ==
            end_of_rib_received_.end()) {
            end_of_rib_received_.push_back(f);
        }
    }
    drop_foreign_link_local(decoded->update, *peer_);
    if (updates_.updates.empty()) {
        updates_.read_at = link.conn->read_at();
    }
    updates_.updates.push_back(std::move(*decoded));  // counted when handed over
    ++updates_in_read_;
}

void Session::end_read() {
    hand_over_updates();
    // Like the connection's read buffer: a bulk read's batch capacity is kept while reads stay large, and
    // released when a read brings few UPDATEs (the session went quiet: keepalives, churn), so that idle
    // sessions do not each hold a table load's worth of decoded UPDATEs.
    if (updates_in_read_ < kQuietRead && updates_.updates.capacity() > kQuietRead) {
        updates_.updates = std::vector<bgp::DecodedUpdate>();
    }
    updates_in_read_ = 0;
}

bool Session::hand_over_updates() {
    if (updates_.updates.empty()) {
        return true;
    }
    if (!up_) {
        updates_.updates.clear();  // not reached: every way down hands the batch over first
        return true;
    }
    const Connection* conn = primary_.conn.get();
    const std::size_t handed = updates_.updates.size();
    const std::size_t taken = owner_.on_updates(*this, updates_);
    updates_received_ += std::min(taken, handed);
    updates_.updates.clear();  // keeps its capacity for the next read
    return conn != nullptr && primary_.conn.get() == conn;
}

void Session::drop_for_route_limit(bgp::AfiSafi family, std::size_t route_count, std::size_t route_limit) {
    if (!up_) {
        return;
    }
    ++route_limit_trips_;
    EventData d;
    d.notification = max_prefix_notification(family, static_cast<std::uint32_t>(route_limit));
    feed(primary_, Event::RouteLimitExceeded, d,
         std::to_string(route_count) + " routes > limit " + std::to_string(route_limit));
}

void Session::established(ConnectionFsm& link) {
    EstablishedSession negotiated;
    negotiated.peer_asn = link.remote ? link.remote->peer_asn : peer_->asn;
    negotiated.peer_id = link.remote ? link.remote->peer_id : net::Ipv4Address{};
    negotiated.codec = link.codec;
    negotiated.route_refresh =
        link.remote_open.capabilities.route_refresh && local_open_.capabilities.route_refresh;
    // RFC 7313 §3.1: enhanced route refresh goes with route refresh.
    negotiated.enhanced_route_refresh = negotiated.route_refresh &&
                                        link.remote_open.capabilities.enhanced_route_refresh &&
                                        local_open_.capabilities.enhanced_route_refresh;
    const auto& theirs = link.remote_open.capabilities.multiprotocol;
    const auto& ours = local_open_.capabilities.multiprotocol;
    if (theirs.empty()) {
        negotiated.families.push_back(
            {net::Afi::Ipv4, net::Safi::Unicast});  // RFC 4760: IPv4 unicast implied
    } else {
        for (const auto& f : theirs) {
            if (std::find(ours.begin(), ours.end(), f) != ours.end()) {
                negotiated.families.push_back(f);
            }
        }
    }
    negotiated.local_address = config_.local;
    if (const auto& theirs_gr = link.remote_open.capabilities.graceful_restart;
        theirs_gr && local_open_.capabilities.graceful_restart) {
        NegotiatedGracefulRestart gr;
        for (const auto& f : theirs_gr->families) {
            if (std::find(negotiated.families.begin(), negotiated.families.end(), f.family) !=
                negotiated.families.end()) {
                gr.families.push_back(f);
            }
        }
        gr.restart_time = theirs_gr->restart_time;
        gr.restart_state = theirs_gr->restart_state;
        gr.notification = theirs_gr->notification && local_open_.capabilities.graceful_restart->notification;
        gr.long_lived = negotiate_long_lived(local_open_, link.remote_open, negotiated.families);
        negotiated.graceful_restart = std::move(gr);
    }
    graceful_restart_ = negotiated.graceful_restart;
    if (link.conn) {
        boost::system::error_code ec;
        negotiated.local_port = link.conn->socket().local_endpoint(ec).port();
        negotiated.remote_port = link.conn->socket().remote_endpoint(ec).port();
    }
    negotiated.received_open = link.remote_open;
    families_ = negotiated.families;
    route_refresh_ = negotiated.route_refresh;
    enhanced_refresh_ = negotiated.enhanced_route_refresh;
    clear_refreshes();
    end_of_rib_received_.clear();
    up_ = true;
    owner_.on_established(*this, negotiated);
}

void Session::down(const DownCause& cause) {
    if (!up_) {
        return;
    }
    up_ = false;
    clear_refreshes();  // a refresh in progress ends with the session; graceful restart is the owner's
    owner_.on_down(*this, Clock::now(), cause);
}

void Session::send_messages(const std::vector<bgp::SharedMessage>& messages) {
    if (!primary_.conn || primary_.fsm.state() != State::Established) {
        return;
    }
    for (const auto& m : messages) {
        // A buffer holds whole messages back to back (update groups share it): count its UPDATEs by
        // walking the headers' length fields.
        for (std::size_t at = 0; at + bgp::kHeaderSize <= m->size();) {
            const std::size_t len = (std::size_t{(*m)[at + 16]} << 8) | (*m)[at + 17];
            const std::uint8_t type = (*m)[at + 18];
            if (type == static_cast<std::uint8_t>(bgp::MessageType::Update)) {
                ++updates_sent_;
            } else if (type == static_cast<std::uint8_t>(bgp::MessageType::RouteRefresh) &&
                       at + bgp::kHeaderSize + 3 <= m->size()) {  // BoRR/EoRR around a refresh answer
                const std::uint8_t subtype = (*m)[at + bgp::kHeaderSize + 2];
                borr_sent_ += subtype == bgp::refresh_subtype::Begin ? 1 : 0;
                eorr_sent_ += subtype == bgp::refresh_subtype::End ? 1 : 0;
            }
            if (len < bgp::kHeaderSize) {
                break;  // never produced by our encoder; do not loop forever on a bad buffer
            }
            at += len;
        }
        primary_.conn->send(m);
    }
    if (!messages.empty()) {
        primary_.fsm.message_sent(Clock::now());
    }
    if (primary_.conn->queued_bytes() > config_.max_output_bytes) {
        // A reader this slow would make us buffer without bound: drop it (explicit, logged) with Cease /
        // Out of Resources (RFC 4486 subcode 8). The queued UPDATEs are discarded (the session ends, the
        // peer relearns everything when it comes back), so the NOTIFICATION goes out right after the
        // write in progress, if the peer reads it before the close linger ends.
        const std::size_t queued = primary_.conn->queued_bytes();
        primary_.conn->discard_queued();
        ++output_overflows_;
        EventData d;
        d.notification = bgp::Notification{static_cast<std::uint8_t>(bgp::ErrorCode::Cease),
                                           static_cast<std::uint8_t>(bgp::CeaseSubcode::OutOfResources),
                                           {}};
        feed(primary_, Event::OutOfResources, d,
             "output queue " + std::to_string(queued) + " bytes, above max_output_bytes " +
                 std::to_string(config_.max_output_bytes));
    }
}

bool Session::reset(const bgp::Notification& cease, const std::string& why) {
    if (primary_.fsm.state() != State::Established) {
        return false;
    }
    ++config_resets_;
    EventData d;
    d.notification = cease;
    stop_extra(cease);  // the peer reconnects to the restarted session
    feed(primary_, Event::AutomaticStop, d, why);
    // Not an error: start again at once, a passive peer may reconnect right away.
    start();
    return true;
}

Session::AdminReset Session::admin_reset(const bgp::Notification& cease) {
    const State state = primary_.fsm.state();
    if (state != State::Established && state != State::Idle) {
        return AdminReset::Nothing;  // on its way up already
    }
    if (state == State::Established) {
        ++admin_resets_;
    }
    stop(cease);  // Established: NOTIFICATION, down; Idle: timers and back-off cleared
    start();
    return state == State::Established ? AdminReset::Reset : AdminReset::Restarted;
}

void Session::update_settings(std::shared_ptr<const PeerSettings> peer) {
    assert(peer->address == peer_->address && peer->name == peer_->name);
    peer_ = std::move(peer);
}

void Session::rearm() {
    std::optional<TimePoint> next = primary_.fsm.next_deadline();
    for (const auto& e : extra_) {
        if (auto c = e->fsm.next_deadline(); c && (!next || *c < *next)) {
            next = c;
        }
    }
    if (!next) {
        if (armed_) {
            timer_.cancel();
            armed_.reset();
        }
        return;
    }
    // Every KEEPALIVE/UPDATE pushes the hold deadline later; leave an earlier wake-up armed (on_timer
    // finds nothing due and re-arms) instead of reprogramming the timer once per message.
    if (armed_ && *armed_ <= *next) {
        return;
    }
    armed_ = next;
    timer_.expires_at(*next);  // cancels the previous wait
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        if (ec) {
            return;
        }
        if (auto self = weak.lock()) {
            self->armed_.reset();
            self->on_timer();
        }
    });
}

void Session::on_timer() {
    const TimePoint now = Clock::now();
    const std::size_t rounds = 16 + extra_.size();
    for (std::size_t guard = 0; guard < rounds; ++guard) {
        std::optional<Transition> t;
        ConnectionFsm* link = &primary_;
        for (auto& e : extra_) {
            if (auto c = e->fsm.expire(now)) {
                t = c;
                link = e.get();
                break;
            }
        }
        if (!t) {
            t = primary_.fsm.expire(now);
            link = &primary_;
        }
        if (!t) {
            break;
        }
        execute(*link, *t, {});
        settle(*link);
    }
    owner_.on_input_handled(*this);
    rearm();
}

SessionStatus Session::status() const {
    SessionStatus s;
    s.peer = peer_->name;
    s.peer_address = peer_->address;
    s.local_address = config_.local;
    s.state = primary_.fsm.state();
    s.last_reason = last_reason_;
    s.rib_id = config_.id;
    s.neighbor = config_.neighbor;
    s.established_count = established_count_;
    s.route_limit_trips = route_limit_trips_;
    s.last_sent = last_sent_;
    s.last_received = last_received_;
    s.updates_received = updates_received_;
    s.updates_sent = updates_sent_;
    s.route_refreshes_sent = route_refreshes_sent_;
    s.route_refreshes_received = route_refreshes_received_;
    s.borr_sent = borr_sent_;
    s.eorr_sent = eorr_sent_;
    s.borr_received = borr_received_;
    s.eorr_received = eorr_received_;
    s.refresh_timeouts = refresh_timeouts_;
    s.route_refreshes_ignored = route_refreshes_ignored_;
    for (const auto& r : refreshing_) {
        s.refreshing.push_back(r.first);
    }
    s.end_of_rib_received = end_of_rib_received_;
    s.config_resets = config_resets_;
    s.admin_resets = admin_resets_;
    s.output_overflows = output_overflows_;
    s.graceful_restart = graceful_restart_;
    s.hard_resets_sent = hard_resets_sent_;
    s.add_path_receive = primary_.codec.add_path_receive;
    s.add_path_send = primary_.codec.add_path_send;
    s.route_refresh = route_refresh_;
    s.enhanced_route_refresh = enhanced_refresh_;
    s.extended_message = primary_.codec.extended_message;
    s.max_message_size = primary_.codec.max_message_size();
    s.illegal_events = primary_.fsm.illegal_events();
    s.extra_connections = extra_.size();
    s.extra_connections_closed = extra_closed_;
    return s;
}

}  // namespace rf::session
