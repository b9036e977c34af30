// Scenarios in RFC 4098 / RFC 7747 terms (docs/benchmarks.md describes each):
//   bringup     session bring-up of N peers (+ the monitor)
//   ingest      N peers announce K prefixes each; first and last prefix at the monitor, prefixes/s
//   failover    the best peer of an ECMP / best-path pair dies (abort | notification | hold) → time until
//               the monitor holds the alternative for every prefix
//   churn       M prefixes withdrawn / re-announced at R events/s for T s → UPDATE-in to UPDATE-out lag
//   route-limit a peer exceeds its limit → Cease/Maximum Number of Prefixes Reached, its routes withdrawn,
//               it comes back after idle-hold, nobody else disturbed
//   peer-count  sessions beyond the configured peers are refused, the configured ones undisturbed
//   replay      an MRT file's table and UPDATEs through one emulated peer per peer of the file
//               (replay_scenario.hpp); run with --replay FILE, not part of "all"
// Every phase is bounded in time; a scenario that runs out of time reports ok=false with the reason.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/rfbench/measurement.hpp"
#include "bench/rfbench/prefix_set.hpp"
#include "bench/rfbench/replay.hpp"
#include "bench/rfbench/target.hpp"

namespace rf::bench {

enum class FailoverMode { Abort, Notification, HoldExpiry };

struct ScenarioOptions {
    LoadPlan plan;

    // Where the target listens and who we are.
    Ipv4Address target_address{(127u << 24) | 1};
    std::uint16_t target_port = 0;  // 0: a free port for spawned targets, 179 for --no-spawn
    std::uint32_t target_asn = 65515;
    std::vector<Ipv4Address> local_addresses;  // peer i binds local_addresses[i]; default 127.0.0.10+i
    Ipv4Address monitor_address{(127u << 24) | 2};
    std::string bind_device;
    bool check_target_asn = true;

    std::uint16_t hold_time = 90;
    double phase_timeout_s = 120;  // every wait for convergence
    double bringup_timeout_s = 30;
    double settle_s = 0.5;  // quiet time after bring-up before the clock starts (at least the target's)

    FailoverMode failover_mode = FailoverMode::Abort;
    std::uint16_t failover_hold = 3;

    std::uint32_t churn_prefixes = 1000;
    double churn_rate = 500;
    double churn_seconds = 10;

    std::uint32_t route_limit = 100;
    std::uint32_t route_limit_excess = 5;  // FRR trips on limit + 2
    std::uint32_t idle_hold_s = 2;
    double comeback_timeout_s = 30;  // 0: do not wait for the comeback

    std::uint32_t peer_limit = 4;   // peer-count: configured peers
    std::uint32_t extra_peers = 2;  // peer-count: unconfigured peers that try to connect

    ReplayOptions replay;
    std::shared_ptr<const ReplayFile> replay_file;  // read once by main, shared by every target

    bool keep_dirs = false;
    bool verbose = false;
};

std::vector<std::string> scenario_names();
// Runs `scenario` against `target` (started and stopped here unless it is remote).
Measurement run_scenario(const std::string& scenario, const ScenarioOptions& options, Target& target);

std::string failover_mode_name(FailoverMode m);

}  // namespace rf::bench
