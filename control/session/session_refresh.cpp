// The session's side of route refresh: ROUTE-REFRESH messages received (RFC 2918 requests, and the
// BoRR/EoRR demarcations of enhanced route refresh, RFC 7313), requests sent for VNet changes, and the
// guard timer that ends a peer's refresh when its EoRR never comes. Part of Session (session.hpp).
#include <algorithm>

#include "control/codec/text.hpp"
#include "control/session/session.hpp"

namespace rf::session {

namespace {

// Ignored ROUTE-REFRESH messages logged per interval (a peer sets their rate; the rest are counted).
constexpr std::size_t kIgnoredLogBurst = 5;
constexpr std::chrono::seconds kIgnoredLogInterval{60};

}  // namespace

void Session::on_route_refresh(ConnectionFsm& link, std::span<const std::uint8_t> message) {
    if (link.fsm.state() != State::Established) {
        // RFC 6608: an unexpected message is an FSM error whatever its contents; ROUTE-REFRESH is not
        // even negotiated before the OPENs, so its own length rule (RFC 7313) does not apply yet.
        feed(link, Event::RouteRefreshReceived, {},
             "ROUTE-REFRESH in " + std::string(state_name(link.fsm.state())));
        return;
    }
    // RFC 7313 §5: a length other than 4 octets after the header is ROUTE-REFRESH Message Error /
    // Invalid Message Length, with the whole message as data (the codec's check).
    auto m = bgp::decode_message(message, link.codec);
    if (!m) {
        EventData d;
        d.notification = to_notification(m.error());
        feed(link, Event::HeaderError, d, m.error().to_string());
        return;
    }
    const Transition t = link.fsm.handle(Event::RouteRefreshReceived, Clock::now());
    execute(link, t, {});
    rearm();
    if (!t.has(action::ProcessRouteRefresh) || !up_) {
        return;
    }
    const auto& r = std::get<bgp::RouteRefresh>(*m);
    if (r.subtype == bgp::refresh_subtype::Normal) {
        ++route_refreshes_received_;
        owner_.on_route_refresh(*this, r.family);
        return;
    }
    on_refresh_demarcation(r);
}

void Session::on_refresh_demarcation(const bgp::RouteRefresh& r) {
    const bool begin = r.subtype == bgp::refresh_subtype::Begin;
    const bool end = r.subtype == bgp::refresh_subtype::End;
    auto in_progress = std::find_if(refreshing_.begin(), refreshing_.end(),
                                    [&](const auto& e) { return e.first == r.family; });
    // RFC 7313 §5: an unknown subtype is ignored; so are BoRR/EoRR from a peer that did not negotiate the
    // capability, for a family not negotiated, and an EoRR with no BoRR before it (FRR does the same).
    const char* why = nullptr;
    if (!begin && !end) {
        why = "unknown subtype";
    } else if (!enhanced_refresh_) {
        why = "enhanced route refresh not negotiated";
    } else if (std::find(families_.begin(), families_.end(), r.family) == families_.end()) {
        why = "family not negotiated";
    } else if (end && in_progress == refreshing_.end()) {
        why = "EoRR without BoRR";
    }
    if (why != nullptr) {
        ++route_refreshes_ignored_;
        if (!ignored_reports_) {
            ignored_reports_.emplace(kIgnoredLogBurst, kIgnoredLogInterval);
        }
        if (ignored_reports_->admit(Clock::now())) {
            owner_.on_log("peer " + peer_->name + ": ROUTE-REFRESH subtype " + std::to_string(r.subtype) +
                          " for " + bgp::family_name(r.family) + " ignored (" + why + ")");
        }
        return;
    }
    if (begin) {
        ++borr_received_;
        const TimePoint purge_at = Clock::now() + config_.refresh_stale_time;
        if (in_progress != refreshing_.end()) {
            in_progress->second = purge_at;  // a refresh begun again: every route is stale again
        } else {
            refreshing_.emplace_back(r.family, purge_at);
        }
        arm_refresh_timer();
        owner_.on_refresh_begin(*this, r.family);
        return;
    }
    ++eorr_received_;
    refreshing_.erase(in_progress);
    arm_refresh_timer();
    owner_.on_refresh_end(*this, r.family, false);
}

void Session::arm_refresh_timer() {
    if (refreshing_.empty()) {
        refresh_timer_.cancel();
        return;
    }
    TimePoint next = refreshing_.front().second;
    for (const auto& e : refreshing_) {
        next = std::min(next, e.second);
    }
    refresh_timer_.expires_at(next);  // cancels the previous wait
    refresh_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        if (ec) {
            return;
        }
        if (auto self = weak.lock()) {
            self->on_refresh_timer();
        }
    });
}

void Session::on_refresh_timer() {
    const TimePoint now = Clock::now();
    std::vector<bgp::AfiSafi> due;
    for (auto it = refreshing_.begin(); it != refreshing_.end();) {
        if (it->second <= now) {
            due.push_back(it->first);
            it = refreshing_.erase(it);
        } else {
            ++it;
        }
    }
    arm_refresh_timer();
    for (const bgp::AfiSafi& f : due) {
        ++refresh_timeouts_;
        owner_.on_log("peer " + peer_->name + ": no EoRR for " + bgp::family_name(f) + " within " +
                      std::to_string(config_.refresh_stale_time.count()) +
                      " s of its BoRR: the routes it did not re-advertise are purged");
        if (up_) {
            owner_.on_refresh_end(*this, f, true);
        }
    }
    owner_.on_input_handled(*this);
}

void Session::clear_refreshes() {
    refreshing_.clear();
    refresh_timer_.cancel();
}

bool Session::request_route_refresh() {
    if (!up_ || !route_refresh_ || !primary_.conn || primary_.fsm.state() != State::Established) {
        return false;
    }
    for (const auto& f : families_) {
        std::vector<std::uint8_t> out;
        bgp::encode_route_refresh(bgp::RouteRefresh{f, bgp::refresh_subtype::Normal}, out);
        primary_.conn->send(std::move(out));
        ++route_refreshes_sent_;
    }
    primary_.fsm.message_sent(Clock::now());
    return true;
}

}  // namespace rf::session
