#include "control/rib/adj_rib_out.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "control/codec/codec.hpp"
#include "control/rib/best_path.hpp"
#include "control/rib/families.hpp"

namespace rf::rib {

// Turns (prefix, before, after) changes into UPDATE messages for one group: per target, the withdrawals
// then the announcements, NLRI of one attribute set packed together.
class UpdateEncoder {
public:
    // only_present: skip per-neighbor targets no member of g belongs to (incremental changes; a full
    // table is cached and serves members that join later).
    // before_group: the group whose view `before` is seen through (AdjRibOut::regroup: the old export
    // chain); nullptr: this group.
    UpdateEncoder(const AdjRibOut& out, UpdateGroup& group, bool only_present,
                  const UpdateGroup* before_group = nullptr)
        : out_(out),
          g_(group),
          before_g_(before_group != nullptr ? *before_group : group),
          only_present_neighbors_(only_present) {}

    void add(const net::Prefix& p, const PathsView& before, const PathsView& after) {
        const int fi = family_index(p.afi);
        if ((g_.key.families & family_bit(fi)) == 0) {
            return;
        }
        hidden_.clear();
        out_.hidden_neighbors(g_, fi, before, hidden_);
        out_.hidden_neighbors(g_, fi, after, hidden_);
        std::sort(hidden_.begin(), hidden_.end());
        hidden_.erase(std::unique(hidden_.begin(), hidden_.end()), hidden_.end());
        diff(p, fi, before, after, 0, others_);
        // A hidden neighbor whose members need exactly what everybody else gets stays with them (one
        // shared encoding); the others get their own target.
        except_.clear();
        for (const NeighborKey nb : hidden_) {
            if (only_present_neighbors_ && !g_.has_member(nb)) {
                continue;
            }
            diff(p, fi, before, after, nb, mine_);
            if (mine_ == others_) {
                continue;
            }
            except_.push_back(nb);
            if (!mine_.empty()) {
                queue(p, fi, mine_, target_index(nb, kNone));
            }
        }
        if (!others_.empty()) {
            queue(p, fi, others_, target_index(0, except_));
        }
    }

    // Encodes what was added: withdrawals first, then announcements, in key order.
    void finish(std::vector<Segment>& out) {
        for (auto& [key, nlri] : withdraw_) {
            std::vector<std::uint8_t> bytes;
            bgp::encode_withdrawals(family_at(key.first), nlri, g_.codec, bytes);
            out.push_back(Segment{bgp::share(std::move(bytes)), key.first, key.second});
        }
        for (auto& [key, b] : announce_) {
            const int fi = std::get<0>(key);
            std::vector<std::uint8_t> bytes;
            if (bgp::encode_announcements(*b.attrs, family_at(fi), b.mp_next_hops, b.nlri, g_.codec, bytes) ==
                    0 &&
                only_present_neighbors_) {
                // The attributes do not fit in a message this group may receive (over 4,096 octets to
                // peers without extended messages): RFC 8654 §4 (RFC 4271 §9.2, §9.1.3) — the route is
                // not sent, and withdrawn where an earlier announcement of it may still stand.
                bgp::encode_withdrawals(family_at(fi), b.nlri, g_.codec, bytes);
            }
            out.push_back(Segment{bgp::share(std::move(bytes)), fi, std::get<1>(key)});
        }
    }

    std::vector<Target>& targets() { return targets_; }

private:
    // What one class of receivers must be sent for a prefix: path ids to withdraw, routes to announce.
    struct Actions {
        std::vector<std::uint32_t> withdraw;
        std::vector<OutboundPath> announce;
        [[nodiscard]] bool empty() const { return withdraw.empty() && announce.empty(); }
        bool operator==(const Actions& o) const {
            return withdraw == o.withdraw &&
                   std::equal(announce.begin(), announce.end(), o.announce.begin(), o.announce.end(),
                              [](const OutboundPath& x, const OutboundPath& y) {
                                  return x.id == y.id && x.attrs == y.attrs;
                              });
        }
    };
    // Announced NLRI sharing one attribute set, family and target: one UPDATE.
    struct Bucket {
        const bgp::PathAttributes* attrs = nullptr;
        std::vector<net::IpAddress> mp_next_hops;
        std::vector<bgp::Nlri> nlri;
    };
    using AnnounceKey = std::tuple<int, std::uint32_t, const void*>;  // family, target, attributes

    std::uint32_t target_index(NeighborKey only, const std::vector<NeighborKey>& but) {
        if (last_target_ != ~0U && targets_[last_target_].only == only &&
            targets_[last_target_].except == but) {
            return last_target_;
        }
        for (std::size_t i = 0; i < targets_.size(); ++i) {
            if (targets_[i].only == only && targets_[i].except == but) {
                return last_target_ = static_cast<std::uint32_t>(i);
            }
        }
        targets_.push_back(Target{only, but});
        return last_target_ = static_cast<std::uint32_t>(targets_.size() - 1);
    }

    // The actions for the receivers of neighbor `skip` (0: a neighbor without a hidden path).
    void diff(const net::Prefix& p, int fi, const PathsView& before, const PathsView& after, NeighborKey skip,
              Actions& out) {
        out.withdraw.clear();
        out.announce.clear();
        out_.routes_for(before_g_, p, fi, before, skip, was_);
        out_.routes_for(g_, p, fi, after, skip, now_);
        for (const auto& w : was_) {
            if (std::none_of(now_.begin(), now_.end(), [&](const OutboundPath& x) { return x.id == w.id; })) {
                out.withdraw.push_back(w.id);
            }
        }
        for (const auto& a : now_) {
            if (std::none_of(was_.begin(), was_.end(),
                             [&](const OutboundPath& x) { return x.id == a.id && x.attrs == a.attrs; })) {
                out.announce.push_back(a);  // (what the receiver holds already is not sent again)
            }
        }
    }

    void queue(const net::Prefix& p, int fi, const Actions& act, std::uint32_t target) {
        for (const auto id : act.withdraw) {
            withdraw_[{fi, target}].push_back(bgp::Nlri{p, id});
        }
        for (const auto& route : act.announce) {
            add_to_bucket(p, fi, route, target);
        }
    }

    void add_to_bucket(const net::Prefix& p, int fi, const OutboundPath& route, std::uint32_t target) {
        const void* identity =
            route.attrs == nullptr ? static_cast<const void*>(&g_.originated[fi]) : route.attrs;
        const AnnounceKey key{fi, target, identity};
        if (last_bucket_.second == nullptr || last_bucket_.first != key) {
            last_bucket_ = {key, &announce_[key]};
        }
        auto& b = *last_bucket_.second;
        if (b.attrs == nullptr) {
            if (route.attrs == nullptr) {
                b.attrs = &g_.originated[fi];
                if (fi == 1) {
                    b.mp_next_hops = {*g_.key.nh_v6};
                }
            } else {
                b.attrs = &out_.outbound_attributes(*route.attrs);
                b.mp_next_hops = route.attrs->mp_next_hops;
            }
        }
        b.nlri.push_back(bgp::Nlri{p, route.id});
    }

    const AdjRibOut& out_;
    UpdateGroup& g_;
    const UpdateGroup& before_g_;
    bool only_present_neighbors_;

    std::vector<Target> targets_;
    std::map<AnnounceKey, Bucket> announce_;
    std::map<std::pair<int, std::uint32_t>, std::vector<bgp::Nlri>> withdraw_;
    std::pair<AnnounceKey, Bucket*> last_bucket_{};
    std::uint32_t last_target_ = ~0U;
    // Scratch, kept between prefixes to reuse their storage.
    std::vector<NeighborKey> hidden_;
    std::vector<NeighborKey> except_;
    std::vector<OutboundPath> was_;
    std::vector<OutboundPath> now_;
    Actions others_;  // for the receivers without a hidden path
    Actions mine_;    // for one hidden neighbor's receivers
    inline static const std::vector<NeighborKey> kNone;
};

void AdjRibOut::apply_export(const UpdateGroup& g, const net::Prefix& p,
                             std::vector<OutboundPath>& out) const {
    if (g.key.export_blocked) {  // RFC 8212: no export chain, no learned route
        out.clear();
        return;
    }
    std::size_t kept = 0;
    for (OutboundPath& r : out) {
        const AttrNode& n = *r.attrs;
        const rpki::Validity validity =
            config_.origin_validity ? config_.origin_validity(p, n.attrs) : rpki::Validity::Unknown;
        policy::Verdict v = policy::evaluate(
            g.key.export_chain,
            policy::RouteView{p, n.attrs, std::span<const net::IpAddress>(&n.forwarding_next_hop, 1),
                              validity},
            policy::Context{config_.local_asn});
        if (!v.accepted) {
            continue;
        }
        if (v.modified()) {
            const bgp::PathAttributes& attrs = v.attributes ? *v.attributes : n.attrs;
            std::vector<net::IpAddress> mp = n.mp_next_hops;
            if (v.next_hop && !mp.empty()) {
                mp = {*v.next_hop};  // an IPv6 route's next hop (an IPv4 one's is in the attributes)
            }
            AttrRef rewritten = attributes_.intern(attrs, mp);
            r.attrs = rewritten.get();
            exported_.push_back(std::move(rewritten));
        }
        out[kept++] = r;
    }
    out.resize(kept);
}

const bgp::PathAttributes& AdjRibOut::outbound_attributes(AttrNode& n) const {
    if (!n.outbound) {
        auto out = std::make_unique<bgp::PathAttributes>(n.attrs);
        // eBGP to every peer: LOCAL_PREF is not sent (RFC 4271 §5.1.5), ORIGINATOR_ID and CLUSTER_LIST
        // are iBGP-only; unknown optional non-transitive attributes are dropped and unknown optional
        // transitive ones passed on with Partial set (RFC 4271 §5). Everything else (NEXT_HOP, MED,
        // communities of all kinds, aggregator) is passed on as received.
        out->local_pref.reset();
        out->originator_id.reset();
        out->cluster_list.clear();
        std::erase_if(out->unknown, [](const bgp::UnknownAttribute& u) {
            return (u.flags & bgp::attr_flag::Optional) == 0 || (u.flags & bgp::attr_flag::Transitive) == 0;
        });
        for (auto& u : out->unknown) {
            u.flags |= bgp::attr_flag::Partial;
        }
        if (config_.as_path_mode == azure::AsPathMode::Prepend) {
            out->as_path = as_path_prepended(n.attrs.as_path.value_or(bgp::AsPath{}), config_.local_asn);
        } else if (!out->as_path) {
            out->as_path = bgp::AsPath{};
        }
        n.outbound = std::move(out);
    }
    return *n.outbound;
}

const std::vector<Segment>& AdjRibOut::full_table(UpdateGroup& g) {
    if (g.table_generation == generation_) {
        return g.table;
    }
    UpdateEncoder e{*this, g, false};
    for (const auto& p : loc_rib_.vnet_prefixes()) {
        e.add(p, PathsView{}, loc_rib_.view(p));
    }
    loc_rib_.for_each([&](const net::Prefix& p, const PrefixPaths& paths) {
        if (!paths.vnet()) {
            const PathsView s = view_of(paths);
            if (s.eligible != 0) {
                e.add(p, PathsView{}, s);
            }
        }
    });
    g.table.clear();
    e.finish(g.table);
    release_exported();
    g.table_targets = std::move(e.targets());
    g.table_generation = generation_;
    return g.table;
}

std::vector<bgp::SharedMessage> AdjRibOut::initial_table(const RibPeer& peer, unsigned families,
                                                         bool end_of_rib) {
    std::vector<bgp::SharedMessage> out;
    UpdateGroup& g = *peer.group;
    for (const auto& s : full_table(g)) {
        if ((families & family_bit(s.family)) != 0 && g.table_targets[s.target].matches(peer.neighbor)) {
            out.push_back(s.bytes);
        }
    }
    for (int fi = 0; fi < kFamilyCount && end_of_rib; ++fi) {
        if ((families & family_bit(fi)) != 0) {
            std::vector<std::uint8_t> eor;
            bgp::encode_end_of_rib(family_at(fi), eor);
            out.push_back(bgp::share(std::move(eor)));
        }
    }
    return out;
}

void AdjRibOut::queue_changes(const std::vector<PrefixChange>& changes) {
    ++generation_;
    groups_.for_each([&](UpdateGroup& g) {
        // The cached full table is stale now: release its buffers (the whole table, encoded) rather than
        // keep them until the group's next initial table or refresh.
        g.table = {};
        g.table_targets = {};
        UpdateEncoder e{*this, g, true};
        for (const auto& c : changes) {
            e.add(c.prefix, c.before, c.after);
        }
        std::vector<Segment> segments;
        e.finish(segments);
        release_exported();
        for (RibPeer* member : g.members) {
            for (const auto& s : segments) {
                if (e.targets()[s.target].matches(member->neighbor)) {
                    member->pending.push_back(s.bytes);
                }
            }
        }
    });
}

void AdjRibOut::regroup(RibPeer& peer) {
    if (peer.group == nullptr || groups_.key_for(peer) == peer.group->key) {
        return;
    }
    const UpdateGroup* old = peer.group;
    const std::unique_ptr<UpdateGroup> emptied = groups_.leave(peer);  // keeps `old` alive if it went
    UpdateGroup& now = groups_.join(peer);
    // What the peer holds is what the old group's view gave it: every prefix seen through both views,
    // the difference sent to this peer only.
    UpdateEncoder e{*this, now, true, old};
    for (const auto& p : loc_rib_.vnet_prefixes()) {
        const PathsView s = loc_rib_.view(p);
        e.add(p, s, s);
    }
    loc_rib_.for_each([&](const net::Prefix& p, const PrefixPaths& paths) {
        if (!paths.vnet()) {
            const PathsView s = view_of(paths);
            if (s.eligible != 0) {
                e.add(p, s, s);
            }
        }
    });
    std::vector<Segment> segments;
    e.finish(segments);
    release_exported();
    for (const auto& s : segments) {
        if (e.targets()[s.target].matches(peer.neighbor)) {
            peer.pending.push_back(s.bytes);
        }
    }
}

}  // namespace rf::rib
