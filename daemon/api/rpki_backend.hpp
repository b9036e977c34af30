// RPKI's part of routefabricd's API: the route server's origin validation as GET /api/v1/rpki shows it,
// and the routefabric_rpki_* metrics. The rows' validity fields (RIB entries, learned routes) are filled
// by DaemonBackend through RouteServer::rpki_validity.
#pragma once

#include "control/server/route_server.hpp"
#include "daemon/api/backend.hpp"
#include "daemon/api/metrics.hpp"

namespace rf::api {

// The route server's RPKI state, its caches and its held routes by validity (a walk of the RIB). Io
// thread only.
[[nodiscard]] RpkiInfo rpki_info(const server::RouteServer& server);

// routefabric_rpki_*: usable, ROAs per family, each cache's state, serial and ROAs, held routes per
// validity, re-validation counters (docs/api.md "Metrics").
void publish_rpki_metrics(metrics::Registry& registry, const RpkiInfo& info);

}  // namespace rf::api
