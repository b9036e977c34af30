#include "daemon/api/rib_decision.hpp"

#include <string>

namespace rf::api {

std::string_view decision_step_id(rib::DecisionStep step) {
    switch (step) {
        case rib::DecisionStep::OnlyPath:
            return "OnlyPath";
        case rib::DecisionStep::LlgrStale:
            return "LlgrStale";
        case rib::DecisionStep::AsPathLength:
            return "AsPathLength";
        case rib::DecisionStep::Origin:
            return "Origin";
        case rib::DecisionStep::PeerBgpId:
            return "PeerBgpId";
        case rib::DecisionStep::PeerAddress:
            return "PeerAddress";
        case rib::DecisionStep::LowestPeerId:
            return "LowestPeerId";
        case rib::DecisionStep::PathId:
            return "PathId";
    }
    return "Unknown";
}

std::string_view ecmp_status_id(rib::EcmpStatus status) {
    switch (status) {
        case rib::EcmpStatus::Member:
            return "Member";
        case rib::EcmpStatus::LongerAsPath:
            return "LongerAsPath";
        case rib::EcmpStatus::LlgrStale:
            return "LlgrStale";
        case rib::EcmpStatus::SameNeighbor:
            return "SameNeighbor";
        case rib::EcmpStatus::PathLimit:
            return "PathLimit";
    }
    return "Unknown";
}

void describe_decision(const rib::LocRibPath& path, RibPath& row) {
    row.peer_bgp_id = net::IpAddress::v4(path.peer_bgp_id).to_string();
    row.decided_by = std::string(decision_step_id(path.versus_best));
    row.ecmp_status = std::string(ecmp_status_id(path.ecmp));
}

}  // namespace rf::api
