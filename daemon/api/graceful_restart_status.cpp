#include "daemon/api/graceful_restart_status.hpp"

#include <string>

#include "control/codec/text.hpp"

namespace rf::api {

GracefulRestartInfo graceful_restart_info(const session::SessionStatus& s,
                                          const server::RouteServer& server) {
    GracefulRestartInfo info;
    if (s.graceful_restart) {
        info.negotiated = true;
        info.peer_restart_time = s.graceful_restart->restart_time;
        info.notification = s.graceful_restart->notification;
        for (const bgp::GracefulRestartFamily& f : s.graceful_restart->families) {
            info.families.push_back(bgp::family_name(f.family));
            if (f.forwarding_preserved) {
                info.forwarding.push_back(bgp::family_name(f.family));
            }
        }
        for (const bgp::LongLivedGracefulRestartFamily& f : s.graceful_restart->long_lived) {
            info.long_lived.push_back({bgp::family_name(f.family), f.stale_time, f.forwarding_preserved});
        }
    }
    info.hard_resets_sent = s.hard_resets_sent;
    if (s.rib_id != 0) {
        const server::GracefulRestartState st = server.graceful_restart(s.rib_id);
        info.phase = std::string(server::graceful_restart_phase_name(st.phase));
        for (const bgp::AfiSafi& f : st.families) {
            info.stale_families.push_back(bgp::family_name(f));
        }
        info.seconds_left = st.seconds_left;
    }
    return info;
}

void set_graceful_restart_metrics(metrics::Registry& registry, std::size_t stale_routes,
                                  const server::GracefulRestartCounters& c) {
    registry
        .gauge("routefabric_stale_routes",
               "Routes kept stale now: across a peer's graceful restart or an enhanced route refresh.")
        .set(static_cast<double>(stale_routes));
    constexpr const char* kHelp =
        "Graceful restart helper events: peer restarts whose routes were kept (restart), restart and "
        "stale-path timers that expired (restart_expired, stale_expired), End-of-RIBs that ended a restart "
        "(end_of_rib), peer-downs with a Hard Reset (hard_reset), restarts that went long-lived (long_lived, "
        "RFC 9494) and long-lived stale times that expired (long_lived_expired).";
    const auto counter = [&](const char* event, std::uint64_t value) {
        registry.counter("routefabric_graceful_restart_events_total", kHelp, {{"event", event}}).set(value);
    };
    counter("restart", c.restarts);
    counter("restart_expired", c.restart_expiries);
    counter("stale_expired", c.stale_expiries);
    counter("end_of_rib", c.end_of_ribs);
    counter("hard_reset", c.hard_resets);
    counter("long_lived", c.long_lived);
    counter("long_lived_expired", c.long_lived_expiries);
    registry
        .counter("routefabric_graceful_restart_purged_routes_total",
                 "Stale routes withdrawn after a graceful restart: at End-of-RIB, at a timer's expiry, or "
                 "when the peer came back without forwarding state.")
        .set(c.purged_routes);
}

}  // namespace rf::api
