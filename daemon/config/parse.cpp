// YAML text -> Config (config.hpp): structure, types and unknown keys. Each section has its reader; the
// rules between values are validate.cpp's.
#include <string>

#include "daemon/config/bmp_section.hpp"
#include "daemon/config/config.hpp"
#include "daemon/config/field_path.hpp"
#include "daemon/config/policy_yaml.hpp"
#include "daemon/config/rpki_config.hpp"
#include "daemon/config/yaml_reader.hpp"
#include "daemon/config/yaml_text.hpp"

namespace rf::config {

namespace {

void read_route_server(YamlReader& r, const YAML::Node& n, RouteServerConfig& rs) {
    const std::string p = "route_server";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["asn"]) {
        r.number(v, p + ".asn", rs.asn);
    }
    if (auto v = n["router_id"]) {
        net::IpAddress a;
        r.address(v, p + ".router_id", a);
        if (a.is_v4()) {
            rs.router_id = a.as_v4();
        } else {
            r.error(p + ".router_id", "must be an IPv4 address" + line_of(v), ErrorKind::Invalid);
        }
    }
    r.required(n, "listen", p);
    if (auto v = n["listen"]; v && r.list(v, p + ".listen")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            net::IpAddress a;
            const std::string f = at(p + ".listen", i);
            if (v[i].IsScalar() && !net::IpAddress::parse(v[i].Scalar())) {
                r.error(f, "not an IP address: " + quoted(v[i].Scalar()) + line_of(v[i]), ErrorKind::Syntax);
                continue;
            }
            r.address(v[i], f, a);
            rs.listen.push_back(a);
        }
    }
    if (auto v = n["port"]) {
        r.number(v, p + ".port", rs.port);
    }
    if (auto v = n["keepalive"]) {
        r.number(v, p + ".keepalive", rs.keepalive);
    }
    if (auto v = n["hold_time"]) {
        r.number(v, p + ".hold_time", rs.hold_time);
    }
    if (auto v = n["connect_retry"]) {
        r.number(v, p + ".connect_retry", rs.connect_retry);
    }
    if (auto v = n["idle_hold"]) {
        r.number(v, p + ".idle_hold", rs.idle_hold);
    }
    if (auto v = n["idle_hold_max"]) {
        r.number(v, p + ".idle_hold_max", rs.idle_hold_max);
    }
    if (auto v = n["max_peers"]) {
        r.number(v, p + ".max_peers", rs.max_peers);
    }
    if (auto v = n["route_limit"]) {
        r.number(v, p + ".route_limit", rs.route_limit);
    }
    if (auto v = n["max_output_mib"]) {
        r.number(v, p + ".max_output_mib", rs.max_output_mib);
    }
    if (auto v = n["refresh_stale_time"]) {
        r.number(v, p + ".refresh_stale_time", rs.refresh_stale_time);
    }
    if (auto v = n["route_counting"]; v && r.scalar(v, p + ".route_counting", "distinct or azure-strict")) {
        if (auto c = parse_route_counting(v.Scalar())) {
            rs.route_counting = *c;
        } else {
            r.error(p + ".route_counting",
                    quoted(v.Scalar()) + " is not one of: distinct, azure-strict" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
    if (auto v = n["four_byte_asn"]) {
        r.boolean(v, p + ".four_byte_asn", rs.four_byte_asn);
    }
    if (auto v = n["mode"]; v && r.scalar(v, p + ".mode", "azure or transparent")) {
        if (auto m = parse_as_path_mode(v.Scalar())) {
            rs.mode = *m;
        } else {
            r.error(p + ".mode", quoted(v.Scalar()) + " is not one of: azure, transparent" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
    if (auto v = n["branch_to_branch"]) {
        r.boolean(v, p + ".branch_to_branch", rs.branch_to_branch);
    }
    if (auto v = n["ebgp_requires_policy"]) {
        r.boolean(v, p + ".ebgp_requires_policy", rs.ebgp_requires_policy);
    }
    if (auto v = n["placement"]; v && r.scalar(v, p + ".placement", "auto, azure or lab")) {
        if (auto pl = parse_placement(v.Scalar())) {
            rs.placement = *pl;
        } else {
            r.error(p + ".placement", "'" + v.Scalar() + "' is not one of: auto, azure, lab" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
}

void read_peer(YamlReader& r, const YAML::Node& n, const std::string& p, PeerConfig& peer) {
    if (!r.map(n, p, "peers[]")) {
        return;
    }
    r.required(n, "name", p);
    r.required(n, "address", p);
    r.required(n, "asn", p);
    if (auto v = n["name"]) {
        r.string(v, p + ".name", peer.name);
    }
    if (auto v = n["address"]) {
        r.address(v, p + ".address", peer.address);
    }
    if (auto v = n["asn"]) {
        r.number(v, p + ".asn", peer.asn);
    }
    if (auto v = n["port"]) {
        r.number(v, p + ".port", peer.port);
    }
    if (auto v = n["ttl"]) {
        r.number(v, p + ".ttl", peer.ttl);
    }
    if (auto v = n["md5_password"]) {
        r.string(v, p + ".md5_password", peer.md5_password);
    }
    if (auto v = n["route_limit"]) {
        r.number(v, p + ".route_limit", peer.route_limit);
    }
    if (auto v = n["route_limit_action"]; v && r.scalar(v, p + ".route_limit_action", "teardown or warn")) {
        if (auto a = parse_route_limit_action(v.Scalar())) {
            peer.route_limit_action = *a;
        } else {
            r.error(p + ".route_limit_action",
                    quoted(v.Scalar()) + " is not one of: teardown, warn" + line_of(v), ErrorKind::Invalid);
        }
    }
    if (auto v = n["route_limit_warning_percent"]) {
        r.number(v, p + ".route_limit_warning_percent", peer.route_limit_warning_percent);
    }
    if (auto v = n["gtsm"]) {
        r.boolean(v, p + ".gtsm", peer.gtsm);
    }
    if (auto v = n["passive"]) {
        r.boolean(v, p + ".passive", peer.passive);
    }
    if (auto v = n["hold_time"]) {
        r.number(v, p + ".hold_time", peer.hold_time);
    }
    if (auto v = n["local_address"]) {
        r.address(v, p + ".local_address", peer.local_address);
    }
    if (auto v = n["extended_messages"]) {
        r.boolean(v, p + ".extended_messages", peer.extended_messages);
    }
    if (auto v = n["enhanced_route_refresh"]) {
        r.boolean(v, p + ".enhanced_route_refresh", peer.enhanced_route_refresh);
    }
    if (auto v = n["import_policy"]) {
        read_policy_names(r, v, p + ".import_policy", peer.import_policy);
    }
    if (auto v = n["graceful_restart"]; v && r.map(v, p + ".graceful_restart", "peers[].graceful_restart")) {
        const std::string g = p + ".graceful_restart";
        auto& gr = peer.graceful_restart;
        if (auto e = v["enabled"]) {
            r.boolean(e, g + ".enabled", gr.enabled);
        }
        if (auto e = v["restart_time"]) {
            r.number(e, g + ".restart_time", gr.restart_time);
        }
        if (auto e = v["stale_path_time"]) {
            r.number(e, g + ".stale_path_time", gr.stale_path_time);
        }
        if (auto e = v["long_lived_stale_time"]) {
            r.number(e, g + ".long_lived_stale_time", gr.long_lived_stale_time);
        }
        if (auto e = v["notification"]) {
            r.boolean(e, g + ".notification", gr.notification);
        }
    }
    if (auto v = n["export_policy"]) {
        read_policy_names(r, v, p + ".export_policy", peer.export_policy);
    }
    if (auto v = n["add_path"]; v && r.scalar(v, p + ".add_path", "none, receive, send or both")) {
        if (auto a = parse_add_path(v.Scalar())) {
            peer.add_path = *a;
        } else {
            r.error(p + ".add_path",
                    quoted(v.Scalar()) + " is not one of: none, receive, send, both" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
}

void read_vnet(YamlReader& r, const YAML::Node& n, const std::string& p, Vnet& vnet) {
    if (!r.map(n, p, "virtual_network.vnets[]")) {
        return;
    }
    r.required(n, "name", p);
    r.required(n, "address_spaces", p);
    if (auto v = n["name"]) {
        r.string(v, p + ".name", vnet.name);
    }
    if (auto v = n["address_spaces"]; v && r.list(v, p + ".address_spaces")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            net::Prefix pf;
            r.prefix(v[i], at(p + ".address_spaces", i), pf);
            vnet.address_spaces.push_back(pf);
        }
    }
    if (auto v = n["subnets"]; v && r.list(v, p + ".subnets")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string sp = at(p + ".subnets", i);
            Subnet s;
            if (r.map(v[i], sp, "virtual_network.vnets[].subnets[]")) {
                r.required(v[i], "name", sp);
                r.required(v[i], "prefix", sp);
                if (auto x = v[i]["name"]) {
                    r.string(x, sp + ".name", s.name);
                }
                if (auto x = v[i]["prefix"]) {
                    r.prefix(x, sp + ".prefix", s.prefix);
                }
                if (auto x = v[i]["route_table"]) {
                    r.string(x, sp + ".route_table", s.route_table);
                }
            }
            vnet.subnets.push_back(std::move(s));
        }
    }
    if (auto v = n["peerings"]; v && r.list(v, p + ".peerings")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string pp = at(p + ".peerings", i);
            VnetPeering peering;
            if (r.map(v[i], pp, "virtual_network.vnets[].peerings[]")) {
                r.required(v[i], "remote_vnet", pp);
                if (auto x = v[i]["remote_vnet"]) {
                    r.string(x, pp + ".remote_vnet", peering.remote_vnet);
                }
                if (auto x = v[i]["use_remote_route_server"]) {
                    r.boolean(x, pp + ".use_remote_route_server", peering.use_remote_route_server);
                }
            }
            vnet.peerings.push_back(std::move(peering));
        }
    }
}

void read_route_table(YamlReader& r, const YAML::Node& n, const std::string& p, RouteTable& rt) {
    if (!r.map(n, p, "virtual_network.route_tables[]")) {
        return;
    }
    r.required(n, "name", p);
    if (auto v = n["name"]) {
        r.string(v, p + ".name", rt.name);
    }
    if (auto v = n["propagate_gateway_routes"]) {
        r.boolean(v, p + ".propagate_gateway_routes", rt.propagate_gateway_routes);
    }
    if (auto v = n["routes"]; v && r.list(v, p + ".routes")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string rp = at(p + ".routes", i);
            UserDefinedRoute udr;
            if (r.map(v[i], rp, "virtual_network.route_tables[].routes[]")) {
                r.required(v[i], "name", rp);
                r.required(v[i], "prefix", rp);
                r.required(v[i], "next_hop_type", rp);
                if (auto x = v[i]["name"]) {
                    r.string(x, rp + ".name", udr.name);
                }
                if (auto x = v[i]["prefix"]) {
                    r.prefix(x, rp + ".prefix", udr.prefix);
                }
                if (auto x = v[i]["next_hop_type"];
                    x && r.scalar(x, rp + ".next_hop_type", "a next hop type")) {
                    if (auto t = parse_udr_next_hop_type(x.Scalar())) {
                        udr.next_hop_type = *t;
                    } else {
                        r.error(
                            rp + ".next_hop_type",
                            quoted(x.Scalar()) +
                                " is not one of: VirtualAppliance, VirtualNetworkGateway, Internet, None" +
                                line_of(x),
                            ErrorKind::Invalid);
                    }
                }
                if (auto x = v[i]["next_hop_ip"]) {
                    r.address(x, rp + ".next_hop_ip", udr.next_hop_ip);
                }
            }
            rt.routes.push_back(std::move(udr));
        }
    }
}

void read_virtual_network(YamlReader& r, const YAML::Node& n, VirtualNetworkConfig& vn) {
    const std::string p = "virtual_network";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["route_server_vnet"]) {
        r.string(v, p + ".route_server_vnet", vn.route_server_vnet);
    }
    if (auto v = n["vnets"]; v && r.list(v, p + ".vnets")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            vn.vnets.emplace_back();
            read_vnet(r, v[i], at(p + ".vnets", i), vn.vnets.back());
        }
    }
    if (auto v = n["route_tables"]; v && r.list(v, p + ".route_tables")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            vn.route_tables.emplace_back();
            read_route_table(r, v[i], at(p + ".route_tables", i), vn.route_tables.back());
        }
    }
    if (auto v = n["vms"]; v && r.list(v, p + ".vms")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string vp = at(p + ".vms", i);
            Vm vm;
            if (r.map(v[i], vp, "virtual_network.vms[]")) {
                for (const char* key : {"name", "vnet", "subnet", "nic_address"}) {
                    r.required(v[i], key, vp);
                }
                if (auto x = v[i]["name"]) {
                    r.string(x, vp + ".name", vm.name);
                }
                if (auto x = v[i]["vnet"]) {
                    r.string(x, vp + ".vnet", vm.vnet);
                }
                if (auto x = v[i]["subnet"]) {
                    r.string(x, vp + ".subnet", vm.subnet);
                }
                if (auto x = v[i]["nic_address"]) {
                    r.address(x, vp + ".nic_address", vm.nic_address);
                }
                if (auto x = v[i]["host"]) {
                    r.number(x, vp + ".host", vm.host);
                }
            }
            vn.vms.push_back(std::move(vm));
        }
    }
}

void read_emulator(YamlReader& r, const YAML::Node& n, EmulatorConfig& e) {
    const std::string p = "emulator";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["enabled"]) {
        r.boolean(v, p + ".enabled", e.enabled);
    }
    if (auto v = n["vm_count"]) {
        r.number(v, p + ".vm_count", e.vm_count);
    }
    if (auto v = n["vms_per_host"]) {
        r.number(v, p + ".vms_per_host", e.vms_per_host);
    }
    if (auto v = n["workers"]) {
        r.number(v, p + ".workers", e.workers);
    }
    if (auto v = n["flows_per_vm"]) {
        r.number(v, p + ".flows_per_vm", e.flows_per_vm);
    }
    if (auto v = n["flows6_per_vm"]) {
        r.number(v, p + ".flows6_per_vm", e.flows6_per_vm);
    }
    if (auto v = n["burst"]) {
        r.number(v, p + ".burst", e.burst);
    }
    if (auto v = n["pass_target_us"]) {
        r.number(v, p + ".pass_target_us", e.pass_target_us);
    }
    if (auto v = n["lab_address"]) {
        std::optional<net::IpAddress> a;
        r.address(v, p + ".lab_address", a);
        if (a && a->is_v4()) {
            e.lab_address = a->as_v4();
        } else if (a) {
            r.error(p + ".lab_address",
                    a->to_string() + " is not an IPv4 address (IPv6: lab_address6)" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
    if (auto v = n["lab_address6"]) {
        std::optional<net::IpAddress> a;
        r.address(v, p + ".lab_address6", a);
        if (a && !a->is_v4()) {
            e.lab_address6 = a->as_v6();
        } else if (a) {
            r.error(p + ".lab_address6",
                    a->to_string() + " is not an IPv6 address (IPv4: lab_address)" + line_of(v),
                    ErrorKind::Invalid);
        }
    }
    if (auto v = n["neighbor_retry_ms"]) {
        r.number(v, p + ".neighbor_retry_ms", e.neighbor_retry_ms);
    }
    if (auto v = n["neighbor_reachable_ms"]) {
        r.number(v, p + ".neighbor_reachable_ms", e.neighbor_reachable_ms);
    }
    if (auto v = n["eal_args"]; v && r.list(v, p + ".eal_args")) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            std::string s;
            r.string(v[i], at(p + ".eal_args", i), s);
            e.eal_args.push_back(std::move(s));
        }
    }
}

void read_mrt(YamlReader& r, const YAML::Node& n, MrtConfig& m) {
    const std::string p = "mrt";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["directory"]) {
        r.string(v, p + ".directory", m.directory);
    }
    if (auto d = n["rib_dump"]; d && r.map(d, p + ".rib_dump", "mrt.rib_dump")) {
        const std::string q = p + ".rib_dump";
        if (auto v = d["interval"]) {
            r.number(v, q + ".interval", m.rib_dump.interval);
        }
        if (auto v = d["file"]) {
            r.string(v, q + ".file", m.rib_dump.file);
        }
        if (auto v = d["keep"]) {
            r.number(v, q + ".keep", m.rib_dump.keep);
        }
    }
    if (auto u = n["updates"]; u && r.map(u, p + ".updates", "mrt.updates")) {
        const std::string q = p + ".updates";
        if (auto v = u["enabled"]) {
            r.boolean(v, q + ".enabled", m.updates.enabled);
        }
        if (auto v = u["file"]) {
            r.string(v, q + ".file", m.updates.file);
        }
        if (auto v = u["rotate_interval"]) {
            r.number(v, q + ".rotate_interval", m.updates.rotate_interval);
        }
        if (auto v = u["rotate_bytes"]) {
            r.number(v, q + ".rotate_bytes", m.updates.rotate_bytes);
        }
        if (auto v = u["keep"]) {
            r.number(v, q + ".keep", m.updates.keep);
        }
        if (auto v = u["buffer_bytes"]) {
            r.number(v, q + ".buffer_bytes", m.updates.buffer_bytes);
        }
    }
}

void read_api(YamlReader& r, const YAML::Node& n, ApiConfig& a) {
    const std::string p = "api";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["enabled"]) {
        r.boolean(v, p + ".enabled", a.enabled);
    }
    if (auto v = n["listen"]) {
        r.address(v, p + ".listen", a.listen);
    }
    if (auto v = n["port"]) {
        r.number(v, p + ".port", a.port);
    }
    if (auto v = n["token"]) {
        r.string(v, p + ".token", a.token);
    }
    if (auto v = n["max_connections"]) {
        r.number(v, p + ".max_connections", a.max_connections);
    }
}

}  // namespace

Errors parse_yaml(std::string_view yaml, Config& config) {
    Errors errors;
    if (!check_strict_yaml(yaml, errors)) {
        return errors;
    }
    YamlReader r(errors);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        // check_strict_yaml() read the same text with the same parser: this is not expected.
        errors.push_back(ConfigError{"",
                                     "not valid YAML: " + e.msg + " (line " +
                                         std::to_string(e.mark.line + 1) + ", column " +
                                         std::to_string(e.mark.column + 1) + ")",
                                     ErrorKind::Syntax});
        return errors;
    }
    if (root.IsNull()) {
        errors.push_back(ConfigError{"", "the configuration is empty (route_server.listen is required)",
                                     ErrorKind::Missing});
        return errors;
    }
    try {
        if (!r.map(root, "", "")) {
            return errors;
        }
        r.required(root, "route_server", "");
        if (auto v = root["route_server"]) {
            read_route_server(r, v, config.route_server);
        }
        if (auto v = root["peers"]; v && r.list(v, "peers")) {
            for (std::size_t i = 0; i < v.size(); ++i) {
                config.peers.emplace_back();
                read_peer(r, v[i], at("peers", i), config.peers.back());
            }
        }
        if (auto v = root["virtual_network"]) {
            config.virtual_network.emplace();
            read_virtual_network(r, v, *config.virtual_network);
        }
        if (auto v = root["emulator"]) {
            read_emulator(r, v, config.emulator);
        }
        if (auto v = root["mrt"]) {
            read_mrt(r, v, config.mrt);
        }
        if (auto v = root["bmp"]) {
            read_bmp(r, v, config.bmp);
        }
        if (auto v = root["api"]) {
            read_api(r, v, config.api);
        }
        if (auto v = root["policy"]) {
            read_policy(r, v, config.policy);
        }
        if (auto v = root["rpki"]) {
            read_rpki(r, v, config.rpki.emplace());
        }
    } catch (const YAML::Exception& e) {
        errors.push_back(
            ConfigError{"", std::string("unexpected YAML structure: ") + e.what(), ErrorKind::Syntax});
    }
    return errors;
}

}  // namespace rf::config
