// A configured peer's routing policy, changed at run time (route_server.hpp, set_import_policy,
// set_export_policy).
#include "control/server/route_server.hpp"

namespace rf::server {

std::optional<RouteServer::PolicyUpdate> RouteServer::set_import_policy(const net::IpAddress& address,
                                                                        policy::Chain chain,
                                                                        bool policy_required) {
    auto it = peers_.find(address);
    if (it == peers_.end()) {
        return std::nullopt;
    }
    Peer& peer = it->second;
    peer.import_policy = chain;
    peer.policy_required = policy_required;
    PolicyUpdate done;
    for (auto& [local, session] : peer.sessions) {
        if (!rib_.is_up(session->id())) {
            continue;  // it gets the policy when it comes up
        }
        const rib::ImportReapply r = rib_.set_import_policy(session->id(), chain, policy_required);
        ++done.sessions;
        done.evaluated += r.evaluated;
        done.rejected += r.rejected;
    }
    distribute();
    return done;
}

bool RouteServer::set_export_policy(const net::IpAddress& address, policy::Chain chain) {
    auto it = peers_.find(address);
    if (it == peers_.end()) {
        return false;
    }
    Peer& peer = it->second;
    peer.export_policy = chain;
    for (auto& [local, session] : peer.sessions) {
        if (rib_.is_up(session->id())) {
            rib_.set_export_policy(session->id(), chain);  // others get it when they come up
        }
    }
    distribute();
    return true;
}

}  // namespace rf::server
