#include "daemon/forwarding/emulator_layout.hpp"

#include <algorithm>
#include <utility>

namespace rf::daemon {

dataplane::Topology topology_for(const fib::Fib& fib, const fib::VnetModel& model) {
    std::vector<dataplane::Vm> vms;
    vms.reserve(model.vms.size());
    for (const auto& vm : model.vms) {
        const auto t = fib.table_for_subnet(vm.vnet, vm.subnet);
        if (!t || !vm.nic_address.is_v4()) {
            continue;
        }
        vms.push_back(dataplane::Vm{vm.nic_address.as_v4().value, *t, vm.host});
    }
    auto topo = dataplane::Topology::from_vms(std::move(vms));
    topo.tables = std::max<std::uint32_t>(topo.tables, static_cast<std::uint32_t>(fib.table_count()));
    return topo;
}

Destinations destinations_for(const fib::Fib& fib, bool ipv6) {
    Destinations d;
    d.v4.resize(fib.table_count());
    if (ipv6) {
        d.v6.resize(fib.table_count());
    }
    const dataplane::Destination6 global{{0x20}, 3}, unique_local{{0xfc}, 7};
    for (fib::TableId t = 0; t < d.v4.size(); ++t) {
        for (const auto& [prefix, nh] : fib.snapshot(t).routes) {
            if (prefix.length == 0 || nh.type == fib::NextHopType::None) {
                continue;
            }
            if (prefix.is_v4()) {
                d.v4[t].push_back(dataplane::Destination{prefix.v4_address().value, prefix.length});
            } else if (ipv6) {
                d.v6[t].push_back(dataplane::Destination6{prefix.bytes, prefix.length});
            }
        }
        d.v4[t].push_back(dataplane::Destination{0, 1});
        d.v4[t].push_back(dataplane::Destination{0x80000000U, 1});
        if (ipv6) {
            d.v6[t].push_back(global);
            d.v6[t].push_back(unique_local);
        }
    }
    return d;
}

}  // namespace rf::daemon
