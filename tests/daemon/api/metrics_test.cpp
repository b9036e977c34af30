// The metrics registry: exposition format (HELP/TYPE, labels, escaping, histogram buckets), and updates
// from several threads adding up.
#include "daemon/api/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace rf::metrics {
namespace {

TEST(Metrics, CounterAndGaugeWithLabelsRenderInExpositionFormat) {
    Registry r;
    r.counter("routefabric_updates_total", "UPDATEs.", {{"direction", "in"}}).inc(3);
    r.counter("routefabric_updates_total", "UPDATEs.", {{"direction", "out"}}).inc();
    r.gauge("routefabric_locrib_prefixes", "Prefixes.").set(1234);
    const std::string text = r.render();
    EXPECT_EQ(text,
              "# HELP routefabric_locrib_prefixes Prefixes.\n"
              "# TYPE routefabric_locrib_prefixes gauge\n"
              "routefabric_locrib_prefixes 1234\n"
              "# HELP routefabric_updates_total UPDATEs.\n"
              "# TYPE routefabric_updates_total counter\n"
              "routefabric_updates_total{direction=\"in\"} 3\n"
              "routefabric_updates_total{direction=\"out\"} 1\n");
}

TEST(Metrics, SameSeriesIsReturnedTwice) {
    Registry r;
    Counter& a = r.counter("c_total", "h", {{"k", "v"}});
    Counter& b = r.counter("c_total", "h", {{"k", "v"}});
    EXPECT_EQ(&a, &b);
    EXPECT_THROW(r.gauge("c_total", "h"), std::logic_error);
}

TEST(Metrics, LabelValuesAreEscaped) {
    Registry r;
    r.gauge("g", "h", {{"peer", "a\"b\\c\nd"}}).set(1.5);
    EXPECT_NE(r.render().find("g{peer=\"a\\\"b\\\\c\\nd\"} 1.5\n"), std::string::npos) << r.render();
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
    Registry r;
    Histogram& h = r.histogram("lat_seconds", "Latency.", {0.001, 0.01, 0.1});
    h.observe(0.0005);
    h.observe(0.005);
    h.observe(0.005);
    h.observe(5);
    const std::string text = r.render();
    EXPECT_NE(text.find("# TYPE lat_seconds histogram\n"), std::string::npos);
    EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.01\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.1\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos) << text;
    EXPECT_NE(text.find("lat_seconds_sum 5.0105\n"), std::string::npos) << text;
    EXPECT_NE(text.find("lat_seconds_count 4\n"), std::string::npos) << text;
}

TEST(Metrics, ConcurrentUpdatesAddUp) {
    Registry r;
    Counter& c = r.counter("c_total", "h");
    Histogram& h = r.histogram("h_seconds", "h", exponential_buckets(0.001, 10, 4));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) {
                c.inc();
                h.observe(0.002);
            }
        });
    }
    for (int i = 0; i < 20; ++i) {
        (void)r.render();  // rendering concurrently is allowed
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(c.value(), 40000U);
    EXPECT_EQ(h.count(), 40000U);
    EXPECT_EQ(h.cumulative(1), 40000U);
}

TEST(Metrics, StandardMetricsNamesAndCollectors) {
    Registry r;
    StandardMetrics m(r);
    m.updates_in.inc(7);
    m.route_limit_trips.inc();
    m.set_sessions({{"established", 2}, {"idle", 1}});
    m.set_peer_routes({{"nva1", 10}, {"nva2", 20}});
    m.set_peer_routes({{"nva2", 21}});  // nva1 removed: its series disappears
    int collected = 0;
    r.add_collector([&](Registry& reg) {
        ++collected;
        reg.gauge("routefabric_fib_queue_depth", "x").set(5);
    });
    const std::string text = r.render();
    EXPECT_EQ(collected, 1);
    EXPECT_NE(text.find("routefabric_updates_total{direction=\"in\"} 7\n"), std::string::npos);
    EXPECT_NE(text.find("routefabric_route_limit_trips_total 1\n"), std::string::npos);
    EXPECT_NE(text.find("routefabric_sessions{state=\"established\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("routefabric_sessions{state=\"openconfirm\"} 0\n"), std::string::npos);
    EXPECT_EQ(text.find("routefabric_peer_routes{peer=\"nva1\"}"), std::string::npos);
    EXPECT_NE(text.find("routefabric_peer_routes{peer=\"nva2\"} 21\n"), std::string::npos);
    EXPECT_NE(text.find("routefabric_fib_queue_depth 5\n"), std::string::npos);
    EXPECT_NE(text.find("routefabric_host_packets_total{result=\"forwarded\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("# TYPE routefabric_convergence_seconds histogram\n"), std::string::npos);
}

}  // namespace
}  // namespace rf::metrics
