// The replay scenario: an MRT file (replay.hpp) fed to the target through one emulated peer per peer of
// the file. Phase 1 sends every peer's initial table at once and measures the time until the monitor
// holds every prefix (from some peer that announced it); phase 2 sends the file's UPDATEs, as fast as
// possible or at the recorded pace, and measures UPDATE-in to UPDATE-out lag like the churn scenario.
#pragma once

#include "bench/rfbench/harness.hpp"

namespace rf::bench {

void scenario_replay(const ScenarioOptions& o, Harness& h, Measurement& m);

}  // namespace rf::bench
