#include "fib/eal.hpp"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "fib/dpdk.hpp"

namespace rf::fib {
namespace {

std::once_flag g_once;
bool g_ready = false;
std::string g_error;
std::string g_runtime_dir;

void do_init(const EalOptions& o) {
    std::vector<std::string> args{"routefabric"};
    if (o.lab) {
        args.insert(args.end(),
                    {"--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-m",
                     std::to_string(o.memory_mb), "--file-prefix", "rf-" + std::to_string(::getpid())});
    }
    if (!o.lcores.empty()) {
        args.insert(args.end(), {"-l", o.lcores});
    }
    if (!o.log_level.empty()) {
        args.push_back("--log-level=" + o.log_level);
    }
    if (o.allow_avx512) {
        args.push_back("--force-max-simd-bitwidth=512");
    }
    args.insert(args.end(), o.args.begin(), o.args.end());
    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    cpu_set_t saved;
    const bool have_affinity = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) == 0;
    const int rc = rte_eal_init(static_cast<int>(argv.size() - 1), argv.data());
    if (have_affinity) {
        pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
    }
    if (rc < 0) {
        g_error = std::string("rte_eal_init failed: ") + rte_strerror(rte_errno);
        return;
    }
    g_runtime_dir = rte_eal_get_runtime_dir();
    g_ready = true;
}

}  // namespace

bool init_eal(const EalOptions& options, std::string* error) {
    std::call_once(g_once, [&] { do_init(options); });
    if (!g_ready && error != nullptr) {
        *error = g_error;
    }
    return g_ready;
}

bool eal_ready() {
    return g_ready;
}

void cleanup_eal() {
    if (!g_ready) {
        return;
    }
    rte_eal_cleanup();
    g_ready = false;
    // The directory is ours alone (the prefix carries the pid) and holds nothing once EAL is down.
    std::error_code ec;
    if (!g_runtime_dir.empty() && g_runtime_dir.find("/rf-") != std::string::npos) {
        std::filesystem::remove_all(g_runtime_dir, ec);
    }
}

}  // namespace rf::fib
