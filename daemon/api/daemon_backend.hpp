// api::DaemonBackend: the api::Backend routefabricd serves the REST API with: the peer manager
// (server::RouteServer), its RIB and the VNet model's effective route computation. Also the mapping from the
// YAML configuration to the session layer's settings, so the daemon can start from a config::Config.
//
// Threading: RouteServer and its RIB live on the daemon's io_context thread. Every call here is posted
// to that io_context and waited for (bounded: a stuck io_context makes the API answer NotAvailable after
// `timeout`, it never hangs the API thread), so the API thread never touches session or RIB state.
// Peering changes go through the backend's ConfigChanges (config_changes.hpp), the one serialised path
// SIGHUP reloads take too; the peerings it lists and shows are that path's committed configuration,
// which the route server runs.
//
// Wiring in routefabricd (after RouteServer and io exist, before io.run()):
//
//   rf::config::ConfigStore store(cfg, config_path);
//   rf::metrics::Registry registry;
//   rf::api::DaemonBackend backend(io, server, cfg);
//   backend.set_vnet_model(rf::config::to_vnet_model(cfg));       // effective routes
//   rf::api::ApiServer api(rf::api::server_options(cfg), backend, store, registry);
//   if (cfg.api.enabled) { if (auto err = api.start()) { log; return 1; } }
//   ... io.run(); api.stop();
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "control/server/route_server.hpp"
#include "daemon/api/backend.hpp"
#include "daemon/api/config_changes.hpp"
#include "daemon/api/server.hpp"
#include "daemon/config/config.hpp"
#include "fib/vnet/effective_routes.hpp"
#include "fib/vnet/vnet_model.hpp"

namespace rf::api {

// config::Config → the session layer's settings.
[[nodiscard]] server::ServerConfig server_config(const config::Config& c);
[[nodiscard]] session::PeerSettings peer_settings(const config::Config& c, const config::PeerConfig& p);
[[nodiscard]] ServerOptions server_options(const config::Config& c);

class DaemonBackend final : public Backend {
public:
    DaemonBackend(boost::asio::io_context& io, server::RouteServer& server, const config::Config& config,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
    ~DaemonBackend() override;

    // The VNet model effective routes are computed over (config::to_vnet_model()); without it the
    // effective-routes routes answer NotAvailable.
    // Before serving, or on the io thread while serving (a reloaded virtual_network section).
    void set_vnet_model(fib::VnetModel model);
    void clear_vnet_model();  // io thread: effective routes answer NotAvailable again
    // Emulator statistics source (the data plane); without it /emulator/stats answers NotAvailable.
    void set_emulator_stats(std::function<EmulatorStats()> source);
    // Its convergence history (convergence_history.hpp); without it /emulator/convergence answers
    // NotAvailable. Set before serving.
    void set_convergence_history(std::function<ConvergenceHistory()> source);
    // The FIB updater's queue depth (deltas accepted, not yet applied); routefabric_fib_queue_depth is
    // that plus the RIB's pending (refused, to be retried) deltas. Set before serving.
    void set_fib_queue_depth(std::function<std::uint64_t()> source);
    // The BMP exporter's collectors (bmp_status.cpp); read from the API thread.
    void set_bmp_status(std::function<BmpCollectors()> source) { bmp_status_ = std::move(source); }
    Result<BmpCollectors, ApiError> bmp_collectors() override;

    RouteServerInfo info() override;
    std::vector<PeeringInfo> peerings() override;
    Result<PeeringInfo, ApiError> peering(std::string_view name) override;
    Result<PeeringInfo, ApiError> add_peer(const config::PeerConfig& peer) override;
    Result<Unit, ApiError> remove_peer(std::string_view name) override;
    // One change each on the serialised path, persisted to `store` (the add_peer / remove_peer above are
    // the same changes kept in memory).
    Result<PeeringInfo, ApiError> create_peering(const config::PeerConfig& peer,
                                                 config::ConfigStore& store) override;
    Result<Unit, ApiError> delete_peering(const std::string& name, config::ConfigStore& store) override;
    // Runs on the serialised change path (a change that changes no configuration), so it never falls
    // between the steps of another change.
    Result<PeeringReset, ApiError> reset_peering(std::string_view name) override;
    Result<RoutesByInstance, ApiError> learned_routes(std::string_view peering) override;
    Result<RoutesByInstance, ApiError> filtered_routes(std::string_view peering) override;
    Result<RoutesByInstance, ApiError> advertised_routes(std::string_view peering) override;
    Result<RibEntryInfo, ApiError> rib_entry(const net::Prefix& prefix) override;
    Result<std::string, ApiError> rib_dump_mrt() override;
    Result<RpkiInfo, ApiError> rpki() override;  // rpki_backend.cpp  // built on the io thread (daemon/mrt)
    Result<EffectiveRoutes, ApiError> vm_effective_routes(std::string_view vm) override;
    Result<EffectiveRoutes, ApiError> subnet_effective_routes(std::string_view subnet) override;
    Result<EmulatorStats, ApiError> emulator_stats() override;
    Result<ConvergenceHistory, ApiError> convergence_history() override;
    void collect_metrics(metrics::Registry& registry) override;

    // The one path every runtime configuration change takes (ManagementService's reload uses it too).
    [[nodiscard]] ConfigChanges& changes() { return changes_; }

private:
    Result<PeeringInfo, ApiError> create(const config::PeerConfig& peer, config::ConfigStore* store);
    Result<Unit, ApiError> remove(const std::string& name, config::ConfigStore* store);
    [[nodiscard]] const config::Config& running() const { return changes_.committed(); }

    // Runs `f` on the io_context thread and returns its result (or NotAvailable after the timeout).
    template <typename T>
    Result<T, ApiError> on_io(std::function<Result<T, ApiError>()> f);

    // io thread only:
    PeeringInfo peering_info(const config::PeerConfig& p) const;
    enum class RouteView : std::uint8_t { Learned, Filtered, Advertised };
    Result<RoutesByInstance, ApiError> routes(std::string_view name, RouteView view) const;
    Result<EffectiveRoutes, ApiError> effective(std::optional<fib::TableId> table, std::string name) const;
    const config::PeerConfig* find(std::string_view name) const;
    // UPDATE totals that never go down (Prometheus counters): each session's own counters are folded into
    // running totals, so a session that goes away (peering deleted) keeps its share. Called on every
    // scrape and right before a peer is removed.
    void fold_update_counters(const std::vector<session::SessionStatus>& sessions);

    boost::asio::io_context& io_;
    server::RouteServer& server_;
    ConfigChanges changes_;  // the peers (committed = running) and the route_server section in use
    std::chrono::milliseconds timeout_;
    std::chrono::steady_clock::time_point started_;
    std::optional<fib::VnetModel> model_;  // io thread (or before serving)
    std::atomic<bool> has_model_{false};   // model_ is set; read on the API thread
    std::optional<fib::TablePlan> plan_;
    std::function<EmulatorStats()> emulator_;
    std::function<ConvergenceHistory()> convergence_history_;
    std::function<std::uint64_t()> fib_queue_depth_;
    std::function<BmpCollectors()> bmp_status_;
    // io thread only: the last (in, out) seen per session ("peer address|local address") and the totals.
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> update_counts_seen_;
    std::uint64_t updates_in_total_ = 0;
    std::uint64_t updates_out_total_ = 0;
};

}  // namespace rf::api
