#include "fib/vnet/effective_routes.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace rf::fib {
namespace {

net::Prefix p4(std::uint32_t a, std::uint8_t len) {
    return net::Prefix::v4(net::Ipv4Address{a}, len);
}

NextHop udr_next_hop(const UserDefinedRoute& r) {
    NextHop n;
    switch (r.next_hop_type) {
        case UdrNextHopType::VirtualAppliance:
            n.type = NextHopType::VirtualAppliance;
            if (r.next_hop_ip) {
                n.addresses.push_back(*r.next_hop_ip);
            }
            break;
        case UdrNextHopType::VirtualNetworkGateway:
            n.type = NextHopType::VirtualNetworkGateway;
            break;
        case UdrNextHopType::Internet:
            n.type = NextHopType::Internet;
            break;
        case UdrNextHopType::None:
            n.type = NextHopType::None;
            break;
    }
    return n;
}

// Peered VNets of `v`: a peering listed on either side counts.
std::vector<std::size_t> peers_of(const VnetModel& m, std::size_t v) {
    std::set<std::size_t> out;
    for (const VnetPeering& p : m.vnets[v].peerings) {
        for (std::size_t i = 0; i < m.vnets.size(); ++i) {
            if (i != v && m.vnets[i].name == p.remote_vnet) {
                out.insert(i);
            }
        }
    }
    for (std::size_t i = 0; i < m.vnets.size(); ++i) {
        for (const VnetPeering& p : m.vnets[i].peerings) {
            if (i != v && p.remote_vnet == m.vnets[v].name) {
                out.insert(i);
            }
        }
    }
    return {out.begin(), out.end()};
}

// The VNet gets the route server's BGP routes: it hosts the route server, or it peers with that VNet
// with "use remote route server" set.
bool vnet_gets_bgp(const VnetModel& m, std::size_t v) {
    const Vnet& vn = m.vnets[v];
    if (vn.name == m.route_server.vnet) {
        return true;
    }
    return std::any_of(vn.peerings.begin(), vn.peerings.end(), [&](const VnetPeering& p) {
        return p.use_remote_route_server && p.remote_vnet == m.route_server.vnet;
    });
}

}  // namespace

std::string_view to_string(RouteSource s) {
    switch (s) {
        case RouteSource::Default:
            return "Default";
        case RouteSource::VirtualNetworkGateway:
            return "VirtualNetworkGateway";
        case RouteSource::User:
            return "User";
    }
    return "?";
}

std::string_view to_string(RouteState s) {
    return s == RouteState::Active ? "Active" : "Invalid";
}

std::vector<StaticRoute> azure_default_routes() {
    std::vector<StaticRoute> r;
    r.push_back(StaticRoute{RouteSource::Default, p4(0, 0), NextHop{NextHopType::Internet, {}}, ""});
    for (const net::Prefix& p :
         {p4(0x0A000000, 8), p4(0xAC100000, 12), p4(0xC0A80000, 16), p4(0x64400000, 10)}) {
        r.push_back(StaticRoute{RouteSource::Default, p, NextHop{NextHopType::None, {}}, ""});
    }
    return r;
}

void TableSpec::index() {
    winners.clear();
    for (std::size_t i = 0; i < statics.size(); ++i) {
        auto [it, inserted] = winners.emplace(statics[i].prefix, i);
        // User beats system; among routes of one source the first listed wins (validation refuses
        // duplicate user prefixes, and system routes never share a prefix).
        if (!inserted && statics[i].source == RouteSource::User &&
            statics[it->second].source != RouteSource::User) {
            it->second = i;
        }
    }
}

const StaticRoute* TableSpec::static_winner(const net::Prefix& prefix) const {
    auto it = winners.find(prefix);
    return it == winners.end() ? nullptr : &statics[it->second];
}

const std::pair<net::Prefix, std::string>* TableSpec::protecting_space(const net::Prefix& prefix) const {
    for (const auto& sp : protected_spaces) {
        if (sp.first.contains(prefix)) {
            return &sp;
        }
    }
    return nullptr;
}

std::optional<TableId> TablePlan::table_for_subnet(std::string_view vnet, std::string_view subnet) const {
    auto it = by_subnet.find({std::string(vnet), std::string(subnet)});
    if (it == by_subnet.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<TableId> TablePlan::table_for_vm(const VnetModel& model, std::string_view vm) const {
    const Vm* v = model.find_vm(vm);
    if (v == nullptr) {
        return std::nullopt;
    }
    return table_for_subnet(v->vnet, v->subnet);
}

TablePlan plan_tables(const VnetModel& model) {
    TablePlan plan;
    std::map<std::pair<std::size_t, std::string>, TableId> seen;
    for (std::size_t v = 0; v < model.vnets.size(); ++v) {
        const Vnet& vn = model.vnets[v];
        for (const Subnet& sn : vn.subnets) {
            const auto key = std::make_pair(v, sn.route_table);
            auto it = seen.find(key);
            if (it == seen.end()) {
                TableSpec t;
                t.name = sn.route_table.empty() ? vn.name : vn.name + "/" + sn.route_table;
                t.vnet = v;
                t.route_table = sn.route_table;
                const RouteTable* rt =
                    sn.route_table.empty() ? nullptr : model.find_route_table(sn.route_table);
                t.bgp = vnet_gets_bgp(model, v) && (rt == nullptr || rt->propagate_gateway_routes);
                // System routes: the address spaces, then the peered ones, then Azure's defaults unless
                // an address space has exactly that prefix.
                std::set<net::Prefix> taken;
                for (const net::Prefix& sp : vn.address_spaces) {
                    t.protected_spaces.emplace_back(sp, vn.name);
                    t.statics.push_back(
                        StaticRoute{RouteSource::Default, sp, NextHop{NextHopType::VnetLocal, {}}, ""});
                    taken.insert(sp);
                }
                for (std::size_t peer : peers_of(model, v)) {
                    for (const net::Prefix& sp : model.vnets[peer].address_spaces) {
                        t.protected_spaces.emplace_back(sp, model.vnets[peer].name);
                        t.statics.push_back(
                            StaticRoute{RouteSource::Default, sp, NextHop{NextHopType::VNetPeering, {}}, ""});
                        taken.insert(sp);
                    }
                }
                for (StaticRoute& d : azure_default_routes()) {
                    if (taken.count(d.prefix) == 0) {
                        t.statics.push_back(std::move(d));
                    }
                }
                if (rt != nullptr) {
                    for (const UserDefinedRoute& r : rt->routes) {
                        t.statics.push_back(
                            StaticRoute{RouteSource::User, r.prefix, udr_next_hop(r), r.name});
                    }
                }
                for (StaticRoute& s : t.statics) {
                    s.next_hop.normalise();
                }
                t.index();
                it = seen.emplace(key, static_cast<TableId>(plan.tables.size())).first;
                plan.tables.push_back(std::move(t));
            }
            plan.tables[it->second].subnets.push_back(vn.name + "/" + sn.name);
            plan.by_subnet[{vn.name, sn.name}] = it->second;
        }
    }
    return plan;
}

std::optional<NextHop> programmed_next_hop(const TableSpec& table, const net::Prefix& prefix,
                                           std::span<const net::IpAddress> bgp_next_hops) {
    const StaticRoute* sw = table.static_winner(prefix);
    if (sw != nullptr && sw->source == RouteSource::User) {
        return sw->next_hop;
    }
    if (table.bgp && !bgp_next_hops.empty() && table.protecting_space(prefix) == nullptr) {
        NextHop n{NextHopType::VirtualNetworkGateway, {bgp_next_hops.begin(), bgp_next_hops.end()}};
        n.normalise();
        return n;
    }
    if (sw != nullptr) {
        return sw->next_hop;
    }
    return std::nullopt;
}

std::vector<EffectiveRoute> effective_routes(const TableSpec& table,
                                             const std::map<net::Prefix, std::vector<net::IpAddress>>& bgp) {
    std::vector<EffectiveRoute> out;
    // BGP routes that are programmed, by prefix: they shadow a system route of the same prefix.
    std::set<net::Prefix> bgp_active;
    std::vector<EffectiveRoute> bgp_rows;
    if (table.bgp) {
        for (const auto& [prefix, hops] : bgp) {
            if (hops.empty()) {
                continue;
            }
            EffectiveRoute r;
            r.source = RouteSource::VirtualNetworkGateway;
            r.prefix = prefix;
            r.next_hop_type = NextHopType::VirtualNetworkGateway;
            r.next_hops = hops;
            std::sort(r.next_hops.begin(), r.next_hops.end());
            r.next_hops.erase(std::unique(r.next_hops.begin(), r.next_hops.end()), r.next_hops.end());
            const StaticRoute* sw = table.static_winner(prefix);
            if (const auto* sp = table.protecting_space(prefix); sp != nullptr) {
                r.state = RouteState::Invalid;
                r.reason = "inside address space " + sp->first.to_string() + " of VNet '" + sp->second +
                           "'; a BGP route never overrides a virtual network address space";
            } else if (sw != nullptr && sw->source == RouteSource::User) {
                r.state = RouteState::Invalid;
                r.reason = "overridden by user-defined route '" + sw->name + "' for the same prefix";
            } else {
                bgp_active.insert(prefix);
            }
            bgp_rows.push_back(std::move(r));
        }
    }
    std::vector<EffectiveRoute> user_rows;
    for (std::size_t i = 0; i < table.statics.size(); ++i) {
        const StaticRoute& s = table.statics[i];
        EffectiveRoute r;
        r.source = s.source;
        r.prefix = s.prefix;
        r.next_hop_type = s.next_hop.type;
        r.next_hops = s.next_hop.addresses;
        const StaticRoute* sw = table.static_winner(s.prefix);
        if (sw != &s) {
            r.state = RouteState::Invalid;
            r.reason = "overridden by user-defined route '" + sw->name + "' for the same prefix";
        } else if (s.source == RouteSource::Default && bgp_active.count(s.prefix) != 0) {
            r.state = RouteState::Invalid;
            r.reason = "overridden by a BGP route for the same prefix";
        }
        (s.source == RouteSource::User ? user_rows : out).push_back(std::move(r));
    }
    auto by_prefix = [](const EffectiveRoute& a, const EffectiveRoute& b) { return a.prefix < b.prefix; };
    std::stable_sort(out.begin(), out.end(), by_prefix);
    std::stable_sort(user_rows.begin(), user_rows.end(), by_prefix);
    out.insert(out.end(), std::make_move_iterator(bgp_rows.begin()), std::make_move_iterator(bgp_rows.end()));
    out.insert(out.end(), std::make_move_iterator(user_rows.begin()),
               std::make_move_iterator(user_rows.end()));
    return out;
}

std::string format_effective_routes(std::span<const EffectiveRoute> routes) {
    std::ostringstream os;
    auto pad = [](std::string s, std::size_t w) {
        if (s.size() < w) {
            s.append(w - s.size(), ' ');
        }
        return s;
    };
    os << pad("Source", 23) << pad("State", 9) << pad("Address Prefix", 20) << pad("Next Hop Type", 23)
       << "Next Hop IP\n";
    os << pad("---------------------", 23) << pad("-------", 9) << pad("------------------", 20)
       << pad("---------------------", 23) << "-------------\n";
    for (const EffectiveRoute& r : routes) {
        std::string hops;
        for (const net::IpAddress& a : r.next_hops) {
            hops += (hops.empty() ? "" : " ") + a.to_string();
        }
        os << pad(std::string(to_string(r.source)), 23) << pad(std::string(to_string(r.state)), 9)
           << pad(r.prefix.to_string(), 20) << pad(std::string(to_string(r.next_hop_type)), 23) << hops;
        if (!r.reason.empty()) {
            os << "  (" << r.reason << ")";
        }
        os << "\n";
    }
    return os.str();
}

}  // namespace rf::fib
