#include "dataplane/eal.hpp"

#include <pthread.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <thread>

namespace rf::dataplane {

std::vector<std::string> build_eal_args(const EalConfig& config, std::string_view program) {
    std::vector<std::string> args{std::string(program)};
    if (!config.passthrough.empty()) {
        args.insert(args.end(), config.passthrough.begin(), config.passthrough.end());
    } else {
        const unsigned lcores = config.lcores == 0 ? 1 : config.lcores;
        const unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
        if (lcores <= cpus) {
            args.insert(args.end(), {"-l", "0-" + std::to_string(lcores - 1)});
        } else {
            // More lcores than CPUs (a lab on a small VM): let every lcore float over every CPU.
            args.insert(args.end(), {"--lcores", "(0-" + std::to_string(lcores - 1) + ")@(0-" +
                                                     std::to_string(cpus - 1) + ")"});
        }
        // --in-memory needs hugepages; without them --no-shconf plus a per-process prefix gives the
        // same isolation, so parallel processes never share or clash on runtime files.
        args.insert(args.end(),
                    {"--no-huge", "-m", std::to_string(config.memory_mb), "--no-shconf", "--file-prefix",
                     "rf-dp-" + std::to_string(::getpid()), "--no-pci", "--no-telemetry"});
        // rte_fib's AVX-512 bulk lookup (the RteFib engine) is used only when EAL allows 512-bit SIMD.
        args.emplace_back("--force-max-simd-bitwidth=512");
    }
    for (const auto& vdev : config.vdevs)
        args.insert(args.end(), {"--vdev", vdev});
    if (!config.log_level.empty())
        args.insert(args.end(), {"--log-level", config.log_level});
    return args;
}

namespace {
std::mutex g_mutex;
bool g_done = false;
bool g_ok = false;
std::string g_error;
std::string g_runtime_dir;
bool g_owns_runtime_dir = false;
}  // namespace

bool eal_init(const EalConfig& config, std::string* error) {
    std::lock_guard lock(g_mutex);
    if (!g_done) {
        g_done = true;
        auto args = build_eal_args(config, "rf-dataplane");
        std::vector<char*> argv;
        argv.reserve(args.size() + 1);
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        // EAL pins the calling (main) thread to the main lcore's CPU, and threads started later (the FIB
        // writer) inherit that. Give them back every CPU that no worker lcore is pinned to: a writer
        // sharing a worker's CPU would preempt it for a scheduler time slice while it waits for that
        // very worker's quiescent report.
        cpu_set_t saved;
        const bool have_affinity = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) == 0;
        const int rc = rte_eal_init(static_cast<int>(args.size()), argv.data());
        if (have_affinity && rc >= 0) {
            cpu_set_t allowed = saved;
            unsigned lcore = 0;
            RTE_LCORE_FOREACH_WORKER(lcore) {
                const rte_cpuset_t cpus = rte_lcore_cpuset(lcore);
                for (int c = 0; c < CPU_SETSIZE; ++c)
                    if (CPU_ISSET(c, &cpus))
                        CPU_CLR(c, &allowed);
            }
            pthread_setaffinity_np(pthread_self(), sizeof allowed,
                                   CPU_COUNT(&allowed) > 0 ? &allowed : &saved);
        }
        g_ok = rc >= 0;
        if (!g_ok) {
            g_error = std::string("rte_eal_init failed: ") + rte_strerror(rte_errno);
        } else {
            g_runtime_dir = rte_eal_get_runtime_dir();
            g_owns_runtime_dir = config.passthrough.empty();
        }
    }
    if (!g_ok && error)
        *error = g_error;
    return g_ok;
}

bool eal_initialised() {
    std::lock_guard lock(g_mutex);
    return g_ok;
}

void eal_shutdown() {
    std::lock_guard lock(g_mutex);
    if (!g_ok)
        return;
    rte_eal_cleanup();
    g_ok = false;
    if (g_owns_runtime_dir && !g_runtime_dir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(g_runtime_dir, ec);  // our own per-process prefix only
    }
}

}  // namespace rf::dataplane
