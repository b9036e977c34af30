// Lab ports: DPDK ports bound to a Linux network interface — `net_af_packet` (a packet socket on an
// existing interface, e.g. one end of a veth pair) and `net_tap` (a TAP device the PMD creates; the
// kernel side of the TAP is the link partner). On such a port next hops must be resolved by ARP (IPv4)
// and Neighbor Discovery (IPv6): a synthetic MAC would never reach a real router.
#pragma once

#include <cstdint>
#include <string>

#include "dataplane/flow_hash.hpp"

namespace rf::dataplane {

struct LabPort {
    bool linux_bound = false;  // net_af_packet or net_tap
    bool tap = false;          // net_tap: the kernel interface is the link partner, not our side
    std::string driver;        // DPDK driver name
    std::string ifname;        // the Linux interface (empty if unknown)
    // net_af_packet only: the interface's first IPv4 address (host order), 0 if none. The kernel owns
    // it (and answers ARP for it); the emulator uses it as its ARP sender address.
    std::uint32_t kernel_ipv4 = 0;
    // net_af_packet only: the interface's IPv6 link-local address (else its first IPv6 address; all
    // zero if none), the emulator's Neighbor Solicitation source. The kernel answers NS for it.
    Ipv6Bytes kernel_ipv6{};
};

// Describes DPDK port `port` (which must exist).
[[nodiscard]] LabPort describe_lab_port(std::uint16_t port);

// First IPv4 address (host order) configured on Linux interface `ifname`, 0 if none.
[[nodiscard]] std::uint32_t interface_ipv4(const std::string& ifname);

// IPv6 address configured on `ifname`, link-local preferred (network order); all zero if none.
[[nodiscard]] Ipv6Bytes interface_ipv6(const std::string& ifname);

}  // namespace rf::dataplane
