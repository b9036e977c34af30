// api::ConfigChanges: the one path every runtime configuration change takes (REST API peering create and
// delete, SIGHUP reloads, a changed virtual_network section, and whatever is added later). A change runs
// whole on the io thread, after every change submitted before it and before any after it:
//
//   1. the change computes the desired configuration from the committed one;
//   2. the desired configuration is validated as a whole;
//   3. the route server's RUNNING peers (RouteServer::peers(), not a stored copy) are reconciled with it:
//      peers deleted, created, or deleted and created again (reconcile.hpp), then the virtual_network
//      stage when that section changed;
//   4. it is persisted: written atomically to the file (API changes), or, for a configuration just read
//      from that file (SIGHUP), adopted without rewriting it;
//   5. only then is the caller answered.
//
// A change that fails in 2-4 is undone: the running peers are reconciled back to the committed
// configuration (and the previous VNet model re-applied), the file is untouched, and the error is
// returned. So running = committed = file between changes, and a reload mends any drift between the
// running peers and the file.
//
// Threading: apply() may be called on the io thread (it runs inline) or on any other thread (it is posted
// and waited for). A caller that stops waiting (timeout, the io_context stopped) gets NotAvailable only if
// the change has not started; a change that started is always waited for, so an answer is never given for
// a change that is still to happen.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <vector>

#include "control/server/route_server.hpp"
#include "daemon/api/backend.hpp"
#include "daemon/api/peer_policies.hpp"
#include "daemon/config/config.hpp"
#include "daemon/config/config_store.hpp"

namespace rf::api {

// What the virtual_network stage did (a changed section applied at runtime).
struct VnetReport {
    std::vector<net::Prefix> added;    // advertised VNet address spaces announced
    std::vector<net::Prefix> removed;  // ... and withdrawn
    std::size_t refreshed = 0;         // sessions sent ROUTE-REFRESH
    std::size_t reset = 0;             // sessions reset (no route refresh)
    std::string detail;                // what the FIB reported about its model change
};

// What one change did.
struct ChangeReport {
    std::vector<std::string> added;  // peerings by name
    std::vector<std::string> removed;
    std::vector<std::string> replaced;        // settings changed: deleted and created again (session reset)
    std::vector<std::string> updated;         // route-limit settings changed in place (no reset)
    std::vector<std::string> restart_needed;  // sections that differ from the running ones but apply only
                                              // at start-up (route_server, emulator, api; virtual_network
                                              // without a VNet stage)
    std::optional<VnetReport> vnet;           // set when a changed virtual_network section was applied
    PolicyReport policy;                      // peers given a new import policy (soft reconfiguration)
    bool bmp = false;                         // a changed bmp section was applied (collectors reconnected)
    bool rpki = false;                        // a changed rpki section was applied (new RTR client)
};

// Why a change was refused or undone; nothing of it is running and the file is as before.
struct ChangeError {
    ApiError api;           // for the REST API
    config::Errors config;  // the desired configuration's errors, when that was the cause
};

// Edits `desired` (a copy of the committed configuration) into what the change wants, or refuses.
using Desire = std::function<std::optional<ChangeError>(config::Config& desired)>;

// Applies a changed virtual_network section (FIB model, advertised address spaces, ROUTE-REFRESH); on
// error nothing of it changed. Runs on the io thread.
using VnetStage = std::function<Result<VnetReport, std::string>(const config::Config& next)>;

// Applies a changed bmp section (BMP collectors: daemon/bmp). It cannot fail once validated: connections
// are made in the background. Runs on the io thread, after the change is persisted.
using BmpStage = std::function<void(const config::BmpConfig& next)>;

enum class Persist : std::uint8_t {
    Write,     // save the desired configuration to the store's file (atomic), then make it current
    FromFile,  // the desired configuration was read from the store's file: make it current, no write
};

class ConfigChanges {
public:
    // `initial`: what the route server was started with; its route_server section maps peers to session
    // settings for as long as the process runs (that section applies only at start-up).
    ConfigChanges(boost::asio::io_context& io, server::RouteServer& server, const config::Config& initial,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Before serving.
    void set_vnet_stage(VnetStage stage) { vnet_stage_ = std::move(stage); }
    void set_bmp_stage(BmpStage stage) { bmp_stage_ = std::move(stage); }
    // Called on the io thread right before peers are deleted (the backend folds their counters).
    void set_before_remove(std::function<void()> hook) { before_remove_ = std::move(hook); }

    // The one entry point. `store`: where the change is persisted (null: memory only). `what` names the
    // change in errors ("peering not created"). `after_commit`, when set, runs on the io thread right after
    // the change is committed, before any other change (to read the answer in the state it made).
    Result<ChangeReport, ChangeError> apply(const std::string& what, Desire desire, Persist persist,
                                            config::ConfigStore* store,
                                            std::function<void()> after_commit = {});

    // The committed configuration (= running = persisted). io thread only.
    [[nodiscard]] const config::Config& committed() const { return committed_; }
    // The configuration the process started with (its route_server section is the running one).
    [[nodiscard]] const config::Config& started() const { return started_; }

private:
    Result<ChangeReport, ChangeError> run(const std::string& what, const Desire& desire, Persist persist,
                                          config::ConfigStore* store, const std::function<void()>& then);
    // Makes the running peers those of `target`; "name: reason" for each one that could not be created.
    std::vector<std::string> reconcile_peers(const config::Config& target, ChangeReport* report);
    // Undoes a change after `why`: peers back to the committed configuration, and its VNet model when
    // `vnet_applied`.
    ChangeError undo(std::string why, ErrorCode code, bool vnet_applied);

    boost::asio::io_context& io_;
    server::RouteServer& server_;
    config::Config started_;
    config::Config committed_;  // io thread
    std::chrono::milliseconds timeout_;
    VnetStage vnet_stage_;
    BmpStage bmp_stage_;
    std::function<void()> before_remove_;
};

}  // namespace rf::api
