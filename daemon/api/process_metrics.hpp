// The standard process metrics of Prometheus client libraries (process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds), read from /proc at each scrape, so that dashboards made for any exporter
// work unchanged. Linux only.
#pragma once

#include <optional>
#include <string_view>

namespace rf::metrics {

class Registry;

struct ProcessSample {
    double cpu_seconds = 0;  // user + system time
    double resident_bytes = 0;
    double virtual_bytes = 0;
    double start_time_seconds = 0;  // since the Unix epoch
    double open_fds = 0;
    double max_fds = 0;  // the soft RLIMIT_NOFILE
};

// Parses /proc/<pid>/stat's text (`stat`), with the clock tick rate, page size and the boot time from
// /proc/stat (seconds since the epoch). nullopt when the text is not a stat line.
[[nodiscard]] std::optional<ProcessSample> parse_proc_stat(std::string_view stat, long ticks_per_second,
                                                           long page_size, double boot_time_seconds);

// This process, now (open_fds and max_fds included); nullopt when /proc cannot be read.
[[nodiscard]] std::optional<ProcessSample> sample_this_process();

// Sets the process_* series from a sample.
void set_process_metrics(Registry& registry, const ProcessSample& s);

// Adds a collector that samples this process at every render().
void add_process_collector(Registry& registry);

}  // namespace rf::metrics
