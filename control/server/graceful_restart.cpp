#include "control/server/graceful_restart.hpp"

#include <algorithm>
#include <chrono>

#include "control/codec/text.hpp"

namespace rf::server {

namespace asio = boost::asio;

std::string_view graceful_restart_phase_name(GracefulRestartPhase phase) {
    switch (phase) {
        case GracefulRestartPhase::None:
            return "none";
        case GracefulRestartPhase::Restarting:
            return "restarting";
        case GracefulRestartPhase::WaitingEndOfRib:
            return "waiting-end-of-rib";
        case GracefulRestartPhase::LongLived:
            return "long-lived";
    }
    return "none";
}

namespace {

std::string family_list(const std::vector<bgp::AfiSafi>& families) {
    std::string out;
    for (const auto& f : families) {
        out += (out.empty() ? "" : ", ") + bgp::family_name(f);
    }
    return out;
}

std::string who(const session::Session& s) {
    return "peer " + s.peer().name + " (via " + s.local().to_string() + ")";
}

}  // namespace

GracefulRestartHelper::GracefulRestartHelper(asio::io_context& io, rib::RouteServerRib& rib, LogSink log,
                                             std::function<void()> changed)
    : io_(io), rib_(rib), log_(std::move(log)), changed_(std::move(changed)) {}

GracefulRestartHelper::~GracefulRestartHelper() {
    for (auto& [id, e] : entries_) {
        cancel(e);
    }
}

void GracefulRestartHelper::log(const std::string& line) const {
    if (log_) {
        log_(line);
    }
}

void GracefulRestartHelper::cancel(Entry& e) {
    ++e.generation;
    if (e.timer) {
        e.timer->cancel();
    }
}

void GracefulRestartHelper::arm(rib::PeerId id, Entry& e, std::uint32_t seconds) {
    cancel(e);
    if (!e.timer) {
        e.timer = std::make_unique<asio::steady_timer>(io_);
    }
    e.timer->expires_after(std::chrono::seconds(seconds));
    e.timer->async_wait([this, id, generation = e.generation](const boost::system::error_code& ec) {
        if (ec) {
            return;  // cancelled (also when the helper is destroyed): touches nothing
        }
        auto it = entries_.find(id);
        if (it != entries_.end() && it->second.generation == generation) {
            on_timer(id);
        }
    });
}

bool GracefulRestartHelper::enter_long_lived(rib::PeerId id, Entry& e) {
    std::vector<bgp::AfiSafi> keep;
    std::size_t purged = 0;
    for (const auto& f : e.families) {
        if (std::find(e.long_lived_families.begin(), e.long_lived_families.end(), f) !=
            e.long_lived_families.end()) {
            keep.push_back(f);
        } else {
            purged += rib_.purge_stale(id, f);
        }
    }
    counters_.purged_routes += purged;
    if (keep.empty() || e.long_lived_time == 0) {
        return false;
    }
    const std::size_t before = rib_.stale_count(id);
    const std::size_t kept = rib_.enter_long_lived(id, keep);
    counters_.purged_routes += before - kept;  // NO_LLGR
    ++counters_.long_lived;
    e.phase = GracefulRestartPhase::LongLived;
    e.families = std::move(keep);
    log("peer " + e.name + ": long-lived graceful restart: " + std::to_string(kept) + " route(s) of " +
        family_list(e.families) + " kept with LLGR_STALE for up to " + std::to_string(e.long_lived_time) +
        " s; " + std::to_string(before - kept + purged) + " withdrawn (NO_LLGR or no LLGR for the family)");
    arm(id, e, e.long_lived_time);
    return true;
}

void GracefulRestartHelper::on_timer(rib::PeerId id) {
    Entry& e = entries_.at(id);
    ++e.generation;
    if (e.phase == GracefulRestartPhase::Restarting && enter_long_lived(id, e)) {
        // RFC 9494 §4.2: the Restart Time is over; the long-lived stale time starts.
        if (changed_) {
            changed_();
        }
        return;
    }
    if (e.phase == GracefulRestartPhase::LongLived) {
        const std::size_t stale = rib_.stale_count(id);
        rib_.peer_down(id);
        ++counters_.long_lived_expiries;
        counters_.purged_routes += stale;
        log("peer " + e.name + ": long-lived graceful restart: not back within the long-lived stale time; " +
            std::to_string(stale) + " stale route(s) withdrawn");
    } else if (e.phase == GracefulRestartPhase::Restarting) {
        // RFC 4724 §4.2: the peer did not come back within its Restart Time.
        const std::size_t stale = rib_.stale_count(id);
        rib_.peer_down(id);
        ++counters_.restart_expiries;
        counters_.purged_routes += stale;
        log("peer " + e.name + ": graceful restart: not back within its restart time; " +
            std::to_string(stale) + " stale route(s) withdrawn");
    } else if (e.phase == GracefulRestartPhase::WaitingEndOfRib) {
        std::size_t purged = 0;
        for (const auto& f : e.families) {
            purged += rib_.purge_stale(id, f);
        }
        ++counters_.stale_expiries;
        counters_.purged_routes += purged;
        log("peer " + e.name + ": graceful restart: no End-of-RIB for " + family_list(e.families) +
            " within stale_path_time; " + std::to_string(purged) + " stale route(s) withdrawn");
    }
    e.phase = GracefulRestartPhase::None;
    e.families.clear();
    if (changed_) {
        changed_();
    }
}

void GracefulRestartHelper::established(const session::Session& session,
                                        const session::EstablishedSession& negotiated) {
    const rib::PeerId id = session.id();
    Entry& e = entries_[id];
    e.name = session.peer().name;
    e.negotiated = negotiated.graceful_restart;
    if (e.phase == GracefulRestartPhase::None || !rib_.is_restarting(id)) {
        cancel(e);
        e.phase = GracefulRestartPhase::None;
        e.families.clear();
        return;
    }
    cancel(e);  // the Restart Time stops: the peer is back
    // RFC 4724 §4.2: a family the new capability lacks, or lists without the Forwarding State bit, has
    // lost its forwarding state in the peer: its stale routes go now.
    std::vector<bgp::AfiSafi> waiting;
    std::vector<bgp::AfiSafi> purged_families;
    std::size_t purged = 0;
    for (const auto& f : e.families) {
        bool preserved = false;
        if (negotiated.graceful_restart) {
            const auto& fams = negotiated.graceful_restart->families;
            preserved = std::any_of(fams.begin(), fams.end(), [&](const bgp::GracefulRestartFamily& g) {
                return g.family == f && g.forwarding_preserved;
            });
            // After a long-lived phase the LLGR capability's F bit counts too (RFC 9494 §4.2).
            const auto& ll = negotiated.graceful_restart->long_lived;
            preserved = preserved ||
                        (e.phase == GracefulRestartPhase::LongLived &&
                         std::any_of(ll.begin(), ll.end(), [&](const bgp::LongLivedGracefulRestartFamily& g) {
                             return g.family == f && g.forwarding_preserved;
                         }));
        }
        if (preserved) {
            waiting.push_back(f);
        } else {
            purged += rib_.purge_stale(id, f);
            purged_families.push_back(f);
        }
    }
    counters_.purged_routes += purged;
    if (!purged_families.empty()) {
        log(who(session) + ": graceful restart: back without forwarding state for " +
            family_list(purged_families) + "; " + std::to_string(purged) + " stale route(s) withdrawn");
    }
    e.families = std::move(waiting);
    if (e.families.empty()) {
        e.phase = GracefulRestartPhase::None;
        return;
    }
    e.phase = GracefulRestartPhase::WaitingEndOfRib;
    const std::uint16_t wait = session.peer().graceful_restart.stale_path_time;
    log(who(session) + ": graceful restart: back; " + std::to_string(rib_.stale_count(id)) +
        " stale route(s) of " + family_list(e.families) + " wait for End-of-RIB (at most " +
        std::to_string(wait) + " s)");
    arm(id, e, wait);
}

bool GracefulRestartHelper::down(const session::Session& session, const session::DownCause& cause) {
    const rib::PeerId id = session.id();
    auto it = entries_.find(id);
    if (it == entries_.end()) {
        return false;
    }
    Entry& e = it->second;
    cancel(e);
    e.phase = GracefulRestartPhase::None;
    e.families.clear();
    if (cause.removed || !e.negotiated) {
        return false;
    }
    const auto& gr = *e.negotiated;
    if (cause.hard_reset()) {
        ++counters_.hard_resets;
        log(who(session) +
            ": Cease / Hard Reset (RFC 8538): graceful restart does not apply, routes withdrawn");
        return false;
    }
    if (cause.notification() && !gr.notification) {
        return false;  // RFC 4724: a NOTIFICATION ends graceful restart unless the N bit was negotiated
    }
    std::vector<bgp::AfiSafi> families;
    for (const auto& f : gr.families) {
        families.push_back(f.family);
    }
    // Long-lived (RFC 9494): the peer's LLGR families, for the shortest of its times and ours.
    e.long_lived_families.clear();
    e.long_lived_time = 0;
    const std::uint32_t ours = session.peer().graceful_restart.long_lived_stale_time;
    for (const auto& f : gr.long_lived) {
        if (ours != 0 && f.stale_time != 0) {
            e.long_lived_families.push_back(f.family);
            const std::uint32_t t = std::min(ours, f.stale_time);
            e.long_lived_time = e.long_lived_time == 0 ? t : std::min(e.long_lived_time, t);
        }
    }
    if ((families.empty() || gr.restart_time == 0) && !e.long_lived_families.empty()) {
        // Only LLGR for these routes (no GR families, or a Restart Time of 0): long-lived at once.
        e.families = e.long_lived_families;
        rib_.retain_stale(id, e.families);
        if (enter_long_lived(id, e)) {
            return true;
        }
        e.phase = GracefulRestartPhase::None;
        e.families.clear();
        return false;  // nothing kept: the caller withdraws the rest
    }
    if (families.empty() || gr.restart_time == 0) {
        return false;  // nothing the peer asked us to keep, or for no time at all
    }
    // The families kept through the Restart Time: GR's, and LLGR's that go long-lived after it.
    for (const auto& f : e.long_lived_families) {
        if (std::find(families.begin(), families.end(), f) == families.end()) {
            families.push_back(f);
        }
    }
    const std::size_t stale = rib_.retain_stale(id, families);
    e.phase = GracefulRestartPhase::Restarting;
    e.families = std::move(families);
    ++counters_.restarts;
    log(who(session) + ": graceful restart: " + std::to_string(stale) + " route(s) of " +
        family_list(e.families) + " kept stale for up to " + std::to_string(gr.restart_time) +
        " s (the peer's restart time)" + (cause.notification() ? " after a NOTIFICATION (N bit)" : ""));
    arm(id, e, gr.restart_time);
    return true;
}

void GracefulRestartHelper::end_of_rib(const session::Session& session, bgp::AfiSafi family) {
    auto it = entries_.find(session.id());
    if (it == entries_.end() || it->second.phase != GracefulRestartPhase::WaitingEndOfRib) {
        return;
    }
    Entry& e = it->second;
    auto f = std::find(e.families.begin(), e.families.end(), family);
    if (f == e.families.end()) {
        return;
    }
    e.families.erase(f);
    const std::size_t purged = rib_.purge_stale(session.id(), family);
    ++counters_.end_of_ribs;
    counters_.purged_routes += purged;
    log(who(session) + ": graceful restart: End-of-RIB for " + bgp::family_name(family) + "; " +
        std::to_string(purged) + " stale route(s) not announced again withdrawn");
    if (e.families.empty()) {
        cancel(e);
        e.phase = GracefulRestartPhase::None;
    }
}

void GracefulRestartHelper::forget(rib::PeerId id) {
    auto it = entries_.find(id);
    if (it == entries_.end()) {
        return;
    }
    cancel(it->second);
    entries_.erase(it);
    if (rib_.is_restarting(id)) {
        rib_.peer_down(id);
    }
}

GracefulRestartState GracefulRestartHelper::state(rib::PeerId id) const {
    GracefulRestartState s;
    auto it = entries_.find(id);
    if (it == entries_.end()) {
        return s;
    }
    s.phase = it->second.phase;
    s.families = it->second.families;
    if (s.phase != GracefulRestartPhase::None && it->second.timer) {
        const auto left = it->second.timer->expiry() - std::chrono::steady_clock::now();
        s.seconds_left = static_cast<std::uint32_t>(
            std::max<std::int64_t>(0, std::chrono::ceil<std::chrono::seconds>(left).count()));
    }
    return s;
}

}  // namespace rf::server
