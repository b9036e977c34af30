// routefabric's configuration: typed values read from one YAML file (docs/configuration.md), checked by
// validate() which reports every problem with its field path, written back by to_yaml() and persisted
// atomically by save_file() (runtime changes made through the REST API).
//
// One job per file: parse.cpp (YAML text -> Config; yaml_reader.hpp reads typed values with their paths),
// validate.cpp (the rules between values), emit.cpp (Config -> YAML), schema.cpp (every key, its type,
// default and meaning: the one description of the fields), persist.cpp (atomic save), config.cpp (the
// enum spellings and load = parse + validate).
//
// Parsing and validation are separate steps: parse_yaml() turns text into a Config and reports what cannot
// be represented (bad YAML, wrong types, unparsable addresses, unknown keys); validate() checks the rules
// between values (reserved ASNs, peer limit, duplicates, timers). load_file()/load_text() do both and
// return every error of both steps. The VNet model's own rules (subnets inside address spaces, listen
// addresses in RouteServerSubnet, ...) are the FIB's (fib::validate); daemon/config/vnet_convert.hpp
// maps this model onto it and reports those errors under the same paths.
//
// The values the configuration shares with the layers below are theirs: the Azure defaults, the AS_PATH
// mode and the route counting come from control/azure/defaults.hpp, the user-defined route's next hop
// type from fib/vnet/vnet_model.hpp. This file only spells them in YAML.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/azure/defaults.hpp"
#include "control/codec/result.hpp"
#include "control/policy/definitions.hpp"
#include "control/session/peer_settings.hpp"
#include "control/rpki/rtr_config.hpp"
#include "fib/vnet/vnet_model.hpp"
#include "net/ip.hpp"

namespace rf::config {

// ADD-PATH (RFC 7911) offered to a peer in our OPEN, for every family the session carries.
enum class AddPath : std::uint8_t {
    None,     // not offered (default)
    Receive,  // the peer may send several paths per prefix
    Send,     // we send the peer every path of the ECMP set
    Both,
};
// The YAML spellings: route_counting "distinct" | "azure-strict", mode "azure" | "transparent",
// add_path "none" | "receive" | "send" | "both".
[[nodiscard]] std::string_view to_string(azure::RouteCounting c);
[[nodiscard]] std::string_view to_string(azure::AsPathMode m);
[[nodiscard]] std::string_view to_string(AddPath a);
[[nodiscard]] std::string_view to_string(azure::RouteLimitAction a);  // "teardown" | "warn"
[[nodiscard]] std::optional<azure::RouteLimitAction> parse_route_limit_action(std::string_view s);
[[nodiscard]] std::optional<azure::RouteCounting> parse_route_counting(std::string_view s);
[[nodiscard]] std::optional<azure::AsPathMode> parse_as_path_mode(std::string_view s);
[[nodiscard]] std::optional<AddPath> parse_add_path(std::string_view s);

// Where the route server sits relative to the VNet model (route_server.placement).
enum class Placement : std::uint8_t {
    Auto,   // Azure when a listen address lies inside a modelled VNet, Lab when every one lies outside
    Azure,  // the listen addresses lie in RouteServerSubnet (/27 or larger) of route_server_vnet, not
            // reserved
    Lab,    // a route server on lab addresses: the listen addresses are not checked against the model
};
// The YAML spellings: "auto" | "azure" | "lab".
[[nodiscard]] std::string_view to_string(Placement p);
[[nodiscard]] std::optional<Placement> parse_placement(std::string_view s);

struct RouteServerConfig {
    std::uint32_t asn = azure::kRouteServerAsn;
    std::optional<net::Ipv4Address> router_id;  // default: the first IPv4 listen address
    std::vector<net::IpAddress> listen;         // Azure's two instances: two addresses is the normal case
    std::uint16_t port = azure::kBgpPort;
    std::uint16_t keepalive = azure::kKeepalive;
    std::uint16_t hold_time = azure::kHoldTime;
    std::uint16_t connect_retry = azure::kConnectRetry;
    std::uint16_t idle_hold = azure::kIdleHold;         // first idle-hold after an error
    std::uint16_t idle_hold_max = azure::kIdleHoldMax;  // back-off cap
    std::uint32_t max_peers = static_cast<std::uint32_t>(azure::kMaxPeers);
    std::uint32_t route_limit = static_cast<std::uint32_t>(azure::kRouteLimit);  // per peer; 0 = unlimited
    azure::RouteCounting route_counting = azure::RouteCounting::DistinctPrefixes;
    std::uint32_t max_output_mib = 256;  // per-session output queue bound (Cease / Out of Resources)
    // Enhanced route refresh (RFC 7313 §4): seconds a peer's routes stay stale after its BoRR when no
    // EoRR comes; then those not re-advertised are purged.
    std::uint16_t refresh_stale_time = 360;
    bool four_byte_asn = false;
    azure::AsPathMode mode = azure::AsPathMode::Prepend;
    bool branch_to_branch = true;
    Placement placement = Placement::Auto;
    // RFC 8212, import side: a peer without an import policy has nothing accepted. Off by default: Azure
    // accepts everything.
    bool ebgp_requires_policy = false;

    bool operator==(const RouteServerConfig&) const = default;
};

struct PeerConfig {
    std::string name;  // [A-Za-z0-9._-], unique; the peering's name in the API and rfctl
    net::IpAddress address;
    std::uint32_t asn = 0;
    std::uint16_t port = azure::kBgpPort;      // the peer's port for active connects
    std::uint8_t ttl = azure::kMultihopTtl;    // 1 = directly connected, >1 = eBGP multihop
    std::string md5_password;                  // RFC 2385 TCP-MD5; empty = none
    std::optional<std::uint32_t> route_limit;  // unset = route_server.route_limit
    azure::RouteLimitAction route_limit_action = azure::RouteLimitAction::Teardown;
    std::uint32_t route_limit_warning_percent = azure::kRouteLimitWarningPercent;  // 1-100
    bool gtsm = false;    // RFC 5082: TTL 255 out, at least 256 - hops in (hops: ttl 2-254, else 1)
    bool passive = true;  // wait for the peer to connect (Azure's behaviour)
    std::optional<std::uint16_t> hold_time;  // unset = route_server.hold_time
    std::optional<net::IpAddress> local_address;
    AddPath add_path = AddPath::None;
    bool extended_messages = true;       // RFC 8654 capability offered
    bool enhanced_route_refresh = true;  // RFC 7313 capability offered
    // Names of policy.policies, evaluated in order on what the peer sends, before the decision process.
    // Empty: no policy (everything passes unless route_server.ebgp_requires_policy).
    std::vector<std::string> import_policy;
    // Graceful restart (RFC 4724, RFC 8538): capability offered, our restart time, the stale-path time
    // and the N bit.
    session::GracefulRestartSettings graceful_restart;
    // Names of policy.policies, evaluated in order on every learned route on its way to this peer.
    // Empty: everything is sent (nothing learned is sent under route_server.ebgp_requires_policy).
    std::vector<std::string> export_policy;

    bool operator==(const PeerConfig&) const = default;
};

// The VNet model, mirroring fib/vnet/vnet_model.hpp field by field so validation paths are the same. The
// next hop type is the FIB's (spelled by fib::to_string).
using fib::UdrNextHopType;
[[nodiscard]] std::optional<UdrNextHopType> parse_udr_next_hop_type(std::string_view s);

struct UserDefinedRoute {
    std::string name;
    net::Prefix prefix;
    UdrNextHopType next_hop_type = UdrNextHopType::None;
    std::optional<net::IpAddress> next_hop_ip;
    bool operator==(const UserDefinedRoute&) const = default;
};
struct RouteTable {
    std::string name;
    std::vector<UserDefinedRoute> routes;
    bool propagate_gateway_routes = true;
    bool operator==(const RouteTable&) const = default;
};
struct Subnet {
    std::string name;
    net::Prefix prefix;
    std::string route_table;
    bool operator==(const Subnet&) const = default;
};
struct VnetPeering {
    std::string remote_vnet;
    bool use_remote_route_server = false;
    bool operator==(const VnetPeering&) const = default;
};
struct Vnet {
    std::string name;
    std::vector<net::Prefix> address_spaces;
    std::vector<Subnet> subnets;
    std::vector<VnetPeering> peerings;
    bool operator==(const Vnet&) const = default;
};
struct Vm {
    std::string name;
    std::string vnet;
    std::string subnet;
    net::IpAddress nic_address;
    std::uint32_t host = 0;
    bool operator==(const Vm&) const = default;
};
struct VirtualNetworkConfig {
    std::string route_server_vnet;  // the VNet whose RouteServerSubnet holds route_server.listen
    std::vector<Vnet> vnets;
    std::vector<RouteTable> route_tables;
    std::vector<Vm> vms;
    bool operator==(const VirtualNetworkConfig&) const = default;
};

// The in-process host emulator (dataplane::EmulatorConfig holds the meaning of each setting; the ranges
// are checked by validate()). Every field takes effect at start only (a reload notes a change as
// needing a restart).
struct EmulatorConfig {
    bool enabled = false;
    std::uint32_t vm_count = 6000;       // VMs of the default lab when no virtual_network is configured
    std::uint32_t vms_per_host = 750;    // emulated hosts = ceil(vm_count / vms_per_host)
    std::uint32_t workers = 1;           // data-plane worker lcores
    std::uint32_t flows_per_vm = 4;      // IPv4 flows per VM
    std::uint32_t flows6_per_vm = 0;     // IPv6 flows per VM (0: no IPv6 traffic)
    std::uint32_t burst = 32;            // packets per host burst; the largest burst with a pass target
    std::uint32_t pass_target_us = 400;  // workers scale their bursts toward this pass time; 0 = fixed
    // Lab mode (the NVA port bound to a Linux interface): our address on it, the sender of ARP
    // requests, and our IPv6 address, the source of Neighbor Solicitations. Unset: the interface's own
    // address, else an ARP probe from 0.0.0.0 / a DAD-style solicitation from ::.
    std::optional<net::Ipv4Address> lab_address;
    std::optional<net::Ipv6Address> lab_address6;
    std::uint32_t neighbor_retry_ms = 50;         // an unresolved next hop is solicited again
    std::uint32_t neighbor_reachable_ms = 30000;  // a resolved one unconfirmed this long is probed
    std::vector<std::string> eal_args;
    bool operator==(const EmulatorConfig&) const = default;
};

// The emulator's limits, checked by validate() and documented in the schema.
inline constexpr std::uint32_t kMaxFlowsPerVm = 256;
inline constexpr std::uint32_t kMaxBurst = 64;         // dataplane: one host burst holds at most 64
inline constexpr std::uint32_t kMinAdaptiveBurst = 4;  // dataplane: the smallest burst a pass target sets
inline constexpr std::uint32_t kMaxPassTargetUs = 100000;
inline constexpr std::uint32_t kMaxNeighborRetryMs = 60000;
inline constexpr std::uint32_t kMinNeighborReachableMs = 10;
inline constexpr std::uint32_t kMaxNeighborReachableMs = 3600000;

// api.max_connections: the default keeps the API far below the usual 1,024 open files, so BGP sessions
// always find descriptors; the daemon also caps it at a quarter of the open-file limit.
inline constexpr std::uint32_t kDefaultApiMaxConnections = 64;
inline constexpr std::uint32_t kMaxApiMaxConnections = 10000;

struct ApiConfig {
    bool enabled = true;
    net::IpAddress listen = net::IpAddress::v4(net::Ipv4Address{0x7F000001U});  // 127.0.0.1
    std::uint16_t port = 9179;
    std::string token;  // bearer token; required when listen is not a loopback address
    std::uint32_t max_connections = kDefaultApiMaxConnections;  // concurrent REST API connections
    bool operator==(const ApiConfig&) const = default;
};

// MRT files (RFC 6396, daemon/mrt): periodic RIB dumps (TABLE_DUMP_V2) and the log of every received
// BGP message (BGP4MP_ET), in one directory; file names are strftime patterns (UTC) without '/'.
struct MrtRibDumpConfig {
    std::uint32_t interval = 0;  // seconds between dumps; 0 = no periodic dumps
    std::string file = "rib.%Y%m%d.%H%M%S.mrt";
    std::uint32_t keep = 24;  // dumps kept (the oldest written by this process are deleted); 0 = all
    bool operator==(const MrtRibDumpConfig&) const = default;
};
struct MrtUpdatesConfig {
    bool enabled = false;
    std::string file = "updates.%Y%m%d.%H%M%S.mrt";
    std::uint32_t rotate_interval = 900;  // seconds; a new file at each multiple of it (0 = never by time)
    std::uint64_t rotate_bytes = 0;       // a new file past this size (0 = never by size)
    std::uint32_t keep = 96;              // files kept; 0 = all
    std::uint64_t buffer_bytes = 16U << 20U;  // records waiting for the writer; beyond it they are dropped
    bool operator==(const MrtUpdatesConfig&) const = default;
};
struct MrtConfig {
    std::string directory;  // required when rib_dump.interval or updates.enabled is set
    MrtRibDumpConfig rib_dump;
    MrtUpdatesConfig updates;
    bool operator==(const MrtConfig&) const = default;
    [[nodiscard]] bool any() const { return rib_dump.interval != 0 || updates.enabled; }
};

// BMP export (RFC 7854, RFC 9069; daemon/bmp): the collectors routefabricd connects to.
enum class BmpTable : std::uint8_t { PrePolicy, PostPolicy, LocRib };
[[nodiscard]] std::string_view to_string(BmpTable t);  // "pre-policy", "post-policy", "loc-rib"
[[nodiscard]] std::optional<BmpTable> parse_bmp_table(std::string_view text);
struct BmpCollectorConfig {
    std::string name;  // required, unique
    net::IpAddress address;
    std::uint16_t port = 0;                                       // required
    std::vector<BmpTable> route_monitoring{BmpTable::PrePolicy};  // the tables monitored, each at most once
    std::uint32_t statistics_interval = 60;   // seconds between Statistics Reports; 0 = none
    std::uint64_t buffer_bytes = 16U << 20U;  // messages not yet written; beyond it the session is reset
    std::uint32_t connect_retry = 1;          // first reconnect delay (seconds), doubled after each failure
    std::uint32_t connect_retry_max = 60;     // ... up to this
    bool operator==(const BmpCollectorConfig&) const = default;
};
struct BmpConfig {
    std::string sys_name;  // Initiation sysName; empty: the host name
    std::vector<BmpCollectorConfig> collectors;
    bool operator==(const BmpConfig&) const = default;
};

struct Config {
    RouteServerConfig route_server;
    std::vector<PeerConfig> peers;
    std::optional<VirtualNetworkConfig> virtual_network;
    EmulatorConfig emulator;
    ApiConfig api;
    MrtConfig mrt;
    policy::Definitions policy;  // named sets and policies (control/policy)
    BmpConfig bmp;
    std::optional<rpki::RtrConfig> rpki;  // RPKI origin validation; none: every route's validity is unknown
    bool operator==(const Config&) const = default;

    [[nodiscard]] const PeerConfig* find_peer(std::string_view name) const;
    // route_server.router_id, or the first IPv4 listen address.
    [[nodiscard]] std::optional<net::Ipv4Address> effective_router_id() const;
    [[nodiscard]] std::uint32_t route_limit_of(const PeerConfig& p) const {
        return p.route_limit.value_or(route_server.route_limit);
    }
};

// What a ConfigError is about; lets the API choose a status (peer limit and duplicates are conflicts).
enum class ErrorKind : std::uint8_t {
    Syntax,         // not YAML, or not the expected type
    UnknownKey,     // a key the schema does not know
    Invalid,        // a value breaking a rule
    Missing,        // a required key is absent
    Duplicate,      // a name or address used twice
    LimitExceeded,  // more peers than route_server.max_peers
};

struct ConfigError {
    std::string path;  // "peers[2].asn"; empty for whole-document errors
    std::string message;
    ErrorKind kind = ErrorKind::Invalid;

    [[nodiscard]] std::string to_string() const { return path.empty() ? message : path + ": " + message; }
};
using Errors = std::vector<ConfigError>;
[[nodiscard]] std::string format_errors(const Errors& errors);  // one line per error

// Text → Config: parse + validate. Every error found is reported, in document order.
[[nodiscard]] Result<Config, Errors> load_text(std::string_view yaml);
[[nodiscard]] Result<Config, Errors> load_file(const std::string& path);

// Parse only (structure, types, unknown keys): `config` holds what could be read.
[[nodiscard]] Errors parse_yaml(std::string_view yaml, Config& config);
// The rules between values (see docs/configuration.md "Validation rules").
[[nodiscard]] Errors validate(const Config& config);
// route_server.placement resolved to Azure or Lab: Auto is Azure when a listen address lies inside an
// address space of virtual_network, Lab otherwise (and Lab without a virtual_network).
[[nodiscard]] Placement effective_placement(const Config& config);
// The listen addresses that lie outside every one of `address_spaces` (the modelled VNets'): a lab route
// server's, which routefabricd names once in its log at start.
[[nodiscard]] std::vector<net::IpAddress> listen_outside(const RouteServerConfig& rs,
                                                         const std::vector<net::Prefix>& address_spaces);
// Every address space of every VNet of virtual_network (empty without it).
[[nodiscard]] std::vector<net::Prefix> modelled_address_spaces(const Config& config);
// Rules for one peer against the others (used by validate() and by the API before adding a peer);
// `index` is its position in config.peers (used in paths).
[[nodiscard]] Errors validate_peer(const Config& config, std::size_t index);

// Config → YAML accepted by load_text() (round trip: load_text(to_yaml(c)) == c).
[[nodiscard]] std::string to_yaml(const Config& config);

// Writes `content` to `path` so that a crash at any moment leaves either the old or the new file: a
// temporary file in the same directory, fsync, rename over `path`, fsync of the directory. The file gets
// mode 0600 (it may hold MD5 passwords and the API token). Returns an error text on failure.
[[nodiscard]] std::optional<std::string> write_file_atomically(const std::string& path,
                                                               std::string_view content);
[[nodiscard]] std::optional<std::string> save_file(const std::string& path, const Config& config);

// The schema: every key the parser accepts, with its type, default and meaning. Paths use `[]` for list
// elements ("peers[].asn"). docs/configuration.md is checked against it by a unit test.
struct KeyInfo {
    std::string_view path;
    std::string_view type;
    std::string_view default_value;
    std::string_view description;
};
[[nodiscard]] const std::vector<KeyInfo>& schema();
// The reference table of docs/configuration.md, generated from schema().
[[nodiscard]] std::string schema_markdown();

}  // namespace rf::config
