// The route server's session layer: listeners on one or more addresses, the configured peers (peer
// manager, design §2 peering rules), one Session per (peer, local address), the RIB and the fan-out of
// its outbound messages. Everything runs on one io_context thread; sessions never block each other
// (all socket I/O is asynchronous). See docs/pipeline.md.
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
// clang-format on
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "control/rib/rib.hpp"
#include "control/session/session.hpp"

namespace rf::session {

struct ServerConfig {
    std::uint32_t local_asn = 65515;
    net::Ipv4Address router_id;
    std::vector<net::IpAddress> listen_addresses;  // Azure runs two instances: two addresses is normal
    std::uint16_t port = 179;
    std::uint16_t hold_time = 180;
    std::uint16_t keepalive = 60;
    std::uint16_t connect_retry = 30;
    std::uint16_t idle_hold = 30;       // first idle-hold after an error (route limit, hold expiry …)
    std::uint16_t idle_hold_max = 300;  // back-off cap
    std::size_t max_peers = 8;
    bool four_octet_mode = false;
    std::size_t max_output_bytes = 256U
                                   << 20;  // per session; a slower reader is dropped (Cease/Out of Resources)
    rib::RibConfig rib;                    // mode, branch-to-branch, VNet prefixes + next hop
};

class RouteServer final : public SessionContext {
public:
    using TransitionObserver = std::function<void(const TransitionRecord&)>;
    using LogSink = std::function<void(const std::string&)>;

    RouteServer(boost::asio::io_context& io, ServerConfig config, fib::DeltaSink& sink);
    ~RouteServer() override;
    RouteServer(const RouteServer&) = delete;
    RouteServer& operator=(const RouteServer&) = delete;

    void set_transition_observer(TransitionObserver o) { observer_ = std::move(o); }
    void set_log_sink(LogSink s) { log_ = std::move(s); }

    // Binds every listen address (error text naming the address on failure) and starts the peers.
    std::optional<std::string> start();

    // Peer manager. add_peer checks the peering rules (error names the peer); remove_peer stops the
    // peer's sessions with Cease / Peer De-configured and withdraws its routes.
    std::optional<std::string> add_peer(PeerSettings peer);
    bool remove_peer(const net::IpAddress& address);
    [[nodiscard]] std::vector<PeerSettings> peers() const;

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

    [[nodiscard]] std::vector<SessionStatus> sessions() const;
    [[nodiscard]] const ServerConfig& config() const { return config_; }
    // The bound listen endpoints ("127.0.0.1:1790").
    [[nodiscard]] std::vector<std::string> listening() const;
    // Peer addresses for which installing TCP-MD5 failed with EPERM (no CAP_NET_ADMIN).
    [[nodiscard]] bool md5_unsupported() const { return md5_eperm_; }

    // SessionContext
    boost::asio::io_context& io() override { return io_; }
    rib::RouteServerRib& rib() override { return rib_; }
    const bgp::Open& local_open() override { return local_open_; }
    const OpenPolicy& policy_base() override { return policy_; }
    void transition(const TransitionRecord& record) override;
    void log(const std::string& line) override;
    void distribute() override;
    void register_rib_peer(rib::PeerId id, Session* session) override { by_rib_id_[id] = session; }
    void unregister_rib_peer(rib::PeerId id) override { by_rib_id_.erase(id); }
    std::size_t max_output_bytes() override { return config_.max_output_bytes; }
    void input_received(std::chrono::steady_clock::time_point at) override { sink_.input_received(at); }

private:
    struct Listener {
        net::IpAddress address;
        std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
    };
    struct Peer {
        std::shared_ptr<const PeerSettings> settings;
        std::uint32_t neighbor = 0;  // rib::PeerConfig::neighbor of its sessions; unique while configured
        std::map<net::IpAddress, std::shared_ptr<Session>> sessions;  // by our local address
    };

    void accept_next(Listener& l);
    void on_accept(boost::asio::ip::tcp::socket socket);
    std::shared_ptr<Session> make_session(Peer& peer, const net::IpAddress& local, bool connects_out);
    void install_md5(const PeerSettings& peer, bool remove);
    void start_peer(Peer& peer);
    FsmConfig fsm_config(const PeerSettings& peer) const;
    void poll_shutdown();

    boost::asio::io_context& io_;
    ServerConfig config_;
    fib::DeltaSink& sink_;
    rib::RouteServerRib rib_;
    bgp::Open local_open_;
    OpenPolicy policy_;
    std::vector<Listener> listeners_;
    std::map<net::IpAddress, Peer> peers_;
    std::unordered_map<rib::PeerId, Session*> by_rib_id_;
    rib::PeerId next_rib_id_ = 1;
    std::uint32_t next_neighbor_ = 1;  // never reused: a re-added peer is a new neighbor
    bool started_ = false;
    bool stopping_ = false;
    bool md5_eperm_ = false;
    TransitionObserver observer_;
    LogSink log_;
    std::vector<std::shared_ptr<Session>> retired_;
    std::unique_ptr<boost::asio::steady_timer> shutdown_timer_;
    std::function<void()> shutdown_done_;
    int shutdown_polls_ = 0;  // stopped sessions flushing their last NOTIFICATION
};

}  // namespace rf::session
