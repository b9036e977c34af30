// rf-emulator: the DPDK host-forwarding emulator against the FIB (or, with --source lpm, a stand-alone
// rte_lpm source), with a route producer that injects route changes at T0 and prints the convergence
// report of every scenario (scenarios.hpp).
//
//   rf-emulator [options] [-- <EAL arguments> | --eal "<EAL arguments>"]
//
// Without EAL arguments it runs with no hugepages, no PCI and virtual ports (net_null) — any machine.
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "bench/emulator/options.hpp"
#include "bench/emulator/report.hpp"
#include "bench/emulator/route_producer.hpp"
#include "bench/emulator/scenarios.hpp"
#include "dataplane/command_line.hpp"
#include "dataplane/eal.hpp"
#include "dataplane/emulator.hpp"
#ifdef RF_DATAPLANE_HAVE_FIB
#include "bench/emulator/fib_producer.hpp"
#endif

using namespace rf::bench;
using namespace rf::dataplane;

namespace {

// /proc/self/autogroup: "/autogroup-N nice V"; writing a number sets the group's nice. Where the kernel
// groups tasks per session (autogroup: nice then only ranks threads within the group), --nice sets the
// group's weight too; the old value is restored at exit.
struct AutogroupNice {
    bool changed = false;
    int old = 0;
    void set(int nice) {
        std::ifstream in("/proc/self/autogroup");
        std::string group, word;
        if (!(in >> group >> word >> old))
            return;
        std::ofstream out("/proc/self/autogroup");
        out << nice << std::flush;
        changed = static_cast<bool>(out);
    }
    ~AutogroupNice() {
        if (changed)
            std::ofstream("/proc/self/autogroup") << old << std::flush;
    }
};

bool start_eal_for(const Options& o, std::vector<std::string> eal_args, std::string* error) {
    EalOptions eal;
    eal.lcores = o.workers + 1;
    // Memory: the FIB's tables (2 × 64 MiB DIR-24-8 per table), mbufs, and headroom.
    eal.memory_mb = o.memory_mb != 0 ? o.memory_mb : 1024 + (o.vms > 32000 ? 512 : 0);
    eal.bare_metal_args = std::move(eal_args);
    if (!o.lab_iface.empty()) {
        eal.vdevs.push_back(o.lab_tap ? "net_tap0,iface=" + o.lab_iface
                                      : "net_af_packet0,iface=" + o.lab_iface +
                                            ",qpairs=" + std::to_string(o.workers + 1));
    } else {
        eal.vdevs.push_back("net_null0");
    }
    eal.vdevs.push_back("net_null1");
    return start_eal(eal, error);
}

std::unique_ptr<RouteProducer> make_producer(const Options& o, std::string* error) {
    if (o.source == "fib") {
#ifdef RF_DATAPLANE_HAVE_FIB
        return FibProducer::create(make_lab_model(o.vms, o.vms_per_host), o.routes, error, o.repoint_groups);
#else
        *error = "built without the FIB; use --source lpm";
        return nullptr;
#endif
    }
    LabSpec lab;
    lab.vms = o.vms;
    lab.vms_per_host = o.vms_per_host;
    lab.vms_per_subnet = 250;
    lab.base = 0x0A010000;
    return LpmProducer::create(lab, 0x0A010000, 16, o.routes + 16, error);
}

EmulatorConfig emulator_config(const Options& o) {
    EmulatorConfig ec;
    ec.workers = o.workers;
    ec.burst = o.burst;
    ec.pass_target_us = o.pass_target_us;
    ec.nva_port = 0;
    ec.fabric_port = 1;
    ec.internet_port = 1;
    ec.arp = !o.lab_iface.empty();
    ec.nva_port_ip = o.lab_ip;
    ec.nva_port_ip6 = o.lab_ip6;
    return ec;
}

void resolve_lab_next_hops(const Options& o, Emulator& emu, const NextHopSets& sets) {
    const bool ok = emu.resolve_neighbors(sets.nvas, 3.0);
    std::printf("lab: ARP on %s for %zu next hops: %s\n", o.lab_iface.c_str(), sets.nvas.size(),
                ok ? "resolved" : "NOT resolved");
    if (!sets.nvas6.empty()) {
        const bool ok6 = emu.resolve_neighbors6(sets.nvas6, 3.0);
        std::printf("lab: NDP on %s from %s for %zu IPv6 next hops: %s\n", o.lab_iface.c_str(),
                    ipv6_text(emu.ndp_source()).c_str(), sets.nvas6.size(),
                    ok6 ? "resolved" : "NOT resolved");
    }
}

// Starts the workers, runs every scenario (lab mode: the emulator's service thread answers ARP and NDP
// meanwhile) and prints the totals.
int run_scenarios(const Options& o, RouteProducer& producer, Emulator& emu, const NextHopSets& sets) {
    std::string error;
    if (!emu.start(&error)) {
        std::fprintf(stderr, "rf-emulator: %s\n", error.c_str());
        return 1;
    }
    ScenarioRunner runner(o, producer, emu, sets);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // warm-up
    for (const auto& s : o.scenarios) {
        const SchedulingStats before = emu.scheduling();
        runner.run(s);
        print_scheduling(s, before, emu.scheduling(), emulator_config(o).stall_threshold_us, emu);
    }
    emu.stop();
    print_totals(o, producer, emu);
    return 0;
}

int run(Options& o, std::vector<std::string> eal_args) {
    std::string error;
    if (!start_eal_for(o, std::move(eal_args), &error)) {
        std::fprintf(stderr, "rf-emulator: %s\n", error.c_str());
        return 1;
    }
    if (o.next_hop_down && o.source != "fib") {
        std::fprintf(stderr, "rf-emulator: --next-hop-down needs --source fib\n");
        return 2;
    }
    auto producer = make_producer(o, &error);
    if (!producer) {
        std::fprintf(stderr, "rf-emulator: route source: %s\n", error.c_str());
        return 1;
    }
    const NextHopSets sets = initial_next_hops(o);
    if (o.routes6 != 0 && !o.scenarios_given)
        o.scenarios.insert(o.scenarios.end(), {"prefix6", "bulk6", "peer-down6"});
    load_initial_routes(*producer, o, sets);
    const Topology& topo = producer->topology();
    FlowTable flows = make_flows(topo, o.flows_per_vm, producer->destinations(), 42);
    if (o.flows6_per_vm != 0)
        add_flows6(flows, topo, o.flows6_per_vm, producer->destinations6(), 43);
    const EmulatorConfig ec = emulator_config(o);
    auto emu = Emulator::create(ec, producer->source(), topo, flows, &error);
    if (!emu) {
        std::fprintf(stderr, "rf-emulator: %s\n", error.c_str());
        return 1;
    }
    std::printf(
        "rf-emulator: %s; %zu VMs on %zu hosts (%u per host), %u tables, %u routes, ECMP %u, %zu flows, "
        "%u worker(s), burst %u, pass target %u us\n",
        producer->describe().c_str(), topo.vms.size(), topo.hosts.size(), o.vms_per_host, topo.tables,
        o.routes, o.ecmp, flows.flows.size(), o.workers, o.burst, o.pass_target_us);
    if (ec.arp)
        resolve_lab_next_hops(o, *emu, sets);
    print_memory(*producer, *emu);
    return o.memory_only ? 0 : run_scenarios(o, *producer, *emu, sets);
}

}  // namespace

int main(int argc, char** argv) {
    std::string error;
    auto cl = split_command_line(argc, argv, &error);
    if (!cl) {
        std::fprintf(stderr, "rf-emulator: %s\n", error.c_str());
        return 2;
    }
    Options o;
    if (!parse_options(cl->app, o))
        return 2;
    AutogroupNice autogroup;
    if (o.nice != 0) {
        // The threads' own priority (later threads inherit it) and the autogroup's.
        if (::setpriority(PRIO_PROCESS, 0, o.nice) != 0) {
            std::fprintf(stderr, "rf-emulator: setpriority(%d): %s\n", o.nice, std::strerror(errno));
            return 1;
        }
        autogroup.set(o.nice);
    }
    const int rc = run(o, std::move(cl->eal));
    stop_eal();
    return rc;
}
