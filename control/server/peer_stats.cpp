#include "control/server/peer_stats.hpp"

namespace rf::server {

PeerCounters& PeerStats::of(const std::string& peer) {
    PeerCounters& c = peers_[peer];
    if (!c.configured) {
        c.configured = true;
        for (auto it = removed_order_.begin(); it != removed_order_.end(); ++it) {
            if (it->second == peer) {
                removed_order_.erase(it);
                break;
            }
        }
    }
    return c;
}

void PeerStats::removed(const std::string& peer) {
    const auto it = peers_.find(peer);
    if (it == peers_.end() || !it->second.configured) {
        return;
    }
    it->second.configured = false;
    it->second.up_since.clear();
    removed_order_.emplace(++removals_, peer);
    while (removed_order_.size() > kMaxRemembered) {
        peers_.erase(removed_order_.begin()->second);
        removed_order_.erase(removed_order_.begin());
    }
}

}  // namespace rf::server
