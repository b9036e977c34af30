// The built-in traffic generator: a fixed set of flows per VM (UDP 5-tuples from the VM's address toward
// addresses inside the destination prefixes of its route table), replayed round-robin per host into
// bursts of mbufs (60-byte Ethernet/IPv4/UDP frames; optionally IPv6 flows, 66-byte Ethernet/IPv6/UDP).
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "dataplane/flow_hash.hpp"
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

struct Flow6 {
    FiveTuple6 tuple;
    TableId table = 0;
};

struct Destination6 {
    Ipv6Bytes prefix{};  // network byte order
    std::uint8_t length = 0;
};

struct FlowTable {
    std::vector<Flow> flows;  // flows_per_vm per VM, in VM order (so grouped by host)
    std::uint32_t flows_per_vm = 0;
    std::vector<Flow6> flows6;  // IPv6: flows6_per_vm per VM, in VM order (none by default)
    std::uint32_t flows6_per_vm = 0;
    [[nodiscard]] std::size_t memory_bytes() const {
        return flows.capacity() * sizeof(Flow) + flows6.capacity() * sizeof(Flow6);
    }
};

// destinations[t]: prefixes of table t to draw from (uniformly; then a random address inside). A table
// with no destinations gets flows toward 0.0.0.0 (they count as "no route" unless a default exists).
[[nodiscard]] FlowTable make_flows(const Topology& topo, std::uint32_t flows_per_vm,
                                   const std::vector<std::vector<Destination>>& destinations,
                                   std::uint64_t seed);

// IPv6 flows for every VM (added to `table`): source = the VM's IPv6 address (vm_ipv6), destinations
// drawn like make_flows' from destinations6[t]. A host's bursts then carry IPv6 packets in the
// proportion flows6_per_vm : flows_per_vm.
void add_flows6(FlowTable& table, const Topology& topo, std::uint32_t flows6_per_vm,
                const std::vector<std::vector<Destination6>>& destinations6, std::uint64_t seed);

// Flows for a new layout (Emulator::replace_layout) of the same VNet: each VM of `next` that `prev` had
// with the same address and table keeps its flows, IPv4 and IPv6 (same 5-tuples, so the same ECMP
// members and nothing that looks like a new flow); a VM new to `next`, or moved to another table, gets
// flows drawn as make_flows/add_flows6 draw them (from a generator seeded by `seed` and its address, so
// they do not depend on the other VMs). Flows per VM as in `prev_flows`.
struct CarriedFlows {
    FlowTable flows;
    std::uint32_t kept = 0;     // VMs of `next` that kept their flows
    std::uint32_t fresh = 0;    // VMs of `next` with new flows (added, or moved to another table)
    std::uint32_t removed = 0;  // VMs of `prev` not in `next` with the same address
};
[[nodiscard]] CarriedFlows carry_flows(const Topology& prev, const FlowTable& prev_flows,
                                       const Topology& next,
                                       const std::vector<std::vector<Destination>>& destinations,
                                       const std::vector<std::vector<Destination6>>& destinations6,
                                       std::uint64_t seed);

// A lab VM's IPv6 address: fd00::/96 followed by its IPv4 address (the lab model gives VMs one IPv4
// NIC address; the source address only feeds the flow hash).
[[nodiscard]] Ipv6Bytes vm_ipv6(std::uint32_t ipv4);

constexpr std::uint16_t kFrameBytes = 60;   // Ethernet + IPv4 + UDP + payload, without FCS
constexpr std::uint16_t kFrameBytes6 = 66;  // Ethernet + IPv6 + UDP + 4 bytes payload

// Writes a complete frame for `flow` into an empty mbuf (headers in network byte order, IPv4 checksum
// set; MACs are rewritten by the forwarding path).
void write_packet(rte_mbuf* m, const FiveTuple& flow);

// Parses the 5-tuple of an IPv4/UDP or IPv4/TCP frame; false for anything else.
bool read_five_tuple(const rte_mbuf* m, FiveTuple* out);

// The same for IPv6 frames (UDP/TCP directly after the fixed header; no extension headers).
void write_packet6(rte_mbuf* m, const FiveTuple6& flow);
bool read_five_tuple6(const rte_mbuf* m, FiveTuple6* out);

}  // namespace rf::dataplane
