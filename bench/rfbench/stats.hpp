// Percentiles and CDFs over latency samples (nearest-rank definition, the one RFC 2330 readers expect).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "bench/rfbench/clock.hpp"

namespace rf::bench {

struct Summary {
    std::size_t count = 0;
    Nanos min = 0;
    Nanos p50 = 0;
    Nanos p90 = 0;
    Nanos p99 = 0;
    Nanos max = 0;
    double mean = 0;
};

// Nearest-rank percentile of sorted samples: the smallest value with at least q of the samples <= it.
// q in [0, 1]; an empty input gives 0.
Nanos percentile_sorted(const std::vector<Nanos>& sorted, double q);
Summary summarize(std::vector<Nanos> samples);

// At most `points` (x = sample, y = cumulative fraction) points of the empirical CDF, always including the
// last sample (y = 1).
std::vector<std::pair<Nanos, double>> cdf_points(std::vector<Nanos> samples, std::size_t points = 500);

}  // namespace rf::bench
