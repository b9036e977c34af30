#include "daemon/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "control/azure/asn.hpp"

namespace rf::config {

// ------------------------------------------------------------------------------------------ enums

std::string_view to_string(RouteCounting c) {
    return c == RouteCounting::AzureStrict ? "azure-strict" : "distinct";
}
std::string_view to_string(Mode m) {
    return m == Mode::Transparent ? "transparent" : "azure";
}
std::optional<RouteCounting> parse_route_counting(std::string_view s) {
    if (s == "distinct") {
        return RouteCounting::Distinct;
    }
    if (s == "azure-strict") {
        return RouteCounting::AzureStrict;
    }
    return std::nullopt;
}
std::string_view to_string(AddPath a) {
    switch (a) {
        case AddPath::Receive:
            return "receive";
        case AddPath::Send:
            return "send";
        case AddPath::Both:
            return "both";
        case AddPath::None:
            break;
    }
    return "none";
}
std::optional<AddPath> parse_add_path(std::string_view s) {
    for (const AddPath a : {AddPath::None, AddPath::Receive, AddPath::Send, AddPath::Both}) {
        if (s == to_string(a)) {
            return a;
        }
    }
    return std::nullopt;
}
std::optional<Mode> parse_mode(std::string_view s) {
    if (s == "azure") {
        return Mode::Azure;
    }
    if (s == "transparent") {
        return Mode::Transparent;
    }
    return std::nullopt;
}

namespace {
constexpr std::pair<UdrNextHopType, std::string_view> kUdrTypes[] = {
    {UdrNextHopType::VirtualAppliance, "VirtualAppliance"},
    {UdrNextHopType::VirtualNetworkGateway, "VirtualNetworkGateway"},
    {UdrNextHopType::Internet, "Internet"},
    {UdrNextHopType::None, "None"},
};
}  // namespace

std::string_view to_string(UdrNextHopType t) {
    for (const auto& [type, name] : kUdrTypes) {
        if (type == t) {
            return name;
        }
    }
    return "None";
}
std::optional<UdrNextHopType> parse_udr_next_hop_type(std::string_view s) {
    for (const auto& [type, name] : kUdrTypes) {
        if (name == s) {
            return type;
        }
    }
    return std::nullopt;
}

// ------------------------------------------------------------------------------------------ Config

const PeerConfig* Config::find_peer(std::string_view name) const {
    for (const PeerConfig& p : peers) {
        if (p.name == name) {
            return &p;
        }
    }
    return nullptr;
}

std::optional<net::Ipv4Address> Config::effective_router_id() const {
    if (route_server.router_id) {
        return route_server.router_id;
    }
    for (const net::IpAddress& a : route_server.listen) {
        if (a.is_v4()) {
            return a.as_v4();
        }
    }
    return std::nullopt;
}

std::string format_errors(const Errors& errors) {
    std::string out;
    for (const ConfigError& e : errors) {
        out += e.to_string();
        out += '\n';
    }
    return out;
}

// ------------------------------------------------------------------------------------------ parsing

namespace {

std::string at(std::string_view base, std::size_t i) {
    return std::string(base) + "[" + std::to_string(i) + "]";
}
std::string join(std::string_view base, std::string_view key) {
    return base.empty() ? std::string(key) : std::string(base) + "." + std::string(key);
}
std::string line_of(const YAML::Node& n) {
    const YAML::Mark m = n.Mark();
    return m.line >= 0 ? " (line " + std::to_string(m.line + 1) + ")" : std::string();
}

// The keys allowed in each map, by schema path ("peers[]" → {"name", "address", ...}).
const std::map<std::string, std::set<std::string>, std::less<>>& allowed_keys() {
    static const auto table = [] {
        std::map<std::string, std::set<std::string>, std::less<>> t;
        t[""];  // the document root
        for (const KeyInfo& k : schema()) {
            const std::string path(k.path);
            const auto dot = path.rfind('.');
            const std::string parent = dot == std::string::npos ? "" : path.substr(0, dot);
            t[parent].insert(dot == std::string::npos ? path : path.substr(dot + 1));
        }
        return t;
    }();
    return table;
}

class Reader {
public:
    explicit Reader(Errors& errors) : errors_(errors) {}

    void error(std::string path, std::string message, ErrorKind kind) {
        errors_.push_back(ConfigError{std::move(path), std::move(message), kind});
    }

    // True when `n` is a map; reports keys the schema does not know under `schema_path`.
    bool map(const YAML::Node& n, const std::string& path, std::string_view schema_path) {
        if (!n.IsMap()) {
            error(path, "expected a map" + line_of(n), ErrorKind::Syntax);
            return false;
        }
        const auto& keys = allowed_keys().find(schema_path)->second;
        for (const auto& kv : n) {
            const std::string key = kv.first.Scalar();
            if (keys.count(key) == 0) {
                error(join(path, key), "unknown key" + line_of(kv.first) + suggestion(key, keys),
                      ErrorKind::UnknownKey);
            }
        }
        return true;
    }

    bool list(const YAML::Node& n, const std::string& path) {
        if (n.IsNull()) {
            return false;  // "peers:" with nothing after it: an empty list
        }
        if (!n.IsSequence()) {
            error(path, "expected a list" + line_of(n), ErrorKind::Syntax);
            return false;
        }
        return true;
    }

    bool scalar(const YAML::Node& n, const std::string& path, std::string_view what) {
        if (!n.IsScalar()) {
            error(path, "expected " + std::string(what) + line_of(n), ErrorKind::Syntax);
            return false;
        }
        return true;
    }

    template <typename T>
    void number(const YAML::Node& n, const std::string& path, T& out) {
        if (!scalar(n, path, "a number")) {
            return;
        }
        const std::string& s = n.Scalar();
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
            error(path, "'" + s + "' is not a non-negative whole number" + line_of(n), ErrorKind::Syntax);
            return;
        }
        if (v > std::numeric_limits<T>::max()) {
            error(path,
                  s + " is out of range (at most " + std::to_string(std::numeric_limits<T>::max()) + ")" +
                      line_of(n),
                  ErrorKind::Invalid);
            return;
        }
        out = static_cast<T>(v);
    }
    template <typename T>
    void number(const YAML::Node& n, const std::string& path, std::optional<T>& out) {
        T v{};
        const std::size_t before = errors_.size();
        number(n, path, v);
        if (errors_.size() == before) {
            out = v;
        }
    }

    void boolean(const YAML::Node& n, const std::string& path, bool& out) {
        if (!scalar(n, path, "true or false")) {
            return;
        }
        const std::string& s = n.Scalar();
        if (s == "true" || s == "True" || s == "yes" || s == "on") {
            out = true;
        } else if (s == "false" || s == "False" || s == "no" || s == "off") {
            out = false;
        } else {
            error(path, "'" + s + "' is not true or false" + line_of(n), ErrorKind::Syntax);
        }
    }

    void string(const YAML::Node& n, const std::string& path, std::string& out) {
        if (n.IsNull()) {
            out.clear();
            return;
        }
        if (scalar(n, path, "a string")) {
            out = n.Scalar();
        }
    }

    void address(const YAML::Node& n, const std::string& path, net::IpAddress& out) {
        if (!scalar(n, path, "an IP address")) {
            return;
        }
        if (auto a = net::IpAddress::parse(n.Scalar())) {
            out = *a;
        } else {
            error(path, "'" + n.Scalar() + "' is not an IP address" + line_of(n), ErrorKind::Syntax);
        }
    }
    void address(const YAML::Node& n, const std::string& path, std::optional<net::IpAddress>& out) {
        net::IpAddress a;
        const std::size_t before = errors_.size();
        address(n, path, a);
        if (errors_.size() == before) {
            out = a;
        }
    }

    void prefix(const YAML::Node& n, const std::string& path, net::Prefix& out) {
        if (!scalar(n, path, "a prefix")) {
            return;
        }
        if (auto p = net::Prefix::parse(n.Scalar())) {
            out = *p;
        } else {
            error(path, "'" + n.Scalar() + "' is not a prefix (address/length, host bits zero)" + line_of(n),
                  ErrorKind::Syntax);
        }
    }

    void required(const YAML::Node& map, std::string_view key, const std::string& path) {
        if (!map[std::string(key)]) {
            error(join(path, key), "is required", ErrorKind::Missing);
        }
    }

private:
    static std::string suggestion(const std::string& key, const std::set<std::string>& keys) {
        // A near miss (one edit or a case/dash difference) is most likely a typo: name the real key.
        auto norm = [](std::string s) {
            std::transform(s.begin(), s.end(), s.begin(), [](char c) {
                return c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            });
            return s;
        };
        for (const std::string& k : keys) {
            if (norm(k) == norm(key) || distance(k, key) <= 1) {
                return "; did you mean '" + k + "'?";
            }
        }
        std::string all;
        for (const std::string& k : keys) {
            all += all.empty() ? k : ", " + k;
        }
        return "; allowed: " + all;
    }
    static std::size_t distance(const std::string& a, const std::string& b) {
        std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j) {
            prev[j] = j;
        }
        for (std::size_t i = 1; i <= a.size(); ++i) {
            cur[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                cur[j] =
                    std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0U : 1U)});
            }
            std::swap(prev, cur);
        }
        return prev[b.size()];
    }

    Errors& errors_;
};

void read_route_server(Reader& r, const YAML::Node& n, RouteServerConfig& rs) {
    const std::string p = "route_server";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["asn"]) {
        r.number(v, p + ".asn", rs.asn);
    }
    if (auto v = n["router_id"]) {
        net::IpAddress a;
        r.address(v, p + ".router_id", a);
        if (a.is_v4()) {
            rs.router_id = a.as_v4();
        } else {
            r.error(p + ".router_id", "must be an IPv4 address" + line_of(v), ErrorKind::Invalid);
        }
    }
    r.required(n, "listen", p);
    if (auto v = n["listen"]; v && r.list(v, p + ".listen")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            net::IpAddress a;
            const std::string f = at(p + ".listen", i);
            if (v[i].IsScalar() && !net::IpAddress::parse(v[i].Scalar())) {
                r.error(f, "not an IP address: '" + v[i].Scalar() + "'" + line_of(v[i]), ErrorKind::Syntax);
                continue;
            }
            r.address(v[i], f, a);
            rs.listen.push_back(a);
        }
    }
    if (auto v = n["port"]) {
        r.number(v, p + ".port", rs.port);
    }
    if (auto v = n["keepalive"]) {
        r.number(v, p + ".keepalive", rs.keepalive);
    }
    if (auto v = n["hold_time"]) {
        r.number(v, p + ".hold_time", rs.hold_time);
    }
    if (auto v = n["connect_retry"]) {
        r.number(v, p + ".connect_retry", rs.connect_retry);
    }
    if (auto v = n["idle_hold"]) {
        r.number(v, p + ".idle_hold", rs.idle_hold);
    }
    if (auto v = n["idle_hold_max"]) {
        r.number(v, p + ".idle_hold_max", rs.idle_hold_max);
    }
    if (auto v = n["max_peers"]) {
        r.number(v, p + ".max_peers", rs.max_peers);
    }
    if (auto v = n["route_limit"]) {
        r.number(v, p + ".route_limit", rs.route_limit);
    }
    if (auto v = n["max_output_mib"]) {
        r.number(v, p + ".max_output_mib", rs.max_output_mib);
    }
    if (auto v = n["route_counting"]; v && r.scalar(v, p + ".route_counting", "distinct or azure-strict")) {
        if (auto c = parse_route_counting(v.Scalar())) {
            rs.route_counting = *c;
        } else {
            r.error(p + ".route_counting",
                    "'" + v.Scalar() + "' is not one of: distinct, azure-strict" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
    if (auto v = n["four_byte_asn"]) {
        r.boolean(v, p + ".four_byte_asn", rs.four_byte_asn);
    }
    if (auto v = n["mode"]; v && r.scalar(v, p + ".mode", "azure or transparent")) {
        if (auto m = parse_mode(v.Scalar())) {
            rs.mode = *m;
        } else {
            r.error(p + ".mode", "'" + v.Scalar() + "' is not one of: azure, transparent" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
    if (auto v = n["branch_to_branch"]) {
        r.boolean(v, p + ".branch_to_branch", rs.branch_to_branch);
    }
}

void read_peer(Reader& r, const YAML::Node& n, const std::string& p, PeerConfig& peer) {
    if (!r.map(n, p, "peers[]")) {
        return;
    }
    r.required(n, "name", p);
    r.required(n, "address", p);
    r.required(n, "asn", p);
    if (auto v = n["name"]) {
        r.string(v, p + ".name", peer.name);
    }
    if (auto v = n["address"]) {
        r.address(v, p + ".address", peer.address);
    }
    if (auto v = n["asn"]) {
        r.number(v, p + ".asn", peer.asn);
    }
    if (auto v = n["port"]) {
        r.number(v, p + ".port", peer.port);
    }
    if (auto v = n["ttl"]) {
        r.number(v, p + ".ttl", peer.ttl);
    }
    if (auto v = n["md5_password"]) {
        r.string(v, p + ".md5_password", peer.md5_password);
    }
    if (auto v = n["route_limit"]) {
        r.number(v, p + ".route_limit", peer.route_limit);
    }
    if (auto v = n["passive"]) {
        r.boolean(v, p + ".passive", peer.passive);
    }
    if (auto v = n["hold_time"]) {
        r.number(v, p + ".hold_time", peer.hold_time);
    }
    if (auto v = n["local_address"]) {
        r.address(v, p + ".local_address", peer.local_address);
    }
    if (auto v = n["add_path"]; v && r.scalar(v, p + ".add_path", "none, receive, send or both")) {
        if (auto a = parse_add_path(v.Scalar())) {
            peer.add_path = *a;
        } else {
            r.error(p + ".add_path",
                    "'" + v.Scalar() + "' is not one of: none, receive, send, both" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
}

void read_vnet(Reader& r, const YAML::Node& n, const std::string& p, Vnet& vnet) {
    if (!r.map(n, p, "virtual_network.vnets[]")) {
        return;
    }
    r.required(n, "name", p);
    r.required(n, "address_spaces", p);
    if (auto v = n["name"]) {
        r.string(v, p + ".name", vnet.name);
    }
    if (auto v = n["address_spaces"]; v && r.list(v, p + ".address_spaces")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            net::Prefix pf;
            r.prefix(v[i], at(p + ".address_spaces", i), pf);
            vnet.address_spaces.push_back(pf);
        }
    }
    if (auto v = n["subnets"]; v && r.list(v, p + ".subnets")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string sp = at(p + ".subnets", i);
            Subnet s;
            if (r.map(v[i], sp, "virtual_network.vnets[].subnets[]")) {
                r.required(v[i], "name", sp);
                r.required(v[i], "prefix", sp);
                if (auto x = v[i]["name"]) {
                    r.string(x, sp + ".name", s.name);
                }
                if (auto x = v[i]["prefix"]) {
                    r.prefix(x, sp + ".prefix", s.prefix);
                }
                if (auto x = v[i]["route_table"]) {
                    r.string(x, sp + ".route_table", s.route_table);
                }
            }
            vnet.subnets.push_back(std::move(s));
        }
    }
    if (auto v = n["peerings"]; v && r.list(v, p + ".peerings")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string pp = at(p + ".peerings", i);
            VnetPeering peering;
            if (r.map(v[i], pp, "virtual_network.vnets[].peerings[]")) {
                r.required(v[i], "remote_vnet", pp);
                if (auto x = v[i]["remote_vnet"]) {
                    r.string(x, pp + ".remote_vnet", peering.remote_vnet);
                }
                if (auto x = v[i]["use_remote_route_server"]) {
                    r.boolean(x, pp + ".use_remote_route_server", peering.use_remote_route_server);
                }
            }
            vnet.peerings.push_back(std::move(peering));
        }
    }
}

void read_route_table(Reader& r, const YAML::Node& n, const std::string& p, RouteTable& rt) {
    if (!r.map(n, p, "virtual_network.route_tables[]")) {
        return;
    }
    r.required(n, "name", p);
    if (auto v = n["name"]) {
        r.string(v, p + ".name", rt.name);
    }
    if (auto v = n["propagate_gateway_routes"]) {
        r.boolean(v, p + ".propagate_gateway_routes", rt.propagate_gateway_routes);
    }
    if (auto v = n["routes"]; v && r.list(v, p + ".routes")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string rp = at(p + ".routes", i);
            UserDefinedRoute udr;
            if (r.map(v[i], rp, "virtual_network.route_tables[].routes[]")) {
                r.required(v[i], "name", rp);
                r.required(v[i], "prefix", rp);
                r.required(v[i], "next_hop_type", rp);
                if (auto x = v[i]["name"]) {
                    r.string(x, rp + ".name", udr.name);
                }
                if (auto x = v[i]["prefix"]) {
                    r.prefix(x, rp + ".prefix", udr.prefix);
                }
                if (auto x = v[i]["next_hop_type"];
                    x && r.scalar(x, rp + ".next_hop_type", "a next hop type")) {
                    if (auto t = parse_udr_next_hop_type(x.Scalar())) {
                        udr.next_hop_type = *t;
                    } else {
                        r.error(
                            rp + ".next_hop_type",
                            "'" + x.Scalar() +
                                "' is not one of: VirtualAppliance, VirtualNetworkGateway, Internet, None" +
                                line_of(x),
                            ErrorKind::Invalid);
                    }
                }
                if (auto x = v[i]["next_hop_ip"]) {
                    r.address(x, rp + ".next_hop_ip", udr.next_hop_ip);
                }
            }
            rt.routes.push_back(std::move(udr));
        }
    }
}

void read_virtual_network(Reader& r, const YAML::Node& n, VirtualNetworkConfig& vn) {
    const std::string p = "virtual_network";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["route_server_vnet"]) {
        r.string(v, p + ".route_server_vnet", vn.route_server_vnet);
    }
    if (auto v = n["vnets"]; v && r.list(v, p + ".vnets")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            vn.vnets.emplace_back();
            read_vnet(r, v[i], at(p + ".vnets", i), vn.vnets.back());
        }
    }
    if (auto v = n["route_tables"]; v && r.list(v, p + ".route_tables")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            vn.route_tables.emplace_back();
            read_route_table(r, v[i], at(p + ".route_tables", i), vn.route_tables.back());
        }
    }
    if (auto v = n["vms"]; v && r.list(v, p + ".vms")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string vp = at(p + ".vms", i);
            Vm vm;
            if (r.map(v[i], vp, "virtual_network.vms[]")) {
                for (const char* key : {"name", "vnet", "subnet", "nic_address"}) {
                    r.required(v[i], key, vp);
                }
                if (auto x = v[i]["name"]) {
                    r.string(x, vp + ".name", vm.name);
                }
                if (auto x = v[i]["vnet"]) {
                    r.string(x, vp + ".vnet", vm.vnet);
                }
                if (auto x = v[i]["subnet"]) {
                    r.string(x, vp + ".subnet", vm.subnet);
                }
                if (auto x = v[i]["nic_address"]) {
                    r.address(x, vp + ".nic_address", vm.nic_address);
                }
                if (auto x = v[i]["host"]) {
                    r.number(x, vp + ".host", vm.host);
                }
            }
            vn.vms.push_back(std::move(vm));
        }
    }
}

void read_emulator(Reader& r, const YAML::Node& n, EmulatorConfig& e) {
    const std::string p = "emulator";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["enabled"]) {
        r.boolean(v, p + ".enabled", e.enabled);
    }
    if (auto v = n["vm_count"]) {
        r.number(v, p + ".vm_count", e.vm_count);
    }
    if (auto v = n["vms_per_host"]) {
        r.number(v, p + ".vms_per_host", e.vms_per_host);
    }
    if (auto v = n["workers"]) {
        r.number(v, p + ".workers", e.workers);
    }
    if (auto v = n["flows_per_vm"]) {
        r.number(v, p + ".flows_per_vm", e.flows_per_vm);
    }
    if (auto v = n["flows6_per_vm"]) {
        r.number(v, p + ".flows6_per_vm", e.flows6_per_vm);
    }
    if (auto v = n["burst"]) {
        r.number(v, p + ".burst", e.burst);
    }
    if (auto v = n["pass_target_us"]) {
        r.number(v, p + ".pass_target_us", e.pass_target_us);
    }
    if (auto v = n["lab_address"]) {
        std::optional<net::IpAddress> a;
        r.address(v, p + ".lab_address", a);
        if (a && a->is_v4()) {
            e.lab_address = a->as_v4();
        } else if (a) {
            r.error(p + ".lab_address",
                    a->to_string() + " is not an IPv4 address (IPv6: lab_address6)" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
    if (auto v = n["lab_address6"]) {
        std::optional<net::IpAddress> a;
        r.address(v, p + ".lab_address6", a);
        if (a && !a->is_v4()) {
            e.lab_address6 = a->as_v6();
        } else if (a) {
            r.error(p + ".lab_address6",
                    a->to_string() + " is not an IPv6 address (IPv4: lab_address)" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
    if (auto v = n["neighbor_retry_ms"]) {
        r.number(v, p + ".neighbor_retry_ms", e.neighbor_retry_ms);
    }
    if (auto v = n["neighbor_reachable_ms"]) {
        r.number(v, p + ".neighbor_reachable_ms", e.neighbor_reachable_ms);
    }
    if (auto v = n["eal_args"]; v && r.list(v, p + ".eal_args")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            std::string s;
            r.string(v[i], at(p + ".eal_args", i), s);
            e.eal_args.push_back(std::move(s));
        }
    }
}

void read_api(Reader& r, const YAML::Node& n, ApiConfig& a) {
    const std::string p = "api";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["enabled"]) {
        r.boolean(v, p + ".enabled", a.enabled);
    }
    if (auto v = n["listen"]) {
        r.address(v, p + ".listen", a.listen);
    }
    if (auto v = n["port"]) {
        r.number(v, p + ".port", a.port);
    }
    if (auto v = n["token"]) {
        r.string(v, p + ".token", a.token);
    }
}

bool is_loopback(const net::IpAddress& a) {
    if (a.is_v4()) {
        return (a.as_v4().value >> 24) == 127;
    }
    const auto loop = net::IpAddress::parse("::1");
    return loop && a == *loop;
}

// Addresses a host may use as its own on a link: not unspecified, loopback, multicast, broadcast or
// (IPv4) reserved class E.
bool is_unicast(net::Ipv4Address a) {
    const std::uint32_t v = a.value;
    return v != 0 && (v >> 24) != 127 && (v >> 28) != 0xE && (v >> 28) != 0xF;
}
bool is_unicast(const net::Ipv6Address& a) {
    static const net::Ipv6Address loopback = *net::Ipv6Address::parse("::1");
    return a != net::Ipv6Address{} && a != loopback && a.bytes[0] != 0xFF;
}

bool valid_name(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
    });
}

}  // namespace

Errors parse_yaml(std::string_view yaml, Config& config) {
    Errors errors;
    Reader r(errors);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        // e.mark is 0-based; msg is yaml-cpp's reason ("end of map not found", ...).
        errors.push_back(ConfigError{"",
                                     "not valid YAML: " + e.msg + " (line " +
                                         std::to_string(e.mark.line + 1) + ", column " +
                                         std::to_string(e.mark.column + 1) + ")",
                                     ErrorKind::Syntax});
        return errors;
    }
    if (root.IsNull()) {
        errors.push_back(ConfigError{"", "the configuration is empty (route_server.listen is required)",
                                     ErrorKind::Missing});
        return errors;
    }
    try {
        if (!r.map(root, "", "")) {
            return errors;
        }
        r.required(root, "route_server", "");
        if (auto v = root["route_server"]) {
            read_route_server(r, v, config.route_server);
        }
        if (auto v = root["peers"]; v && r.list(v, "peers")) {
            for (std::size_t i = 0; i < v.size(); ++i) {
                config.peers.emplace_back();
                read_peer(r, v[i], at("peers", i), config.peers.back());
            }
        }
        if (auto v = root["virtual_network"]) {
            config.virtual_network.emplace();
            read_virtual_network(r, v, *config.virtual_network);
        }
        if (auto v = root["emulator"]) {
            read_emulator(r, v, config.emulator);
        }
        if (auto v = root["api"]) {
            read_api(r, v, config.api);
        }
    } catch (const YAML::Exception& e) {
        errors.push_back(
            ConfigError{"", std::string("unexpected YAML structure: ") + e.what(), ErrorKind::Syntax});
    }
    return errors;
}

// ------------------------------------------------------------------------------------------ validation

Errors validate_peer(const Config& config, std::size_t index) {
    Errors errors;
    const PeerConfig& peer = config.peers[index];
    const RouteServerConfig& rs = config.route_server;
    const std::string p = at("peers", index);
    auto error = [&](std::string_view field, std::string message, ErrorKind kind = ErrorKind::Invalid) {
        errors.push_back(ConfigError{p + "." + std::string(field), std::move(message), kind});
    };

    if (peer.name.empty()) {
        error("name", "is required", ErrorKind::Missing);
    } else if (!valid_name(peer.name)) {
        error("name", "'" + peer.name + "' may hold only letters, digits, '.', '_' and '-' (at most 64)");
    }
    if (peer.address == net::IpAddress{} || peer.address == net::IpAddress{net::Afi::Ipv6, {}}) {
        error("address", "must be the peer's unicast address, not " + peer.address.to_string());
    }
    for (const net::IpAddress& l : rs.listen) {
        if (peer.address == l) {
            error("address", peer.address.to_string() + " is one of the route server's listen addresses");
        }
    }
    for (std::size_t j = 0; j < index; ++j) {
        const PeerConfig& other = config.peers[j];
        if (!peer.name.empty() && other.name == peer.name) {
            error("name", "'" + peer.name + "' is already used by " + at("peers", j), ErrorKind::Duplicate);
        }
        if (other.address == peer.address) {
            error(
                "address",
                peer.address.to_string() + " is already used by " + at("peers", j) + " (" + other.name + ")",
                ErrorKind::Duplicate);
        }
    }

    const std::string asn = std::to_string(peer.asn);
    if (peer.asn == 0) {
        error("asn", "is required (ASN 0 is invalid)", ErrorKind::Missing);
    } else if (peer.asn == rs.asn) {
        error("asn", asn + " is the route server's own ASN; the peer needs a different ASN (eBGP)");
    } else if (const auto who = azure::reserved_by(peer.asn); who != azure::AsnReservation::None) {
        error("asn", asn + " is reserved by " + std::string(azure::to_string(who)));
    } else if (peer.asn > 0xFFFF && !rs.four_byte_asn) {
        error("asn", asn +
                         " is a 4-byte ASN; only 2-byte ASNs (1-65535) are accepted unless "
                         "route_server.four_byte_asn is true");
    }
    if (peer.port == 0) {
        error("port", "must be 1-65535");
    }
    if (peer.ttl == 0) {
        error("ttl", "must be 1-255 (1: directly connected, more: eBGP multihop)");
    }
    if (peer.md5_password.size() > 80) {
        error("md5_password",
              "is " + std::to_string(peer.md5_password.size()) + " bytes; TCP-MD5 keys are at most 80 bytes");
    }
    if (peer.hold_time && (*peer.hold_time == 1 || *peer.hold_time == 2)) {
        error("hold_time", "must be 0 or at least 3 seconds");
    }
    if (peer.local_address &&
        std::find(rs.listen.begin(), rs.listen.end(), *peer.local_address) == rs.listen.end()) {
        error("local_address", peer.local_address->to_string() + " is not one of route_server.listen");
    }
    return errors;
}

Errors validate(const Config& config) {
    Errors errors;
    auto error = [&](std::string path, std::string message, ErrorKind kind = ErrorKind::Invalid) {
        errors.push_back(ConfigError{std::move(path), std::move(message), kind});
    };
    const RouteServerConfig& rs = config.route_server;

    if (rs.asn == 0) {
        error("route_server.asn", "ASN 0 is invalid");
    } else if (rs.asn > 0xFFFF && !rs.four_byte_asn) {
        error("route_server.asn",
              std::to_string(rs.asn) + " is a 4-byte ASN; set route_server.four_byte_asn: true");
    } else if (rs.asn == 23456 || rs.asn == std::numeric_limits<std::uint32_t>::max()) {
        error("route_server.asn", std::to_string(rs.asn) + " is reserved by IANA");
    }
    if (rs.listen.empty()) {
        error("route_server.listen", "at least one listen address is required (Azure runs two)",
              ErrorKind::Missing);
    }
    for (std::size_t i = 0; i < rs.listen.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (rs.listen[i] == rs.listen[j]) {
                error(at("route_server.listen", i),
                      rs.listen[i].to_string() + " is listed twice (also route_server.listen[" +
                          std::to_string(j) + "])",
                      ErrorKind::Duplicate);
            }
        }
    }
    if (!rs.router_id && !rs.listen.empty() && !config.effective_router_id()) {
        error("route_server.router_id", "is required when no listen address is IPv4", ErrorKind::Missing);
    }
    if (rs.router_id && rs.router_id->value == 0) {
        error("route_server.router_id", "0.0.0.0 is not a valid BGP identifier");
    }
    if (rs.hold_time == 1 || rs.hold_time == 2) {
        error("route_server.hold_time", "must be 0 or at least 3 seconds (RFC 4271)");
    }
    if (rs.hold_time != 0 && rs.keepalive == 0) {
        error("route_server.keepalive", "must be at least 1 second when hold_time is not 0");
    } else if (rs.hold_time != 0 && rs.keepalive >= rs.hold_time) {
        error("route_server.keepalive", std::to_string(rs.keepalive) + " must be less than hold_time (" +
                                            std::to_string(rs.hold_time) + "); a third of it is usual");
    }
    if (rs.idle_hold_max < rs.idle_hold) {
        error("route_server.idle_hold_max",
              "must be at least idle_hold (" + std::to_string(rs.idle_hold) + ")");
    }
    if (rs.max_peers == 0) {
        error("route_server.max_peers", "must be at least 1");
    }
    if (rs.max_output_mib == 0 || rs.max_output_mib > 65536) {
        error("route_server.max_output_mib", std::to_string(rs.max_output_mib) + " is not in 1-65536 (MiB)");
    }

    for (std::size_t i = 0; i < config.peers.size(); ++i) {
        Errors pe = validate_peer(config, i);
        errors.insert(errors.end(), pe.begin(), pe.end());
    }
    if (rs.max_peers != 0 && config.peers.size() > rs.max_peers) {
        error(at("peers", rs.max_peers),
              std::to_string(config.peers.size()) + " peers configured but route_server.max_peers is " +
                  std::to_string(rs.max_peers) + "; remove a peer or raise route_server.max_peers",
              ErrorKind::LimitExceeded);
    }

    const EmulatorConfig& em = config.emulator;
    if (em.vms_per_host == 0) {
        error("emulator.vms_per_host", "must be at least 1");
    }
    if (em.enabled && em.workers == 0) {
        error("emulator.workers", "must be at least 1 when the emulator is enabled");
    }
    for (const auto& [field, flows] : {std::pair{"emulator.flows_per_vm", em.flows_per_vm},
                                       std::pair{"emulator.flows6_per_vm", em.flows6_per_vm}}) {
        if (flows > kMaxFlowsPerVm) {
            error(field, std::to_string(flows) + " is not in 0-" + std::to_string(kMaxFlowsPerVm));
        }
    }
    if (em.flows_per_vm == 0 && em.flows6_per_vm == 0) {
        error("emulator.flows_per_vm", "0, and flows6_per_vm is 0 too: the VMs would send nothing");
    }
    if (em.burst == 0 || em.burst > kMaxBurst) {
        error("emulator.burst", std::to_string(em.burst) + " is not in 1-" + std::to_string(kMaxBurst) +
                                    " (packets per host burst)");
    } else if (em.pass_target_us != 0 && em.burst < kMinAdaptiveBurst) {
        error("emulator.burst",
              std::to_string(em.burst) + " is below " + std::to_string(kMinAdaptiveBurst) +
                  ", the smallest burst a pass target sets; with pass_target_us: 0 bursts are "
                  "fixed and may be smaller");
    } else if (em.burst == 1 && em.flows_per_vm != 0 && em.flows6_per_vm != 0) {
        error("emulator.burst",
              "1 leaves no room for IPv4 packets next to the IPv6 one; at least 2 with both "
              "flows_per_vm and flows6_per_vm");
    }
    if (em.pass_target_us > kMaxPassTargetUs) {
        error("emulator.pass_target_us", std::to_string(em.pass_target_us) + " is not in 0-" +
                                             std::to_string(kMaxPassTargetUs) +
                                             " (microseconds; 0 = fixed bursts)");
    }
    if (em.lab_address && !is_unicast(*em.lab_address)) {
        error("emulator.lab_address", em.lab_address->to_string() + " is not an IPv4 unicast address");
    }
    if (em.lab_address6 && !is_unicast(*em.lab_address6)) {
        error("emulator.lab_address6", em.lab_address6->to_string() + " is not an IPv6 unicast address");
    }
    if (em.neighbor_retry_ms == 0 || em.neighbor_retry_ms > kMaxNeighborRetryMs) {
        error("emulator.neighbor_retry_ms", std::to_string(em.neighbor_retry_ms) + " is not in 1-" +
                                                std::to_string(kMaxNeighborRetryMs) + " (milliseconds)");
    }
    if (em.neighbor_reachable_ms < kMinNeighborReachableMs ||
        em.neighbor_reachable_ms > kMaxNeighborReachableMs) {
        error("emulator.neighbor_reachable_ms", std::to_string(em.neighbor_reachable_ms) + " is not in " +
                                                    std::to_string(kMinNeighborReachableMs) + "-" +
                                                    std::to_string(kMaxNeighborReachableMs) +
                                                    " (milliseconds)");
    }
    if (config.api.enabled && !is_loopback(config.api.listen) && config.api.token.empty()) {
        error("api.token", "is required when api.listen (" + config.api.listen.to_string() +
                               ") is not a loopback address; set a long random token");
    }
    return errors;
}

Result<Config, Errors> load_text(std::string_view yaml) {
    Config config;
    Errors errors = parse_yaml(yaml, config);
    const bool unreadable = std::any_of(errors.begin(), errors.end(), [](const ConfigError& e) {
        return e.kind == ErrorKind::Syntax && e.path.empty();
    });
    if (!unreadable) {
        // Values that failed to parse kept their defaults; do not report them a second time.
        std::set<std::string> bad;
        for (const ConfigError& e : errors) {
            bad.insert(e.path);
        }
        for (ConfigError& e : validate(config)) {
            if (bad.count(e.path) == 0) {
                errors.push_back(std::move(e));
            }
        }
    }
    if (!errors.empty()) {
        return unexpected(std::move(errors));
    }
    return config;
}

Result<Config, Errors> load_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return unexpected(Errors{ConfigError{"", "cannot read " + path, ErrorKind::Syntax}});
    }
    std::ostringstream text;
    text << in.rdbuf();
    return load_text(text.str());
}

// ------------------------------------------------------------------------------------------ emitting

namespace {

void emit_address_list(YAML::Emitter& out, const char* key, const std::vector<net::IpAddress>& list) {
    out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const net::IpAddress& a : list) {
        out << a.to_string();
    }
    out << YAML::EndSeq;
}

void emit_virtual_network(YAML::Emitter& out, const VirtualNetworkConfig& vn) {
    out << YAML::Key << "virtual_network" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "route_server_vnet" << YAML::Value << vn.route_server_vnet;
    out << YAML::Key << "vnets" << YAML::Value << YAML::BeginSeq;
    for (const Vnet& v : vn.vnets) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << v.name;
        out << YAML::Key << "address_spaces" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const net::Prefix& p : v.address_spaces) {
            out << p.to_string();
        }
        out << YAML::EndSeq;
        out << YAML::Key << "subnets" << YAML::Value << YAML::BeginSeq;
        for (const Subnet& s : v.subnets) {
            out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name << YAML::Key << "prefix"
                << YAML::Value << s.prefix.to_string();
            if (!s.route_table.empty()) {
                out << YAML::Key << "route_table" << YAML::Value << s.route_table;
            }
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
        out << YAML::Key << "peerings" << YAML::Value << YAML::BeginSeq;
        for (const VnetPeering& p : v.peerings) {
            out << YAML::BeginMap << YAML::Key << "remote_vnet" << YAML::Value << p.remote_vnet << YAML::Key
                << "use_remote_route_server" << YAML::Value << p.use_remote_route_server << YAML::EndMap;
        }
        out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "route_tables" << YAML::Value << YAML::BeginSeq;
    for (const RouteTable& rt : vn.route_tables) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << rt.name << YAML::Key
            << "propagate_gateway_routes" << YAML::Value << rt.propagate_gateway_routes;
        out << YAML::Key << "routes" << YAML::Value << YAML::BeginSeq;
        for (const UserDefinedRoute& r : rt.routes) {
            out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << r.name << YAML::Key << "prefix"
                << YAML::Value << r.prefix.to_string() << YAML::Key << "next_hop_type" << YAML::Value
                << std::string(to_string(r.next_hop_type));
            if (r.next_hop_ip) {
                out << YAML::Key << "next_hop_ip" << YAML::Value << r.next_hop_ip->to_string();
            }
            out << YAML::EndMap;
        }
        out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "vms" << YAML::Value << YAML::BeginSeq;
    for (const Vm& vm : vn.vms) {
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << vm.name << YAML::Key
            << "vnet" << YAML::Value << vm.vnet << YAML::Key << "subnet" << YAML::Value << vm.subnet
            << YAML::Key << "nic_address" << YAML::Value << vm.nic_address.to_string() << YAML::Key << "host"
            << YAML::Value << vm.host << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
}

}  // namespace

std::string to_yaml(const Config& c) {
    YAML::Emitter out;
    out.SetBoolFormat(YAML::TrueFalseBool);
    out << YAML::BeginMap;

    const RouteServerConfig& rs = c.route_server;
    out << YAML::Key << "route_server" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "asn" << YAML::Value << rs.asn;
    if (rs.router_id) {
        out << YAML::Key << "router_id" << YAML::Value << rs.router_id->to_string();
    }
    emit_address_list(out, "listen", rs.listen);
    out << YAML::Key << "port" << YAML::Value << rs.port;
    out << YAML::Key << "keepalive" << YAML::Value << rs.keepalive;
    out << YAML::Key << "hold_time" << YAML::Value << rs.hold_time;
    out << YAML::Key << "connect_retry" << YAML::Value << rs.connect_retry;
    out << YAML::Key << "idle_hold" << YAML::Value << rs.idle_hold;
    out << YAML::Key << "idle_hold_max" << YAML::Value << rs.idle_hold_max;
    out << YAML::Key << "max_peers" << YAML::Value << rs.max_peers;
    out << YAML::Key << "route_limit" << YAML::Value << rs.route_limit;
    out << YAML::Key << "route_counting" << YAML::Value << std::string(to_string(rs.route_counting));
    out << YAML::Key << "max_output_mib" << YAML::Value << rs.max_output_mib;
    out << YAML::Key << "four_byte_asn" << YAML::Value << rs.four_byte_asn;
    out << YAML::Key << "mode" << YAML::Value << std::string(to_string(rs.mode));
    out << YAML::Key << "branch_to_branch" << YAML::Value << rs.branch_to_branch;
    out << YAML::EndMap;

    out << YAML::Key << "peers" << YAML::Value << YAML::BeginSeq;
    for (const PeerConfig& p : c.peers) {
        out << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << p.name;
        out << YAML::Key << "address" << YAML::Value << p.address.to_string();
        out << YAML::Key << "asn" << YAML::Value << p.asn;
        out << YAML::Key << "port" << YAML::Value << p.port;
        out << YAML::Key << "ttl" << YAML::Value << static_cast<unsigned>(p.ttl);
        if (!p.md5_password.empty()) {
            out << YAML::Key << "md5_password" << YAML::Value << YAML::DoubleQuoted << p.md5_password;
        }
        if (p.route_limit) {
            out << YAML::Key << "route_limit" << YAML::Value << *p.route_limit;
        }
        out << YAML::Key << "passive" << YAML::Value << p.passive;
        if (p.hold_time) {
            out << YAML::Key << "hold_time" << YAML::Value << *p.hold_time;
        }
        if (p.local_address) {
            out << YAML::Key << "local_address" << YAML::Value << p.local_address->to_string();
        }
        if (p.add_path != AddPath::None) {
            out << YAML::Key << "add_path" << YAML::Value << std::string(to_string(p.add_path));
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;

    if (c.virtual_network) {
        emit_virtual_network(out, *c.virtual_network);
    }

    const EmulatorConfig& em = c.emulator;
    out << YAML::Key << "emulator" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "enabled" << YAML::Value << em.enabled;
    out << YAML::Key << "vm_count" << YAML::Value << em.vm_count;
    out << YAML::Key << "vms_per_host" << YAML::Value << em.vms_per_host;
    out << YAML::Key << "workers" << YAML::Value << em.workers;
    out << YAML::Key << "flows_per_vm" << YAML::Value << em.flows_per_vm;
    out << YAML::Key << "flows6_per_vm" << YAML::Value << em.flows6_per_vm;
    out << YAML::Key << "burst" << YAML::Value << em.burst;
    out << YAML::Key << "pass_target_us" << YAML::Value << em.pass_target_us;
    if (em.lab_address) {
        out << YAML::Key << "lab_address" << YAML::Value << em.lab_address->to_string();
    }
    if (em.lab_address6) {
        out << YAML::Key << "lab_address6" << YAML::Value << em.lab_address6->to_string();
    }
    out << YAML::Key << "neighbor_retry_ms" << YAML::Value << em.neighbor_retry_ms;
    out << YAML::Key << "neighbor_reachable_ms" << YAML::Value << em.neighbor_reachable_ms;
    out << YAML::Key << "eal_args" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& a : em.eal_args) {
        out << YAML::DoubleQuoted << a;
    }
    out << YAML::EndSeq << YAML::EndMap;

    out << YAML::Key << "api" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "enabled" << YAML::Value << c.api.enabled;
    out << YAML::Key << "listen" << YAML::Value << c.api.listen.to_string();
    out << YAML::Key << "port" << YAML::Value << c.api.port;
    if (!c.api.token.empty()) {
        out << YAML::Key << "token" << YAML::Value << YAML::DoubleQuoted << c.api.token;
    }
    out << YAML::EndMap;

    out << YAML::EndMap;
    std::string text = "# routefabric configuration (written by routefabricd; see docs/configuration.md)\n";
    text += out.c_str();
    text += '\n';
    return text;
}

}  // namespace rf::config
