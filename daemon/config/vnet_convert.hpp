// The configuration's VNet model → the FIB's (fib/vnet_model.hpp), and the FIB's model rules reported
// under configuration paths. Separate from rf_config (target rf_config_fib) because rf_fib links DPDK and
// the configuration itself must not.
#pragma once

#include "daemon/config/config.hpp"
#include "fib/vnet/vnet_model.hpp"

namespace rf::config {

// virtual_network as a fib::VnetModel (route_server.listen are the placement's listen addresses, checked
// against RouteServerSubnet when effective_placement() is Azure); when
// virtual_network is absent, fib::default_lab(emulator.vm_count, hosts) with hosts = vm_count /
// vms_per_host rounded up.
[[nodiscard]] fib::VnetModel to_vnet_model(const Config& config);

// fib::validate() of virtual_network, paths mapped to the configuration ("vnets[0].name" →
// "virtual_network.vnets[0].name"). Empty when virtual_network is absent.
[[nodiscard]] Errors validate_vnet(const Config& config);

// validate() + validate_vnet(): everything routefabricd checks before it starts.
[[nodiscard]] Errors validate_all(const Config& config);

// load_file() + validate_vnet(): what `routefabricd --check-config FILE` runs.
[[nodiscard]] Result<Config, Errors> load_file_checked(const std::string& path);

}  // namespace rf::config
