#include "daemon/api/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/api/metrics.hpp"

namespace rf::metrics {

namespace {

std::string read_file(const char* path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// /proc/stat's "btime" line: boot time in seconds since the epoch.
double boot_time() {
    std::istringstream in(read_file("/proc/stat"));
    std::string key;
    double value = 0;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream l(line);
        if (l >> key >> value && key == "btime") {
            return value;
        }
    }
    return 0;
}

}  // namespace

std::optional<ProcessSample> parse_proc_stat(std::string_view stat, long ticks_per_second, long page_size,
                                             double boot_time_seconds) {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; the fields start after the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string_view::npos || ticks_per_second <= 0) {
        return std::nullopt;
    }
    std::vector<std::string_view> fields;  // fields[0] is field 3 (state) of proc(5)
    std::size_t at = close + 1;
    while (at < stat.size()) {
        while (at < stat.size() && (stat[at] == ' ' || stat[at] == '\n')) {
            ++at;
        }
        const std::size_t end = stat.find_first_of(" \n", at);
        if (at < stat.size()) {
            fields.push_back(
                stat.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
        }
        at = end == std::string_view::npos ? stat.size() : end;
    }
    // proc(5): utime (14), stime (15), starttime (22), vsize (23), rss (24).
    auto field = [&](std::size_t number, double& out) {
        const std::size_t i = number - 3;
        if (i >= fields.size()) {
            return false;
        }
        long long v = 0;
        const auto [p, ec] = std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), v);
        out = static_cast<double>(v);
        return ec == std::errc{};
    };
    double utime = 0;
    double stime = 0;
    double start = 0;
    double vsize = 0;
    double rss = 0;
    if (!field(14, utime) || !field(15, stime) || !field(22, start) || !field(23, vsize) || !field(24, rss)) {
        return std::nullopt;
    }
    const auto hz = static_cast<double>(ticks_per_second);
    ProcessSample s;
    s.cpu_seconds = (utime + stime) / hz;
    s.virtual_bytes = vsize;
    s.resident_bytes = rss * static_cast<double>(page_size);
    s.start_time_seconds = boot_time_seconds + start / hz;
    return s;
}

std::optional<ProcessSample> sample_this_process() {
    auto s = parse_proc_stat(read_file("/proc/self/stat"), ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE),
                             boot_time());
    if (!s) {
        return std::nullopt;
    }
    std::error_code ec;
    double fds = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
        ++fds;
    }
    s->open_fds = fds > 0 ? fds - 1 : 0;  // less the descriptor of the directory being read
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        s->max_fds = lim.rlim_cur == RLIM_INFINITY ? 0 : static_cast<double>(lim.rlim_cur);
    }
    return s;
}

void set_process_metrics(Registry& r, const ProcessSample& s) {
    r.real_counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
        .set(s.cpu_seconds);
    r.gauge("process_resident_memory_bytes", "Resident memory size in bytes.").set(s.resident_bytes);
    r.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").set(s.virtual_bytes);
    r.gauge("process_open_fds", "Number of open file descriptors.").set(s.open_fds);
    r.gauge("process_max_fds", "Maximum number of open file descriptors.").set(s.max_fds);
    r.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
        .set(s.start_time_seconds);
}

void add_process_collector(Registry& registry) {
    registry.add_collector([](Registry& r) {
        if (const auto s = sample_this_process()) {
            set_process_metrics(r, *s);
        }
    });
}

}  // namespace rf::metrics
