// The route server as a graceful restart helper (RFC 4724 §4.2, with RFC 8538 for NOTIFICATIONs): when a
// peer that negotiated graceful restart goes down without a NOTIFICATION (TCP loss, our hold timer), or
// with one other than Cease / Hard Reset when both sides set the N bit, its routes of the families in its
// capability stay, stale, in the RIB, at the other peers and in the FIB, for the peer's Restart Time.
// When it is back, the families its new OPEN lists with the Forwarding State bit wait for its End-of-RIB
// (at most the peer's stale_path_time); the others are purged at once. At End-of-RIB the routes not
// announced again are purged; so are all of them when a timer expires first.
//
// The RIB keeps and purges (RouteServerRib::retain_stale / purge_stale / peer_down); this class decides
// when, holds the timers and logs. Runs on the io thread with the route server that owns it.
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
// clang-format on
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "control/rib/rib.hpp"
#include "control/session/session.hpp"

namespace rf::server {

enum class GracefulRestartPhase : std::uint8_t {
    None,             // nothing kept for the peer
    Restarting,       // the peer is down, its routes stale, the Restart Time running
    WaitingEndOfRib,  // the peer is back, its stale routes wait for its End-of-RIB (stale_path_time)
    LongLived,        // the peer is still down after its Restart Time (or negotiated only LLGR): its
                      // routes kept LLGR_STALE for the long-lived stale time (RFC 9494)
};
std::string_view graceful_restart_phase_name(GracefulRestartPhase phase);

// One session's graceful restart, for the API.
struct GracefulRestartState {
    GracefulRestartPhase phase = GracefulRestartPhase::None;
    std::vector<bgp::AfiSafi> families;  // whose routes are stale now
    std::uint32_t seconds_left = 0;      // until the running timer purges them (0: none running)
};

struct GracefulRestartCounters {
    std::uint64_t restarts = 0;             // peer-downs whose routes were kept stale
    std::uint64_t restart_expiries = 0;     // the peer did not come back within its Restart Time
    std::uint64_t stale_expiries = 0;       // it came back but sent no End-of-RIB within stale_path_time
    std::uint64_t end_of_ribs = 0;          // End-of-RIBs that ended a restart for a family
    std::uint64_t purged_routes = 0;        // stale routes withdrawn (End-of-RIB, timers, missing F bit)
    std::uint64_t hard_resets = 0;          // peer-downs with a Hard Reset either way (routes withdrawn)
    std::uint64_t long_lived = 0;           // restarts that went on as long-lived graceful restart
    std::uint64_t long_lived_expiries = 0;  // the peer did not come back within the long-lived stale time
};

class GracefulRestartHelper {
public:
    using LogSink = std::function<void(const std::string&)>;
    // `changed` is called after a timer changed the RIB (the route server distributes what it queued).
    GracefulRestartHelper(boost::asio::io_context& io, rib::RouteServerRib& rib, LogSink log,
                          std::function<void()> changed);
    ~GracefulRestartHelper();
    GracefulRestartHelper(const GracefulRestartHelper&) = delete;
    GracefulRestartHelper& operator=(const GracefulRestartHelper&) = delete;

    // The session reached Established; call before RouteServerRib::peer_up. A restarting peer's families
    // missing from its new capability, or there without the F bit, are purged at once (RFC 4724 §4.2);
    // the rest wait for End-of-RIB, at most the peer's stale_path_time.
    void established(const session::Session& session, const session::EstablishedSession& negotiated);
    // The session went down. True when its routes were kept (RouteServerRib::retain_stale); false when
    // the caller must withdraw them (RouteServerRib::peer_down).
    bool down(const session::Session& session, const session::DownCause& cause);
    // The peer sent End-of-RIB for `family`: its routes of the family still stale are purged.
    void end_of_rib(const session::Session& session, bgp::AfiSafi family);
    // The session is removed with its peer: its routes go now, whatever was kept.
    void forget(rib::PeerId id);

    [[nodiscard]] GracefulRestartState state(rib::PeerId id) const;
    [[nodiscard]] const GracefulRestartCounters& counters() const { return counters_; }

private:
    struct Entry {
        std::string name;                                              // for the log
        std::optional<session::NegotiatedGracefulRestart> negotiated;  // at the last Established
        GracefulRestartPhase phase = GracefulRestartPhase::None;
        std::vector<bgp::AfiSafi> families;  // stale now
        std::unique_ptr<boost::asio::steady_timer> timer;
        std::uint64_t generation = 0;  // a timer armed for an earlier phase does nothing
        // Long-lived graceful restart (RFC 9494), set at down(): the families kept long-lived and for
        // how long (the shortest of the peer's Long-lived Stale Times and ours).
        std::vector<bgp::AfiSafi> long_lived_families;
        std::uint32_t long_lived_time = 0;
    };

    // The restarting peer's routes go long-lived stale (RFC 9494 §4.2): the families in
    // e.long_lived_families are kept with LLGR_STALE, the other stale ones purged. False when there is
    // nothing to keep long-lived.
    bool enter_long_lived(rib::PeerId id, Entry& e);

    void arm(rib::PeerId id, Entry& e, std::uint32_t seconds);
    void cancel(Entry& e);
    void on_timer(rib::PeerId id);
    void log(const std::string& line) const;

    boost::asio::io_context& io_;
    rib::RouteServerRib& rib_;
    LogSink log_;
    std::function<void()> changed_;
    std::unordered_map<rib::PeerId, Entry> entries_;
    GracefulRestartCounters counters_;
};

}  // namespace rf::server
