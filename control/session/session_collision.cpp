// The connections of one session (RFC 4271 §6.8): the session's own connection (primary_) and the
// extra connections from the peer's address that arrive while it is in use (extra_).
//
// - An extra connection is accepted, gets our OPEN, and runs its own FSM until the peer's OPEN arrives
//   on it. It waits at most SessionConfig::extra_open_wait; at most max_extra_connections wait at once
//   (a newer one closes the oldest). Silent sockets from the peer's address therefore never keep the
//   peer's real connection out, and never touch a session that has received an OPEN.
// - Collision detection compares BGP identifiers only when both connections have the peer's OPEN: the
//   session's connection is in OpenConfirm and the extra connection has just received one. The
//   connection initiated by the side with the higher identifier survives; between two connections
//   initiated by the peer, the newer survives (the peer gave up the older one).
// - When the session's connection has no OPEN yet (OpenSent, or no connection), the first connection
//   that brings a valid OPEN becomes the session's, and the OPEN-less one waits on as an extra one.
// - An Established session is never replaced: an extra connection is closed with Cease / Connection
//   Collision Resolution once its OPEN has been read (RFC 4271 §6.8 without the optional
//   CollisionDetectEstablishedState, as BIRD and FRR do); one that stays silent is closed when its wait
//   ends.
#include <algorithm>

#include "control/session/session.hpp"

namespace rf::session {

void Session::accept(boost::asio::ip::tcp::socket socket) {
    apply_socket_options(socket, false);
    auto conn = std::make_shared<Connection>(std::move(socket), false);
    const State s = primary_.fsm.state();
    if ((s == State::Connect || s == State::Active) && !primary_.conn) {
        attach(primary_, conn);
        feed(primary_, Event::TcpAccepted, {}, "inbound from " + conn->remote());
        return;
    }
    if (s == State::Idle) {  // idle-hold after an error, or stopped
        conn->close();
        feed(primary_, Event::TcpAccepted, {}, "inbound from " + conn->remote() + " while idle");
        return;
    }
    add_extra(std::move(conn));
}

void Session::add_extra(std::shared_ptr<Connection> conn) {
    const std::size_t bound = std::max<std::size_t>(1, config_.max_extra_connections);
    while (extra_.size() >= bound) {
        // The oldest has waited longest without an OPEN: it makes room for the newer one.
        dump(*extra_.front(), "no OPEN before a newer connection from the peer's address arrived");
    }
    const TimePoint now = Clock::now();
    auto owned = std::make_unique<ConnectionFsm>(config_.fsm);
    ConnectionFsm& link = *owned;
    link.fsm.handle(Event::ManualStartPassive, now);
    extra_.push_back(std::move(owned));
    attach(link, conn);
    const std::string what = "extra connection from " + conn->remote() + " while the session is " +
                             std::string(state_name(primary_.fsm.state()));
    const Transition t = link.fsm.handle(Event::TcpAccepted, now);
    execute(link, t, what);  // our OPEN; it now waits for the peer's
    link.fsm.limit_open_wait(now + config_.extra_open_wait);
    settle(link);
    rearm();
}

Session::ConnectionFsm* Session::link_of(const Connection* c) {
    if (primary_.conn.get() == c) {
        return &primary_;
    }
    for (auto& e : extra_) {
        if (e->conn.get() == c) {
            return e.get();
        }
    }
    return nullptr;
}

void Session::settle(ConnectionFsm& link) {
    if (&link != &primary_) {
        if (link.fsm.state() != State::OpenSent || !link.conn) {
            erase_extra(&link);  // a closed or failed extra connection just goes away
        }
        return;
    }
    if (primary_.fsm.state() != State::Established && !primary_.conn && !extra_.empty()) {
        // The session's connection failed: the oldest extra connection carries on as the session's.
        take_primary(*extra_.front());
    }
}

void Session::erase_extra(const ConnectionFsm* link) {
    auto it = std::find_if(extra_.begin(), extra_.end(), [link](const auto& e) { return e.get() == link; });
    if (it != extra_.end()) {
        if ((*it)->conn) {
            (*it)->conn->close_after_flush();
        }
        ++extra_closed_;
        extra_.erase(it);
    }
}

void Session::stop_extra(const bgp::Notification& cease) {
    EventData d;
    d.notification = cease;
    while (!extra_.empty()) {
        ConnectionFsm& e = *extra_.front();
        execute(e, e.fsm.handle(Event::ManualStop, Clock::now(), d), {});
        erase_extra(&e);
    }
}

void Session::dump(ConnectionFsm& link, const std::string& why) {
    execute(link, link.fsm.handle(Event::OpenCollisionDump, Clock::now()), why);
    if (&link != &primary_) {
        erase_extra(&link);
    }
}

void Session::take_primary(ConnectionFsm& extra) {
    // The extra connection's FSM carries on as the session's; the back-off history of the connection it
    // replaces is left behind (a fresh connection).
    primary_.fsm = extra.fsm;
    primary_.conn = std::move(extra.conn);
    primary_.remote = extra.remote;
    primary_.remote_open = extra.remote_open;
    primary_.codec = extra.codec;
    primary_.outbound = extra.outbound;
    primary_.serial = extra.serial;
    auto it =
        std::find_if(extra_.begin(), extra_.end(), [&extra](const auto& e) { return e.get() == &extra; });
    if (it != extra_.end()) {
        extra_.erase(it);
    }
}

void Session::demote_primary() {
    if (!primary_.conn) {
        return;
    }
    // A fresh FSM in OpenSent (our OPEN has gone out on this connection already) with the shorter wait.
    const TimePoint now = Clock::now();
    auto owned = std::make_unique<ConnectionFsm>(config_.fsm);
    owned->fsm.handle(Event::ManualStartPassive, now);
    owned->fsm.handle(Event::TcpAccepted, now);
    owned->fsm.limit_open_wait(now + config_.extra_open_wait);
    owned->conn = std::move(primary_.conn);
    owned->outbound = primary_.outbound;
    owned->serial = primary_.serial;
    owned->codec = primary_.codec;
    extra_.push_back(std::move(owned));
}

Session::ConnectionFsm* Session::resolve_collision(ConnectionFsm& received_on) {
    if (&received_on == &primary_) {
        return &primary_;  // no extra connection has an OPEN: nothing to compare
    }
    const State s = primary_.fsm.state();
    if (s == State::Established) {
        dump(received_on, "the session is Established; the new connection is closed after its OPEN");
        return nullptr;
    }
    if (s != State::OpenConfirm || !primary_.conn) {
        // The session's connection has no OPEN: this one takes its place, the other keeps waiting.
        cancel_connect();
        demote_primary();  // appended to extra_; `received_on` is held by pointer and stays valid
        take_primary(received_on);
        return &primary_;
    }
    // Both connections have an OPEN (RFC 4271 §6.8).
    // Both initiated by the peer: it gave up the older one, keep the newer.
    bool keep_received = received_on.serial > primary_.serial;
    if (received_on.outbound != primary_.outbound) {
        const bool keep_local =
            keep_locally_initiated(config_.open_policy.local_id, received_on.remote->peer_id);
        keep_received = keep_local == received_on.outbound;
    }
    const bool kept_outbound = keep_received ? received_on.outbound : primary_.outbound;
    const std::string why =
        std::string("collision: keeping the connection initiated by ") + (kept_outbound ? "us" : "the peer");
    if (!keep_received) {
        dump(received_on, why);
        return nullptr;
    }
    dump(primary_, why);
    take_primary(received_on);
    return &primary_;
}

void Session::on_open(ConnectionFsm& link, std::span<const std::uint8_t> message) {
    if (link.fsm.state() != State::OpenSent) {
        feed(link, Event::OpenReceived, {}, "OPEN in " + std::string(state_name(link.fsm.state())));
        return;
    }
    auto open = bgp::decode_open(message);
    if (!open) {
        EventData d;
        d.notification = to_notification(open.error());
        feed(link, Event::OpenInvalid, d, open.error().to_string());
        return;
    }
    auto accepted = validate_open(*open, config_.open_policy);
    if (!accepted) {
        EventData d;
        d.notification = accepted.error().notification;
        feed(link, Event::OpenInvalid, d, accepted.error().reason);
        return;
    }
    link.remote = *accepted;
    link.remote_open = *open;
    link.codec = bgp::negotiate(local_open_, *open);
    link.conn->set_codec_options(link.codec);
    ConnectionFsm* winner = resolve_collision(link);
    if (winner == nullptr) {
        rearm();
        return;  // this connection lost the collision
    }
    EventData d;
    d.negotiated_hold = std::min<std::uint16_t>(accepted->peer_hold, local_open_.hold_time);
    feed(*winner, Event::OpenReceived, d,
         "peer AS " + std::to_string(accepted->peer_asn) + " id " + accepted->peer_id.to_string() + " hold " +
             std::to_string(accepted->peer_hold));
}

void Session::report(ConnectionFsm& link, const Transition& t, std::string detail) {
    if (t.notification) {
        detail +=
            (detail.empty() ? "" : "; ") + std::string("sent NOTIFICATION ") + t.notification->to_string();
    }
    if (&link != &primary_) {
        // A remote party decides how many extra connections there are: their lines are rate-limited.
        if (!extra_reports_.admit(Clock::now())) {
            return;
        }
        detail += (detail.empty() ? "" : "; ") + std::string("(extra connection)");
        if (const std::uint64_t skipped = extra_reports_.take_suppressed(); skipped > 0) {
            detail += "; " + std::to_string(skipped) + " earlier extra-connection transition(s) not logged";
        }
    }
    owner_.on_transition({peer_->name, config_.local.to_string(), t, detail});
}

}  // namespace rf::session
