#include "tests/support/daemon_launcher.hpp"

#include <cstdlib>

namespace rf::testing {

std::string binary_dir() {
    const char* bin = std::getenv("RF_BINARY_DIR");
    return bin != nullptr ? bin : "build";
}

std::string routefabricd_path() {
    return binary_dir() + "/daemon/routefabricd";
}

std::string rfctl_path() {
    return binary_dir() + "/daemon/api/rfctl";
}

std::string daemon_binaries_missing(bool with_rfctl) {
    if (!with_rfctl) {
        return have_executable(routefabricd_path()) ? std::string()
                                                    : "routefabricd not built at " + routefabricd_path();
    }
    if (have_executable(routefabricd_path()) && have_executable(rfctl_path())) {
        return {};
    }
    return "routefabricd or rfctl not built under " + binary_dir();
}

std::vector<std::string> routefabricd_command(const std::string& config,
                                              const std::vector<std::string>& options) {
    std::vector<std::string> argv{routefabricd_path()};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(config);
    return argv;
}

bool start_routefabricd(Process& daemon, const std::string& config, const std::string& log,
                        const std::vector<std::string>& options) {
    return daemon.start(routefabricd_command(config, options), log);
}

std::vector<std::string> Rfctl::command(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{rfctl_path(), "--server", server_};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

std::vector<std::string> Rfctl::json_command(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{rfctl_path(), "--server", server_, "-o", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

std::string Rfctl::operator()(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
    return run_capture(command(args), timeout);
}

std::string Rfctl::json(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
    return run_capture(json_command(args), timeout);
}

}  // namespace rf::testing
