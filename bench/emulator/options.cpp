#include "bench/emulator/options.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace rf::bench {

namespace {

std::uint32_t parse_ipv4(const std::string& s) {
    unsigned a, b, c, d;
    if (std::sscanf(s.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
        return 0;
    return (a << 24) | (b << 16) | (c << 8) | d;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        const auto next = s.find(sep, pos);
        out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
        if (next == std::string::npos)
            break;
        pos = next + 1;
    }
    return out;
}

// One option's value, from the argument list being parsed.
class Arguments {
public:
    explicit Arguments(const std::vector<std::string>& args) : args_(args) {}
    [[nodiscard]] bool done() const { return i_ >= args_.size(); }
    const std::string& next_option() { return args_[i_++]; }
    std::string value(const std::string& option) {
        if (i_ >= args_.size()) {
            std::fprintf(stderr, "%s needs a value\n", option.c_str());
            std::exit(2);
        }
        return args_[i_++];
    }
    std::uint32_t number(const std::string& option) {
        return static_cast<std::uint32_t>(std::stoul(value(option)));
    }

private:
    const std::vector<std::string>& args_;
    std::size_t i_ = 0;
};

// The options that shape the emulated network and its routes; false if `a` is none of them.
bool parse_network_option(const std::string& a, Arguments& in, Options& o) {
    if (a == "--vms")
        o.vms = in.number(a);
    else if (a == "--vms-per-host")
        o.vms_per_host = std::max(1U, in.number(a));
    else if (a == "--workers")
        o.workers = std::max(1U, in.number(a));
    else if (a == "--routes")
        o.routes = std::max(1U, in.number(a));
    else if (a == "--ecmp")
        o.ecmp = std::clamp(in.number(a), 1U, 64U);
    else if (a == "--flows-per-vm")
        o.flows_per_vm = std::max(1U, in.number(a));
    else if (a == "--routes6")
        o.routes6 = in.number(a);
    else if (a == "--flows6-per-vm")
        o.flows6_per_vm = in.number(a);
    else if (a == "--burst")
        o.burst = std::clamp(in.number(a), 1U, 64U);
    else if (a == "--pass-target-us")
        o.pass_target_us = in.number(a);
    else if (a == "--source")
        o.source = in.value(a);
    else if (a == "--no-repoint")
        o.repoint_groups = false;
    else if (a == "--next-hop-down")
        o.next_hop_down = true;
    else if (a == "--mem")
        o.memory_mb = in.number(a);
    else if (a == "--nice")
        o.nice = std::stoi(in.value(a));
    else
        return false;
    return true;
}

// The options that choose and size the scenarios; false if `a` is none of them.
bool parse_scenario_option(const std::string& a, Arguments& in, Options& o) {
    if (a == "--scenarios") {
        o.scenarios = split(in.value(a), ',');
        o.scenarios_given = true;
    } else if (a == "--rate-seconds") {
        o.rate_seconds = std::stod(in.value(a));
    } else if (a == "--bulk") {
        o.bulk = in.number(a);
    } else if (a == "--churn-rates") {
        o.churn_rates.clear();
        for (const auto& r : split(in.value(a), ','))
            o.churn_rates.push_back(static_cast<std::uint32_t>(std::stoul(r)));
    } else if (a == "--churn-seconds") {
        o.churn_seconds = std::stod(in.value(a));
    } else if (a == "--memory") {
        o.memory_only = true;
    } else if (a == "--quiet") {
        o.quiet = true;
    } else if (a == "--repeat") {
        o.repeat = std::max(1U, in.number(a));
    } else {
        return false;
    }
    return true;
}

}  // namespace

void print_usage() {
    std::puts(
        "usage: rf-emulator [options] [-- EAL args | --eal \"EAL args\"]\n"
        "  --vms N                VMs (default 6000)\n"
        "  --vms-per-host N       VMs per emulated host (default 16)\n"
        "  --workers N            worker lcores (default 1)\n"
        "  --routes N             BGP routes (default 1000), /24s from 20.0.0.0\n"
        "  --ecmp N               NVAs in the initial ECMP set (default 2: 10.1.1.4, 10.1.1.5)\n"
        "  --flows-per-vm N       (default 8)\n"
        "  --routes6 N            IPv6 BGP routes, /48s from 2001:db8:: (default 0; FIB source only)\n"
        "  --flows6-per-vm N      IPv6 flows per VM toward them (default 0)\n"
        "  --burst N              packets per host burst (default 32; the maximum with a pass-time target)\n"
        "  --pass-target-us N     workers scale their burst so one pass over their hosts takes about N us\n"
        "                         (default 400; 0 = fixed bursts)\n"
        "  --no-repoint           FIB source: apply whole-group moves prefix by prefix (no in-place group\n"
        "                         repoint, i.e. no prefix-independent convergence) to measure what it saves\n"
        "  --next-hop-down        FIB source: peer-down and peer-down6 first give the FIB the control\n"
        "                         plane's next-hop-down hint (BGP PIC edge, as routefabricd's RIB does on a\n"
        "                         session loss), then the withdrawal batch\n"
        "  --source fib|lpm       route source (default fib when built with the FIB)\n"
        "  --scenarios a,b,...    rate,prefix,bulk,peer-down,churn and, with --routes6, prefix6,bulk6,\n"
        "                         peer-down6 (the same changes on the IPv6 routes; default all)\n"
        "  --rate-seconds S       forwarding-rate measurement time (default 2)\n"
        "  --bulk N               prefixes in the bulk change (default 1000)\n"
        "  --churn-rates a,b      changes/s (default 1000,10000)\n"
        "  --churn-seconds S      per churn rate (default 2)\n"
        "  --repeat N             runs of each single-change scenario, with a summary (default 1)\n"
        "  --memory               set up, print memory, exit\n"
        "  --lab IFACE            lab mode: NVA port = net_af_packet on IFACE, ARP resolution\n"
        "  --lab-tap IFACE        lab mode: NVA port = net_tap creating the TAP interface IFACE (its kernel\n"
        "                         side is the link partner)\n"
        "  --lab-ip A.B.C.D       our address on the lab link (default 10.1.1.10)\n"
        "  --lab-ip6 ADDR         our IPv6 address on the lab link (NDP; default: the interface's "
        "link-local\n"
        "                         address with --lab, NS from the unspecified address with --lab-tap)\n"
        "  --mem MB               EAL memory (-m) without hugepages\n"
        "  --nice N               scheduling priority of every thread of the process (-20..19; below 0 "
        "needs\n"
        "                         CAP_SYS_NICE): on a shared machine the worker then rarely waits for a "
        "CPU\n");
}

bool parse_options(const std::vector<std::string>& args, Options& o) {
    Arguments in(args);
    while (!in.done()) {
        const std::string& a = in.next_option();
        if (parse_network_option(a, in, o) || parse_scenario_option(a, in, o))
            continue;
        if (a == "--lab") {
            o.lab_iface = in.value(a);
        } else if (a == "--lab-tap") {
            o.lab_iface = in.value(a);
            o.lab_tap = true;
        } else if (a == "--lab-ip") {
            o.lab_ip = parse_ipv4(in.value(a));
        } else if (a == "--lab-ip6") {
            const std::string v = in.value(a);
            if (::inet_pton(AF_INET6, v.c_str(), o.lab_ip6.data()) != 1) {
                std::fprintf(stderr, "--lab-ip6: not an IPv6 address: %s\n", v.c_str());
                return false;
            }
        } else if (a == "-h" || a == "--help") {
            print_usage();
            std::exit(0);
        } else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            print_usage();
            return false;
        }
    }
    return true;
}

}  // namespace rf::bench
