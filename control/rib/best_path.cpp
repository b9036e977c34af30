#include "control/rib/best_path.hpp"

namespace rf::rib {

std::string_view decision_step_name(DecisionStep step) {
    switch (step) {
        case DecisionStep::OnlyPath:
            return "only path";
        case DecisionStep::LlgrStale:
            return "LLGR_STALE";
        case DecisionStep::AsPathLength:
            return "AS path length";
        case DecisionStep::Origin:
            return "origin";
        case DecisionStep::PeerBgpId:
            return "peer BGP identifier";
        case DecisionStep::PeerAddress:
            return "peer address";
        case DecisionStep::LowestPeerId:
            return "peer id";
        case DecisionStep::PathId:
            return "path id";
    }
    return "?";
}

PathComparison compare_paths(const PathKey& a, const PathKey& b) {
    return compare_path_keys(a, b);
}

}  // namespace rf::rib
