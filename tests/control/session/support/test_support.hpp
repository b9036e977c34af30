// Shared helpers for the session/daemon integration tests (and for anyone who wants to start real BGP
// daemons from a test): temp dirs, loopback addresses and free ports, bounded waiting, child processes
// stopped by PID, bounded command capture.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace rf::testing {

using namespace std::chrono_literals;

// A fresh directory under $TMPDIR, removed on destruction (kept when RF_KEEP_TMP is set).
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "rf-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// "127.A.B.host": A.B is chosen per process so that parallel test binaries use disjoint addresses.
std::string loopback(int host);
// A TCP port that is free on `address` right now (bind to port 0, read it back, close).
std::uint16_t free_port(const std::string& address = "127.0.0.1");

// Polls `pred` every `step` until it is true or `timeout` passed. Returns the last value of `pred`.
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = 50ms);

void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);
// The number after "key": in JSON text (rfctl -o json output), or -1 when the key is absent.
long long json_number(const std::string& json, const std::string& key);
bool have_executable(const std::string& path);
std::string find_executable(const std::vector<std::string>& candidates);  // first that exists, or ""

// A child process with stdout+stderr in a log file, stopped by PID (SIGTERM, then SIGKILL after a
// bounded wait) when stop() is called or the object dies.
class Process {
public:
    Process() = default;
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    bool start(const std::vector<std::string>& argv, const std::string& log_path,
               const std::map<std::string, std::string>& env = {}, const std::string& cwd = {});
    void stop(std::chrono::milliseconds grace = 3000ms);
    void signal(int signo) const;
    [[nodiscard]] bool running();
    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::string& log_path() const { return log_; }
    [[nodiscard]] int exit_status() const { return status_; }

private:
    pid_t pid_ = -1;
    int status_ = -1;
    std::string log_;
};

// Runs a command to completion (killed after `timeout`), returns its stdout+stderr.
std::string run_capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = 5000ms);

}  // namespace rf::testing
