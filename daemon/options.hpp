// routefabricd's command line:
//
//   routefabricd [options] CONFIG [-- EAL ARGS...]
//   routefabricd --check-config CONFIG      validate and exit (0 = valid, 1 = invalid); --check is an alias
//   routefabricd --version                  the version and the forwarding module it would load
//
// Options: --emulator / --no-emulator (default: emulator.enabled, true when the emulator section exists),
// --fib / --no-fib (default: a FIB when virtual_network is configured or the emulator runs; --no-fib also
// turns the emulator off), --workers N (emulator worker lcores), --log-level trace|debug|info|warn|error,
// -c / --config CONFIG, --eal "ARGS" (same as ARGS after "--").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/codec/result.hpp"

namespace rf::daemon {

// What routefabricd was asked to do.
enum class Command : std::uint8_t {
    Run,
    CheckConfig,   // --check-config / --check
    PrintUsage,    // -h / --help
    PrintVersion,  // --version
};

struct Options {
    Command command = Command::Run;
    std::string config_path;
    std::optional<bool> emulator;  // --emulator / --no-emulator
    std::optional<bool> fib;       // --fib / --no-fib
    std::optional<std::uint32_t> workers;
    std::string log_level = "info";
    std::vector<std::string> eal_args;  // after "--", or the words of --eal "ARGS"
};

// The options, or the exit status to leave with (2) after printing why they are not usable. -h/--help
// and --version end the parsing where they stand: what follows them is not looked at.
[[nodiscard]] Result<Options, int> parse_options(int argc, char** argv);

void print_usage();    // to stderr
void print_version();  // to stdout: the daemon's version and the forwarding module it would load

}  // namespace rf::daemon
