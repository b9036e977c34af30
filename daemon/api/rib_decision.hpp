// The best-path decision of a Loc-RIB entry in the API's words (GET /api/v1/rib/{prefix}, docs/api.md):
// the identifiers of the comparator steps and of a path's place in the ECMP set. The looking glass shows
// them as "why this path is best, equal, or left out".
#pragma once

#include <string_view>

#include "control/rib/rib.hpp"
#include "daemon/api/backend.hpp"

namespace rf::api {

// "OnlyPath", "AsPathLength", "Origin", "PeerBgpId", "PeerAddress", "LowestPeerId", "PathId": identifiers
// for programs (rib::decision_step_name() is the wording of the log lines).
[[nodiscard]] std::string_view decision_step_id(rib::DecisionStep step);
// "Member", "LongerAsPath", "SameNeighbor", "PathLimit".
[[nodiscard]] std::string_view ecmp_status_id(rib::EcmpStatus status);

// Copies what the RIB says about `path`'s decision into the API row: its peer's BGP identifier, the step
// that ranked it after the best path, its ECMP status.
void describe_decision(const rib::LocRibPath& path, RibPath& row);

}  // namespace rf::api
