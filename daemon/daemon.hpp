// routefabricd, built: the layers wired bottom-up in one process. The forwarding side first (the FIB,
// the FIB updater whose queue is the RIB's DeltaSink, and the host emulator: a module loaded only when a
// FIB runs, daemon/forwarding), then the route server with its peers (BGP sessions and the RIB on one
// io_context thread), then the management service (running configuration, REST API, /metrics), then the
// signals. Route-server-only mode has no forwarding side: the RIB's deltas are counted and dropped.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <vector>

#include "control/server/route_server.hpp"
#include "daemon/api/management_service.hpp"
#include "daemon/bmp/exporter.hpp"
#include "daemon/forwarding/forwarding.hpp"
#include "daemon/mrt/periodic_dump.hpp"
#include "daemon/mrt/update_log.hpp"
#include "daemon/mrt/update_log_observer.hpp"
#include "daemon/options.hpp"
#include "daemon/signals.hpp"
#include "daemon/startup.hpp"
#include "fib/delta/delta.hpp"

namespace rf::daemon {

// The RIB's DeltaSink in route-server-only mode: nothing consumes Loc-RIB changes, so every batch is
// accepted (never back-pressure) and only counted. Called on the io thread only.
class DiscardSink final : public fib::DeltaSink {
public:
    bool publish(std::span<const fib::RouteDelta> batch) override {
        deltas_ += batch.size();
        return true;
    }
    [[nodiscard]] std::uint64_t deltas() const { return deltas_; }

private:
    std::uint64_t deltas_ = 0;
};

class Daemon {
public:
    // Builds every layer; logs why and returns nullptr when one cannot start (exit status 1).
    [[nodiscard]] static std::unique_ptr<Daemon> build(Startup startup, const Options& options);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Serves until SIGINT/SIGTERM (SIGHUP reloads), then stops the forwarding side; the exit status.
    int run();

private:
    Daemon(Startup startup, const Options& options);
    bool start_forwarding(const Options& options);
    bool start_route_server();
    bool start_mrt();  // the MRT message log and periodic RIB dumps (mrt section), when configured
    bool start_management();
    void start_bmp();  // the BMP exporter (bmp section); built always, so that a reload can add collectors
    void log_started() const;
    void log_placement() const;

    Startup startup_;
    std::string config_path_;
    bool graceful_restart_ = false;          // --graceful-restart
    std::vector<net::Prefix> lab_prefixes_;  // originated without virtual_network when the emulator runs
    boost::asio::io_context io_{1};
    std::unique_ptr<Forwarding> forwarding_;            // null in route-server-only mode
    DiscardSink discard_;                               // the RIB's sink without a forwarding side
    std::unique_ptr<mrt_files::UpdateLog> update_log_;  // outlives the server, whose sessions feed it
    std::unique_ptr<mrt_files::UpdateLogObserver> update_log_observer_;  // also outlives the server
    std::unique_ptr<server::RouteServer> server_;
    std::unique_ptr<mrt_files::PeriodicDump> rib_dumps_;
    std::unique_ptr<bmp_export::Exporter> bmp_;  // after the server: stops observing it before it goes
    std::unique_ptr<api::ManagementService> management_;
    std::unique_ptr<SignalHandling> signals_;
};

}  // namespace rf::daemon
