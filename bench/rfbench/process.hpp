// Target daemons as child processes: started in the foreground with their output in a log file, each in a
// process group of its own, stopped by PID (SIGTERM, then SIGKILL after a bound; what it forked goes with
// it), and sampled from /proc for peak RSS and CPU time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/rfbench/clock.hpp"

namespace rf::bench {

struct ProcSample {
    std::uint64_t peak_rss_kib = 0;  // VmHWM
    std::uint64_t rss_kib = 0;       // VmRSS
    double cpu_seconds = 0;          // utime + stime
    std::uint32_t processes = 0;     // how many processes the figures cover
    bool valid = false;
};

// Reads /proc/PID/status and /proc/PID/stat.
ProcSample sample_process(pid_t pid);
// The sum over `root` and every process below it (a daemon that forks workers, as OpenBGPD's parent,
// session engine, route decision engine and RTR process): RSS, CPU seconds, and the sum of each process's
// own peak RSS (an upper bound of the peak of the sum: the peaks need not coincide; pages shared between
// the processes count once per process).
ProcSample sample_process_tree(pid_t root);

class ChildProcess {
public:
    ChildProcess() = default;
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // fork + exec argv[0] with stdout/stderr appended to `log_path`. False with `error` on failure.
    bool start(const std::vector<std::string>& argv, const std::string& log_path, std::string& error);
    // True while the child runs. Once it has exited: SIGKILL to what is left of its process group
    // (workers it forked), then reaps it.
    bool running();
    // SIGTERM to the child, wait up to `grace` for it to exit, then SIGKILL to its process group;
    // returns the exit description.
    std::string stop(Nanos grace = 3 * kSecond);
    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::string& exit_description() const { return exit_; }

private:
    pid_t pid_ = -1;
    std::string exit_;
};

// True when a TCP socket listens on `port` (any address) per /proc/net/tcp.
bool tcp_listening(std::uint16_t port);
// A free TCP port on 127.0.0.1 chosen by the kernel (bind to 0, read it back, close).
std::uint16_t free_tcp_port();
// The first executable among `candidates` (names are looked up in PATH, paths taken as they are).
std::optional<std::string> find_executable(const std::vector<std::string>& candidates);
// Output of a short command (argv, no shell); empty on failure. Bounded to `timeout`.
std::string capture_output(const std::vector<std::string>& argv, Nanos timeout = 5 * kSecond);
// mkdtemp under $TMPDIR (or /tmp).
std::string make_temp_dir(const std::string& prefix);
bool write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);
void remove_tree(const std::string& dir);

}  // namespace rf::bench
