// Hosts and VMs of the emulated virtual network. A VM has a NIC address and an effective route table
// (that of its subnet); hosts hold a contiguous range of VMs, so a worker that owns a host walks
// contiguous memory. The topology is built from the FIB's virtual network model (FibRouteSource) or,
// stand-alone, from a LabSpec.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/route_source.hpp"

namespace rf::dataplane {

struct Vm {
    std::uint32_t ip = 0;  // host byte order
    TableId table = 0;
    std::uint32_t host = 0;
};

struct Host {
    std::uint32_t id = 0;
    std::uint32_t first_vm = 0;
    std::uint32_t vm_count = 0;
    std::vector<TableId> tables;  // distinct tables of its VMs, ascending
};

struct Topology {
    std::vector<Vm> vms;  // grouped by host
    std::vector<Host> hosts;
    std::uint32_t tables = 0;  // table ids are 0 .. tables-1

    // Builds hosts from VMs given in any order (each with its host id); VMs are regrouped by host.
    static Topology from_vms(std::vector<Vm> vms);
    [[nodiscard]] std::size_t memory_bytes() const;
};

// The stand-alone lab: `vms` VMs in /24 subnets of `vms_per_subnet` addresses each, numbered from
// `base` (10.1.0.0 by default: 10.1.0.4, 10.1.0.5, ... as Azure reserves .0-.3), placed `vms_per_host`
// per host in address order; subnet s uses table s % tables.
struct LabSpec {
    std::uint32_t vms = 6000;
    std::uint32_t vms_per_host = 16;
    std::uint32_t vms_per_subnet = 250;
    std::uint32_t tables = 1;
    std::uint32_t base = 0x0A010000;  // 10.1.0.0
};
[[nodiscard]] Topology make_lab_topology(const LabSpec& spec);

// Splits hosts over `workers` as evenly as possible (by VM count); returns host ids per worker.
[[nodiscard]] std::vector<std::vector<std::uint32_t>> assign_hosts(const Topology& topo, unsigned workers);

}  // namespace rf::dataplane
