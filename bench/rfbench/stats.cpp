#include "bench/rfbench/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rf::bench {

Nanos percentile_sorted(const std::vector<Nanos>& sorted, double q) {
    if (sorted.empty())
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    if (rank == 0)
        rank = 1;
    return sorted[rank - 1];
}

Summary summarize(std::vector<Nanos> samples) {
    Summary s;
    if (samples.empty())
        return s;
    std::sort(samples.begin(), samples.end());
    s.count = samples.size();
    s.min = samples.front();
    s.max = samples.back();
    s.p50 = percentile_sorted(samples, 0.50);
    s.p90 = percentile_sorted(samples, 0.90);
    s.p99 = percentile_sorted(samples, 0.99);
    long double sum = 0;
    for (auto v : samples)
        sum += static_cast<long double>(v);
    s.mean = static_cast<double>(sum / static_cast<long double>(samples.size()));
    return s;
}

std::vector<std::pair<Nanos, double>> cdf_points(std::vector<Nanos> samples, std::size_t points) {
    std::vector<std::pair<Nanos, double>> out;
    if (samples.empty() || points == 0)
        return out;
    std::sort(samples.begin(), samples.end());
    const std::size_t n = samples.size();
    const std::size_t step = std::max<std::size_t>(1, n / points);
    for (std::size_t i = step - 1; i < n; i += step) {
        out.emplace_back(samples[i], static_cast<double>(i + 1) / static_cast<double>(n));
    }
    if (out.empty() || out.back().second < 1.0)
        out.emplace_back(samples.back(), 1.0);
    return out;
}

}  // namespace rf::bench
