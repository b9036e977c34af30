// RPKI's part of routefabricd's API: the route server's origin validation as GET /api/v1/rpki shows it,
// and the routefabric_rpki_* metrics. The rows' validity fields (RIB entries, learned routes) are filled
// by DaemonBackend through RouteServer::rpki_validity.
#pragma once

#include "control/server/route_server.hpp"
#include "daemon/api/backend.hpp"
#include "daemon/api/metrics.hpp"

namespace rf::api {

// The route server's RPKI state, its caches and, with `count_routes`, its held routes by validity (a walk
// of the RIB validating every path: 0.5-1.5 us per path with 50 k-500 k ROAs, bench/rpki_bench.cpp; so
// only on request, never per metrics scrape). Io thread only.
[[nodiscard]] RpkiInfo rpki_info(const server::RouteServer& server, bool count_routes);

// routefabric_rpki_*: usable, ROAs per family, each cache's state, serial and ROAs, re-validations by
// the validity they gave (docs/api.md "Metrics"). Held routes per validity are not among them (that is a
// walk of the RIB; GET /api/v1/rpki counts them).
void publish_rpki_metrics(metrics::Registry& registry, const RpkiInfo& info);

}  // namespace rf::api
