// The BGP FSM as a matrix: every (state, event) pair, with an injected clock — no test sleeps.
#include "control/session/fsm.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "control/codec/errors.hpp"

namespace rf::session {
namespace {

constexpr std::array kStates{State::Idle,     State::Connect,     State::Active,
                             State::OpenSent, State::OpenConfirm, State::Established};

std::array<Event, kEventCount> all_events() {
    std::array<Event, kEventCount> out{};
    for (std::size_t i = 0; i < kEventCount; ++i) {
        out[i] = static_cast<Event>(i);
    }
    return out;
}

// clang-format off
// Expected next state for every (state, event), written independently of the table from RFC 4271 §8.2.2:
// I Idle, C Connect, A Active, S OpenSent, F OpenConfirm, E Established, - illegal (state unchanged).
// Columns in Event order:
//   MStart MStartP MStop AStart AStartP CRetry Hold KA-timer TcpConn TcpAcc TcpFail
//   Open OpenBad HdrErr Collision NotifVer Notif KA-msg Update UpdErr RRefresh Limit OutOfRes AStop
constexpr std::array<const char*, kStateCount> kExpectedNext{
    "CAICA----I-" "------------" "I",  // Idle
    "CCICCC--SSA" "------------" "C",  // Connect
    "AAIAAC---S-" "------------" "A",  // Active
    "SSISS-I---A" "FIIIIIIIII-I" "S",  // OpenSent
    "FFIFF-IF--I" "IIIIIIEIII-I" "F",  // OpenConfirm
    "EEIEE-IE--I" "IIIIIIEEIEII" "I",  // Established
};

// Expected NOTIFICATION code sent: . none, x the event's own, 4 Hold Timer Expired, 5 FSM error,
// 6 Cease (collision resolution).
constexpr std::array<const char*, kStateCount> kExpectedNotify{
    "..........." "............" ".",  // Idle
    "..........." "............" ".",  // Connect
    "..........." "............" ".",  // Active
    "..x...4...." ".xx6..5555.x" ".",  // OpenSent
    "..x...4...." "5xx6...555.x" ".",  // OpenConfirm  (a second OPEN is an FSM error)
    "..x...4...." "55x6....x.xx" "x",  // Established
};
// clang-format on

State state_of(char c) {
    switch (c) {
        case 'I':
            return State::Idle;
        case 'C':
            return State::Connect;
        case 'A':
            return State::Active;
        case 'S':
            return State::OpenSent;
        case 'F':
            return State::OpenConfirm;
        default:
            return State::Established;
    }
}

struct Harness {
    TimePoint now{};  // the injected clock: tests move it by hand
    Fsm fsm;

    explicit Harness(FsmConfig config = {}) : fsm(config) {}

    Transition feed(Event e, EventData data = {}) { return fsm.handle(e, now, data); }

    // Drives a fresh active-mode FSM into `target` through the RFC path.
    void reach(State target) {
        if (target == State::Idle) {
            return;
        }
        feed(Event::ManualStart);
        if (target == State::Connect) {
            return;
        }
        if (target == State::Active) {
            feed(Event::TcpConnectionFails);
            return;
        }
        feed(Event::TcpConnected);
        if (target == State::OpenSent) {
            return;
        }
        EventData open;
        open.negotiated_hold = 9;
        feed(Event::OpenReceived, open);
        if (target == State::OpenConfirm) {
            return;
        }
        feed(Event::KeepaliveReceived);
    }

    // Advances the clock by `d` and fires every timer that becomes due, in order.
    std::vector<Transition> advance(Seconds d) {
        std::vector<Transition> fired;
        const TimePoint end = now + d;
        for (int guard = 0; guard < 1000; ++guard) {
            auto next = fsm.next_deadline();
            if (!next || *next > end) {
                break;
            }
            now = std::max(now, *next);
            if (auto t = fsm.expire(now)) {
                fired.push_back(*t);
            }
        }
        now = end;
        return fired;
    }
};

EventData with_error() {
    EventData d;
    d.notification = bgp::Notification{static_cast<std::uint8_t>(bgp::ErrorCode::UpdateMessage), 1, {}};
    d.negotiated_hold = 9;
    return d;
}

TEST(FsmMatrix, EveryStateEventPairMatchesRfc4271) {
    int checked = 0;
    for (State s : kStates) {
        for (Event e : all_events()) {
            SCOPED_TRACE(std::string(state_name(s)) + " + " + std::string(event_name(e)));
            Harness h;
            h.reach(s);
            ASSERT_EQ(h.fsm.state(), s);
            const char want = kExpectedNext[static_cast<std::size_t>(s)][static_cast<std::size_t>(e)];
            const char notify = kExpectedNotify[static_cast<std::size_t>(s)][static_cast<std::size_t>(e)];
            const std::uint64_t illegal_before = h.fsm.illegal_events();
            const Transition t = h.feed(e, with_error());
            EXPECT_EQ(t.from, s);
            EXPECT_EQ(t.event, e);
            if (want == '-') {
                EXPECT_FALSE(t.legal);
                EXPECT_EQ(t.reason, Reason::IllegalEvent);
                EXPECT_EQ(t.to, s);
                EXPECT_EQ(t.actions, action::None);
                EXPECT_EQ(h.fsm.illegal_events(), illegal_before + 1);
            } else {
                EXPECT_TRUE(t.legal);
                EXPECT_NE(t.reason, Reason::IllegalEvent);
                EXPECT_EQ(t.to, state_of(want));
            }
            EXPECT_EQ(h.fsm.state(), t.to);
            // NOTIFICATION
            if (notify == '.') {
                EXPECT_FALSE(t.has(action::SendNotification));
                EXPECT_FALSE(t.notification.has_value());
            } else {
                ASSERT_TRUE(t.has(action::SendNotification));
                ASSERT_TRUE(t.notification.has_value());
                const std::uint8_t code = notify == 'x' ? 3 : static_cast<std::uint8_t>(notify - '0');
                EXPECT_EQ(t.notification->code, code);
            }
            // Routes are withdrawn exactly when a session leaves Established; announced exactly on entry.
            EXPECT_EQ(t.has(action::PeerDown), s == State::Established && t.to != State::Established);
            EXPECT_EQ(t.has(action::PeerUp), s == State::OpenConfirm && t.to == State::Established);
            // Any transition to Idle from a connected state closes the connection.
            if (t.legal && t.to == State::Idle && s >= State::OpenSent) {
                EXPECT_TRUE(t.has(action::CloseConnection));
            }
            // Idle holds no connection and runs no session timer.
            if (t.to == State::Idle) {
                EXPECT_FALSE(h.fsm.hold_deadline());
                EXPECT_FALSE(h.fsm.keepalive_deadline());
                EXPECT_FALSE(h.fsm.connect_retry_deadline());
            }
            ++checked;
        }
    }
    EXPECT_EQ(checked, static_cast<int>(kStateCount * kEventCount));
}

TEST(FsmMatrix, EveryLegalEntryHasAReasonAndEveryReasonAName) {
    for (State s : kStates) {
        for (Event e : all_events()) {
            const TableEntry& entry = table_entry(s, e);
            EXPECT_EQ(entry.legal, entry.reason != Reason::IllegalEvent)
                << state_name(s) << " " << event_name(e);
            EXPECT_FALSE(reason_name(entry.reason).empty());
            EXPECT_NE(reason_name(entry.reason), "?");
        }
    }
}

TEST(FsmTimers, NegotiatesHoldDownAndKeepaliveToAThird) {
    auto t = negotiate_timers(Seconds{180}, Seconds{60}, 9);
    EXPECT_EQ(t.hold, Seconds{9});
    EXPECT_EQ(t.keepalive, Seconds{3});
    t = negotiate_timers(Seconds{180}, Seconds{60}, 240);
    EXPECT_EQ(t.hold, Seconds{180});
    EXPECT_EQ(t.keepalive, Seconds{60});
    t = negotiate_timers(Seconds{180}, Seconds{60}, 0);
    EXPECT_EQ(t.hold, Seconds{0});
    EXPECT_EQ(t.keepalive, Seconds{0});
    t = negotiate_timers(Seconds{3}, Seconds{60}, 90);
    EXPECT_EQ(t.hold, Seconds{3});
    EXPECT_EQ(t.keepalive, Seconds{1});
}

TEST(FsmTimers, KeepalivesEveryThirdOfHoldThenHoldExpiryDropsSessionAndWithdraws) {
    Harness h;
    h.reach(State::Established);
    EXPECT_EQ(h.fsm.negotiated().hold, Seconds{9});
    // Keepalives received in time keep the session up; we send ours every 3 s.
    int keepalives_sent = 0;
    for (int i = 0; i < 5; ++i) {
        for (const auto& t : h.advance(Seconds{4})) {
            keepalives_sent += t.has(action::SendKeepalive) ? 1 : 0;
        }
        h.feed(Event::KeepaliveReceived);
        ASSERT_EQ(h.fsm.state(), State::Established);
    }
    EXPECT_EQ(keepalives_sent, 6);  // at 3, 6, 9, 12, 15 and 18 s
    // Silence: the hold timer fires at 9 s, sends Hold Timer Expired and withdraws the peer's routes.
    auto fired = h.advance(Seconds{10});
    ASSERT_FALSE(fired.empty());
    const Transition& down = fired.back();
    EXPECT_EQ(down.event, Event::HoldTimerExpires);
    EXPECT_EQ(down.reason, Reason::HoldTimerExpired);
    EXPECT_EQ(down.to, State::Idle);
    EXPECT_TRUE(down.has(action::PeerDown));
    ASSERT_TRUE(down.notification);
    EXPECT_EQ(down.notification->code, static_cast<std::uint8_t>(bgp::ErrorCode::HoldTimerExpired));
    EXPECT_TRUE(h.fsm.idle_hold_deadline());
}

TEST(FsmTimers, HoldTimeZeroRunsNoHoldOrKeepaliveTimer) {
    Harness h;
    h.reach(State::OpenSent);
    EventData open;
    open.negotiated_hold = 0;
    h.feed(Event::OpenReceived, open);
    h.feed(Event::KeepaliveReceived);
    ASSERT_EQ(h.fsm.state(), State::Established);
    EXPECT_FALSE(h.fsm.hold_deadline());
    EXPECT_FALSE(h.fsm.keepalive_deadline());
    EXPECT_TRUE(h.advance(Seconds{100000}).empty());
    EXPECT_EQ(h.fsm.state(), State::Established);
}

TEST(FsmTimers, OpenSentUsesLargeHoldTimer) {
    Harness h;
    h.reach(State::OpenSent);
    EXPECT_TRUE(h.advance(Seconds{239}).empty());
    auto fired = h.advance(Seconds{2});
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired[0].reason, Reason::HoldTimerExpired);
    EXPECT_EQ(fired[0].to, State::Idle);
}

TEST(FsmTimers, ExtraConnectionWaitsLessForItsOpen) {
    Harness h;
    h.reach(State::OpenSent);
    h.fsm.limit_open_wait(h.now + Seconds{10});
    h.fsm.limit_open_wait(h.now + Seconds{500});  // never later than the large hold timer
    EXPECT_TRUE(h.advance(Seconds{9}).empty());
    auto fired = h.advance(Seconds{2});
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired[0].reason, Reason::HoldTimerExpired);
    EXPECT_EQ(fired[0].to, State::Idle);
}

TEST(FsmTimers, OpenWaitLimitTouchesNoOtherState) {
    Harness h;
    h.reach(State::Established);
    const auto hold = h.fsm.hold_deadline();
    h.fsm.limit_open_wait(h.now + Seconds{1});
    EXPECT_EQ(h.fsm.hold_deadline(), hold);
}

TEST(FsmTimers, ConnectRetryRestartsOutboundConnect) {
    FsmConfig c;
    c.connect_retry = Seconds{5};
    Harness h(c);
    h.reach(State::Connect);
    auto fired = h.advance(Seconds{5});
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired[0].to, State::Connect);
    EXPECT_TRUE(fired[0].has(action::Connect));
    EXPECT_TRUE(fired[0].has(action::CancelConnect));
    // A failed connect moves to Active; the next retry goes back to Connect.
    h.feed(Event::TcpConnectionFails);
    ASSERT_EQ(h.fsm.state(), State::Active);
    fired = h.advance(Seconds{5});
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired[0].to, State::Connect);
    EXPECT_TRUE(fired[0].has(action::Connect));
}

TEST(FsmTimers, PassivePeerNeverConnectsOut) {
    FsmConfig c;
    c.passive = true;
    Harness h(c);
    auto t = h.feed(Event::ManualStartPassive);
    EXPECT_EQ(t.to, State::Active);
    EXPECT_FALSE(h.fsm.connect_retry_deadline());
    EXPECT_TRUE(h.advance(Seconds{100000}).empty());
    h.feed(Event::TcpAccepted);
    h.feed(Event::TcpConnectionFails);  // lost in OpenSent: back to Active, still no retry timer
    EXPECT_EQ(h.fsm.state(), State::Active);
    EXPECT_FALSE(h.fsm.connect_retry_deadline());
}

TEST(FsmTimers, IdleHoldBacksOffExponentiallyAndRestartsAutomatically) {
    FsmConfig c;
    c.idle_hold = Seconds{2};
    c.idle_hold_max = Seconds{16};
    Harness h(c);
    std::vector<Seconds> holds;
    h.reach(State::OpenSent);
    for (int i = 0; i < 6; ++i) {
        EventData bad;
        bad.notification = bgp::Notification{2, 2, {}};
        h.feed(Event::OpenInvalid, bad);
        ASSERT_EQ(h.fsm.state(), State::Idle);
        holds.push_back(h.fsm.current_idle_hold());
        // Nothing happens before idle-hold ends; then the FSM starts again by itself.
        EXPECT_TRUE(h.advance(holds.back() - Seconds{1}).empty());
        auto fired = h.advance(Seconds{1});
        ASSERT_EQ(fired.size(), 1U);
        EXPECT_EQ(fired[0].event, Event::AutomaticStart);
        EXPECT_EQ(fired[0].reason, Reason::AutomaticStart);
        EXPECT_EQ(fired[0].to, State::Connect);
        EXPECT_TRUE(fired[0].has(action::Connect));
        h.feed(Event::TcpConnected);
    }
    EXPECT_EQ(holds, (std::vector<Seconds>{Seconds{2}, Seconds{4}, Seconds{8}, Seconds{16}, Seconds{16},
                                           Seconds{16}}));
}

TEST(FsmTimers, LongEstablishedSessionResetsBackoff) {
    FsmConfig c;
    c.idle_hold = Seconds{2};
    c.backoff_reset_after = Seconds{60};
    Harness h(c);
    h.reach(State::Established);
    h.feed(Event::TcpConnectionFails);
    EXPECT_EQ(h.fsm.current_idle_hold(), Seconds{2});
    h.advance(Seconds{2});  // AutomaticStart
    h.feed(Event::TcpConnected);
    EventData open;
    open.negotiated_hold = 0;
    h.feed(Event::OpenReceived, open);
    h.feed(Event::KeepaliveReceived);
    h.feed(Event::TcpConnectionFails);  // quick flap: back-off grows
    EXPECT_EQ(h.fsm.current_idle_hold(), Seconds{4});
    h.advance(Seconds{4});
    h.feed(Event::TcpConnected);
    h.feed(Event::OpenReceived, open);
    h.feed(Event::KeepaliveReceived);
    h.advance(Seconds{61});  // stable for a minute
    h.feed(Event::TcpConnectionFails);
    EXPECT_EQ(h.fsm.current_idle_hold(), Seconds{2});
}

TEST(FsmTimers, ManualStopSendsTheCeaseItIsGivenAndStaysIdle) {
    Harness h;
    h.reach(State::Established);
    EventData stop;
    stop.notification = bgp::Notification{6, 2, {5, 'b', 'y', 'e', '!', '!'}};
    auto t = h.feed(Event::ManualStop, stop);
    EXPECT_EQ(t.to, State::Idle);
    EXPECT_EQ(t.reason, Reason::AdminStop);
    ASSERT_TRUE(t.notification);
    EXPECT_EQ(*t.notification, *stop.notification);
    EXPECT_TRUE(t.has(action::PeerDown));
    EXPECT_FALSE(h.fsm.next_deadline());  // no automatic restart after an administrative stop
    EXPECT_TRUE(h.advance(Seconds{100000}).empty());
}

TEST(FsmTimers, AutomaticStopResetsWithItsCeaseWithoutIdleHoldOrBackoff) {
    FsmConfig c;
    c.idle_hold = Seconds{2};
    Harness h(c);
    h.reach(State::OpenSent);
    h.feed(Event::OpenInvalid, with_error());  // one error: the next idle-hold would be 4 s
    h.advance(Seconds{2});
    h.feed(Event::TcpConnected);
    EventData open;
    open.negotiated_hold = 9;
    h.feed(Event::OpenReceived, open);
    h.feed(Event::KeepaliveReceived);
    ASSERT_EQ(h.fsm.state(), State::Established);
    ASSERT_EQ(h.fsm.consecutive_errors(), 1U);
    EventData reset;
    reset.notification = bgp::Notification{6, 6, {}};  // Cease / Other Configuration Change
    auto t = h.feed(Event::AutomaticStop, reset);
    EXPECT_EQ(t.to, State::Idle);
    EXPECT_EQ(t.reason, Reason::ConfigurationChange);
    ASSERT_TRUE(t.notification);
    EXPECT_EQ(*t.notification, *reset.notification);
    EXPECT_TRUE(t.has(action::PeerDown));
    EXPECT_TRUE(t.has(action::CloseConnection));
    EXPECT_FALSE(h.fsm.idle_hold_deadline());  // the driver restarts at once
    EXPECT_EQ(h.fsm.consecutive_errors(), 0U);
    // Before Established there is nothing to reset: the event is a legal no-op.
    Harness early;
    early.reach(State::OpenConfirm);
    auto n = early.feed(Event::AutomaticStop, reset);
    EXPECT_TRUE(n.legal);
    EXPECT_EQ(n.reason, Reason::NothingToReset);
    EXPECT_EQ(n.to, State::OpenConfirm);
    EXPECT_EQ(n.actions, action::None);
}

TEST(FsmTimers, SendingAnUpdateRestartsKeepaliveTimer) {
    Harness h;
    h.reach(State::Established);
    h.advance(Seconds{2});
    h.fsm.message_sent(h.now);
    EXPECT_TRUE(h.advance(Seconds{2}).empty());  // would have fired at 3 s without the UPDATE
    EXPECT_EQ(h.advance(Seconds{1}).size(), 1U);
}

TEST(FsmTimers, FsmErrorSubcodeNamesTheState) {
    Harness h;
    h.reach(State::OpenSent);
    auto t = h.feed(Event::UpdateReceived);
    ASSERT_TRUE(t.notification);
    EXPECT_EQ(t.notification->subcode, static_cast<std::uint8_t>(bgp::FsmSubcode::UnexpectedInOpenSent));
    Harness h2;
    h2.reach(State::OpenConfirm);
    t = h2.feed(Event::UpdateReceived);
    ASSERT_TRUE(t.notification);
    EXPECT_EQ(t.notification->subcode, static_cast<std::uint8_t>(bgp::FsmSubcode::UnexpectedInOpenConfirm));
    Harness h3;
    h3.reach(State::Established);
    t = h3.feed(Event::OpenReceived);
    ASSERT_TRUE(t.notification);
    EXPECT_EQ(t.notification->subcode, static_cast<std::uint8_t>(bgp::FsmSubcode::UnexpectedInEstablished));
}

}  // namespace
}  // namespace rf::session
