#include "daemon/options.hpp"

#include <cstdio>

#include "daemon/forwarding/forwarding.hpp"
#include "dataplane/command_line.hpp"

namespace rf::daemon {

void print_usage() {
    std::fprintf(stderr,
                 "usage: routefabricd [--emulator|--no-emulator] [--fib|--no-fib] [--workers N] "
                 "[--log-level LEVEL] CONFIG [-- EAL ARGS...]\n"
                 "       routefabricd --check-config CONFIG   (alias: --check)\n"
                 "       routefabricd --version               (and the forwarding module it would load)\n");
}

void print_version() {
    std::printf("routefabricd %s\nforwarding module: %s\n", RF_VERSION, describe_forwarding_module().c_str());
}

Result<Options, int> parse_options(int argc, char** argv) {
    std::string error;
    auto cl = dataplane::split_command_line(argc, argv, &error);
    if (!cl) {
        std::fprintf(stderr, "routefabricd: %s\n", error.c_str());
        return unexpected(2);
    }
    Options o;
    o.eal_args = std::move(cl->eal);
    const auto& args = cl->app;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool has_value = i + 1 < args.size();
        if (a == "--check" || a == "--check-config") {
            o.command = Command::CheckConfig;
        } else if (a == "-h" || a == "--help") {
            o.command = Command::PrintUsage;
            return o;
        } else if (a == "--version") {
            o.command = Command::PrintVersion;
            return o;
        } else if (a == "--emulator" || a == "--no-emulator") {
            o.emulator = a == "--emulator";
        } else if (a == "--fib" || a == "--no-fib") {
            o.fib = a == "--fib";
        } else if (a == "--workers" && has_value) {
            const std::string& v = args[++i];
            if (v.empty() || v.size() > 3 || v.find_first_not_of("0123456789") != std::string::npos) {
                std::fprintf(stderr, "routefabricd: --workers needs a number 1-999, got '%s'\n", v.c_str());
                return unexpected(2);
            }
            o.workers = static_cast<std::uint32_t>(std::stoul(v));
        } else if (a == "--log-level" && has_value) {
            o.log_level = args[++i];
        } else if ((a == "-c" || a == "--config") && has_value) {
            o.config_path = args[++i];
        } else if (o.config_path.empty() && !a.starts_with("-")) {
            o.config_path = a;
        } else {
            print_usage();
            return unexpected(2);
        }
    }
    if (o.config_path.empty()) {
        print_usage();
        return unexpected(2);
    }
    return o;
}

}  // namespace rf::daemon
