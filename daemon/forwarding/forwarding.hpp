// routefabricd's forwarding side, in the daemon's own process: the DPDK EAL, the FIB built from the
// configured VNet model (effective route tables), the FIB updater whose bounded queue takes the RIB's
// deltas, and optionally the host emulator forwarding synthetic traffic from every VM through the FIB,
// with a convergence observer (convergence_observer.hpp) measuring each route change at the hosts.
//
// The implementation is a module, routefabric-forwarding.so (module.cpp), the only part of the daemon
// that links the FIB, the data plane and DPDK; routefabricd loads it (loader.cpp) only when it runs a
// FIB, so a route server without one maps no DPDK library at all. The two sides meet through the
// versioned interface of module_interface.hpp.
//
// Threads: sink() and input_received() are called on the daemon's io_context thread (the RIB's strand).
// The FIB writer thread calls the visibility observers. A monitor thread closes convergence measurements.
// The emulator's workers run on EAL lcores or threads. stats()/collect() may be called from any thread
// (the API's).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/api/backend.hpp"
#include "daemon/api/metrics.hpp"
#include "fib/delta/delta.hpp"
#include "fib/vnet/vnet_model.hpp"
#include "net/ip.hpp"

namespace rf::daemon {

// The emulator's settings mirror config::EmulatorConfig (same defaults; dataplane::EmulatorConfig says
// what each one does).
struct ForwardingOptions {
    bool emulator = false;
    std::uint32_t workers = 1;
    std::uint32_t flows_per_vm = 4;
    std::uint32_t flows6_per_vm = 0;  // 0: the VMs send no IPv6 traffic
    std::uint32_t burst = 32;
    std::uint32_t pass_target_us = 400;  // 0: fixed bursts
    // Lab mode: our addresses on the NVA port (ARP sender, NS source); unset: the interface's own.
    std::optional<net::Ipv4Address> lab_address;
    std::optional<net::Ipv6Address> lab_address6;
    std::uint32_t neighbor_retry_ms = 50;
    std::uint32_t neighbor_reachable_ms = 30000;
    // EAL arguments for bare metal (hugepages, devices, cores); empty = lab defaults (no hugepages, no
    // PCI, no shared files, virtual net_null ports).
    std::vector<std::string> eal_args;
    std::chrono::milliseconds convergence_timeout{5000};
    // The FIB writer thread's priority relative to the daemon's (fib::UpdaterConfig::nice_delta): it
    // preempts the io thread, which keeps encoding and sending UPDATEs after handing it a batch. Needs
    // CAP_SYS_NICE; without it the writer runs at the daemon's priority (logged at start).
    int fib_writer_nice_delta = -5;
};

// The forwarding side as routefabricd sees it (implemented by the forwarding module).
class Forwarding {
public:
    virtual ~Forwarding() = default;
    Forwarding(const Forwarding&) = delete;
    Forwarding& operator=(const Forwarding&) = delete;

    // The RIB's DeltaSink: the FIB updater's queue itself, or, when the emulator runs, the convergence
    // observer in front of it.
    virtual fib::DeltaSink& sink() = 0;
    // T0 of convergence measurements: the input behind the next publish (an UPDATE read, a peer found down)
    // arrived at `at`. io thread, just before that input reaches the RIB; ignored without the emulator.
    virtual void input_received(std::chrono::steady_clock::time_point at) = 0;
    // Where publish latency and convergence are recorded (set once, before io.run()).
    virtual void set_metrics(metrics::StandardMetrics* metrics) = 0;
    // A new VNet model at runtime (a reloaded virtual_network section): Fib::update_model, table ids stable
    // by name, readers never stop. `detail` says what changed, or why the model was refused (false; nothing
    // changed then). The emulator's hosts and VMs follow the model (Emulator::replace_layout): VMs added,
    // removed, moved to another subnet or host; the VMs it keeps keep their flows and never stop
    // forwarding. One caller at a time (routefabricd: the io thread).
    virtual bool update_model(const fib::VnetModel& model, std::string* detail) = 0;
    // Stops the emulator, drains and stops the FIB updater. Idempotent.
    virtual void stop() = 0;

    [[nodiscard]] virtual bool emulator_running() const = 0;
    [[nodiscard]] virtual api::EmulatorStats emulator_stats() const = 0;
    // Emulator packet counters into the metrics (a registry collector).
    virtual void collect() = 0;
    // Deltas in the FIB updater's queue, not yet applied.
    [[nodiscard]] virtual std::uint64_t fib_queue_depth() const = 0;
    [[nodiscard]] virtual std::string describe() const = 0;
    // The emulator's last convergence measurements, oldest first (empty without the emulator).
    [[nodiscard]] virtual api::ConvergenceHistory convergence_history() const = 0;

protected:
    Forwarding() = default;
};

// Loads the forwarding module and creates the forwarding side: initialises EAL, creates the FIB and
// starts its updater (and the emulator when asked). nullptr with `error` on failure, naming the module
// paths tried when none could be loaded. The module is looked up, in order, at $RF_FORWARDING_MODULE,
// next to the running executable (a build tree), and in the installed library directory.
std::unique_ptr<Forwarding> load_forwarding(const fib::VnetModel& model, const ForwardingOptions& options,
                                            std::string* error);
// "PATH (DPDK VERSION)" of the module load_forwarding would use, or "not available: WHY" (--version).
[[nodiscard]] std::string describe_forwarding_module();

}  // namespace rf::daemon
