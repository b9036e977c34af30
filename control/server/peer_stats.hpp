// Per-peer counters of the route server, for the metrics: UPDATEs and NOTIFICATIONs, prefixes received,
// accepted and filtered (as the RIB judged them), flaps, and since when each session has been up. They
// are kept by peer name, apart from the peer and its sessions, so that a peer removed and added again
// under the same name (SIGHUP, API) continues its counters: Prometheus counters never go down.
//
// Threading: the io thread only, like the route server; a reader (the metrics scrape) copies them there.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "control/rib/rib.hpp"

namespace rf::server {

// A NOTIFICATION's key: direction, then the RFC 4271 error code and subcode as sent or received.
struct NotificationKey {
    bool sent = false;
    std::uint8_t code = 0;
    std::uint8_t subcode = 0;
    friend bool operator<(const NotificationKey& a, const NotificationKey& b) {
        return std::tie(a.sent, a.code, a.subcode) < std::tie(b.sent, b.code, b.subcode);
    }
};

struct PeerCounters {
    std::uint64_t updates_received = 0;  // UPDATE messages read from the peer, every session
    rib::PrefixCounts prefixes;          // what those UPDATEs announced and withdrew, as the RIB judged it
    std::uint64_t flaps = 0;             // a session left Established
    std::map<NotificationKey, std::uint64_t> notifications;
    // Sessions in Established now (by RIB peer id) and when they got there.
    std::map<rib::PeerId, std::chrono::steady_clock::time_point> up_since;
    bool configured = true;  // false: the peer was removed; its counters wait for it to come back
};

class PeerStats {
public:
    // At most this many removed peers keep their counters; beyond it, the one removed first is forgotten
    // (a name that comes back after that starts from zero, a counter reset Prometheus handles).
    static constexpr std::size_t kMaxRemembered = 64;

    // The peer's counters, created at zero on first use (configured again if it was removed).
    PeerCounters& of(const std::string& peer);
    // The peer was removed from the configuration: its sessions are down; the counters stay.
    void removed(const std::string& peer);
    [[nodiscard]] const std::map<std::string, PeerCounters>& all() const { return peers_; }

private:
    std::map<std::string, PeerCounters> peers_;
    std::map<std::uint64_t, std::string> removed_order_;  // removal sequence → name
    std::uint64_t removals_ = 0;
};

}  // namespace rf::server
