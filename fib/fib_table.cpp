#include "fib/fib_table.hpp"

#include <algorithm>
#include <vector>

namespace rf::fib {

std::map<net::Prefix, GroupId> FibTable::content(const BgpRoutes& bgp) const {
    std::map<net::Prefix, GroupId> rows;
    for (const auto& [p, g] : static_groups) {
        if (const GroupId x = target(p, bgp.group_of(p)); x != kNoGroup) {
            rows.emplace(p, x);
        }
    }
    if (spec.bgp) {
        bgp.for_each([&](const net::Prefix& p, GroupId g) {
            if (const GroupId x = target(p, g); x != kNoGroup) {
                rows.emplace(p, x);
            }
        });
    }
    return rows;
}

std::vector<bool> tables_with_vms(const VnetModel& model, const TablePlan& plan) {
    std::vector<bool> out(plan.tables.size(), false);
    for (const Vm& vm : model.vms) {
        if (auto t = plan.table_for_subnet(vm.vnet, vm.subnet)) {
            out[*t] = true;
        }
    }
    return out;
}

std::map<net::Prefix, GroupId> acquire_static_groups(const TableSpec& spec, GroupTable& groups) {
    std::map<net::Prefix, GroupId> out;
    for (const auto& [prefix, index] : spec.winners) {
        out[prefix] = groups.acquire(spec.statics[index].next_hop);
    }
    return out;
}

std::string content_key(const TableSpec& spec, const std::map<net::Prefix, GroupId>& static_groups) {
    // Whether BGP routes apply, each static winner (prefix, user or system, group) and the protected
    // address spaces. Group ids stand for their values (same value → same id while referenced).
    std::string k = spec.bgp ? "B" : "-";
    for (const auto& [p, g] : static_groups) {
        const StaticRoute* w = spec.static_winner(p);
        k += p.to_string();
        k += w != nullptr && w->source == RouteSource::User ? 'U' : 'S';
        k += std::to_string(g);
        k += ';';
    }
    std::vector<net::Prefix> spaces;
    for (const auto& sp : spec.protected_spaces) {
        spaces.push_back(sp.first);
    }
    std::sort(spaces.begin(), spaces.end());
    k += '|';
    for (const net::Prefix& p : spaces) {
        k += p.to_string();
        k += ';';
    }
    return k;
}

}  // namespace rf::fib
