// Control-plane to data-plane convergence, measured at the hosts: an observer the forwarding module
// attaches only when the emulator runs. For each route change (one at a time) it arms the emulator's
// probe with T0 = when the UPDATE behind it was read (or the peer was found down), the prefixes it
// changes and the next hops that must (not) carry them; the hosts report when their forwarding switched,
// the FIB's visibility observer reports when the change was published, and a monitor thread closes the
// measurement when every host converged (or after a timeout) into the convergence metrics and counters.
//
// It sees the RIB's deltas through sink(), a DeltaSink in front of the FIB updater's: arming happens
// before the FIB gets a batch (T0 precedes the FIB's visibility), and it keeps the next hops each prefix
// was given (ProgrammedNextHops), which no other part of the daemon needs.
//
// Threads: sink() and input_received() on the io thread (the RIB's strand); on_visible() and
// on_next_hops_down() on the FIB writer's thread or the publishing one; the monitor thread closes
// measurements; append_stats() from any thread (the API's).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "daemon/api/backend.hpp"
#include "daemon/api/convergence_history.hpp"
#include "daemon/api/metrics.hpp"
#include "daemon/forwarding/programmed_next_hops.hpp"
#include "dataplane/probe.hpp"
#include "fib/delta/delta.hpp"

namespace rf::daemon {

class ConvergenceObserver {
public:
    // `next`: the sink the RIB's deltas go to after arming (the FIB updater's). `metrics` is read when a
    // measurement closes (null until the daemon attaches its registry).
    ConvergenceObserver(dataplane::ConvergenceProbe& probe, fib::DeltaSink& next,
                        const std::atomic<metrics::StandardMetrics*>& metrics,
                        std::chrono::milliseconds timeout);
    ~ConvergenceObserver();  // stop()
    ConvergenceObserver(const ConvergenceObserver&) = delete;
    ConvergenceObserver& operator=(const ConvergenceObserver&) = delete;

    void start();  // the monitor thread
    void stop();   // idempotent

    // The RIB's DeltaSink while the emulator runs.
    [[nodiscard]] fib::DeltaSink& sink() { return sink_; }
    // T0 of the next change: the input behind the next publish arrived at `at` (io thread).
    void input_received(std::chrono::steady_clock::time_point at) { input_at_ = at; }

    // The FIB made everything up to `sequence` visible at `now_tsc`.
    void on_visible(std::uint64_t sequence, std::uint64_t now_tsc);
    // The FIB applied a next-hop-down hint, repointing `repointed` groups.
    void on_next_hops_down(std::size_t repointed);

    // Runs `change` (the emulator's new layout) with no measurement running: one that is running was armed
    // for the old hosts and is closed first (as incomplete).
    void change_layout(const std::function<void()>& change);

    // The measurement counters and the convergence summary, appended to the emulator's statistics.
    void append_stats(api::EmulatorStats& s) const;
    // The last measurements closed (api::ConvergenceLog::kCapacity), oldest first.
    [[nodiscard]] api::ConvergenceHistory history() const;

    // The next hops the FIB was given, per prefix (for the memory figure of docs/benchmarks.md).
    [[nodiscard]] const ProgrammedNextHops& programmed() const { return programmed_; }

private:
    // The RIB's DeltaSink in front of `next`: arms, forwards, then records what was published.
    class ProbingSink final : public fib::DeltaSink {
    public:
        ProbingSink(ConvergenceObserver& observer, fib::DeltaSink& next) : observer_(observer), next_(next) {}
        bool publish(std::span<const fib::RouteDelta> batch) override;
        void next_hops_down(std::span<const net::IpAddress> next_hops) override;

    private:
        ConvergenceObserver& observer_;
        fib::DeltaSink& next_;
    };

    [[nodiscard]] std::uint64_t t0_of(std::uint64_t now_tsc) const;
    void arm(std::span<const fib::RouteDelta> batch, std::uint64_t t0_tsc);
    void arm_down(std::span<const net::IpAddress> dead, std::uint64_t t0_tsc);
    bool follows_a_hint(std::span<const fib::RouteDelta> batch);  // takes probe_mu_
    bool may_arm();                                               // takes probe_mu_
    void start_measurement(dataplane::ProbeSpec spec, std::uint64_t t0_tsc, std::uint64_t sequence,
                           bool by_hint);  // probe_mu_ held
    void close_measurement();              // probe_mu_ held
    void monitor_loop();

    dataplane::ConvergenceProbe& probe_;
    const std::atomic<metrics::StandardMetrics*>& metrics_;
    const std::chrono::milliseconds timeout_;
    ProbingSink sink_;

    // io thread only.
    std::optional<std::chrono::steady_clock::time_point> input_at_;
    ProgrammedNextHops programmed_;

    // probe_mu_ guards everything below, except the atomics.
    mutable std::mutex probe_mu_;
    bool armed_ = false;
    std::atomic<std::uint64_t> armed_sequence_{0};  // 0 = no publish awaited; read by the FIB writer
    // A measurement armed by a next-hop-down hint waits for the hint's repoint (read by the FIB writer),
    // and the RIB batch that follows the hint belongs to the same event until this instant.
    std::atomic<bool> down_armed_{false};
    std::atomic<std::uint64_t> hint_applied_tsc_{0};  // when the last hint repointed something (0: not yet)
    std::optional<std::chrono::steady_clock::time_point> follow_up_until_;
    bool armed_by_hint_ = false;  // the measurement running was started by a next-hop-down hint
    bool last_by_hint_ = false;   // ... and the last one closed
    std::chrono::steady_clock::time_point armed_at_;
    std::uint64_t events_ = 0;
    std::uint64_t incomplete_ = 0;
    std::uint64_t not_measured_ = 0;  // changes published while a measurement was running (or past the cap)
    std::uint64_t armed_runs_ = 0;
    static constexpr std::uint64_t kMaxMeasurements = 20000;
    static constexpr std::size_t kKeptResults = 10000;
    std::vector<double> last_host_seconds_;  // per measurement: the last host's convergence
    std::optional<dataplane::ConvergenceReport> last_report_;
    api::ConvergenceLog history_;  // one event per closed measurement

    std::thread monitor_;
    std::atomic<bool> monitor_stop_{false};
};

}  // namespace rf::daemon
