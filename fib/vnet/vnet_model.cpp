#include "fib/vnet/vnet_model.hpp"

#include <set>
#include <unordered_map>
#include <unordered_set>

namespace rf::fib {
namespace {

std::string at(std::string_view base, std::size_t i) {
    return std::string(base) + "[" + std::to_string(i) + "]";
}

bool overlaps(const net::Prefix& a, const net::Prefix& b) {
    return a.afi == b.afi && (a.contains(b) || b.contains(a));
}

// Azure reserves the network address, the next three (gateway, two DNS) and the broadcast address of
// every IPv4 subnet.
bool azure_reserved(const net::Prefix& subnet, const net::IpAddress& addr) {
    if (!subnet.is_v4() || !addr.is_v4() || subnet.length >= 31) {
        return false;
    }
    const std::uint32_t base = subnet.v4_address().value;
    const std::uint32_t a = addr.as_v4().value;
    const std::uint32_t last = base | (subnet.length == 0 ? 0xFFFFFFFFU : (0xFFFFFFFFU >> subnet.length));
    return a - base < 4 || a == last;
}

class Checker {
public:
    explicit Checker(const VnetModel& m) : m_(m) {}

    std::vector<ModelError> run() {
        check_route_tables();
        for (std::size_t i = 0; i < m_.vnets.size(); ++i) {
            check_vnet(i);
        }
        check_peering_overlaps();
        check_route_server();
        check_vms();
        return std::move(errors_);
    }

private:
    void error(std::string field, std::string message) {
        errors_.push_back(ModelError{std::move(field), std::move(message)});
    }

    void check_route_tables() {
        std::set<std::string> names;
        for (std::size_t i = 0; i < m_.route_tables.size(); ++i) {
            const RouteTable& rt = m_.route_tables[i];
            const std::string base = at("route_tables", i);
            if (rt.name.empty()) {
                error(base + ".name", "must not be empty");
            } else if (!names.insert(rt.name).second) {
                error(base + ".name", "duplicate route table name '" + rt.name + "'");
            }
            std::set<std::string> route_names;
            std::set<net::Prefix> prefixes;
            for (std::size_t j = 0; j < rt.routes.size(); ++j) {
                const UserDefinedRoute& r = rt.routes[j];
                const std::string rb = at(base + ".routes", j);
                if (r.name.empty()) {
                    error(rb + ".name", "must not be empty");
                } else if (!route_names.insert(r.name).second) {
                    error(rb + ".name", "duplicate route name '" + r.name + "'");
                }
                if (!prefixes.insert(r.prefix).second) {
                    error(rb + ".prefix", "duplicate prefix " + r.prefix.to_string() + " in the route table");
                }
                if (r.next_hop_type == UdrNextHopType::VirtualAppliance) {
                    if (!r.next_hop_ip) {
                        error(rb + ".next_hop_ip", "required for next hop type VirtualAppliance");
                    } else if (r.next_hop_ip->afi != r.prefix.afi) {
                        error(rb + ".next_hop_ip", "address family differs from the prefix");
                    }
                } else if (r.next_hop_ip) {
                    error(rb + ".next_hop_ip", "allowed only for next hop type VirtualAppliance, not " +
                                                   std::string(to_string(r.next_hop_type)));
                }
            }
        }
    }

    void check_vnet(std::size_t i) {
        const Vnet& v = m_.vnets[i];
        const std::string base = at("vnets", i);
        if (v.name.empty()) {
            error(base + ".name", "must not be empty");
        } else if (!vnet_names_.insert(v.name).second) {
            error(base + ".name", "duplicate VNet name '" + v.name + "'");
        }
        if (v.address_spaces.empty()) {
            error(base + ".address_spaces", "at least one address space is required");
        }
        for (std::size_t a = 0; a < v.address_spaces.size(); ++a) {
            for (std::size_t b = 0; b < a; ++b) {
                if (overlaps(v.address_spaces[a], v.address_spaces[b])) {
                    error(at(base + ".address_spaces", a),
                          v.address_spaces[a].to_string() + " overlaps " + v.address_spaces[b].to_string());
                }
            }
        }
        std::set<std::string> subnet_names;
        for (std::size_t s = 0; s < v.subnets.size(); ++s) {
            const Subnet& sn = v.subnets[s];
            const std::string sb = at(base + ".subnets", s);
            if (sn.name.empty()) {
                error(sb + ".name", "must not be empty");
            } else if (!subnet_names.insert(sn.name).second) {
                error(sb + ".name", "duplicate subnet name '" + sn.name + "'");
            }
            bool inside = false;
            for (const net::Prefix& space : v.address_spaces) {
                inside = inside || space.contains(sn.prefix);
            }
            if (!inside) {
                error(sb + ".prefix",
                      sn.prefix.to_string() + " is not inside any address space of VNet '" + v.name + "'");
            }
            for (std::size_t o = 0; o < s; ++o) {
                if (overlaps(sn.prefix, v.subnets[o].prefix)) {
                    error(sb + ".prefix", sn.prefix.to_string() + " overlaps subnet '" + v.subnets[o].name +
                                              "' " + v.subnets[o].prefix.to_string());
                }
            }
            if (sn.name == kRouteServerSubnetName &&
                (!sn.prefix.is_v4() || sn.prefix.length > kRouteServerSubnetMaxLength)) {
                error(sb + ".prefix",
                      "RouteServerSubnet must be an IPv4 /27 or larger, got " + sn.prefix.to_string());
            }
            if (!sn.route_table.empty() && m_.find_route_table(sn.route_table) == nullptr) {
                error(sb + ".route_table", "unknown route table '" + sn.route_table + "'");
            }
        }
        std::set<std::string> remotes;
        for (std::size_t p = 0; p < v.peerings.size(); ++p) {
            const VnetPeering& pr = v.peerings[p];
            const std::string pb = at(base + ".peerings", p);
            const Vnet* remote = m_.find_vnet(pr.remote_vnet);
            if (remote == nullptr) {
                error(pb + ".remote_vnet", "unknown VNet '" + pr.remote_vnet + "'");
                continue;
            }
            if (remote == &v) {
                error(pb + ".remote_vnet", "a VNet cannot peer with itself");
            }
            if (!remotes.insert(pr.remote_vnet).second) {
                error(pb + ".remote_vnet", "duplicate peering with '" + pr.remote_vnet + "'");
            }
            if (pr.use_remote_route_server && pr.remote_vnet != m_.route_server.vnet) {
                error(pb + ".use_remote_route_server",
                      "VNet '" + pr.remote_vnet + "' does not host the route server");
            }
        }
    }

    // Azure refuses a peering between VNets whose address spaces overlap.
    void check_peering_overlaps() {
        for (std::size_t i = 0; i < m_.vnets.size(); ++i) {
            const Vnet& v = m_.vnets[i];
            for (std::size_t p = 0; p < v.peerings.size(); ++p) {
                const Vnet* remote = m_.find_vnet(v.peerings[p].remote_vnet);
                if (remote == nullptr || remote == &v) {
                    continue;
                }
                for (const net::Prefix& a : v.address_spaces) {
                    for (const net::Prefix& b : remote->address_spaces) {
                        if (overlaps(a, b)) {
                            error(at(at("vnets", i) + ".peerings", p) + ".remote_vnet",
                                  "address space " + a.to_string() + " overlaps " + b.to_string() + " of '" +
                                      remote->name + "'");
                        }
                    }
                }
            }
        }
    }

    void check_route_server() {
        const RouteServerPlacement& rs = m_.route_server;
        const Vnet* v = m_.find_vnet(rs.vnet);
        if (v == nullptr) {
            error("route_server.vnet", rs.vnet.empty() ? "must name the VNet hosting the route server"
                                                       : "unknown VNet '" + rs.vnet + "'");
            return;
        }
        if (!rs.in_route_server_subnet) {
            return;
        }
        const Subnet* rss = nullptr;
        for (const Subnet& s : v->subnets) {
            if (s.name == kRouteServerSubnetName) {
                rss = &s;
            }
        }
        if (rss == nullptr) {
            error("route_server.vnet", "VNet '" + rs.vnet + "' has no subnet named RouteServerSubnet");
            return;
        }
        if (rs.listen_addresses.empty()) {
            error("route_server.listen_addresses", "at least one listen address is required");
        }
        std::set<net::IpAddress> seen;
        for (std::size_t i = 0; i < rs.listen_addresses.size(); ++i) {
            const net::IpAddress& a = rs.listen_addresses[i];
            const std::string f = at("route_server.listen_addresses", i);
            if (!rss->prefix.contains(a)) {
                error(f, a.to_string() + " is not inside RouteServerSubnet " + rss->prefix.to_string());
            } else if (azure_reserved(rss->prefix, a)) {
                error(f, a.to_string() + " is an address Azure reserves in " + rss->prefix.to_string());
            }
            if (!seen.insert(a).second) {
                error(f, "duplicate listen address " + a.to_string());
            }
        }
    }

    void check_vms() {
        std::unordered_set<std::string> names;
        std::unordered_map<std::string, std::unordered_set<net::IpAddress, net::IpAddressHash>> addresses;
        for (std::size_t i = 0; i < m_.vms.size(); ++i) {
            const Vm& vm = m_.vms[i];
            const std::string base = at("vms", i);
            if (vm.name.empty()) {
                error(base + ".name", "must not be empty");
            } else if (!names.insert(vm.name).second) {
                error(base + ".name", "duplicate VM name '" + vm.name + "'");
            }
            const Vnet* v = m_.find_vnet(vm.vnet);
            if (v == nullptr) {
                error(base + ".vnet", "unknown VNet '" + vm.vnet + "'");
                continue;
            }
            const Subnet* sn = nullptr;
            for (const Subnet& s : v->subnets) {
                if (s.name == vm.subnet) {
                    sn = &s;
                }
            }
            if (sn == nullptr) {
                error(base + ".subnet", "unknown subnet '" + vm.subnet + "' in VNet '" + vm.vnet + "'");
                continue;
            }
            if (sn->name == kRouteServerSubnetName) {
                error(base + ".subnet", "RouteServerSubnet cannot hold VMs");
            }
            if (!sn->prefix.contains(vm.nic_address)) {
                error(base + ".nic_address",
                      vm.nic_address.to_string() + " is not inside subnet " + sn->prefix.to_string());
            } else if (azure_reserved(sn->prefix, vm.nic_address)) {
                error(base + ".nic_address", vm.nic_address.to_string() +
                                                 " is an address Azure reserves in " +
                                                 sn->prefix.to_string());
            }
            if (!addresses[vm.vnet].insert(vm.nic_address).second) {
                error(base + ".nic_address",
                      "address " + vm.nic_address.to_string() + " already used in VNet '" + vm.vnet + "'");
            }
        }
    }

    const VnetModel& m_;
    std::vector<ModelError> errors_;
    std::set<std::string> vnet_names_;
};

}  // namespace

const Vnet* VnetModel::find_vnet(std::string_view name) const {
    for (const Vnet& v : vnets) {
        if (v.name == name) {
            return &v;
        }
    }
    return nullptr;
}

const RouteTable* VnetModel::find_route_table(std::string_view name) const {
    for (const RouteTable& t : route_tables) {
        if (t.name == name) {
            return &t;
        }
    }
    return nullptr;
}

const Vm* VnetModel::find_vm(std::string_view name) const {
    for (const Vm& v : vms) {
        if (v.name == name) {
            return &v;
        }
    }
    return nullptr;
}

std::vector<ModelError> validate(const VnetModel& model) {
    return Checker(model).run();
}

VnetModel default_lab(std::uint32_t vm_count, std::uint32_t hosts) {
    auto p4 = [](std::uint32_t a, std::uint8_t len) { return net::Prefix::v4(net::Ipv4Address{a}, len); };
    auto a4 = [](std::uint32_t a) { return net::IpAddress::v4(net::Ipv4Address{a}); };
    VnetModel m;
    Vnet hub;
    hub.name = "hub";
    hub.address_spaces = {p4(0x0A010000, 16)};                                   // 10.1.0.0/16
    hub.subnets.push_back(Subnet{"RouteServerSubnet", p4(0x0A01FF00, 27), ""});  // 10.1.255.0/27
    hub.subnets.push_back(Subnet{"nva", p4(0x0A010100, 24), ""});                // 10.1.1.0/24
    hub.subnets.push_back(Subnet{"workload", p4(0x0A018000, 18), ""});           // 10.1.128.0/18
    m.vnets.push_back(std::move(hub));
    m.route_server.vnet = "hub";
    m.route_server.listen_addresses = {a4(0x0A01FF04), a4(0x0A01FF05)};
    if (hosts == 0) {
        hosts = 1;
    }
    m.vms.reserve(vm_count);
    for (std::uint32_t i = 0; i < vm_count; ++i) {
        Vm vm;
        vm.name = "vm" + std::to_string(i);
        vm.vnet = "hub";
        vm.subnet = "workload";
        vm.nic_address = a4(0x0A018000 + 4 + i);  // skips the four reserved addresses at the start
        vm.host = i % hosts;
        m.vms.push_back(std::move(vm));
    }
    return m;
}

std::string_view to_string(UdrNextHopType t) {
    switch (t) {
        case UdrNextHopType::VirtualAppliance:
            return "VirtualAppliance";
        case UdrNextHopType::VirtualNetworkGateway:
            return "VirtualNetworkGateway";
        case UdrNextHopType::Internet:
            return "Internet";
        case UdrNextHopType::None:
            return "None";
    }
    return "?";
}

}  // namespace rf::fib
