#include "daemon/api/management_service.hpp"

#include <algorithm>
#include <iterator>
#include <set>

#include "daemon/api/process_metrics.hpp"
#include "daemon/config/vnet_convert.hpp"

namespace rf::api {

ManagementService::ManagementService(boost::asio::io_context& io, server::RouteServer& server,
                                     const config::Config& config, std::string config_path, bool lab_model)
    : store_(config, std::move(config_path)),
      metrics_(registry_),
      backend_(io, server, config),
      io_lag_(io, registry_),
      api_(server_options(config), backend_, store_, registry_),
      server_(server),
      lab_model_(lab_model),
      enabled_(config.api.enabled) {
    if (config.virtual_network || lab_model) {
        backend_.set_vnet_model(config::to_vnet_model(config));
    }
    metrics::add_process_collector(registry_);
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
    io_lag_.start();
    started_ = true;
    return std::nullopt;
}

void ManagementService::stop() {
    if (started_) {
        io_lag_.stop();
        api_.stop();
        started_ = false;
    }
}

void ManagementService::set_vnet_applier(VnetApplier applier) {
    vnet_applier_ = std::move(applier);
    backend_.changes().set_vnet_stage([this](const config::Config& next) { return apply_vnet(next); });
}

Result<ReloadReport, ReloadError> ManagementService::reload() {
    auto r = backend_.changes().apply(
        "reload",
        [&](config::Config& desired) -> std::optional<ChangeError> {
            // Read inside the change: the file then holds every change committed before this one.
            auto loaded = config::load_file(store_.path());
            if (!loaded) {
                return ChangeError{ApiError{ErrorCode::InvalidField, "the file is not valid", ""},
                                   std::move(loaded.error())};
            }
            desired = std::move(*loaded);
            return std::nullopt;
        },
        Persist::FromFile, &store_);
    if (!r) {
        if (!r.error().config.empty()) {
            return unexpected(ReloadError{std::move(r.error().config), ""});
        }
        return unexpected(ReloadError{{}, std::move(r.error().api.message)});
    }
    return std::move(*r);
}

Result<VnetReport, std::string> ManagementService::apply_vnet(const config::Config& next) {
    auto applied = vnet_applier_(next);
    if (!applied) {
        return unexpected(applied.error());
    }
    std::set<net::Prefix> before(server_.config().rib.vnet_prefixes.begin(),
                                 server_.config().rib.vnet_prefixes.end());
    const std::set<net::Prefix> after(applied->prefixes.begin(), applied->prefixes.end());
    VnetReport v;
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
    return v;
}

std::uint16_t ManagementService::api_port() const {
    return started_ ? api_.port() : 0;
}

}  // namespace rf::api
