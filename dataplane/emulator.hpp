// The host-forwarding emulator: worker lcores each own a set of emulated hosts; per burst a host
// generates packets from its VMs' flows, looks their destinations up in its VMs' effective route tables
// (RouteSource, bulk), picks the ECMP member by 5-tuple hash, rewrites L2 and queues the packet on the
// port facing the next hop; then the worker reports quiescent state to the FIB's RCU (once per host
// burst) and checks the armed convergence probe for that host. The main lcore resolves next hops by ARP
// on lab ports (service()).
//
//   worker lcore:  for each owned host: alloc+generate burst → lookup_bulk → ECMP → L2 rewrite →
//                  tx buffer → quiescent(); flush tx buffers after every pass over the hosts
//   main lcore:    service(): ARP requests for incomplete neighbours, ARP replies from lab ports
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/counters.hpp"
#include "dataplane/flowgen.hpp"
#include "dataplane/neighbor.hpp"
#include "dataplane/probe.hpp"
#include "dataplane/route_source.hpp"
#include "dataplane/topology.hpp"

struct rte_mempool;
struct rte_mbuf;

namespace rf::dataplane {

struct EmulatorConfig {
    unsigned workers = 1;
    unsigned burst = 32;  // packets per host burst (≤ 64); the maximum with a pass-time target
    // Target for one pass over a worker's hosts (µs), i.e. the longest a host waits for its next burst
    // and so for its next look at the tables: workers scale their burst (4 .. burst) to keep passes at
    // about this length. 0: fixed bursts (rate measurements; run_passes() always uses fixed bursts).
    unsigned pass_target_us = 400;
    unsigned mbufs = 16383;  // mempool size
    // Port roles (DPDK port ids): traffic to NVAs / BGP next hops, to other hosts, to the Internet.
    std::uint16_t nva_port = 0;
    std::uint16_t fabric_port = 0;
    std::uint16_t internet_port = 0;
    // Lab mode: next hops are resolved by ARP on nva_port (which then is a net_af_packet/net_tap port)
    // using `nva_port_ip` as the sender address (the emulator answers ARP for it); otherwise they
    // resolve at once to synthetic MACs.
    bool arp = false;
    std::uint32_t nva_port_ip = 0;
    // Lab mode also when nva_port is bound to a Linux interface (lab_port.hpp), whatever `arp` says:
    // a synthetic MAC never reaches a real router. Without nva_port_ip the sender address is the
    // interface's own IPv4 address (net_af_packet; the kernel answers ARP for it), else 0.0.0.0 (an
    // ARP probe, RFC 5227, which Linux answers too).
    bool arp_auto = true;
    // Lab mode: start() also runs service() on a thread of its own (every `service_interval_us`), so
    // an embedding process (routefabricd) needs no main-lcore loop. With it, never call service().
    bool service_thread = true;
    unsigned service_interval_us = 500;
    bool use_lcores = true;             // run workers on EAL worker lcores when there are enough
    unsigned first_reader_id = 0;       // RCU reader ids are first_reader_id + worker index
    unsigned stall_threshold_us = 200;  // burst-to-burst gap counted as a worker stall
    std::string name = "rf-emu";        // prefix of DPDK object names (unique per process)
};

class Worker;

class Emulator {
public:
    // Ports must exist (EAL vdevs); create() configures and starts every port with one queue pair per
    // worker plus one for the main lcore.
    static std::unique_ptr<Emulator> create(const EmulatorConfig& config, RouteSource& source,
                                            const Topology& topo, const FlowTable& flows, std::string* error);
    ~Emulator();
    Emulator(const Emulator&) = delete;
    Emulator& operator=(const Emulator&) = delete;

    bool start(std::string* error);
    void stop();
    [[nodiscard]] bool running() const { return running_; }
    // Lab mode (ARP resolution on nva_port) in effect, and the ARP sender address used.
    [[nodiscard]] bool lab_mode() const { return config_.arp; }
    [[nodiscard]] std::uint32_t arp_sender() const { return config_.nva_port_ip; }
    // Runs every worker synchronously on the calling thread for `passes` passes over its hosts (tests;
    // the workers must not be running). Each worker registers and unregisters as an RCU reader.
    void run_passes(std::uint64_t passes);

    // Main-lcore duties (lab mode): send ARP requests for unresolved next hops, process ARP replies.
    void service();
    // Resolves every known-incomplete next hop by ARP, polling up to timeout_s; true if all resolved.
    bool resolve_neighbors(const std::vector<std::uint32_t>& next_hops, double timeout_s);

    [[nodiscard]] ConvergenceProbe& probe() { return probe_; }
    [[nodiscard]] NeighborTable& neighbors() { return neighbors_; }
    [[nodiscard]] NeighborTable6& neighbors6() { return neighbors6_; }
    // IPv6 next hops have no NDP: in lab mode only static entries (on the NVA port) forward.
    bool add_static_neighbor6(const Ipv6Bytes& ip, const MacAddress& mac);
    [[nodiscard]] const Topology& topology() const { return topo_; }

    [[nodiscard]] HostTotals totals() const;
    [[nodiscard]] HostTotals host_totals(std::uint32_t host) const;
    [[nodiscard]] std::vector<std::pair<std::uint32_t, std::uint64_t>> next_hop_packets()
        const;  // (ip, packets)
    [[nodiscard]] std::vector<std::pair<Ipv6Bytes, std::uint64_t>> next_hop_packets6() const;
    [[nodiscard]] std::uint64_t generated() const;   // every packet (IPv4 and IPv6)
    [[nodiscard]] std::uint64_t generated6() const;  // IPv6 packets
    [[nodiscard]] std::uint64_t tx_failures() const;
    [[nodiscard]] std::uint64_t worker_cpu_ns() const;  // summed over workers
    [[nodiscard]] std::uint64_t alloc_failures() const;
    // Summed over workers (max for the longest gap); schedstat fields read from /proc now.
    [[nodiscard]] SchedulingStats scheduling() const;
    [[nodiscard]] unsigned current_burst(unsigned worker = 0) const;
    [[nodiscard]] std::size_t memory_bytes() const;  // emulator state + mbuf pool (not the FIB)

private:
    friend class Worker;
    Emulator(const EmulatorConfig& config, RouteSource& source, const Topology& topo, const FlowTable& flows);
    bool setup_ports(std::string* error);
    void send_arp_request(std::uint32_t target);
    void handle_rx(rte_mbuf* m, std::uint16_t port);

    EmulatorConfig config_;
    RouteSource& source_;
    const Topology& topo_;
    const FlowTable& flows_;
    NeighborTable neighbors_;
    NeighborTable6 neighbors6_;
    ConvergenceProbe probe_;
    rte_mempool* pool_ = nullptr;
    std::vector<std::uint16_t> ports_;      // distinct ports in use
    std::vector<MacAddress> port_mac_;      // by port id
    std::vector<std::uint16_t> rx_queues_;  // by port id
    std::unique_ptr<HostCounters[]> host_counters_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
    std::thread service_;  // lab mode: ARP (config_.service_thread)
    std::atomic<bool> service_stop_{false};
    bool answer_arp_ = false;  // nva_port_ip is ours alone (not the kernel interface's)
    std::vector<unsigned> lcores_;
    std::atomic<bool> stop_{false};
    bool running_ = false;
    std::uint64_t last_arp_tsc_ = 0;
};

}  // namespace rf::dataplane
