#include "dataplane/topology.hpp"

#include <algorithm>

namespace rf::dataplane {

Topology Topology::from_vms(std::vector<Vm> vms) {
    std::stable_sort(vms.begin(), vms.end(), [](const Vm& a, const Vm& b) { return a.host < b.host; });
    Topology t;
    t.vms = std::move(vms);
    for (std::uint32_t i = 0; i < t.vms.size();) {
        Host h;
        h.id = static_cast<std::uint32_t>(t.hosts.size());
        h.first_vm = i;
        const std::uint32_t original = t.vms[i].host;
        while (i < t.vms.size() && t.vms[i].host == original) {
            t.vms[i].host = h.id;  // dense host ids
            h.tables.push_back(t.vms[i].table);
            t.tables = std::max(t.tables, t.vms[i].table + 1);
            ++i;
        }
        h.vm_count = i - h.first_vm;
        std::sort(h.tables.begin(), h.tables.end());
        h.tables.erase(std::unique(h.tables.begin(), h.tables.end()), h.tables.end());
        t.hosts.push_back(std::move(h));
    }
    return t;
}

std::size_t Topology::memory_bytes() const {
    std::size_t n = vms.capacity() * sizeof(Vm) + hosts.capacity() * sizeof(Host);
    for (const auto& h : hosts)
        n += h.tables.capacity() * sizeof(TableId);
    return n;
}

Topology make_lab_topology(const LabSpec& spec) {
    std::vector<Vm> vms;
    vms.reserve(spec.vms);
    const std::uint32_t per_subnet = std::clamp<std::uint32_t>(spec.vms_per_subnet, 1, 251);
    const std::uint32_t per_host = std::max<std::uint32_t>(spec.vms_per_host, 1);
    const std::uint32_t tables = std::max<std::uint32_t>(spec.tables, 1);
    for (std::uint32_t i = 0; i < spec.vms; ++i) {
        const std::uint32_t subnet = i / per_subnet;
        const std::uint32_t ip = spec.base + (subnet << 8) + 4 + i % per_subnet;
        vms.push_back(Vm{ip, subnet % tables, i / per_host});
    }
    auto t = Topology::from_vms(std::move(vms));
    t.tables = std::max(t.tables, tables);
    return t;
}

std::vector<std::vector<std::uint32_t>> assign_hosts(const Topology& topo, unsigned workers) {
    workers = std::max(workers, 1U);
    std::vector<std::vector<std::uint32_t>> out(workers);
    const std::size_t total = topo.vms.size();
    std::size_t acc = 0;
    for (const auto& h : topo.hosts) {
        // Contiguous ranges keep each worker's VMs and flows together in memory.
        const unsigned w =
            total == 0 ? 0 : static_cast<unsigned>(std::min<std::size_t>(acc * workers / total, workers - 1));
        out[w].push_back(h.id);
        acc += h.vm_count;
    }
    return out;
}

}  // namespace rf::dataplane
