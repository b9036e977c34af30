// Human table and gnuplot plots (PNG + SVG) of a run's measurements.
#pragma once

#include <string>
#include <vector>

#include "bench/rfbench/measurement.hpp"

namespace rf::bench {

std::string format_table(const std::vector<Measurement>& ms);
// The same as a Markdown table (for docs/benchmarks.md), with the reflection time as well.
std::string format_markdown(const std::vector<Measurement>& ms);

// Writes data files and gnuplot scripts into `dir` and runs gnuplot (found in PATH) on each:
//   convergence-cdf.{png,svg}  CDF of per-prefix convergence (ingest, failover) per target and size
//   churn-lag.{png,svg}        UPDATE-in to UPDATE-out lag over time per target
//   ingest-rate.{png,svg}      prefixes/s at the monitor per size and target
// Returns the files written (scripts included); `error` says what failed.
std::vector<std::string> write_plots(const std::vector<Measurement>& ms, const std::string& dir,
                                     std::string& error);

}  // namespace rf::bench
