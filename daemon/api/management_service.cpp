#include "daemon/api/management_service.hpp"

#include <algorithm>
#include <iterator>
#include <set>

#include "daemon/config/vnet_convert.hpp"

namespace rf::api {

ManagementService::ManagementService(boost::asio::io_context& io, server::RouteServer& server,
                                     const config::Config& config, std::string config_path, bool lab_model)
    : store_(config, std::move(config_path)),
      metrics_(registry_),
      backend_(io, server, config),
      api_(server_options(config), backend_, store_, registry_),
      server_(server),
      lab_model_(lab_model),
      enabled_(config.api.enabled) {
    if (config.virtual_network || lab_model) {
        backend_.set_vnet_model(config::to_vnet_model(config));
    }
}

ManagementService::~ManagementService() {
    stop();
}

std::optional<std::string> ManagementService::start() {
    if (!enabled_ || started_) {
        return std::nullopt;
    }
    if (auto err = api_.start()) {
        return "REST API: " + *err;
    }
    started_ = true;
    return std::nullopt;
}

void ManagementService::stop() {
    if (started_) {
        api_.stop();
        started_ = false;
    }
}

Result<ReloadReport, config::Errors> ManagementService::reload() {
    auto loaded = config::load_file(store_.path());
    if (!loaded) {
        return unexpected(loaded.error());
    }
    const config::Config current = store_.snapshot();
    ReloadReport report;
    if (!(loaded->route_server == current.route_server)) {
        report.restart_needed.emplace_back("route_server");
    }
    const bool vnet_changed = !(loaded->virtual_network == current.virtual_network);
    if (vnet_changed && !vnet_applier_) {
        report.restart_needed.emplace_back("virtual_network");
    }
    if (!(loaded->emulator == current.emulator)) {
        report.restart_needed.emplace_back("emulator");
    }
    if (!(loaded->api == current.api)) {
        report.restart_needed.emplace_back("api");
    }
    // The peers the daemon runs after the reload; starts as the current ones and follows each success.
    std::vector<config::PeerConfig> running = current.peers;
    const auto in = [](const std::vector<config::PeerConfig>& peers, const std::string& name) {
        return std::find_if(peers.begin(), peers.end(),
                            [&](const config::PeerConfig& p) { return p.name == name; });
    };
    // Deletions first (changed peers too), so the peer limit and address uniqueness hold for the additions.
    for (const config::PeerConfig& p : current.peers) {
        const auto next = in(loaded->peers, p.name);
        if (next != loaded->peers.end() && *next == p) {
            continue;
        }
        if (auto r = backend_.remove_peer(p.name); !r) {
            report.failed.push_back(p.name + ": not deleted: " + r.error().message);
            continue;
        }
        running.erase(in(running, p.name));
        (next == loaded->peers.end() ? report.removed : report.replaced).push_back(p.name);
    }
    for (const config::PeerConfig& p : loaded->peers) {
        if (in(running, p.name) != running.end()) {
            continue;  // unchanged, or its deletion failed
        }
        if (auto r = backend_.add_peer(p); !r) {
            report.failed.push_back(p.name + ": not created: " + r.error().message);
            const auto replaced = std::find(report.replaced.begin(), report.replaced.end(), p.name);
            if (replaced != report.replaced.end()) {
                report.replaced.erase(replaced);
                report.removed.push_back(p.name);
            }
            continue;
        }
        running.push_back(p);
        if (std::find(report.replaced.begin(), report.replaced.end(), p.name) == report.replaced.end()) {
            report.added.push_back(p.name);
        }
    }
    // The configuration of record becomes the file's (so a later runtime change, which saves it, keeps the
    // operator's edits, including those that wait for a restart), with the peers actually running: the
    // file's unless something failed.
    config::Config adopted = *loaded;
    if (!report.failed.empty()) {
        adopted.peers = std::move(running);
    }
    if (vnet_changed && vnet_applier_) {
        if (!apply_vnet(*loaded, report)) {
            adopted.virtual_network = current.virtual_network;  // the running model stays the old one
        }
    }
    if (auto r = store_.adopt(std::move(adopted)); !r) {
        report.failed.push_back("running configuration not updated: " + config::format_errors(r.error()));
    }
    return report;
}

bool ManagementService::apply_vnet(const config::Config& next, ReloadReport& report) {
    auto applied = vnet_applier_(next);
    if (!applied) {
        report.failed.push_back("virtual_network: not applied: " + applied.error());
        return false;
    }
    std::set<net::Prefix> before(server_.config().rib.vnet_prefixes.begin(),
                                 server_.config().rib.vnet_prefixes.end());
    const std::set<net::Prefix> after(applied->prefixes.begin(), applied->prefixes.end());
    ReloadReport::Vnet v;
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                        std::back_inserter(v.added));
    std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                        std::back_inserter(v.removed));
    const auto done = server_.set_vnet_prefixes(std::move(applied->prefixes));
    v.refreshed = done.refreshed;
    v.reset = done.reset;
    v.detail = std::move(applied->detail);
    if (next.virtual_network || lab_model_) {
        backend_.set_vnet_model(config::to_vnet_model(next));
    } else {
        backend_.clear_vnet_model();
    }
    report.vnet = std::move(v);
    return true;
}

std::uint16_t ManagementService::api_port() const {
    return started_ ? api_.port() : 0;
}

}  // namespace rf::api
