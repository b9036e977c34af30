#include "control/api/operator_surface.hpp"

#include "control/config/vnet_convert.hpp"

namespace rf::api {

OperatorSurface::OperatorSurface(boost::asio::io_context& io, session::RouteServer& server,
                                 const config::Config& config, std::string config_path)
    : store_(config, std::move(config_path)),
      metrics_(registry_),
      control_plane_(io, server, config),
      api_(server_options(config), control_plane_, store_, registry_),
      enabled_(config.api.enabled) {
    control_plane_.set_vnet_model(config::to_vnet_model(config));
}

OperatorSurface::~OperatorSurface() { stop(); }

std::optional<std::string> OperatorSurface::start() {
    if (!enabled_ || started_) {
        return std::nullopt;
    }
    if (auto err = api_.start()) {
        return "REST API: " + *err;
    }
    started_ = true;
    return std::nullopt;
}

void OperatorSurface::stop() {
    if (started_) {
        api_.stop();
        started_ = false;
    }
}

std::uint16_t OperatorSurface::api_port() const { return started_ ? api_.port() : 0; }

}  // namespace rf::api
