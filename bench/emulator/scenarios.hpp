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

// The routes of one address family as the scenarios change them.
struct Ipv4Routes {
    using Address = std::uint32_t;  // host order
    using Update = RouteUpdate;
    static constexpr const char* kLabel = "";   // before a scenario's name
    static constexpr const char* kSuffix = "";  // after a scenario's option name
    static Update route(std::uint32_t i, std::vector<Address> next_hops);
    // Probe address (and affected range unless every destination is) of route i.
    static void add_probe(dataplane::ProbeSpec& spec, std::uint32_t i, bool all_affected);
    static void set_path(dataplane::ProbeSpec& spec, std::vector<Address> include,
                         std::vector<Address> exclude);
    static std::uint64_t inject(RouteProducer& producer, const std::vector<Update>& batch);
    static bool next_hop_down(RouteProducer& producer, const Address& dead,
                              dataplane::ConvergenceProbe& probe);
    static std::string text(const Address& a);
};

struct Ipv6Routes {
    using Address = dataplane::Ipv6Bytes;  // network order
    using Update = RouteUpdate6;
    static constexpr const char* kLabel = "IPv6 ";
    static constexpr const char* kSuffix = "6";
    static Update route(std::uint32_t i, std::vector<Address> next_hops);
    static void add_probe(dataplane::ProbeSpec& spec, std::uint32_t i, bool all_affected);
    static void set_path(dataplane::ProbeSpec& spec, std::vector<Address> include,
                         std::vector<Address> exclude);
    static std::uint64_t inject(RouteProducer& producer, const std::vector<Update>& batch);
    static bool next_hop_down(RouteProducer& producer, const Address& dead,
                              dataplane::ConvergenceProbe& probe);
    static std::string text(const Address& a);
};

class ScenarioRunner {
public:
    ScenarioRunner(const Options& o, RouteProducer& producer, dataplane::Emulator& emu, NextHopSets sets)
        : o_(o), producer_(producer), emu_(emu), sets_(std::move(sets)) {}

    // Runs scenario `name` (--repeat times for the single-change ones), then the summary of its runs.
    void run(const std::string& name);

private:
    void run_rate();
    // The first `count` routes of the family move from the initial ECMP set to C, then back (the
    // report's name says `how_many`).
    template <class Family>
    void run_move(std::uint32_t count, const std::string& how_many);
    // The first member of the initial ECMP set leaves every route of the family, then comes back.
    template <class Family>
    void run_peer_down();
    void run_churn(std::uint32_t rate);
    [[nodiscard]] bool have_routes6(const std::string& scenario) const;

    template <class Family>
    [[nodiscard]] const std::vector<typename Family::Address>& initial_set() const;
    template <class Family>
    [[nodiscard]] typename Family::Address moved_to() const;
    template <class Family>
    [[nodiscard]] std::uint32_t route_count() const;
    template <class Family>
    std::vector<typename Family::Update> set_routes(
        std::uint32_t count, const std::vector<typename Family::Address>& next_hops) const;
    template <class Family>
    dataplane::ProbeSpec spec_for(const std::string& name, const std::vector<std::uint32_t>& idx,
                                  std::vector<typename Family::Address> include,
                                  std::vector<typename Family::Address> exclude, bool all_affected) const;
    // Injects (retrying on back-pressure, bounded) and waits until visible, bounded.
    template <class Family>
    void restore(const std::vector<typename Family::Update>& batch);
    // Arms the probe, takes T0, injects the change (`inject` returns its ticket, 0 when refused) and waits
    // for every host and the publish.
    template <class Inject>
    dataplane::ConvergenceReport measure(dataplane::ProbeSpec spec, Inject inject);
    void settle();

    const Options& o_;
    RouteProducer& producer_;
    dataplane::Emulator& emu_;
    NextHopSets sets_;                                    // the initial ECMP sets
    std::uint32_t new_nva_ = 0x0A010164;                  // 10.1.1.100: the moved prefixes' next hop
    dataplane::Ipv6Bytes new_nva6_ = nva_address6(0x64);  // fd00:1:1::64 for moved IPv6 prefixes
    ReportLog log_;
};

}  // namespace rf::bench
