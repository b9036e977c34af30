// rfctl: the routefabric CLI over the REST API, with the verbs of `az network routeserver`.
// Human tables by default, `-o json` for scripts. Exit codes (also in `rfctl --help`, rfctl(1) and
// docs/api.md): 0 ok, 1 usage error, 2 not found, 3 conflict or limit reached, 4 server unreachable, 5 any
// other error.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "daemon/api/http_client.hpp"

namespace {

using Json = nlohmann::ordered_json;

enum Exit : int { kOk = 0, kUsage = 1, kNotFound = 2, kConflict = 3, kUnreachable = 4, kOther = 5 };

// The layout is read by scripts/packaging/render_man.py (the man page rfctl(1)) and
// render_completion.py (the bash completion: commands and options come from here): "usage:" lines, a
// description paragraph, then sections whose heading ends with ':' and whose items start two spaces in,
// the description two or more spaces after the item; a continuation line indented less than the
// descriptions continues the item, one indented as far continues the description.
constexpr const char* kUsageText =
    R"(usage: rfctl [--server URL] [--token TOKEN] [-o table|json] COMMAND [ARGS]

rfctl is the command line of routefabricd's REST API, with the verbs of `az network routeserver`:
human tables by default, JSON for scripts (-o json).

commands:
  routeserver show                     the route server: ASN, listen addresses, peers, routes
  peering list                         every peering: address, ASN, state, routes received
  peering show NAME                    one peering, its route-limit usage and its sessions (one per
                                       listen address)
  peering create --name NAME --peer-ip ADDRESS --peer-asn ASN
                 [--ttl N] [--port N] [--route-limit N] [--route-limit-action A]
                 [--route-limit-warning-percent P] [--gtsm] [--hold-time S]
                 [--md5-password P] [--local-address ADDRESS] [--active]
                                       add a peering; routefabricd writes it to its configuration file
  peering delete NAME                  remove a peering (its routes are withdrawn)
  peering reset NAME                   clear the peering's sessions now, like `clear bgp`: Cease /
                                       Administrative Reset, its routes withdrawn, it may reconnect at once
  peering list-learned-routes NAME [--filtered]
                                       the routes the route server learned from the peer (after its
                                       import policy); --filtered: those the policy rejected, each with
                                       the policy and statement that rejected it
  peering list-advertised-routes NAME  the routes the route server advertises to the peer, as it
                                       receives them: after its export policy (rejected routes left
                                       out, rewritten ones as rewritten)
  rib show PREFIX                      every path for PREFIX, the ECMP set and the step that decided
  rib dump FILE                        the whole RIB as an MRT TABLE_DUMP_V2 file (RFC 6396) written to
                                       FILE ('-': standard output), readable by bgpdump and the like
  vm effective-routes NAME             the effective routes of a VM of the VNet model
  subnet effective-routes VNET/SUBNET  the effective routes of a subnet
  rpki show                            RPKI origin validation: the table's state, the RTR caches (state,
                                       serial, ROAs), the routes by validity (also: rfctl rpki)
  emulator stats                       the host emulator's counters and convergence figures
  bmp list                             the BMP collectors: address, tables, session state, messages,
                                       resets for a full buffer

options:
  --server URL                         API address (default $RFCTL_SERVER, else http://127.0.0.1:9179)
  --token TOKEN                        bearer token (default $RFCTL_TOKEN); needed when api.token is set
  -o, --output FORMAT                  table (default) or json
  -h, --help                           print this help and exit

peering create options:
  --name NAME                          the peering's name: letters, digits, '.', '_', '-'
  --peer-ip ADDRESS                    the NVA's address
  --peer-asn ASN                       the NVA's ASN
  --ttl N                              TTL of our packets (1 directly connected, more for multihop)
  --port N                             the peer's TCP port for active connects
  --route-limit N                      routes accepted from the peer (0 = unlimited)
  --route-limit-action A               past the limit: teardown (drop the session, default) or warn
                                       (log, count, keep the session and the routes)
  --route-limit-warning-percent P      warn when the routes reach P % of the limit (1-100, default 75)
  --gtsm                               GTSM (RFC 5082): send TTL 255, accept only TTL 255 (directly
                                       connected) or 256 - ttl
  --hold-time S                        hold time offered to the peer, in seconds
  --md5-password P                     TCP-MD5 password
  --local-address ADDRESS              our source address, one of the listen addresses
  --active                             also connect to the peer (default: wait for it)

exit status:
  0   ok
  1   usage error
  2   not found
  3   conflict or limit reached
  4   server unreachable
  5   any other error
)";

int usage_error(const std::string& message) {
    std::cerr << "rfctl: " << message << "\n(run 'rfctl --help' for the commands)\n";
    return kUsage;
}

struct Options {
    std::string server;
    std::string token;
    bool json = false;
    std::vector<std::string> words;            // positional
    std::map<std::string, std::string> flags;  // --name value
    bool active = false;
    bool gtsm = false;
    bool filtered = false;  // list-learned-routes --filtered
};

// Prints rows as an aligned table (az's -o table look: header, dashes, rows).
void print_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(headers.size());
    for (std::size_t c = 0; c < headers.size(); ++c) {
        width[c] = headers[c].size();
        for (const auto& r : rows) {
            width[c] = std::max(width[c], c < r.size() ? r[c].size() : 0);
        }
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t c = 0; c < headers.size(); ++c) {
            const std::string cell = c < cells.size() ? cells[c] : "";
            out += cell;
            if (c + 1 < headers.size()) {
                out += std::string(width[c] - cell.size() + 2, ' ');
            }
        }
        while (!out.empty() && out.back() == ' ') {
            out.pop_back();
        }
        std::cout << out << "\n";
    };
    line(headers);
    std::vector<std::string> dashes;
    for (const std::size_t w : width) {
        dashes.emplace_back(w, '-');
    }
    line(dashes);
    for (const auto& r : rows) {
        line(r);
    }
}

std::string text(const Json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) {
        return "";
    }
    const Json& v = j[key];
    if (v.is_string()) {
        return v.get<std::string>();
    }
    if (v.is_array()) {
        std::string out;
        for (const Json& e : v) {
            out += (out.empty() ? "" : ", ") + (e.is_string() ? e.get<std::string>() : e.dump());
        }
        return out;
    }
    if (v.is_boolean()) {
        return v.get<bool>() ? "true" : "false";
    }
    return v.dump();
}

void print_peerings(const Json& list) {
    std::vector<std::vector<std::string>> rows;
    for (const Json& p : list) {
        rows.push_back({text(p, "name"), text(p, "peerIp"), text(p, "peerAsn"), text(p, "state"),
                        text(p, "routesReceived"), text(p, "routeLimit"), text(p, "provisioningState")});
    }
    print_table({"Name", "PeerIp", "PeerAsn", "State", "Routes", "RouteLimit", "ProvisioningState"}, rows);
}

void print_peering(const Json& p) {
    print_peerings(Json::array({p}));
    std::cout << "\n";
    std::string usage = text(p, "routesReceived") + " of " + text(p, "routeLimit");
    if (p.contains("routeLimitUsagePercent")) {
        usage += " (" + text(p, "routeLimitUsagePercent") + "%)";
    } else {
        usage = text(p, "routesReceived") + " (no limit)";
    }
    print_table({"RouteLimitUsage", "Action", "WarningPercent", "WarningAt", "Gtsm"},
                {{usage, text(p, "routeLimitAction"), text(p, "routeLimitWarningPercent"),
                  text(p, "routeLimitWarningThreshold"), text(p, "gtsm")}});
    if (p.contains("sessions") && !p["sessions"].empty()) {
        std::cout << "\n";
        std::vector<std::vector<std::string>> rows;
        for (const Json& s : p["sessions"]) {
            std::string warning = s.value("aboveRouteLimit", false)         ? "over limit"
                                  : s.value("aboveWarningThreshold", false) ? "over threshold"
                                                                            : "";
            rows.push_back({text(s, "localAddress"), text(s, "state"), text(s, "lastReason"),
                            text(s, "establishedCount"), text(s, "updatesReceived"), text(s, "routes"),
                            text(s, "routeLimitTrips"), text(s, "adminResets"), warning});
        }
        print_table({"LocalAddress", "State", "LastReason", "Established", "Updates", "Routes", "LimitTrips",
                     "AdminResets", "RouteLimit"},
                    rows);
        // What each session negotiated, and its route refresh exchanges (in/out; RFC 7313 BoRR/EoRR).
        std::cout << "\n";
        rows.clear();
        for (const Json& s : p["sessions"]) {
            const Json caps = s.value("capabilities", Json::object());
            const Json rr = s.value("routeRefresh", Json::object());
            std::string negotiated;
            for (const auto& [key, name] : {std::pair{"routeRefresh", "route-refresh"},
                                            std::pair{"enhancedRouteRefresh", "enhanced-refresh"},
                                            std::pair{"extendedMessage", "extended-message"}}) {
                if (caps.value(key, false)) {
                    negotiated += (negotiated.empty() ? "" : ",") + std::string(name);
                }
            }
            const auto in_out = [&](const char* in, const char* out) {
                return text(rr, in) + "/" + text(rr, out);
            };
            rows.push_back({text(s, "localAddress"), negotiated.empty() ? "-" : negotiated,
                            text(caps, "maxMessageSize"), in_out("requestsReceived", "requestsSent"),
                            in_out("borrReceived", "borrSent"), in_out("eorrReceived", "eorrSent"),
                            text(rr, "staleRoutes"), text(rr, "staleTimeouts")});
        }
        print_table({"LocalAddress", "Negotiated", "MaxMessage", "Refresh(in/out)", "BoRR(in/out)",
                     "EoRR(in/out)", "Stale", "StaleTimeouts"},
                    rows);
        // Graceful restart (RFC 4724, RFC 8538): the peer's families (F: forwarding state kept), its
        // restart time, the N bit, and what the route server keeps for it now.
        std::cout << "\n";
        rows.clear();
        for (const Json& s : p["sessions"]) {
            const Json gr = s.value("gracefulRestart", Json::object());
            std::string families;
            if (gr.value("negotiated", false)) {
                const Json fwd = gr.value("forwardingPreserved", Json::array());
                for (const Json& f : gr.value("families", Json::array())) {
                    const bool kept = std::find(fwd.begin(), fwd.end(), f) != fwd.end();
                    families += (families.empty() ? "" : ",") + f.get<std::string>() + (kept ? "(F)" : "");
                }
            }
            rows.push_back({text(s, "localAddress"), families.empty() ? "-" : families,
                            gr.value("negotiated", false) ? text(gr, "peerRestartTime") : "-",
                            gr.value("notification", false) ? "yes" : "no", text(gr, "phase"),
                            text(gr, "secondsLeft"), text(gr, "hardResetsSent")});
        }
        print_table({"LocalAddress", "GracefulRestart", "PeerRestartTime", "NBit", "Phase", "SecondsLeft",
                     "HardResetsSent"},
                    rows);
    }
}

void print_routes(const Json& by_instance) {
    std::vector<std::vector<std::string>> rows;
    bool any_stale = false;  // the Stale column only when a route is stale (a peer restarting or refreshing)
    for (const auto& [instance, list] : by_instance.items()) {
        for (const Json& r : list) {
            any_stale = any_stale || r.value("stale", false);
        }
    }
    for (const auto& [instance, list] : by_instance.items()) {
        for (const Json& r : list) {
            const std::string rpki = text(r, "rpki");
            rows.push_back({text(r, "localAddress"), text(r, "network"), text(r, "nextHop"),
                            text(r, "sourcePeer"), text(r, "origin"), text(r, "asPath"), text(r, "weight"),
                            rpki.empty() ? "-" : rpki});
            if (any_stale) {
                rows.back().push_back(r.value("stale", false) ? "stale" : "");
            }
        }
    }
    std::vector<std::string> header{"LocalAddress", "Network", "NextHop", "SourcePeer",
                                    "Origin",       "AsPath",  "Weight",  "Rpki"};
    if (any_stale) {
        header.emplace_back("Stale");
    }
    print_table(header, rows);
}

// Routes an import policy rejected: the route, then the policy and statement that rejected it.
void print_filtered_routes(const Json& by_instance) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [instance, list] : by_instance.items()) {
        for (const Json& r : list) {
            const Json& pol = r.contains("policy") ? r["policy"] : Json::object();
            rows.push_back({text(r, "localAddress"), text(r, "network"), text(r, "nextHop"),
                            text(r, "asPath"), text(pol, "name"), text(pol, "statement"),
                            text(pol, "decidedBy")});
        }
    }
    print_table({"LocalAddress", "Network", "NextHop", "AsPath", "Policy", "Statement", "DecidedBy"}, rows);
}

void print_rib(const Json& e) {
    std::cout << "Prefix:     " << text(e, "prefix") << "\n";
    std::cout << "ECMP set:   " << text(e, "ecmpNextHops") << "\n";
    std::cout << "Decided by: " << text(e, "decidedBy") << "\n\n";
    std::vector<std::vector<std::string>> rows;
    for (const Json& p : e["paths"]) {
        std::string flags = std::string(p.value("best", false) ? "best" : "") +
                            (p.value("ecmp", false) ? (p.value("best", false) ? ",ecmp" : "ecmp") : "");
        if (p.value("stale", false)) {
            flags += flags.empty() ? "stale" : ",stale";
        }
        rows.push_back({flags, text(p, "peer"), text(p, "peerAddress"), text(p, "nextHops"),
                        text(p, "asPath"), text(p, "origin"), text(p, "communities"), text(p, "rewrittenBy"),
                        text(p, "rpki")});
    }
    print_table(
        {"Flags", "Peer", "PeerAddress", "NextHop", "AsPath", "Origin", "Communities", "RewrittenBy", "Rpki"},
        rows);
}

// rfctl rpki show: the table's state, then one row per RTR cache.
void print_rpki(const Json& j) {
    if (!j.value("enabled", false)) {
        std::cout << "RPKI origin validation is off (no rpki section): every route's validity is unknown\n";
        return;
    }
    const Json& roas = j["roas"];
    const Json& routes = j["routes"];
    std::cout << "State:   " << text(j, "state")
              << (j.value("usable", false) ? "" : " (routes are not validated)") << "\n";
    std::cout << "ROAs:    " << text(roas, "ipv4") << " IPv4, " << text(roas, "ipv6") << " IPv6\n";
    std::cout << "Routes:  " << text(routes, "valid") << " valid, " << text(routes, "invalid") << " invalid, "
              << text(routes, "notFound") << " not-found, " << text(routes, "unknown") << " unknown\n\n";
    std::vector<std::vector<std::string>> rows;
    for (const Json& c : j["caches"]) {
        const std::string since =
            c["secondsSinceSync"].is_null() ? "never" : text(c, "secondsSinceSync") + "s ago";
        rows.push_back({text(c, "address") + ":" + text(c, "port"), text(c, "preference"), text(c, "state"),
                        text(c, "serial"), text(c, "sessionId"), text(c, "roas"), since, text(c, "detail")});
    }
    print_table({"Cache", "Preference", "State", "Serial", "Session", "ROAs", "LastSync", "Detail"}, rows);
}

void print_effective_routes(const Json& r) {
    std::vector<std::vector<std::string>> rows;
    for (const Json& row : r["value"]) {
        rows.push_back({text(row, "source"), text(row, "state"), text(row, "addressPrefix"),
                        text(row, "nextHopType"), text(row, "nextHopIpAddress"), text(row, "reason")});
    }
    print_table({"Source", "State", "Address Prefix", "Next Hop Type", "Next Hop IP", "Reason"}, rows);
}

void print_routeserver(const Json& j) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : j.items()) {
        rows.push_back({k, text(j, k.c_str())});
    }
    print_table({"Property", "Value"}, rows);
}

void print_emulator(const Json& j) {
    print_table({"Running", "Hosts", "VMs", "Workers"},
                {{text(j, "running"), text(j, "hosts"), text(j, "vms"), text(j, "workers")}});
    std::vector<std::vector<std::string>> rows;
    if (j.contains("counters")) {
        for (const auto& [k, v] : j["counters"].items()) {
            rows.push_back({k, v.dump()});
        }
    }
    if (j.contains("convergence")) {
        for (const auto& [k, v] : j["convergence"].items()) {
            rows.push_back({"convergence." + k, v.dump()});
        }
    }
    if (!rows.empty()) {
        std::cout << "\n";
        print_table({"Counter", "Value"}, rows);
    }
}

std::string encode_segment(const std::string& s) {
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
            out += c;
        } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

// What to do next, per API error code (the server's message says what happened).
const char* hint(const std::string& code) {
    static const std::pair<const char*, const char*> kHints[] = {
        {"PeeringNotFound", "list the peerings with 'rfctl peering list'"},
        {"PeerLimitReached",
         "delete a peering ('rfctl peering delete NAME') or raise route_server.max_peers"},
        {"DuplicatePeering", "'rfctl peering list' shows the names and addresses in use"},
        {"Unauthorized",
         "pass the API token with --token TOKEN or RFCTL_TOKEN (api.token in the configuration)"},
        {"VmNotFound", "VM names come from virtual_network.vms in the configuration"},
        {"SubnetNotFound", "name the subnet as VNET/SUBNET"},
        {"RouteNotFound",
         "the Loc-RIB has no route for exactly this prefix; check 'rfctl peering list-learned-routes'"},
        {"NotAvailable", "enable the component in the configuration (e.g. emulator.enabled) and restart"},
    };
    for (const auto& [c, h] : kHints) {
        if (code == c) {
            return h;
        }
    }
    return nullptr;
}

// Maps an HTTP status to the exit code.
int exit_for_status(unsigned status) {
    if (status == 404) {
        return kNotFound;
    }
    if (status == 409) {
        return kConflict;
    }
    return kOther;
}

// One request to the REST API and how to print its answer.
struct ApiCall {
    std::string method = "GET";
    std::string target;
    std::string body;
    void (*printer)(const Json&) = nullptr;
    std::string output_file;  // a binary answer (an MRT dump) goes to this file, "-" for stdout
};

// Writes a binary answer to `path` ("-": stdout) through a temporary file beside it, so FILE is either
// the whole dump or left as it was. kOk or kOther.
int write_answer(const std::string& path, const std::string& body, bool json) {
    if (path == "-") {
        std::cout.write(body.data(), static_cast<std::streamsize>(body.size()));
        std::cout.flush();
        return std::cout ? kOk : kOther;
    }
    const std::string tmp = path + ".part";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f.write(body.data(), static_cast<std::streamsize>(body.size()));
        f.close();
        if (!f) {
            std::remove(tmp.c_str());
            std::cerr << "rfctl: cannot write " << path << ": " << std::strerror(errno) << "\n";
            return kOther;
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::cerr << "rfctl: cannot write " << path << ": " << std::strerror(errno) << "\n";
        std::remove(tmp.c_str());
        return kOther;
    }
    if (json) {
        std::cout << Json{{"file", path}, {"bytes", body.size()}}.dump(2) << "\n";
    } else {
        std::cout << "wrote " << body.size() << " bytes (MRT TABLE_DUMP_V2) to " << path << "\n";
    }
    return kOk;
}

// `peering create`: the request body from the flags.
int create_peering_call(const Options& o, ApiCall& call) {
    Json req = Json::object();
    for (const char* required : {"name", "peer-ip", "peer-asn"}) {
        if (o.flags.count(required) == 0) {
            return usage_error(std::string("'peering create' needs --") + required);
        }
    }
    req["name"] = o.flags.at("name");
    req["peerIp"] = o.flags.at("peer-ip");
    static const std::pair<const char*, const char*> kNumbers[] = {
        {"peer-asn", "peerAsn"},
        {"ttl", "ttl"},
        {"port", "port"},
        {"route-limit", "routeLimit"},
        {"route-limit-warning-percent", "routeLimitWarningPercent"},
        {"hold-time", "holdTime"}};
    for (const auto& [flag, field] : kNumbers) {
        if (auto it = o.flags.find(flag); it != o.flags.end()) {
            char* end = nullptr;
            const unsigned long long v = std::strtoull(it->second.c_str(), &end, 10);
            if (it->second.empty() || *end != '\0' || it->second[0] == '-') {
                return usage_error("--" + std::string(flag) + " needs a number, got '" + it->second + "'");
            }
            req[field] = v;
        }
    }
    if (auto it = o.flags.find("md5-password"); it != o.flags.end()) {
        req["md5Password"] = it->second;
    }
    if (auto it = o.flags.find("local-address"); it != o.flags.end()) {
        req["localAddress"] = it->second;
    }
    if (auto it = o.flags.find("route-limit-action"); it != o.flags.end()) {
        req["routeLimitAction"] = it->second;
    }
    if (o.active) {
        req["passive"] = false;
    }
    if (o.gtsm) {
        req["gtsm"] = true;
    }
    call.method = "POST";
    call.target = "/api/v1/peerings";
    call.body = req.dump();
    call.printer = print_peering;
    return kOk;
}

// The API call a command line asks for; kOk, or the usage error's exit code.
int call_for(const Options& o, ApiCall& call) {
    const auto& w = o.words;
    auto need = [&](std::size_t n) { return w.size() == n; };
    auto name_arg = [&](std::size_t pos) -> std::optional<std::string> {
        if (w.size() > pos) {
            return w[pos];
        }
        if (auto it = o.flags.find("name"); it != o.flags.end()) {
            return it->second;
        }
        return std::nullopt;
    };

    std::string group = w.empty() ? "" : w[0];
    std::string verb = w.size() > 1 ? w[1] : "";
    if (o.filtered && !(group == "peering" && verb == "list-learned-routes")) {
        return usage_error("--filtered goes with 'peering list-learned-routes'");
    }

    if (group == "routeserver" && verb == "show" && need(2)) {
        call.target = "/api/v1/routeserver";
        call.printer = print_routeserver;
    } else if (group == "peering" && verb == "list" && need(2)) {
        call.target = "/api/v1/peerings";
        call.printer = [](const Json& j) { print_peerings(j["value"]); };
    } else if (group == "peering" && (verb == "show" || verb == "delete" || verb == "list-learned-routes" ||
                                      verb == "list-advertised-routes")) {
        const auto name = name_arg(2);
        if (!name || w.size() > 3) {
            return usage_error("'peering " + verb + "' takes one peering name");
        }
        call.target = "/api/v1/peerings/" + encode_segment(*name);
        if (verb == "show") {
            call.printer = print_peering;
        } else if (verb == "delete") {
            call.method = "DELETE";
            call.printer = [](const Json& j) { std::cout << "deleted peering " << text(j, "name") << "\n"; };
        } else {
            call.target += verb == "list-learned-routes"
                               ? (o.filtered ? "/filtered-routes" : "/learned-routes")
                               : "/advertised-routes";
            call.printer = o.filtered ? print_filtered_routes : print_routes;
        }
    } else if (group == "peering" && verb == "reset") {
        const auto name = name_arg(2);
        if (!name || w.size() > 3) {
            return usage_error("'peering reset' takes one peering name");
        }
        call.method = "POST";
        call.target = "/api/v1/peerings/" + encode_segment(*name) + "/reset";
        call.printer = [](const Json& j) {
            std::cout << "reset peering " << text(j, "name") << ": " << text(j, "sessionsReset")
                      << " established session(s) reset, " << text(j, "sessionsRestarted")
                      << " idle session(s) started again\n";
        };
    } else if (group == "peering" && verb == "create" && need(2)) {
        return create_peering_call(o, call);
    } else if (group == "rib" && verb == "dump") {
        if (!need(3)) {
            return usage_error("'rib dump' takes one file name ('-' for standard output)");
        }
        call.target = "/api/v1/rib/mrt";
        call.output_file = w[2];
    } else if (group == "rib" && verb == "show" && need(3)) {
        call.target = "/api/v1/rib/" + encode_segment(w[2]);
        call.printer = print_rib;
    } else if ((group == "vm" || group == "subnet") && verb == "effective-routes") {
        const auto name = name_arg(2);
        if (!name || w.size() > 3) {
            return usage_error("'" + group + " effective-routes' takes one name");
        }
        call.target = std::string(group == "vm" ? "/api/v1/vms/" : "/api/v1/subnets/") +
                      encode_segment(*name) + "/effective-routes";
        call.printer = print_effective_routes;
    } else if (group == "rpki" && (need(1) || (verb == "show" && need(2)))) {
        call.target = "/api/v1/rpki";
        call.printer = print_rpki;
    } else if (group == "emulator" && verb == "stats" && need(2)) {
        call.target = "/api/v1/emulator/stats";
        call.printer = print_emulator;
    } else if (group == "bmp" && verb == "list" && need(2)) {
        call.target = "/api/v1/bmp";
        call.printer = [](const Json& j) {
            std::vector<std::vector<std::string>> rows;
            for (const auto& c : j["collectors"]) {
                std::string tables;
                for (const auto& t : c["routeMonitoring"]) {
                    tables += (tables.empty() ? "" : ",") + t.get<std::string>();
                }
                rows.push_back({text(c, "name"), text(c, "address"), tables, text(c, "state"),
                                text(c, "messages"), text(c, "bytes"), text(c, "resyncs"),
                                text(c, "overflowResets"), text(c, "bufferedBytes")});
            }
            print_table({"Name", "Address", "RouteMonitoring", "State", "Messages", "Bytes", "Resyncs",
                         "OverflowResets", "Buffered"},
                        rows);
        };
    } else if (w.empty()) {
        return usage_error("no command given");
    } else {
        std::string cmd;
        for (const auto& s : w) {
            cmd += (cmd.empty() ? "" : " ") + s;
        }
        return usage_error("unknown command '" + cmd + "'");
    }
    return kOk;
}

// Sends the call and prints the answer (or the error, with a hint); the exit code.
int perform(const Options& o, const ApiCall& call) {
    auto url = rf::api::parse_server_url(o.server);
    if (!url) {
        return usage_error(url.error());
    }
    // A dump of a large RIB takes longer than a query.
    const auto timeout = call.output_file.empty() ? std::chrono::seconds(10) : std::chrono::seconds(300);
    auto res = rf::api::http_request(*url, call.method, call.target, call.body, o.token, timeout);
    if (!res) {
        std::cerr << "rfctl: cannot reach the routefabric API at " << o.server << ": " << res.error()
                  << "\nIs routefabricd running with the API enabled (api.enabled, api.listen, api.port)? "
                     "Point rfctl at it with --server URL or RFCTL_SERVER.\n";
        return kUnreachable;
    }
    if (!call.output_file.empty() && res->status < 400) {
        return write_answer(call.output_file, res->body, o.json);
    }
    Json j;
    try {
        j = Json::parse(res->body);
    } catch (const Json::parse_error&) {
        std::cerr << "rfctl: the server at " << o.server << " answered HTTP " << res->status
                  << " with a body that is not JSON; is it routefabricd?\n";
        return kOther;
    }
    if (res->status >= 400) {
        const Json err = j.contains("error") ? j["error"] : Json::object();
        if (o.json) {
            std::cout << j.dump(2) << "\n";
        }
        const std::string code = err.value("code", std::string("Unknown"));
        std::cerr << "rfctl: error " << res->status << " " << code << ": "
                  << err.value("message", std::string("(no message)")) << "\n";
        if (const char* h = hint(code)) {
            std::cerr << "hint: " << h << "\n";
        }
        return exit_for_status(res->status);
    }
    if (o.json) {
        std::cout << j.dump(2) << "\n";
    } else if (call.printer != nullptr) {
        call.printer(j);
    }
    return kOk;
}

int run(const Options& o) {
    ApiCall call;
    if (const int rc = call_for(o, call); rc != kOk) {
        return rc;
    }
    return perform(o, call);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (const char* s = std::getenv("RFCTL_SERVER")) {
        o.server = s;
    }
    if (o.server.empty()) {
        o.server = "http://127.0.0.1:9179";
    }
    if (const char* t = std::getenv("RFCTL_TOKEN")) {
        o.token = t;
    }
    static const char* const kValueFlags[] = {
        "name",      "peer-ip",      "peer-asn",           "ttl",
        "port",      "route-limit",  "route-limit-action", "route-limit-warning-percent",
        "hold-time", "md5-password", "local-address"};
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            auto value = [&]() -> std::optional<std::string> {
                if (i + 1 >= argc) {
                    return std::nullopt;
                }
                return std::string(argv[++i]);
            };
            if (a == "-h" || a == "--help") {
                std::cout << kUsageText;
                return kOk;
            }
            if (a == "--server" || a == "--token" || a == "-o" || a == "--output") {
                auto v = value();
                if (!v) {
                    return usage_error(a + " needs a value");
                }
                if (a == "--server") {
                    o.server = *v;
                } else if (a == "--token") {
                    o.token = *v;
                } else if (*v == "json") {
                    o.json = true;
                } else if (*v == "table") {
                    o.json = false;
                } else {
                    return usage_error("-o takes table or json, not '" + *v + "'");
                }
            } else if (a == "--active") {
                o.active = true;
            } else if (a == "--gtsm") {
                o.gtsm = true;
            } else if (a == "--filtered") {
                o.filtered = true;
            } else if (a.rfind("--", 0) == 0) {
                const std::string flag = a.substr(2);
                bool known = false;
                for (const char* f : kValueFlags) {
                    known = known || flag == f;
                }
                if (!known) {
                    return usage_error("unknown option " + a);
                }
                auto v = value();
                if (!v) {
                    return usage_error(a + " needs a value");
                }
                o.flags[flag] = *v;
            } else {
                o.words.push_back(a);
            }
        }
        return run(o);
    } catch (const std::exception& e) {
        std::cerr << "rfctl: " << e.what() << "\n";
        return kOther;
    }
}
