// Metrics in the Prometheus text exposition format (version 0.0.4): counters, gauges and histograms with
// labels, rendered on GET /metrics.
//
// Cost model: registering a series (family + label values) takes a lock and allocates once; the returned
// reference stays valid for the registry's lifetime, and updating it is one relaxed atomic operation, so
// hot paths (session reads, RIB, FIB updater, data-plane lcores) keep the reference and never look it up
// again. Rendering takes the lock and reads the atomics; a render concurrent with updates sees each value
// at some instant (not a global snapshot, as with every Prometheus client).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rf::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;  // name → value, in this order

class Counter {
public:
    void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    // For counters mirrored from another component's own counter (set to its current total).
    void set(std::uint64_t v) { value_.store(v, std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class Gauge {
public:
    void set(double v) { value_.store(v, std::memory_order_relaxed); }
    void add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
    [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);  // ascending; +Inf is implicit
    void observe(double v);
    [[nodiscard]] const std::vector<double>& bounds() const { return bounds_; }
    // Cumulative count of observations <= bounds()[i]; i == bounds().size() is +Inf (= count()).
    [[nodiscard]] std::uint64_t cumulative(std::size_t i) const;
    [[nodiscard]] std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
    [[nodiscard]] double sum() const { return sum_.load(std::memory_order_relaxed); }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket, not cumulative; last = +Inf
    std::atomic<std::uint64_t> count_{0};
    std::atomic<double> sum_{0.0};
};

// Bucket helpers: `count` bounds start, start*factor, ...
[[nodiscard]] std::vector<double> exponential_buckets(double start, double factor, std::size_t count);

class Registry {
public:
    Registry() = default;
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // The series of `name` with `labels`, created on first use. A name keeps the type and help of its first
    // registration; registering it with another type throws std::logic_error (a programming error).
    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
    // Registers the family (its HELP and TYPE) without a series, so that a scrape shows it before its
    // first sample and dashboards and alerts can rely on the name. No-op when it exists.
    void declare_counter(std::string_view name, std::string_view help);
    void declare_gauge(std::string_view name, std::string_view help);
    // A counter whose value is a real number mirrored from elsewhere (process_cpu_seconds_total): typed
    // counter, set like a gauge; the caller sets only values that never go down.
    Gauge& real_counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                         const Labels& labels = {});

    // Drops every series of a gauge family (e.g. per-peer gauges before they are refilled, so a removed
    // peer's series disappears). References to the dropped series become dangling: use only for
    // families updated by a collector, never for series held by hot paths.
    void clear_gauge_family(std::string_view name);
    // The same for a family of any type whose every series a collector sets afresh at each render (the
    // per-peer counters mirrored from the route server); the same warning applies.
    void clear_mirrored_family(std::string_view name);

    // Called (under no lock) at the start of render(), to refresh gauges mirrored from other components.
    void add_collector(std::function<void(Registry&)> collector);

    // The text exposition format, families sorted by name, series in registration order.
    [[nodiscard]] std::string render();

private:
    enum class Type : std::uint8_t { Counter, Gauge, Histogram };
    struct Series {
        Labels labels;
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Gauge> gauge;
        std::unique_ptr<Histogram> histogram;
    };
    struct Family {
        Type type = Type::Counter;
        std::string help;
        std::deque<Series> series;
    };
    Series& series(std::string_view name, std::string_view help, Type type, const Labels& labels);
    void declare(std::string_view name, std::string_view help, Type type);

    std::mutex mutex_;
    std::map<std::string, Family, std::less<>> families_;
    std::mutex collectors_mutex_;
    std::vector<std::function<void(Registry&)>> collectors_;
};

// Escapes a label value for the exposition format (backslash, double quote, newline).
[[nodiscard]] std::string escape_label_value(std::string_view v);

// The routefabric series every component updates. Names and labels are part of the documented interface
// (docs/api.md "Metrics").
struct StandardMetrics {
    explicit StandardMetrics(Registry& r);

    Registry& registry;
    Counter& updates_in;                      // routefabric_updates_total{direction="in"}
    Counter& updates_out;                     // routefabric_updates_total{direction="out"}
    Counter& route_limit_trips;               // routefabric_route_limit_trips_total
    Counter& route_limit_threshold_warnings;  // routefabric_route_limit_warnings_total{kind="threshold"}
    Counter& route_limit_warnings;            // routefabric_route_limit_warnings_total{kind="limit"}
    Gauge& locrib_prefixes;                   // routefabric_locrib_prefixes
    Gauge& ecmp_groups;                       // routefabric_ecmp_groups
    Gauge& fib_queue_depth;                   // routefabric_fib_queue_depth
    Histogram& fib_publish_latency;           // routefabric_fib_publish_latency_seconds
    Histogram& convergence;                   // routefabric_convergence_seconds
    Counter& host_forwarded;                  // routefabric_host_packets_total{result="forwarded"}
    Counter& host_dropped;                    // routefabric_host_packets_total{result="dropped"}
    Counter& host_no_route;                   // routefabric_host_packets_total{result="no_route"}

    // routefabric_sessions{state=...}: the number of sessions per FSM state (every state is rendered).
    void set_sessions(const std::map<std::string, std::size_t>& by_state);
    // routefabric_peer_routes{peer=...}: the routes each configured peer currently has (others dropped).
    void set_peer_routes(const std::map<std::string, std::size_t>& by_peer);
    // routefabric_peer_route_limit_usage_ratio{peer=...}: routes / route limit of each peer with a limit
    // and an established session (the fuller of its sessions); others dropped.
    void set_peer_route_limit_usage(const std::map<std::string, double>& by_peer);
    // routefabric_api_requests_total{code=...}
    Counter& api_requests(unsigned status);
};

}  // namespace rf::metrics
