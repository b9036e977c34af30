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

#include "daemon/api/config_changes.hpp"
#include "daemon/api/daemon_backend.hpp"
#include "daemon/api/io_loop_lag.hpp"
#include "daemon/api/metrics.hpp"
#include "daemon/api/server.hpp"
#include "daemon/config/config_store.hpp"

namespace rf::api {

// What a reload (SIGHUP) did: the change it made (peerings by name, sections waiting for a restart, the
// virtual_network stage).
using ReloadReport = ChangeReport;

// Why a reload changed nothing: the file's errors (it did not load or validate), or why applying it
// failed (then it was undone).
struct ReloadError {
    config::Errors file;
    std::string apply;
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

    // With an applier, a changed virtual_network section is applied at runtime (design §2 "VNet
    // changes"): the applier updates the FIB and names the address spaces to advertise, then
    // RouteServer::set_vnet_prefixes announces/withdraws the difference and asks every NVA for its routes
    // again (ROUTE-REFRESH, or a Cease / Other Configuration Change reset), and effective routes use the
    // new model. Without one, a virtual_network change is reported as needing a restart. Before serving.
    void set_vnet_applier(VnetApplier applier);

    // SIGHUP: one change on the serialised path (config_changes.hpp) whose desired configuration is the
    // file's content. The route server's running peers are reconciled with the file's (deleted, created,
    // deleted and created again when changed), which also mends any drift; virtual_network as above.
    // Other sections (route_server, emulator, api) are reported when they differ from the running ones
    // and need a restart. It waits for any change in progress, and the next one waits for it. An invalid
    // file, or one that cannot be applied, changes nothing. The file is not rewritten. Any thread.
    Result<ReloadReport, ReloadError> reload();

    [[nodiscard]] config::ConfigStore& store() { return store_; }
    [[nodiscard]] metrics::Registry& registry() { return registry_; }
    [[nodiscard]] metrics::StandardMetrics& metrics() { return metrics_; }
    [[nodiscard]] DaemonBackend& backend() { return backend_; }

private:
    // The virtual_network stage of a change: the applier, the advertised address spaces, the model.
    Result<VnetReport, std::string> apply_vnet(const config::Config& next);

    config::ConfigStore store_;
    metrics::Registry registry_;
    metrics::StandardMetrics metrics_;
    DaemonBackend backend_;
    IoLoopLag io_lag_;  // sampled while the API (and so /metrics) is served
    ApiServer api_;
    server::RouteServer& server_;
    VnetApplier vnet_applier_;
    bool lab_model_ = true;
    bool enabled_ = true;
    bool started_ = false;
};

}  // namespace rf::api
