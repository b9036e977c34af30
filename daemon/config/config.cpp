// The Config's own methods, the YAML spellings of its enums, and loading: parse (parse.cpp) then
// validate (validate.cpp), every error of both steps reported once.
#include "daemon/config/config.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace rf::config {

// ------------------------------------------------------------------------------------------ enums

std::string_view to_string(azure::RouteCounting c) {
    return c == azure::RouteCounting::AzureStrict ? "azure-strict" : "distinct";
}
std::string_view to_string(azure::AsPathMode m) {
    return m == azure::AsPathMode::Transparent ? "transparent" : "azure";
}
std::optional<azure::RouteCounting> parse_route_counting(std::string_view s) {
    if (s == "distinct") {
        return azure::RouteCounting::DistinctPrefixes;
    }
    if (s == "azure-strict") {
        return azure::RouteCounting::AzureStrict;
    }
    return std::nullopt;
}
std::optional<azure::AsPathMode> parse_as_path_mode(std::string_view s) {
    if (s == "azure") {
        return azure::AsPathMode::Prepend;
    }
    if (s == "transparent") {
        return azure::AsPathMode::Transparent;
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
std::string_view to_string(azure::RouteLimitAction a) {
    return a == azure::RouteLimitAction::Warn ? "warn" : "teardown";
}
std::optional<azure::RouteLimitAction> parse_route_limit_action(std::string_view s) {
    for (const auto a : {azure::RouteLimitAction::Teardown, azure::RouteLimitAction::Warn}) {
        if (s == to_string(a)) {
            return a;
        }
    }
    return std::nullopt;
}
std::optional<AddPath> parse_add_path(std::string_view s) {
    for (const AddPath a : {AddPath::None, AddPath::Receive, AddPath::Send, AddPath::Both}) {
        if (s == to_string(a)) {
            return a;
        }
    }
    return std::nullopt;
}
std::string_view to_string(Placement p) {
    switch (p) {
        case Placement::Azure:
            return "azure";
        case Placement::Lab:
            return "lab";
        case Placement::Auto:
            break;
    }
    return "auto";
}
std::optional<Placement> parse_placement(std::string_view s) {
    for (const Placement p : {Placement::Auto, Placement::Azure, Placement::Lab}) {
        if (s == to_string(p)) {
            return p;
        }
    }
    return std::nullopt;
}
std::optional<UdrNextHopType> parse_udr_next_hop_type(std::string_view s) {
    for (const UdrNextHopType t : {UdrNextHopType::VirtualAppliance, UdrNextHopType::VirtualNetworkGateway,
                                   UdrNextHopType::Internet, UdrNextHopType::None}) {
        if (s == fib::to_string(t)) {
            return t;
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

// ------------------------------------------------------------------------------------------ loading

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

}  // namespace rf::config
