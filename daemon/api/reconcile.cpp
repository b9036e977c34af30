#include "daemon/api/reconcile.hpp"

#include <map>
#include <tuple>

namespace rf::api {

bool same_session_settings(const session::PeerSettings& a, const session::PeerSettings& b) {
    const auto fields = [](const session::PeerSettings& s) {
        return std::tie(s.name, s.address, s.port, s.asn, s.counting, s.ttl, s.gtsm, s.md5_password, s.mode,
                        s.local_address, s.hold_time, s.idle_hold, s.add_path, s.extended_messages,
                        s.enhanced_route_refresh, s.graceful_restart);
    };
    return fields(a) == fields(b);
}

bool same_settings(const session::PeerSettings& a, const session::PeerSettings& b) {
    const auto limits = [](const session::PeerSettings& s) {
        return std::tie(s.route_limit, s.route_limit_action, s.route_limit_warning_percent);
    };
    return same_session_settings(a, b) && limits(a) == limits(b);
}

PeerPlan plan_peers(const std::vector<session::PeerSettings>& running,
                    const std::vector<session::PeerSettings>& desired) {
    std::map<std::string, const session::PeerSettings*> wanted;
    for (const session::PeerSettings& d : desired) {
        wanted.emplace(d.name, &d);
    }
    std::map<std::string, bool> kept;  // running names, and whether they run as desired
    PeerPlan plan;
    for (const session::PeerSettings& r : running) {
        const auto w = wanted.find(r.name);
        const bool as_desired = w != wanted.end() && same_session_settings(r, *w->second);
        // A name running twice (never, through this path) keeps only one copy.
        const bool duplicate = kept.count(r.name) != 0;
        if (as_desired && !duplicate) {
            kept[r.name] = true;
            if (!same_settings(r, *w->second)) {
                plan.update.push_back(*w->second);
                plan.updated.push_back(r.name);
            }
            continue;
        }
        plan.remove.push_back(r);
        if (!duplicate) {
            kept[r.name] = false;
            (w == wanted.end() ? plan.removed : plan.replaced).push_back(r.name);
        }
    }
    for (const session::PeerSettings& d : desired) {
        const auto k = kept.find(d.name);
        if (k != kept.end() && k->second) {
            continue;
        }
        plan.add.push_back(d);
        if (k == kept.end()) {
            plan.added.push_back(d.name);
        }
    }
    return plan;
}

}  // namespace rf::api
