// The sessions the RIB knows: one RibPeer per established session, found by its PeerId or by the
// SessionIndex its stored paths carry.
#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "control/codec/shared_message.hpp"
#include "control/rib/adj_rib_in.hpp"
#include "control/rib/import_policy.hpp"
#include "control/rib/loc_rib.hpp"
#include "control/rib/rib.hpp"
#include "control/rib/route_limit.hpp"
#include "control/rib/stale_paths.hpp"

namespace rf::rib {

// A configured neighbor: PeerConfig::neighbor in the upper half when set, else the session's PeerId.
// 0 never names a neighbor ("exclude nobody").
using NeighborKey = std::uint64_t;

inline NeighborKey neighbor_key(const PeerConfig& c) {
    return c.neighbor != 0 ? ((NeighborKey{1} << 32) | c.neighbor) : NeighborKey{c.id};
}

struct UpdateGroup;

struct RibPeer {
    PeerConfig cfg;
    NeighborKey neighbor = 0;
    SessionIndex session = 0;
    unsigned families = 0;     // negotiated (families.hpp masks)
    unsigned add_path_rx = 0;  // families whose NLRI carry path identifiers from this peer
    UpdateGroup* group = nullptr;
    AdjRibInIndex adj_rib_in;
    RouteLimitWatch limit_watch;  // the threshold and limit warnings, once per crossing
    StalePaths stale;  // enhanced route refresh (RFC 7313) or graceful restart (RFC 4724) in progress
    // Graceful restart helper (RFC 4724 §4.2): the session is down but its paths stay (stale) until it
    // is back; it is in no update group and receives nothing.
    bool restarting = false;
    std::vector<bgp::SharedMessage> pending;  // to send, drained by RouteServerRib::drain_outbound()
    std::size_t ecmp_prefixes = 0;            // prefixes whose ECMP set holds one of its paths (finish_call)
    ImportPolicy import;                      // its chain and the RFC 8212 switch
    std::unique_ptr<PrePolicyIn> pre_policy;  // its routes as received, unless import.pass_through()
    std::uint64_t import_rejected = 0;        // routes its import policy rejected since it came up
};

class PeerTable {
public:
    [[nodiscard]] RibPeer* find(PeerId id) const {
        auto it = by_id_.find(id);
        return it == by_id_.end() ? nullptr : it->second.get();
    }

    // The session that sent a stored path.
    [[nodiscard]] const RibPeer& at(SessionIndex session) const { return *by_session_[session]; }
    [[nodiscard]] RibPeer& at(SessionIndex session) { return *by_session_[session]; }

    // Adds the peer and gives it a session index (the one freed last, if any).
    RibPeer& add(std::unique_ptr<RibPeer> peer) {
        RibPeer* raw = peer.get();
        if (!free_sessions_.empty()) {
            raw->session = free_sessions_.back();
            free_sessions_.pop_back();
            by_session_[raw->session] = raw;
        } else {
            assert(by_session_.size() < 0xFFFF && "at most 65,535 sessions at once");
            by_session_.push_back(raw);
            raw->session = static_cast<SessionIndex>(by_session_.size() - 1);
        }
        by_id_.emplace(raw->cfg.id, std::move(peer));
        return *raw;
    }

    // Forgets the peer; its session index may be given to the next peer. No stored path may name it.
    void remove(PeerId id) {
        auto it = by_id_.find(id);
        if (it == by_id_.end()) {
            return;
        }
        by_session_[it->second->session] = nullptr;
        free_sessions_.push_back(it->second->session);
        by_id_.erase(it);
    }

    [[nodiscard]] std::size_t size() const { return by_id_.size(); }

    template <typename F>  // f(RibPeer&)
    void for_each(F&& f) const {
        for (const auto& [id, peer] : by_id_) {
            f(*peer);
        }
    }
    template <typename F>  // f(const RibPeer&) -> bool
    [[nodiscard]] bool any_of(F&& f) const {
        for (const auto& [id, peer] : by_id_) {
            if (f(*peer)) {
                return true;
            }
        }
        return false;
    }

private:
    std::unordered_map<PeerId, std::unique_ptr<RibPeer>> by_id_;
    std::vector<RibPeer*> by_session_;  // nullptr: a free index
    std::vector<SessionIndex> free_sessions_;
};

}  // namespace rf::rib
