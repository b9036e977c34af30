// Reconciling the route server's running peers with a desired set: which peers to delete and which to
// create so that the running set becomes the desired one. Pure (no route server, no I/O), so the rule can
// be tested on its own; api::ConfigChanges applies the plan.
#pragma once

#include <string>
#include <vector>

#include "control/session/peer_settings.hpp"

namespace rf::api {

// Peers are matched by name. A running peer with no desired peer of its name, or whose session settings
// differ from the desired ones, is deleted; a desired peer not running as desired is created. A peer
// whose settings differ only in what applies without a reset (the route limit, its action and warning
// threshold: RouteServer::update_route_limits) is updated in place. Deletions come
// first when the plan is applied, so the peer limit and address uniqueness hold for the creations (a
// peer that moves its address to another name's old address works).
struct PeerPlan {
    std::vector<session::PeerSettings> remove;  // running peers to delete (by address)
    std::vector<session::PeerSettings> add;     // desired peers to create, in the desired order
    std::vector<std::string> added;             // names new to the running set
    std::vector<std::string> removed;           // names gone from it
    std::vector<std::string> replaced;          // names deleted and created again (settings changed)
    std::vector<session::PeerSettings> update;  // running peers given new route-limit settings in place
    std::vector<std::string> updated;           // their names

    [[nodiscard]] bool empty() const { return remove.empty() && add.empty() && update.empty(); }
};

[[nodiscard]] PeerPlan plan_peers(const std::vector<session::PeerSettings>& running,
                                  const std::vector<session::PeerSettings>& desired);

// Every field a session takes from its settings, compared (PeerSettings has no operator==).
[[nodiscard]] bool same_settings(const session::PeerSettings& a, const session::PeerSettings& b);
// The same but for the route-limit fields that apply without a reset.
[[nodiscard]] bool same_session_settings(const session::PeerSettings& a, const session::PeerSettings& b);

}  // namespace rf::api
