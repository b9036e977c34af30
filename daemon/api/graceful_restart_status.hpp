// Graceful restart (RFC 4724, RFC 8538) as the API and /metrics show it: a session's negotiated
// capability and helper state, and the route server's counters as Prometheus series.
#pragma once

#include <cstddef>

#include "control/server/route_server.hpp"
#include "daemon/api/backend.hpp"
#include "daemon/api/metrics.hpp"

namespace rf::api {

// On the io thread: the session's graceful restart for GET /api/v1/peerings/{name}.
[[nodiscard]] GracefulRestartInfo graceful_restart_info(const session::SessionStatus& s,
                                                        const server::RouteServer& server);

// routefabric_stale_routes (routes kept stale now, graceful restart and enhanced route refresh),
// routefabric_graceful_restart_events_total{event=...} and routefabric_graceful_restart_purged_routes_total
// (docs/api.md "Metrics").
void set_graceful_restart_metrics(metrics::Registry& registry, std::size_t stale_routes,
                                  const server::GracefulRestartCounters& counters);

}  // namespace rf::api
