#include "daemon/api/config_changes.hpp"

#include <atomic>
#include <boost/asio/post.hpp>
#include <future>
#include <memory>

#include "daemon/api/daemon_backend.hpp"
#include "daemon/api/reconcile.hpp"

namespace rf::api {

namespace {

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const std::string& p : parts) {
        out += (out.empty() ? "" : "; ") + p;
    }
    return out;
}

// The API's code for a configuration the validator refused.
ErrorCode code_of(const config::ConfigError& e) {
    switch (e.kind) {
        case config::ErrorKind::Duplicate:
            return ErrorCode::DuplicatePeering;
        case config::ErrorKind::LimitExceeded:
            return ErrorCode::PeerLimitReached;
        default:
            return ErrorCode::InvalidField;
    }
}

// A change waiting for the io thread: the caller may give up on it only before it starts.
struct Pending {
    enum : int { Queued, Started, Abandoned };
    std::atomic<int> state{Queued};
    std::promise<Result<ChangeReport, ChangeError>> done;
};

}  // namespace

ConfigChanges::ConfigChanges(boost::asio::io_context& io, server::RouteServer& server,
                             const config::Config& initial, std::chrono::milliseconds timeout)
    : io_(io), server_(server), started_(initial), committed_(initial), timeout_(timeout) {}

Result<ChangeReport, ChangeError> ConfigChanges::apply(const std::string& what, Desire desire,
                                                       Persist persist, config::ConfigStore* store,
                                                       std::function<void()> after_commit) {
    if (io_.get_executor().running_in_this_thread()) {
        return run(what, desire, persist, store, after_commit);
    }
    auto pending = std::make_shared<Pending>();
    auto future = pending->done.get_future();
    boost::asio::post(io_, [this, pending, what, desire = std::move(desire), persist, store,
                            after_commit = std::move(after_commit)] {
        int queued = Pending::Queued;
        if (!pending->state.compare_exchange_strong(queued, Pending::Started)) {
            return;  // the caller has already been told it did not happen
        }
        try {
            pending->done.set_value(run(what, desire, persist, store, after_commit));
        } catch (const std::exception& e) {
            pending->done.set_value(
                unexpected(ChangeError{ApiError{ErrorCode::Internal, what + ": " + e.what(), ""}, {}}));
        }
    });
    if (future.wait_for(timeout_) == std::future_status::ready) {
        return future.get();
    }
    int queued = Pending::Queued;
    if (pending->state.compare_exchange_strong(queued, Pending::Abandoned)) {
        return unexpected(ChangeError{
            ApiError{ErrorCode::NotAvailable,
                     what + ": not applied: the route server did not take the change within " +
                         std::to_string(timeout_.count()) + " ms (shutting down or overloaded); retry",
                     ""},
            {}});
    }
    return future.get();  // it has started: answer only once it is applied and persisted, or undone
}

Result<ChangeReport, ChangeError> ConfigChanges::run(const std::string& what, const Desire& desire,
                                                     Persist persist, config::ConfigStore* store,
                                                     const std::function<void()>& then) {
    config::Config desired = committed_;
    if (auto refused = desire(desired)) {
        return unexpected(std::move(*refused));
    }
    if (config::Errors errors = config::validate(desired); !errors.empty()) {
        const ErrorCode code = code_of(errors.front());
        return unexpected(
            ChangeError{ApiError{code, what + ": " + config::format_errors(errors), ""}, std::move(errors)});
    }
    ChangeReport report;
    // ebgp_requires_policy applies at once (below); the rest of route_server at the next start.
    config::RouteServerConfig rs = desired.route_server;
    rs.ebgp_requires_policy = started_.route_server.ebgp_requires_policy;
    if (!(rs == started_.route_server)) {
        report.restart_needed.emplace_back("route_server");
    }
    const bool vnet_changed = !(desired.virtual_network == committed_.virtual_network);
    if (!vnet_stage_ && !(desired.virtual_network == started_.virtual_network)) {
        report.restart_needed.emplace_back("virtual_network");
    }
    if (!(desired.mrt == started_.mrt)) {
        report.restart_needed.emplace_back("mrt");
    }
    const bool bmp_changed = !(desired.bmp == committed_.bmp);
    if (!bmp_stage_ && !(desired.bmp == started_.bmp)) {
        report.restart_needed.emplace_back("bmp");
    }
    if (!(desired.emulator == started_.emulator)) {
        report.restart_needed.emplace_back("emulator");
    }
    if (!(desired.api == started_.api)) {
        report.restart_needed.emplace_back("api");
    }
    if (auto failed = reconcile_peers(desired, &report); !failed.empty()) {
        return unexpected(undo(what + ": " + joined(failed), ErrorCode::PeeringRejected, false));
    }
    {
        std::vector<std::string> created = report.added;
        created.insert(created.end(), report.replaced.begin(), report.replaced.end());
        report.policy = apply_peer_policies(server_, desired, &committed_, created);
    }
    bool vnet_applied = false;
    if (vnet_changed && vnet_stage_) {
        auto applied = vnet_stage_(desired);
        if (!applied) {
            return unexpected(
                undo(what + ": virtual_network not applied: " + applied.error(), ErrorCode::Internal, false));
        }
        report.vnet = std::move(*applied);
        vnet_applied = true;
    }
    if (!(desired.rpki == committed_.rpki)) {
        // The RTR client is replaced (or stopped); held routes are Unknown until the new table arrives.
        if (auto err = server_.set_rpki(desired.rpki)) {
            return unexpected(undo(what + ": rpki not applied: " + *err, ErrorCode::Internal, vnet_applied));
        }
        report.rpki = true;
    }
    if (store != nullptr) {
        auto saved = persist == Persist::Write ? store->replace(desired) : store->adopt(desired);
        if (!saved) {
            return unexpected(undo(what + ": " + config::format_errors(saved.error()) +
                                       "check that the configuration file's directory is writable",
                                   ErrorCode::Internal, vnet_applied));
        }
    }
    if (bmp_changed && bmp_stage_) {
        bmp_stage_(desired.bmp);
        report.bmp = true;
    }
    committed_ = std::move(desired);
    if (then) {
        then();
    }
    return report;
}

std::vector<std::string> ConfigChanges::reconcile_peers(const config::Config& target, ChangeReport* report) {
    std::vector<session::PeerSettings> desired;
    desired.reserve(target.peers.size());
    for (const config::PeerConfig& p : target.peers) {
        // Mapped with the running route_server section: its route limit and counting apply until a
        // restart, so a file that changes only them does not reset every session.
        desired.push_back(peer_settings(started_, p));
    }
    PeerPlan plan = plan_peers(server_.peers(), desired);
    if (!plan.remove.empty() && before_remove_) {
        before_remove_();
    }
    for (const session::PeerSettings& r : plan.remove) {
        server_.remove_peer(r.address);
    }
    for (session::PeerSettings& u : plan.update) {
        server_.update_route_limits(std::move(u));
    }
    std::vector<std::string> failed;
    for (session::PeerSettings& a : plan.add) {
        const std::string name = a.name;
        if (auto err = server_.add_peer(std::move(a))) {
            failed.push_back(name + ": " + *err);
        }
    }
    if (report != nullptr) {
        report->added = std::move(plan.added);
        report->removed = std::move(plan.removed);
        report->replaced = std::move(plan.replaced);
        report->updated = std::move(plan.updated);
    }
    return failed;
}

ChangeError ConfigChanges::undo(std::string why, ErrorCode code, bool vnet_applied) {
    if (auto err = server_.set_rpki(committed_.rpki)) {  // a no-op unless this change replaced it
        why += "; restoring the previous rpki section failed: " + *err;
    }
    if (auto failed = reconcile_peers(committed_, nullptr); !failed.empty()) {
        why += "; restoring the running peers failed: " + joined(failed);
    }
    (void)apply_peer_policies(server_, committed_, nullptr, {});
    if (vnet_applied && vnet_stage_) {
        if (auto restored = vnet_stage_(committed_); !restored) {
            why += "; restoring the previous virtual_network failed: " + restored.error();
        }
    }
    return ChangeError{ApiError{code, std::move(why), ""}, {}};
}

}  // namespace rf::api
