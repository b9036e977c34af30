// The built-in traffic generator: a fixed set of flows per VM (UDP 5-tuples from the VM's address toward
// addresses inside the destination prefixes of its route table), replayed round-robin per host into
// bursts of mbufs (64-byte Ethernet/IPv4/UDP frames).
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "dataplane/ecmp.hpp"
#include "dataplane/topology.hpp"

struct rte_mbuf;

namespace rf::dataplane {

struct Flow {
    FiveTuple tuple;
    TableId table = 0;  // the source VM's effective route table
};

struct Destination {
    std::uint32_t prefix = 0;  // host byte order
    std::uint8_t length = 0;
};

struct FlowTable {
    std::vector<Flow> flows;          // flows_per_vm per VM, in VM order (so grouped by host)
    std::uint32_t flows_per_vm = 0;
    [[nodiscard]] std::size_t memory_bytes() const { return flows.capacity() * sizeof(Flow); }
};

// destinations[t]: prefixes of table t to draw from (uniformly; then a random address inside). A table
// with no destinations gets flows toward 0.0.0.0 (they count as "no route" unless a default exists).
[[nodiscard]] FlowTable make_flows(const Topology& topo, std::uint32_t flows_per_vm,
                                   const std::vector<std::vector<Destination>>& destinations, std::uint64_t seed);

constexpr std::uint16_t kFrameBytes = 60;  // Ethernet + IPv4 + UDP + payload, without FCS

// Writes a complete frame for `flow` into an empty mbuf (headers in network byte order, IPv4 checksum
// set; MACs are rewritten by the forwarding path).
void write_packet(rte_mbuf* m, const FiveTuple& flow);

// Parses the 5-tuple of an IPv4/UDP or IPv4/TCP frame; false for anything else.
bool read_five_tuple(const rte_mbuf* m, FiveTuple* out);

}  // namespace rf::dataplane
