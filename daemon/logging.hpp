// routefabricd's log: spdlog on stderr ("2026-01-31T12:00:00.000 info ..."), and how the route server's
// events are written to it.
#pragma once

#include <string>

#include "control/server/route_server.hpp"

namespace rf::daemon {

// The default logger: stderr, timestamped, at `level` (trace|debug|info|warn|error; anything else: info).
void set_up_logging(const std::string& level);

// Sends the route server's log lines and FSM transitions to the log (an illegal transition as a warning).
void log_route_server_events(server::RouteServer& server);

}  // namespace rf::daemon
