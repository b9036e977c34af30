// routefabricd's forwarding side, in the daemon's own process: the DPDK EAL, the FIB built from the
// configured VNet model (effective route tables), the FIB updater whose bounded queue is the RIB's
// DeltaSink, and optionally the host emulator forwarding synthetic traffic from every VM through the
// FIB, with a convergence probe armed for a batch of route changes whenever none is running.
//
// This is the only place in control/ that links the data plane (fib/, dataplane/): the libraries under
// control/ stay free of DPDK headers; the daemon's main wires them together (dataplane → fib ← control).
//
// Threads: sink() is called on the daemon's io_context thread (the RIB's strand). The FIB writer thread
// calls the visibility observer. A monitor thread closes convergence measurements. The emulator's
// workers run on EAL lcores or threads. stats()/collect() may be called from any thread (API thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/api/control_plane.hpp"
#include "control/api/metrics.hpp"
#include "control/rib/delta.hpp"
#include "fib/vnet_model.hpp"

namespace rf::daemon {

struct ForwardingOptions {
    bool emulator = false;
    std::uint32_t workers = 1;
    std::uint32_t flows_per_vm = 4;
    // EAL arguments for bare metal (hugepages, devices, cores); empty = lab defaults (no hugepages, no
    // PCI, no shared files, virtual net_null ports).
    std::vector<std::string> eal_args;
    std::chrono::milliseconds convergence_timeout{5000};
};

class Forwarding {
public:
    // Initialises EAL, creates the FIB and starts its updater (and the emulator when asked). nullptr with
    // `error` on failure.
    static std::unique_ptr<Forwarding> create(const fib::VnetModel& model, const ForwardingOptions& options,
                                              std::string* error);
    ~Forwarding();
    Forwarding(const Forwarding&) = delete;
    Forwarding& operator=(const Forwarding&) = delete;

    // The RIB's DeltaSink (the FIB updater's queue, wrapped to time publishes and arm probes).
    rib::DeltaSink& sink();
    // Where publish latency and convergence are recorded (set once, before io.run()).
    void set_metrics(metrics::StandardMetrics* metrics);
    // A new VNet model at runtime (a reloaded virtual_network section): Fib::update_model, table ids stable
    // by name, readers never stop. `detail` says what changed, or why the model was refused (false; nothing
    // changed then). The emulator keeps the VMs and flows it started with. Any thread.
    bool update_model(const fib::VnetModel& model, std::string* detail);
    // Stops the emulator, drains and stops the FIB updater. Idempotent.
    void stop();

    [[nodiscard]] bool emulator_running() const;
    [[nodiscard]] api::EmulatorStats emulator_stats() const;
    // Emulator packet counters into the metrics (a registry collector).
    void collect();
    // Deltas in the FIB updater's queue, not yet applied.
    [[nodiscard]] std::uint64_t fib_queue_depth() const;
    [[nodiscard]] std::string describe() const;

    struct Impl;

private:
    explicit Forwarding(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace rf::daemon
