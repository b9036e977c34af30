// One immutable set of emulated hosts, their VMs and the VMs' flows, with the per-host counters of the
// time it was current and its hosts' split over the workers. The emulator publishes a new layout while
// the workers run (Emulator::replace_layout); each worker adopts it between two passes.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/counters.hpp"
#include "dataplane/flowgen.hpp"
#include "dataplane/topology.hpp"

namespace rf::dataplane {

struct Layout {
    std::uint64_t generation = 0;  // 1 for the first layout, +1 per replacement
    const Topology* topo = nullptr;
    const FlowTable* flows = nullptr;
    std::unique_ptr<Topology> own_topo;  // replacements: the emulator's own copies
    std::unique_ptr<FlowTable> own_flows;
    std::unique_ptr<HostCounters[]> counters;              // per host
    std::vector<std::vector<std::uint32_t>> worker_hosts;  // host ids per worker
};

}  // namespace rf::dataplane
