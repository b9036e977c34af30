#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/api/daemon_backend.hpp"
#include "daemon/api/peer_policies.hpp"
#include "daemon/bmp_wiring.hpp"
#include "daemon/config/vnet_convert.hpp"
#include "daemon/logging.hpp"
#include "daemon/reload.hpp"

namespace rf::daemon {

namespace {

// The emulator's settings from the configuration, the command line's --workers and EAL arguments first.
ForwardingOptions forwarding_options(const Startup& s, const Options& options) {
    const config::EmulatorConfig& e = s.config.emulator;
    ForwardingOptions fo;
    fo.emulator = s.emulator;
    fo.workers = options.workers.value_or(e.workers);
    if (fo.workers == 0) {
        fo.workers = 1;
    }
    fo.eal_args = !options.eal_args.empty() ? options.eal_args : e.eal_args;
    fo.flows_per_vm = e.flows_per_vm;
    fo.flows6_per_vm = e.flows6_per_vm;
    fo.burst = e.burst;
    fo.pass_target_us = e.pass_target_us;
    fo.lab_address = e.lab_address;
    fo.lab_address6 = e.lab_address6;
    fo.neighbor_retry_ms = e.neighbor_retry_ms;
    fo.neighbor_reachable_ms = e.neighbor_reachable_ms;
    return fo;
}

}  // namespace

std::unique_ptr<Daemon> Daemon::build(Startup startup, const Options& options) {
    std::unique_ptr<Daemon> d(new Daemon(std::move(startup), options));
    if (d->startup_.emulator_dropped) {
        log_as(spdlog::level::warn, "startup",
               "--no-fib: the emulator (emulator.enabled in {}) is not started", d->config_path_);
    }
    // The forwarding side first: the RIB publishes into the FIB updater's queue from its first delta.
    if (!d->start_forwarding(options) || !d->start_route_server() || !d->start_mrt()) {
        return nullptr;
    }
    d->start_bmp();
    if (!d->start_management()) {
        return nullptr;
    }
    d->log_started();
    return d;
}

Daemon::Daemon(Startup startup, const Options& options)
    : startup_(std::move(startup)),
      config_path_(options.config_path),
      graceful_restart_(options.graceful_restart) {}

Daemon::~Daemon() = default;

bool Daemon::start_forwarding(const Options& options) {
    // Route-server-only mode creates none of it (no EAL, no FIB tables, no emulator threads).
    if (!startup_.fib) {
        return true;
    }
    const fib::VnetModel model = config::to_vnet_model(startup_.config);
    if (!startup_.config.virtual_network && startup_.emulator) {
        lab_prefixes_ = lab_vnet_prefixes(model);  // the emulator's default lab VNet
    }
    std::string error;
    forwarding_ = load_forwarding(model, forwarding_options(startup_, options), &error);
    if (!forwarding_) {
        log_as(spdlog::level::err, "startup", "forwarding plane: {}", error);
        return false;
    }
    return true;
}

bool Daemon::start_route_server() {
    const config::Config& cfg = startup_.config;
    server::ServerConfig server_cfg = api::server_config(cfg);
    // RFC 4724 §4.1: the F bit stays clear (ServerConfig default): the FIB and the emulator live in this
    // process and are rebuilt with it, so no forwarding state survived the restart.
    server_cfg.restarting = graceful_restart_;
    if (!cfg.virtual_network && startup_.emulator) {
        // The default lab VNet is originated to the NVAs like a configured one.
        server_cfg.rib.vnet_prefixes = lab_prefixes_;
    }
    server_ =
        std::make_unique<server::RouteServer>(io_, server_cfg, forwarding_ ? forwarding_->sink() : discard_);
    if (forwarding_) {
        // T0 of convergence measurements: when the input behind the next publish arrived.
        server_->set_input_observer([fwd = forwarding_.get()](auto at) { fwd->input_received(at); });
    }
    log_route_server_events(*server_);
    for (const auto& p : cfg.peers) {
        if (auto err = server_->add_peer(api::peer_settings(cfg, p))) {
            log_as(spdlog::level::err, "config", "configuration: peer {}: {}", p.name, *err);
            return false;
        }
    }
    (void)api::apply_peer_policies(*server_, cfg, nullptr, {});
    if (auto err = server_->start()) {
        log_as(spdlog::level::err, "startup", "{}", *err);
        return false;
    }
    return true;
}

bool Daemon::start_mrt() {
    const config::MrtConfig& m = startup_.config.mrt;
    if (!m.any()) {
        return true;
    }
    if (::access(m.directory.c_str(), W_OK | X_OK) != 0) {
        log_as(spdlog::level::err, "startup", "mrt.directory: cannot write to {}: {}", m.directory,
               std::strerror(errno));
        return false;
    }
    auto log = [](bool warning, const std::string& line) {
        log_as(warning ? spdlog::level::warn : spdlog::level::info, "mrt", "{}", line);
    };
    if (m.updates.enabled) {
        mrt_files::UpdateLogOptions o;
        o.directory = m.directory;
        o.file_pattern = m.updates.file;
        o.rotate_interval = std::chrono::seconds(m.updates.rotate_interval);
        o.rotate_bytes = m.updates.rotate_bytes;
        o.keep = m.updates.keep;
        o.buffer_bytes = m.updates.buffer_bytes;
        update_log_ = std::make_unique<mrt_files::UpdateLog>(o, log);
        update_log_observer_ = std::make_unique<mrt_files::UpdateLogObserver>(*update_log_);
        server_->add_observer(*update_log_observer_);
    }
    if (m.rib_dump.interval != 0) {
        rib_dumps_ = std::make_unique<mrt_files::PeriodicDump>(
            io_, *server_, mrt_files::FileSeries(m.directory, m.rib_dump.file, m.rib_dump.keep),
            std::chrono::seconds(m.rib_dump.interval), log);
        rib_dumps_->start();
    }
    return true;
}

void Daemon::start_bmp() {
    char host[256] = {};
    const std::string sys_name = !startup_.config.bmp.sys_name.empty()        ? startup_.config.bmp.sys_name
                                 : ::gethostname(host, sizeof(host) - 1) == 0 ? std::string(host)
                                                                              : std::string("routefabricd");
    bmp_ = std::make_unique<bmp_export::Exporter>(
        io_, *server_, sys_name, std::string("routefabricd ") + RF_VERSION + " (route server)",
        [](bool warning, const std::string& line) {
            log_as(warning ? spdlog::level::warn : spdlog::level::info, "bmp", "{}", line);
        });
    bmp_->configure(bmp_collectors(startup_.config.bmp));
}

bool Daemon::start_management() {
    // The metrics live in the management service, which needs the server; the forwarding side records
    // into them through a pointer set once both exist (nothing is published before io.run()).
    management_ = std::make_unique<api::ManagementService>(io_, *server_, startup_.config, config_path_,
                                                           /*lab_model=*/startup_.fib);
    if (forwarding_) {
        forwarding_->set_metrics(&management_->metrics());
        Forwarding* fwd = forwarding_.get();
        management_->registry().add_collector([fwd](metrics::Registry&) { fwd->collect(); });
        management_->backend().set_fib_queue_depth([fwd]() { return fwd->fib_queue_depth(); });
        if (startup_.emulator) {
            management_->backend().set_emulator_stats([fwd]() { return fwd->emulator_stats(); });
            management_->backend().set_convergence_history([fwd]() { return fwd->convergence_history(); });
        }
    }
    if (update_log_ || rib_dumps_) {
        // The MRT writers' counters, read at each scrape (atomics / a mutex: safe from the API thread).
        management_->registry().add_collector([log = update_log_.get(),
                                               dumps = rib_dumps_.get()](metrics::Registry& r) {
            if (log != nullptr) {
                const auto st = log->stats();
                const char* help = "received BGP messages written to the MRT message log, or not logged";
                r.counter("routefabric_mrt_messages_total", help, {{"result", "logged"}}).set(st.records);
                r.counter("routefabric_mrt_messages_total", help, {{"result", "dropped"}}).set(st.dropped);
                r.counter("routefabric_mrt_log_bytes_total", "bytes written to the MRT message log")
                    .set(st.bytes);
                r.counter("routefabric_mrt_log_files_total", "MRT message log files opened").set(st.files);
            }
            if (dumps != nullptr) {
                const char* help = "periodic MRT RIB dumps written, or skipped (previous one still writing)";
                r.counter("routefabric_mrt_rib_dumps_total", help, {{"result", "written"}})
                    .set(dumps->written());
                r.counter("routefabric_mrt_rib_dumps_total", help, {{"result", "skipped"}})
                    .set(dumps->skipped());
            }
        });
    }
    management_->set_vnet_applier(make_vnet_applier(forwarding_.get(), startup_.emulator));
    management_->registry().add_collector(
        [bmp = bmp_.get()](metrics::Registry& r) { collect_bmp_metrics(*bmp, r); });
    management_->backend().changes().set_bmp_stage(
        [bmp = bmp_.get()](const config::BmpConfig& next) { bmp->configure(bmp_collectors(next)); });
    management_->backend().set_bmp_status([bmp = bmp_.get()]() { return bmp->status(); });
    management_->set_api_log_sink(
        [](const std::string& line) { log_as(spdlog::level::warn, "api", "REST API: {}", line); });
    if (auto err = management_->start()) {
        log_as(spdlog::level::err, "startup", "{}", *err);
        return false;
    }
    signals_ = std::make_unique<SignalHandling>(io_, *server_, *management_, config_path_);
    signals_->set_on_shutdown([bmp = bmp_.get()]() { bmp->shutdown("routefabricd shutting down"); });
    return true;
}

void Daemon::log_started() const {
    const config::Config& cfg = startup_.config;
    const server::ServerConfig& sc = server_->config();
    std::string where;
    for (const auto& l : server_->listening()) {
        where += (where.empty() ? "" : ", ") + l;
    }
    log_as(spdlog::level::info, "startup",
           "routefabricd AS {} router-id {} listening on {} with {} peers (mode {}, max {} peers)",
           sc.local_asn, sc.router_id.to_string(), where, cfg.peers.size(),
           sc.rib.as_path_mode == azure::AsPathMode::Prepend ? "azure" : "transparent", sc.max_peers);
    log_placement();
    if (forwarding_) {
        log_as(spdlog::level::info, "startup", "{}", forwarding_->describe());
    } else {
        log_as(spdlog::level::info, "startup",
               "route server only: no FIB, no emulator (no virtual_network and no emulator configured, "
               "or --no-fib)");
    }
    if (management_->api_port() != 0) {
        log_as(spdlog::level::info, "startup", "REST API on http://{}:{}/api/v1 (metrics on /metrics)",
               cfg.api.listen.to_string(), management_->api_port());
    }
}

// Said once, at start: a route server on lab addresses outside the VNet it models is accepted (the Azure
// rule cannot hold there), and the operator should know that is what the daemon assumed.
void Daemon::log_placement() const {
    const config::Config& cfg = startup_.config;
    const std::vector<net::Prefix> spaces =
        cfg.virtual_network ? config::modelled_address_spaces(cfg) : lab_prefixes_;
    if (spaces.empty()) {
        return;  // no VNet model advertised: nothing to sit inside or outside of
    }
    const std::vector<net::IpAddress> outside = config::listen_outside(cfg.route_server, spaces);
    if (outside.empty()) {
        return;
    }
    const auto join = [](const auto& items) {
        std::string out;
        for (const auto& i : items) {
            out += (out.empty() ? "" : ", ") + i.to_string();
        }
        return out;
    };
    const std::string vnet = cfg.virtual_network ? "VNet '" + cfg.virtual_network->route_server_vnet + "'"
                                                 : "VNet (the built-in lab)";
    const std::string placement =
        cfg.virtual_network
            ? "; route_server.placement " + std::string(config::to_string(cfg.route_server.placement))
            : "";
    log_as(spdlog::level::info, "startup",
           "the route server sits outside its {}: listen address(es) {} lie in no modelled address space (a "
           "lab{}); it advertises the VNet address spaces [{}] to the peers all the same",
           vnet, join(outside), placement, join(server_->config().rib.vnet_prefixes));
}

int Daemon::run() {
    signals_->start();
    io_.run();
    bmp_->terminate("routefabricd stopped");
    management_->stop();
    if (forwarding_) {
        forwarding_->stop();
    }
    const auto st = server_->rib().stats();
    log_as(spdlog::level::info, "stopped", "routefabricd stopped: {} Loc-RIB prefixes at exit{}",
           st.loc_rib_prefixes,
           forwarding_ ? "" : " (" + std::to_string(discard_.deltas()) + " Loc-RIB changes, no FIB)");
    return 0;
}

}  // namespace rf::daemon
