// The per-peer metrics: a snapshot of the route server's peers taken on the io thread (states, uptime,
// ECMP share, and the counters the route server keeps per peer name, control/server/peer_stats.hpp),
// rendered into the registry on the API thread. Families (docs/api.md "Metrics"):
//
//   routefabric_peer_state{peer,state}                         gauge, 1 for the peer's state, 0 for the
//   others routefabric_peer_established_sessions{peer}                gauge, its sessions in Established (one
//   per
//                                                              route-server instance)
//   routefabric_peer_uptime_seconds{peer}                      gauge, since its longest-established session
//                                                              came up; 0 when none is
//   routefabric_peer_flaps_total{peer}                         counter, Established → down transitions
//   routefabric_peer_notifications_total{peer,direction,code,subcode}  counter
//   routefabric_peer_updates_received_total{peer}              counter, UPDATE messages read
//   routefabric_peer_prefixes_received_total{peer}             counter, announced NLRI
//   routefabric_peer_prefixes_accepted_total{peer}             counter
//   routefabric_peer_prefixes_filtered_total{peer,reason}      counter, rib::FilterReason
//   routefabric_peer_prefixes_withdrawn_total{peer}            counter, withdrawn NLRI received
//   routefabric_peer_best_prefixes{peer}                       gauge, prefixes with its path in the ECMP set
//
// Gauges cover the configured peers; counters also the removed peers the route server remembers, so a
// peer re-created under its name continues them.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "control/server/peer_stats.hpp"
#include "control/session/fsm.hpp"

namespace rf::server {
class RouteServer;
}
namespace rf::metrics {
class Registry;
}

namespace rf::api {

struct PeerMetricsRow {
    std::string peer;
    bool configured = true;
    session::State state = session::State::Idle;  // Established if any session is, else the most advanced
    std::size_t established_sessions = 0;
    double uptime_seconds = 0;
    std::size_t best_prefixes = 0;
    server::PeerCounters counters;  // up_since left empty
};

// io thread: the snapshot, by peer name.
[[nodiscard]] std::vector<PeerMetricsRow> peer_metrics_rows(const server::RouteServer& server,
                                                            std::chrono::steady_clock::time_point now);

// Any thread: the families above, set from `rows` (series of peers not in it dropped).
void set_peer_metrics(metrics::Registry& registry, const std::vector<PeerMetricsRow>& rows);

// The label values of a NOTIFICATION's code and subcode: the numbers RFC 4271 and the IANA registry
// define, "other" for anything else (labels stay bounded whatever a peer sends).
[[nodiscard]] std::pair<std::string, std::string> notification_labels(std::uint8_t code,
                                                                      std::uint8_t subcode);

}  // namespace rf::api
