// The public calls of the route-server RIB: each runs named steps over the parts in rib_tables.hpp and
// ends with Tables::finish_call(). The queries are in rib_queries.cpp.
#include "control/rib/rib.hpp"

#include <algorithm>
#include <cassert>
#include <set>
#include <utility>

#include "control/rib/classified_update.hpp"
#include "control/rib/families.hpp"
#include "control/rib/rib_tables.hpp"
#include "control/rib/route_limit.hpp"

namespace rf::rib {
namespace {

RibConfig normalized(RibConfig c) {
    c.max_ecmp_paths = std::max<std::size_t>(c.max_ecmp_paths, 1);
    return c;
}

}  // namespace

RouteServerRib::Tables::Tables(RibConfig c, fib::DeltaSink& sink)
    : config(normalized(std::move(c))),
      attributes(config.local_asn),
      loc_rib(config.vnet_prefixes),
      decision(peers, config.max_ecmp_paths),
      adj_rib_in(config, loc_rib, decision, attributes),
      adj_rib_out(config, decision, loc_rib, attributes),
      publisher(sink) {}

void RouteServerRib::Tables::take_down(PeerId id) {
    RibPeer* peer = peers.find(id);
    if (peer == nullptr) {
        return;
    }
    adj_rib_out.groups().leave(*peer);  // nothing more is sent to it
    // Before the sweep: a FIB can take these next hops out of its ECMP groups while the RIB still works
    // out every prefix's new set (the batch below).
    if (const auto dead = AdjRibIn::next_hops_only_of(*peer, peers); !dead.empty()) {
        publisher.next_hops_down(dead);
    }
    adj_rib_in.remove_all(*peer);
    finish_call();
    peers.remove(id);  // only now: the recorded paths of the sweep named its session until finish_call()
}

void RouteServerRib::Tables::watch_route_limit(RibPeer& peer, std::size_t count, UpdateResult& result) {
    const RouteLimitCrossing crossed =
        peer.limit_watch.observe(count, peer.cfg.route_limit, peer.cfg.warning_percent);
    result.threshold_crossed = crossed.threshold;
    result.limit_crossed = crossed.limit;  // past the limit and still up: the action is Warn
    route_limit_threshold_warnings += crossed.threshold ? 1 : 0;
    route_limit_warnings += crossed.limit ? 1 : 0;
}

void RouteServerRib::Tables::finish_call() {
    call_open = false;
    std::vector<PrefixChange> changes;
    std::vector<fib::RouteDelta> deltas;
    std::vector<net::IpAddress> nh_before;
    std::vector<net::IpAddress> nh_after;
    std::vector<BestPathChange> best_changes;
    loc_rib.for_each_touched([&](const net::Prefix& p, const PathsView& before, const PathsView& after) {
        if (same_paths(before, after)) {
            return;
        }
        if (best_path_observer) {
            note_best_path_change(p, before, after, best_changes);
        }
        // Each session's share of the ECMP sets (ecmp_prefix_count), on the same pass: the members before
        // leave, those after join. Sessions taken down in this call are still in the table (take_down
        // removes them after finish_call).
        decision.ecmp_next_hops(before, nh_before,
                                [&](const StoredPath& m) { --peers.at(m.session).ecmp_prefixes; });
        decision.ecmp_next_hops(after, nh_after,
                                [&](const StoredPath& m) { ++peers.at(m.session).ecmp_prefixes; });
        if (nh_after != nh_before) {
            deltas.push_back(fib::RouteDelta{0, p, nh_after});
        }
        changes.push_back(PrefixChange{p, before, after});
        loc_rib.count_eligible(before, after);
    });
    if (!changes.empty()) {
        adj_rib_out.queue_changes(changes);
    }
    if (!best_changes.empty()) {
        best_path_observer(best_changes);  // before end_call(): the recorded paths are still alive
    }
    loc_rib.end_call();
    publisher.publish(std::move(deltas));
}

void RouteServerRib::Tables::note_best_path_change(const net::Prefix& p, const PathsView& before,
                                                   const PathsView& after, std::vector<BestPathChange>& out) {
    const StoredPath* was = before.eligible != 0 ? &before.paths[0] : nullptr;
    const StoredPath* now = after.eligible != 0 ? &after.paths[0] : nullptr;
    if (was == nullptr && now == nullptr) {
        return;
    }
    if (was != nullptr && now != nullptr && was->attrs == now->attrs && was->session == now->session) {
        return;  // the best path stayed; only the others changed
    }
    BestPathChange c;
    c.prefix = p;
    if (now != nullptr) {
        c.attributes = &now->attrs->attrs;
        c.mp_next_hops = now->attrs->mp_next_hops;
        c.peer = decision.source(*now).cfg.id;
    }
    out.push_back(c);
}

void RouteServerRib::set_best_path_observer(BestPathObserver observer) {
    tables_->best_path_observer = std::move(observer);
}

RouteServerRib::RouteServerRib(RibConfig config, fib::DeltaSink& sink)
    : tables_(std::make_unique<Tables>(std::move(config), sink)) {}

RouteServerRib::~RouteServerRib() = default;

std::vector<bgp::SharedMessage> RouteServerRib::peer_up(const PeerConfig& cfg) {
    finish_staged();
    auto& t = *tables_;
    assert(cfg.id != kLocalPeer && "PeerId 0 is reserved for originated routes");
    if (RibPeer* back = t.resume_restarting(cfg)) {  // graceful restart: its stale paths stay
        return t.adj_rib_out.initial_table(*back, back->families, true);
    }
    t.take_down(cfg.id);
    auto peer = std::make_unique<RibPeer>();
    peer->cfg = cfg;
    peer->neighbor = neighbor_key(cfg);
    peer->families = family_mask(cfg.families);
    peer->add_path_rx = family_mask(cfg.codec.add_path_receive) & peer->families;
    peer->import = ImportPolicy{cfg.import_policy, cfg.policy_required};
    if (!peer->import.pass_through()) {
        peer->pre_policy = std::make_unique<PrePolicyIn>();
    }
    RibPeer& added = t.peers.add(std::move(peer));
    t.adj_rib_out.groups().join(added);
    return t.adj_rib_out.initial_table(added, added.families, true);
}

UpdateResult RouteServerRib::Tables::apply(PeerId id, const bgp::DecodedUpdate& decoded) {
    RibPeer* peer = peers.find(id);
    if (peer == nullptr || peer->restarting) {
        return UpdateResult{UpdateStatus::UnknownPeer, 0, 0};
    }
    ClassifiedUpdate classified = classify_update(*peer, decoded);
    const RouteLimitCheck limit = check_route_limit(*peer, loc_rib, classified);
    if (limit.exceeded() && peer->cfg.limit_action == azure::RouteLimitAction::Teardown) {
        ++route_limit_trips;
        take_down(id);  // finishes the call, staged UPDATEs of other peers included
        UpdateResult tripped{UpdateStatus::RouteLimitExceeded, limit.count, limit.limit};
        tripped.prefixes = classified.counts;
        tripped.prefixes.filter(FilterReason::RouteLimit, classified.announcements.size());
        return tripped;
    }
    // With Warn an UPDATE past the limit is applied whole, like FRR's warning-only.
    adj_rib_in.apply(*peer, classified, decoded.update, classified.counts);
    if (peer->stale.size() != 0) {  // a refresh in progress: what the peer sent again is fresh
        for (const auto* list : {&classified.withdrawals, &classified.announcements}) {
            for (const ReceivedNlri& n : *list) {
                peer->stale.refreshed(n.prefix, n.rx);
            }
        }
    }
    call_open = true;
    const std::size_t count = limit.limit != 0 ? limit.count : peer->adj_rib_in.prefixes.size();
    UpdateResult result{UpdateStatus::Ok, count, limit.limit};
    result.prefixes = classified.counts;
    watch_route_limit(*peer, count, result);
    return result;
}

UpdateResult RouteServerRib::set_route_limit(PeerId id, std::size_t limit, azure::RouteLimitAction action,
                                             std::uint8_t warning_percent) {
    finish_staged();
    auto& t = *tables_;
    RibPeer* peer = t.peers.find(id);
    if (peer == nullptr || peer->restarting) {
        return UpdateResult{UpdateStatus::UnknownPeer, 0, 0};
    }
    peer->cfg.route_limit = limit;
    peer->cfg.limit_action = action;
    peer->cfg.warning_percent = warning_percent;
    const std::size_t count = peer->adj_rib_in.prefixes.size();
    if (limit != 0 && count > limit && action == azure::RouteLimitAction::Teardown) {
        ++t.route_limit_trips;
        t.take_down(id);
        return UpdateResult{UpdateStatus::RouteLimitExceeded, count, limit};
    }
    UpdateResult result{UpdateStatus::Ok, count, limit};
    t.watch_route_limit(*peer, count, result);
    return result;
}

ImportReapply RouteServerRib::set_import_policy(PeerId id, policy::Chain chain, bool policy_required) {
    finish_staged();
    auto& t = *tables_;
    RibPeer* peer = t.peers.find(id);
    if (peer == nullptr) {
        return {};
    }
    peer->cfg.import_policy = chain;
    peer->cfg.policy_required = policy_required;
    // The old chain stays alive until the notes that name its statements have been replaced.
    const ImportPolicy old = std::exchange(peer->import, ImportPolicy{std::move(chain), policy_required});
    const auto [evaluated, rejected] = t.adj_rib_in.reapply_import(*peer);
    t.finish_call();
    t.adj_rib_out.regroup(*peer);  // RFC 8212 covers export too: a changed switch may change its group
    return ImportReapply{evaluated, rejected};
}

ImportReapply RouteServerRib::reapply_import_where(const std::function<bool(const net::Prefix&)>& covered) {
    finish_staged();
    auto& t = *tables_;
    ImportReapply total;
    t.peers.for_each([&](RibPeer& peer) {
        const auto [evaluated, rejected] = t.adj_rib_in.reapply_import_where(peer, covered);
        total.evaluated += evaluated;
        total.rejected += rejected;
    });
    if (total.evaluated > 0) {
        t.finish_call();
    }
    return total;
}

bool RouteServerRib::set_export_policy(PeerId id, policy::Chain chain) {
    finish_staged();
    auto& t = *tables_;
    RibPeer* peer = t.peers.find(id);
    if (peer == nullptr) {
        return false;
    }
    peer->cfg.export_policy = std::move(chain);
    t.adj_rib_out.regroup(*peer);
    return true;
}

UpdateResult RouteServerRib::apply_update(PeerId id, const bgp::DecodedUpdate& decoded) {
    finish_staged();
    const UpdateResult r = tables_->apply(id, decoded);
    finish_staged();
    return r;
}

UpdateResult RouteServerRib::stage_update(PeerId id, const bgp::DecodedUpdate& decoded) {
    const UpdateResult r = tables_->apply(id, decoded);
    if (tables_->loc_rib.touched_count() >= kMaxStagedPrefixes) {
        finish_staged();  // bounds the recorded state and the outbound a call builds up
    }
    return r;
}

void RouteServerRib::finish_staged() {
    if (tables_->call_open) {
        tables_->finish_call();
    }
}

bool RouteServerRib::has_staged() const {
    return tables_->call_open;
}

void RouteServerRib::peer_down(PeerId id) {
    finish_staged();
    tables_->take_down(id);
}

std::vector<bgp::SharedMessage> RouteServerRib::route_refresh(PeerId id, bgp::AfiSafi family) {
    finish_staged();
    auto& t = *tables_;
    RibPeer* peer = t.peers.find(id);
    if (peer == nullptr || peer->restarting || family.safi != net::Safi::Unicast) {
        return {};
    }
    const unsigned bit = family_bit(family_index(family.afi)) & peer->families;
    if (bit == 0) {
        return {};
    }
    if (!peer->cfg.enhanced_route_refresh) {
        return t.adj_rib_out.initial_table(*peer, bit, true);
    }
    // RFC 7313 §4: BoRR, the routes, EoRR; the peer purges what is not in between.
    const auto demarcation = [&](std::uint8_t subtype) {
        std::vector<std::uint8_t> m;
        bgp::encode_route_refresh(bgp::RouteRefresh{family, subtype}, m);
        return bgp::share(std::move(m));
    };
    std::vector<bgp::SharedMessage> out{demarcation(bgp::refresh_subtype::Begin)};
    auto table = t.adj_rib_out.initial_table(*peer, bit, false);
    out.insert(out.end(), std::make_move_iterator(table.begin()), std::make_move_iterator(table.end()));
    out.push_back(demarcation(bgp::refresh_subtype::End));
    return out;
}

std::size_t RouteServerRib::mark_stale(PeerId id, bgp::AfiSafi family) {
    finish_staged();
    auto& t = *tables_;
    RibPeer* peer = t.peers.find(id);
    if (peer == nullptr || peer->restarting || family.safi != net::Safi::Unicast ||
        (family_bit(family_index(family.afi)) & peer->families) == 0) {
        return 0;
    }
    return peer->stale.mark(*peer, family_index(family.afi), t.loc_rib);
}

std::size_t RouteServerRib::purge_stale(PeerId id, bgp::AfiSafi family) {
    finish_staged();
    auto& t = *tables_;
    RibPeer* peer = t.peers.find(id);
    if (peer == nullptr || family.safi != net::Safi::Unicast) {
        return 0;
    }
    const std::vector<StaleKey> stale = peer->stale.take(family_index(family.afi));
    for (const StaleKey& k : stale) {
        t.adj_rib_in.remove_path(*peer, k.prefix, k.rx);
    }
    t.finish_call();
    return stale.size();
}

VnetChange RouteServerRib::set_vnet_prefixes(std::vector<net::Prefix> prefixes) {
    finish_staged();
    auto& t = *tables_;
    const auto changed =
        t.loc_rib.replace_vnet_prefixes(std::set<net::Prefix>(prefixes.begin(), prefixes.end()));
    t.config.vnet_prefixes.assign(t.loc_rib.vnet_prefixes().begin(), t.loc_rib.vnet_prefixes().end());
    t.finish_call();
    VnetChange change;
    if (!changed.empty()) {
        t.peers.for_each([&](const RibPeer& peer) {
            if (peer.restarting) {
                return;  // it learns the new address spaces when it is back
            }
            (peer.cfg.route_refresh ? change.refresh : change.reset).push_back(peer.cfg.id);
        });
        std::sort(change.refresh.begin(), change.refresh.end());
        std::sort(change.reset.begin(), change.reset.end());
    }
    return change;
}

std::vector<PeerOutbound> RouteServerRib::drain_outbound() {
    std::vector<PeerOutbound> out;
    tables_->peers.for_each([&](RibPeer& peer) {
        if (!peer.pending.empty()) {
            out.push_back(PeerOutbound{peer.cfg.id, std::move(peer.pending)});
            peer.pending.clear();
        }
    });
    std::sort(out.begin(), out.end(),
              [](const PeerOutbound& a, const PeerOutbound& b) { return a.peer < b.peer; });
    return out;
}

bool RouteServerRib::has_outbound() const {
    return tables_->peers.any_of([](const RibPeer& peer) { return !peer.pending.empty(); });
}

bool RouteServerRib::flush_deltas() {
    return tables_->publisher.flush();
}

}  // namespace rf::rib
