// routefabricd and rfctl as the integration tests run them: the binaries of this build, the reason a test
// skips when they are not built, routefabricd's command line and start on a configuration file, and rfctl
// bound to a daemon's REST API. The tests of tests/daemon and the routefabricd tests of tests/dataplane
// use it instead of each finding the binaries and spelling the command lines.
//
// A command line is returned as well as run, so that a test can wrap it first (e.g. `ip netns exec NS`,
// tests/dataplane's namespace fixtures).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {

// The build tree: $RF_BINARY_DIR (ctest sets it), or "build" when a test runs by hand from the source tree.
[[nodiscard]] std::string binary_dir();
[[nodiscard]] std::string routefabricd_path();
[[nodiscard]] std::string rfctl_path();

// Why a test that runs routefabricd (and, with `with_rfctl`, rfctl) must skip; empty when it can run.
[[nodiscard]] std::string daemon_binaries_missing(bool with_rfctl = true);

// routefabricd's command line: `options` (e.g. "--no-fib"), then the configuration file.
[[nodiscard]] std::vector<std::string> routefabricd_command(const std::string& config,
                                                            const std::vector<std::string>& options = {});

// Starts routefabricd on `config`, its standard output and error to `log`.
bool start_routefabricd(Process& daemon, const std::string& config, const std::string& log,
                        const std::vector<std::string>& options = {});

// rfctl against one daemon's REST API (`server`, e.g. "http://127.0.0.1:9179").
class Rfctl {
public:
    static constexpr std::chrono::milliseconds kTimeout{10000};

    explicit Rfctl(std::string server) : server_(std::move(server)) {}

    // rfctl --server SERVER args...
    [[nodiscard]] std::vector<std::string> command(const std::vector<std::string>& args) const;
    // rfctl --server SERVER -o json args...
    [[nodiscard]] std::vector<std::string> json_command(const std::vector<std::string>& args) const;

    // Runs command(args) (killed after `timeout`): its output.
    std::string operator()(const std::vector<std::string>& args,
                           std::chrono::milliseconds timeout = kTimeout) const;
    // Runs json_command(args): its output.
    [[nodiscard]] std::string json(const std::vector<std::string>& args,
                                   std::chrono::milliseconds timeout = kTimeout) const;

    [[nodiscard]] const std::string& server() const { return server_; }

private:
    std::string server_;
};

}  // namespace rf::testing
