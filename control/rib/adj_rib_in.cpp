#include "control/rib/adj_rib_in.hpp"

#include <algorithm>

#include "control/rib/best_path.hpp"
#include "control/rib/classified_update.hpp"
#include "control/rib/loc_rib.hpp"
#include "control/rib/peers.hpp"

namespace rf::rib {

bool AdjRibIn::add_path(RibPeer& peer, const net::Prefix& p, std::uint32_t rx, const AttrRef& attrs) {
    PrefixPaths& paths = loc_rib_.touch(p);
    AdjRibInIndex& index = peer.adj_rib_in;
    std::uint16_t out_id = 0;
    const std::size_t at = paths.find(peer.session, rx);
    if (at != paths.size()) {
        out_id = paths[at].out_id;  // a replaced path keeps its identifier
        index.uncount_next_hop(paths[at].attrs->forwarding_next_hop);
        paths.erase(at);
    } else {
        const std::size_t mine = paths.count_of(peer.session);
        if (mine >= kMaxPathsPerSessionPrefix || paths.size() >= PrefixPaths::kMaxPaths) {
            return false;
        }
        out_id = paths.free_out_id();
        if (out_id == 0) {
            return false;
        }
        if (mine == 0) {
            index.prefixes.try_emplace(p);
        }
        ++index.paths;
    }
    index.count_next_hop(attrs->forwarding_next_hop);
    StoredPath path{attrs, rx, peer.session, out_id};
    const std::size_t pos = decision_.insert_position(paths, path);
    paths.insert(pos, std::move(path));
    return true;
}

void AdjRibIn::remove_path(RibPeer& peer, const net::Prefix& p, std::uint32_t rx) {
    const PrefixPaths* existing = loc_rib_.find(p);
    if (existing == nullptr || existing->find(peer.session, rx) == existing->size()) {
        return;
    }
    PrefixPaths& paths = loc_rib_.touch(p);  // the prefix exists: touch() does not move anything
    const std::size_t at = paths.find(peer.session, rx);
    AdjRibInIndex& index = peer.adj_rib_in;
    index.uncount_next_hop(paths[at].attrs->forwarding_next_hop);
    paths.erase(at);
    --index.paths;
    if (!paths.has_session(peer.session)) {
        index.prefixes.erase(p);
    }
}

void AdjRibIn::apply(RibPeer& peer, const ClassifiedUpdate& classified, const bgp::Update& update,
                     PrefixCounts& counts) {
    for (const auto& w : classified.withdrawals) {
        remove_path(peer, w.prefix, w.rx);
    }
    if (classified.announcements.empty()) {
        return;
    }
    const auto count = [&counts](bool stored, const AttrRef& attrs) {
        if (!stored) {
            counts.filter(FilterReason::PathLimit);
        } else if (attrs->loops) {
            counts.filter(FilterReason::AsLoop);
        } else {
            ++counts.accepted;
        }
    };
    AttrRef nlri_attrs;
    AttrRef mp_attrs;
    for (const auto& a : classified.announcements) {
        if (a.source == NlriSource::NlriField) {
            if (!nlri_attrs) {
                nlri_attrs = attributes_.intern(update.attributes, {});
            }
            count(add_path(peer, a.prefix, a.rx, nlri_attrs), nlri_attrs);
            continue;
        }
        if (!mp_attrs) {
            bgp::PathAttributes at = update.attributes;
            if (classified.mp_v4_next_hop) {
                at.next_hop = update.mp_reach->next_hops.front().as_v4();
                mp_attrs = attributes_.intern(at, {});
            } else {
                at.next_hop.reset();  // belongs to the IPv4 NLRI field, not to these routes
                mp_attrs = attributes_.intern(at, update.mp_reach->next_hops);
            }
        }
        count(add_path(peer, a.prefix, a.rx, mp_attrs), mp_attrs);
    }
}

void AdjRibIn::remove_all(RibPeer& peer) {
    peer.adj_rib_in.prefixes.for_each([&](const net::Prefix& p, const net::PrefixMapEmpty&) {
        PrefixPaths& paths = loc_rib_.touch(p);
        for (std::size_t i = paths.size(); i-- > 0;) {
            if (paths[i].session == peer.session) {
                paths.erase(i);
            }
        }
    });
    peer.adj_rib_in.clear();
}

std::vector<net::IpAddress> AdjRibIn::next_hops_only_of(const RibPeer& peer, const PeerTable& peers) {
    std::vector<net::IpAddress> out;
    for (const auto& entry : peer.adj_rib_in.next_hops) {
        const net::IpAddress& nh = entry.first;  // a named variable: lambdas may not capture bindings (C++20)
        const bool elsewhere = peers.any_of(
            [&](const RibPeer& other) { return &other != &peer && other.adj_rib_in.next_hops.contains(nh); });
        if (!elsewhere) {
            out.push_back(nh);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace rf::rib
