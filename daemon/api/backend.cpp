#include "daemon/api/backend.hpp"

#include <algorithm>

#include "daemon/config/config_store.hpp"

namespace rf::api {

Result<RpkiInfo, ApiError> Backend::rpki() {
    return unexpected(ApiError{ErrorCode::NotAvailable, "this backend has no RPKI validation", ""});
}

Result<std::string, ApiError> Backend::rib_dump_mrt() {
    return unexpected(ApiError{ErrorCode::NotAvailable, "this backend has no RIB to dump", ""});
}

Result<ConvergenceHistory, ApiError> Backend::convergence_history() {
    return unexpected(ApiError{ErrorCode::NotAvailable,
                               "the emulator is not running; set emulator.enabled: true and restart", ""});
}

Result<BmpCollectors, ApiError> Backend::bmp_collectors() {
    return BmpCollectors{};
}

Result<PeeringInfo, ApiError> Backend::create_peering(const config::PeerConfig& peer,
                                                      config::ConfigStore& store) {
    auto added = add_peer(peer);
    if (!added) {
        return added;
    }
    auto saved = store.update([&](config::Config& c) { c.peers.push_back(peer); });
    if (!saved) {
        (void)remove_peer(peer.name);  // keep the running state equal to the file
        return unexpected(ApiError{ErrorCode::Internal,
                                   "peering not created: " + config::format_errors(saved.error()) +
                                       "check that the configuration file's directory is writable",
                                   ""});
    }
    return added;
}

Result<Unit, ApiError> Backend::delete_peering(const std::string& name, config::ConfigStore& store) {
    const config::Config current = store.snapshot();
    const config::PeerConfig* peer = current.find_peer(name);
    if (peer == nullptr) {
        return unexpected(ApiError{ErrorCode::PeeringNotFound,
                                   "no peering named '" + name + "'; list them with rfctl peering list", ""});
    }
    const config::PeerConfig removed = *peer;
    auto r = remove_peer(name);
    if (!r) {
        return r;
    }
    auto saved = store.update([&](config::Config& c) {
        c.peers.erase(std::remove_if(c.peers.begin(), c.peers.end(),
                                     [&](const config::PeerConfig& p) { return p.name == name; }),
                      c.peers.end());
    });
    if (!saved) {
        (void)add_peer(removed);
        return unexpected(ApiError{ErrorCode::Internal,
                                   "peering not deleted: " + config::format_errors(saved.error()) +
                                       "check that the configuration file's directory is writable",
                                   ""});
    }
    return Unit{};
}

}  // namespace rf::api
