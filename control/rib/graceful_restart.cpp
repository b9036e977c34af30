// Graceful restart helper in the RIB (RFC 4724 §4.2): a peer's paths kept, stale, while its session is
// down, and taken up again when it is back. When to keep, for how long and when to purge is the route
// server's (control/server/graceful_restart.*); the stale marking is StalePaths', shared with enhanced
// route refresh.
#include <algorithm>

#include "control/rib/families.hpp"
#include "control/rib/rib.hpp"
#include "control/rib/rib_tables.hpp"

namespace rf::rib {

void RouteServerRib::Tables::remove_family(RibPeer& peer, int fi) {
    // Marking every path of the family and taking the marks out lists them in a fixed order; a stale
    // marking of another family is untouched.
    peer.stale.mark(peer, fi, loc_rib);
    for (const StaleKey& k : peer.stale.take(fi)) {
        adj_rib_in.remove_path(peer, k.prefix, k.rx);
    }
}

RibPeer* RouteServerRib::Tables::resume_restarting(const PeerConfig& cfg) {
    RibPeer* peer = peers.find(cfg.id);
    if (peer == nullptr || !peer->restarting) {
        return nullptr;
    }
    const unsigned families = family_mask(cfg.families);
    const unsigned add_path_rx = family_mask(cfg.codec.add_path_receive) & families;
    // The stored paths are ordered by the comparator's keys of their session (identifier, address) and
    // keyed by received path id: a peer that comes back as somebody else starts afresh.
    if (cfg.address != peer->cfg.address || cfg.bgp_identifier != peer->cfg.bgp_identifier ||
        neighbor_key(cfg) != peer->neighbor ||
        (add_path_rx & peer->families) != (peer->add_path_rx & families)) {
        return nullptr;
    }
    bool removed = false;
    for (int fi = 0; fi < kFamilyCount; ++fi) {
        if ((peer->families & family_bit(fi)) != 0 && (families & family_bit(fi)) == 0) {
            remove_family(*peer, fi);
            removed = true;
        }
    }
    if (removed) {
        finish_call();
    }
    peer->cfg = cfg;
    peer->families = families;
    peer->add_path_rx = add_path_rx;
    peer->restarting = false;
    peer->pending.clear();
    adj_rib_out.groups().join(*peer);
    return peer;
}

std::size_t RouteServerRib::retain_stale(PeerId id, const std::vector<bgp::AfiSafi>& families) {
    finish_staged();
    auto& t = *tables_;
    RibPeer* peer = t.peers.find(id);
    if (peer == nullptr || peer->restarting) {
        return 0;
    }
    t.adj_rib_out.groups().leave(*peer);  // nothing more is sent to it
    peer->pending.clear();
    peer->restarting = true;
    const unsigned keep = family_mask(families) & peer->families;
    for (int fi = 0; fi < kFamilyCount; ++fi) {
        if ((keep & family_bit(fi)) != 0) {
            peer->stale.mark(*peer, fi, t.loc_rib);
        } else {
            t.remove_family(*peer, fi);
        }
    }
    t.finish_call();
    return peer->stale.size();
}

std::size_t RouteServerRib::enter_long_lived(PeerId id, const std::vector<bgp::AfiSafi>& families) {
    finish_staged();
    auto& t = *tables_;
    RibPeer* peer = t.peers.find(id);
    if (peer == nullptr || !peer->restarting) {
        return 0;
    }
    std::size_t kept = 0;
    const unsigned mask = family_mask(families);
    for (int fi = 0; fi < kFamilyCount; ++fi) {
        if ((mask & family_bit(fi)) == 0) {
            continue;
        }
        // Taken out in prefix order, changed, and marked again: every path of the family left is stale.
        for (const StaleKey& k : peer->stale.take(fi)) {
            if (t.adj_rib_in.make_long_lived_stale(*peer, k.prefix, k.rx)) {
                ++kept;
            }
        }
        peer->stale.mark(*peer, fi, t.loc_rib);
    }
    t.finish_call();
    return kept;
}

std::vector<bgp::SharedMessage> RouteServerRib::full_table(PeerId id) {
    finish_staged();
    RibPeer* peer = tables_->peers.find(id);
    if (peer == nullptr || peer->restarting) {
        return {};
    }
    return tables_->adj_rib_out.initial_table(*peer, peer->families, true);
}

bool RouteServerRib::is_restarting(PeerId id) const {
    const RibPeer* peer = tables_->peers.find(id);
    return peer != nullptr && peer->restarting;
}

}  // namespace rf::rib
