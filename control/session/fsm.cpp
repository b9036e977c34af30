#include "control/session/fsm.hpp"

#include <algorithm>

#include "control/codec/errors.hpp"

namespace rf::session {
namespace {

using namespace action;  // NOLINT(google-build-using-namespace): the table reads better unqualified
using S = State;
using E = Event;
using R = Reason;

constexpr std::size_t idx(S s) {
    return static_cast<std::size_t>(s);
}
constexpr std::size_t idx(E e) {
    return static_cast<std::size_t>(e);
}

using Table = std::array<std::array<TableEntry, kEventCount>, kStateCount>;

// Leaving a session for an error: close, and wait idle-hold (with back-off) before starting again.
constexpr std::uint32_t kDrop = CloseConnection | StartIdleHold;
// Leaving Established for an error: same, and withdraw the peer's routes.
constexpr std::uint32_t kDropUp = CloseConnection | PeerDown | StartIdleHold;

constexpr TableEntry ok(S next, std::uint32_t actions, R reason, Notify notify = Notify::None) {
    return TableEntry{next, actions, notify, reason, true};
}
constexpr TableEntry illegal(S stay) {
    return TableEntry{stay, None, Notify::None, R::IllegalEvent, false};
}

// RFC 4271 §8.2.2, without the optional DelayOpen and with collisions resolved by the driver. Every
// (state, event) pair is listed; `illegal` marks events that cannot occur in that state (no timer
// running, no connection) — the FSM ignores and counts them.
// clang-format off: one transition per line reads as a table
constexpr Table make_table() {
    Table t{};
    auto set = [&t](S s, E e, TableEntry entry) { t[idx(s)][idx(e)] = entry; };

    // ---- Idle: no connection. Refuses inbound connections; starts on Manual/Automatic Start.
    set(S::Idle, E::ManualStart,
        ok(S::Connect, StopTimers | ResetBackoff | StartConnectRetry | Connect, R::ManualStart));
    set(S::Idle, E::ManualStartPassive, ok(S::Active, StopTimers | ResetBackoff, R::ManualStart));
    set(S::Idle, E::ManualStop, ok(S::Idle, StopTimers | ResetBackoff, R::AlreadyStopped));
    set(S::Idle, E::AutomaticStart, ok(S::Connect, StartConnectRetry | Connect, R::AutomaticStart));
    set(S::Idle, E::AutomaticStartPassive, ok(S::Active, None, R::AutomaticStart));
    set(S::Idle, E::ConnectRetryTimerExpires, illegal(S::Idle));
    set(S::Idle, E::HoldTimerExpires, illegal(S::Idle));
    set(S::Idle, E::KeepaliveTimerExpires, illegal(S::Idle));
    set(S::Idle, E::TcpConnected, illegal(S::Idle));
    set(S::Idle, E::TcpAccepted, ok(S::Idle, CloseConnection, R::RefusedInIdle));
    set(S::Idle, E::TcpConnectionFails, illegal(S::Idle));
    set(S::Idle, E::OpenReceived, illegal(S::Idle));
    set(S::Idle, E::OpenInvalid, illegal(S::Idle));
    set(S::Idle, E::HeaderError, illegal(S::Idle));
    set(S::Idle, E::OpenCollisionDump, illegal(S::Idle));
    set(S::Idle, E::NotificationVersionError, illegal(S::Idle));
    set(S::Idle, E::NotificationReceived, illegal(S::Idle));
    set(S::Idle, E::KeepaliveReceived, illegal(S::Idle));
    set(S::Idle, E::UpdateReceived, illegal(S::Idle));
    set(S::Idle, E::UpdateError, illegal(S::Idle));
    set(S::Idle, E::RouteRefreshReceived, illegal(S::Idle));
    set(S::Idle, E::RouteLimitExceeded, illegal(S::Idle));
    set(S::Idle, E::OutOfResources, illegal(S::Idle));
    set(S::Idle, E::AutomaticStop, ok(S::Idle, None, R::NothingToReset));

    // ---- Connect: outbound TCP connection in progress, ConnectRetry running; inbound accepted too.
    for (E e : {E::ManualStart, E::ManualStartPassive, E::AutomaticStart, E::AutomaticStartPassive}) {
        set(S::Connect, e, ok(S::Connect, None, R::AlreadyStarted));
    }
    set(S::Connect, E::ManualStop, ok(S::Idle, CancelConnect | StopTimers | ResetBackoff, R::AdminStop));
    set(S::Connect, E::ConnectRetryTimerExpires,
        ok(S::Connect, CancelConnect | Connect | StartConnectRetry, R::ConnectRetry));
    set(S::Connect, E::HoldTimerExpires, illegal(S::Connect));
    set(S::Connect, E::KeepaliveTimerExpires, illegal(S::Connect));
    set(S::Connect, E::TcpConnected,
        ok(S::OpenSent, StopConnectRetry | SendOpen | StartOpenHold, R::TcpEstablished));
    set(S::Connect, E::TcpAccepted,
        ok(S::OpenSent, CancelConnect | StopConnectRetry | SendOpen | StartOpenHold, R::TcpEstablished));
    set(S::Connect, E::TcpConnectionFails,
        ok(S::Active, CancelConnect | StartConnectRetry, R::ConnectFailed));
    for (E e : {E::OpenReceived, E::OpenInvalid, E::HeaderError, E::OpenCollisionDump,
                E::NotificationVersionError, E::NotificationReceived, E::KeepaliveReceived, E::UpdateReceived,
                E::UpdateError, E::RouteRefreshReceived, E::RouteLimitExceeded, E::OutOfResources}) {
        set(S::Connect, e, illegal(S::Connect));  // no connection yet: no message can arrive
    }
    set(S::Connect, E::AutomaticStop, ok(S::Connect, None, R::NothingToReset));

    // ---- Active: waiting for the peer to connect; an active peer retries outbound on ConnectRetry.
    for (E e : {E::ManualStart, E::ManualStartPassive, E::AutomaticStart, E::AutomaticStartPassive}) {
        set(S::Active, e, ok(S::Active, None, R::AlreadyStarted));
    }
    set(S::Active, E::ManualStop, ok(S::Idle, StopTimers | ResetBackoff, R::AdminStop));
    set(S::Active, E::ConnectRetryTimerExpires, ok(S::Connect, Connect | StartConnectRetry, R::ConnectRetry));
    set(S::Active, E::HoldTimerExpires, illegal(S::Active));
    set(S::Active, E::KeepaliveTimerExpires, illegal(S::Active));
    set(S::Active, E::TcpConnected, illegal(S::Active));  // no outbound attempt runs in Active
    set(S::Active, E::TcpAccepted,
        ok(S::OpenSent, StopConnectRetry | SendOpen | StartOpenHold, R::TcpEstablished));
    set(S::Active, E::TcpConnectionFails, illegal(S::Active));
    for (E e : {E::OpenReceived, E::OpenInvalid, E::HeaderError, E::OpenCollisionDump,
                E::NotificationVersionError, E::NotificationReceived, E::KeepaliveReceived, E::UpdateReceived,
                E::UpdateError, E::RouteRefreshReceived, E::RouteLimitExceeded, E::OutOfResources}) {
        set(S::Active, e, illegal(S::Active));
    }
    set(S::Active, E::AutomaticStop, ok(S::Active, None, R::NothingToReset));

    // ---- OpenSent: connected, our OPEN sent, waiting for theirs under the large hold timer.
    for (E e : {E::ManualStart, E::ManualStartPassive, E::AutomaticStart, E::AutomaticStartPassive}) {
        set(S::OpenSent, e, ok(S::OpenSent, None, R::AlreadyStarted));
    }
    set(S::OpenSent, E::ManualStop,
        ok(S::Idle, SendNotification | CloseConnection | StopTimers | ResetBackoff, R::AdminStop,
           Notify::FromEvent));
    set(S::OpenSent, E::ConnectRetryTimerExpires, illegal(S::OpenSent));
    set(S::OpenSent, E::HoldTimerExpires,
        ok(S::Idle, SendNotification | kDrop, R::HoldTimerExpired, Notify::HoldTimerExpired));
    set(S::OpenSent, E::KeepaliveTimerExpires, illegal(S::OpenSent));
    set(S::OpenSent, E::TcpConnected, illegal(S::OpenSent));  // a second connection is a collision: driver
    set(S::OpenSent, E::TcpAccepted, illegal(S::OpenSent));
    set(S::OpenSent, E::TcpConnectionFails,
        ok(S::Active, CloseConnection | StartConnectRetry, R::ConnectionLost));
    set(S::OpenSent, E::OpenReceived,
        ok(S::OpenConfirm, SendKeepalive | StartNegotiatedTimers, R::OpenAccepted));
    set(S::OpenSent, E::OpenInvalid,
        ok(S::Idle, SendNotification | kDrop, R::OpenRejected, Notify::FromEvent));
    set(S::OpenSent, E::HeaderError,
        ok(S::Idle, SendNotification | kDrop, R::HeaderError, Notify::FromEvent));
    set(S::OpenSent, E::OpenCollisionDump,
        ok(S::Idle, SendNotification | CloseConnection | StopTimers, R::CollisionLost,
           Notify::CeaseCollision));
    set(S::OpenSent, E::NotificationVersionError,
        ok(S::Idle, CloseConnection | StartIdleHold | IdleHoldNoBackoff, R::NotificationVersionError));
    set(S::OpenSent, E::NotificationReceived, ok(S::Idle, kDrop, R::NotificationReceived));
    for (E e : {E::KeepaliveReceived, E::UpdateReceived, E::UpdateError, E::RouteRefreshReceived}) {
        set(S::OpenSent, e, ok(S::Idle, SendNotification | kDrop, R::UnexpectedMessage, Notify::FsmError));
    }
    set(S::OpenSent, E::RouteLimitExceeded, illegal(S::OpenSent));  // no routes before Established
    set(S::OpenSent, E::OutOfResources,
        ok(S::Idle, SendNotification | kDrop, R::OutOfResources, Notify::FromEvent));
    set(S::OpenSent, E::AutomaticStop, ok(S::OpenSent, None, R::NothingToReset));

    // ---- OpenConfirm: OPENs exchanged, waiting for the peer's KEEPALIVE.
    for (E e : {E::ManualStart, E::ManualStartPassive, E::AutomaticStart, E::AutomaticStartPassive}) {
        set(S::OpenConfirm, e, ok(S::OpenConfirm, None, R::AlreadyStarted));
    }
    set(S::OpenConfirm, E::ManualStop,
        ok(S::Idle, SendNotification | CloseConnection | StopTimers | ResetBackoff, R::AdminStop,
           Notify::FromEvent));
    set(S::OpenConfirm, E::ConnectRetryTimerExpires, illegal(S::OpenConfirm));
    set(S::OpenConfirm, E::HoldTimerExpires,
        ok(S::Idle, SendNotification | kDrop, R::HoldTimerExpired, Notify::HoldTimerExpired));
    set(S::OpenConfirm, E::KeepaliveTimerExpires,
        ok(S::OpenConfirm, SendKeepalive | RestartKeepalive, R::KeepaliveTimer));
    set(S::OpenConfirm, E::TcpConnected, illegal(S::OpenConfirm));
    set(S::OpenConfirm, E::TcpAccepted, illegal(S::OpenConfirm));
    set(S::OpenConfirm, E::TcpConnectionFails, ok(S::Idle, kDrop, R::ConnectionLost));
    set(S::OpenConfirm, E::OpenReceived,
        ok(S::Idle, SendNotification | kDrop, R::UnexpectedMessage, Notify::FsmError));
    set(S::OpenConfirm, E::OpenInvalid,
        ok(S::Idle, SendNotification | kDrop, R::OpenRejected, Notify::FromEvent));
    set(S::OpenConfirm, E::HeaderError,
        ok(S::Idle, SendNotification | kDrop, R::HeaderError, Notify::FromEvent));
    set(S::OpenConfirm, E::OpenCollisionDump,
        ok(S::Idle, SendNotification | CloseConnection | StopTimers, R::CollisionLost,
           Notify::CeaseCollision));
    set(S::OpenConfirm, E::NotificationVersionError,
        ok(S::Idle, CloseConnection | StartIdleHold | IdleHoldNoBackoff, R::NotificationVersionError));
    set(S::OpenConfirm, E::NotificationReceived, ok(S::Idle, kDrop, R::NotificationReceived));
    set(S::OpenConfirm, E::KeepaliveReceived,
        ok(S::Established, RestartHold | PeerUp, R::SessionEstablished));
    for (E e : {E::UpdateReceived, E::UpdateError, E::RouteRefreshReceived}) {
        set(S::OpenConfirm, e, ok(S::Idle, SendNotification | kDrop, R::UnexpectedMessage, Notify::FsmError));
    }
    set(S::OpenConfirm, E::RouteLimitExceeded, illegal(S::OpenConfirm));
    set(S::OpenConfirm, E::OutOfResources,
        ok(S::Idle, SendNotification | kDrop, R::OutOfResources, Notify::FromEvent));
    set(S::OpenConfirm, E::AutomaticStop, ok(S::OpenConfirm, None, R::NothingToReset));

    // ---- Established: routes flow. Leaving it always withdraws the peer's routes (PeerDown).
    for (E e : {E::ManualStart, E::ManualStartPassive, E::AutomaticStart, E::AutomaticStartPassive}) {
        set(S::Established, e, ok(S::Established, None, R::AlreadyStarted));
    }
    set(S::Established, E::ManualStop,
        ok(S::Idle, SendNotification | CloseConnection | PeerDown | StopTimers | ResetBackoff, R::AdminStop,
           Notify::FromEvent));
    set(S::Established, E::ConnectRetryTimerExpires, illegal(S::Established));
    set(S::Established, E::HoldTimerExpires,
        ok(S::Idle, SendNotification | kDropUp, R::HoldTimerExpired, Notify::HoldTimerExpired));
    set(S::Established, E::KeepaliveTimerExpires,
        ok(S::Established, SendKeepalive | RestartKeepalive, R::KeepaliveTimer));
    set(S::Established, E::TcpConnected, illegal(S::Established));
    set(S::Established, E::TcpAccepted, illegal(S::Established));
    set(S::Established, E::TcpConnectionFails, ok(S::Idle, kDropUp, R::ConnectionLost));
    set(S::Established, E::OpenReceived,
        ok(S::Idle, SendNotification | kDropUp, R::UnexpectedMessage, Notify::FsmError));
    set(S::Established, E::OpenInvalid,
        ok(S::Idle, SendNotification | kDropUp, R::UnexpectedMessage, Notify::FsmError));
    set(S::Established, E::HeaderError,
        ok(S::Idle, SendNotification | kDropUp, R::HeaderError, Notify::FromEvent));
    set(S::Established, E::OpenCollisionDump,
        ok(S::Idle, SendNotification | CloseConnection | PeerDown | StopTimers, R::CollisionLost,
           Notify::CeaseCollision));
    set(S::Established, E::NotificationVersionError, ok(S::Idle, kDropUp, R::NotificationVersionError));
    set(S::Established, E::NotificationReceived, ok(S::Idle, kDropUp, R::NotificationReceived));
    set(S::Established, E::KeepaliveReceived, ok(S::Established, RestartHold, R::KeepaliveReceived));
    set(S::Established, E::UpdateReceived,
        ok(S::Established, RestartHold | ProcessUpdate, R::UpdateReceived));
    set(S::Established, E::UpdateError,
        ok(S::Idle, SendNotification | kDropUp, R::UpdateError, Notify::FromEvent));
    set(S::Established, E::RouteRefreshReceived,
        ok(S::Established, RestartHold | ProcessRouteRefresh, R::RouteRefreshReceived));
    set(S::Established, E::RouteLimitExceeded,
        ok(S::Idle, SendNotification | kDropUp, R::RouteLimitExceeded, Notify::FromEvent));
    set(S::Established, E::OutOfResources,
        ok(S::Idle, SendNotification | kDropUp, R::OutOfResources, Notify::FromEvent));
    // Not an error: no idle-hold, no back-off step; the driver restarts the session right away.
    set(S::Established, E::AutomaticStop,
        ok(S::Idle, SendNotification | CloseConnection | PeerDown | StopTimers | ResetBackoff,
           R::ConfigurationChange, Notify::FromEvent));
    return t;
}
// clang-format on

constexpr Table kTable = make_table();

bgp::Notification fsm_error(State from) {
    bgp::FsmSubcode sub = bgp::FsmSubcode::Unspecified;
    if (from == State::OpenSent) {
        sub = bgp::FsmSubcode::UnexpectedInOpenSent;
    } else if (from == State::OpenConfirm) {
        sub = bgp::FsmSubcode::UnexpectedInOpenConfirm;
    } else if (from == State::Established) {
        sub = bgp::FsmSubcode::UnexpectedInEstablished;
    }
    return {
        static_cast<std::uint8_t>(bgp::ErrorCode::FiniteStateMachine), static_cast<std::uint8_t>(sub), {}};
}

}  // namespace

const TableEntry& table_entry(State state, Event event) {
    return kTable[idx(state)][idx(event)];
}

std::string_view state_name(State s) {
    constexpr std::array<std::string_view, kStateCount> names{"Idle",     "Connect",     "Active",
                                                              "OpenSent", "OpenConfirm", "Established"};
    return names[idx(s)];
}

std::string_view event_name(Event e) {
    constexpr std::array<std::string_view, kEventCount> names{"ManualStart",
                                                              "ManualStartPassive",
                                                              "ManualStop",
                                                              "AutomaticStart",
                                                              "AutomaticStartPassive",
                                                              "ConnectRetryTimerExpires",
                                                              "HoldTimerExpires",
                                                              "KeepaliveTimerExpires",
                                                              "TcpConnected",
                                                              "TcpAccepted",
                                                              "TcpConnectionFails",
                                                              "OpenReceived",
                                                              "OpenInvalid",
                                                              "HeaderError",
                                                              "OpenCollisionDump",
                                                              "NotificationVersionError",
                                                              "NotificationReceived",
                                                              "KeepaliveReceived",
                                                              "UpdateReceived",
                                                              "UpdateError",
                                                              "RouteRefreshReceived",
                                                              "RouteLimitExceeded",
                                                              "OutOfResources",
                                                              "AutomaticStop"};
    return names[idx(e)];
}

std::string_view reason_name(Reason r) {
    switch (r) {
        case Reason::ManualStart:
            return "manual start";
        case Reason::AutomaticStart:
            return "idle-hold expired, automatic start";
        case Reason::AlreadyStarted:
            return "already started";
        case Reason::AdminStop:
            return "administrative stop";
        case Reason::AlreadyStopped:
            return "already stopped";
        case Reason::ConnectRetry:
            return "connect-retry timer expired";
        case Reason::ConnectFailed:
            return "TCP connect failed";
        case Reason::TcpEstablished:
            return "TCP connection established";
        case Reason::RefusedInIdle:
            return "connection refused while idle";
        case Reason::ConnectionLost:
            return "TCP connection lost";
        case Reason::HoldTimerExpired:
            return "hold timer expired";
        case Reason::KeepaliveTimer:
            return "keepalive timer";
        case Reason::OpenAccepted:
            return "OPEN accepted";
        case Reason::OpenRejected:
            return "OPEN rejected";
        case Reason::HeaderError:
            return "message header error";
        case Reason::CollisionLost:
            return "connection collision lost";
        case Reason::NotificationVersionError:
            return "NOTIFICATION version error received";
        case Reason::NotificationReceived:
            return "NOTIFICATION received";
        case Reason::SessionEstablished:
            return "KEEPALIVE received, session established";
        case Reason::KeepaliveReceived:
            return "KEEPALIVE received";
        case Reason::UpdateReceived:
            return "UPDATE received";
        case Reason::UpdateError:
            return "UPDATE error";
        case Reason::RouteRefreshReceived:
            return "ROUTE-REFRESH received";
        case Reason::UnexpectedMessage:
            return "unexpected message for state (FSM error)";
        case Reason::OutOfResources:
            return "local resource limit (output queue)";
        case Reason::RouteLimitExceeded:
            return "route limit exceeded";
        case Reason::ConfigurationChange:
            return "local configuration change, session reset";
        case Reason::NothingToReset:
            return "not established: nothing to reset";
        case Reason::IllegalEvent:
            return "illegal event for state (ignored)";
    }
    return "?";
}

NegotiatedTimers negotiate_timers(Seconds local_hold, Seconds configured_keepalive, std::uint16_t peer_hold) {
    const Seconds hold = std::min(local_hold, Seconds{peer_hold});
    if (hold.count() == 0) {
        return {};
    }
    Seconds keepalive = std::min(configured_keepalive, Seconds{hold.count() / 3});
    if (keepalive.count() == 0) {
        keepalive = Seconds{1};
    }
    return {hold, keepalive};
}

Transition Fsm::handle(Event event, TimePoint now, const EventData& data) {
    const TableEntry& entry = table_entry(state_, event);
    Transition t;
    t.from = state_;
    t.event = event;
    t.to = entry.next;
    t.reason = entry.reason;
    t.actions = entry.actions;
    t.legal = entry.legal;
    if (!entry.legal) {
        ++illegal_events_;
        t.to = state_;
        return t;
    }
    if ((entry.actions & SendNotification) != 0) {
        switch (entry.notify) {
            case Notify::FromEvent:
                if (data.notification) {
                    t.notification = data.notification;
                } else {  // a caller bug; still tell the peer something true
                    t.notification =
                        bgp::Notification{static_cast<std::uint8_t>(bgp::ErrorCode::Cease), 0, {}};
                }
                break;
            case Notify::HoldTimerExpired:
                t.notification =
                    bgp::Notification{static_cast<std::uint8_t>(bgp::ErrorCode::HoldTimerExpired), 0, {}};
                break;
            case Notify::FsmError:
                t.notification = fsm_error(state_);
                break;
            case Notify::CeaseCollision:
                t.notification = bgp::Notification{
                    static_cast<std::uint8_t>(bgp::ErrorCode::Cease),
                    static_cast<std::uint8_t>(bgp::CeaseSubcode::ConnectionCollisionResolution),
                    {}};
                break;
            case Notify::None:
                t.actions &= ~SendNotification;
                break;
        }
    }
    // A session that stayed up long enough forgets earlier errors before the next back-off step.
    if (state_ == State::Established && entry.next != State::Established && established_since_ &&
        now - *established_since_ >= config_.backoff_reset_after) {
        errors_ = 0;
    }
    apply_timers(t.actions, now, data);
    if (entry.next == State::Established && state_ != State::Established) {
        established_since_ = now;
    } else if (entry.next != State::Established) {
        established_since_.reset();
    }
    state_ = entry.next;
    return t;
}

void Fsm::apply_timers(std::uint32_t a, TimePoint now, const EventData& data) {
    if ((a & (StopTimers | StartIdleHold)) != 0) {
        connect_retry_.reset();
        hold_.reset();
        keepalive_.reset();
        idle_hold_.reset();
    }
    if ((a & ResetBackoff) != 0) {
        errors_ = 0;
    }
    if ((a & StartIdleHold) != 0) {
        Seconds hold = config_.idle_hold;
        if ((a & IdleHoldNoBackoff) == 0) {
            for (std::uint32_t i = 0; i < errors_ && hold < config_.idle_hold_max; ++i) {
                hold *= 2;
            }
            hold = std::min(hold, config_.idle_hold_max);
            ++errors_;
        }
        last_idle_hold_ = hold;
        idle_hold_ = now + hold;
    }
    if ((a & StopConnectRetry) != 0) {
        connect_retry_.reset();
    }
    if ((a & StartConnectRetry) != 0 && !config_.passive) {  // a passive peer never connects out
        connect_retry_ = now + config_.connect_retry;
    }
    if ((a & CloseConnection) != 0) {
        hold_.reset();
        keepalive_.reset();
    }
    if ((a & StartOpenHold) != 0) {
        hold_ = now + config_.open_hold;
    }
    if ((a & StartNegotiatedTimers) != 0) {
        negotiated_ = negotiate_timers(config_.hold_time, config_.keepalive, data.negotiated_hold);
        if (negotiated_.hold.count() > 0) {
            hold_ = now + negotiated_.hold;
            keepalive_ = now + negotiated_.keepalive;
        } else {  // hold time 0: no hold timer, no keepalives (RFC 4271 §4.4)
            hold_.reset();
            keepalive_.reset();
        }
    }
    if ((a & RestartHold) != 0 && negotiated_.hold.count() > 0) {
        hold_ = now + negotiated_.hold;
    }
    if ((a & RestartKeepalive) != 0 && negotiated_.keepalive.count() > 0) {
        keepalive_ = now + negotiated_.keepalive;
    }
}

void Fsm::message_sent(TimePoint now) {
    if (state_ == State::Established && keepalive_ && negotiated_.keepalive.count() > 0) {
        keepalive_ = now + negotiated_.keepalive;
    }
}

void Fsm::limit_open_wait(TimePoint deadline) {
    if (state_ == State::OpenSent && hold_ && deadline < *hold_) {
        hold_ = deadline;
    }
}

std::optional<TimePoint> Fsm::next_deadline() const {
    std::optional<TimePoint> best;
    for (const auto& d : {connect_retry_, hold_, keepalive_, idle_hold_}) {
        if (d && (!best || *d < *best)) {
            best = d;
        }
    }
    return best;
}

std::optional<Transition> Fsm::expire(TimePoint now) {
    // Order among timers due at once: hold first (the session is dead), then keepalive, retry, idle-hold.
    if (hold_ && *hold_ <= now) {
        hold_.reset();
        return handle(Event::HoldTimerExpires, now);
    }
    if (keepalive_ && *keepalive_ <= now) {
        keepalive_.reset();
        return handle(Event::KeepaliveTimerExpires, now);
    }
    if (connect_retry_ && *connect_retry_ <= now) {
        connect_retry_.reset();
        return handle(Event::ConnectRetryTimerExpires, now);
    }
    if (idle_hold_ && *idle_hold_ <= now) {
        idle_hold_.reset();
        return handle(config_.passive ? Event::AutomaticStartPassive : Event::AutomaticStart, now);
    }
    return std::nullopt;
}

}  // namespace rf::session
