#include "daemon/startup.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdio>

#include "daemon/config/vnet_convert.hpp"

namespace rf::daemon {

namespace {

bool emulator_section_without_enabled(const std::string& path) {
    try {
        const YAML::Node doc = YAML::LoadFile(path);
        const YAML::Node emu = doc["emulator"];
        return emu && emu.IsMap() && !emu["enabled"];
    } catch (const YAML::Exception&) {
        return false;  // load_file_checked() already accepted the file; nothing to add
    }
}

}  // namespace

Result<Startup, int> load_startup(const Options& options) {
    const std::string& path = options.config_path;
    auto cfg = config::load_file_checked(path);
    if (!cfg) {
        for (const auto& e : cfg.error()) {
            std::fprintf(stderr, "%s: %s\n", path.c_str(), e.to_string().c_str());
        }
        std::fprintf(stderr, "%s: %zu error(s)\n", path.c_str(), cfg.error().size());
        return unexpected(1);
    }
    Startup s;
    s.config = std::move(*cfg);
    // An emulator section without `enabled` turns the emulator on (the default deployment is routefabricd
    // and the emulator in one process); the flag overrides both. The decision is written back into the
    // configuration, so the file routefabricd persists on runtime changes keeps it.
    if (!s.config.emulator.enabled && emulator_section_without_enabled(path)) {
        s.config.emulator.enabled = true;
    }
    if (options.emulator) {
        s.config.emulator.enabled = *options.emulator;
    }
    // The FIB exists for the VNet model's effective route tables and for the emulator that forwards
    // through them; a plain route server (no virtual_network, no emulator) gets none.
    s.fib = options.fib.value_or(s.config.virtual_network.has_value() || s.config.emulator.enabled);
    if (!s.fib && options.emulator.value_or(false)) {
        std::fprintf(stderr,
                     "routefabricd: --emulator forwards through the FIB; it cannot run with --no-fib\n");
        return unexpected(2);
    }
    // --no-fib wins over emulator.enabled from the file (the file itself is left as it is).
    s.emulator = s.fib && s.config.emulator.enabled;
    s.emulator_dropped = !s.fib && s.config.emulator.enabled;
    return s;
}

void print_check_summary(const std::string& path, const Startup& s) {
    const config::Config& cfg = s.config;
    std::string listen;
    for (const auto& l : cfg.route_server.listen) {
        listen += (listen.empty() ? "" : ", ") + l.to_string();
    }
    std::printf(
        "%s: OK — AS %u, listen %s port %u, %zu peer(s), %s, API %s, FIB %s, emulator %s\n", path.c_str(),
        cfg.route_server.asn, listen.c_str(), cfg.route_server.port, cfg.peers.size(),
        cfg.virtual_network ? "VNet model from virtual_network"
                            : (s.fib ? "default lab VNet model" : "no VNet model"),
        cfg.api.enabled ? (cfg.api.listen.to_string() + ":" + std::to_string(cfg.api.port)).c_str() : "off",
        s.fib ? "on" : "off (route server only)", s.emulator ? "on" : "off");
}

}  // namespace rf::daemon
