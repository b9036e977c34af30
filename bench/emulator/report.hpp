// What rf-emulator prints: convergence reports and their summaries over repeated runs, the churn and
// rate lines, worker scheduling per scenario, memory at start and the totals at the end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/emulator/options.hpp"
#include "bench/emulator/route_producer.hpp"
#include "dataplane/emulator.hpp"
#include "dataplane/probe.hpp"

namespace rf::bench {

std::string ipv4_text(std::uint32_t ip);
std::string ipv6_text(const dataplane::Ipv6Bytes& a);
long rss_kib();
double tsc_us(std::uint64_t ticks);

// The reports of the scenario being repeated: each printed as it comes, then their medians.
class ReportLog {
public:
    void add(const dataplane::ConvergenceReport& r);
    // Medians over the runs (and the worst last-host time and the misrouting totals) when there were
    // two or more; then starts over.
    void print_summary();

private:
    std::vector<dataplane::ConvergenceReport> reports_;
};

// One churn rate's probed changes, summarised.
struct ChurnOutcome {
    std::uint32_t rate = 0;
    double seconds = 0;
    std::uint64_t changes = 0, refused = 0;
    std::vector<dataplane::ConvergenceReport> reports;
};
void print_churn(const ChurnOutcome& c, bool quiet);

void print_memory(const RouteProducer& producer, const dataplane::Emulator& emu);
// How the workers were scheduled during scenario `name` (between the two snapshots).
void print_scheduling(const std::string& name, const dataplane::SchedulingStats& before,
                      const dataplane::SchedulingStats& after, unsigned stall_threshold_us,
                      const dataplane::Emulator& emu);
void print_totals(const Options& o, const RouteProducer& producer, const dataplane::Emulator& emu);

}  // namespace rf::bench
