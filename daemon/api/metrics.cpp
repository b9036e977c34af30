#include "daemon/api/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace rf::metrics {

// ------------------------------------------------------------------------------------------ Histogram

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
    std::sort(bounds_.begin(), bounds_.end());
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        buckets_[i].store(0, std::memory_order_relaxed);
    }
}

void Histogram::observe(double v) {
    // Buckets are few (≤ 20): a linear scan beats a binary search's branch misses.
    std::size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) {
        ++i;
    }
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Histogram::cumulative(std::size_t i) const {
    std::uint64_t total = 0;
    for (std::size_t b = 0; b <= i && b <= bounds_.size(); ++b) {
        total += buckets_[b].load(std::memory_order_relaxed);
    }
    return total;
}

std::vector<double> exponential_buckets(double start, double factor, std::size_t count) {
    std::vector<double> out;
    double v = start;
    for (std::size_t i = 0; i < count; ++i) {
        out.push_back(v);
        v *= factor;
    }
    return out;
}

// ------------------------------------------------------------------------------------------ Registry

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

Registry::Series& Registry::series(std::string_view name, std::string_view help, Type type,
                                   const Labels& labels) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = families_.find(name);
    if (it == families_.end()) {
        it = families_.emplace(std::string(name), Family{type, std::string(help), {}}).first;
    } else if (it->second.type != type) {
        throw std::logic_error("metric " + std::string(name) + " registered with two types");
    }
    for (Series& s : it->second.series) {
        if (s.labels == labels) {
            return s;
        }
    }
    it->second.series.push_back(Series{labels, nullptr, nullptr, nullptr});
    return it->second.series.back();
}

void Registry::declare(std::string_view name, std::string_view help, Type type) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = families_.find(name);
    if (it == families_.end()) {
        families_.emplace(std::string(name), Family{type, std::string(help), {}});
    } else if (it->second.type != type) {
        throw std::logic_error("metric " + std::string(name) + " registered with two types");
    }
}

void Registry::declare_counter(std::string_view name, std::string_view help) {
    declare(name, help, Type::Counter);
}

void Registry::declare_gauge(std::string_view name, std::string_view help) {
    declare(name, help, Type::Gauge);
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
    Series& s = series(name, help, Type::Counter, labels);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!s.counter) {
        s.counter = std::make_unique<Counter>();
    }
    return *s.counter;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    Series& s = series(name, help, Type::Gauge, labels);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!s.gauge) {
        s.gauge = std::make_unique<Gauge>();
    }
    return *s.gauge;
}

Gauge& Registry::real_counter(std::string_view name, std::string_view help, const Labels& labels) {
    Series& s = series(name, help, Type::Counter, labels);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!s.gauge) {
        s.gauge = std::make_unique<Gauge>();
    }
    return *s.gauge;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                               const Labels& labels) {
    Series& s = series(name, help, Type::Histogram, labels);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!s.histogram) {
        s.histogram = std::make_unique<Histogram>(std::move(upper_bounds));
    }
    return *s.histogram;
}

void Registry::clear_gauge_family(std::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = families_.find(name);
    if (it != families_.end() && it->second.type == Type::Gauge) {
        it->second.series.clear();
    }
}

void Registry::clear_mirrored_family(std::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = families_.find(name);
    if (it != families_.end()) {
        it->second.series.clear();
    }
}

void Registry::add_collector(std::function<void(Registry&)> collector) {
    std::lock_guard<std::mutex> lock(collectors_mutex_);
    collectors_.push_back(std::move(collector));
}

namespace {

std::string format_value(double v) {
    if (std::isnan(v)) {
        return "NaN";
    }
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        return std::to_string(static_cast<long long>(v));
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string label_text(const Labels& labels, const std::string& extra_name = {},
                       const std::string& extra = {}) {
    if (labels.empty() && extra_name.empty()) {
        return {};
    }
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : labels) {
        out += (first ? "" : ",") + k + "=\"" + escape_label_value(v) + "\"";
        first = false;
    }
    if (!extra_name.empty()) {
        out += (first ? "" : ",") + extra_name + "=\"" + extra + "\"";
    }
    return out + "}";
}

std::string escape_help(std::string_view h) {
    std::string out;
    for (const char c : h) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string Registry::render() {
    {
        std::vector<std::function<void(Registry&)>> collectors;
        {
            std::lock_guard<std::mutex> lock(collectors_mutex_);
            collectors = collectors_;
        }
        for (auto& c : collectors) {
            c(*this);
        }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    for (const auto& [name, family] : families_) {
        static constexpr const char* kTypes[] = {"counter", "gauge", "histogram"};
        out += "# HELP " + name + " " + escape_help(family.help) + "\n";
        out += "# TYPE " + name + " " + kTypes[static_cast<int>(family.type)] + "\n";
        for (const Series& s : family.series) {
            if (s.counter) {
                out += name + label_text(s.labels) + " " + std::to_string(s.counter->value()) + "\n";
            } else if (s.gauge) {
                out += name + label_text(s.labels) + " " + format_value(s.gauge->value()) + "\n";
            } else if (s.histogram) {
                const Histogram& h = *s.histogram;
                for (std::size_t i = 0; i <= h.bounds().size(); ++i) {
                    const std::string le = i < h.bounds().size() ? format_value(h.bounds()[i]) : "+Inf";
                    out += name + "_bucket" + label_text(s.labels, "le", le) + " " +
                           std::to_string(h.cumulative(i)) + "\n";
                }
                out += name + "_sum" + label_text(s.labels) + " " + format_value(h.sum()) + "\n";
                out += name + "_count" + label_text(s.labels) + " " + std::to_string(h.count()) + "\n";
            }
        }
    }
    return out;
}

// ------------------------------------------------------------------------------------------ StandardMetrics

namespace {
constexpr std::string_view kUsageHelp =
    "Routes of each peer with a route limit divided by that limit (above 1 only with route_limit_action "
    "warn).";
constexpr std::string_view kStates[] = {"idle",     "connect",     "active",
                                        "opensent", "openconfirm", "established"};
}  // namespace

StandardMetrics::StandardMetrics(Registry& r)
    : registry(r),
      updates_in(r.counter("routefabric_updates_total", "BGP UPDATE messages received (in) and sent (out).",
                           {{"direction", "in"}})),
      updates_out(r.counter("routefabric_updates_total", "BGP UPDATE messages received (in) and sent (out).",
                            {{"direction", "out"}})),
      route_limit_trips(r.counter("routefabric_route_limit_trips_total",
                                  "Sessions torn down because a peer exceeded its route limit.")),
      route_limit_threshold_warnings(
          r.counter("routefabric_route_limit_warnings_total",
                    "Route-limit warnings: a peer's routes reached its warning threshold (threshold) or, "
                    "with route_limit_action warn, passed its limit (limit); once per crossing.",
                    {{"kind", "threshold"}})),
      route_limit_warnings(
          r.counter("routefabric_route_limit_warnings_total",
                    "Route-limit warnings: a peer's routes reached its warning threshold (threshold) or, "
                    "with route_limit_action warn, passed its limit (limit); once per crossing.",
                    {{"kind", "limit"}})),
      locrib_prefixes(r.gauge("routefabric_locrib_prefixes", "Prefixes in the Loc-RIB.")),
      ecmp_groups(r.gauge("routefabric_ecmp_groups",
                          "Loc-RIB prefixes whose ECMP set has 2 or more distinct next hops.")),
      fib_queue_depth(r.gauge("routefabric_fib_queue_depth", "RIB deltas waiting for the FIB updater.")),
      fib_publish_latency(r.histogram("routefabric_fib_publish_latency_seconds",
                                      "Time from a RIB delta to its publication in the FIB lookup tables.",
                                      exponential_buckets(1e-6, 4, 12))),
      convergence(
          r.histogram("routefabric_convergence_seconds",
                      "Control-plane to data-plane convergence: BGP event to every emulated host forwarding "
                      "on the new path.",
                      exponential_buckets(1e-4, 2, 16))),
      host_forwarded(r.counter("routefabric_host_packets_total",
                               "Packets handled by the emulated hosts, by result.",
                               {{"result", "forwarded"}})),
      host_dropped(r.counter("routefabric_host_packets_total",
                             "Packets handled by the emulated hosts, by result.", {{"result", "dropped"}})),
      host_no_route(r.counter("routefabric_host_packets_total",
                              "Packets handled by the emulated hosts, by result.",
                              {{"result", "no_route"}})) {
    for (const std::string_view s : kStates) {
        r.gauge("routefabric_sessions", "BGP sessions by FSM state.", {{"state", std::string(s)}});
    }
    r.declare_counter("routefabric_api_requests_total", "REST API requests by HTTP status.");
    r.gauge("routefabric_peer_routes", "Routes each peer currently has in its Adj-RIB-In.");
    r.clear_gauge_family("routefabric_peer_routes");
    r.gauge("routefabric_peer_route_limit_usage_ratio", kUsageHelp);
    r.clear_gauge_family("routefabric_peer_route_limit_usage_ratio");
}

void StandardMetrics::set_peer_route_limit_usage(const std::map<std::string, double>& by_peer) {
    registry.clear_gauge_family("routefabric_peer_route_limit_usage_ratio");
    for (const auto& [peer, ratio] : by_peer) {
        registry.gauge("routefabric_peer_route_limit_usage_ratio", kUsageHelp, {{"peer", peer}}).set(ratio);
    }
}

void StandardMetrics::set_sessions(const std::map<std::string, std::size_t>& by_state) {
    for (const std::string_view s : kStates) {
        const auto it = by_state.find(std::string(s));
        registry.gauge("routefabric_sessions", "BGP sessions by FSM state.", {{"state", std::string(s)}})
            .set(it == by_state.end() ? 0.0 : static_cast<double>(it->second));
    }
}

void StandardMetrics::set_peer_routes(const std::map<std::string, std::size_t>& by_peer) {
    registry.clear_gauge_family("routefabric_peer_routes");
    for (const auto& [peer, n] : by_peer) {
        registry
            .gauge("routefabric_peer_routes", "Routes each peer currently has in its Adj-RIB-In.",
                   {{"peer", peer}})
            .set(static_cast<double>(n));
    }
}

Counter& StandardMetrics::api_requests(unsigned status) {
    return registry.counter("routefabric_api_requests_total", "REST API requests by HTTP status.",
                            {{"code", std::to_string(status)}});
}

}  // namespace rf::metrics
