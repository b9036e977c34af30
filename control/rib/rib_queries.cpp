// The read-only queries of the route-server RIB (rib.hpp): Adj-RIB-In, Adj-RIB-Out, Loc-RIB entries,
// counts. None of them is on the UPDATE path.
#include <algorithm>
#include <tuple>

#include "control/rib/best_path.hpp"
#include "control/rib/families.hpp"
#include "control/rib/rib.hpp"
#include "control/rib/rib_tables.hpp"

namespace rf::rib {
namespace {

std::vector<net::IpAddress> route_next_hops(const AttrNode& a) {
    std::vector<net::IpAddress> nh = a.mp_next_hops;
    if (nh.empty() && a.attrs.next_hop) {
        nh.push_back(net::IpAddress::v4(*a.attrs.next_hop));
    }
    return nh;
}

std::string statement_name(const policy::StatementRef& r) {
    return r.policy.empty() ? std::string() : std::string(r.policy) + "/" + std::string(r.statement);
}

LearnedRoute learned(const net::Prefix& p, const AttrNode& a, std::uint32_t rx) {
    LearnedRoute r;
    r.prefix = p;
    r.attributes = a.attrs;
    r.next_hops = route_next_hops(a);
    r.eligible = !a.loops;
    r.path_id = rx;
    return r;
}

template <typename Route>
void sort_by_prefix_and_path_id(std::vector<Route>& routes) {
    std::sort(routes.begin(), routes.end(), [](const auto& x, const auto& y) {
        return std::tie(x.prefix, x.path_id) < std::tie(y.prefix, y.path_id);
    });
}

// Why the path at order[k] (k >= members) is not in the ECMP set order[0 .. members): select_ecmp's rules
// in its order — the LLGR_STALE and AS-path length boundaries, one path per neighbor, then the set's size
// limit.
EcmpStatus outside_ecmp_status(const DecisionProcess& d, const PathsView& s,
                               const std::vector<std::size_t>& order, std::size_t members, std::size_t k) {
    const StoredPath& p = s.paths[order[k]];
    if (p.attrs->llgr_stale != s.paths[order[0]].attrs->llgr_stale) {
        return EcmpStatus::LlgrStale;
    }
    if (p.attrs->as_path_length != s.paths[order[0]].attrs->as_path_length) {
        return EcmpStatus::LongerAsPath;
    }
    for (std::size_t m = 0; m < members; ++m) {
        if (d.neighbor_of(s.paths[order[m]]) == d.neighbor_of(p)) {
            return EcmpStatus::SameNeighbor;
        }
    }
    return EcmpStatus::PathLimit;
}

}  // namespace

std::vector<LearnedRoute> RouteServerRib::adj_rib_in(PeerId id) const {
    std::vector<LearnedRoute> out;
    const auto& t = *tables_;
    const RibPeer* peer = t.peers.find(id);
    if (peer == nullptr) {
        return out;
    }
    peer->adj_rib_in.prefixes.for_each([&](const net::Prefix& p, const net::PrefixMapEmpty&) {
        const PrefixPaths& paths = *t.loc_rib.find(p);
        for (std::size_t i = 0; i < paths.size(); ++i) {
            const StoredPath& path = paths[i];
            if (path.session == peer->session) {
                out.push_back(learned(p, *path.attrs, path.rx_id));
                out.back().stale = peer->stale.contains(p, path.rx_id);
            }
        }
    });
    sort_by_prefix_and_path_id(out);
    return out;
}

std::vector<LearnedRoute> RouteServerRib::adj_rib_in_received(PeerId id) const {
    const auto& t = *tables_;
    const RibPeer* peer = t.peers.find(id);
    if (peer == nullptr || !peer->pre_policy) {
        return adj_rib_in(id);
    }
    std::vector<LearnedRoute> out;
    peer->pre_policy->for_each([&](const net::Prefix& p, const PrePolicyPath& pre) {
        LearnedRoute r = learned(p, *pre.attrs, pre.rx);
        r.accepted = pre.note.accepted;
        r.decided_by = pre.note.required_policy_missing ? "rfc8212"
                                                        : std::string(policy::to_string(pre.note.decided_by));
        r.policy = std::string(pre.note.decision.policy);
        r.statement = std::string(pre.note.decision.statement);
        r.rewritten_by = statement_name(pre.note.rewritten_by);
        out.push_back(std::move(r));
    });
    sort_by_prefix_and_path_id(out);
    return out;
}

std::uint64_t RouteServerRib::import_rejected(PeerId id) const {
    const RibPeer* peer = tables_->peers.find(id);
    return peer == nullptr ? 0 : peer->import_rejected;
}

std::vector<AdvertisedRoute> RouteServerRib::adj_rib_out(PeerId id) const {
    std::vector<AdvertisedRoute> out;
    const auto& t = *tables_;
    const RibPeer* peer = t.peers.find(id);
    if (peer == nullptr || peer->group == nullptr) {  // restarting: it is sent nothing
        return out;
    }
    const UpdateGroup& g = *peer->group;
    std::vector<OutboundPath> routes;
    auto add = [&](const net::Prefix& p, const PathsView& s) {
        const int fi = family_index(p.afi);
        t.adj_rib_out.routes_for(g, p, fi, s, peer->neighbor, routes);
        for (const auto& r : routes) {
            if (r.attrs == nullptr) {
                std::vector<net::IpAddress> nh{*g.originated_next_hop(fi)};
                out.push_back(AdvertisedRoute{p, g.originated[fi], std::move(nh), kLocalPeer, r.id});
            } else {
                out.push_back(AdvertisedRoute{p, t.adj_rib_out.outbound_attributes(*r.attrs),
                                              route_next_hops(*r.attrs), r.source, r.id});
            }
        }
    };
    for (const auto& p : t.loc_rib.vnet_prefixes()) {
        add(p, t.loc_rib.view(p));
    }
    t.loc_rib.for_each([&](const net::Prefix& p, const PrefixPaths& paths) {
        if (!paths.vnet()) {
            add(p, view_of(paths));
        }
    });
    t.adj_rib_out.release_exported();
    sort_by_prefix_and_path_id(out);
    return out;
}

void RouteServerRib::for_each_path(
    const std::function<void(const net::Prefix&, PeerId, const bgp::PathAttributes&)>& f) const {
    const auto& t = *tables_;
    t.loc_rib.for_each([&](const net::Prefix& p, const PrefixPaths& paths) {
        for (std::size_t i = 0; i < paths.size(); ++i) {
            f(p, t.decision.source(paths[i]).cfg.id, paths[i].attrs->attrs);
        }
    });
}

std::optional<LocRibEntry> RouteServerRib::lookup(const net::Prefix& prefix) const {
    const auto& t = *tables_;
    const PrefixPaths* paths = t.loc_rib.find(prefix);
    if (paths == nullptr) {
        return std::nullopt;
    }
    const PathsView s = view_of(*paths);
    if (s.eligible == 0) {
        return std::nullopt;
    }
    // The ECMP set first, then the other eligible paths, each part in comparator order.
    std::vector<std::size_t> order;
    t.decision.select_ecmp(s, 0, [&](std::size_t i) { order.push_back(i); });
    const std::size_t members = order.size();
    for (std::size_t i = 0; i < s.eligible; ++i) {
        const auto set_end = order.begin() + static_cast<std::ptrdiff_t>(members);  // push_back moves it
        if (std::find(order.begin(), set_end, i) == set_end) {
            order.push_back(i);
        }
    }
    LocRibEntry e;
    e.prefix = prefix;
    const PathKey best = t.decision.key_of(s.paths[order[0]]);
    for (std::size_t k = 0; k < order.size(); ++k) {
        const StoredPath& p = s.paths[order[k]];
        const RibPeer& src = t.decision.source(p);
        LocRibPath path;
        path.peer = src.cfg.id;
        path.peer_address = src.cfg.address;
        path.attributes = p.attrs->attrs;
        path.next_hops = route_next_hops(*p.attrs);
        path.as_path_length = p.attrs->as_path_length;
        path.path_id = p.rx_id;
        path.peer_bgp_id = src.cfg.bgp_identifier;
        if (k > 0) {
            path.versus_best = compare_path_keys(best, t.decision.key_of(p)).step;
        }
        path.ecmp = k < members ? EcmpStatus::Member : outside_ecmp_status(t.decision, s, order, members, k);
        if (src.pre_policy) {
            if (const PrePolicyPath* pre = src.pre_policy->find(prefix, p.rx_id)) {
                path.rewritten_by = statement_name(pre->note.rewritten_by);
            }
        }
        path.stale = src.stale.contains(prefix, p.rx_id);
        e.paths.push_back(std::move(path));
    }
    e.ecmp_count = members;
    if (order.size() > 1) {
        e.decided_by =
            compare_path_keys(t.decision.key_of(s.paths[order[0]]), t.decision.key_of(s.paths[order[1]]))
                .step;
    }
    t.decision.ecmp_next_hops(s, e.next_hops);
    return e;
}

std::vector<net::Prefix> RouteServerRib::loc_rib_prefixes() const {
    std::vector<net::Prefix> out;
    out.reserve(tables_->loc_rib.eligible_prefixes());
    tables_->loc_rib.for_each([&](const net::Prefix& p, const PrefixPaths& paths) {
        if (paths.eligible() != 0) {
            out.push_back(p);
        }
    });
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t RouteServerRib::route_count(PeerId id) const {
    const RibPeer* peer = tables_->peers.find(id);
    return peer == nullptr ? 0 : peer->adj_rib_in.prefixes.size();
}

std::size_t RouteServerRib::ecmp_prefix_count(PeerId id) const {
    const RibPeer* peer = tables_->peers.find(id);
    return peer == nullptr ? 0 : peer->ecmp_prefixes;
}

std::optional<RouteLimitUsage> RouteServerRib::route_limit_usage(PeerId id) const {
    const RibPeer* peer = tables_->peers.find(id);
    if (peer == nullptr) {
        return std::nullopt;
    }
    RouteLimitUsage u;
    u.routes = peer->adj_rib_in.prefixes.size();
    u.limit = peer->cfg.route_limit;
    u.action = peer->cfg.limit_action;
    u.warning_percent = peer->cfg.warning_percent;
    u.warning_threshold = warning_threshold(u.limit, u.warning_percent);
    u.above_threshold = peer->limit_watch.above_threshold;
    u.above_limit = peer->limit_watch.above_limit;
    return u;
}

std::size_t RouteServerRib::stale_count(PeerId id) const {
    const RibPeer* peer = tables_->peers.find(id);
    return peer == nullptr ? 0 : peer->stale.size();
}

bool RouteServerRib::is_up(PeerId id) const {
    const RibPeer* peer = tables_->peers.find(id);
    return peer != nullptr && !peer->restarting;
}

std::optional<PeerConfig> RouteServerRib::peer_config(PeerId id) const {
    const RibPeer* peer = tables_->peers.find(id);
    return peer == nullptr || peer->restarting ? std::nullopt : std::optional<PeerConfig>(peer->cfg);
}

RibStats RouteServerRib::stats() const {
    const auto& t = *tables_;
    RibStats s;
    s.peers = t.peers.size();
    s.update_groups = t.adj_rib_out.groups().size();
    s.loc_rib_prefixes = t.loc_rib.eligible_prefixes();
    t.peers.for_each([&](const RibPeer& p) { s.adj_rib_in_routes += p.adj_rib_in.paths; });
    s.interned_attributes = t.attributes.size();
    s.delta_sequence = t.publisher.next_sequence();
    s.pending_deltas = t.publisher.pending();
    s.delta_refusals = t.publisher.refusals();
    s.route_limit_trips = t.route_limit_trips;
    s.route_limit_warnings = t.route_limit_warnings;
    s.route_limit_threshold_warnings = t.route_limit_threshold_warnings;
    s.import_rejected = t.adj_rib_in.import_rejected();
    t.peers.for_each(
        [&](const RibPeer& p) { s.pre_policy_routes += p.pre_policy ? p.pre_policy->size() : 0; });
    return s;
}

const RibConfig& RouteServerRib::config() const {
    return tables_->config;
}

}  // namespace rf::rib
