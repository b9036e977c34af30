// routefabricd: the route server daemon, one process (docs/user-guide.md). Reads the YAML configuration
// (docs/configuration.md), runs the BGP sessions and the RIB on one io_context thread, feeds the RIB's
// deltas into the FIB (effective route tables for the configured VNet model) through the FIB updater's
// bounded queue, serves the REST API and /metrics (docs/api.md), and optionally runs the DPDK host
// emulator forwarding synthetic traffic from every VM through the FIB, measuring convergence for each
// route change. SIGHUP reloads the file, SIGINT/SIGTERM shut down with Cease / Administrative Shutdown to
// every peer (exit 0).
//
// One job per file: options.hpp (the command line), startup.hpp (configuration and the components it
// asks for), logging.hpp, daemon.hpp (the layers, built), reload.hpp and signals.hpp.
#include <csignal>
#include <cstdio>

#include "daemon/daemon.hpp"
#include "daemon/logging.hpp"
#include "daemon/options.hpp"
#include "daemon/startup.hpp"

int main(int argc, char** argv) {
    using rf::daemon::Command;
    const auto options = rf::daemon::parse_options(argc, argv);
    if (!options) {
        return options.error();
    }
    if (options->command == Command::PrintUsage) {
        rf::daemon::print_usage(stdout);
        return 0;
    }
    if (options->command == Command::PrintVersion) {
        rf::daemon::print_version();
        return 0;
    }
    if (options->command == Command::DumpSchema) {
        rf::daemon::print_schema();
        return 0;
    }
    auto startup = rf::daemon::load_startup(*options);
    if (!startup) {
        return startup.error();
    }
    if (options->command == Command::CheckConfig) {
        rf::daemon::print_check_summary(options->config_path, *startup);
        return 0;
    }
    rf::daemon::set_up_logging(options->log_level, options->log_format == "json"
                                                       ? rf::daemon::LogFormat::Json
                                                       : rf::daemon::LogFormat::Text);
    // A peer closing its socket must not kill us with SIGPIPE (Asio uses MSG_NOSIGNAL, belt and braces).
    std::signal(SIGPIPE, SIG_IGN);
    const auto daemon = rf::daemon::Daemon::build(std::move(*startup), *options);
    return daemon ? daemon->run() : 1;
}
