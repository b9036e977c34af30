#include "daemon/api/peer_policies.hpp"

#include <algorithm>

#include "control/policy/compile.hpp"

namespace rf::api {

PolicyReport apply_peer_policies(server::RouteServer& server, const config::Config& next,
                                 const config::Config* previous, const std::vector<std::string>& always) {
    PolicyReport report;
    auto compiled = policy::compile(next.policy);
    auto* library = std::get_if<std::shared_ptr<const policy::Library>>(&compiled);
    if (library == nullptr) {
        return report;  // refused by validate() before it gets here
    }
    const bool required = next.route_server.ebgp_requires_policy;
    for (const config::PeerConfig& p : next.peers) {
        const config::PeerConfig* before = previous != nullptr ? previous->find_peer(p.name) : nullptr;
        const bool everything = before == nullptr ||
                                std::find(always.begin(), always.end(), p.name) != always.end() ||
                                before->address != p.address;
        const bool policies_changed = previous != nullptr && !(previous->policy == next.policy);
        // The export chain first: with the RFC 8212 switch turned on, a peer is not sent what its new
        // chain rejects in between.
        if (everything || before->export_policy != p.export_policy ||
            (!p.export_policy.empty() && policies_changed)) {
            if (server.set_export_policy(p.address, (*library)->chain(p.export_policy))) {
                report.export_peers.push_back(p.name);
            }
        }
        const bool changed = everything || before->import_policy != p.import_policy ||
                             previous->route_server.ebgp_requires_policy != required ||
                             (!p.import_policy.empty() && policies_changed);
        if (!changed) {
            continue;
        }
        if (auto done = server.set_import_policy(p.address, (*library)->chain(p.import_policy), required)) {
            report.peers.push_back(p.name);
            report.evaluated += done->evaluated;
            report.rejected += done->rejected;
        }
    }
    return report;
}

}  // namespace rf::api
