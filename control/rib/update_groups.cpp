#include "control/rib/update_groups.hpp"

namespace rf::rib {
namespace {

void add_member(UpdateGroup& g, RibPeer& peer) {
    g.members.push_back(&peer);
    g.member_neighbors.insert(
        std::upper_bound(g.member_neighbors.begin(), g.member_neighbors.end(), peer.neighbor), peer.neighbor);
}

}  // namespace

GroupKey UpdateGroups::key_for(const PeerConfig& c, unsigned families) const {
    GroupKey k;
    k.four_octet_as = c.codec.four_octet_as;
    k.extended_message = c.codec.extended_message;
    k.add_path_send = c.codec.add_path_send;
    std::sort(k.add_path_send.begin(), k.add_path_send.end());
    k.families = families;
    k.nh_v4 = config_.vnet_next_hop_v4 ? config_.vnet_next_hop_v4 : c.local_address_v4;
    k.nh_v6 = config_.vnet_next_hop_v6 ? config_.vnet_next_hop_v6 : c.local_address_v6;
    if (k.nh_v4 && !k.nh_v4->is_v4()) {
        k.nh_v4.reset();
    }
    if (k.nh_v6 && k.nh_v6->is_v4()) {
        k.nh_v6.reset();
    }
    k.asn = config_.suppress_peer_as_in_path ? c.asn : 0;
    k.export_chain = c.export_policy;
    k.export_blocked = c.export_policy.empty() && c.policy_required;
    k.long_lived = c.long_lived_graceful_restart;
    return k;
}

UpdateGroup& UpdateGroups::join(RibPeer& peer) {
    const GroupKey k = key_for(peer.cfg, peer.families);
    for (auto& g : groups_) {
        if (g->key == k) {
            add_member(*g, peer);
            peer.group = g.get();
            return *g;
        }
    }
    auto g = std::make_unique<UpdateGroup>();
    g->key = k;
    g->codec = peer.cfg.codec;
    g->add_path = family_mask(k.add_path_send);
    g->export_policy = !k.exports_all();
    for (int fi = 0; fi < kFamilyCount; ++fi) {
        auto& a = g->originated[fi];
        a.origin = bgp::Origin::Igp;
        // Our own route: the RS ASN is its path in either AS-path mode.
        a.as_path = bgp::AsPath{{bgp::AsSegment{bgp::AsSegmentType::Sequence, {config_.local_asn}}}};
        if (fi == 0 && k.nh_v4) {
            a.next_hop = k.nh_v4->as_v4();
        }
    }
    add_member(*g, peer);
    groups_.push_back(std::move(g));
    peer.group = groups_.back().get();
    return *groups_.back();
}

std::unique_ptr<UpdateGroup> UpdateGroups::leave(RibPeer& peer) {
    UpdateGroup* g = peer.group;
    std::unique_ptr<UpdateGroup> emptied;
    if (g == nullptr) {
        return emptied;
    }
    std::erase(g->members, &peer);
    auto it = std::lower_bound(g->member_neighbors.begin(), g->member_neighbors.end(), peer.neighbor);
    if (it != g->member_neighbors.end() && *it == peer.neighbor) {
        g->member_neighbors.erase(it);
    }
    if (g->members.empty()) {
        const auto at = std::find_if(groups_.begin(), groups_.end(),
                                     [g](const std::unique_ptr<UpdateGroup>& x) { return x.get() == g; });
        emptied = std::move(*at);
        groups_.erase(at);
    }
    peer.group = nullptr;
    return emptied;
}

}  // namespace rf::rib
