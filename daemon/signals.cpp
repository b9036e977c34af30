#include "daemon/signals.hpp"

#include <csignal>

#include "daemon/logging.hpp"
#include "daemon/reload.hpp"

namespace rf::daemon {

SignalHandling::SignalHandling(boost::asio::io_context& io, server::RouteServer& server,
                               api::ManagementService& management, std::string config_path)
    : io_(io),
      server_(server),
      management_(management),
      config_path_(std::move(config_path)),
      hangup_(io, SIGHUP),
      termination_(io, SIGINT, SIGTERM) {}

void SignalHandling::start() {
    wait_for_hangup();
    termination_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (!ec) {
            shut_down(signo);
        }
    });
}

void SignalHandling::wait_for_hangup() {
    hangup_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) {
            return;
        }
        reload_and_log(management_, config_path_);
        wait_for_hangup();
    });
}

void SignalHandling::shut_down(int signo) {
    if (stopping_) {
        return;
    }
    stopping_ = true;
    log_as(spdlog::level::info, "signal", "signal {}: sending Cease / Administrative Shutdown to every peer",
           signo);
    management_.stop();
    hangup_.cancel();
    server_.shutdown("routefabricd shutting down", [this]() { io_.stop(); });
    if (on_shutdown_) {
        on_shutdown_();
    }
}

}  // namespace rf::daemon
