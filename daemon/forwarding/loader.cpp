// Finds and loads the forwarding module (forwarding.hpp). dlopen with RTLD_LOCAL: the module's own copies
// of the FIB, the data plane and DPDK stay private to it; only its two entry points are looked up.
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "daemon/forwarding/forwarding.hpp"

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
    ForwardingCreateFn create = nullptr;
    ForwardingVersionFn dpdk_version = nullptr;
};

// dlopen()s the first candidate that exists and checks its interface stamp. The module stays loaded for
// the life of the process (its threads and DPDK state live in it).
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
        Module m;
        m.path = path;
        auto abi = reinterpret_cast<ForwardingAbiFn>(dlsym(handle, kForwardingAbiSymbol));
        m.create = reinterpret_cast<ForwardingCreateFn>(dlsym(handle, kForwardingCreateSymbol));
        m.dpdk_version = reinterpret_cast<ForwardingVersionFn>(dlsym(handle, kForwardingVersionSymbol));
        if (abi == nullptr || m.create == nullptr || m.dpdk_version == nullptr) {
            *error =
                path.string() + " is not a routefabric forwarding module (no " + kForwardingAbiSymbol + ")";
            dlclose(handle);
            return std::nullopt;
        }
        if (abi() != forwarding_abi()) {
            *error = path.string() +
                     " comes from another routefabric build (interface stamp differs); install the module "
                     "built with this routefabricd";
            dlclose(handle);
            return std::nullopt;
        }
        return m;
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
    return std::unique_ptr<Forwarding>(m->create(&model, &options, error));
}

std::string describe_forwarding_module() {
    std::string error;
    const std::optional<Module> m = open_module(&error);
    if (!m) {
        return "not available: " + error;
    }
    return m->path.string() + " (" + m->dpdk_version() + ")";
}

}  // namespace rf::daemon
