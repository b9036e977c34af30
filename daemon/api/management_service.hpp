// api::ManagementService: everything an operator manages routefabricd through, in one object: the running
// configuration (persisted atomically on runtime changes, reloaded on SIGHUP), the metrics registry, the
// DaemonBackend and the REST API server. The daemon creates it after its RouteServer and before io.run():
//
//   auto cfg = rf::config::load_file_checked(path);        // --check-config: print format_errors, exit 1
//   rf::server::RouteServer server(io, rf::api::server_config(*cfg), sink);
//   for (const auto& p : cfg->peers) server.add_peer(rf::api::peer_settings(*cfg, p));
//   server.start();
//   rf::api::ManagementService management(io, server, *cfg, path);
//   if (auto err = management.start()) { spdlog::error("{}", *err); return 1; }
//   io.run();
//   management.stop();
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/api/daemon_backend.hpp"
#include "daemon/api/metrics.hpp"
#include "daemon/api/server.hpp"
#include "daemon/config/config_store.hpp"

namespace rf::api {

// What a reload (SIGHUP) did: peerings by name, and what it could not do.
struct ReloadReport {
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::vector<std::string> replaced;        // settings changed: deleted and created again (session reset)
    std::vector<std::string> failed;          // "name: reason" (the running state keeps the old peering)
    std::vector<std::string> restart_needed;  // sections that changed but apply only at start-up
    // Set when a changed virtual_network section was applied at runtime (see set_vnet_applier).
    struct Vnet {
        std::vector<net::Prefix> added;    // advertised VNet address spaces announced
        std::vector<net::Prefix> removed;  // ... and withdrawn
        std::size_t refreshed = 0;         // sessions sent ROUTE-REFRESH
        std::size_t reset = 0;             // sessions reset (no route refresh)
        std::string detail;                // what the applier reported (the FIB's model change)
    };
    std::optional<Vnet> vnet;
};

// What the daemon does with a new virtual_network section: applies its model to the FIB (when it has one)
// and returns the VNet address spaces to advertise for `next`, or why it could not (nothing changed then).
struct VnetApply {
    std::vector<net::Prefix> prefixes;
    std::string detail;
};
using VnetApplier = std::function<Result<VnetApply, std::string>(const config::Config& next)>;

class ManagementService {
public:
    // `lab_model`: without a virtual_network section, compute effective routes over the built-in lab VNet
    // (the one the FIB and emulator use); false in route-server-only mode, where there is nothing of the
    // kind (those requests answer NotAvailable, and the ~1.4 MB model is not built).
    ManagementService(boost::asio::io_context& io, server::RouteServer& server, const config::Config& config,
                      std::string config_path, bool lab_model = true);
    ~ManagementService();  // stop()
    ManagementService(const ManagementService&) = delete;
    ManagementService& operator=(const ManagementService&) = delete;

    // Starts the REST API when api.enabled (error text on failure: address in use, ...).
    std::optional<std::string> start();
    void stop();
    // The bound API port (useful with api.port 0); 0 when not serving.
    [[nodiscard]] std::uint16_t api_port() const;
    // Where the REST API server's warnings go (refused connections, malformed requests); before start().
    void set_api_log_sink(ApiServer::LogSink sink) { api_.set_log_sink(std::move(sink)); }

    // With an applier, reload() applies a changed virtual_network section at runtime (design §2 "VNet
    // changes"): the applier updates the FIB and names the address spaces to advertise, then
    // RouteServer::set_vnet_prefixes announces/withdraws the difference and asks every NVA for its routes
    // again (ROUTE-REFRESH, or a Cease / Other Configuration Change reset), and effective routes use the
    // new model. Without one, a virtual_network change is reported as needing a restart.
    void set_vnet_applier(VnetApplier applier) { vnet_applier_ = std::move(applier); }

    // Re-reads the configuration file and applies its peers as the REST API would: peerings missing from
    // the file are deleted, new ones created, changed ones deleted and created again; virtual_network as
    // above. Other sections (route_server, emulator, api) are compared and reported when they need a
    // restart. An invalid file changes nothing (its errors are returned). The file is not rewritten. Call
    // on the io thread (the daemon's signal handler); without a VNet applier any other thread will do.
    Result<ReloadReport, config::Errors> reload();

    [[nodiscard]] config::ConfigStore& store() { return store_; }
    [[nodiscard]] metrics::Registry& registry() { return registry_; }
    [[nodiscard]] metrics::StandardMetrics& metrics() { return metrics_; }
    [[nodiscard]] DaemonBackend& backend() { return backend_; }

private:
    // reload(): the changed virtual_network section through the applier; false (and `failed`) if refused.
    bool apply_vnet(const config::Config& next, ReloadReport& report);

    config::ConfigStore store_;
    metrics::Registry registry_;
    metrics::StandardMetrics metrics_;
    DaemonBackend backend_;
    ApiServer api_;
    server::RouteServer& server_;
    VnetApplier vnet_applier_;
    bool lab_model_ = true;
    bool enabled_ = true;
    bool started_ = false;
};

}  // namespace rf::api
