// routefabricd's signals, handled on the io thread: SIGHUP reloads the configuration file (reload.hpp);
// SIGINT/SIGTERM shut down: the REST API stops, every peer gets Cease / Administrative Shutdown, and the
// io_context stops once the NOTIFICATIONs are written (RouteServer::shutdown). A second SIGINT/SIGTERM
// during that is ignored.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>
#include <string>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "control/server/route_server.hpp"
#include "daemon/api/management_service.hpp"

namespace rf::daemon {

class SignalHandling {
public:
    SignalHandling(boost::asio::io_context& io, server::RouteServer& server,
                   api::ManagementService& management, std::string config_path);
    SignalHandling(const SignalHandling&) = delete;
    SignalHandling& operator=(const SignalHandling&) = delete;

    void start();  // waits for the signals (before io.run())
    // Runs on SIGINT/SIGTERM right after the peers were sent their Cease (the BMP exporter's Termination,
    // which then flushes while the route server waits for its connections).
    void set_on_shutdown(std::function<void()> hook) { on_shutdown_ = std::move(hook); }

private:
    void wait_for_hangup();
    void shut_down(int signo);

    boost::asio::io_context& io_;
    server::RouteServer& server_;
    api::ManagementService& management_;
    std::string config_path_;
    boost::asio::signal_set hangup_;
    boost::asio::signal_set termination_;
    bool stopping_ = false;
    std::function<void()> on_shutdown_;
};

}  // namespace rf::daemon
