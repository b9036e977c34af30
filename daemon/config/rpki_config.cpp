#include "daemon/config/rpki_config.hpp"

#include <set>

#include "daemon/config/field_path.hpp"
#include "net/ip.hpp"

namespace rf::config {

void read_rpki(YamlReader& r, const YAML::Node& n, rpki::RtrConfig& out) {
    const std::string p = "rpki";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["caches"]; v && r.list(v, p + ".caches")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string q = at(p + ".caches", i);
            rpki::CacheConfig c;
            if (r.map(v[i], q, "rpki.caches[]")) {
                r.required(v[i], "address", q);
                if (auto a = v[i]["address"]) {
                    r.string(a, q + ".address", c.address);
                }
                if (auto a = v[i]["port"]) {
                    r.number(a, q + ".port", c.port);
                }
                if (auto a = v[i]["preference"]) {
                    r.number(a, q + ".preference", c.preference);
                }
            }
            out.caches.push_back(std::move(c));
        }
    }
    if (auto v = n["refresh_interval"]) {
        r.number(v, p + ".refresh_interval", out.refresh_interval);
    }
    if (auto v = n["retry_interval"]) {
        r.number(v, p + ".retry_interval", out.retry_interval);
    }
    if (auto v = n["expire_interval"]) {
        r.number(v, p + ".expire_interval", out.expire_interval);
    }
}

Errors validate_rpki(const rpki::RtrConfig& c) {
    Errors errors;
    auto error = [&](std::string field, std::string message) {
        errors.push_back(ConfigError{std::move(field), std::move(message), ErrorKind::Invalid});
    };
    if (c.caches.empty()) {
        errors.push_back(ConfigError{"rpki.caches", "is empty; give at least one RTR cache (address, port)",
                                     ErrorKind::Missing});
    }
    std::set<std::pair<std::string, std::uint16_t>> seen;
    for (std::size_t i = 0; i < c.caches.size(); ++i) {
        const rpki::CacheConfig& cache = c.caches[i];
        const std::string q = at("rpki.caches", i);
        if (cache.address.empty()) {
            error(q + ".address", "is empty; give the cache's IP address");
        } else if (!net::IpAddress::parse(cache.address)) {
            error(q + ".address", "'" + cache.address + "' is not an IP address");
        }
        if (cache.port == 0) {
            error(q + ".port", "0 is not a port; RTR caches listen on 323 (or stayrtr's 8282, 8283 for TLS)");
        }
        if (!seen.insert({cache.address, cache.port}).second) {
            errors.push_back(
                ConfigError{q, cache.address + " port " + std::to_string(cache.port) + " is listed twice",
                            ErrorKind::Duplicate});
        }
    }
    auto range = [&](const char* field, std::uint32_t v, std::uint32_t lo, std::uint32_t hi) {
        if (v < lo || v > hi) {
            error(std::string("rpki.") + field, std::to_string(v) +
                                                    " is out of range: " + std::to_string(lo) + ".." +
                                                    std::to_string(hi) + " seconds (RFC 8210 §6)");
        }
    };
    range("refresh_interval", c.refresh_interval, rpki::kMinRefresh, rpki::kMaxRefresh);
    range("retry_interval", c.retry_interval, rpki::kMinRetry, rpki::kMaxRetry);
    range("expire_interval", c.expire_interval, rpki::kMinExpire, rpki::kMaxExpire);
    if (c.expire_interval <= c.refresh_interval || c.expire_interval <= c.retry_interval) {
        error("rpki.expire_interval",
              std::to_string(c.expire_interval) +
                  " must be longer than refresh_interval and retry_interval (RFC 8210 "
                  "§6), or the table expires while the caches are fine");
    }
    return errors;
}

void emit_rpki(YAML::Emitter& out, const rpki::RtrConfig& c) {
    out << YAML::Key << "rpki" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "caches" << YAML::Value << YAML::BeginSeq;
    for (const auto& cache : c.caches) {
        out << YAML::BeginMap;
        out << YAML::Key << "address" << YAML::Value << cache.address;
        out << YAML::Key << "port" << YAML::Value << cache.port;
        out << YAML::Key << "preference" << YAML::Value << static_cast<unsigned>(cache.preference);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "refresh_interval" << YAML::Value << c.refresh_interval;
    out << YAML::Key << "retry_interval" << YAML::Value << c.retry_interval;
    out << YAML::Key << "expire_interval" << YAML::Value << c.expire_interval;
    out << YAML::EndMap;
}

}  // namespace rf::config
