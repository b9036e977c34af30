#include "daemon/api/json.hpp"

#include <limits>

namespace rf::api {

namespace {

struct ErrorRow {
    ErrorCode code;
    std::string_view name;
    unsigned status;
};
constexpr ErrorRow kErrors[] = {
    {ErrorCode::InvalidJson, "InvalidJson", 400},
    {ErrorCode::InvalidField, "InvalidField", 400},
    {ErrorCode::InvalidPrefix, "InvalidPrefix", 400},
    {ErrorCode::Unauthorized, "Unauthorized", 401},
    {ErrorCode::NotFound, "NotFound", 404},
    {ErrorCode::PeeringNotFound, "PeeringNotFound", 404},
    {ErrorCode::VmNotFound, "VmNotFound", 404},
    {ErrorCode::SubnetNotFound, "SubnetNotFound", 404},
    {ErrorCode::RouteNotFound, "RouteNotFound", 404},
    {ErrorCode::MethodNotAllowed, "MethodNotAllowed", 405},
    {ErrorCode::DuplicatePeering, "DuplicatePeering", 409},
    {ErrorCode::PeerLimitReached, "PeerLimitReached", 409},
    {ErrorCode::PeeringRejected, "PeeringRejected", 409},
    {ErrorCode::PayloadTooLarge, "PayloadTooLarge", 413},
    {ErrorCode::NotAvailable, "NotAvailable", 503},
    {ErrorCode::Internal, "Internal", 500},
};

// POST body field ↔ configuration key of a peer.
constexpr std::pair<std::string_view, std::string_view> kPeerFields[] = {
    {"name", "name"},
    {"peerIp", "address"},
    {"peerAsn", "asn"},
    {"port", "port"},
    {"ttl", "ttl"},
    {"md5Password", "md5_password"},
    {"routeLimit", "route_limit"},
    {"routeLimitAction", "route_limit_action"},
    {"routeLimitWarningPercent", "route_limit_warning_percent"},
    {"gtsm", "gtsm"},
    {"passive", "passive"},
    {"holdTime", "hold_time"},
    {"localAddress", "local_address"},
    {"extendedMessages", "extended_messages"},
    {"enhancedRouteRefresh", "enhanced_route_refresh"},
};

}  // namespace

std::string_view to_string(ErrorCode code) {
    for (const ErrorRow& r : kErrors) {
        if (r.code == code) {
            return r.name;
        }
    }
    return "Internal";
}

unsigned http_status(ErrorCode code) {
    for (const ErrorRow& r : kErrors) {
        if (r.code == code) {
            return r.status;
        }
    }
    return 500;
}

std::string instance_key(std::size_t i) {
    return "RouteServiceRole_IN_" + std::to_string(i);
}

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        // The sequence length and the range its second byte must lie in (RFC 3629 section 4), which rules
        // out overlong forms, surrogates and code points past U+10FFFF.
        std::size_t length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            low = lead == 0xE0 ? 0xA0 : 0x80;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (i + length > text.size()) {
            return i;
        }
        for (std::size_t k = 1; k < length; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            if (b < (k == 1 ? low : 0x80) || b > (k == 1 ? high : 0xBF)) {
                return i;
            }
        }
        i += length;
    }
    return std::nullopt;
}

std::string json_field_of(std::string_view config_path) {
    const auto dot = config_path.rfind('.');
    const std::string_view key = dot == std::string_view::npos ? config_path : config_path.substr(dot + 1);
    for (const auto& [json, cfg] : kPeerFields) {
        if (cfg == key) {
            return std::string(json);
        }
    }
    return std::string(config_path);
}

Json to_json(const ApiError& e) {
    Json inner = {{"code", std::string(to_string(e.code))}, {"message", e.message}};
    if (!e.field.empty()) {
        inner["field"] = e.field;
    }
    return Json{{"error", inner}};
}

Json to_json(const RouteServerInfo& i) {
    return Json{{"asn", i.asn},
                {"routerId", i.router_id},
                {"listenAddresses", i.listen},
                {"port", i.port},
                {"keepalive", i.keepalive},
                {"holdTime", i.hold_time},
                {"mode", i.mode},
                {"routeCounting", i.route_counting},
                {"allowBranchToBranchTraffic", i.branch_to_branch},
                {"fourByteAsn", i.four_byte_asn},
                {"maxPeers", i.max_peers},
                {"routeLimit", i.route_limit},
                {"peers", i.peers},
                {"establishedSessions", i.established_sessions},
                {"locRibPrefixes", i.loc_rib_prefixes},
                {"uptimeSeconds", i.uptime_seconds},
                {"version", i.version}};
}

Json to_json(const PeeringInfo& p) {
    const config::PeerConfig& c = p.config;
    Json j = {{"name", c.name},
              {"peerIp", c.address.to_string()},
              {"peerAsn", c.asn},
              {"port", c.port},
              {"ttl", c.ttl},
              {"passive", c.passive},
              {"routeLimit", p.route_limit},
              {"routeLimitAction", std::string(config::to_string(c.route_limit_action))},
              {"routeLimitWarningPercent", c.route_limit_warning_percent},
              {"gtsm", c.gtsm},
              {"md5Configured", !c.md5_password.empty()},
              {"extendedMessages", c.extended_messages},
              {"enhancedRouteRefresh", c.enhanced_route_refresh}};
    if (c.hold_time) {
        j["holdTime"] = *c.hold_time;
    }
    if (c.local_address) {
        j["localAddress"] = c.local_address->to_string();
    }
    j["provisioningState"] = "Succeeded";
    j["state"] = p.state;
    j["routesReceived"] = p.routes_received;
    if (p.route_limit != 0) {
        // One decimal: 75.0 at 750 of 1,000; above 100 only with route_limit_action warn.
        j["routeLimitUsagePercent"] = static_cast<double>(p.routes_received * 1000 / p.route_limit) / 10.0;
    }
    if (p.warning_threshold != 0) {
        j["routeLimitWarningThreshold"] = p.warning_threshold;
    }
    Json sessions = Json::array();
    for (const SessionInfo& s : p.sessions) {
        const RefreshInfo& r = s.refresh;
        Json long_lived = Json::array();
        for (const auto& f : s.graceful_restart.long_lived) {
            long_lived.push_back({{"family", f.family},
                                  {"staleTime", f.stale_time},
                                  {"forwardingPreserved", f.forwarding_preserved}});
        }
        sessions.push_back({{"localAddress", s.local_address},
                            {"state", s.state},
                            {"lastReason", s.last_reason},
                            {"establishedCount", s.established_count},
                            {"routeLimitTrips", s.route_limit_trips},
                            {"updatesReceived", s.updates_received},
                            {"adminResets", s.admin_resets},
                            {"routes", s.routes},
                            {"aboveWarningThreshold", s.above_warning_threshold},
                            {"aboveRouteLimit", s.above_route_limit},
                            {"capabilities",
                             {{"routeRefresh", s.capabilities.route_refresh},
                              {"enhancedRouteRefresh", s.capabilities.enhanced_route_refresh},
                              {"extendedMessage", s.capabilities.extended_message},
                              {"maxMessageSize", s.capabilities.max_message_size},
                              {"addPathReceive", s.capabilities.add_path_receive},
                              {"addPathSend", s.capabilities.add_path_send}}},
                            {"routeRefresh",
                             {{"requestsReceived", r.requests_received},
                              {"requestsSent", r.requests_sent},
                              {"borrReceived", r.borr_received},
                              {"eorrReceived", r.eorr_received},
                              {"borrSent", r.borr_sent},
                              {"eorrSent", r.eorr_sent},
                              {"staleTimeouts", r.stale_timeouts},
                              {"ignored", r.ignored},
                              {"refreshing", r.refreshing},
                              {"staleRoutes", r.stale_routes}}},
                            {"gracefulRestart",
                             {{"negotiated", s.graceful_restart.negotiated},
                              {"families", s.graceful_restart.families},
                              {"forwardingPreserved", s.graceful_restart.forwarding},
                              {"peerRestartTime", s.graceful_restart.peer_restart_time},
                              {"notification", s.graceful_restart.notification},
                              {"longLived", std::move(long_lived)},
                              {"phase", s.graceful_restart.phase},
                              {"staleFamilies", s.graceful_restart.stale_families},
                              {"secondsLeft", s.graceful_restart.seconds_left},
                              {"hardResetsSent", s.graceful_restart.hard_resets_sent}}}});
    }
    j["sessions"] = std::move(sessions);
    return j;
}

Json to_json(const BmpCollectors& collectors) {
    Json list = Json::array();
    for (const auto& c : collectors) {
        list.push_back({{"name", c.name},
                        {"address", c.address},
                        {"state", c.state},
                        {"routeMonitoring", c.tables},
                        {"messages", c.messages},
                        {"bytes", c.bytes},
                        {"connects", c.connects},
                        {"connectFailures", c.connect_failures},
                        {"disconnects", c.disconnects},
                        {"overflowResets", c.overflow_resets},
                        {"droppedBytes", c.dropped_bytes},
                        {"resyncs", c.resyncs},
                        {"bufferedBytes", c.buffered},
                        {"bufferLimitBytes", c.buffer_bytes}});
    }
    return Json{{"collectors", list}};
}

Json to_json(const PeeringReset& r) {
    return Json{{"name", r.name}, {"sessionsReset", r.reset}, {"sessionsRestarted", r.restarted}};
}

Json to_json(const RoutesByInstance& routes) {
    Json j = Json::object();
    for (const auto& [key, rows] : routes) {
        Json list = Json::array();
        for (const RouteRow& r : rows) {
            Json row{{"localAddress", r.local_address},
                     {"network", r.network},
                     {"nextHop", r.next_hop},
                     {"sourcePeer", r.source_peer},
                     {"asPath", r.as_path},
                     {"origin", r.origin},
                     {"weight", r.weight},
                     {"stale", r.stale},
                     {"rpki", r.rpki}};
            if (!r.decided_by.empty()) {
                row["policy"] =
                    Json{{"name", r.policy}, {"statement", r.statement}, {"decidedBy", r.decided_by}};
            }
            list.push_back(std::move(row));
        }
        j[key] = std::move(list);
    }
    return j;
}

Json to_json(const RpkiInfo& r) {
    Json caches = Json::array();
    for (const RpkiCacheInfo& c : r.caches) {
        caches.push_back(
            {{"address", c.address},
             {"port", c.port},
             {"preference", c.preference},
             {"state", c.state},
             {"detail", c.detail},
             {"serial", c.serial},
             {"sessionId", c.session_id},
             {"roas", c.roas},
             {"secondsSinceSync", c.seconds_since_sync ? Json(*c.seconds_since_sync) : Json(nullptr)}});
    }
    return Json{
        {"enabled", r.enabled},
        {"state", r.state},
        {"usable", r.usable},
        {"roas", {{"ipv4", r.roas_v4}, {"ipv6", r.roas_v6}}},
        {"intervals",
         {{"refresh", r.refresh_interval}, {"retry", r.retry_interval}, {"expire", r.expire_interval}}},
        {"caches", std::move(caches)},
        {"routes",
         {{"valid", r.routes_valid},
          {"invalid", r.routes_invalid},
          {"notFound", r.routes_not_found},
          {"unknown", r.routes_unknown}}},
        {"revalidation",
         {{"pathsRevalidated", r.paths_revalidated},
          {"validityChanges", r.validity_changes},
          {"byValidity",
           {{"valid", r.revalidated_valid},
            {"invalid", r.revalidated_invalid},
            {"notFound", r.revalidated_not_found},
            {"unknown", r.revalidated_unknown}}}}}};
}

Json to_json(const RibEntryInfo& e) {
    Json paths = Json::array();
    for (const RibPath& p : e.paths) {
        Json j = {{"peer", p.peer},
                  {"peerAddress", p.peer_address},
                  {"nextHops", p.next_hops},
                  {"asPath", p.as_path},
                  {"asPathLength", p.as_path_length},
                  {"origin", p.origin},
                  {"communities", p.communities},
                  {"best", p.best},
                  {"ecmp", p.ecmp},
                  {"stale", p.stale},
                  {"rpki", p.rpki}};
        if (!p.decided_by.empty()) {
            j["peerBgpId"] = p.peer_bgp_id;
            j["decidedBy"] = p.decided_by;
            j["ecmpStatus"] = p.ecmp_status;
        }
        if (!p.rewritten_by.empty()) {
            j["rewrittenBy"] = p.rewritten_by;
        }
        paths.push_back(std::move(j));
    }
    return Json{{"prefix", e.prefix},
                {"decidedBy", e.decided_by},
                {"ecmpNextHops", e.ecmp_next_hops},
                {"paths", std::move(paths)}};
}

Json to_json(const EffectiveRoutes& r) {
    Json rows = Json::array();
    for (const EffectiveRouteRow& row : r.routes) {
        Json j = {{"source", row.source},
                  {"state", row.state},
                  {"addressPrefix", row.address_prefix},
                  {"nextHopType", row.next_hop_type},
                  {"nextHopIpAddress", row.next_hop_ip}};
        if (!row.reason.empty()) {
            j["reason"] = row.reason;
        }
        rows.push_back(std::move(j));
    }
    return Json{{"name", r.name}, {"table", r.table}, {"value", std::move(rows)}};
}

Json to_json(const EmulatorStats& s) {
    Json counters = Json::object();
    for (const auto& [k, v] : s.counters) {
        counters[k] = v;
    }
    Json j = {{"running", s.running},
              {"hosts", s.hosts},
              {"vms", s.vms},
              {"workers", s.workers},
              {"counters", std::move(counters)}};
    if (s.convergence) {
        j["convergence"] = {{"events", s.convergence->events},
                            {"lastSeconds", s.convergence->last_seconds},
                            {"p50Seconds", s.convergence->p50_seconds},
                            {"p99Seconds", s.convergence->p99_seconds},
                            {"maxSeconds", s.convergence->max_seconds}};
    }
    return j;
}

Json to_json(const ConvergenceHistory& h) {
    Json events = Json::array();
    for (const ConvergenceEvent& e : h.events) {
        Json j = {{"time", e.time},
                  {"change", e.change},
                  {"complete", e.complete},
                  {"hosts", e.hosts},
                  {"hostsConverged", e.hosts_converged},
                  {"nextHopDown", e.next_hop_down}};
        if (e.complete) {
            j["seconds"] = e.seconds;
        }
        events.push_back(std::move(j));
    }
    return Json{{"capacity", h.capacity}, {"recorded", h.recorded}, {"events", std::move(events)}};
}

namespace {

ApiError field_error(std::string_view field, std::string message) {
    return ApiError{ErrorCode::InvalidField, std::string(field) + ": " + message, std::string(field)};
}

template <typename T>
std::optional<ApiError> read_unsigned(const Json& body, std::string_view field, T& out,
                                      std::uint64_t min = 0) {
    const Json& v = body.at(std::string(field));
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
        return field_error(field, "must be a non-negative whole number, got " + v.dump());
    }
    const auto n = v.get<std::uint64_t>();
    if (n < min || n > std::numeric_limits<T>::max()) {
        return field_error(field, std::to_string(n) + " is out of range (" + std::to_string(min) + "-" +
                                      std::to_string(std::numeric_limits<T>::max()) + ")");
    }
    out = static_cast<T>(n);
    return std::nullopt;
}

std::optional<ApiError> read_address(const Json& body, std::string_view field, net::IpAddress& out) {
    const Json& v = body.at(std::string(field));
    if (!v.is_string()) {
        return field_error(field, "must be an IP address string, got " + v.dump());
    }
    auto a = net::IpAddress::parse(v.get<std::string>());
    if (!a) {
        return field_error(field, "'" + v.get<std::string>() + "' is not an IP address");
    }
    out = *a;
    return std::nullopt;
}

}  // namespace

Result<config::PeerConfig, ApiError> peer_from_json(const Json& body) {
    if (!body.is_object()) {
        return unexpected(ApiError{ErrorCode::InvalidJson,
                                   "the body must be a JSON object such as "
                                   "{\"name\": \"nva1\", \"peerIp\": \"10.0.1.4\", "
                                   "\"peerAsn\": 65001}",
                                   ""});
    }
    for (const auto& [key, value] : body.items()) {
        bool known = false;
        for (const auto& f : kPeerFields) {
            known = known || f.first == key;
        }
        if (!known) {
            std::string allowed;
            for (const auto& f : kPeerFields) {
                allowed += (allowed.empty() ? "" : ", ") + std::string(f.first);
            }
            return unexpected(field_error(key, "unknown field; allowed: " + allowed));
        }
    }
    for (const char* required : {"name", "peerIp", "peerAsn"}) {
        if (!body.contains(required)) {
            return unexpected(field_error(required, "is required"));
        }
    }
    config::PeerConfig p;
    if (!body["name"].is_string()) {
        return unexpected(field_error("name", "must be a string"));
    }
    p.name = body["name"].get<std::string>();
    if (auto e = read_address(body, "peerIp", p.address)) {
        return unexpected(std::move(*e));
    }
    if (auto e = read_unsigned(body, "peerAsn", p.asn, 1)) {
        return unexpected(std::move(*e));
    }
    if (body.contains("port")) {
        if (auto e = read_unsigned(body, "port", p.port, 1)) {
            return unexpected(std::move(*e));
        }
    }
    if (body.contains("ttl")) {
        if (auto e = read_unsigned(body, "ttl", p.ttl, 1)) {
            return unexpected(std::move(*e));
        }
    }
    if (body.contains("routeLimit")) {
        std::uint32_t limit = 0;
        if (auto e = read_unsigned(body, "routeLimit", limit)) {
            return unexpected(std::move(*e));
        }
        p.route_limit = limit;
    }
    if (body.contains("routeLimitAction")) {
        const Json& v = body["routeLimitAction"];
        const auto a = v.is_string() ? config::parse_route_limit_action(v.get<std::string>()) : std::nullopt;
        if (!a) {
            return unexpected(field_error("routeLimitAction", "must be \"teardown\" or \"warn\""));
        }
        p.route_limit_action = *a;
    }
    if (body.contains("routeLimitWarningPercent")) {
        if (auto e = read_unsigned(body, "routeLimitWarningPercent", p.route_limit_warning_percent, 1)) {
            return unexpected(std::move(*e));
        }
    }
    if (body.contains("gtsm")) {
        if (!body["gtsm"].is_boolean()) {
            return unexpected(field_error("gtsm", "must be true or false"));
        }
        p.gtsm = body["gtsm"].get<bool>();
    }
    if (body.contains("holdTime")) {
        std::uint16_t hold = 0;
        if (auto e = read_unsigned(body, "holdTime", hold)) {
            return unexpected(std::move(*e));
        }
        p.hold_time = hold;
    }
    for (const auto& [key, field] :
         {std::pair{"passive", &p.passive}, std::pair{"extendedMessages", &p.extended_messages},
          std::pair{"enhancedRouteRefresh", &p.enhanced_route_refresh}}) {
        if (body.contains(key)) {
            if (!body[key].is_boolean()) {
                return unexpected(field_error(key, "must be true or false"));
            }
            *field = body[key].get<bool>();
        }
    }
    if (body.contains("md5Password")) {
        if (!body["md5Password"].is_string()) {
            return unexpected(field_error("md5Password", "must be a string"));
        }
        p.md5_password = body["md5Password"].get<std::string>();
    }
    if (body.contains("localAddress")) {
        net::IpAddress a;
        if (auto e = read_address(body, "localAddress", a)) {
            return unexpected(std::move(*e));
        }
        p.local_address = a;
    }
    return p;
}

}  // namespace rf::api
