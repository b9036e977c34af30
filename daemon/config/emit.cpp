// Config -> YAML that load_text() reads back to the same Config (round trip). Every key with a value is
// written, defaults included, so the file routefabricd persists says what it runs with.
#include <yaml-cpp/yaml.h>

#include <string>

#include "daemon/config/config.hpp"
#include "daemon/config/policy_yaml.hpp"
#include "daemon/config/rpki_config.hpp"
#include "daemon/config/yaml_text.hpp"

namespace rf::config {

namespace {

// A string value as YAML readers read it back. yaml-cpp writes DEL and the C1 controls as they are (C1
// even unquoted), which PyYAML refuses and YAML 1.1 readers take partly for line breaks; so a string
// holding any control character, line or paragraph separator, byte order mark or bytes that are not
// UTF-8 is written double-quoted with everything outside printable ASCII escaped. `always_quoted`:
// secrets and EAL arguments are double-quoted even when they need no escape.
struct Text {
    const std::string& value;
    bool always_quoted = false;
};

bool needs_escapes(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto cp = next_code_point(s, i);
        if (!cp || is_control(*cp) || !is_yaml_printable(*cp) || *cp == 0x2028 || *cp == 0x2029 ||
            *cp == 0xFEFF) {
            return true;
        }
    }
    return false;
}

YAML::Emitter& operator<<(YAML::Emitter& out, const Text& text) {
    if (needs_escapes(text.value)) {
        out << YAML::EscapeNonAscii << YAML::DoubleQuoted;  // both apply to this scalar only
    } else if (text.always_quoted) {
        out << YAML::DoubleQuoted;
    }
    return out << text.value;
}

void emit_address_list(YAML::Emitter& out, const char* key, const std::vector<net::IpAddress>& list) {
    out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const net::IpAddress& a : list) {
        out << a.to_string();
    }
    out << YAML::EndSeq;
}

void emit_virtual_network(YAML::Emitter& out, const VirtualNetworkConfig& vn) {
    out << YAML::Key << "virtual_network" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "route_server_vnet" << YAML::Value << Text{vn.route_server_vnet};
    out << YAML::Key << "vnets" << YAML::Value << YAML::BeginSeq;
    for (const Vnet& v : vn.vnets) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << Text{v.name};
        out << YAML::Key << "address_spaces" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const net::Prefix& p : v.address_spaces) {
            out << p.to_string();
        }
        out << YAML::EndSeq;
        out << YAML::Key << "subnets" << YAML::Value << YAML::BeginSeq;
        for (const Subnet& s : v.subnets) {
            out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << Text{s.name} << YAML::Key
                << "prefix" << YAML::Value << s.prefix.to_string();
            if (!s.route_table.empty()) {
                out << YAML::Key << "route_table" << YAML::Value << Text{s.route_table};
            }
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
        out << YAML::Key << "peerings" << YAML::Value << YAML::BeginSeq;
        for (const VnetPeering& p : v.peerings) {
            out << YAML::BeginMap << YAML::Key << "remote_vnet" << YAML::Value << Text{p.remote_vnet}
                << YAML::Key << "use_remote_route_server" << YAML::Value << p.use_remote_route_server
                << YAML::EndMap;
        }
        out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "route_tables" << YAML::Value << YAML::BeginSeq;
    for (const RouteTable& rt : vn.route_tables) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << Text{rt.name} << YAML::Key
            << "propagate_gateway_routes" << YAML::Value << rt.propagate_gateway_routes;
        out << YAML::Key << "routes" << YAML::Value << YAML::BeginSeq;
        for (const UserDefinedRoute& r : rt.routes) {
            out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << Text{r.name} << YAML::Key
                << "prefix" << YAML::Value << r.prefix.to_string() << YAML::Key << "next_hop_type"
                << YAML::Value << std::string(to_string(r.next_hop_type));
            if (r.next_hop_ip) {
                out << YAML::Key << "next_hop_ip" << YAML::Value << r.next_hop_ip->to_string();
            }
            out << YAML::EndMap;
        }
        out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "vms" << YAML::Value << YAML::BeginSeq;
    for (const Vm& vm : vn.vms) {
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << Text{vm.name}
            << YAML::Key << "vnet" << YAML::Value << Text{vm.vnet} << YAML::Key << "subnet" << YAML::Value
            << Text{vm.subnet} << YAML::Key << "nic_address" << YAML::Value << vm.nic_address.to_string()
            << YAML::Key << "host" << YAML::Value << vm.host << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
}

void emit_route_server(YAML::Emitter& out, const RouteServerConfig& rs) {
    out << YAML::Key << "route_server" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "asn" << YAML::Value << rs.asn;
    if (rs.router_id) {
        out << YAML::Key << "router_id" << YAML::Value << rs.router_id->to_string();
    }
    emit_address_list(out, "listen", rs.listen);
    out << YAML::Key << "port" << YAML::Value << rs.port;
    out << YAML::Key << "keepalive" << YAML::Value << rs.keepalive;
    out << YAML::Key << "hold_time" << YAML::Value << rs.hold_time;
    out << YAML::Key << "connect_retry" << YAML::Value << rs.connect_retry;
    out << YAML::Key << "idle_hold" << YAML::Value << rs.idle_hold;
    out << YAML::Key << "idle_hold_max" << YAML::Value << rs.idle_hold_max;
    out << YAML::Key << "max_peers" << YAML::Value << rs.max_peers;
    out << YAML::Key << "route_limit" << YAML::Value << rs.route_limit;
    out << YAML::Key << "route_counting" << YAML::Value << std::string(to_string(rs.route_counting));
    out << YAML::Key << "max_output_mib" << YAML::Value << rs.max_output_mib;
    out << YAML::Key << "refresh_stale_time" << YAML::Value << rs.refresh_stale_time;
    out << YAML::Key << "four_byte_asn" << YAML::Value << rs.four_byte_asn;
    out << YAML::Key << "mode" << YAML::Value << std::string(to_string(rs.mode));
    out << YAML::Key << "branch_to_branch" << YAML::Value << rs.branch_to_branch;
    out << YAML::Key << "placement" << YAML::Value << std::string(to_string(rs.placement));
    if (rs.ebgp_requires_policy) {
        out << YAML::Key << "ebgp_requires_policy" << YAML::Value << true;
    }
    out << YAML::EndMap;
}

void emit_peers(YAML::Emitter& out, const std::vector<PeerConfig>& peers) {
    out << YAML::Key << "peers" << YAML::Value << YAML::BeginSeq;
    for (const PeerConfig& p : peers) {
        out << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << Text{p.name};
        out << YAML::Key << "address" << YAML::Value << p.address.to_string();
        out << YAML::Key << "asn" << YAML::Value << p.asn;
        out << YAML::Key << "port" << YAML::Value << p.port;
        out << YAML::Key << "ttl" << YAML::Value << static_cast<unsigned>(p.ttl);
        if (!p.md5_password.empty()) {
            out << YAML::Key << "md5_password" << YAML::Value << Text{p.md5_password, true};
        }
        if (p.route_limit) {
            out << YAML::Key << "route_limit" << YAML::Value << *p.route_limit;
        }
        out << YAML::Key << "route_limit_action" << YAML::Value
            << std::string(to_string(p.route_limit_action));
        out << YAML::Key << "route_limit_warning_percent" << YAML::Value << p.route_limit_warning_percent;
        out << YAML::Key << "gtsm" << YAML::Value << p.gtsm;
        out << YAML::Key << "passive" << YAML::Value << p.passive;
        if (p.hold_time) {
            out << YAML::Key << "hold_time" << YAML::Value << *p.hold_time;
        }
        if (p.local_address) {
            out << YAML::Key << "local_address" << YAML::Value << p.local_address->to_string();
        }
        if (!p.extended_messages) {
            out << YAML::Key << "extended_messages" << YAML::Value << false;
        }
        if (!p.enhanced_route_refresh) {
            out << YAML::Key << "enhanced_route_refresh" << YAML::Value << false;
        }
        if (p.graceful_restart != session::GracefulRestartSettings{}) {
            const auto& gr = p.graceful_restart;
            out << YAML::Key << "graceful_restart" << YAML::Value << YAML::BeginMap;
            out << YAML::Key << "enabled" << YAML::Value << gr.enabled;
            out << YAML::Key << "restart_time" << YAML::Value << gr.restart_time;
            out << YAML::Key << "stale_path_time" << YAML::Value << gr.stale_path_time;
            out << YAML::Key << "notification" << YAML::Value << gr.notification;
            out << YAML::Key << "long_lived_stale_time" << YAML::Value << gr.long_lived_stale_time;
            out << YAML::EndMap;
        }
        if (p.add_path != AddPath::None) {
            out << YAML::Key << "add_path" << YAML::Value << std::string(to_string(p.add_path));
        }
        for (const auto& [key, names] :
             {std::pair{"import_policy", &p.import_policy}, std::pair{"export_policy", &p.export_policy}}) {
            if (!names->empty()) {
                out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
                for (const std::string& n : *names) {
                    out << Text{n, true};
                }
                out << YAML::EndSeq;
            }
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

void emit_emulator(YAML::Emitter& out, const EmulatorConfig& em) {
    out << YAML::Key << "emulator" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "enabled" << YAML::Value << em.enabled;
    out << YAML::Key << "vm_count" << YAML::Value << em.vm_count;
    out << YAML::Key << "vms_per_host" << YAML::Value << em.vms_per_host;
    out << YAML::Key << "workers" << YAML::Value << em.workers;
    out << YAML::Key << "flows_per_vm" << YAML::Value << em.flows_per_vm;
    out << YAML::Key << "flows6_per_vm" << YAML::Value << em.flows6_per_vm;
    out << YAML::Key << "burst" << YAML::Value << em.burst;
    out << YAML::Key << "pass_target_us" << YAML::Value << em.pass_target_us;
    if (em.lab_address) {
        out << YAML::Key << "lab_address" << YAML::Value << em.lab_address->to_string();
    }
    if (em.lab_address6) {
        out << YAML::Key << "lab_address6" << YAML::Value << em.lab_address6->to_string();
    }
    out << YAML::Key << "neighbor_retry_ms" << YAML::Value << em.neighbor_retry_ms;
    out << YAML::Key << "neighbor_reachable_ms" << YAML::Value << em.neighbor_reachable_ms;
    out << YAML::Key << "eal_args" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& a : em.eal_args) {
        out << Text{a, true};
    }
    out << YAML::EndSeq << YAML::EndMap;
}

void emit_api(YAML::Emitter& out, const ApiConfig& api) {
    out << YAML::Key << "api" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "enabled" << YAML::Value << api.enabled;
    out << YAML::Key << "listen" << YAML::Value << api.listen.to_string();
    out << YAML::Key << "port" << YAML::Value << api.port;
    if (!api.token.empty()) {
        out << YAML::Key << "token" << YAML::Value << Text{api.token, true};
    }
    if (api.max_connections != kDefaultApiMaxConnections) {
        out << YAML::Key << "max_connections" << YAML::Value << api.max_connections;
    }
    out << YAML::EndMap;
}

void emit_mrt(YAML::Emitter& out, const MrtConfig& m) {
    out << YAML::Key << "mrt" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "directory" << YAML::Value << Text{m.directory, true};
    out << YAML::Key << "rib_dump" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "interval" << YAML::Value << m.rib_dump.interval;
    out << YAML::Key << "file" << YAML::Value << Text{m.rib_dump.file, true};
    out << YAML::Key << "keep" << YAML::Value << m.rib_dump.keep;
    out << YAML::EndMap;
    out << YAML::Key << "updates" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "enabled" << YAML::Value << m.updates.enabled;
    out << YAML::Key << "file" << YAML::Value << Text{m.updates.file, true};
    out << YAML::Key << "rotate_interval" << YAML::Value << m.updates.rotate_interval;
    out << YAML::Key << "rotate_bytes" << YAML::Value << m.updates.rotate_bytes;
    out << YAML::Key << "keep" << YAML::Value << m.updates.keep;
    out << YAML::Key << "buffer_bytes" << YAML::Value << m.updates.buffer_bytes;
    out << YAML::EndMap << YAML::EndMap;
}

void emit_bmp(YAML::Emitter& out, const BmpConfig& bmp) {
    out << YAML::Key << "bmp" << YAML::Value << YAML::BeginMap;
    if (!bmp.sys_name.empty()) {
        out << YAML::Key << "sys_name" << YAML::Value << Text{bmp.sys_name, true};
    }
    out << YAML::Key << "collectors" << YAML::Value << YAML::BeginSeq;
    for (const BmpCollectorConfig& c : bmp.collectors) {
        out << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << Text{c.name};
        out << YAML::Key << "address" << YAML::Value << c.address.to_string();
        out << YAML::Key << "port" << YAML::Value << c.port;
        out << YAML::Key << "route_monitoring" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const BmpTable t : c.route_monitoring) {
            out << std::string(to_string(t));
        }
        out << YAML::EndSeq;
        out << YAML::Key << "statistics_interval" << YAML::Value << c.statistics_interval;
        out << YAML::Key << "buffer_bytes" << YAML::Value << c.buffer_bytes;
        out << YAML::Key << "connect_retry" << YAML::Value << c.connect_retry;
        out << YAML::Key << "connect_retry_max" << YAML::Value << c.connect_retry_max;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
}

}  // namespace

std::string to_yaml(const Config& c) {
    YAML::Emitter out;
    out.SetBoolFormat(YAML::TrueFalseBool);
    out << YAML::BeginMap;
    emit_route_server(out, c.route_server);
    emit_peers(out, c.peers);
    if (c.virtual_network) {
        emit_virtual_network(out, *c.virtual_network);
    }
    emit_emulator(out, c.emulator);
    emit_api(out, c.api);
    if (!(c.mrt == MrtConfig{})) {  // written only when set, so files without it stay as they were
        emit_mrt(out, c.mrt);
    }
    if (!c.policy.empty()) {
        emit_policy(out, c.policy);
    }
    if (!(c.bmp == BmpConfig{})) {
        emit_bmp(out, c.bmp);
    }
    if (c.rpki) {
        emit_rpki(out, *c.rpki);
    }
    out << YAML::EndMap;
    std::string text = "# routefabric configuration (written by routefabricd; see docs/configuration.md)\n";
    text += out.c_str();
    text += '\n';
    return text;
}

}  // namespace rf::config
