// routefabricd: the route server daemon, one process. Reads the YAML configuration
// (docs/configuration.md), runs the BGP sessions and the RIB on one io_context thread, feeds the RIB's
// deltas into the FIB (effective route tables for the configured VNet model) through the FIB updater's
// bounded queue, serves the REST API and /metrics (docs/api.md), and optionally runs the DPDK host
// emulator forwarding synthetic traffic from every VM through the FIB, measuring convergence for each
// route change. On SIGINT/SIGTERM it sends Cease / Administrative Shutdown to every peer and exits 0. On
// SIGHUP it re-reads the file and applies its peers as the REST API would (deleted, created, or deleted
// and created again when changed) and a changed virtual_network section (new FIB model, new advertised
// address spaces, every NVA asked for its routes again); other changes are logged as needing a restart;
// an invalid file is logged and changes nothing.
//
// Route-server-only mode: without a virtual_network section and without the emulator (or with --no-fib)
// there is nothing to forward for, so neither the DPDK EAL nor the FIB tables (~600 MB of DIR-24-8) nor the
// emulator are created; the RIB's deltas are counted and dropped. The REST API, metrics and every BGP
// function work the same.
//
//   routefabricd [options] CONFIG [-- EAL ARGS...]
//   routefabricd --check-config CONFIG      validate and exit (0 = valid, 1 = invalid); --check is an alias
//
// Options: --emulator / --no-emulator (default: emulator.enabled, true when the emulator section exists),
// --fib / --no-fib (default: a FIB when virtual_network is configured or the emulator runs; --no-fib also
// turns the emulator off), --workers N (emulator worker lcores), --log-level trace|debug|info|warn|error,
// --eal "ARGS" (same as ARGS after "--").
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "control/server/route_server.hpp"
#include "daemon/api/daemon_control_plane.hpp"
#include "daemon/api/operator_surface.hpp"
#include "daemon/config/vnet_convert.hpp"
#include "daemon/forwarding/forwarding.hpp"
#include "dataplane/command_line.hpp"

namespace {

void usage() {
    std::fprintf(stderr,
                 "usage: routefabricd [--emulator|--no-emulator] [--fib|--no-fib] [--workers N] "
                 "[--log-level LEVEL] CONFIG [-- EAL ARGS...]\n"
                 "       routefabricd --check-config CONFIG   (alias: --check)\n"
                 "       routefabricd --version               (and the forwarding module it would load)\n");
}

spdlog::level::level_enum level_of(const std::string& s) {
    if (s == "trace")
        return spdlog::level::trace;
    if (s == "debug")
        return spdlog::level::debug;
    if (s == "warn")
        return spdlog::level::warn;
    if (s == "error")
        return spdlog::level::err;
    return spdlog::level::info;
}

bool emulator_section_without_enabled(const std::string& path) {
    try {
        const YAML::Node doc = YAML::LoadFile(path);
        const YAML::Node emu = doc["emulator"];
        return emu && emu.IsMap() && !emu["enabled"];
    } catch (const YAML::Exception&) {
        return false;  // load_file_checked() already accepted the file; nothing to add
    }
}

// The RIB's DeltaSink in route-server-only mode: nothing consumes Loc-RIB changes, so every batch is
// accepted (never back-pressure) and only counted. Called on the io thread only.
class DiscardSink final : public rf::fib::DeltaSink {
public:
    bool publish(std::span<const rf::fib::RouteDelta> batch) override {
        deltas_ += batch.size();
        return true;
    }
    [[nodiscard]] std::uint64_t deltas() const { return deltas_; }

private:
    std::uint64_t deltas_ = 0;
};

std::string names(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& n : v) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out;
}

// SIGHUP: the file's peers become the running ones (see OperatorSurface::reload).
void reload(rf::api::OperatorSurface& surface, const std::string& path) {
    spdlog::info("SIGHUP: reloading {}", path);
    auto r = surface.reload();
    if (!r) {
        for (const auto& e : r.error()) {
            spdlog::error("reload: {}: {}", path, e.to_string());
        }
        spdlog::error("reload: {} has {} error(s); nothing changed", path, r.error().size());
        return;
    }
    if (r->added.empty() && r->removed.empty() && r->replaced.empty()) {
        spdlog::info("reload: peerings unchanged");
    } else {
        spdlog::info("reload: peerings added [{}], deleted [{}], re-created with new settings [{}]",
                     names(r->added), names(r->removed), names(r->replaced));
    }
    for (const auto& f : r->failed) {
        spdlog::error("reload: {}", f);
    }
    if (r->vnet) {
        const auto list = [](const std::vector<rf::net::Prefix>& v) {
            std::string out;
            for (const auto& p : v) {
                out += (out.empty() ? "" : ", ") + p.to_string();
            }
            return out;
        };
        spdlog::info(
            "reload: virtual_network applied: address spaces announced [{}], withdrawn [{}]; ROUTE-REFRESH "
            "sent "
            "to {} peer(s), {} reset (no route refresh){}{}",
            list(r->vnet->added), list(r->vnet->removed), r->vnet->refreshed, r->vnet->reset,
            r->vnet->detail.empty() ? "" : "; ", r->vnet->detail);
    }
    if (!r->restart_needed.empty()) {
        spdlog::warn("reload: {} changed; these take effect at the next restart", names(r->restart_needed));
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string error;
    auto cl = rf::dataplane::split_command_line(argc, argv, &error);
    if (!cl) {
        std::fprintf(stderr, "routefabricd: %s\n", error.c_str());
        return 2;
    }
    bool check_only = false;
    std::optional<bool> emulator_flag;
    std::optional<bool> fib_flag;
    std::optional<std::uint32_t> workers;
    std::string log_level = "info";
    std::string path;
    const auto& args = cl->app;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool has_value = i + 1 < args.size();
        if (a == "--check" || a == "--check-config") {
            check_only = true;
        } else if (a == "-h" || a == "--help") {
            usage();
            return 0;
        } else if (a == "--version") {
            std::printf("routefabricd %s\nforwarding module: %s\n", RF_VERSION,
                        rf::daemon::describe_forwarding_module().c_str());
            return 0;
        } else if (a == "--emulator") {
            emulator_flag = true;
        } else if (a == "--no-emulator") {
            emulator_flag = false;
        } else if (a == "--fib") {
            fib_flag = true;
        } else if (a == "--no-fib") {
            fib_flag = false;
        } else if (a == "--workers" && has_value) {
            const std::string& v = args[++i];
            if (v.empty() || v.size() > 3 || v.find_first_not_of("0123456789") != std::string::npos) {
                std::fprintf(stderr, "routefabricd: --workers needs a number 1-999, got '%s'\n", v.c_str());
                return 2;
            }
            workers = static_cast<std::uint32_t>(std::stoul(v));
        } else if (a == "--log-level" && has_value) {
            log_level = args[++i];
        } else if ((a == "-c" || a == "--config") && has_value) {
            path = args[++i];
        } else if (path.empty() && !a.starts_with("-")) {
            path = a;
        } else {
            usage();
            return 2;
        }
    }
    if (path.empty()) {
        usage();
        return 2;
    }

    auto cfg = rf::config::load_file_checked(path);
    if (!cfg) {
        for (const auto& e : cfg.error()) {
            std::fprintf(stderr, "%s: %s\n", path.c_str(), e.to_string().c_str());
        }
        std::fprintf(stderr, "%s: %zu error(s)\n", path.c_str(), cfg.error().size());
        return 1;
    }
    // An emulator section without `enabled` turns the emulator on (the default deployment is routefabricd
    // and the emulator in one process); the flag overrides both. The decision is written back into the
    // configuration, so the file routefabricd persists on runtime changes keeps it.
    if (!cfg->emulator.enabled && emulator_section_without_enabled(path)) {
        cfg->emulator.enabled = true;
    }
    if (emulator_flag) {
        cfg->emulator.enabled = *emulator_flag;
    }
    // The FIB exists for the VNet model's effective route tables and for the emulator that forwards
    // through them; a plain route server (no virtual_network, no emulator) gets none.
    const bool fib = fib_flag.value_or(cfg->virtual_network.has_value() || cfg->emulator.enabled);
    if (!fib && emulator_flag.value_or(false)) {
        std::fprintf(stderr,
                     "routefabricd: --emulator forwards through the FIB; it cannot run with --no-fib\n");
        return 2;
    }
    // --no-fib wins over emulator.enabled from the file (the file itself is left as it is).
    const bool emulator = fib && cfg->emulator.enabled;
    const bool emulator_dropped = !fib && cfg->emulator.enabled;
    if (check_only) {
        std::string listen;
        for (const auto& l : cfg->route_server.listen) {
            listen += (listen.empty() ? "" : ", ") + l.to_string();
        }
        std::printf(
            "%s: OK — AS %u, listen %s port %u, %zu peer(s), %s, API %s, FIB %s, emulator %s\n", path.c_str(),
            cfg->route_server.asn, listen.c_str(), cfg->route_server.port, cfg->peers.size(),
            cfg->virtual_network ? "VNet model from virtual_network"
                                 : (fib ? "default lab VNet model" : "no VNet model"),
            cfg->api.enabled ? (cfg->api.listen.to_string() + ":" + std::to_string(cfg->api.port)).c_str()
                             : "off",
            fib ? "on" : "off (route server only)", emulator ? "on" : "off");
        return 0;
    }

    auto logger = spdlog::stderr_color_mt("routefabricd");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_level(level_of(log_level));
    // A peer closing its socket must not kill us with SIGPIPE (Asio uses MSG_NOSIGNAL, belt and braces).
    std::signal(SIGPIPE, SIG_IGN);

    if (emulator_dropped) {
        spdlog::warn("--no-fib: the emulator (emulator.enabled in {}) is not started", path);
    }
    // The forwarding side first: the RIB publishes into the FIB updater's queue from its first delta.
    // (Route server only: no model either, unless virtual_network is configured — the API uses it then.)
    std::optional<rf::fib::VnetModel> model;
    if (fib) {
        model = rf::config::to_vnet_model(*cfg);
    }
    rf::daemon::ForwardingOptions fo;
    fo.emulator = emulator;
    fo.workers = workers.value_or(cfg->emulator.workers);
    if (fo.workers == 0) {
        fo.workers = 1;
    }
    fo.eal_args = !cl->eal.empty() ? cl->eal : cfg->emulator.eal_args;
    fo.flows_per_vm = cfg->emulator.flows_per_vm;
    fo.flows6_per_vm = cfg->emulator.flows6_per_vm;
    fo.burst = cfg->emulator.burst;
    fo.pass_target_us = cfg->emulator.pass_target_us;
    fo.lab_address = cfg->emulator.lab_address;
    fo.lab_address6 = cfg->emulator.lab_address6;
    fo.neighbor_retry_ms = cfg->emulator.neighbor_retry_ms;
    fo.neighbor_reachable_ms = cfg->emulator.neighbor_reachable_ms;

    boost::asio::io_context io(1);
    rf::session::ServerConfig server_cfg = rf::api::server_config(*cfg);
    if (!cfg->virtual_network && emulator) {
        // The default lab VNet is originated to the NVAs like a configured one.
        for (const auto& v : model->vnets) {
            if (v.name == model->route_server.vnet) {
                server_cfg.rib.vnet_prefixes.assign(v.address_spaces.begin(), v.address_spaces.end());
            }
        }
    }
    // The metrics live in the operator surface, which needs the server; the forwarding side records into
    // them through a pointer set once both exist (nothing is published before io.run()).
    // Route-server-only mode creates none of it (no EAL, no FIB tables, no emulator threads).
    std::unique_ptr<rf::daemon::Forwarding> forwarding;
    DiscardSink discard;
    if (fib) {
        forwarding = rf::daemon::load_forwarding(*model, fo, &error);
        if (!forwarding) {
            spdlog::error("forwarding plane: {}", error);
            return 1;
        }
    }
    rf::session::RouteServer server(io, server_cfg, forwarding ? forwarding->sink() : discard);
    if (forwarding) {
        server.set_input_observer([fwd = forwarding.get()](auto at) { fwd->input_received(at); });
    }
    server.set_log_sink([](const std::string& line) { spdlog::info("{}", line); });
    server.set_transition_observer([](const rf::session::TransitionRecord& r) {
        const auto& t = r.transition;
        const auto lvl = !t.legal ? spdlog::level::warn : spdlog::level::info;
        spdlog::log(lvl, "peer {} via {}: {} -> {} on {} ({}){}{}", r.peer, r.local,
                    rf::session::state_name(t.from), rf::session::state_name(t.to),
                    rf::session::event_name(t.event), rf::session::reason_name(t.reason),
                    r.detail.empty() ? "" : ": ", r.detail);
    });
    for (const auto& p : cfg->peers) {
        if (auto err = server.add_peer(rf::api::peer_settings(*cfg, p))) {
            spdlog::error("configuration: peer {}: {}", p.name, *err);
            return 1;
        }
    }
    if (auto err = server.start()) {
        spdlog::error("{}", *err);
        return 1;
    }
    rf::api::OperatorSurface surface(io, server, *cfg, path, /*lab_model=*/fib);
    if (forwarding) {
        forwarding->set_metrics(&surface.metrics());
        rf::daemon::Forwarding* fwd = forwarding.get();
        surface.registry().add_collector([fwd](rf::metrics::Registry&) { fwd->collect(); });
        surface.control_plane().set_fib_queue_depth([fwd]() { return fwd->fib_queue_depth(); });
        if (emulator) {
            surface.control_plane().set_emulator_stats([fwd]() { return fwd->emulator_stats(); });
        }
    }
    // SIGHUP with a changed virtual_network section: the FIB takes the new model (when there is one) and
    // the advertised address spaces follow it (the surface then asks every NVA for its routes again).
    surface.set_vnet_applier(
        [&](const rf::config::Config& next) -> rf::Result<rf::api::VnetApply, std::string> {
            rf::api::VnetApply a;
            a.prefixes = rf::api::server_config(next).rib.vnet_prefixes;
            if (!forwarding) {
                return a;
            }
            const rf::fib::VnetModel m = rf::config::to_vnet_model(next);
            if (!next.virtual_network && emulator) {
                for (const auto& v : m.vnets) {
                    if (v.name == m.route_server.vnet) {
                        a.prefixes.assign(v.address_spaces.begin(), v.address_spaces.end());
                    }
                }
            }
            if (!forwarding->update_model(m, &a.detail)) {
                return rf::unexpected(a.detail);
            }
            return a;
        });
    if (auto err = surface.start()) {
        spdlog::error("{}", *err);
        return 1;
    }
    std::string where;
    for (const auto& l : server.listening()) {
        where += (where.empty() ? "" : ", ") + l;
    }
    spdlog::info("routefabricd AS {} router-id {} listening on {} with {} peers (mode {}, max {} peers)",
                 server_cfg.local_asn, server_cfg.router_id.to_string(), where, cfg->peers.size(),
                 server_cfg.rib.as_path_mode == rf::azure::AsPathMode::Prepend ? "azure" : "transparent",
                 server_cfg.max_peers);
    if (forwarding) {
        spdlog::info("{}", forwarding->describe());
    } else {
        spdlog::info(
            "route server only: no FIB, no emulator (no virtual_network and no emulator configured, "
            "or --no-fib)");
    }
    if (surface.api_port() != 0) {
        spdlog::info("REST API on http://{}:{}/api/v1 (metrics on /metrics)", cfg->api.listen.to_string(),
                     surface.api_port());
    }

    boost::asio::signal_set hangup(io, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_hangup;
    on_hangup = [&](const boost::system::error_code& ec, int) {
        if (ec) {
            return;
        }
        reload(surface, path);
        hangup.async_wait(on_hangup);
    };
    hangup.async_wait(on_hangup);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    bool stopping = false;
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
        if (ec || stopping) {
            return;
        }
        stopping = true;
        spdlog::info("signal {}: sending Cease / Administrative Shutdown to every peer", signo);
        surface.stop();
        hangup.cancel();
        server.shutdown("routefabricd shutting down", [&io]() { io.stop(); });
    });
    io.run();
    surface.stop();
    if (forwarding) {
        forwarding->stop();
    }
    const auto st = server.rib().stats();
    spdlog::info("routefabricd stopped: {} Loc-RIB prefixes at exit{}", st.loc_rib_prefixes,
                 forwarding ? "" : " (" + std::to_string(discard.deltas()) + " Loc-RIB changes, no FIB)");
    return 0;
}
