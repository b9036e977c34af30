// The per-peer, process and io-loop families in the exposition format: names, types, labels, one-hot
// state, NOTIFICATION labels bounded to registered codes, removed peers keeping counters without gauges.
#include "daemon/api/peer_metrics.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>

#include "daemon/api/io_loop_lag.hpp"
#include "daemon/api/metrics.hpp"
#include "daemon/api/process_metrics.hpp"

namespace rf::api {
namespace {

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

PeerMetricsRow row(const std::string& name) {
    PeerMetricsRow r;
    r.peer = name;
    r.state = session::State::Established;
    r.established_sessions = 2;
    r.uptime_seconds = 12.5;
    r.best_prefixes = 3;
    r.counters.updates_received = 7;
    r.counters.prefixes.received = 10;
    r.counters.prefixes.accepted = 8;
    r.counters.prefixes.filter(rib::FilterReason::AsLoop, 2);
    r.counters.prefixes.withdrawn = 4;
    r.counters.flaps = 1;
    r.counters.notifications[{true, 6, 3}] = 1;
    r.counters.notifications[{false, 4, 0}] = 2;
    r.counters.notifications[{false, 99, 1}] = 1;   // not a registered code
    r.counters.notifications[{false, 6, 200}] = 1;  // not a registered Cease subcode
    return r;
}

TEST(PeerMetrics, FamiliesRenderWithTheirTypesAndLabels) {
    metrics::Registry reg;
    set_peer_metrics(reg, {row("nva1")});
    const std::string t = reg.render();
    EXPECT_TRUE(has_line(t, "# TYPE routefabric_peer_state gauge"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_state{peer=\"nva1\",state=\"established\"} 1"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_state{peer=\"nva1\",state=\"idle\"} 0"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_state{peer=\"nva1\",state=\"openconfirm\"} 0"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_established_sessions{peer=\"nva1\"} 2"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_uptime_seconds{peer=\"nva1\"} 12.5"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_best_prefixes{peer=\"nva1\"} 3"));
    EXPECT_TRUE(has_line(t, "# TYPE routefabric_peer_flaps_total counter"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_flaps_total{peer=\"nva1\"} 1"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_updates_received_total{peer=\"nva1\"} 7"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_prefixes_received_total{peer=\"nva1\"} 10"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_prefixes_accepted_total{peer=\"nva1\"} 8"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_prefixes_filtered_total{peer=\"nva1\",reason=\"as_loop\"} 2"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_prefixes_filtered_total{peer=\"nva1\",reason=\"rfc7606\"} 0"));
    EXPECT_TRUE(has_line(t, "routefabric_peer_prefixes_withdrawn_total{peer=\"nva1\"} 4"));
    EXPECT_TRUE(has_line(
        t,
        "routefabric_peer_notifications_total{peer=\"nva1\",direction=\"sent\",code=\"6\",subcode=\"3\"} 1"));
    EXPECT_TRUE(has_line(t,
                         "routefabric_peer_notifications_total{peer=\"nva1\",direction=\"received\",code="
                         "\"4\",subcode=\"0\"} 2"));
    EXPECT_TRUE(has_line(t,
                         "routefabric_peer_notifications_total{peer=\"nva1\",direction=\"received\",code="
                         "\"other\",subcode=\"other\"} 1"));
    EXPECT_TRUE(has_line(t,
                         "routefabric_peer_notifications_total{peer=\"nva1\",direction=\"received\",code="
                         "\"6\",subcode=\"other\"} 1"));
}

TEST(PeerMetrics, EveryFamilyIsDeclaredBeforeItsFirstSample) {
    metrics::Registry reg;
    set_peer_metrics(reg, {});
    const std::string t = reg.render();
    EXPECT_TRUE(has_line(t, "# TYPE routefabric_peer_notifications_total counter"));
    EXPECT_TRUE(has_line(t, "# TYPE routefabric_peer_state gauge"));
    EXPECT_EQ(t.find("routefabric_peer_state{"), std::string::npos);
}

TEST(PeerMetrics, NotificationLabelsStayWithinTheRegistry) {
    EXPECT_EQ(notification_labels(6, 2), std::make_pair(std::string("6"), std::string("2")));
    EXPECT_EQ(notification_labels(2, 11), std::make_pair(std::string("2"), std::string("11")));  // RFC 9234
    EXPECT_EQ(notification_labels(4, 0), std::make_pair(std::string("4"), std::string("0")));
    EXPECT_EQ(notification_labels(4, 9), std::make_pair(std::string("4"), std::string("other")));
    EXPECT_EQ(notification_labels(0, 0), std::make_pair(std::string("other"), std::string("other")));
    EXPECT_EQ(notification_labels(200, 7), std::make_pair(std::string("other"), std::string("other")));
}

TEST(PeerMetrics, ARemovedPeerKeepsItsCountersAndLosesItsGauges) {
    metrics::Registry reg;
    set_peer_metrics(reg, {row("nva1"), row("nva2")});
    PeerMetricsRow gone = row("nva2");
    gone.configured = false;
    set_peer_metrics(reg, {row("nva1"), gone});
    const std::string t = reg.render();
    EXPECT_TRUE(has_line(t, "routefabric_peer_prefixes_received_total{peer=\"nva2\"} 10"));
    EXPECT_EQ(t.find("routefabric_peer_state{peer=\"nva2\""), std::string::npos);
    EXPECT_EQ(t.find("routefabric_peer_uptime_seconds{peer=\"nva2\"}"), std::string::npos);
    set_peer_metrics(reg, {row("nva1")});  // forgotten (beyond the remembered removed peers): gone
    EXPECT_EQ(reg.render().find("peer=\"nva2\""), std::string::npos);
}

TEST(ProcessMetrics, ParsesProcStatIncludingACommandWithSpacesAndParentheses) {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
    // cstime priority nice threads itrealvalue starttime vsize rss ...
    const std::string stat =
        "4242 (rf (x) d) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 1000 123456789 2000 "
        "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    const auto s = metrics::parse_proc_stat(stat, 100, 4096, 1'700'000'000);
    ASSERT_TRUE(s.has_value());
    EXPECT_DOUBLE_EQ(s->cpu_seconds, 4.0);  // (250 + 150) ticks at 100 Hz
    EXPECT_DOUBLE_EQ(s->virtual_bytes, 123456789);
    EXPECT_DOUBLE_EQ(s->resident_bytes, 2000.0 * 4096);
    EXPECT_DOUBLE_EQ(s->start_time_seconds, 1'700'000'010);  // boot + 1000 ticks
    EXPECT_FALSE(metrics::parse_proc_stat("garbage", 100, 4096, 0).has_value());
    EXPECT_FALSE(metrics::parse_proc_stat("1 (short) S 1 2", 100, 4096, 0).has_value());
}

TEST(ProcessMetrics, ThisProcessRendersTheStandardNames) {
    metrics::Registry reg;
    metrics::add_process_collector(reg);
    const std::string t = reg.render();
    EXPECT_TRUE(has_line(t, "# TYPE process_cpu_seconds_total counter"));
    for (const char* g : {"process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds",
                          "process_max_fds", "process_start_time_seconds"}) {
        EXPECT_TRUE(has_line(t, std::string("# TYPE ") + g + " gauge")) << g;
    }
    const auto s = metrics::sample_this_process();
    ASSERT_TRUE(s.has_value());
    EXPECT_GT(s->resident_bytes, 0);
    EXPECT_GT(s->open_fds, 2);  // stdin, stdout, stderr at least
    EXPECT_GT(s->start_time_seconds, 1'500'000'000);
}

TEST(IoLoopLag, RecordsTheLastSampleAndTheHistogram) {
    boost::asio::io_context io;
    metrics::Registry reg;
    IoLoopLag lag(io, reg);
    const auto t0 = std::chrono::steady_clock::now();
    lag.record(t0, t0 + std::chrono::milliseconds(3));
    lag.record(t0, t0);  // on time
    const std::string t = reg.render();
    EXPECT_TRUE(has_line(t, "routefabric_io_loop_lag_last_seconds 0"));
    EXPECT_TRUE(has_line(t, "routefabric_io_loop_lag_seconds_count 2"));
    EXPECT_TRUE(has_line(t, "routefabric_io_loop_lag_seconds_sum 0.003"));
    EXPECT_TRUE(has_line(t, "# TYPE routefabric_io_loop_lag_seconds histogram"));
}

TEST(IoLoopLag, TheTimerSamplesWhileTheLoopRuns) {
    boost::asio::io_context io;
    metrics::Registry reg;
    IoLoopLag lag(io, reg, std::chrono::milliseconds(1));
    lag.start();
    io.run_for(std::chrono::milliseconds(50));
    lag.stop();
    io.restart();
    io.poll();
    EXPECT_EQ(reg.render().find("routefabric_io_loop_lag_seconds_count 0\n"), std::string::npos);
}

}  // namespace
}  // namespace rf::api
