#include "daemon/config/vnet_convert.hpp"

#include <string_view>

namespace rf::config {
namespace {

// fib::validate's field names → the configuration's.
std::string config_path(const std::string& fib_path) {
    static constexpr std::pair<std::string_view, std::string_view> kMap[] = {
        {"route_server.listen_addresses", "route_server.listen"},
        {"route_server.vnet", "virtual_network.route_server_vnet"},
        {"vnets", "virtual_network.vnets"},
        {"route_tables", "virtual_network.route_tables"},
        {"vms", "virtual_network.vms"},
    };
    for (const auto& [from, to] : kMap) {
        if (fib_path.compare(0, from.size(), from) == 0) {
            return std::string(to) + fib_path.substr(from.size());
        }
    }
    return "virtual_network." + fib_path;
}

}  // namespace

fib::VnetModel to_vnet_model(const Config& config) {
    if (!config.virtual_network) {
        const std::uint32_t per_host = config.emulator.vms_per_host == 0 ? 1 : config.emulator.vms_per_host;
        const std::uint32_t hosts = (config.emulator.vm_count + per_host - 1) / per_host;
        return fib::default_lab(config.emulator.vm_count, hosts == 0 ? 1 : hosts);
    }
    const VirtualNetworkConfig& vn = *config.virtual_network;
    fib::VnetModel m;
    for (const Vnet& v : vn.vnets) {
        fib::Vnet out;
        out.name = v.name;
        out.address_spaces = v.address_spaces;
        for (const Subnet& s : v.subnets) {
            out.subnets.push_back(fib::Subnet{s.name, s.prefix, s.route_table});
        }
        for (const VnetPeering& p : v.peerings) {
            out.peerings.push_back(fib::VnetPeering{p.remote_vnet, p.use_remote_route_server});
        }
        m.vnets.push_back(std::move(out));
    }
    for (const RouteTable& rt : vn.route_tables) {
        fib::RouteTable out;
        out.name = rt.name;
        out.propagate_gateway_routes = rt.propagate_gateway_routes;
        for (const UserDefinedRoute& r : rt.routes) {
            out.routes.push_back(fib::UserDefinedRoute{r.name, r.prefix, r.next_hop_type, r.next_hop_ip});
        }
        m.route_tables.push_back(std::move(out));
    }
    for (const Vm& vm : vn.vms) {
        m.vms.push_back(fib::Vm{vm.name, vm.vnet, vm.subnet, vm.nic_address, vm.host});
    }
    m.route_server.vnet = vn.route_server_vnet;
    m.route_server.listen_addresses = config.route_server.listen;
    m.route_server.in_route_server_subnet = effective_placement(config) == Placement::Azure;
    return m;
}

Errors validate_vnet(const Config& config) {
    Errors errors;
    if (!config.virtual_network) {
        return errors;
    }
    // A listen address breaking Azure's placement rule says why the rule applies and how a lab lifts it.
    const std::string placement_hint =
        config.route_server.placement == Placement::Azure
            ? " (route_server.placement: azure)"
            : " (route_server.placement: auto applies Azure's rule when a listen address lies inside a "
              "modelled VNet; placement: lab accepts listen addresses outside RouteServerSubnet)";
    for (const fib::ModelError& e : fib::validate(to_vnet_model(config))) {
        std::string path = config_path(e.field);
        std::string message = e.message;
        if (path.rfind("route_server.listen[", 0) == 0 && message.rfind("duplicate", 0) != 0) {
            message += placement_hint;
        }
        errors.push_back(ConfigError{std::move(path), std::move(message), ErrorKind::Invalid});
    }
    return errors;
}

Errors validate_all(const Config& config) {
    Errors errors = validate(config);
    Errors vnet = validate_vnet(config);
    errors.insert(errors.end(), vnet.begin(), vnet.end());
    return errors;
}

Result<Config, Errors> load_file_checked(const std::string& path) {
    auto loaded = load_file(path);
    if (!loaded) {
        return loaded;
    }
    Errors errors = validate_vnet(*loaded);
    if (!errors.empty()) {
        return unexpected(std::move(errors));
    }
    return loaded;
}

}  // namespace rf::config
