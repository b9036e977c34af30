// The route server: listeners on one or more addresses, the configured peers (peer manager, design §2
// peering rules), one Session per (peer, local address), and the RIB it owns. It is every session's
// SessionOwner: a session reports established / UPDATEs / ROUTE-REFRESH / down, and the route server
// makes the RIB calls, then hands each session the messages the RIB has for it. Everything runs on one
// io_context thread; sessions never block each other (all socket I/O is asynchronous). See
// docs/pipeline.md.
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
// clang-format on
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "control/azure/defaults.hpp"
#include "control/rib/rib.hpp"
#include "control/server/peer_stats.hpp"
#include "control/server/graceful_restart.hpp"
#include "control/rpki/origin_validation.hpp"
#include "control/session/session.hpp"

namespace rf::server {

struct ServerConfig {
    std::uint32_t local_asn = azure::kRouteServerAsn;
    net::Ipv4Address router_id;
    std::vector<net::IpAddress> listen_addresses;  // Azure runs two instances: two addresses is normal
    std::uint16_t port = azure::kBgpPort;
    std::uint16_t hold_time = azure::kHoldTime;
    std::uint16_t keepalive = azure::kKeepalive;
    std::uint16_t connect_retry = azure::kConnectRetry;
    std::uint16_t idle_hold =
        azure::kIdleHold;  // first idle-hold after an error (route limit, hold expiry …)
    std::uint16_t idle_hold_max = azure::kIdleHoldMax;  // back-off cap
    std::size_t max_peers = azure::kMaxPeers;
    bool four_octet_mode = false;
    // Per session; a slower reader is dropped (Cease / Out of Resources).
    std::size_t max_output_bytes = std::size_t{256} << 20U;
    // Extra connections from a configured peer's address (RFC 4271 §6.8, session_collision.cpp): how
    // many may wait for their OPEN at once per peer and listen address, and for how long.
    std::size_t max_extra_connections = 4;
    std::uint16_t extra_open_wait = 10;  // seconds
    // Enhanced route refresh (RFC 7313 §4): a peer's routes marked stale by its BoRR are purged this
    // long after it if no EoRR comes (FRR's default stale-path time).
    std::uint16_t refresh_stale_time = 360;  // seconds
    // Graceful restart, restarting-speaker side (RFC 4724 §4.1, route_server_restart.cpp): this start is
    // a restart of ours. Our OPENs carry the R bit, and nothing is advertised until every configured peer
    // is established and has sent End-of-RIB (peers without graceful restart, or with their own R bit,
    // are not waited for) or `selection_deferral_time` has passed; then every established peer gets its
    // whole table and End-of-RIB, and later OPENs carry the R bit clear. `forwarding_preserved`: the F
    // bit of every family, when our forwarding state survived our restart (never in routefabricd: the
    // FIB is rebuilt with the process).
    bool restarting = false;
    std::uint16_t selection_deferral_time = 360;  // seconds (FRR's select-defer-time)
    bool forwarding_preserved = false;
    // Connections from unknown addresses: the first `refused_log_burst` of each interval are logged
    // one by one, the rest as a count at the end of the interval.
    std::size_t refused_log_burst = 5;
    std::chrono::seconds refused_log_interval{60};
    rib::RibConfig rib;  // mode, branch-to-branch, VNet prefixes + next hop
    // RPKI origin validation (RFC 6811) from these RTR caches; none: every route's validity is Unknown.
    std::optional<rpki::RtrConfig> rpki;
};

// What the route server's RPKI re-validations did since start (route_server_rpki.cpp).
struct RpkiCounters {
    std::uint64_t batches = 0;                               // RTR batches and expiries applied
    std::uint64_t paths_revalidated = 0;                     // held paths whose validity was computed again
    std::array<std::uint64_t, 4> revalidated_by_validity{};  // ... by the validity they got (rpki::Validity)
    std::uint64_t validity_changes = 0;                      // of those, paths whose validity changed
    std::size_t last_changed_prefixes = 0;                   // prefixes with a changed path in the last batch
};

// Held paths by validity (a walk of the RIB: computed when asked).
struct RpkiRouteCounts {
    std::size_t not_found = 0;
    std::size_t valid = 0;
    std::size_t invalid = 0;
    std::size_t unknown = 0;
};

class RouteServer final : private session::SessionOwner {
public:
    using TransitionObserver = std::function<void(const session::TransitionRecord&)>;
    using LogSink = std::function<void(const std::string&)>;
    // Told just before an input goes to the RIB: an UPDATE read at `at` (each UPDATE of a read batch),
    // or a peer found down at `at`. The daemon attaches the convergence measurement's T0 here.
    using InputObserver = std::function<void(std::chrono::steady_clock::time_point at)>;
    // What the route server tells its observers (the daemon's MRT message log, its BMP export). Calls are
    // made on the io thread, must not block, and hand values valid only during the call; `session` is the
    // session's RIB peer id (Session::id). With no observer attached none of the values is built.
    struct ReceivedMessage {  // every message a session reads, before the session acts on it
        const session::PeerSettings& peer;
        const net::IpAddress& local;
        std::uint32_t local_asn;
        bool four_octet_as;
        std::span<const std::uint8_t> message;  // one whole BGP message, header included
        rib::PeerId session;
    };
    struct PeerUp {  // a session reached Established; told before its initial table goes out
        rib::PeerId session;
        const session::PeerSettings& peer;
        const net::IpAddress& local;
        std::uint16_t local_port;
        std::uint16_t remote_port;
        std::uint32_t peer_asn;
        net::Ipv4Address peer_id;
        const bgp::CodecOptions& codec;
        const bgp::Open& sent_open;
        const bgp::Open& received_open;
    };
    struct PeerDown {  // a session left Established; told before the RIB withdraws its routes
        rib::PeerId session;
        const session::PeerSettings& peer;
        session::Reason reason;  // of the transition that took it down
        // The NOTIFICATION that transition sent or received, if it sent or received one.
        std::optional<bgp::Notification> sent;
        std::optional<bgp::Notification> received;
    };
    class Observer {
    public:
        virtual ~Observer() = default;
        virtual void on_message_received(const ReceivedMessage& /*m*/) {}
        virtual void on_peer_up(const PeerUp& /*up*/) {}
        virtual void on_peer_down(const PeerDown& /*down*/) {}
        // An UPDATE the RIB applied (its route limit not tripped), with its RFC 7606 outcome: what the
        // peer's post-policy Adj-RIB-In took from it.
        virtual void on_update_accepted(rib::PeerId /*session*/, const bgp::DecodedUpdate& /*update*/) {}
        // The prefixes whose best path changed in one RIB call; only for observers that want them.
        virtual void on_best_paths(std::span<const rib::BestPathChange> /*changes*/) {}
        [[nodiscard]] virtual bool wants_best_paths() const { return false; }
    };

    RouteServer(boost::asio::io_context& io, ServerConfig config, fib::DeltaSink& sink);
    ~RouteServer() override;
    RouteServer(const RouteServer&) = delete;
    RouteServer& operator=(const RouteServer&) = delete;

    void set_transition_observer(TransitionObserver o) { observer_ = std::move(o); }
    void set_log_sink(LogSink s) { log_ = std::move(s); }
    void set_input_observer(InputObserver o) { input_observer_ = std::move(o); }
    // Observers are told in the order they were added; remove one before it dies. A new observer is first
    // told on_peer_up of every session already established.
    void add_observer(Observer& o);
    void remove_observer(Observer& o);

    // Binds every listen address (error text naming the address on failure) and starts the peers.
    std::optional<std::string> start();

    // Peer manager. add_peer checks the peering rules (error names the peer); remove_peer stops the
    // peer's sessions with Cease / Peer De-configured and withdraws its routes.
    std::optional<std::string> add_peer(session::PeerSettings peer);
    bool remove_peer(const net::IpAddress& address);
    [[nodiscard]] std::vector<session::PeerSettings> peers() const;

    // A peer's settings that apply without a reset: the route limit, its action (teardown | warn) and
    // warning threshold. `peer` names a configured peer by address and differs from its settings in those
    // fields only (the caller checks: limits_only_change). Established sessions keep their routes; one that
    // holds more than a new teardown limit is dropped with Cease / Maximum Number of Prefixes Reached.
    // False when no such peer is configured.
    bool update_route_limits(session::PeerSettings peer);

    // The operator's `clear` for one peer (rfctl peering reset): every established session of the peer
    // sends Cease / Administrative Reset (RFC 4486 subcode 4), its routes are withdrawn and it may
    // reconnect at once; a session waiting out an idle-hold starts again at once. Empty when no peer of
    // that name is configured.
    struct ResetResult {
        std::size_t reset = 0;      // established sessions reset
        std::size_t restarted = 0;  // idle sessions started again
    };
    std::optional<ResetResult> reset_peer(const std::string& name, const std::string& message);

    // Routing policy (control/policy) of a configured peer, by address: its import chain and RFC 8212's
    // switch (no chain: nothing accepted). Applied at once to the routes its established sessions sent,
    // kept as received (soft reconfiguration, peer_policy.cpp): no reset, no ROUTE-REFRESH; the changes
    // go out to the other peers and the FIB before this returns. False when no such peer is configured.
    struct PolicyUpdate {
        std::size_t sessions = 0;   // established sessions the policy was applied to
        std::size_t evaluated = 0;  // their routes evaluated again
        std::size_t rejected = 0;   // of them, rejected
    };
    std::optional<PolicyUpdate> set_import_policy(const net::IpAddress& peer, policy::Chain chain,
                                                  bool policy_required);
    // Its export chain: each established session moves to the update group of the new chain and is sent
    // at once only what the change makes it receive differently (withdrawals, announcements), no reset.
    // RFC 8212's switch (set_import_policy) covers export too: no export chain, no learned route sent.
    // False when no such peer is configured.
    bool set_export_policy(const net::IpAddress& peer, policy::Chain chain);

    // Design §2 "VNet changes": replaces the advertised VNet address spaces (adding or removing a VNet
    // peering that uses this route server changes them). The differences are announced/withdrawn to every
    // established peer at once; then every NVA is asked for its routes again: ROUTE-REFRESH (RFC 2918) to
    // the peers that negotiated route refresh, and a reset with NOTIFICATION Cease / Other Configuration
    // Change (RFC 4486 subcode 6) for those that did not (they reconnect at once). Nothing is sent when the
    // set is unchanged. Returns what was done.
    struct VnetUpdate {
        std::size_t refreshed = 0;  // sessions sent ROUTE-REFRESH
        std::size_t reset = 0;      // sessions reset
        bool changed = false;
    };
    VnetUpdate set_vnet_prefixes(std::vector<net::Prefix> prefixes);

    // Graceful shutdown: Cease / Administrative Shutdown (RFC 8203 `message`) to every peer, listeners
    // closed; `done` runs once every connection has flushed (or after a bounded wait).
    void shutdown(const std::string& message, std::function<void()> done);

    // RPKI (route_server_rpki.cpp). set_rpki starts validating with the given caches (replacing the RTR
    // client and its table when they differ), or stops (nullopt: every route Unknown again); the held
    // routes are re-validated as the new table arrives. An error text when rtrlib refuses the caches.
    std::optional<std::string> set_rpki(std::optional<rpki::RtrConfig> config);
    // The validity of a route with these attributes now (RFC 6811; Unknown without a usable table): the
    // one function the import policy and the queries ask.
    [[nodiscard]] rpki::Validity rpki_validity(const net::Prefix& prefix,
                                               const bgp::PathAttributes& attrs) const;
    [[nodiscard]] std::optional<rpki::RpkiStatus> rpki_status() const;
    [[nodiscard]] const RpkiCounters& rpki_counters() const { return rpki_counters_; }
    [[nodiscard]] RpkiRouteCounts rpki_route_counts() const;

    [[nodiscard]] std::vector<session::SessionStatus> sessions() const;
    [[nodiscard]] const ServerConfig& config() const { return config_; }
    [[nodiscard]] const rib::RouteServerRib& rib() const { return rib_; }
    // Graceful restart helper state of a session (by its RIB id) and the counters over all sessions.
    [[nodiscard]] GracefulRestartState graceful_restart(rib::PeerId id) const {
        return graceful_restart_.state(id);
    }
    [[nodiscard]] const GracefulRestartCounters& graceful_restart_counters() const {
        return graceful_restart_.counters();
    }
    // Our own restart (ServerConfig::restarting): true while our advertisements are deferred.
    [[nodiscard]] bool deferring() const { return deferring_; }
    // The bound listen endpoints ("127.0.0.1:1790").
    [[nodiscard]] std::vector<std::string> listening() const;
    // Peer addresses for which installing TCP-MD5 failed with EPERM (no CAP_NET_ADMIN).
    [[nodiscard]] bool md5_unsupported() const { return md5_eperm_; }
    // Connections refused since start because their source is not a configured peer.
    [[nodiscard]] std::uint64_t refused_connections() const { return refused_connections_; }
    // Per-peer counters (UPDATEs, prefixes, NOTIFICATIONs, flaps, uptime), kept across a peer's removal
    // and re-creation under the same name (peer_stats.hpp).
    [[nodiscard]] const PeerStats& peer_stats() const { return stats_; }

private:
    // What on_peer_up told of an established session, for observers added later.
    struct UpInfo {
        std::uint16_t local_port = 0;
        std::uint16_t remote_port = 0;
        std::uint32_t peer_asn = 0;
        net::Ipv4Address peer_id;
        bgp::CodecOptions codec;
        bgp::Open received_open;
    };
    struct Listener {
        net::IpAddress address;
        std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
    };
    struct Peer {
        std::shared_ptr<const session::PeerSettings> settings;
        std::uint32_t neighbor = 0;   // rib::PeerConfig::neighbor of its sessions; unique while configured
        policy::Chain import_policy;  // given to each session's RIB peer when it comes up
        policy::Chain export_policy;  // likewise
        bool policy_required = false;
        std::map<net::IpAddress, std::shared_ptr<session::Session>> sessions;  // by our local address
        PeerCounters* counters = nullptr;  // in stats_, by name: outlives the peer
    };

    // SessionOwner: what the sessions report.
    void on_established(session::Session& session, const session::EstablishedSession& negotiated) override;
    std::size_t on_updates(session::Session& session, session::UpdateBatch& batch) override;
    void on_route_refresh(session::Session& session, bgp::AfiSafi family) override;
    void on_refresh_begin(session::Session& session, bgp::AfiSafi family) override;
    void on_refresh_end(session::Session& session, bgp::AfiSafi family, bool timed_out) override;
    void on_down(session::Session& session, session::TimePoint at, const session::DownCause& cause) override;
    void on_input_handled(session::Session& session) override;
    void on_transition(const session::TransitionRecord& record) override;
    void on_log(const std::string& line) override;
    void on_message_received(session::Session& session, std::span<const std::uint8_t> message,
                             bool four_octet_as) override;
    void on_notification(session::Session& session, const bgp::Notification& n, bool sent) override;
    // The counters of the session's peer; null for a session of a peer no longer configured.
    PeerCounters* counters_of(const session::Session& session);

    // Hands every session the messages the RIB queued for it (MRAI 0), and lets go of removed peers'
    // sessions whose last NOTIFICATION has gone out.
    void distribute();
    void log(const std::string& line);
    void accept_next(Listener& l);
    void on_accept(boost::asio::ip::tcp::socket socket);
    void refuse_unknown(const boost::asio::ip::tcp::endpoint& remote);
    void log_refused_count();
    std::shared_ptr<session::Session> make_session(Peer& peer, const net::IpAddress& local,
                                                   bool connects_out);
    void install_md5(const session::PeerSettings& peer, bool remove);
    void start_peer(Peer& peer);
    // Logs the route-limit warnings of an UPDATE's (or a limit change's) result, once per crossing.
    void log_route_limit(const session::Session& session, const rib::UpdateResult& r);
    [[nodiscard]] session::FsmConfig fsm_config(const session::PeerSettings& peer) const;
    // route_server_restart.cpp: the restarting speaker's deferral (ServerConfig::restarting).
    void start_deferral();
    void check_deferral();
    void end_deferral(const std::string& why);
    void poll_shutdown();
    void watch_best_paths();
    void report_peer_down(const session::Session& session);
    void report_peer_up(Observer& o, const session::Session& session, const UpInfo& info) const;
    // Applies an RTR batch (or an expiry) and re-validates the held paths it can change.
    void on_rpki_batch(const rpki::RtrBatch& batch);

    boost::asio::io_context& io_;
    ServerConfig config_;
    rib::RouteServerRib rib_;
    GracefulRestartHelper graceful_restart_;  // after rib_: destroyed (timers cancelled) before it
    bgp::Open local_open_;
    session::OpenPolicy policy_;
    std::vector<Listener> listeners_;
    std::map<net::IpAddress, Peer> peers_;
    std::unordered_map<rib::PeerId, session::Session*> established_;  // by RIB peer id (Session::id)
    std::unordered_map<rib::PeerId, UpInfo> up_info_;
    rib::PeerId next_rib_id_ = 1;
    std::uint32_t next_neighbor_ = 1;  // never reused: a re-added peer is a new neighbor
    bool started_ = false;
    bool stopping_ = false;
    bool md5_eperm_ = false;
    bool deferring_ = false;  // our restart: nothing is advertised yet (route_server_restart.cpp)
    std::unique_ptr<boost::asio::steady_timer> deferral_timer_;
    TransitionObserver observer_;
    LogSink log_;
    InputObserver input_observer_;
    std::vector<Observer*> observers_;
    std::vector<std::shared_ptr<session::Session>> retired_;
    std::unique_ptr<boost::asio::steady_timer> shutdown_timer_;
    std::function<void()> shutdown_done_;
    int shutdown_polls_ = 0;  // stopped sessions flushing their last NOTIFICATION
    std::uint64_t refused_connections_ = 0;
    PeerStats stats_;
    session::LogRateLimit refused_log_;
    boost::asio::steady_timer refused_log_timer_;  // reports the count not logged
    bool refused_log_armed_ = false;
    std::unique_ptr<rpki::OriginValidation> rpki_;
    RpkiCounters rpki_counters_;
};

}  // namespace rf::server
