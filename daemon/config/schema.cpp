// The configuration schema: one row per key the parser accepts. The parser derives the allowed keys of
// every map from this table, and docs/configuration.md is generated from (and tested against) it, so a
// key cannot be added to one without the other. Defaults that are Azure's (control/azure/defaults.hpp)
// are spelled from the constants the code uses, so the table cannot drift from them.
#include <array>
#include <cstdint>
#include <sstream>

#include "control/azure/defaults.hpp"
#include "daemon/config/config.hpp"

namespace rf::config {

namespace {

// The decimal digits of a compile-time number, NUL-terminated.
template <auto N>
inline constexpr auto kDecimalDigits = [] {
    std::array<char, 21> out{};
    std::uint64_t v = N;
    std::size_t length = 0;
    do {
        ++length;
        v /= 10;
    } while (v != 0);
    v = N;
    for (std::size_t i = length; i-- > 0;) {
        out[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    return out;
}();
template <auto N>
inline constexpr std::string_view kDecimal{kDecimalDigits<N>.data()};

}  // namespace

const std::vector<KeyInfo>& schema() {
    static const std::vector<KeyInfo> rows = {
        {"route_server", "map", "", "The BGP route server itself."},
        {"route_server.asn", "ASN", kDecimal<azure::kRouteServerAsn>,
         "The route server's ASN (Azure uses 65515)."},
        {"route_server.router_id", "IPv4 address", "first IPv4 listen address", "BGP identifier."},
        {"route_server.listen", "list of IP addresses", "(required)",
         "Addresses the route server listens on; Azure runs two instances, so two addresses is normal. "
         "Peers connect to each of them."},
        {"route_server.port", "port", kDecimal<azure::kBgpPort>,
         "TCP port of the listen addresses (0 = any free port, for tests)."},
        {"route_server.keepalive", "seconds", kDecimal<azure::kKeepalive>,
         "Keepalive time; less than hold_time."},
        {"route_server.hold_time", "seconds", kDecimal<azure::kHoldTime>,
         "Hold time offered in OPEN (0, or 3 and more); negotiated down "
         "to the peer's if it offers less."},
        {"route_server.connect_retry", "seconds", kDecimal<azure::kConnectRetry>,
         "ConnectRetry time for active peers."},
        {"route_server.idle_hold", "seconds", kDecimal<azure::kIdleHold>,
         "First idle-hold time after a session error (route limit, hold "
         "timer expiry); doubles on repeated errors."},
        {"route_server.idle_hold_max", "seconds", kDecimal<azure::kIdleHoldMax>,
         "Cap of the idle-hold back-off."},
        {"route_server.max_peers", "count", kDecimal<azure::kMaxPeers>,
         "At most this many peers (Azure: 8); adding one more is refused."},
        {"route_server.route_limit", "count", kDecimal<azure::kRouteLimit>,
         "Routes per peer (0 = unlimited); one more tears the session down with Cease / Maximum Number of "
         "Prefixes Reached."},
        {"route_server.max_output_mib", "MiB", "256",
         "Bound of each session's output queue; a peer that stops reading until its queue grows past it is "
         "dropped with Cease / Out of Resources (its queued UPDATEs are discarded first), the others keep "
         "running. 1-65536."},
        {"route_server.refresh_stale_time", "seconds", "360",
         "Enhanced route refresh (RFC 7313): after a peer's BoRR its routes of the family are stale until "
         "re-advertised; those still stale at its EoRR are withdrawn, and if no EoRR comes within this time "
         "they are withdrawn then (FRR's default stale-path time). 1-3600."},
        {"route_server.route_counting", "distinct | azure-strict", "distinct",
         "distinct: a peer's count is its distinct prefixes. azure-strict: current routes plus the routes of "
         "the incoming UPDATE, as Azure counts."},
        {"route_server.four_byte_asn", "bool", "false",
         "Accept 4-byte peer ASNs (RFC 6793). Azure accepts 2-byte "
         "ASNs only."},
        {"route_server.mode", "azure | transparent", "azure",
         "azure: the RS ASN is prepended to advertised AS paths. transparent: AS paths passed on untouched "
         "(RFC 7947)."},
        {"route_server.branch_to_branch", "bool", "true",
         "Reflect routes learned from one NVA to the other NVAs."},
        {"route_server.placement", "auto | azure | lab", "auto",
         "Where the route server sits in the VNet model (with virtual_network). azure: every listen address "
         "lies in RouteServerSubnet (/27 or larger) of route_server_vnet and is not one Azure reserves. lab: "
         "a route server on lab addresses, not checked against the model. auto: azure when a listen address "
         "lies inside a modelled VNet, lab when all lie outside (logged once at start). The VNet address "
         "spaces are advertised in every case."},
        {"route_server.ebgp_requires_policy", "bool", "false",
         "RFC 8212: a peer without import_policy has every route it sends rejected (kept as received, so "
         "giving it a policy takes effect at once), and a peer without export_policy is sent no learned "
         "route (the VNet address spaces are still advertised). Off by default, as Azure accepts and "
         "sends everything."},

        {"peers", "list", "[]", "The BGP peers (NVAs). Connections from other addresses are refused."},
        {"peers[].name", "name", "(required)", "Unique name: letters, digits, '.', '_', '-' (at most 64)."},
        {"peers[].address", "IP address", "(required)", "The peer's address; unique among peers."},
        {"peers[].asn", "ASN", "(required)",
         "The peer's ASN: not the route server's, not reserved (8074, 8075, 12076, 65515, 65517-65520, "
         "23456, "
         "64496-64511, 65535-65551), at most 65535 unless four_byte_asn."},
        {"peers[].port", "port", kDecimal<azure::kBgpPort>, "The peer's TCP port for active connects."},
        {"peers[].ttl", "1-255", kDecimal<azure::kMultihopTtl>,
         "TTL of our packets: 1 for a directly connected peer, more for eBGP multihop "
         "(Azure requires multihop)."},
        {"peers[].md5_password", "string", "\"\"",
         "TCP-MD5 (RFC 2385) password, at most 80 bytes; empty = none."},
        {"peers[].route_limit", "count", "route_server.route_limit", "Per-peer route limit (0 = unlimited)."},
        {"peers[].route_limit_action", "teardown | warn", "teardown",
         "Past the route limit: teardown = NOTIFICATION Cease / Maximum Number of Prefixes Reached (RFC "
         "4486), routes withdrawn, reconnect after idle-hold (Azure); warn = log and count once per "
         "crossing, keep the session and accept the routes (FRR's warning-only). Changes apply without a "
         "reset."},
        {"peers[].route_limit_warning_percent", "1-100", kDecimal<azure::kRouteLimitWarningPercent>,
         "Log and count a warning when the peer's routes reach this share of its route limit (once per "
         "crossing, re-armed when they fall back below). Changes apply without a reset."},
        {"peers[].gtsm", "bool", "false",
         "GTSM (RFC 5082): send with TTL 255 and drop packets that arrive with a TTL below 256 - hops "
         "(hops: ttl when it is 2-254, otherwise 1 = directly connected, only TTL 255 accepted)."},
        {"peers[].passive", "bool", "true",
         "Wait for the peer to connect (true) or also connect to it (false)."},
        {"peers[].hold_time", "seconds", "route_server.hold_time", "Per-peer hold time."},
        {"peers[].local_address", "IP address", "first listen address",
         "Source address for active connects; one of route_server.listen."},
        {"peers[].extended_messages", "bool", "true",
         "Offer extended messages (RFC 8654): with a peer that offers them too, UPDATE, NOTIFICATION and "
         "ROUTE-REFRESH may be up to 65,535 octets each way (OPEN and KEEPALIVE stay within 4,096); a "
         "route too large for a peer without them is withdrawn from it. On by default, as in FRR."},
        {"peers[].enhanced_route_refresh", "bool", "true",
         "Offer enhanced route refresh (RFC 7313) beside route refresh: a refresh is framed by BoRR and "
         "EoRR both ways, and the peer's routes it does not re-advertise are withdrawn at its EoRR. On by "
         "default, as in FRR and BIRD."},
        {"peers[].graceful_restart", "map", "",
         "Graceful restart (RFC 4724, RFC 8538) with this peer; see docs/sessions.md."},
        {"peers[].graceful_restart.enabled", "bool", "true",
         "Offer graceful restart: when the peer restarts (its session lost without a NOTIFICATION, or "
         "with one other than Hard Reset when both set the N bit) its routes stay, stale, until its "
         "End-of-RIB or its restart time. On by default, like FRR's and BIRD's helper modes."},
        {"peers[].graceful_restart.restart_time", "0-4095 seconds", "120",
         "The Restart Time we advertise: how long the peer should keep our routes while we restart."},
        {"peers[].graceful_restart.stale_path_time", "1-3600 seconds", "360",
         "After the peer is back: how long its stale routes wait for its End-of-RIB before those not "
         "re-announced are withdrawn."},
        {"peers[].graceful_restart.notification", "bool", "true",
         "Set the N bit (RFC 8538): a NOTIFICATION other than Cease / Hard Reset keeps the routes too, "
         "and our Ceases that mean 'forget' (shutdown, de-configured, reset, route limit) go as Hard "
         "Reset."},
        {"peers[].graceful_restart.long_lived_stale_time", "0-16777215 seconds", "0 (off)",
         "Offer long-lived graceful restart (RFC 9494) with this Long-lived Stale Time. Off by default: "
         "a route server's peers are mostly NVAs and gateways whose routes should move to the survivors "
         "when they die, not linger (depreferenced, tagged LLGR_STALE) for hours toward a dead next hop."},
        {"peers[].add_path", "none, receive, send or both", "none",
         "ADD-PATH (RFC 7911) offered in our OPEN for every family: receive = the peer may send several "
         "paths "
         "per prefix, send = the peer gets every path of the ECMP set; used where the peer offers the "
         "matching side."},
        {"peers[].import_policy", "list of policy names", "[]",
         "Policies (policy.policies) evaluated in order on every route the peer sends, before the decision "
         "process; a rejected route stays in the pre-policy Adj-RIB-In only. A change applies at once, "
         "without a session reset."},
        {"peers[].export_policy", "list of policy names", "[]",
         "Policies (policy.policies) evaluated in order on every learned route on its way to this peer: a "
         "rejected route is not sent (withdrawn if it was), a rewrite changes only what this peer receives. "
         "Peers with different export policies are encoded separately. A change is applied at once, "
         "without a session reset: only the difference is sent."},

        {"virtual_network", "map", "(none)",
         "The virtual network model the effective routes are computed from. Without it routefabricd "
         "runs as a route server only (no FIB), unless the emulator is enabled (its default lab) or "
         "--fib is given."},
        {"virtual_network.route_server_vnet", "name", "(required)",
         "The route server's VNet: its address spaces are advertised to the NVAs; its RouteServerSubnet "
         "(/27 or larger) holds route_server.listen unless route_server.placement is lab (or auto with the "
         "listen addresses outside every VNet)."},
        {"virtual_network.vnets", "list", "[]", "Virtual networks."},
        {"virtual_network.vnets[].name", "name", "(required)", "Unique VNet name."},
        {"virtual_network.vnets[].address_spaces", "list of prefixes", "(required)",
         "Address spaces; advertised to every NVA (the route server's VNet and peered VNets using it)."},
        {"virtual_network.vnets[].subnets", "list", "[]", "Subnets, inside the address spaces."},
        {"virtual_network.vnets[].subnets[].name", "name", "(required)",
         "Subnet name; RouteServerSubnet holds the "
         "route server."},
        {"virtual_network.vnets[].subnets[].prefix", "prefix", "(required)", "Subnet prefix."},
        {"virtual_network.vnets[].subnets[].route_table", "name", "\"\"",
         "Route table (UDRs) of the subnet."},
        {"virtual_network.vnets[].peerings", "list", "[]", "VNet peerings."},
        {"virtual_network.vnets[].peerings[].remote_vnet", "name", "(required)", "The peered VNet."},
        {"virtual_network.vnets[].peerings[].use_remote_route_server", "bool", "false",
         "This VNet's VMs get the BGP routes of the remote VNet's route server, and its address space is "
         "advertised to the NVAs."},
        {"virtual_network.route_tables", "list", "[]", "Route tables with user-defined routes."},
        {"virtual_network.route_tables[].name", "name", "(required)", "Unique route table name."},
        {"virtual_network.route_tables[].propagate_gateway_routes", "bool", "true",
         "When false, subnets using this table get no BGP routes."},
        {"virtual_network.route_tables[].routes", "list", "[]", "User-defined routes."},
        {"virtual_network.route_tables[].routes[].name", "name", "(required)", "Route name."},
        {"virtual_network.route_tables[].routes[].prefix", "prefix", "(required)", "Destination prefix."},
        {"virtual_network.route_tables[].routes[].next_hop_type",
         "VirtualAppliance | VirtualNetworkGateway | Internet | None", "(required)", "Next hop type."},
        {"virtual_network.route_tables[].routes[].next_hop_ip", "IP address", "(none)",
         "Next hop; required for VirtualAppliance, not allowed otherwise."},
        {"virtual_network.vms", "list", "[]", "Virtual machines."},
        {"virtual_network.vms[].name", "name", "(required)", "Unique VM name."},
        {"virtual_network.vms[].vnet", "name", "(required)", "The VM's VNet."},
        {"virtual_network.vms[].subnet", "name", "(required)", "The VM's subnet."},
        {"virtual_network.vms[].nic_address", "IP address", "(required)",
         "The NIC's address, inside the subnet."},
        {"virtual_network.vms[].host", "number", "0", "The emulated host the VM is placed on."},

        {"emulator", "map", "",
         "The host-forwarding emulator (data plane). Changes take effect at the next restart."},
        {"emulator.enabled", "bool", "true with an emulator section, else false",
         "Run the emulator inside routefabricd (routefabricd --emulator / --no-emulator override it)."},
        {"emulator.vm_count", "count", "6000",
         "VMs of the default lab (used when virtual_network is absent)."},
        {"emulator.vms_per_host", "count", "750",
         "VMs per emulated host (hosts = vm_count / vms_per_host, rounded "
         "up)."},
        {"emulator.workers", "count", "1", "Data-plane worker lcores."},
        {"emulator.flows_per_vm", "0-256", "4",
         "IPv4 flows (UDP 5-tuples) per VM, toward the IPv4 prefixes of its effective route table and the "
         "whole IPv4 space (0.0.0.0/1, 128.0.0.0/1: covered by a default route learned later)."},
        {"emulator.flows6_per_vm", "0-256", "0",
         "IPv6 flows per VM (0 = no IPv6 traffic), toward the IPv6 prefixes of its effective route table and "
         "2000::/3 and fc00::/7 (covered by an IPv6 default route or aggregate learned later). Not both 0."},
        {"emulator.burst", "1-64", "32",
         "Packets per host burst; with a pass target the largest burst (then 4-64). Both IPv4 and IPv6 flows "
         "need at least 2."},
        {"emulator.pass_target_us", "0-100000", "400",
         "Workers scale their bursts (4 to burst) so that one pass over their hosts takes about this long "
         "(microseconds): the longest a host waits to see a FIB change. 0 = fixed bursts."},
        {"emulator.lab_address", "IPv4 address", "(none)",
         "Lab mode (NVA port on a Linux interface): our IPv4 address on the NVA port, sender of ARP "
         "requests (the emulator answers ARP for it). Unset: the interface's own address (af_packet), else "
         "an ARP probe from 0.0.0.0. Unicast."},
        {"emulator.lab_address6", "IPv6 address", "(none)",
         "Lab mode: our IPv6 address on the NVA port, source of Neighbor Solicitations (the emulator answers "
         "NS for it). Unset: the interface's link-local address (af_packet), else DAD-style solicitations "
         "from ::. Unicast."},
        {"emulator.neighbor_retry_ms", "1-60000", "50",
         "Lab mode, ARP and NDP: an unresolved next hop is solicited again this often (milliseconds); also "
         "the period of the reachability check."},
        {"emulator.neighbor_reachable_ms", "10-3600000", "30000",
         "Lab mode: a resolved next hop not confirmed by a reply for this long (milliseconds) gets up to 3 "
         "unicast probes 1 s apart while it keeps forwarding, and is withdrawn when none is answered."},
        {"emulator.eal_args", "list of strings", "[]",
         "DPDK EAL arguments for bare metal (hugepages, -a PCI, -l cores); when set they replace the lab "
         "defaults (no hugepages, no PCI, virtual ports). Also after -- on the command line."},

        {"mrt", "map", "",
         "MRT files (RFC 6396) for archives and replay: periodic RIB dumps (TABLE_DUMP_V2) and the log of "
         "every BGP message received (BGP4MP_ET). On-demand dumps need none of it (rfctl rib dump FILE)."},
        {"mrt.directory", "path", "(required when a dump interval or the update log is set)",
         "Directory the MRT files are written to; it must exist and be writable by the daemon."},
        {"mrt.rib_dump", "map", "", "Periodic dumps of the RIB, each in a file of its own."},
        {"mrt.rib_dump.interval", "seconds", "0", "Time between two dumps (0 = no periodic dumps)."},
        {"mrt.rib_dump.file", "strftime pattern", "rib.%Y%m%d.%H%M%S.mrt",
         "File name of a dump: strftime fields (UTC) of the dump's time; a file name, no '/'."},
        {"mrt.rib_dump.keep", "count", "24",
         "Dumps kept: older ones this daemon wrote are deleted (0 = keep every dump)."},
        {"mrt.updates", "map", "",
         "The message log: every BGP message received from every peer, with microsecond timestamps, "
         "written by a thread of its own; BGP never waits for it."},
        {"mrt.updates.enabled", "bool", "false", "Write the message log."},
        {"mrt.updates.file", "strftime pattern", "updates.%Y%m%d.%H%M%S.mrt",
         "File name of a log file: strftime fields (UTC) of the time it is opened; a file name, no '/'."},
        {"mrt.updates.rotate_interval", "seconds", "900",
         "A new file at every multiple of this many seconds since the epoch (0 = never by time)."},
        {"mrt.updates.rotate_bytes", "bytes", "0",
         "A new file once the current one holds this much (0 = no limit)."},
        {"mrt.updates.keep", "count", "96",
         "Log files kept: older ones this daemon wrote are deleted (0 = keep every file)."},
        {"mrt.updates.buffer_bytes", "bytes", "16777216",
         "Records waiting for the writer thread at most; beyond it messages are not logged (counted, and "
         "logged as a warning), never delaying a session. At least 65536."},

        {"bmp", "map", "",
         "BMP export (RFC 7854, RFC 9069 Loc-RIB) to monitoring stations: routefabricd connects to each "
         "collector and streams peer up/down, route monitoring and statistics. Changes apply at runtime "
         "(SIGHUP, REST API)."},
        {"bmp.sys_name", "string", "(the host name)", "sysName of the Initiation message."},
        {"bmp.collectors", "list", "[]", "The collectors; each gets its own connection and buffer."},
        {"bmp.collectors[].name", "name", "(required)", "Unique name (logs, metrics' collector label)."},
        {"bmp.collectors[].address", "IP address", "(required)", "The collector's address."},
        {"bmp.collectors[].port", "port", "(required)", "The collector's TCP port."},
        {"bmp.collectors[].route_monitoring", "list of: pre-policy, post-policy, loc-rib", "[pre-policy]",
         "Tables sent as Route Monitoring: each peer's Adj-RIB-In as received (pre-policy), as accepted "
         "(post-policy, L flag), and the route server's best paths (loc-rib, peer type 3, RFC 9069)."},
        {"bmp.collectors[].statistics_interval", "seconds", "60",
         "Time between Statistics Reports (0 = none)."},
        {"bmp.collectors[].buffer_bytes", "bytes", "16777216",
         "Messages waiting for a slow collector at most; beyond it the collector's session is reset "
         "(counted, logged) and resynchronised on reconnect, never delaying BGP. At least 65536."},
        {"bmp.collectors[].connect_retry", "seconds", "1",
         "First delay before reconnecting; doubled after each failed attempt."},
        {"bmp.collectors[].connect_retry_max", "seconds", "60", "Longest delay between two attempts."},
        {"rpki", "map", "",
         "RPKI route origin validation (RFC 6811) from RPKI-to-Router caches (RFC 8210, plain TCP). Without "
         "it every route's validity is unknown. Import policies match on the validity (match.rpki)."},
        {"rpki.caches", "list", "(required)",
         "RTR caches. Caches with the same preference are used together; the most preferred group that works "
         "is used, the next one when it fails, and the preferred one again once it is back."},
        {"rpki.caches[].address", "IP address", "(required)", "The cache's address."},
        {"rpki.caches[].port", "port", "323", "The cache's RTR port (stayrtr listens on 8282)."},
        {"rpki.caches[].preference", "0-255", "1", "Lower is preferred."},
        {"rpki.refresh_interval", "seconds", "3600",
         "Time between two Serial Queries (1-86400); a cache's End of Data (RTR version 1) overrides it."},
        {"rpki.retry_interval", "seconds", "600",
         "Wait before a failed query or connection is retried (1-7200); a cache's End of Data overrides it."},
        {"rpki.expire_interval", "seconds", "7200",
         "How long the table is used with no cache reachable (600-172800); then routes are not validated "
         "(unknown) until a cache synchronises again."},

        {"api", "map", "", "The REST API (and /metrics)."},
        {"api.enabled", "bool", "true", "Serve the REST API."},
        {"api.listen", "IP address", "127.0.0.1", "Address the API binds to."},
        {"api.port", "port", "9179", "API port (0 = any free port)."},
        {"api.token", "string", "\"\"",
         "Bearer token (Authorization: Bearer TOKEN); required when api.listen is "
         "not a loopback address."},
        {"api.max_connections", "1-10000", "64",
         "Concurrent API connections; one more is answered 503 and closed, and while all are open a "
         "connection idle for 5 s is closed. At most a quarter of the open-file limit is used."},

        {"policy", "map", "(none)",
         "Routing policy: named sets and policies that peers[].import_policy and export_policy name "
         "(docs/configuration.md, Routing policy)."},
        {"policy.prefix_sets", "list", "[]",
         "Prefix sets. The built-in sets `bogons` and `martians` need no definition."},
        {"policy.prefix_sets[].name", "name", "(required)",
         "Unique among prefix sets; not bogons or martians."},
        {"policy.prefix_sets[].prefixes", "list", "[]",
         "Entries: a prefix (that prefix exactly) or a map with prefix, ge, le."},
        {"policy.prefix_sets[].prefixes[].prefix", "prefix", "(required)",
         "IPv4 or IPv6 prefix; routes inside it match when their length is in [ge, le]."},
        {"policy.prefix_sets[].prefixes[].ge", "length", "the prefix length",
         "Shortest matching length (at least the prefix length). With ge only, le is 32 / 128."},
        {"policy.prefix_sets[].prefixes[].le", "length", "ge",
         "Longest matching length (not below ge, at most 32 / 128)."},
        {"policy.as_path_sets", "list", "[]", "AS-path sets."},
        {"policy.as_path_sets[].name", "name", "(required)", "Unique among AS-path sets."},
        {"policy.as_path_sets[].patterns", "list of regexes", "[]",
         "Regular expressions over the AS path as text (\"65001 65002 {65003,65004}\"); `_` matches a "
         "delimiter or either end: `^65001_`, `_65002$`, `_6500[0-9]_`."},
        {"policy.community_sets", "list", "[]", "Community sets."},
        {"policy.community_sets[].name", "name", "(required)", "Unique among community sets."},
        {"policy.community_sets[].communities", "list", "[]",
         "Standard `65001:100`, large `65001:1:2`, extended `rt:65001:100` / `soo:192.0.2.1:7`, well-known "
         "`no-export`, `no-advertise`, `no-export-subconfed`, `blackhole`, `graceful-shutdown`; any field "
         "may be `*`."},
        {"policy.next_hop_sets", "list", "[]", "Next-hop sets."},
        {"policy.next_hop_sets[].name", "name", "(required)", "Unique among next-hop sets."},
        {"policy.next_hop_sets[].next_hops", "list", "[]",
         "Addresses or prefixes; a route matches when a next hop of it lies inside one."},
        {"policy.policies", "list", "[]", "Policies."},
        {"policy.policies[].name", "name", "(required)",
         "Unique among policies; peers name it in import_policy or export_policy."},
        {"policy.policies[].default_action", "accept | reject | next-policy", "reject",
         "What a route gets when no statement accepts or rejects it; next-policy hands it on to the next "
         "policy of the peer's list (past the last one it is rejected)."},
        {"policy.policies[].statements", "list", "[]", "Statements, evaluated in order."},
        {"policy.policies[].statements[].name", "name", "(required)",
         "Unique within the policy; the API and rfctl name it when it rejects or rewrites a route."},
        {"policy.policies[].statements[].match", "map", "(none: always)",
         "Conditions, all of which must hold."},
        {"policy.policies[].statements[].match.prefix_set", "set name or map", "(none)",
         "The route's prefix is in the set (a name, or {set, match: any | invert})."},
        {"policy.policies[].statements[].match.prefix_set.set", "name", "(required)",
         "A prefix set, or bogons / martians."},
        {"policy.policies[].statements[].match.prefix_set.match", "any | invert", "any",
         "invert: the prefix is not in the set."},
        {"policy.policies[].statements[].match.as_path_set", "set name or map", "(none)",
         "The AS path matches the set's patterns (a name, or {set, match})."},
        {"policy.policies[].statements[].match.as_path_set.set", "name", "(required)", "An AS-path set."},
        {"policy.policies[].statements[].match.as_path_set.match", "any | all | invert", "any",
         "any: one pattern matches; all: every pattern matches; invert: none does."},
        {"policy.policies[].statements[].match.community_set", "set name or map", "(none)",
         "The route's communities match the set (a name, or {set, match})."},
        {"policy.policies[].statements[].match.community_set.set", "name", "(required)", "A community set."},
        {"policy.policies[].statements[].match.community_set.match", "any | all | invert", "any",
         "any: the route carries a community matching one entry; all: one for every entry; invert: none."},
        {"policy.policies[].statements[].match.next_hop_set", "set name or map", "(none)",
         "The route's next hop is in the set (a name, or {set, match})."},
        {"policy.policies[].statements[].match.next_hop_set.set", "name", "(required)", "A next-hop set."},
        {"policy.policies[].statements[].match.next_hop_set.match", "any | invert", "any",
         "invert: the next hop is not in the set."},
        {"policy.policies[].statements[].match.rpki", "list of states", "[]",
         "The route's origin validation state is one of: valid, invalid, not-found, unknown (unknown while "
         "RPKI is off)."},
        {"policy.policies[].statements[].modify", "map", "(none)",
         "Changes made when the conditions hold, in this order: replace, remove, add communities, prepend, "
         "med, next_hop."},
        {"policy.policies[].statements[].modify.replace_communities", "list", "(none)",
         "Every standard, extended and large community is replaced by these (no wildcards)."},
        {"policy.policies[].statements[].modify.remove_communities", "list", "[]",
         "Communities matching any of these (wildcards allowed) are removed."},
        {"policy.policies[].statements[].modify.add_communities", "list", "[]",
         "Added unless already present (no wildcards)."},
        {"policy.policies[].statements[].modify.prepend", "map", "(none)", "Prepend an ASN to the AS path."},
        {"policy.policies[].statements[].modify.prepend.asn", "ASN", "route_server.asn",
         "The ASN to prepend."},
        {"policy.policies[].statements[].modify.prepend.count", "1-32", "1", "How many times."},
        {"policy.policies[].statements[].modify.med", "number", "(none)", "Set MULTI_EXIT_DISC."},
        {"policy.policies[].statements[].modify.next_hop", "IP address", "(none)",
         "Set the next hop (Azure keeps the NVA's); applies to routes of the address's family only."},
        {"policy.policies[].statements[].action", "accept | reject | continue", "continue",
         "accept or reject end the evaluation; continue goes on with the next statement, keeping the "
         "changes."},
    };
    return rows;
}

namespace {
std::string cell(std::string_view text) {  // a '|' would end the Markdown cell
    std::string out;
    for (const char c : text) {
        if (c == '|') {
            out += '\\';
        }
        out += c;
    }
    return out;
}
}  // namespace

std::string schema_markdown() {
    std::ostringstream out;
    out << "| key | type | default | meaning |\n| --- | --- | --- | --- |\n";
    for (const KeyInfo& k : schema()) {
        out << "| `" << k.path << "` | " << cell(k.type) << " | " << cell(k.default_value) << " | "
            << cell(k.description) << " |\n";
    }
    return out.str();
}

}  // namespace rf::config
