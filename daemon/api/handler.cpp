// ApiHandler: the REST routes (docs/api.md). Each route checks its input, calls the backend and
// renders the result; every failure is an ApiError rendered as {"error": {...}} with its HTTP status.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

#include "daemon/api/json.hpp"
#include "daemon/api/looking_glass.hpp"
#include "daemon/api/server.hpp"

namespace rf::api {

namespace {

// Invalid UTF-8 in a text we echo (a client's bytes quoted in a message) is replaced, never thrown: an
// error about the client's input must not turn into a 500.
HttpResponse json_response(unsigned status, const Json& body) {
    return HttpResponse{status, "application/json",
                        body.dump(2, ' ', false, Json::error_handler_t::replace) + "\n"};
}

HttpResponse error_response(const ApiError& e) {
    return json_response(http_status(e.code), to_json(e));
}

HttpResponse error_response(ErrorCode code, std::string message, std::string field = {}) {
    return error_response(ApiError{code, std::move(message), std::move(field)});
}

template <typename T>
HttpResponse respond(const Result<T, ApiError>& r, unsigned status = 200) {
    if (!r) {
        return error_response(r.error());
    }
    return json_response(status, to_json(*r));
}

std::string url_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) != 0 &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2])) != 0) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// "/api/v1/peerings/nva1/learned-routes?x" → {"api", "v1", "peerings", "nva1", "learned-routes"}, each
// segment URL-decoded (so "10.0.0.0%2F8" is one segment holding a '/').
std::vector<std::string> split_path(std::string_view target) {
    const auto q = target.find('?');
    if (q != std::string_view::npos) {
        target = target.substr(0, q);
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= target.size()) {
        const auto slash = target.find('/', start);
        const auto end = slash == std::string_view::npos ? target.size() : slash;
        if (end > start) {
            parts.push_back(url_decode(target.substr(start, end - start)));
        }
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
    return parts;
}

std::string join(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
        out += (i == from ? "" : "/") + parts[i];
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

// The body of POST /api/v1/peerings as JSON; every way it can fail is the client's (400).
Result<Json, ApiError> parse_body(const std::string& body) {
    const std::string example =
        R"(; send an object such as {"name": "nva1", "peerIp": "10.0.1.4", "peerAsn": 65001})";
    if (const auto bad = first_invalid_utf8(body)) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(body[*bad]));
        return unexpected(ApiError{ErrorCode::InvalidJson,
                                   "the body is not valid UTF-8: byte " + std::string(byte) + " at offset " +
                                       std::to_string(*bad) + " does not begin or continue a character" +
                                       example,
                                   ""});
    }
    try {
        return Json::parse(body);
    } catch (const Json::parse_error& e) {
        return unexpected(ApiError{ErrorCode::InvalidJson,
                                   std::string("the body is not valid JSON (") + e.what() + ")" + example,
                                   ""});
    } catch (const Json::out_of_range&) {
        // nlohmann/json reads a number too large for a double (e.g. 400 digits) as out_of_range.
        return unexpected(ApiError{ErrorCode::InvalidJson,
                                   "the body holds a number too large to represent; peerAsn, port, ttl, "
                                   "routeLimit and holdTime are whole numbers (peerAsn at most 4294967295)",
                                   ""});
    }
}

}  // namespace

bool is_loopback(const net::IpAddress& a) {
    if (a.is_v4()) {
        return (a.as_v4().value >> 24) == 127;
    }
    const auto loop = net::IpAddress::parse("::1");
    return loop && a == *loop;
}

ApiHandler::ApiHandler(ServerOptions options, Backend& backend, config::ConfigStore& store,
                       metrics::Registry& registry)
    : options_(std::move(options)), cp_(backend), store_(store), registry_(registry) {}

HttpResponse ApiHandler::handle(const HttpRequest& request) {
    HttpResponse r;
    if (auto page = looking_glass(request)) {
        r = std::move(*page);  // no data in it: served without the token (its requests need one)
    } else if (!options_.token.empty() &&
               !constant_time_equal(request.authorization, "Bearer " + options_.token)) {
        r = error_response(
            ErrorCode::Unauthorized,
            request.authorization.empty()
                ? "this API requires a bearer token: send 'Authorization: Bearer TOKEN' (rfctl --token "
                  "TOKEN or RFCTL_TOKEN); the token is api.token in the configuration"
                : "the bearer token is wrong; use api.token from the configuration");
    } else {
        try {
            r = route(request);
        } catch (const std::exception& e) {
            r = error_response(ErrorCode::Internal, std::string("internal error: ") + e.what());
        }
    }
    registry_
        .counter("routefabric_api_requests_total", "REST API requests by HTTP status.",
                 {{"code", std::to_string(r.status)}})
        .inc();
    return r;
}

HttpResponse ApiHandler::route(const HttpRequest& req) {
    const std::vector<std::string> p = split_path(req.target);
    const bool get = req.method == "GET";
    auto method_not_allowed = [&](std::string_view allowed) {
        return error_response(ErrorCode::MethodNotAllowed, req.method + " is not allowed on " + req.target +
                                                               "; use " + std::string(allowed));
    };

    if (p.size() == 1 && p[0] == "metrics") {
        if (!get) {
            return method_not_allowed("GET");
        }
        cp_.collect_metrics(registry_);
        return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", registry_.render()};
    }
    if (p.size() < 3 || p[0] != "api" || p[1] != "v1") {
        return error_response(ErrorCode::NotFound, "no API route " + req.target +
                                                       "; see docs/api.md (routes start "
                                                       "with /api/v1/)");
    }
    const std::string& what = p[2];

    if (what == "routeserver" && p.size() == 3) {
        if (!get) {
            return method_not_allowed("GET");
        }
        RouteServerInfo info = cp_.info();
        info.version = options_.version;
        return json_response(200, to_json(info));
    }

    if (what == "peerings") {
        if (p.size() == 3) {
            if (get) {
                Json list = Json::array();
                for (const PeeringInfo& pi : cp_.peerings()) {
                    list.push_back(to_json(pi));
                }
                return json_response(200, Json{{"value", std::move(list)}});
            }
            if (req.method == "POST") {
                return create_peering(req.body);
            }
            return method_not_allowed("GET or POST");
        }
        const std::string& name = p[3];
        if (p.size() == 4) {
            if (get) {
                return respond(cp_.peering(name));
            }
            if (req.method == "DELETE") {
                return delete_peering(name);
            }
            return method_not_allowed("GET or DELETE");
        }
        if (p.size() == 5 && p[4] == "reset") {
            if (req.method != "POST") {
                return method_not_allowed("POST");
            }
            return respond(cp_.reset_peering(name));
        }
        if (p.size() == 5 &&
            (p[4] == "learned-routes" || p[4] == "advertised-routes" || p[4] == "filtered-routes")) {
            if (!get) {
                return method_not_allowed("GET");
            }
            if (p[4] == "filtered-routes") {
                return respond(cp_.filtered_routes(name));
            }
            return respond(p[4] == "learned-routes" ? cp_.learned_routes(name) : cp_.advertised_routes(name));
        }
    }

    if (what == "bmp" && p.size() == 3) {
        if (!get) {
            return method_not_allowed("GET");
        }
        return respond(cp_.bmp_collectors());
    }

    if (what == "rib" && p.size() == 4 && p[3] == "mrt") {
        if (!get) {
            return method_not_allowed("GET");
        }
        auto dump = cp_.rib_dump_mrt();
        if (!dump) {
            return error_response(dump.error());
        }
        return HttpResponse{200, "application/octet-stream", std::move(*dump)};
    }

    if (what == "rib" && p.size() >= 4) {
        if (!get) {
            return method_not_allowed("GET");
        }
        // The prefix may come as one encoded segment (10.0.0.0%2F8) or as two (10.0.0.0/8).
        const std::string text = join(p, 3, p.size());
        auto prefix = net::Prefix::parse(text);
        if (!prefix) {
            if (auto addr = net::IpAddress::parse(text)) {  // a bare address means its host route
                prefix =
                    addr->is_v4() ? net::Prefix::v4(addr->as_v4(), 32) : net::Prefix::v6(addr->as_v6(), 128);
            }
        }
        if (!prefix) {
            return error_response(ErrorCode::InvalidPrefix,
                                  "'" + text +
                                      "' is not a prefix; write it as address/length with the host bits "
                                      "zero, e.g. 10.250.0.0/16",
                                  "prefix");
        }
        return respond(cp_.rib_entry(*prefix));
    }

    if ((what == "vms" || what == "subnets") && p.size() >= 5 && p.back() == "effective-routes") {
        if (!get) {
            return method_not_allowed("GET");
        }
        const std::string name = join(p, 3, p.size() - 1);
        return respond(what == "vms" ? cp_.vm_effective_routes(name) : cp_.subnet_effective_routes(name));
    }

    if (what == "rpki" && p.size() == 3) {
        if (!get) {
            return method_not_allowed("GET");
        }
        return respond(cp_.rpki());
    }

    if (what == "emulator" && p.size() == 4 && p[3] == "stats") {
        if (!get) {
            return method_not_allowed("GET");
        }
        return respond(cp_.emulator_stats());
    }

    if (what == "emulator" && p.size() == 4 && p[3] == "convergence") {
        if (!get) {
            return method_not_allowed("GET");
        }
        return respond(cp_.convergence_history());
    }

    return error_response(ErrorCode::NotFound, "no API route " + req.method + " " + req.target +
                                                   "; see docs/api.md for the routes");
}

HttpResponse ApiHandler::create_peering(const std::string& body) {
    auto parsed = parse_body(body);
    if (!parsed) {
        return error_response(parsed.error());
    }
    const Json& j = *parsed;
    auto peer = peer_from_json(j);
    if (!peer) {
        return error_response(peer.error());
    }

    config::Config candidate = store_.snapshot();
    const config::RouteServerConfig& rs = candidate.route_server;
    if (candidate.peers.size() >= rs.max_peers) {
        return error_response(
            ErrorCode::PeerLimitReached,
            "the route server already has " + std::to_string(candidate.peers.size()) + " of " +
                std::to_string(rs.max_peers) +
                " peerings; delete one (rfctl peering delete NAME) or raise route_server.max_peers "
                "in the configuration and restart");
    }
    candidate.peers.push_back(*peer);
    const config::Errors errors = config::validate_peer(candidate, candidate.peers.size() - 1);
    if (!errors.empty()) {
        const config::ConfigError& e = errors.front();
        const std::string field = json_field_of(e.path);
        if (e.kind == config::ErrorKind::Duplicate) {
            return error_response(
                ErrorCode::DuplicatePeering,
                field + ": " + e.message + "; delete that peering first or choose another " + field, field);
        }
        return error_response(ErrorCode::InvalidField, field + ": " + e.message, field);
    }

    // Applied and persisted as one change (the backend re-checks it against the configuration of the
    // moment: the snapshot above may be stale).
    auto added = cp_.create_peering(*peer, store_);
    if (!added) {
        return error_response(added.error());
    }
    return json_response(201, to_json(*added));
}

HttpResponse ApiHandler::delete_peering(const std::string& name) {
    const config::Config current = store_.snapshot();
    const config::PeerConfig* peer = current.find_peer(name);
    if (peer == nullptr) {
        return error_response(ErrorCode::PeeringNotFound,
                              "no peering named '" + name + "'; list them with rfctl peering list");
    }
    auto r = cp_.delete_peering(name, store_);
    if (!r) {
        return error_response(r.error());
    }
    return json_response(200, Json{{"name", name}, {"deleted", true}});
}

}  // namespace rf::api
