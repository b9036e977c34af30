// DPDK EAL initialisation shared by the FIB, its tests and benchmarks, and the data plane.
// rte_rcu_qsbr and the Dir24 engine need nothing from EAL, but the RteFib engine (rte_fib) and rte_lpm
// allocate from EAL memory, so EAL must be up before a Fib is created. Defaults suit tests and development
// machines: no hugepages, no PCI, no shared config files and a per-process file prefix, so that several test
// processes run in parallel. On bare metal, pass real EAL arguments (hugepages, devices, lcores) in `args`
// and set `lab` false.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rf::fib {

struct EalOptions {
    // Lab defaults (--no-huge --no-pci --no-shconf --no-telemetry, -m memory_mb,
    // --file-prefix rf-<pid>); off = only `args` (plus the program name) are passed.
    bool lab = true;
    std::uint32_t memory_mb = 512;
    std::string lcores = "0";  // -l
    std::string log_level = "*:error";
    bool allow_avx512 = true;       // --force-max-simd-bitwidth=512 (the RteFib engine's AVX-512 lookup)
    std::vector<std::string> args;  // extra EAL arguments, appended last
};

// Initialises EAL once per process; later calls return the first result. The calling thread's CPU
// affinity is restored afterwards (EAL pins the main lcore; reader threads started later would inherit
// that). Returns false and fills `error` on failure.
bool init_eal(const EalOptions& options, std::string* error = nullptr);

// True once init_eal() succeeded.
bool eal_ready();

// rte_eal_cleanup() and removal of the per-process runtime directory; only at process exit.
void cleanup_eal();

}  // namespace rf::fib
