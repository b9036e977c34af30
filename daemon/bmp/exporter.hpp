// BMP export of the running route server (RFC 7854, RFC 9069): a route-server observer that turns what the
// route server reports into BMP messages for every configured collector (collector.hpp).
//
// Per collector, on connect (and again after every reset): Initiation (sysName, sysDescr), Peer Up for the
// Loc-RIB instance when it monitors the Loc-RIB, Peer Up for every established session, then the current
// tables it monitors — each session's pre-policy and post-policy Adj-RIB-In, the Loc-RIB — each followed by
// an End-of-RIB per family, then live messages: Peer Up / Peer Down as sessions come and go, Route
// Monitoring for every UPDATE received (pre-policy: the message as received), every UPDATE the RIB applied
// (post-policy: what it took, an AS-path loop or an RFC 7606 treat-as-withdraw as a withdrawal) and every
// best-path change (Loc-RIB), and Statistics Reports every statistics_interval.
//
// Threading: the io thread (observer calls, timers, collector I/O); status() from any thread. Each message
// is encoded once for all the collectors that want it, and not at all when none is up.
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
// clang-format on
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "control/bmp/bmp.hpp"
#include "control/server/route_server.hpp"
#include "daemon/bmp/collector.hpp"
#include "daemon/bmp/collector_status.hpp"

namespace rf::bmp_export {

struct CollectorConfig {
    Collector::Options connection;
    bool pre_policy = true;
    bool post_policy = false;
    bool loc_rib = false;
    std::chrono::seconds statistics_interval{60};  // 0: no Statistics Reports
    bool operator==(const CollectorConfig& o) const {
        const auto& a = connection;
        const auto& b = o.connection;
        return a.name == b.name && a.address == b.address && a.port == b.port &&
               a.buffer_bytes == b.buffer_bytes && a.connect_retry == b.connect_retry &&
               a.connect_retry_max == b.connect_retry_max && pre_policy == o.pre_policy &&
               post_policy == o.post_policy && loc_rib == o.loc_rib &&
               statistics_interval == o.statistics_interval;
    }
};

class Exporter final : public server::RouteServer::Observer {
public:
    using Log = std::function<void(bool warning, const std::string& line)>;
    Exporter(boost::asio::io_context& io, server::RouteServer& server, std::string sys_name,
             std::string sys_descr, Log log);
    ~Exporter() override;
    Exporter(const Exporter&) = delete;
    Exporter& operator=(const Exporter&) = delete;

    // io thread: the collectors to run. Unchanged ones keep their connection; the others are closed (with a
    // Termination when up) and the new ones connect.
    void configure(const std::vector<CollectorConfig>& collectors);
    // io thread, when the daemon begins to stop (after the peers' Peer Downs): a Termination queued behind
    // what each collector has waiting; each connection closes once it is written (no reconnect).
    void shutdown(const std::string& why);
    // io thread, after the io_context stopped: a Termination to every collector that is up and has
    // nothing waiting, written without waiting, then every connection closed.
    void terminate(const std::string& why);

    // Any thread.
    [[nodiscard]] std::vector<CollectorStatus> status() const;

    // server::RouteServer::Observer
    void on_message_received(const server::RouteServer::ReceivedMessage& m) override;
    void on_peer_up(const server::RouteServer::PeerUp& up) override;
    void on_peer_down(const server::RouteServer::PeerDown& down) override;
    void on_update_accepted(rib::PeerId session, const bgp::DecodedUpdate& update) override;
    void on_best_paths(std::span<const rib::BestPathChange> changes) override;
    [[nodiscard]] bool wants_best_paths() const override { return wants_loc_rib_; }

private:
    // A session that is up, as its BMP messages describe it.
    struct Session {
        bmp::Peer peer;  // the pre-policy per-peer header (table, timestamps set per message)
        net::IpAddress local;
        std::uint16_t local_port = 0;
        std::uint16_t remote_port = 0;
        std::vector<std::uint8_t> sent_open;
        std::vector<std::uint8_t> received_open;
        bgp::CodecOptions post_codec;  // the post-policy / dump encoding: four-octet AS, path ids as received
        std::uint64_t updates_treat_as_withdraw = 0;
        std::uint64_t prefixes_treat_as_withdraw = 0;
        std::uint64_t as_path_loops = 0;
    };
    struct Entry {
        CollectorConfig config;
        std::unique_ptr<Collector> collector;
        std::unique_ptr<boost::asio::steady_timer> stats_timer;
    };
    enum class Want : std::uint8_t { Any, PrePolicy, PostPolicy, LocRib };

    void add_collector(const CollectorConfig& c);
    void resync(Entry& e);  // exporter_resync.cpp
    void arm_statistics(Entry& e);
    void send_statistics(Entry& e);
    // Hands `out_` (`messages` messages) to every collector that is up and wants `what`; clears it.
    void flush(Want what, std::uint64_t messages);
    [[nodiscard]] bool anyone(Want what) const;
    [[nodiscard]] static bool wants(const CollectorConfig& c, Want what);
    [[nodiscard]] bmp::Peer loc_rib_peer() const;
    void encode_loc_rib_peer_up(std::vector<std::uint8_t>& out) const;
    void encode_peer_up(const Session& s, std::vector<std::uint8_t>& out) const;
    // Each BGP message in `bgp` wrapped in a Route Monitoring message for `peer`, appended to `out`.
    static std::uint64_t wrap(const bmp::Peer& peer, std::span<const std::uint8_t> bgp,
                              std::vector<std::uint8_t>& out);
    void refresh_wants();

    boost::asio::io_context& io_;
    server::RouteServer& server_;
    const std::string sys_name_;
    const std::string sys_descr_;
    Log log_;
    mutable std::mutex entries_mutex_;  // configure() (io thread) against status() (API thread)
    std::vector<Entry> entries_;
    std::unordered_map<rib::PeerId, Session> sessions_;
    bool wants_loc_rib_ = false;
    bool observing_ = false;
    bool replaying_ = false;  // add_observer() retells the sessions up: the collectors have them already
    std::vector<std::uint8_t> out_;      // the message(s) being built, reused
    std::vector<std::uint8_t> scratch_;  // BGP messages before wrapping, reused
};

// The per-peer header's time: now, in seconds and microseconds since the epoch.
void stamp_now(bmp::Peer& peer);

}  // namespace rf::bmp_export
