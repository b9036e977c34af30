#include "dataplane/eal.hpp"

#include <pthread.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <thread>

namespace rf::dataplane {

namespace {

void add_lab_defaults(const EalOptions& options, std::vector<std::string>& args) {
    const unsigned lcores = std::max(1U, options.lcores);
    const unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
    if (lcores == 1) {
        args.insert(args.end(), {"-l", "0"});
    } else if (lcores <= cpus) {
        args.insert(args.end(), {"-l", "0-" + std::to_string(lcores - 1)});
    } else {
        // More lcores than CPUs (a lab on a small VM): let every lcore float over every CPU.
        args.insert(args.end(), {"--lcores", "(0-" + std::to_string(lcores - 1) + ")@(0-" +
                                                 std::to_string(cpus - 1) + ")"});
    }
    // --in-memory needs hugepages; without them --no-shconf plus a per-process prefix gives the same
    // isolation, so parallel processes never share or clash on runtime files.
    args.insert(args.end(),
                {"--no-huge", "-m", std::to_string(options.memory_mb), "--no-shconf", "--file-prefix",
                 "rf-" + std::to_string(::getpid()), "--no-pci", "--no-telemetry"});
    // rte_fib's AVX-512 bulk lookup (the RteFib engine) is used only when EAL allows 512-bit SIMD.
    if (options.allow_avx512)
        args.emplace_back("--force-max-simd-bitwidth=512");
}

// EAL pinned the calling (main) thread to the main lcore's CPU. Give it back every CPU of its old set that
// no worker lcore is pinned to: a thread it starts later (the FIB writer) sharing a worker's CPU would
// preempt that worker for a scheduler time slice while it waits for that very worker's quiescent report.
void release_main_thread_affinity(const cpu_set_t& saved) {
    cpu_set_t allowed = saved;
    unsigned lcore = 0;
    RTE_LCORE_FOREACH_WORKER(lcore) {
        const rte_cpuset_t cpus = rte_lcore_cpuset(lcore);
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &cpus))
                CPU_CLR(c, &allowed);
    }
    pthread_setaffinity_np(pthread_self(), sizeof allowed, CPU_COUNT(&allowed) > 0 ? &allowed : &saved);
}

std::mutex g_mutex;
bool g_tried = false;
bool g_started = false;
std::string g_error;
std::string g_runtime_dir;
bool g_owns_runtime_dir = false;

}  // namespace

std::vector<std::string> eal_arguments(const EalOptions& options, std::string_view program) {
    std::vector<std::string> args{std::string(program)};
    if (options.lab())
        add_lab_defaults(options, args);
    else
        args.insert(args.end(), options.bare_metal_args.begin(), options.bare_metal_args.end());
    for (const auto& vdev : options.vdevs)
        args.insert(args.end(), {"--vdev", vdev});
    if (!options.log_level.empty())
        args.insert(args.end(), {"--log-level", options.log_level});
    if (options.lab())
        args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
    return args;
}

bool start_eal(const EalOptions& options, std::string* error) {
    std::lock_guard lock(g_mutex);
    if (!g_tried) {
        g_tried = true;
        auto args = eal_arguments(options, "routefabric");
        std::vector<char*> argv;
        argv.reserve(args.size() + 1);
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        cpu_set_t saved;
        const bool have_affinity = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) == 0;
        const int rc = rte_eal_init(static_cast<int>(args.size()), argv.data());
        if (have_affinity) {
            if (rc >= 0)
                release_main_thread_affinity(saved);
            else
                pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
        }
        g_started = rc >= 0;
        if (!g_started) {
            g_error = std::string("rte_eal_init failed: ") + rte_strerror(rte_errno);
        } else {
            g_runtime_dir = rte_eal_get_runtime_dir();
            g_owns_runtime_dir = options.lab();
        }
    }
    if (!g_started && error != nullptr)
        *error = g_error;
    return g_started;
}

bool eal_started() {
    std::lock_guard lock(g_mutex);
    return g_started;
}

void stop_eal() {
    std::lock_guard lock(g_mutex);
    if (!g_started)
        return;
    rte_eal_cleanup();
    g_started = false;
    // Lab mode: the directory is ours alone (the prefix carries the pid) and holds nothing once EAL is down.
    if (g_owns_runtime_dir && g_runtime_dir.find("/rf-") != std::string::npos) {
        std::error_code ec;
        std::filesystem::remove_all(g_runtime_dir, ec);
    }
}

}  // namespace rf::dataplane
