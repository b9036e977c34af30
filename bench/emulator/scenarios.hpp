// rf-emulator's scenarios: route changes injected at T0 through the route producer while the emulator's
// hosts forward, each measured by the convergence probe (probe.hpp) at every host.
//   rate        forwarding rate (Mpps per worker core)
//   prefix      one prefix moves from the ECMP set {A,B} to C          prefix6, bulk6, peer-down6: the
//   bulk        --bulk prefixes move likewise                          same changes on the IPv6 routes
//   peer-down   ECMP member A leaves every route (--next-hop-down: the RIB's hint first)
//   churn       sustained changes at --churn-rates with a probed change every 100 ms
// Routes: IPv4 /24s from 20.0.0.0 over A, B, ... = 10.1.1.4, .5, ...; C = 10.1.1.100. IPv6 /48s from
// 2001:db8:: over fd00:1:1::4, ::5, ...; C = fd00:1:1::64.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/emulator/options.hpp"
#include "bench/emulator/report.hpp"
#include "bench/emulator/route_producer.hpp"
#include "dataplane/emulator.hpp"

namespace rf::bench {

std::uint32_t route_prefix(std::uint32_t i);           // 20.x.y.0/24
dataplane::Ipv6Bytes route_prefix6(std::uint32_t i);   // 2001:db8:i::/48
dataplane::Ipv6Bytes nva_address6(std::uint8_t host);  // fd00:1:1::<host>

// The initial ECMP sets (--ecmp members; IPv6 only with --routes6).
struct NextHopSets {
    std::vector<std::uint32_t> nvas;
    std::vector<dataplane::Ipv6Bytes> nvas6;
};
[[nodiscard]] NextHopSets initial_next_hops(const Options& o);
// Loads every route over the initial sets (in chunks, retrying on back-pressure) and waits until visible.
void load_initial_routes(RouteProducer& producer, const Options& o, const NextHopSets& sets);

class ScenarioRunner {
public:
    ScenarioRunner(const Options& o, RouteProducer& producer, dataplane::Emulator& emu, NextHopSets sets)
        : o_(o), producer_(producer), emu_(emu), nvas_(std::move(sets.nvas)), nvas6_(std::move(sets.nvas6)) {}

    // Runs scenario `name` (--repeat times for the single-change ones), then the summary of its runs.
    void run(const std::string& name);

private:
    void run_rate();
    void run_prefix();
    void run_bulk();
    void run_peer_down();
    void run_churn(std::uint32_t rate);
    void run_prefix6();
    void run_bulk6();
    void run_peer_down6();
    bool have_routes6(const char* scenario) const;

    // Injects (retrying on back-pressure, bounded) and waits until visible; returns the visible TSC.
    std::uint64_t inject_and_publish(const std::vector<RouteUpdate>& batch);
    // Restores IPv6 routes (retrying on back-pressure, bounded) and waits until visible.
    void restore6(const std::vector<RouteUpdate6>& batch);
    dataplane::ProbeSpec spec_for(const std::string& name, const std::vector<std::uint32_t>& idx,
                                  std::vector<std::uint32_t> include, std::vector<std::uint32_t> exclude,
                                  bool all_affected) const;
    dataplane::ProbeSpec spec_for6(const std::string& name, const std::vector<std::uint32_t>& idx,
                                   std::vector<dataplane::Ipv6Bytes> include,
                                   std::vector<dataplane::Ipv6Bytes> exclude, bool all_affected) const;
    // Arms the probe, takes T0, injects the change (`inject` returns its ticket, 0 when refused) and waits
    // for every host and the publish.
    template <class Inject>
    dataplane::ConvergenceReport measure(dataplane::ProbeSpec spec, Inject inject);
    std::vector<RouteUpdate> set_routes(const std::vector<std::uint32_t>& idx,
                                        const std::vector<std::uint32_t>& nhs) const;
    std::vector<RouteUpdate6> set_routes6(const std::vector<std::uint32_t>& idx,
                                          const std::vector<dataplane::Ipv6Bytes>& nhs) const;
    void settle();

    const Options& o_;
    RouteProducer& producer_;
    dataplane::Emulator& emu_;
    std::vector<std::uint32_t> nvas_;                     // initial ECMP set
    std::vector<dataplane::Ipv6Bytes> nvas6_;             // the IPv6 routes' initial ECMP set
    std::uint32_t new_nva_ = 0x0A010164;                  // 10.1.1.100: the moved prefixes' next hop
    dataplane::Ipv6Bytes new_nva6_ = nva_address6(0x64);  // fd00:1:1::64 for moved IPv6 prefixes
    ReportLog log_;
};

}  // namespace rf::bench
