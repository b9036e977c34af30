#include "daemon/reload.hpp"

#include "daemon/api/daemon_backend.hpp"
#include "daemon/config/vnet_convert.hpp"
#include "daemon/logging.hpp"

namespace rf::daemon {

namespace {

std::string names(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& n : v) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out;
}

std::string prefixes(const std::vector<net::Prefix>& v) {
    std::string out;
    for (const auto& p : v) {
        out += (out.empty() ? "" : ", ") + p.to_string();
    }
    return out;
}

}  // namespace

void reload_and_log(api::ManagementService& management, const std::string& path) {
    log_as(spdlog::level::info, "reload", "SIGHUP: reloading {}", path);
    auto r = management.reload();
    if (!r) {
        for (const auto& e : r.error().file) {
            log_as(spdlog::level::err, "reload", "reload: {}: {}", path, e.to_string());
        }
        if (!r.error().file.empty()) {
            log_as(spdlog::level::err, "reload", "reload: {} has {} error(s); nothing changed", path,
                   r.error().file.size());
        } else {
            log_as(spdlog::level::err, "reload",
                   "reload: {}: {}; nothing changed (the running peers are still the last committed "
                   "configuration)",
                   path, r.error().apply);
        }
        return;
    }
    if (r->added.empty() && r->removed.empty() && r->replaced.empty() && r->updated.empty()) {
        log_as(spdlog::level::info, "reload", "reload: peerings unchanged");
    } else {
        log_as(spdlog::level::info, "reload",
               "reload: peerings added [{}], deleted [{}], re-created with new settings [{}], route limits "
               "changed in place [{}]",
               names(r->added), names(r->removed), names(r->replaced), names(r->updated));
    }
    if (!r->policy.peers.empty()) {
        log_as(spdlog::level::info, "reload",
               "reload: import policy applied to [{}] without a session reset: {} route(s) evaluated, {} "
               "rejected",
               names(r->policy.peers), r->policy.evaluated, r->policy.rejected);
    }
    if (!r->policy.export_peers.empty()) {
        log_as(spdlog::level::info, "reload",
               "reload: export policy applied to [{}] without a session reset: only the difference sent",
               names(r->policy.export_peers));
    }
    if (r->vnet) {
        log_as(
            spdlog::level::info, "reload",
            "reload: virtual_network applied: address spaces announced [{}], withdrawn [{}]; ROUTE-REFRESH "
            "sent to {} peer(s), {} reset (no route refresh){}{}",
            prefixes(r->vnet->added), prefixes(r->vnet->removed), r->vnet->refreshed, r->vnet->reset,
            r->vnet->detail.empty() ? "" : "; ", r->vnet->detail);
    }
    if (r->bmp) {
        log_as(spdlog::level::info, "reload", "reload: bmp applied: collectors reconfigured");
    }
    if (r->rpki) {
        log_as(spdlog::level::info, "reload",
               "reload: rpki section applied (RTR client replaced or stopped); see GET /api/v1/rpki");
    }
    if (!r->restart_needed.empty()) {
        log_as(spdlog::level::warn, "reload", "reload: {} changed; these take effect at the next restart",
               names(r->restart_needed));
    }
}

std::vector<net::Prefix> lab_vnet_prefixes(const fib::VnetModel& model) {
    for (const auto& v : model.vnets) {
        if (v.name == model.route_server.vnet) {
            return {v.address_spaces.begin(), v.address_spaces.end()};
        }
    }
    return {};
}

api::VnetApplier make_vnet_applier(Forwarding* forwarding, bool emulator) {
    return [forwarding, emulator](const config::Config& next) -> Result<api::VnetApply, std::string> {
        api::VnetApply a;
        a.prefixes = api::server_config(next).rib.vnet_prefixes;
        if (forwarding == nullptr) {
            return a;
        }
        const fib::VnetModel m = config::to_vnet_model(next);
        if (!next.virtual_network && emulator) {
            a.prefixes = lab_vnet_prefixes(m);
        }
        if (!forwarding->update_model(m, &a.detail)) {
            return unexpected(a.detail);
        }
        return a;
    };
}

}  // namespace rf::daemon
