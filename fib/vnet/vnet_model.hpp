// The virtual network model the effective route tables are computed from: VNets with address spaces,
// subnets, route tables with user-defined routes, VNet peerings and VMs. Plain values, validated by
// validate(); parsing a configuration file into it is another component's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/ip.hpp"

namespace rf::fib {

// Next hop types a user-defined route may name (Azure's names).
enum class UdrNextHopType : std::uint8_t { VirtualAppliance, VirtualNetworkGateway, Internet, None };

struct UserDefinedRoute {
    std::string name;
    net::Prefix prefix;
    UdrNextHopType next_hop_type = UdrNextHopType::None;
    std::optional<net::IpAddress> next_hop_ip;  // required for VirtualAppliance, forbidden otherwise
};

struct RouteTable {
    std::string name;
    std::vector<UserDefinedRoute> routes;
    // Azure's "propagate gateway routes": when false, subnets using this table get no BGP routes.
    bool propagate_gateway_routes = true;
};

struct Subnet {
    std::string name;  // "RouteServerSubnet" holds the route server's listen addresses
    net::Prefix prefix;
    std::string route_table;  // name of a RouteTable, empty for none
};

struct VnetPeering {
    std::string remote_vnet;  // name of the peered VNet
    // Set on a spoke peered with the route server's VNet: the spoke's VMs get the BGP routes and the
    // spoke's address space is advertised to the NVAs.
    bool use_remote_route_server = false;
};

struct Vnet {
    std::string name;
    std::vector<net::Prefix> address_spaces;
    std::vector<Subnet> subnets;
    std::vector<VnetPeering> peerings;
};

struct Vm {
    std::string name;
    std::string vnet;
    std::string subnet;
    net::IpAddress nic_address;
    std::uint32_t host = 0;  // emulated host the VM is placed on
};

struct RouteServerPlacement {
    std::string vnet;                              // the VNet whose RouteServerSubnet hosts the route server
    std::vector<net::IpAddress> listen_addresses;  // Azure's two instances
    // Azure: the listen addresses lie in the VNet's RouteServerSubnet (/27 or larger), none reserved, and
    // validate() checks it. false: a route server on lab addresses outside the model; validate() checks
    // only that `vnet` names a VNet (it decides which address spaces are advertised).
    bool in_route_server_subnet = true;
};

struct VnetModel {
    std::vector<Vnet> vnets;
    std::vector<RouteTable> route_tables;
    std::vector<Vm> vms;
    RouteServerPlacement route_server;

    [[nodiscard]] const Vnet* find_vnet(std::string_view name) const;
    [[nodiscard]] const RouteTable* find_route_table(std::string_view name) const;
    [[nodiscard]] const Vm* find_vm(std::string_view name) const;
};

inline constexpr std::string_view kRouteServerSubnetName = "RouteServerSubnet";
inline constexpr std::uint8_t kRouteServerSubnetMaxLength = 27;  // "/27 or larger"

// One validation failure: `field` is a path into the model ("vnets[0].subnets[2].prefix").
struct ModelError {
    std::string field;
    std::string message;

    [[nodiscard]] std::string to_string() const { return field + ": " + message; }
};

// Every problem found, in model order; empty when the model is valid.
[[nodiscard]] std::vector<ModelError> validate(const VnetModel& model);

// The default lab: one VNet "hub" 10.1.0.0/16 with RouteServerSubnet 10.1.255.0/27 (listen addresses
// .4 and .5), an NVA subnet 10.1.1.0/24 and a workload subnet 10.1.128.0/18 holding `vm_count` VMs
// spread over `hosts` emulated hosts. Valid for vm_count up to 16,379.
[[nodiscard]] VnetModel default_lab(std::uint32_t vm_count = 6000, std::uint32_t hosts = 8);

[[nodiscard]] std::string_view to_string(UdrNextHopType t);

}  // namespace rf::fib
