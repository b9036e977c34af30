#include "daemon/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace rf::daemon {

namespace {

spdlog::level::level_enum level_of(const std::string& s) {
    if (s == "trace") {
        return spdlog::level::trace;
    }
    if (s == "debug") {
        return spdlog::level::debug;
    }
    if (s == "warn") {
        return spdlog::level::warn;
    }
    if (s == "error") {
        return spdlog::level::err;
    }
    return spdlog::level::info;
}

}  // namespace

void set_up_logging(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("routefabricd");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_level(level_of(level));
}

void log_route_server_events(server::RouteServer& server) {
    server.set_log_sink([](const std::string& line) { spdlog::info("{}", line); });
    server.set_transition_observer([](const session::TransitionRecord& r) {
        const auto& t = r.transition;
        const auto lvl = !t.legal ? spdlog::level::warn : spdlog::level::info;
        spdlog::log(lvl, "peer {} via {}: {} -> {} on {} ({}){}{}", r.peer, r.local,
                    session::state_name(t.from), session::state_name(t.to), session::event_name(t.event),
                    session::reason_name(t.reason), r.detail.empty() ? "" : ": ", r.detail);
    });
}

}  // namespace rf::daemon
