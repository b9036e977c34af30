// The smallest virtual_network section a route server with a FIB accepts, shared by the configuration,
// placement, API and lab tests: a hub VNet 10.1.0.0/16 with RouteServerSubnet 10.1.255.0/27, a workload
// subnet 10.1.1.0/24 and one VM in it.
#pragma once

namespace rf::testing {

inline constexpr const char* kHubVnetYaml = R"(virtual_network:
  route_server_vnet: hub
  vnets:
    - name: hub
      address_spaces: [10.1.0.0/16]
      subnets:
        - {name: RouteServerSubnet, prefix: 10.1.255.0/27}
        - {name: workload, prefix: 10.1.1.0/24}
  vms:
    - {name: vm1, vnet: hub, subnet: workload, nic_address: 10.1.1.20}
)";

}  // namespace rf::testing
