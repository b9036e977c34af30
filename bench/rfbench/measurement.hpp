// One measurement = one JSON line: scenario, target, size, metrics in insertion order, plus the raw
// series the plots need (convergence times, churn lags), which are not part of the JSON line.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bench/rfbench/clock.hpp"

namespace rf::bench {

struct Measurement {
    std::string scenario;
    std::string variant;  // e.g. failover "abort/best-path": part of the label, plots and table
    std::string target;
    std::string target_version;
    std::uint32_t peers = 0;
    std::uint32_t prefixes_per_peer = 0;
    bool ok = false;
    bool skipped = false;  // not run (--max-load); not a failure
    std::string error;
    std::string headline_name;  // the figure the table shows first
    double headline = 0;

    std::vector<std::pair<std::string, std::string>> fields;  // name → rendered JSON value

    // Convergence times relative to the phase start (CDF plots), churn (sent_at relative, lag).
    std::vector<Nanos> convergence;
    std::vector<std::pair<Nanos, Nanos>> lags;

    void num(const std::string& name, double v);
    void integer(const std::string& name, std::int64_t v);
    void flag(const std::string& name, bool v);
    void text(const std::string& name, const std::string& v);
    [[nodiscard]] std::string size_label() const;      // "8x1000"
    [[nodiscard]] std::string scenario_label() const;  // "failover/abort/best-path"
    [[nodiscard]] const std::string* field(const std::string& name) const;
    [[nodiscard]] double number(const std::string& name, double fallback = -1) const;
    [[nodiscard]] std::string json_line() const;
};

std::string json_escape(const std::string& s);

}  // namespace rf::bench
