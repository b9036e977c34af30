// From the command line to what this process runs: the configuration file loaded and checked (the VNet
// model included), the emulator switched on by an emulator section without `enabled`, and the command
// line's --fib/--emulator decisions applied. Route-server-only mode is the case without a FIB: without a
// virtual_network section and without the emulator (or with --no-fib) there is nothing to forward for,
// so neither the DPDK EAL nor the FIB tables nor the emulator are created.
#pragma once

#include <string>

#include "control/codec/result.hpp"
#include "daemon/config/config.hpp"
#include "daemon/options.hpp"

namespace rf::daemon {

struct Startup {
    config::Config config;  // emulator.enabled as decided (the file routefabricd persists keeps it)
    bool fib = false;       // the forwarding module runs (FIB, and the emulator when `emulator`)
    bool emulator = false;
    bool emulator_dropped = false;  // emulator.enabled in the file, but --no-fib
};

// Loads options.config_path and decides the components. On failure prints why (every configuration
// error with its path, or the conflicting flags) and returns the exit status (1: invalid file, 2: usage).
[[nodiscard]] Result<Startup, int> load_startup(const Options& options);

// --check-config's one line on stdout: "PATH: OK — AS ..., listen ..., N peer(s), ..."
void print_check_summary(const std::string& path, const Startup& startup);

}  // namespace rf::daemon
