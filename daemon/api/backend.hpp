// api::Backend: what the REST API reads and changes in the running route server, as an abstract
// interface. routefabricd's implementation is api::DaemonBackend (daemon/api/daemon_backend.hpp: the peer
// manager, the RIB and the VNet model's effective routes); tests implement it with a fake. Values are plain
// and already shaped like the API's output, so the HTTP layer only renders.
//
// Threading: the API server calls these from its own thread, one call at a time. Implementations that
// own state on another thread (the daemon's io_context) must marshal the call there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "control/codec/result.hpp"
#include "daemon/bmp/collector_status.hpp"
#include "daemon/config/config.hpp"
#include "net/ip.hpp"

namespace rf::metrics {
class Registry;
}
namespace rf::config {
class ConfigStore;
}

namespace rf::api {

// Error codes of the API; each has one HTTP status and appears as {"error": {"code": "...", ...}}.
enum class ErrorCode : std::uint8_t {
    InvalidJson,       // 400: the body is not JSON
    InvalidField,      // 400: a field is missing, of the wrong type, or breaks a rule (field names it)
    InvalidPrefix,     // 400: a prefix in the path does not parse
    Unauthorized,      // 401: missing or wrong bearer token
    NotFound,          // 404: no such API route
    PeeringNotFound,   // 404
    VmNotFound,        // 404
    SubnetNotFound,    // 404
    RouteNotFound,     // 404: no Loc-RIB entry for the prefix
    MethodNotAllowed,  // 405
    DuplicatePeering,  // 409: name or address already used
    PeerLimitReached,  // 409: route_server.max_peers peers are configured
    PeeringRejected,   // 409: the peer manager refused the peer
    PayloadTooLarge,   // 413
    NotAvailable,      // 503: the component is not running (e.g. the emulator is disabled)
    Internal,          // 500: includes "configuration not saved"
};
[[nodiscard]] std::string_view to_string(ErrorCode code);
[[nodiscard]] unsigned http_status(ErrorCode code);

struct ApiError {
    ErrorCode code = ErrorCode::Internal;
    std::string message;  // says what happened and what to do
    std::string field;    // the offending field, when there is one ("peerAsn")
};

struct Unit {};

// GET /api/v1/routeserver
struct RouteServerInfo {
    std::uint32_t asn = 0;
    std::string router_id;
    std::vector<std::string> listen;  // the instances: RouteServiceRole_IN_<i> is listen[i]
    std::uint16_t port = 0;
    std::uint16_t keepalive = 0;
    std::uint16_t hold_time = 0;
    std::string mode;            // azure | transparent
    std::string route_counting;  // distinct | azure-strict
    bool branch_to_branch = true;
    bool four_byte_asn = false;
    std::uint32_t max_peers = 0;
    std::uint32_t route_limit = 0;
    std::size_t peers = 0;
    std::size_t established_sessions = 0;
    std::size_t loc_rib_prefixes = 0;
    std::uint64_t uptime_seconds = 0;
    std::string version;
};

// What a session negotiated at its last OPEN exchange (families as "ipv4-unicast").
struct NegotiatedInfo {
    bool route_refresh = false;           // RFC 2918
    bool enhanced_route_refresh = false;  // RFC 7313
    bool extended_message = false;        // RFC 8654
    std::size_t max_message_size = 4096;  // the largest UPDATE either way
    std::vector<std::string> add_path_receive;
    std::vector<std::string> add_path_send;
};

// Route refresh (RFC 2918) and enhanced route refresh (RFC 7313) counters of a session.
struct RefreshInfo {
    std::uint64_t requests_received = 0;
    std::uint64_t requests_sent = 0;
    std::uint64_t borr_received = 0;
    std::uint64_t eorr_received = 0;
    std::uint64_t borr_sent = 0;
    std::uint64_t eorr_sent = 0;
    std::uint64_t stale_timeouts = 0;     // no EoRR within route_server.refresh_stale_time
    std::uint64_t ignored = 0;            // unknown subtype, BoRR/EoRR without the capability, EoRR alone
    std::vector<std::string> refreshing;  // families between the peer's BoRR and EoRR now
    std::size_t stale_routes = 0;         // the peer's routes stale now
};

// Graceful restart (RFC 4724, RFC 8538) of a session: what the last OPENs negotiated and the helper's
// state now (families as "ipv4-unicast").
struct GracefulRestartInfo {
    bool negotiated = false;              // both OPENs carried the capability
    std::vector<std::string> families;    // the peer's families (those negotiated)
    std::vector<std::string> forwarding;  // of those, the ones with the peer's F bit
    std::uint16_t peer_restart_time = 0;  // seconds
    bool notification = false;            // N bit negotiated (RFC 8538)
    // Long-lived graceful restart (RFC 9494) negotiated: the peer's LLGR families with its Long-lived
    // Stale Time and F bit; empty: not negotiated.
    struct LongLivedFamily {
        std::string family;
        std::uint32_t stale_time = 0;  // seconds
        bool forwarding_preserved = false;
    };
    std::vector<LongLivedFamily> long_lived;
    std::string phase = "none";               // none | restarting | waiting-end-of-rib
    std::vector<std::string> stale_families;  // whose routes are kept stale now
    std::uint32_t seconds_left = 0;           // until the running timer purges them
    std::uint64_t hard_resets_sent = 0;       // our Ceases sent as Hard Reset
};

// One BGP session of a peering: one per route-server instance (listen address).
struct SessionInfo {
    std::string local_address;
    std::string state;        // Idle, Connect, Active, OpenSent, OpenConfirm, Established
    std::string last_reason;  // why it entered that state
    std::uint64_t established_count = 0;
    std::uint64_t route_limit_trips = 0;
    std::uint64_t updates_received = 0;
    std::uint64_t admin_resets = 0;  // reset by the operator (rfctl peering reset)
    // Route-limit usage of an established session (the RIB's count, rib::RouteLimitUsage).
    std::size_t routes = 0;
    bool above_warning_threshold = false;
    bool above_route_limit = false;  // route_limit_action warn: it holds more than its limit
    NegotiatedInfo capabilities;
    RefreshInfo refresh;
    GracefulRestartInfo graceful_restart;
};

// GET /api/v1/peerings[/{name}]: the configuration and the live state.
struct PeeringInfo {
    config::PeerConfig config;
    std::uint32_t route_limit = 0;  // effective (per-peer or the global one)
    std::size_t routes_received = 0;
    std::size_t warning_threshold = 0;  // the route count that warns (route_limit_warning_percent); 0: none
    std::vector<SessionInfo> sessions;
    std::string state;  // Established when any session is, else the most advanced session state
};

// POST /api/v1/peerings/{name}/reset: what the operator's reset did.
struct PeeringReset {
    std::string name;
    std::size_t reset = 0;      // established sessions sent Cease / Administrative Reset, routes withdrawn
    std::size_t restarted = 0;  // idle sessions (idle-hold after an error) started again at once
};

// One row of list-learned-routes / list-advertised-routes, with az's field names.
struct RouteRow {
    std::string local_address;  // the route-server instance that holds the route
    std::string network;        // prefix
    std::string next_hop;
    std::string source_peer;  // the peer the route came from (learned: the peering itself)
    std::string as_path;      // "65001 65002", sets as "{65003,65004}"
    std::string origin;  // EBgp for learned routes, as az shows them; Igp/Egp/Incomplete attribute kept below
    std::int32_t weight = 32768;
    // Filtered routes only: the import policy's verdict (decided_by as in rib::LearnedRoute).
    std::string policy;
    std::string statement;
    std::string decided_by;
    bool stale = false;  // learned: kept across the peer's restart or refresh, not announced again yet
    std::string rpki{};  // RPKI origin validity (RFC 6811): valid | invalid | not-found | unknown
};
// "RouteServiceRole_IN_0" → rows, "RouteServiceRole_IN_1" → rows, ... in instance order.
using RoutesByInstance = std::vector<std::pair<std::string, std::vector<RouteRow>>>;

// GET /api/v1/rib/{prefix}
struct RibPath {
    std::string peer;  // peering name ("local" for originated routes)
    std::string peer_address;
    std::vector<std::string> next_hops;
    std::string as_path;
    std::size_t as_path_length = 0;
    std::string origin;  // IGP | EGP | INCOMPLETE
    std::vector<std::string> communities;
    bool best = false;
    bool ecmp = false;              // member of the ECMP set
    bool stale = false;             // kept across its peer's restart or refresh, not announced again yet
    std::string rewritten_by = {};  // the import statement that rewrote it ("policy/statement"), if any
    // Why it ranks where it does (rib_decision.hpp): its peer's BGP identifier, the comparator step that
    // put it after the best path ("OnlyPath" for the best itself), its ECMP status ("Member", or the rule
    // that left it out: "LongerAsPath", "SameNeighbor", "PathLimit"). Empty when the backend has none.
    std::string peer_bgp_id = {};
    std::string decided_by = {};
    std::string ecmp_status = {};
    std::string rpki{};  // RPKI origin validity (RFC 6811): valid | invalid | not-found | unknown
};
struct RibEntryInfo {
    std::string prefix;
    std::vector<RibPath> paths;  // the ECMP set first (best first), then the other paths
    std::vector<std::string> ecmp_next_hops;
    std::string decided_by;  // the comparator step that put paths[0] before paths[1]
};

// GET /api/v1/vms/{name}/effective-routes, /api/v1/subnets/{name}/effective-routes: az network nic
// show-effective-route-table's rows.
struct EffectiveRouteRow {
    std::string source;  // Default, VirtualNetworkGateway, User
    std::string state;   // Active, Invalid
    std::vector<std::string> address_prefix;
    std::string next_hop_type;
    std::vector<std::string> next_hop_ip;
    std::string reason;  // why an Invalid route is not programmed
};
struct EffectiveRoutes {
    std::string name;   // the VM or "vnet/subnet"
    std::string table;  // the effective route table it uses
    std::vector<EffectiveRouteRow> routes;
};

// GET /api/v1/emulator/stats
struct EmulatorStats {
    bool running = false;
    std::uint32_t hosts = 0;
    std::uint32_t vms = 0;
    std::uint32_t workers = 0;
    std::vector<std::pair<std::string, std::uint64_t>> counters;  // name → value (packets, lookups, ...)
    struct Convergence {
        std::uint64_t events = 0;
        double last_seconds = 0;
        double p50_seconds = 0;
        double p99_seconds = 0;
        double max_seconds = 0;
    };
    std::optional<Convergence> convergence;
};

// GET /api/v1/emulator/convergence: the last convergence measurements, oldest first (bounded:
// convergence_history.hpp).
struct ConvergenceEvent {
    std::string time;       // when the measurement closed, ISO 8601 UTC with milliseconds
    std::string change;     // what changed: "update 10.1.0.0/24", "withdraw ...", "next hop 10.1.1.4 down"
    bool complete = false;  // every host converged (else it timed out)
    double seconds = 0;     // T0 to the last host forwarding on the new path (complete only)
    std::uint32_t hosts = 0;
    std::uint32_t hosts_converged = 0;
    bool next_hop_down = false;  // started by the RIB's next-hop-down hint (a peer went down)
};
struct ConvergenceHistory {
    std::size_t capacity = 0;    // the most events kept
    std::uint64_t recorded = 0;  // events recorded since start (the oldest are dropped past capacity)
    std::vector<ConvergenceEvent> events;
};
using BmpCollectors = std::vector<bmp_export::CollectorStatus>;
// GET /api/v1/rpki: RPKI origin validation (RFC 6811) and its RTR caches (RFC 8210).
struct RpkiCacheInfo {
    std::string address;
    std::uint16_t port = 0;
    std::uint32_t preference = 0;
    std::string state;   // standby | connecting | syncing | established | error | shutdown
    std::string detail;  // rtrlib's socket state
    std::uint32_t serial = 0;
    std::uint32_t session_id = 0;
    std::size_t roas = 0;
    std::optional<std::uint64_t> seconds_since_sync;  // none: never synchronised
};
struct RpkiInfo {
    bool enabled = false;  // an rpki section is configured
    std::string state;     // connecting | synced | stale | expired (empty when not enabled)
    bool usable = false;   // routes are validated (else their validity is unknown)
    std::size_t roas_v4 = 0;
    std::size_t roas_v6 = 0;
    std::uint32_t refresh_interval = 0;
    std::uint32_t retry_interval = 0;
    std::uint32_t expire_interval = 0;
    std::vector<RpkiCacheInfo> caches;
    // Held paths by validity now (a walk of the RIB).
    std::size_t routes_valid = 0;
    std::size_t routes_invalid = 0;
    std::size_t routes_not_found = 0;
    std::size_t routes_unknown = 0;
    // Re-validations since start: paths whose validity was computed again, and of those changed.
    std::uint64_t paths_revalidated = 0;
    std::uint64_t validity_changes = 0;
    // Re-validated paths by the validity they got.
    std::uint64_t revalidated_valid = 0;
    std::uint64_t revalidated_invalid = 0;
    std::uint64_t revalidated_not_found = 0;
    std::uint64_t revalidated_unknown = 0;
};

class Backend {
public:
    virtual ~Backend() = default;

    virtual RouteServerInfo info() = 0;
    virtual std::vector<PeeringInfo> peerings() = 0;
    virtual Result<PeeringInfo, ApiError> peering(std::string_view name) = 0;
    // Adds a peer at runtime. The API has already checked it against the configuration rules (reserved
    // ASNs, limit, duplicates); the peer manager may still refuse (PeeringRejected).
    virtual Result<PeeringInfo, ApiError> add_peer(const config::PeerConfig& peer) = 0;
    // Removes a peer: its sessions end with Cease / Peer De-configured, its routes are withdrawn.
    virtual Result<Unit, ApiError> remove_peer(std::string_view name) = 0;
    // The REST API's runtime changes: applied AND persisted through `store` before they return; on any
    // error neither the running peers nor the file changed. The default applies (add_peer / remove_peer),
    // then saves, and undoes the change when the save fails. routefabricd's backend runs the whole change
    // as one step of its serialised change path (config_changes.hpp), so a SIGHUP or another client's
    // change never falls between the apply and the save.
    virtual Result<PeeringInfo, ApiError> create_peering(const config::PeerConfig& peer,
                                                         config::ConfigStore& store);
    virtual Result<Unit, ApiError> delete_peering(const std::string& name, config::ConfigStore& store);
    // `clear bgp`: resets the peering's sessions now (Cease / Administrative Reset, RFC 4486 subcode 4),
    // its routes are withdrawn and it may reconnect at once. Changes no configuration.
    virtual Result<PeeringReset, ApiError> reset_peering(std::string_view name) = 0;
    virtual Result<RoutesByInstance, ApiError> learned_routes(std::string_view peering) = 0;
    // The routes the peering sent that its import policy rejected, each naming the policy and statement.
    virtual Result<RoutesByInstance, ApiError> filtered_routes(std::string_view peering) = 0;
    virtual Result<RoutesByInstance, ApiError> advertised_routes(std::string_view peering) = 0;
    virtual Result<RibEntryInfo, ApiError> rib_entry(const net::Prefix& prefix) = 0;
    // The whole RIB as an MRT TABLE_DUMP_V2 file (RFC 6396), the bytes to hand the client as they are.
    // The default answers NotAvailable (a backend without a RIB).
    virtual Result<std::string, ApiError> rib_dump_mrt();
    // RPKI origin validation. The default answers NotAvailable (a backend without a route server).
    virtual Result<RpkiInfo, ApiError> rpki();
    virtual Result<EffectiveRoutes, ApiError> vm_effective_routes(std::string_view vm) = 0;
    // `subnet` is "vnet/subnet" or a subnet name unique among the VNets.
    virtual Result<EffectiveRoutes, ApiError> subnet_effective_routes(std::string_view subnet) = 0;
    virtual Result<EmulatorStats, ApiError> emulator_stats() = 0;
    // The emulator's recent convergence measurements. The default answers NotAvailable (no emulator).
    virtual Result<ConvergenceHistory, ApiError> convergence_history();
    // The BMP collectors and their sessions (GET /api/v1/bmp). The default: none configured.
    virtual Result<BmpCollectors, ApiError> bmp_collectors();
    // Refreshes the metrics mirrored from the components (sessions by state, routes per peer, Loc-RIB
    // size, ...) just before /metrics is rendered.
    virtual void collect_metrics(metrics::Registry& registry) = 0;
};

// "RouteServiceRole_IN_<i>": the key az uses for route-server instance i.
[[nodiscard]] std::string instance_key(std::size_t i);

}  // namespace rf::api
