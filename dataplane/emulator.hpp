// The host-forwarding emulator: worker lcores each own a set of emulated hosts; per burst a host
// generates packets from its VMs' flows, looks their destinations up in its VMs' effective route tables
// (RouteSource, bulk), picks the ECMP member by 5-tuple hash, rewrites L2 and queues the packet on the
// port facing the next hop; then the worker checks the armed convergence probe for that host and reports
// quiescent state to the FIB's RCU (once per host burst). The main lcore (or the service thread)
// resolves next hops on lab ports: ARP for IPv4, Neighbor Discovery for IPv6 (service()).
//
//   worker lcore:  at the start of a pass: adopt the current layout if it changed; for each owned host:
//                  alloc+generate burst → lookup_bulk → ECMP → L2 rewrite → tx buffer → probe check →
//                  quiescent(); flush tx buffers after every pass over the hosts (worker.hpp,
//                  forwarding_loop.hpp, probe_checks.hpp)
//   main lcore:    service(): ARP requests / Neighbor Solicitations for incomplete neighbours and
//                  reachability probes for old ones, ARP replies / Neighbor Advertisements from lab
//                  ports, answers for our own port addresses (neighbor_service.hpp)
//
// Layouts: the hosts, their VMs and the VMs' flows (Topology + FlowTable) form one immutable layout.
// replace_layout() publishes a new one while the workers run (routefabricd: a reloaded virtual network);
// each worker switches to it between two passes, so VMs present in both keep forwarding without a gap,
// and the old layout is freed once every worker has moved on.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/counters.hpp"
#include "dataplane/flowgen.hpp"
#include "dataplane/lab_port.hpp"
#include "dataplane/neighbor.hpp"
#include "dataplane/neighbor_service.hpp"
#include "dataplane/port_io.hpp"
#include "dataplane/probe.hpp"
#include "dataplane/route_source.hpp"
#include "dataplane/topology.hpp"

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
    // Lab mode: next hops are resolved on nva_port (which then is a net_af_packet/net_tap port) by ARP
    // using `nva_port_ip` as the sender address (the emulator answers ARP for it) and, for IPv6 next
    // hops, by Neighbor Discovery from `nva_port_ip6` (the emulator answers Neighbor Solicitations for
    // it); otherwise they resolve at once to synthetic MACs.
    bool arp = false;
    std::uint32_t nva_port_ip = 0;
    Ipv6Bytes nva_port_ip6{};  // all zero: none configured
    // Lab mode also when nva_port is bound to a Linux interface (lab_port.hpp), whatever `arp` says:
    // a synthetic MAC never reaches a real router. Without nva_port_ip the sender address is the
    // interface's own IPv4 address (net_af_packet; the kernel answers ARP for it), else 0.0.0.0 (an
    // ARP probe, RFC 5227, which Linux answers too). Without nva_port_ip6 the NS source is the
    // interface's IPv6 link-local address (net_af_packet; the kernel answers NS for it), else the
    // unspecified address (a DAD-style NS, which the owner of the target answers to all nodes).
    bool arp_auto = true;
    // Neighbour resolution (lab mode, ARP and NDP alike): an incomplete next hop is solicited again
    // every `neighbor_retry_ms`; a resolved one not confirmed by a reply for `neighbor_reachable_ms`
    // gets up to `neighbor_probes` unicast probes, `neighbor_probe_ms` apart, while it keeps
    // forwarding (RFC 4861 7.3 PROBE); unanswered, the resolution is withdrawn (packets to it are
    // counted unresolved) and the entry is solicited again. Static entries never expire.
    unsigned neighbor_retry_ms = 50;
    unsigned neighbor_reachable_ms = 30000;
    unsigned neighbor_probe_ms = 1000;
    unsigned neighbor_probes = 3;
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
class NeighborService;
struct Layout;

// What the current layout holds (any thread).
struct LayoutInfo {
    std::uint64_t generation = 0;  // 1 for the layout create() was given, +1 per replace_layout()
    std::size_t hosts = 0, vms = 0, flows = 0, flows6 = 0;
};

class Emulator {
public:
    // Ports must exist (EAL vdevs); create() configures and starts every port with one queue pair per
    // worker plus one for the main lcore. `topo` and `flows` (the first layout) must outlive the
    // emulator; layouts given to replace_layout() are the emulator's own.
    static std::unique_ptr<Emulator> create(const EmulatorConfig& config, RouteSource& source,
                                            const Topology& topo, const FlowTable& flows, std::string* error);
    ~Emulator();
    Emulator(const Emulator&) = delete;
    Emulator& operator=(const Emulator&) = delete;

    bool start(std::string* error);
    void stop();
    [[nodiscard]] bool running() const { return running_.load(); }
    // Lab mode (ARP and NDP resolution on nva_port) in effect, the ARP sender address and the NS
    // source address used (all zero: DAD-style solicitations from the unspecified address).
    [[nodiscard]] bool lab_mode() const { return config_.arp; }
    [[nodiscard]] std::uint32_t arp_sender() const { return config_.nva_port_ip; }
    [[nodiscard]] const Ipv6Bytes& ndp_source() const { return config_.nva_port_ip6; }
    // Runs every worker synchronously on the calling thread for `passes` passes over its hosts (tests;
    // the workers must not be running). Each worker registers and unregisters as an RCU reader.
    void run_passes(std::uint64_t passes);

    // Main-lcore duties (lab mode): ARP requests and Neighbor Solicitations for unresolved next hops,
    // reachability probes for old ones, ARP replies and Neighbor Advertisements from the lab port.
    void service();
    // Resolves the given next hops (ARP / NDP in lab mode), polling up to timeout_s; true if all are.
    bool resolve_neighbors(const std::vector<std::uint32_t>& next_hops, double timeout_s);
    bool resolve_neighbors6(const std::vector<Ipv6Bytes>& next_hops, double timeout_s);

    // The convergence probe: armed by whoever measures (routefabricd's convergence observer,
    // rf-emulator, tests); while none is armed the workers forward without probe code.
    [[nodiscard]] ConvergenceProbe& probe() { return probe_; }
    [[nodiscard]] NeighborTable& neighbors();
    [[nodiscard]] NeighborTable6& neighbors6();
    // A static IPv6 neighbour on the NVA port (never solicited, probed or expired).
    bool add_static_neighbor6(const Ipv6Bytes& ip, const MacAddress& mac);

    // Replaces the hosts, VMs and flows while the workers run; VMs kept from the old layout should keep
    // their flows (carry_flows(), flowgen.hpp). Every worker switches between two of its passes (the
    // call waits for that, bounded by `timeout_s`; stopped workers switch when they next run), then the
    // old layout's counters are folded into the totals and it is freed. The convergence probe is sized
    // for the new hosts (a measurement armed before is disarmed). Not concurrent with itself.
    void replace_layout(Topology topo, FlowTable flows, double timeout_s = 2.0);
    [[nodiscard]] LayoutInfo layout_info() const;
    // The current layout's topology and flows: valid until the next replace_layout().
    [[nodiscard]] const Topology& topology() const;
    [[nodiscard]] const FlowTable& flows() const;

    // Summed over every host since start (hosts of replaced layouts included).
    [[nodiscard]] HostTotals totals() const;
    // Host `host` of the current layout, since that layout became current.
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
    Emulator(const EmulatorConfig& config, RouteSource& source, const Topology& topo);
    // Lab mode (EmulatorConfig::arp, arp_auto) and the addresses it uses, from the NVA port.
    NeighborServiceConfig lab_mode_for(const LabPort& port);
    void start_service_thread();
    void retire_layouts();
    std::unique_ptr<Layout> make_layout(const Topology* topo, const FlowTable* flows);
    template <class Counter>
    std::uint64_t sum_over_workers(Counter counter) const;
    template <class Address, class Table, class AddressOf, class Packets>
    std::vector<std::pair<Address, std::uint64_t>> packets_per_next_hop(const Table& table,
                                                                        AddressOf address_of,
                                                                        Packets packets) const;

    EmulatorConfig config_;
    RouteSource& source_;
    PortSet ports_;
    std::unique_ptr<NeighborService> neighbor_service_;
    ConvergenceProbe probe_;
    // Layouts: the current one (read by workers at pass starts) and those some worker may still use.
    std::atomic<const Layout*> layout_{nullptr};
    mutable std::mutex layout_mu_;                  // layouts_ and retired_ (not the workers' path)
    std::vector<std::unique_ptr<Layout>> layouts_;  // oldest first; back() is current
    HostTotals retired_;                            // counters of freed layouts
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
    std::thread service_;  // lab mode: ARP and NDP (config_.service_thread)
    std::atomic<bool> service_stop_{false};
    std::vector<unsigned> lcores_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> running_{false};  // read by replace_layout() on another thread
};

}  // namespace rf::dataplane
