// The configuration's peer policies handed to the route server: compiled once per configuration
// (control/policy), each peer given its import chain, its export chain and the RFC 8212 switch. Used
// at start and by every runtime change (config_changes.cpp): SIGHUP and the REST API take this one path.
#pragma once

#include <string>
#include <vector>

#include "control/server/route_server.hpp"
#include "daemon/config/config.hpp"

namespace rf::api {

struct PolicyReport {
    std::vector<std::string> peers;         // peers given a new import policy (names)
    std::size_t evaluated = 0;              // routes of their established sessions evaluated again
    std::size_t rejected = 0;               // of them, rejected
    std::vector<std::string> export_peers;  // peers given a new export policy (their Adj-RIB-Out re-diffed)
};

// Gives each peer of `next` its import and export policies when they may differ from `previous` (its
// policy names, the policy section or route_server.ebgp_requires_policy changed), and every peer when
// `previous` is null or its name is in `always` (peers just created). `next` has been validated: it
// compiles.
PolicyReport apply_peer_policies(server::RouteServer& server, const config::Config& next,
                                 const config::Config* previous, const std::vector<std::string>& always);

}  // namespace rf::api
