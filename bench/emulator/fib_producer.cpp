#include "bench/emulator/fib_producer.hpp"

#include <rte_cycles.h>

#include <algorithm>
#include <cstddef>

namespace rf::bench {

using dataplane::Vm;

namespace {
net::Ipv6Address address6(const Ipv6Bytes& bytes) {
    net::Ipv6Address a{};
    std::copy(bytes.begin(), bytes.end(), a.bytes.begin());
    return a;
}

}  // namespace

fib::VnetModel make_lab_model(std::uint32_t vms, std::uint32_t vms_per_host) {
    const std::uint32_t per_host = vms_per_host == 0 ? 1 : vms_per_host;
    auto p4 = [](std::uint32_t a, std::uint8_t len) { return net::Prefix::v4(net::Ipv4Address{a}, len); };
    auto a4 = [](std::uint32_t a) { return net::IpAddress::v4(net::Ipv4Address{a}); };
    fib::VnetModel m;
    fib::Vnet hub;
    hub.name = "hub";
    hub.address_spaces = {p4(0x0A010000, 16)};                                        // 10.1.0.0/16
    hub.subnets.push_back(fib::Subnet{"RouteServerSubnet", p4(0x0A010000, 27), ""});  // 10.1.0.0/27
    hub.subnets.push_back(fib::Subnet{"nva", p4(0x0A010100, 24), ""});                // 10.1.1.0/24
    m.route_server.vnet = "hub";
    m.route_server.listen_addresses = {a4(0x0A010004), a4(0x0A010005)};
    const bool spoke = vms > 32000;
    std::uint32_t base = 0x0A018000;  // hub workload 10.1.128.0/17 (32,764 VMs)
    std::string vnet = "hub";
    if (!spoke) {
        hub.subnets.push_back(fib::Subnet{"workload", p4(0x0A018000, 17), ""});
    } else {
        // A peered spoke that uses the hub's route server: 10.64.0.0/10, workload 10.64.0.0/12 (1 M).
        fib::Vnet s;
        s.name = "spoke";
        s.address_spaces = {p4(0x0A400000, 10)};
        s.subnets.push_back(fib::Subnet{"workload", p4(0x0A400000, 12), ""});
        s.peerings.push_back(fib::VnetPeering{"hub", true});
        hub.peerings.push_back(fib::VnetPeering{"spoke", false});
        m.vnets.push_back(std::move(s));
        base = 0x0A400000;
        vnet = "spoke";
    }
    m.vnets.insert(m.vnets.begin(), std::move(hub));
    m.vms.reserve(vms);
    for (std::uint32_t i = 0; i < vms; ++i) {
        fib::Vm vm;
        vm.name = "vm" + std::to_string(i);
        vm.vnet = vnet;
        vm.subnet = "workload";
        vm.nic_address = a4(base + 4 + i);  // skips the four reserved addresses at the start
        vm.host = i / per_host;
        m.vms.push_back(std::move(vm));
    }
    return m;
}

std::unique_ptr<FibProducer> FibProducer::create(const fib::VnetModel& model, std::uint32_t max_routes,
                                                 std::string* error, bool repoint_groups) {
    auto p = std::unique_ptr<FibProducer>(new FibProducer());
    fib::FibConfig cfg;
    cfg.lookup.max_routes = max_routes + 1024;
    cfg.lookup.num_tbl8 = 1U << 10;
    cfg.repoint_groups = repoint_groups;
    p->fib_ = fib::Fib::create(model, cfg, error);
    if (!p->fib_)
        return nullptr;
    std::vector<Vm> vms;
    vms.reserve(model.vms.size());
    for (const auto& vm : model.vms) {
        // By subnet: Fib::table_for_vm() looks the VM up by name (a scan per VM).
        const auto t = p->fib_->table_for_subnet(vm.vnet, vm.subnet);
        if (!t || !vm.nic_address.is_v4())
            continue;
        vms.push_back(Vm{vm.nic_address.as_v4().value, *t, vm.host});
    }
    p->topo_ = Topology::from_vms(std::move(vms));
    p->topo_.tables =
        std::max<std::uint32_t>(p->topo_.tables, static_cast<std::uint32_t>(p->fib_->table_count()));
    p->source_ = std::make_unique<dataplane::FibRouteSource>(*p->fib_);
    p->updater_ = std::make_unique<fib::FibUpdater>(*p->fib_);
    FibProducer* raw = p.get();
    p->updater_->set_visibility_observer([raw](std::uint64_t sequence) { raw->on_visible(sequence); });
    p->updater_->set_next_hops_down_observer([raw](std::size_t repointed) {
        ConvergenceProbe* probe = raw->down_probe_.exchange(nullptr, std::memory_order_acq_rel);
        if (probe != nullptr && repointed != 0)
            probe->published(rte_rdtsc());
    });
    p->updater_->start();
    return p;
}

FibProducer::~FibProducer() {
    if (updater_)
        updater_->stop();
}

std::vector<std::vector<Destination>> FibProducer::destinations() const {
    std::vector<std::vector<Destination>> out(fib_->table_count());
    for (dataplane::TableId t = 0; t < out.size(); ++t) {
        for (const auto& [prefix, nh] : fib_->snapshot(t).routes) {
            if (!prefix.is_v4() || prefix.length == 0)
                continue;
            // Destinations the VMs really send to: VNet-local and BGP/UDR next hops, not black holes.
            if (nh.type == fib::NextHopType::None)
                continue;
            out[t].push_back(Destination{prefix.v4_address().value, prefix.length});
        }
    }
    return out;
}

namespace {
net::Prefix prefix_of(const RouteUpdate& u) {
    return net::Prefix::v4(net::Ipv4Address{u.prefix}, u.length);
}
net::Prefix prefix_of(const RouteUpdate6& u) {
    return net::Prefix::v6(address6(u.prefix), u.length);
}
net::IpAddress address_of(std::uint32_t a) {
    return net::IpAddress::v4(net::Ipv4Address{a});
}
net::IpAddress address_of(const Ipv6Bytes& a) {
    return net::IpAddress::v6(address6(a));
}
}  // namespace

// The batch as sequence-numbered deltas through the updater's bounded queue; 0 on back-pressure (the
// caller retries).
template <class Update>
std::uint64_t FibProducer::publish(std::span<const Update> batch) {
    scratch_.resize(batch.size());
    const std::uint64_t first = sequence_ + 1;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto& d = scratch_[i];
        d.sequence = first + i;
        d.prefix = prefix_of(batch[i]);
        d.next_hops.clear();
        for (const auto& nh : batch[i].next_hops)
            d.next_hops.push_back(address_of(nh));
    }
    if (!updater_->publish(scratch_))
        return 0;
    sequence_ += batch.size();
    return sequence_;
}

std::uint64_t FibProducer::inject(std::span<const RouteUpdate> batch) {
    return publish(batch);
}

std::uint64_t FibProducer::inject6(std::span<const RouteUpdate6> batch) {
    return publish(batch);
}

std::vector<std::vector<Destination6>> FibProducer::destinations6() const {
    std::vector<std::vector<Destination6>> out(fib_->table_count());
    for (dataplane::TableId t = 0; t < out.size(); ++t) {
        for (const auto& [prefix, nh] : fib_->snapshot(t).routes) {
            if (prefix.is_v4() || prefix.length == 0 || nh.type == fib::NextHopType::None)
                continue;
            Destination6 d;
            std::copy(prefix.bytes.begin(), prefix.bytes.end(), d.prefix.begin());
            d.length = prefix.length;
            out[t].push_back(d);
        }
    }
    return out;
}

void FibProducer::on_visible(std::uint64_t sequence) {
    std::uint64_t ticket = watch_ticket_.load(std::memory_order_acquire);
    if (ticket != 0 && sequence >= ticket && watch_ticket_.compare_exchange_strong(ticket, 0)) {
        watch_probe_.load(std::memory_order_acquire)->published(rte_rdtsc());
    }
}

bool FibProducer::next_hops_down(std::span<const std::uint32_t> v4, std::span<const Ipv6Bytes> v6,
                                 ConvergenceProbe& probe) {
    std::vector<net::IpAddress> dead;
    for (std::uint32_t a : v4)
        dead.push_back(net::IpAddress::v4(net::Ipv4Address{a}));
    for (const Ipv6Bytes& a : v6)
        dead.push_back(net::IpAddress::v6(address6(a)));
    down_probe_.store(&probe, std::memory_order_release);
    updater_->next_hops_down(dead);
    return true;
}

void FibProducer::watch_visibility(ConvergenceProbe& probe, std::uint64_t ticket) {
    watch_probe_.store(&probe, std::memory_order_release);
    watch_ticket_.store(ticket, std::memory_order_release);
    // Already visible before the watch was set: report now (late by the time since inject()).
    if (visible(ticket) && watch_ticket_.compare_exchange_strong(ticket, 0))
        probe.published(rte_rdtsc());
}

std::size_t FibProducer::memory_bytes() const {
    const auto s = fib_->stats();
    return s.lookup_bytes + s.control_bytes;
}

std::string FibProducer::describe() const {
    const fib::LookupTable* lt = fib_->table_count() > 0 ? fib_->lookup(0) : nullptr;
    const bool rte = lt != nullptr && lt->engine() == fib::LookupEngine::RteFib;
    return std::string("FIB (") + (rte ? "rte_fib left-right" : "Dir24") + " tables, " +
           std::to_string(fib_->table_count()) + " tables) via FibUpdater";
}

std::string FibProducer::stats() const {
    const auto f = fib_->stats();
    const auto u = updater_->stats();
    return "FIB: " + std::to_string(f.batches) + " batches, " + std::to_string(f.deltas) + " deltas (" +
           std::to_string(f.coalesced) + " coalesced), " + std::to_string(f.table_ops) + " table ops, " +
           std::to_string(f.failures) + " failures, " + std::to_string(f.grace_waits) +
           " grace waits; updater: " + std::to_string(u.rejected_batches) +
           " batches refused (back-pressure), max queue depth " + std::to_string(u.max_queue_depth);
}

}  // namespace rf::bench
