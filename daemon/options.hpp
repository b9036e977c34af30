// routefabricd's command line. The usage text (usage_text(), printed by --help) is the reference: the
// man page routefabricd(8) is generated from it at build time (scripts/packaging/render_man.py), and a
// test checks that every option the documentation uses is in it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/codec/result.hpp"

namespace rf::daemon {

// What routefabricd was asked to do.
enum class Command : std::uint8_t {
    Run,
    CheckConfig,   // --check-config / --check
    PrintUsage,    // -h / --help
    PrintVersion,  // --version
    DumpSchema,    // --dump-schema
};

struct Options {
    Command command = Command::Run;
    std::string config_path;
    std::optional<bool> emulator;  // --emulator / --no-emulator
    std::optional<bool> fib;       // --fib / --no-fib
    std::optional<std::uint32_t> workers;
    std::string log_level = "info";
    std::string log_format = "text";  // --log-format: text or json (logging.hpp)
    // --graceful-restart: this start is a restart of ours (RFC 4724 §4.1: R bit, deferred advertising).
    bool graceful_restart = false;
    std::vector<std::string> eal_args;  // after "--", or the words of --eal "ARGS"
};

// The options, or the exit status to leave with (2) after printing why they are not usable (and the
// usage) on stderr. -h/--help, --version and --dump-schema end the parsing where they stand: what follows
// them is not looked at.
[[nodiscard]] Result<Options, int> parse_options(int argc, char** argv);

// The full usage: synopsis, description, every option, exit status, signals and files.
[[nodiscard]] std::string_view usage_text();
void print_usage(std::FILE* to);  // --help: stdout; a usage error: stderr
void print_version();             // to stdout: the daemon's version and the forwarding module it would load
// To stdout, one configuration key per line: path, type, default and meaning, tab-separated (the source
// of the man page routefabric.yaml(5)).
void print_schema();

}  // namespace rf::daemon
