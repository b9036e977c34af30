// DPDK EAL start-up: the one set-up for every process that runs DPDK (routefabricd's forwarding module,
// rf-emulator, the benchmarks, the FIB and data-plane tests). EAL must be up before a Fib is created (the
// RteFib engine and rte_lpm allocate from EAL memory) and before any port or mempool exists.
//
// Lab defaults, when no bare-metal arguments are given: no hugepages (`-m memory_mb` of ordinary memory),
// no PCI devices, no shared runtime files and a per-process file prefix, so any number of unprivileged
// processes (parallel tests) run side by side; virtual ports from `vdevs` (net_null, net_ring,
// net_af_packet, net_tap); 512-bit SIMD allowed (rte_fib's AVX-512 bulk lookup). On bare metal the
// operator's EAL arguments (hugepages, `-a <pci>`, core lists) replace the lab defaults verbatim; only the
// vdevs and the log level are added.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rf::dataplane {

struct EalOptions {
    unsigned lcores = 1;             // lab defaults: the main lcore plus the workers
    unsigned memory_mb = 1024;       // lab defaults: -m without hugepages
    std::vector<std::string> vdevs;  // "net_null0", "net_af_packet0,iface=veth0", ...
    // Lab defaults only: further EAL arguments appended last (a benchmark's RF_EAL_ARGS).
    std::vector<std::string> extra_args;
    // Real EAL arguments for bare metal. Non-empty: used verbatim instead of the lab defaults.
    std::vector<std::string> bare_metal_args;
    std::string log_level = "*:warning";
    bool allow_avx512 = true;  // lab defaults: --force-max-simd-bitwidth=512

    [[nodiscard]] bool lab() const { return bare_metal_args.empty(); }
};

// The argument vector handed to rte_eal_init (argv[0] = `program`).
[[nodiscard]] std::vector<std::string> eal_arguments(const EalOptions& options, std::string_view program);

// Starts EAL once per process; later calls return the first result. Returns false with a message when
// rte_eal_init fails. Afterwards the calling thread may run on every CPU that no worker lcore is pinned
// to: EAL pins it to the main lcore's CPU, and threads started later (the FIB writer) inherit that.
bool start_eal(const EalOptions& options, std::string* error = nullptr);
[[nodiscard]] bool eal_started();
// rte_eal_cleanup(), and in lab mode removal of the per-process runtime directory; at process exit only.
void stop_eal();

}  // namespace rf::dataplane
