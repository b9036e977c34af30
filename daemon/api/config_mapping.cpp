// The configuration as the layers below take it: a route server's ServerConfig, a peer's session
// settings and the REST API server's options, mapped from the YAML configuration (daemon_backend.hpp
// declares them; main() and the serialised config-change path call them).
#include <algorithm>
#include <set>

#include "daemon/api/daemon_backend.hpp"

namespace rf::api {

server::ServerConfig server_config(const config::Config& c) {
    const config::RouteServerConfig& rs = c.route_server;
    server::ServerConfig s;
    s.local_asn = rs.asn;
    s.router_id = c.effective_router_id().value_or(net::Ipv4Address{});
    s.listen_addresses = rs.listen;
    s.port = rs.port;
    s.hold_time = rs.hold_time;
    s.keepalive = rs.keepalive;
    s.connect_retry = rs.connect_retry;
    s.idle_hold = rs.idle_hold;
    s.idle_hold_max = rs.idle_hold_max;
    s.max_peers = rs.max_peers;
    s.max_output_bytes = std::size_t{rs.max_output_mib} << 20U;
    s.refresh_stale_time = rs.refresh_stale_time;
    s.four_octet_mode = rs.four_byte_asn;
    s.rib.local_asn = rs.asn;
    s.rib.as_path_mode = rs.mode;
    s.rib.branch_to_branch = rs.branch_to_branch;
    // Origination (design §2): the route server's VNet and every VNet peered with it that uses its route
    // server. Without a virtual_network section the daemon sets s.rib.vnet_prefixes from its lab model.
    if (c.virtual_network) {
        const config::VirtualNetworkConfig& vn = *c.virtual_network;
        std::set<net::Prefix> prefixes;
        for (const config::Vnet& v : vn.vnets) {
            bool advertised = v.name == vn.route_server_vnet;
            for (const config::VnetPeering& p : v.peerings) {
                advertised =
                    advertised || (p.use_remote_route_server && p.remote_vnet == vn.route_server_vnet);
            }
            if (advertised) {
                prefixes.insert(v.address_spaces.begin(), v.address_spaces.end());
            }
        }
        s.rib.vnet_prefixes.assign(prefixes.begin(), prefixes.end());
    }
    s.rpki = c.rpki;
    return s;
}

session::PeerSettings peer_settings(const config::Config& c, const config::PeerConfig& p) {
    session::PeerSettings s;
    s.name = p.name;
    s.address = p.address;
    s.port = p.port;
    s.asn = p.asn;
    s.route_limit = c.route_limit_of(p);
    s.counting = c.route_server.route_counting;
    s.route_limit_action = p.route_limit_action;
    s.route_limit_warning_percent = static_cast<std::uint8_t>(p.route_limit_warning_percent);  // 1-100
    s.ttl = p.ttl;
    s.gtsm = p.gtsm;
    s.md5_password = p.md5_password;
    s.mode = p.passive ? session::PeerMode::Passive : session::PeerMode::Active;
    s.local_address = p.local_address;
    s.hold_time = p.hold_time;
    s.extended_messages = p.extended_messages;
    s.enhanced_route_refresh = p.enhanced_route_refresh;
    s.graceful_restart = p.graceful_restart;
    switch (p.add_path) {  // RFC 7911 capability offered to this peer
        case config::AddPath::Receive:
            s.add_path = bgp::AddPathMode::Receive;
            break;
        case config::AddPath::Send:
            s.add_path = bgp::AddPathMode::Send;
            break;
        case config::AddPath::Both:
            s.add_path = bgp::AddPathMode::Both;
            break;
        case config::AddPath::None:
            break;
    }
    return s;
}

ServerOptions server_options(const config::Config& c) {
    ServerOptions o;
    o.address = c.api.listen;
    o.port = c.api.port;
    o.token = c.api.token;
    o.max_connections = c.api.max_connections;
    return o;
}

}  // namespace rf::api
