// rf-emulator's own command-line options (EAL arguments are split off before: dataplane/command_line.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/flow_hash.hpp"

namespace rf::bench {

struct Options {
    std::uint32_t vms = 6000;
    std::uint32_t vms_per_host = 16;
    unsigned workers = 1;
    std::uint32_t routes = 1000;
    std::uint32_t ecmp = 2;
    std::uint32_t flows_per_vm = 8;
    std::uint32_t routes6 = 0;        // IPv6 BGP routes (/48s from 2001:db8::, ECMP over fd00:1:1::4 ...)
    std::uint32_t flows6_per_vm = 0;  // IPv6 flows per VM toward them
    unsigned burst = 32;
    unsigned pass_target_us = 400;
    bool repoint_groups = true;
    bool next_hop_down = false;  // peer-down scenarios send the RIB's next-hop-down hint first
    unsigned memory_mb = 0;      // 0 = sized from the run
    std::string source =
#ifdef RF_DATAPLANE_HAVE_FIB
        "fib";
#else
        "lpm";
#endif
    std::vector<std::string> scenarios{"rate", "prefix", "bulk", "peer-down", "churn"};
    bool scenarios_given = false;  // else the IPv6 scenarios join the default list when --routes6 > 0
    double rate_seconds = 2.0;
    std::uint32_t bulk = 1000;
    std::vector<std::uint32_t> churn_rates{1000, 10000};
    double churn_seconds = 2.0;
    std::string lab_iface;              // lab mode: net_af_packet on this Linux interface
    bool lab_tap = false;               // lab mode: net_tap creating the TAP interface lab_iface instead
    std::uint32_t lab_ip = 0x0A01010A;  // 10.1.1.10
    dataplane::Ipv6Bytes lab_ip6{};     // none: the interface's link-local (af_packet) or DAD-style NS
    bool memory_only = false;
    unsigned repeat = 1;  // runs of each single-change scenario
    bool quiet = false;
    int nice = 0;  // applied to every thread (EAL lcores and the FIB writer inherit it)
};

void print_usage();
// Parses the program's own arguments into `o`; false (after a message) on an unknown or malformed one.
// --help prints the usage and exits; an option missing its value exits with status 2.
bool parse_options(const std::vector<std::string>& args, Options& o);

}  // namespace rf::bench
