#include "daemon/bmp_wiring.hpp"

#include <algorithm>

namespace rf::daemon {

std::vector<bmp_export::CollectorConfig> bmp_collectors(const config::BmpConfig& bmp) {
    std::vector<bmp_export::CollectorConfig> out;
    for (const config::BmpCollectorConfig& c : bmp.collectors) {
        bmp_export::CollectorConfig x;
        x.connection.name = c.name;
        x.connection.address = c.address;
        x.connection.port = c.port;
        x.connection.buffer_bytes = c.buffer_bytes;
        x.connection.connect_retry = std::chrono::seconds(c.connect_retry);
        x.connection.connect_retry_max = std::chrono::seconds(c.connect_retry_max);
        const auto has = [&](config::BmpTable t) {
            return std::find(c.route_monitoring.begin(), c.route_monitoring.end(), t) !=
                   c.route_monitoring.end();
        };
        x.pre_policy = has(config::BmpTable::PrePolicy);
        x.post_policy = has(config::BmpTable::PostPolicy);
        x.loc_rib = has(config::BmpTable::LocRib);
        x.statistics_interval = std::chrono::seconds(c.statistics_interval);
        out.push_back(std::move(x));
    }
    return out;
}

void collect_bmp_metrics(const bmp_export::Exporter& exporter, metrics::Registry& r) {
    for (const bmp_export::CollectorStatus& s : exporter.status()) {
        const metrics::Labels who{{"collector", s.name}};
        const auto with = [&](const char* key, const char* value) {
            metrics::Labels l = who;
            l.emplace_back(key, value);
            return l;
        };
        r.gauge("routefabric_bmp_collector_up", "1 while the BMP collector's session is up", who)
            .set(s.state == "up" ? 1 : 0);
        r.counter("routefabric_bmp_messages_total", "BMP messages queued for the collector", who)
            .set(s.messages);
        r.counter("routefabric_bmp_bytes_total", "bytes written to the BMP collector", who).set(s.bytes);
        const char* conn_help = "BMP connection attempts by result";
        r.counter("routefabric_bmp_connections_total", conn_help, with("result", "established"))
            .set(s.connects);
        r.counter("routefabric_bmp_connections_total", conn_help, with("result", "failed"))
            .set(s.connect_failures);
        const char* reset_help =
            "BMP collector sessions ended, by reason (overflow: the buffer bound was hit)";
        r.counter("routefabric_bmp_session_resets_total", reset_help, with("reason", "overflow"))
            .set(s.overflow_resets);
        r.counter("routefabric_bmp_session_resets_total", reset_help, with("reason", "disconnect"))
            .set(s.disconnects);
        r.counter("routefabric_bmp_dropped_bytes_total",
                  "bytes queued for the BMP collector and thrown away by overflow resets", who)
            .set(s.dropped_bytes);
        r.counter("routefabric_bmp_resyncs_total", "full resynchronisations sent to the BMP collector", who)
            .set(s.resyncs);
        r.gauge("routefabric_bmp_buffer_bytes", "bytes waiting to be written to the BMP collector", who)
            .set(static_cast<double>(s.buffered));
        r.gauge("routefabric_bmp_buffer_limit_bytes", "the collector's buffer_bytes bound for live messages",
                who)
            .set(static_cast<double>(s.buffer_bytes));
    }
}

}  // namespace rf::daemon
