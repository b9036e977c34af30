#include "daemon/config/bmp_section.hpp"

#include <set>

#include "daemon/config/field_path.hpp"

namespace rf::config {

namespace {

void read_collector(YamlReader& r, const YAML::Node& n, const std::string& p, BmpCollectorConfig& c) {
    if (!r.map(n, p, "bmp.collectors[]")) {
        return;
    }
    r.required(n, "name", p);
    r.required(n, "address", p);
    r.required(n, "port", p);
    if (auto v = n["name"]) {
        r.string(v, p + ".name", c.name);
    }
    if (auto v = n["address"]) {
        r.address(v, p + ".address", c.address);
    }
    if (auto v = n["port"]) {
        r.number(v, p + ".port", c.port);
    }
    if (auto v = n["route_monitoring"]; v && r.list(v, p + ".route_monitoring")) {
        c.route_monitoring.clear();
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string f = at(p + ".route_monitoring", i);
            std::string text;
            r.string(v[i], f, text);
            if (auto t = parse_bmp_table(text)) {
                c.route_monitoring.push_back(*t);
            } else if (!text.empty()) {
                r.error(f,
                        "'" + text + "' is not a table: pre-policy, post-policy or loc-rib" + line_of(v[i]),
                        ErrorKind::Invalid);
            }
        }
    }
    if (auto v = n["statistics_interval"]) {
        r.number(v, p + ".statistics_interval", c.statistics_interval);
    }
    if (auto v = n["buffer_bytes"]) {
        r.number(v, p + ".buffer_bytes", c.buffer_bytes);
    }
    if (auto v = n["connect_retry"]) {
        r.number(v, p + ".connect_retry", c.connect_retry);
    }
    if (auto v = n["connect_retry_max"]) {
        r.number(v, p + ".connect_retry_max", c.connect_retry_max);
    }
}

}  // namespace

std::string_view to_string(BmpTable t) {
    switch (t) {
        case BmpTable::PrePolicy:
            return "pre-policy";
        case BmpTable::PostPolicy:
            return "post-policy";
        case BmpTable::LocRib:
            return "loc-rib";
    }
    return "pre-policy";
}

std::optional<BmpTable> parse_bmp_table(std::string_view text) {
    for (const BmpTable t : {BmpTable::PrePolicy, BmpTable::PostPolicy, BmpTable::LocRib}) {
        if (text == to_string(t)) {
            return t;
        }
    }
    return std::nullopt;
}

void read_bmp(YamlReader& r, const YAML::Node& n, BmpConfig& bmp) {
    if (!r.map(n, "bmp", "bmp")) {
        return;
    }
    if (auto v = n["sys_name"]) {
        r.string(v, "bmp.sys_name", bmp.sys_name);
    }
    if (auto v = n["collectors"]; v && r.list(v, "bmp.collectors")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            bmp.collectors.emplace_back();
            read_collector(r, v[i], at("bmp.collectors", i), bmp.collectors.back());
        }
    }
}

void validate_bmp(const BmpConfig& bmp, Errors& errors) {
    const auto error = [&](std::string path, std::string message) {
        errors.push_back(ConfigError{std::move(path), std::move(message), ErrorKind::Invalid});
    };
    std::set<std::string> names;
    std::set<std::pair<net::IpAddress, std::uint16_t>> endpoints;
    for (std::size_t i = 0; i < bmp.collectors.size(); ++i) {
        const BmpCollectorConfig& c = bmp.collectors[i];
        const std::string p = at("bmp.collectors", i);
        if (c.name.empty()) {
            errors.push_back(ConfigError{p + ".name", "is required", ErrorKind::Missing});
        } else if (!names.insert(c.name).second) {
            errors.push_back(ConfigError{p + ".name", "'" + c.name + "' names another collector already",
                                         ErrorKind::Duplicate});
        }
        if (c.port == 0) {
            error(p + ".port", "is required: the collector's TCP port (1-65535)");
        } else if (!endpoints.insert({c.address, c.port}).second) {
            errors.push_back(ConfigError{
                p + ".address",
                c.address.to_string() + " port " + std::to_string(c.port) + " is another collector's already",
                ErrorKind::Duplicate});
        }
        if (c.route_monitoring.empty()) {
            error(p + ".route_monitoring", "is empty: name at least one of pre-policy, post-policy, loc-rib");
        }
        std::set<BmpTable> tables;
        for (std::size_t t = 0; t < c.route_monitoring.size(); ++t) {
            if (!tables.insert(c.route_monitoring[t]).second) {
                error(at(p + ".route_monitoring", t),
                      std::string(to_string(c.route_monitoring[t])) + " is listed twice");
            }
        }
        if (c.buffer_bytes < 65536) {
            error(p + ".buffer_bytes", std::to_string(c.buffer_bytes) +
                                           " is too small: at least 65536 (one BGP message is up to 65,535 "
                                           "octets)");
        }
        if (c.connect_retry == 0) {
            error(p + ".connect_retry", "must be at least 1 second");
        } else if (c.connect_retry_max < c.connect_retry) {
            error(p + ".connect_retry_max", std::to_string(c.connect_retry_max) +
                                                " is below connect_retry (" +
                                                std::to_string(c.connect_retry) + ")");
        }
    }
}

}  // namespace rf::config
