// Helpers shared by the VNet-model and FIB tests: prefixes and addresses from text, and a hub-and-spokes
// model.
#pragma once

#include <string>

#include "fib/vnet/vnet_model.hpp"
#include "net/ip.hpp"

namespace rf::fib::test {

inline net::Prefix P(const std::string& s) {
    auto p = net::Prefix::parse(s);
    if (!p) {
        throw std::invalid_argument("bad prefix " + s);
    }
    return *p;
}

inline net::IpAddress A(const std::string& s) {
    auto a = net::IpAddress::parse(s);
    if (!a) {
        throw std::invalid_argument("bad address " + s);
    }
    return *a;
}

// Hub (route server) 10.1.0.0/16, spoke1 10.2.0.0/16 peered with "use remote route server", spoke2
// 10.3.0.0/16 peered without it. Hub subnet "fw" uses route table "rt-fw" with two UDRs.
inline VnetModel hub_and_spokes() {
    VnetModel m = default_lab(4, 2);
    Vnet& hub = m.vnets[0];
    hub.subnets.push_back(Subnet{"fw", P("10.1.2.0/24"), "rt-fw"});
    RouteTable rt;
    rt.name = "rt-fw";
    rt.routes.push_back(UserDefinedRoute{"to-onprem", P("192.168.10.0/24"), UdrNextHopType::VirtualAppliance,
                                         A("10.1.1.10")});
    rt.routes.push_back(
        UserDefinedRoute{"blackhole", P("203.0.113.0/24"), UdrNextHopType::None, std::nullopt});
    m.route_tables.push_back(rt);
    Vnet s1;
    s1.name = "spoke1";
    s1.address_spaces = {P("10.2.0.0/16")};
    s1.subnets = {Subnet{"app", P("10.2.1.0/24"), ""}};
    s1.peerings = {VnetPeering{"hub", true}};
    m.vnets.push_back(s1);
    Vnet s2;
    s2.name = "spoke2";
    s2.address_spaces = {P("10.3.0.0/16")};
    s2.subnets = {Subnet{"app", P("10.3.1.0/24"), ""}};
    s2.peerings = {VnetPeering{"hub", false}};
    m.vnets.push_back(s2);
    m.vms.push_back(Vm{"fw-vm", "hub", "fw", A("10.1.2.4"), 0});
    m.vms.push_back(Vm{"s1-vm", "spoke1", "app", A("10.2.1.4"), 1});
    m.vms.push_back(Vm{"s2-vm", "spoke2", "app", A("10.3.1.4"), 1});
    return m;
}

}  // namespace rf::fib::test
