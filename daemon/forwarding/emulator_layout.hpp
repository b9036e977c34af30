// The host emulator's layout for a VNet model: which emulated host each VM sits on and which effective
// route table it looks up (the FIB's), and the destinations its flows are drawn from. Used when the
// forwarding module starts the emulator and when a reloaded virtual_network changes the model.
#pragma once

#include <vector>

#include "dataplane/flowgen.hpp"
#include "dataplane/topology.hpp"
#include "fib/fib.hpp"
#include "fib/vnet/vnet_model.hpp"

namespace rf::daemon {

// Each IPv4 VM of the model on its host, in its subnet's effective route table (looked up through the
// FIB's locked query: safe while a model change runs).
[[nodiscard]] dataplane::Topology topology_for(const fib::Fib& fib, const fib::VnetModel& model);

// Traffic destinations per table, drawn from when a VM gets its flows (at start, and at a reload for the
// VMs added or moved): every prefix the table forwards then (VNet-local and user routes, BGP routes
// already learned) and, for what BGP brings later, ranges that a default route or a wide aggregate
// covers: the whole IPv4 space, and IPv6's global unicast (2000::/3) and unique local (fc00::/7)
// space rather than all of it (no multicast, link-local or reserved destinations). A prefix learned
// after the flows were drawn gets their traffic only if it covers their destinations.
struct Destinations {
    std::vector<std::vector<dataplane::Destination>> v4;
    std::vector<std::vector<dataplane::Destination6>> v6;  // empty without IPv6 flows
};
[[nodiscard]] Destinations destinations_for(const fib::Fib& fib, bool ipv6);

}  // namespace rf::daemon
