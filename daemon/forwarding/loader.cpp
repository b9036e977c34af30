// Finds and loads the forwarding module (forwarding.hpp). dlopen with RTLD_LOCAL: the module's own copies
// of the FIB, the data plane and DPDK stay private to it; only its entry point is looked up, and the
// module is used only if its interface version and build identity are this daemon's
// (module_interface.hpp).
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/forwarding/module_interface.hpp"

// RF_FORWARDING_INSTALL_RELDIR: the installed module directory relative to the daemon's (CMake defines it
// from GNUInstallDirs).

namespace rf::daemon {

namespace {

std::filesystem::path executable_dir() {
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : exe.parent_path();
}

std::vector<std::filesystem::path> candidates() {
    std::vector<std::filesystem::path> out;
    if (const char* env = std::getenv("RF_FORWARDING_MODULE"); env != nullptr && *env != '\0') {
        out.emplace_back(env);
        return out;  // an explicit choice is the only one tried
    }
    const std::filesystem::path dir = executable_dir();
    if (!dir.empty()) {
        out.push_back(dir / kForwardingModuleName);
        out.push_back((dir / RF_FORWARDING_INSTALL_RELDIR / kForwardingModuleName).lexically_normal());
    }
    return out;
}

struct Module {
    std::filesystem::path path;
    const RfForwardingModule* table = nullptr;
};

// Why `table` (from `path`) cannot be used by this daemon; empty when it can.
std::string refusal(const std::filesystem::path& path, const RfForwardingModule* table) {
    if (table == nullptr) {
        return path.string() + " is not a routefabric forwarding module (" + kForwardingModuleSymbol +
               " returned nothing)";
    }
    if (table->interface_version != kForwardingInterfaceVersion) {
        return path.string() + " has forwarding module interface version " +
               std::to_string(table->interface_version) + ", this routefabricd needs version " +
               std::to_string(kForwardingInterfaceVersion) +
               "; install the module built with this routefabricd";
    }
    if (table->build_id == nullptr || std::string_view(table->build_id) != kForwardingBuildId ||
        table->create == nullptr || table->dpdk_version == nullptr) {
        return path.string() + " comes from another routefabric build (module " +
               (table->build_id != nullptr ? table->build_id : "?") + ", routefabricd " + kForwardingBuildId +
               "); install the module built with this routefabricd";
    }
    return {};
}

// dlopen()s the first candidate that exists and checks its interface version and build identity. The
// module stays loaded for the life of the process (its threads and DPDK state live in it).
std::optional<Module> open_module(std::string* error) {
    std::string tried;
    for (const std::filesystem::path& path : candidates()) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) {
            tried += (tried.empty() ? "" : ", ") + path.string() + " (not found)";
            continue;
        }
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            const char* why = dlerror();
            *error = "cannot load the forwarding module " + path.string() + ": " +
                     (why != nullptr ? why : "dlopen failed");
            return std::nullopt;
        }
        // dlsym returns an object pointer; POSIX requires the conversion to a function pointer to work.
        auto entry = reinterpret_cast<ForwardingModuleFn>(dlsym(handle, kForwardingModuleSymbol));
        if (entry == nullptr) {
            *error = path.string() + " is not a routefabric forwarding module (no " +
                     kForwardingModuleSymbol + ")";
            dlclose(handle);
            return std::nullopt;
        }
        const RfForwardingModule* table = entry();
        if (std::string why = refusal(path, table); !why.empty()) {
            *error = std::move(why);
            dlclose(handle);
            return std::nullopt;
        }
        return Module{path, table};
    }
    *error = std::string("cannot find the forwarding module ") + kForwardingModuleName +
             " (FIB and emulator); tried " +
             (tried.empty() ? std::string("nothing (executable path unknown)") : tried) +
             "; set RF_FORWARDING_MODULE to its path, or run with --no-fib for a route server without a FIB";
    return std::nullopt;
}

}  // namespace

std::unique_ptr<Forwarding> load_forwarding(const fib::VnetModel& model, const ForwardingOptions& options,
                                            std::string* error) {
    const std::optional<Module> m = open_module(error);
    if (!m) {
        return nullptr;
    }
    return std::unique_ptr<Forwarding>(m->table->create(&model, &options, error));
}

std::string describe_forwarding_module() {
    std::string error;
    const std::optional<Module> m = open_module(&error);
    if (!m) {
        return "not available: " + error;
    }
    return m->path.string() + " (" + m->table->dpdk_version + ")";
}

}  // namespace rf::daemon
