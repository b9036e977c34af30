#include "dataplane/emulator.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "dataplane/layout.hpp"
#include "dataplane/ndp.hpp"
#include "dataplane/worker.hpp"

namespace rf::dataplane {

Emulator::Emulator(const EmulatorConfig& config, RouteSource& source, const Topology& topo)
    : config_(config), source_(source), probe_(static_cast<std::uint32_t>(topo.hosts.size())) {}

std::unique_ptr<Layout> Emulator::make_layout(const Topology* topo, const FlowTable* flows) {
    auto l = std::make_unique<Layout>();
    const Layout* cur = layout_.load(std::memory_order_acquire);
    l->generation = cur == nullptr ? 1 : cur->generation + 1;
    l->topo = topo;
    l->flows = flows;
    l->counters = std::make_unique<HostCounters[]>(topo->hosts.size());
    l->worker_hosts = assign_hosts(*topo, config_.workers);
    return l;
}

std::unique_ptr<Emulator> Emulator::create(const EmulatorConfig& config, RouteSource& source,
                                           const Topology& topo, const FlowTable& flows, std::string* error) {
    if (config.workers == 0 || config.first_reader_id + config.workers > source.max_readers()) {
        if (error)
            *error = "worker count exceeds the route source's reader limit";
        return nullptr;
    }
    std::unique_ptr<Emulator> emu(new Emulator(config, source, topo));
    emu->layouts_.push_back(emu->make_layout(&topo, &flows));
    emu->layout_.store(emu->layouts_.back().get(), std::memory_order_release);
    if (!emu->ports_.open({config.nva_port, config.fabric_port, config.internet_port}, config.workers,
                          config.name, error))
        return nullptr;
    const NeighborServiceConfig neighbors = emu->lab_mode_for(describe_lab_port(config.nva_port));
    emu->neighbor_service_ = std::make_unique<NeighborService>(neighbors, emu->ports_);
    if (neighbors.lab) {
        // Solicited-node groups (NS for our address) and all-nodes (answers to DAD-style NS): a NIC that
        // filters multicast would drop them. Ports that do not filter may refuse the call; harmless.
        (void)rte_eth_allmulticast_enable(config.nva_port);
    }
    const WorkerSetup setup{emu->config_, neighbors.lab, source,       emu->neighbors(), emu->neighbors6(),
                            emu->probe_,  emu->ports_,   emu->layout_, emu->stop_};
    for (unsigned w = 0; w < config.workers; ++w) {
        emu->workers_.push_back(std::make_unique<Worker>(setup, w));
        if (!emu->workers_.back()->create_pool(error))
            return nullptr;
    }
    return emu;
}

// Lab mode: explicit (`arp`), or because the NVA port is bound to a Linux interface (`arp_auto`). Without a
// configured address the kernel interface's own is used: the kernel answers for it, so we do not.
NeighborServiceConfig Emulator::lab_mode_for(const LabPort& port) {
    if (config_.arp_auto && port.linux_bound)
        config_.arp = true;
    NeighborServiceConfig n;
    n.lab = config_.arp;
    n.port = config_.nva_port;
    n.answer_arp = config_.arp && config_.nva_port_ip != 0;
    if (config_.arp && config_.nva_port_ip == 0)
        config_.nva_port_ip = port.kernel_ipv4;
    n.answer_ndp = config_.arp && !ndp::is_unspecified(config_.nva_port_ip6);
    if (config_.arp && ndp::is_unspecified(config_.nva_port_ip6))
        config_.nva_port_ip6 = port.kernel_ipv6;
    n.ipv4 = config_.nva_port_ip;
    n.ipv6 = config_.nva_port_ip6;
    n.retry_ms = config_.neighbor_retry_ms;
    n.reachable_ms = config_.neighbor_reachable_ms;
    n.probe_ms = config_.neighbor_probe_ms;
    n.probes = config_.neighbor_probes;
    return n;
}

Emulator::~Emulator() {
    stop();
    workers_.clear();
    ports_.close();
}

bool Emulator::start(std::string* error) {
    if (running_)
        return true;
    stop_.store(false);
    lcores_.clear();
    unsigned lcore = 0;
    std::vector<unsigned> available;
    RTE_LCORE_FOREACH_WORKER(lcore) {
        if (rte_eal_get_lcore_state(lcore) == WAIT)
            available.push_back(lcore);
    }
    const bool on_lcores = config_.use_lcores && available.size() >= workers_.size();
    for (std::size_t w = 0; w < workers_.size(); ++w) {
        Worker* worker = workers_[w].get();
        if (!on_lcores) {
            threads_.emplace_back([worker] { worker->run(); });
            continue;
        }
        const auto run = [](void* arg) -> int {
            static_cast<Worker*>(arg)->run();
            return 0;
        };
        if (rte_eal_remote_launch(run, worker, available[w]) != 0) {
            if (error)
                *error = "rte_eal_remote_launch failed";
            stop();
            return false;
        }
        lcores_.push_back(available[w]);
    }
    if (config_.arp && config_.service_thread)
        start_service_thread();
    running_ = true;
    return true;
}

void Emulator::start_service_thread() {
    service_stop_.store(false);
    service_ = std::thread([this] {
        while (!service_stop_.load(std::memory_order_relaxed)) {
            service();
            rte_delay_us_sleep(config_.service_interval_us);
        }
    });
}

void Emulator::stop() {
    service_stop_.store(true);
    if (service_.joinable())
        service_.join();
    stop_.store(true);
    for (unsigned l : lcores_)
        rte_eal_wait_lcore(l);
    lcores_.clear();
    for (auto& t : threads_)
        t.join();
    threads_.clear();
    running_ = false;
    retire_layouts();
}

void Emulator::run_passes(std::uint64_t passes) {
    for (auto& w : workers_)
        w->run_passes(passes);
    retire_layouts();
}

void Emulator::replace_layout(Topology topo, FlowTable flows, double timeout_s) {
    auto own_topo = std::make_unique<Topology>(std::move(topo));
    auto own_flows = std::make_unique<FlowTable>(std::move(flows));
    auto l = make_layout(own_topo.get(), own_flows.get());
    l->own_topo = std::move(own_topo);
    l->own_flows = std::move(own_flows);
    const std::uint64_t generation = l->generation;
    const auto hosts = static_cast<std::uint32_t>(l->topo->hosts.size());
    {
        std::lock_guard lock(layout_mu_);
        layout_.store(l.get(), std::memory_order_release);
        layouts_.push_back(std::move(l));
    }
    if (running_) {
        // Each worker switches at the start of its next pass (within one pass time, unless it waits
        // for a CPU); one that takes longer keeps the old layout alive until a later retire_layouts().
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
        auto all_switched = [&] {
            return std::all_of(workers_.begin(), workers_.end(), [&](const auto& w) {
                return w->seen_generation.load(std::memory_order_acquire) >= generation;
            });
        };
        while (!all_switched() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    probe_.resize(hosts);
    retire_layouts();
}

void Emulator::retire_layouts() {
    std::lock_guard lock(layout_mu_);
    // Running workers may still be in any layout they have not reported leaving; stopped workers adopt
    // the current one before they touch a layout again.
    std::uint64_t oldest_in_use = layouts_.back()->generation;
    if (running_) {
        for (const auto& w : workers_)
            oldest_in_use = std::min(oldest_in_use, w->seen_generation.load(std::memory_order_acquire));
    }
    for (auto it = layouts_.begin(); it + 1 < layouts_.end();) {
        if ((*it)->generation >= oldest_in_use) {
            ++it;
            continue;
        }
        for (std::size_t h = 0; h < (*it)->topo->hosts.size(); ++h)
            retired_ += (*it)->counters[h];
        it = layouts_.erase(it);
    }
}

LayoutInfo Emulator::layout_info() const {
    std::lock_guard lock(layout_mu_);
    const Layout& l = *layouts_.back();
    return LayoutInfo{l.generation, l.topo->hosts.size(), l.topo->vms.size(), l.flows->flows.size(),
                      l.flows->flows6.size()};
}

const Topology& Emulator::topology() const {
    return *layout_.load(std::memory_order_acquire)->topo;
}

const FlowTable& Emulator::flows() const {
    return *layout_.load(std::memory_order_acquire)->flows;
}

void Emulator::service() {
    neighbor_service_->poll();
}

bool Emulator::resolve_neighbors(const std::vector<std::uint32_t>& next_hops, double timeout_s) {
    // Without a service thread the caller runs the resolver while it waits.
    return neighbor_service_->resolve_all(next_hops, timeout_s, !service_.joinable());
}

bool Emulator::resolve_neighbors6(const std::vector<Ipv6Bytes>& next_hops, double timeout_s) {
    return neighbor_service_->resolve_all6(next_hops, timeout_s, !service_.joinable());
}

NeighborTable& Emulator::neighbors() {
    return neighbor_service_->table();
}

NeighborTable6& Emulator::neighbors6() {
    return neighbor_service_->table6();
}

bool Emulator::add_static_neighbor6(const Ipv6Bytes& ip, const MacAddress& mac) {
    return neighbor_service_->add_static6(ip, mac);
}

HostTotals Emulator::totals() const {
    std::lock_guard lock(layout_mu_);
    HostTotals t = retired_;
    for (const auto& l : layouts_)
        for (std::size_t h = 0; h < l->topo->hosts.size(); ++h)
            t += l->counters[h];
    return t;
}

HostTotals Emulator::host_totals(std::uint32_t host) const {
    std::lock_guard lock(layout_mu_);
    HostTotals t;
    if (host < layouts_.back()->topo->hosts.size())
        t += layouts_.back()->counters[host];
    return t;
}

// Every next hop of `table` with the packets the workers gave it (`packets(lookup, slot)`), by address.
template <class Address, class Table, class AddressOf, class Packets>
std::vector<std::pair<Address, std::uint64_t>> Emulator::packets_per_next_hop(const Table& table,
                                                                              AddressOf address_of,
                                                                              Packets packets) const {
    std::vector<std::pair<Address, std::uint64_t>> out;
    for (std::uint32_t s = 0; s < table.slots(); ++s) {
        Address ip{};
        if (!address_of(s, ip))
            continue;
        std::uint64_t n = 0;
        for (const auto& w : workers_)
            n += packets(w->neighbor_lookup(), s);
        out.emplace_back(ip, n);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::pair<std::uint32_t, std::uint64_t>> Emulator::next_hop_packets() const {
    const NeighborTable& table = neighbor_service_->table();
    return packets_per_next_hop<std::uint32_t>(
        table, [&](std::uint32_t s, std::uint32_t& ip) { return (ip = table.ip_of(s)) != 0; },
        [](const NeighborLookup& l, std::uint32_t s) { return l.packets(s); });
}

std::vector<std::pair<Ipv6Bytes, std::uint64_t>> Emulator::next_hop_packets6() const {
    const NeighborTable6& table = neighbor_service_->table6();
    return packets_per_next_hop<Ipv6Bytes>(
        table, [&](std::uint32_t s, Ipv6Bytes& ip) { return table.ip_of(s, ip.data()); },
        [](const NeighborLookup& l, std::uint32_t s) { return l.packets6(s); });
}

template <class Counter>
std::uint64_t Emulator::sum_over_workers(Counter counter) const {
    std::uint64_t n = 0;
    for (const auto& w : workers_)
        n += counter(w->counters).load(std::memory_order_relaxed);
    return n;
}

std::uint64_t Emulator::generated() const {
    return sum_over_workers([](const WorkerCounters& c) -> const auto& { return c.packets; });
}

std::uint64_t Emulator::generated6() const {
    return sum_over_workers([](const WorkerCounters& c) -> const auto& { return c.packets6; });
}

std::uint64_t Emulator::worker_cpu_ns() const {
    return sum_over_workers([](const WorkerCounters& c) -> const auto& { return c.cpu_ns; });
}

std::uint64_t Emulator::tx_failures() const {
    return sum_over_workers([](const WorkerCounters& c) -> const auto& { return c.tx_failures; });
}

std::uint64_t Emulator::alloc_failures() const {
    return sum_over_workers([](const WorkerCounters& c) -> const auto& { return c.alloc_failures; });
}

unsigned Emulator::current_burst(unsigned worker) const {
    return worker < workers_.size() ? workers_[worker]->counters.burst.load(std::memory_order_relaxed) : 0;
}

SchedulingStats Emulator::scheduling() const {
    SchedulingStats total;
    for (const auto& w : workers_) {
        SchedulingStats s;
        s.stalls = w->counters.stalls.load(std::memory_order_relaxed);
        s.max_gap_tsc = w->counters.max_gap_tsc.load(std::memory_order_relaxed);
        s.passes = w->counters.passes.load(std::memory_order_relaxed);
        const std::int64_t tid = w->counters.tid.load(std::memory_order_relaxed);
        if (tid > 0) {
            // schedstat: time on CPU, time runnable on a run queue (ns), time slices.
            std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/schedstat");
            f >> s.run_ns >> s.runqueue_ns;
        }
        total += s;
    }
    return total;
}

std::size_t Emulator::memory_bytes() const {
    const NeighborTable& table = neighbor_service_->table();
    const NeighborTable6& table6 = neighbor_service_->table6();
    std::size_t n = sizeof(*this) + neighbor_service_->memory_bytes();
    {
        std::lock_guard lock(layout_mu_);
        for (const auto& l : layouts_)
            n += sizeof(Layout) + l->topo->memory_bytes() + l->flows->memory_bytes() +
                 l->topo->hosts.size() * (sizeof(HostCounters) + sizeof(std::uint32_t));
    }
    n +=
        workers_.size() * (sizeof(Worker) + (table.slots() + table6.slots()) * 8 + TxBuffers::memory_bytes());
    n += mbuf_pool_bytes(ports_.main_pool());
    for (const auto& w : workers_)
        n += mbuf_pool_bytes(w->pool());
    return n;
}

}  // namespace rf::dataplane
