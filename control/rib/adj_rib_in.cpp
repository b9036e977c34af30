#include "control/rib/adj_rib_in.hpp"

#include <algorithm>

#include "control/rib/best_path.hpp"
#include "control/rib/classified_update.hpp"
#include "control/rib/import_policy.hpp"
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

bool AdjRibIn::make_long_lived_stale(RibPeer& peer, const net::Prefix& p, std::uint32_t rx) {
    const PrefixPaths* paths = loc_rib_.find(p);
    const std::size_t at = paths == nullptr ? 0 : paths->find(peer.session, rx);
    if (paths == nullptr || at == paths->size()) {
        return false;
    }
    const AttrNode& node = *(*paths)[at].attrs;
    if (node.no_llgr) {
        remove_path(peer, p, rx);
        return false;
    }
    if (node.llgr_stale) {
        return true;
    }
    bgp::PathAttributes attrs = node.attrs;
    attrs.communities.push_back(bgp::community::LlgrStale);
    const AttrRef stale = attributes_.intern(attrs, node.mp_next_hops);
    add_path(peer, p, rx, stale);  // replaces the path in place of its session: always stored
    return true;
}

void AdjRibIn::apply(RibPeer& peer, const ClassifiedUpdate& classified, const bgp::Update& update,
                     PrefixCounts& counts) {
    for (const auto& w : classified.withdrawals) {
        remove_path(peer, w.prefix, w.rx);
        if (peer.pre_policy) {
            peer.pre_policy->erase(w.prefix, w.rx);
        }
    }
    if (classified.announcements.empty()) {
        return;
    }
    const auto count = [&counts](Outcome outcome, const AttrRef& attrs) {
        if (outcome == Outcome::Rejected) {
            counts.filter(FilterReason::Policy);
        } else if (outcome == Outcome::PathLimit) {
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
            count(announce(peer, a.prefix, a.rx, nlri_attrs), nlri_attrs);
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
        count(announce(peer, a.prefix, a.rx, mp_attrs), mp_attrs);
    }
}

AdjRibIn::Outcome AdjRibIn::announce(RibPeer& peer, const net::Prefix& p, std::uint32_t rx,
                                     const AttrRef& received) {
    if (!peer.pre_policy) {  // no import policy: the Adj-RIB-In is what the peer sent
        return add_path(peer, p, rx, received) ? Outcome::Stored : Outcome::PathLimit;
    }
    return import(peer, p, peer.pre_policy->store(p, rx, received));
}

AdjRibIn::Outcome AdjRibIn::import(RibPeer& peer, const net::Prefix& p, PrePolicyPath& pre) {
    const rpki::Validity validity =
        config_.origin_validity ? config_.origin_validity(p, pre.attrs->attrs) : rpki::Validity::Unknown;
    ImportResult r = evaluate_import(peer.import, p, *pre.attrs, validity, config_.local_asn);
    pre.note = r.note;
    if (!r.note.accepted) {
        remove_path(peer, p, pre.rx);  // a version it accepted before goes
        count_rejected(peer);
        return Outcome::Rejected;
    }
    if (!r.verdict.modified()) {
        return add_path(peer, p, pre.rx, pre.attrs) ? Outcome::Stored : Outcome::PathLimit;
    }
    const bgp::PathAttributes& attrs = r.verdict.attributes ? *r.verdict.attributes : pre.attrs->attrs;
    std::vector<net::IpAddress> mp = pre.attrs->mp_next_hops;
    if (r.verdict.next_hop && !r.verdict.next_hop->is_v4()) {
        mp.assign(1, *r.verdict.next_hop);  // a link-local next hop belonged to the old global one
    }
    return add_path(peer, p, pre.rx, attributes_.intern(attrs, mp)) ? Outcome::Stored : Outcome::PathLimit;
}

void AdjRibIn::count_rejected(RibPeer& peer) {
    ++peer.import_rejected;
    ++import_rejected_;
}

std::pair<std::size_t, std::size_t> AdjRibIn::reapply_import(RibPeer& peer) {
    if (peer.import.pass_through()) {
        if (peer.pre_policy) {  // every route as it was sent, rejected ones included
            std::size_t n = 0;
            peer.pre_policy->for_each([&](const net::Prefix& p, PrePolicyPath& pre) {
                add_path(peer, p, pre.rx, pre.attrs);
                ++n;
            });
            peer.pre_policy.reset();
            return {n, 0};
        }
        return {0, 0};
    }
    if (!peer.pre_policy) {  // it had no policy: its Adj-RIB-In holds the routes as sent
        peer.pre_policy = std::make_unique<PrePolicyIn>();
        peer.adj_rib_in.prefixes.for_each([&](const net::Prefix& p, const net::PrefixMapEmpty&) {
            const PrefixPaths* paths = loc_rib_.find(p);
            for (std::size_t i = 0; paths != nullptr && i < paths->size(); ++i) {
                if ((*paths)[i].session == peer.session) {
                    peer.pre_policy->store(p, (*paths)[i].rx_id, (*paths)[i].attrs);
                }
            }
        });
    }
    std::size_t evaluated = 0;
    std::size_t rejected = 0;
    peer.pre_policy->for_each([&](const net::Prefix& p, PrePolicyPath& pre) {
        ++evaluated;
        rejected += import(peer, p, pre) == Outcome::Rejected ? 1 : 0;
    });
    return {evaluated, rejected};
}

std::pair<std::size_t, std::size_t> AdjRibIn::reapply_import_where(
    RibPeer& peer, const std::function<bool(const net::Prefix&)>& covered) {
    if (!peer.pre_policy || peer.import.pass_through()) {
        return {0, 0};
    }
    std::size_t evaluated = 0;
    std::size_t rejected = 0;
    peer.pre_policy->for_each([&](const net::Prefix& p, PrePolicyPath& pre) {
        if (covered(p)) {
            ++evaluated;
            rejected += import(peer, p, pre) == Outcome::Rejected ? 1 : 0;
        }
    });
    return {evaluated, rejected};
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
    peer.pre_policy.reset();
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
