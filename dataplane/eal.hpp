// DPDK EAL start-up for the emulator. By default the EAL runs without hugepages, PCI devices or shared
// files (so any number of test processes can run side by side, unprivileged memory only), with virtual
// ports (`net_null`, `net_ring`, `net_af_packet`, `net_tap`). On bare metal the operator's own EAL
// arguments (hugepages, `-a <pci>`, core lists) replace the defaults verbatim.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/command_line.hpp"

namespace rf::dataplane {

struct EalConfig {
    unsigned lcores = 2;             // main lcore + workers; ignored when `passthrough` is set
    unsigned memory_mb = 1024;       // -m without hugepages
    std::vector<std::string> vdevs;  // "net_null0", "net_af_packet0,iface=veth0", ...
    // Real EAL arguments for bare metal. When non-empty they are used instead of the virtual defaults
    // (only the vdevs are appended).
    std::vector<std::string> passthrough;
    std::string log_level = "*:warning";
};

// The argument vector handed to rte_eal_init (argv[0] included).
[[nodiscard]] std::vector<std::string> build_eal_args(const EalConfig& config, std::string_view program);

// Initialises the EAL once per process (later calls return the first result). Returns false with a
// message when rte_eal_init fails. The runtime directory created for the unique file prefix is removed
// by eal_shutdown().
bool eal_init(const EalConfig& config, std::string* error);
[[nodiscard]] bool eal_initialised();
void eal_shutdown();

}  // namespace rf::dataplane
