// The bmp section of the configuration as the BMP exporter (daemon/bmp) runs it, and the exporter's
// counters as Prometheus metrics (routefabric_bmp_*).
#pragma once

#include <vector>

#include "daemon/api/metrics.hpp"
#include "daemon/bmp/exporter.hpp"
#include "daemon/config/config.hpp"

namespace rf::daemon {

[[nodiscard]] std::vector<bmp_export::CollectorConfig> bmp_collectors(const config::BmpConfig& bmp);

// Registered as a collector of the metrics registry: read at each scrape, from the API thread.
void collect_bmp_metrics(const bmp_export::Exporter& exporter, metrics::Registry& r);

}  // namespace rf::daemon
