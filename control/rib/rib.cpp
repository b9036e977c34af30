#include "control/rib/rib.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "control/rib/attr_store.hpp"
#include "control/rib/prefix_map.hpp"

namespace rf::rib {

// ------------------------------------------------------------------------------------ comparator

std::string_view decision_step_name(DecisionStep step) {
    switch (step) {
        case DecisionStep::OnlyPath:
            return "only path";
        case DecisionStep::AsPathLength:
            return "AS path length";
        case DecisionStep::Origin:
            return "origin";
        case DecisionStep::PeerBgpId:
            return "peer BGP identifier";
        case DecisionStep::PeerAddress:
            return "peer address";
        case DecisionStep::LowestPeerId:
            return "peer id";
    }
    return "?";
}

// The decision process of design §2, as one total order. MED and LOCAL_PREF are deliberately not
// compared: every peer is an eBGP neighbour of its own, MEDs of different ASes are not comparable, and
// comparing MED only within one neighbour AS is not transitive (no deterministic order); Azure's rule
// is "shortest AS path, then ECMP".
PathComparison compare_paths(const PathKey& a, const PathKey& b) {
    auto decided = [](auto x, auto y, DecisionStep step) -> std::optional<PathComparison> {
        if (x < y) {
            return PathComparison{-1, step};
        }
        if (y < x) {
            return PathComparison{1, step};
        }
        return std::nullopt;
    };
    // 1. Shorter AS_PATH wins (RFC 4271 §9.1.2.2 a: an AS_SET counts one, confederation segments
    //    zero; a missing AS_PATH counts zero). This is the multipath boundary: routes that tie here form
    //    the ECMP set, the steps below only order them.
    if (auto r = decided(a.as_path_length, b.as_path_length, DecisionStep::AsPathLength)) {
        return *r;
    }
    // 2. Lower ORIGIN wins: IGP < EGP < INCOMPLETE (§9.1.2.2 b); a missing ORIGIN counts INCOMPLETE.
    if (auto r = decided(static_cast<int>(a.origin), static_cast<int>(b.origin), DecisionStep::Origin)) {
        return *r;
    }
    // 3. Lower BGP identifier of the advertising peer wins (§9.1.2.2 f).
    if (auto r = decided(a.peer_bgp_id.value, b.peer_bgp_id.value, DecisionStep::PeerBgpId)) {
        return *r;
    }
    // 4. Lower peer address wins (§9.1.2.2 g); IPv4 sorts before IPv6.
    if (auto r = decided(a.peer_address, b.peer_address, DecisionStep::PeerAddress)) {
        return *r;
    }
    // 5. Lower PeerId: only reached when two sessions share identifier and address; keeps it total.
    if (auto r = decided(a.peer, b.peer, DecisionStep::LowestPeerId)) {
        return *r;
    }
    return PathComparison{0, DecisionStep::LowestPeerId};
}

// --------------------------------------------------------------------------------------- internals

namespace {

constexpr int kFamilyCount = 2;  // IPv4 unicast, IPv6 unicast

int family_index(net::Afi afi) {
    return afi == net::Afi::Ipv4 ? 0 : 1;
}
bgp::AfiSafi family_at(int i) {
    return {i == 0 ? net::Afi::Ipv4 : net::Afi::Ipv6, net::Safi::Unicast};
}
unsigned family_bit(int i) {
    return 1U << static_cast<unsigned>(i);
}

unsigned family_mask(const std::vector<bgp::AfiSafi>& families) {
    unsigned m = 0;
    for (const auto& f : families) {
        if (f.safi == net::Safi::Unicast) {
            m |= family_bit(family_index(f.afi));
        }
    }
    return m;
}

SharedBytes make_shared_bytes(std::vector<std::uint8_t>&& v) {
    return std::make_shared<const std::vector<std::uint8_t>>(std::move(v));
}

}  // namespace

// net::PrefixHash is noexcept, so libstdc++ would not cache it in hash-table nodes and would hash again
// on every bucket walk and rehash. This wrapper is not noexcept, which makes the tables cache the hash.
struct PrefixKeyHash {
    std::size_t operator()(const net::Prefix& p) const { return net::PrefixHash{}(p); }  // NOLINT
};

struct Group;

struct Peer {
    PeerConfig cfg;
    unsigned families = 0;
    Group* group = nullptr;
    PrefixMap<AttrRef> adj_in;
    std::vector<SharedBytes> pending;
};

// Everything that makes two peers' Adj-RIB-Out bytes identical.
struct GroupKey {
    bool four_octet_as = true;
    bool extended_message = false;
    std::vector<bgp::AfiSafi> add_path_send;
    unsigned families = 0;
    std::optional<net::IpAddress> nh_v4;  // next hop of originated routes
    std::optional<net::IpAddress> nh_v6;
    std::uint32_t asn = 0;  // only with suppress_peer_as_in_path
    bool operator==(const GroupKey&) const = default;
};

// A run of encoded messages for the members of a group, minus the route's source peer (split horizon)
// or for one member only.
struct Segment {
    SharedBytes bytes;
    PeerId exclude = kLocalPeer;
    PeerId only = kLocalPeer;
    int family = 0;
};

struct Group {
    GroupKey key;
    bgp::CodecOptions codec;
    std::vector<Peer*> members;
    bgp::PathAttributes originated[kFamilyCount];  // the VNet route's attributes per family
    // Full Adj-RIB-Out (initial table / route refresh), valid while table_generation matches.
    std::uint64_t table_generation = ~std::uint64_t{0};
    std::vector<Segment> table;
};

struct Path {
    Peer* peer = nullptr;
    AttrRef attrs;
};

struct Dest {
    std::vector<Path> paths;    // eligible paths, comparator order
    bool vnet = false;          // an originated VNet prefix (advertised instead of the best path)
    std::int32_t touched = -1;  // index of its snapshot during a RIB call
};

// What a prefix looks like to the outside before/after one RIB call.
struct OutState {
    bool present = false;
    bool local = false;  // originated VNet prefix
    PeerId source = kLocalPeer;
    AttrRef attrs;  // learned routes
    bool same_as(const OutState& o) const {
        return present == o.present && local == o.local && source == o.source && attrs == o.attrs;
    }
};

// A prefix's state before the RIB call that touched it. Dests are not erased during a call (even when
// they lose their last path); finish() erases the empty ones.
struct Snapshot {
    net::Prefix prefix;
    std::vector<net::IpAddress> next_hops;
    OutState out;
};

struct RouteServerRib::Impl {
    RibConfig config;
    DeltaSink& sink;
    AttrStore store;
    std::unordered_map<PeerId, std::unique_ptr<Peer>> peers;
    std::vector<std::unique_ptr<Group>> groups;
    PrefixMap<Dest> loc_rib;  // Dests move when the map changes: hold prefixes, not pointers
    std::set<net::Prefix> vnet;
    std::uint64_t out_generation = 0;

    // The RIB call in progress: every prefix it touched, in order.
    std::vector<Snapshot> touched;

    // Deltas refused by the sink, coalesced per prefix.
    std::vector<RouteDelta> pending_deltas;
    std::unordered_map<net::Prefix, std::size_t, PrefixKeyHash> pending_index;
    std::uint64_t next_sequence = 1;
    std::uint64_t refusals = 0;
    std::uint64_t limit_trips = 0;

    Impl(RibConfig c, DeltaSink& s) : config(std::move(c)), sink(s), store(config.local_asn) {
        vnet.insert(config.vnet_prefixes.begin(), config.vnet_prefixes.end());
        config.max_ecmp_paths = std::max<std::size_t>(config.max_ecmp_paths, 1);
    }

    Peer* find_peer(PeerId id) const {
        auto it = peers.find(id);
        return it == peers.end() ? nullptr : it->second.get();
    }

    // ------------------------------------------------------------------------ Loc-RIB
    PathKey key_of(const Path& p) const {
        return PathKey{p.attrs->as_path_length, p.attrs->origin, p.peer->cfg.bgp_identifier,
                       p.peer->cfg.address, p.peer->cfg.id};
    }

    std::size_t ecmp_count(const Dest& d) const {
        if (d.paths.empty()) {
            return 0;
        }
        std::size_t n = 1;
        const std::size_t len = d.paths.front().attrs->as_path_length;
        while (n < d.paths.size() && n < config.max_ecmp_paths && d.paths[n].attrs->as_path_length == len) {
            ++n;
        }
        return n;
    }

    std::vector<net::IpAddress> next_hops_of(const Dest* d) const {
        std::vector<net::IpAddress> out;
        if (d == nullptr) {
            return out;
        }
        const std::size_t n = ecmp_count(*d);
        for (std::size_t i = 0; i < n; ++i) {
            const auto& nh = d->paths[i].attrs->forwarding_next_hop;
            if (std::find(out.begin(), out.end(), nh) == out.end()) {
                out.push_back(nh);
            }
        }
        return out;
    }

    const Dest* dest_of(const net::Prefix& p) const {
        const Dest* d = loc_rib.find(p);
        return d != nullptr && !d->paths.empty() ? d : nullptr;
    }

    OutState out_state(const net::Prefix& p) const {
        if (const Dest* d = dest_of(p)) {
            return out_state(*d);
        }
        OutState s;
        if (vnet.count(p) != 0) {
            s.present = true;
            s.local = true;
        }
        return s;
    }

    OutState out_state(const Dest& d) const {
        OutState s;
        if (d.vnet) {
            s.present = true;
            s.local = true;
            return s;
        }
        if (d.paths.empty() || !config.branch_to_branch) {
            return s;
        }
        const Path& best = d.paths.front();
        if (best.attrs->not_advertised) {
            return s;
        }
        s.present = true;
        s.source = best.peer->cfg.id;
        s.attrs = best.attrs;
        return s;
    }

    // Snapshots the prefix before its first change in this call; creates its Dest if needed. The
    // reference is valid until the next touch().
    Dest& touch(const net::Prefix& p) {
        auto [dp, inserted] = loc_rib.try_emplace(p);
        Dest& d = *dp;
        if (inserted && !vnet.empty()) {
            d.vnet = vnet.count(p) != 0;
        }
        if (d.touched < 0) {
            d.touched = static_cast<std::int32_t>(touched.size());
            touched.push_back(Snapshot{p, next_hops_of(&d), out_state(d)});
        }
        return d;
    }

    static void remove_path(Dest& d, const Peer* peer) {
        auto& paths = d.paths;
        auto pit = std::find_if(paths.begin(), paths.end(), [peer](const Path& x) { return x.peer == peer; });
        if (pit != paths.end()) {
            paths.erase(pit);
        }
    }

    void insert_path(Dest& d, Peer* peer, const AttrRef& attrs) {
        auto& paths = d.paths;
        auto pit = std::find_if(paths.begin(), paths.end(), [peer](const Path& x) { return x.peer == peer; });
        if (pit != paths.end()) {
            paths.erase(pit);
        }
        Path np{peer, attrs};
        const PathKey k = key_of(np);
        auto pos = std::find_if(paths.begin(), paths.end(),
                                [&](const Path& x) { return compare_paths(k, key_of(x)).order < 0; });
        paths.insert(pos, std::move(np));
    }

    void add_route(Peer* peer, const net::Prefix& p, const AttrRef& attrs) {
        Dest& d = touch(p);
        peer->adj_in.insert_or_assign(p, attrs);
        if (attrs->loops) {
            remove_path(d, peer);
        } else {
            insert_path(d, peer, attrs);
        }
    }

    void remove_route(Peer* peer, const net::Prefix& p) {
        if (!peer->adj_in.erase(p)) {
            return;
        }
        remove_path(touch(p), peer);
    }

    // ------------------------------------------------------------------------ outbound
    const bgp::PathAttributes& outbound_attrs(AttrNode& n) const {
        if (!n.outbound) {
            auto out = std::make_unique<bgp::PathAttributes>(n.attrs);
            // eBGP to every peer: LOCAL_PREF is not sent (RFC 4271 §5.1.5), ORIGINATOR_ID and
            // CLUSTER_LIST are iBGP-only; unknown optional non-transitive attributes are dropped and
            // unknown optional transitive ones passed on with Partial set (RFC 4271 §5). Everything else
            // (NEXT_HOP, MED, communities of all kinds, aggregator) is passed on as received.
            out->local_pref.reset();
            out->originator_id.reset();
            out->cluster_list.clear();
            std::erase_if(out->unknown, [](const bgp::UnknownAttribute& u) {
                return (u.flags & bgp::attr_flag::Optional) == 0 ||
                       (u.flags & bgp::attr_flag::Transitive) == 0;
            });
            for (auto& u : out->unknown) {
                u.flags |= bgp::attr_flag::Partial;
            }
            if (config.as_path_mode == AsPathMode::Prepend) {
                out->as_path = as_path_prepended(n.attrs.as_path.value_or(bgp::AsPath{}), config.local_asn);
            } else if (!out->as_path) {
                out->as_path = bgp::AsPath{};
            }
            n.outbound = std::move(out);
        }
        return *n.outbound;
    }

    // Whether `s` (a prefix of family fi) is advertised to the members of group g (split horizon aside).
    bool passes(const Group& g, const OutState& s, int fi) const {
        if (!s.present || (g.key.families & family_bit(fi)) == 0) {
            return false;
        }
        if (s.local) {
            return (fi == 0 ? g.key.nh_v4 : g.key.nh_v6).has_value();
        }
        if (config.suppress_peer_as_in_path && s.attrs->attrs.as_path &&
            as_path_contains(*s.attrs->attrs.as_path, g.key.asn)) {
            return false;
        }
        return true;
    }

    struct Bucket {
        const bgp::PathAttributes* attrs = nullptr;
        std::vector<net::IpAddress> mp_next_hops;
        std::vector<bgp::Nlri> nlri;
    };
    using AnnounceKey = std::tuple<int, PeerId, const void*>;  // family, source, attribute identity

    void encode_announce_buckets(Group& g, std::map<AnnounceKey, Bucket>& buckets,
                                 std::vector<Segment>& out) {
        for (auto& [key, b] : buckets) {
            const int fi = std::get<0>(key);
            std::vector<std::uint8_t> bytes;
            bgp::encode_announcements(*b.attrs, family_at(fi), b.mp_next_hops, b.nlri, g.codec, bytes);
            out.push_back(Segment{make_shared_bytes(std::move(bytes)), std::get<1>(key), kLocalPeer, fi});
        }
    }

    // Consecutive prefixes usually share their bucket (one UPDATE's NLRI): `last` skips the map lookup.
    void add_to_bucket(Group& g, std::map<AnnounceKey, Bucket>& buckets, const net::Prefix& p, int fi,
                       const OutState& s, std::pair<AnnounceKey, Bucket*>& last) {
        const void* identity = s.local ? static_cast<const void*>(&g.originated[fi]) : s.attrs.get();
        const AnnounceKey key{fi, s.source, identity};
        if (last.second == nullptr || last.first != key) {
            last = {key, &buckets[key]};
        }
        auto& b = *last.second;
        if (b.attrs == nullptr) {
            if (s.local) {
                b.attrs = &g.originated[fi];
                if (fi == 1) {
                    b.mp_next_hops = {*g.key.nh_v6};
                }
            } else {
                b.attrs = &outbound_attrs(*s.attrs);
                b.mp_next_hops = s.attrs->mp_next_hops;
            }
        }
        b.nlri.push_back(bgp::Nlri{p, 0});
    }

    std::vector<Segment> encode_changes(
        Group& g, const std::vector<std::tuple<net::Prefix, OutState, OutState>>& changes) {
        std::map<AnnounceKey, Bucket> announce;
        std::pair<AnnounceKey, Bucket*> last{};
        std::map<std::pair<int, PeerId>, std::vector<bgp::Nlri>> withdraw_excluding;  // to all but old source
        std::map<std::pair<int, PeerId>, std::vector<bgp::Nlri>> withdraw_only;       // to one member
        for (const auto& [p, before, after] : changes) {
            const int fi = family_index(p.afi);
            const bool had = passes(g, before, fi);
            const bool has = passes(g, after, fi);
            if (has) {
                if (had && before.same_as(after)) {
                    continue;
                }
                add_to_bucket(g, announce, p, fi, after, last);
                // The new source had the old route (unless it was its own): it must forget it.
                if (had && before.source != after.source && !after.local) {
                    withdraw_only[{fi, after.source}].push_back(bgp::Nlri{p, 0});
                }
            } else if (had) {
                withdraw_excluding[{fi, before.source}].push_back(bgp::Nlri{p, 0});
            }
        }
        std::vector<Segment> out;
        for (auto& [key, nlri] : withdraw_excluding) {
            std::vector<std::uint8_t> bytes;
            bgp::encode_withdrawals(family_at(key.first), nlri, g.codec, bytes);
            out.push_back(Segment{make_shared_bytes(std::move(bytes)), key.second, kLocalPeer, key.first});
        }
        for (auto& [key, nlri] : withdraw_only) {
            std::vector<std::uint8_t> bytes;
            bgp::encode_withdrawals(family_at(key.first), nlri, g.codec, bytes);
            out.push_back(Segment{make_shared_bytes(std::move(bytes)), kLocalPeer, key.second, key.first});
        }
        encode_announce_buckets(g, announce, out);
        return out;
    }

    static bool segment_for(const Segment& s, PeerId member) {
        if (s.only != kLocalPeer) {
            return s.only == member;
        }
        return s.exclude != member;
    }

    // The whole Adj-RIB-Out of a group, cached until the next outbound change.
    const std::vector<Segment>& full_table(Group& g) {
        if (g.table_generation == out_generation) {
            return g.table;
        }
        std::map<AnnounceKey, Bucket> announce;
        std::pair<AnnounceKey, Bucket*> last{};
        auto add = [&](const net::Prefix& p, const OutState& s) {
            const int fi = family_index(p.afi);
            if (passes(g, s, fi)) {
                add_to_bucket(g, announce, p, fi, s, last);
            }
        };
        for (const auto& p : vnet) {
            add(p, out_state(p));
        }
        loc_rib.for_each([&](const net::Prefix& p, const Dest& d) {
            if (!d.vnet && !d.paths.empty()) {
                add(p, out_state(d));
            }
        });
        g.table.clear();
        encode_announce_buckets(g, announce, g.table);
        g.table_generation = out_generation;
        return g.table;
    }

    std::vector<SharedBytes> table_for(Peer& peer, unsigned families) {
        std::vector<SharedBytes> out;
        for (const auto& s : full_table(*peer.group)) {
            if ((families & family_bit(s.family)) != 0 && segment_for(s, peer.cfg.id)) {
                out.push_back(s.bytes);
            }
        }
        for (int fi = 0; fi < kFamilyCount; ++fi) {
            if ((families & family_bit(fi)) != 0) {
                std::vector<std::uint8_t> eor;
                bgp::encode_end_of_rib(family_at(fi), eor);
                out.push_back(make_shared_bytes(std::move(eor)));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------ end of a RIB call
    void finish() {
        std::vector<std::tuple<net::Prefix, OutState, OutState>> changes;
        std::vector<RouteDelta> deltas;
        changes.reserve(touched.size());
        deltas.reserve(touched.size());
        for (auto& before : touched) {
            const net::Prefix& p = before.prefix;
            Dest& d = *loc_rib.find(p);  // touched prefixes keep their Dest until here
            auto nh = next_hops_of(&d);
            if (nh != before.next_hops) {
                deltas.push_back(RouteDelta{0, p, std::move(nh)});
            }
            OutState after = out_state(d);
            if (!after.same_as(before.out)) {
                changes.emplace_back(p, std::move(before.out), std::move(after));
            }
            d.touched = -1;
            if (d.paths.empty()) {
                loc_rib.erase(p);
            }
        }
        touched.clear();
        if (!changes.empty()) {
            ++out_generation;
            emit(changes);
        }
        queue_deltas(std::move(deltas));
    }

    void emit(const std::vector<std::tuple<net::Prefix, OutState, OutState>>& changes) {
        for (auto& g : groups) {
            auto segments = encode_changes(*g, changes);
            for (Peer* m : g->members) {
                for (const auto& s : segments) {
                    if (segment_for(s, m->cfg.id)) {
                        m->pending.push_back(s.bytes);
                    }
                }
            }
        }
    }

    void queue_deltas(std::vector<RouteDelta>&& deltas) {
        if (pending_deltas.empty()) {
            pending_deltas = std::move(deltas);  // the usual case: no index needed
            flush();
            return;
        }
        if (pending_index.size() != pending_deltas.size()) {
            pending_index.clear();
            for (std::size_t i = 0; i < pending_deltas.size(); ++i) {
                pending_index.emplace(pending_deltas[i].prefix, i);
            }
        }
        for (auto& d : deltas) {
            auto [it, inserted] = pending_index.emplace(d.prefix, pending_deltas.size());
            if (inserted) {
                pending_deltas.push_back(std::move(d));
            } else {
                pending_deltas[it->second].next_hops = std::move(d.next_hops);
            }
        }
        flush();
    }

    bool flush() {
        if (pending_deltas.empty()) {
            return true;
        }
        std::uint64_t seq = next_sequence;
        for (auto& d : pending_deltas) {
            d.sequence = seq++;
        }
        if (!sink.publish(pending_deltas)) {
            ++refusals;
            return false;
        }
        next_sequence = seq;
        pending_deltas.clear();
        pending_index.clear();
        return true;
    }

    // ------------------------------------------------------------------------ groups
    GroupKey key_for(const PeerConfig& c, unsigned families) const {
        GroupKey k;
        k.four_octet_as = c.codec.four_octet_as;
        k.extended_message = c.codec.extended_message;
        k.add_path_send = c.codec.add_path_send;
        std::sort(k.add_path_send.begin(), k.add_path_send.end());
        k.families = families;
        k.nh_v4 = config.vnet_next_hop_v4 ? config.vnet_next_hop_v4 : c.local_address_v4;
        k.nh_v6 = config.vnet_next_hop_v6 ? config.vnet_next_hop_v6 : c.local_address_v6;
        if (k.nh_v4 && !k.nh_v4->is_v4()) {
            k.nh_v4.reset();
        }
        if (k.nh_v6 && k.nh_v6->is_v4()) {
            k.nh_v6.reset();
        }
        k.asn = config.suppress_peer_as_in_path ? c.asn : 0;
        return k;
    }

    Group* join_group(Peer* peer) {
        const GroupKey k = key_for(peer->cfg, peer->families);
        for (auto& g : groups) {
            if (g->key == k) {
                g->members.push_back(peer);
                return g.get();
            }
        }
        auto g = std::make_unique<Group>();
        g->key = k;
        g->codec = peer->cfg.codec;
        for (int fi = 0; fi < kFamilyCount; ++fi) {
            auto& a = g->originated[fi];
            a.origin = bgp::Origin::Igp;
            // Our own route: the RS ASN is its path in either AS-path mode.
            a.as_path = bgp::AsPath{{bgp::AsSegment{bgp::AsSegmentType::Sequence, {config.local_asn}}}};
            if (fi == 0 && k.nh_v4) {
                a.next_hop = k.nh_v4->as_v4();
            }
        }
        g->members.push_back(peer);
        groups.push_back(std::move(g));
        return groups.back().get();
    }

    void leave_group(Peer* peer) {
        Group* g = peer->group;
        if (g == nullptr) {
            return;
        }
        std::erase(g->members, peer);
        if (g->members.empty()) {
            std::erase_if(groups, [g](const std::unique_ptr<Group>& x) { return x.get() == g; });
        }
        peer->group = nullptr;
    }

    void take_down(PeerId id) {
        auto it = peers.find(id);
        if (it == peers.end()) {
            return;
        }
        Peer* peer = it->second.get();
        leave_group(peer);  // nothing more is sent to it
        peer->adj_in.for_each([&](const net::Prefix& p, const AttrRef&) { remove_path(touch(p), peer); });
        peer->adj_in.clear();
        finish();
        peers.erase(it);
    }
};

// ----------------------------------------------------------------------------------- public API

RouteServerRib::RouteServerRib(RibConfig config, DeltaSink& sink)
    : impl_(std::make_unique<Impl>(std::move(config), sink)) {}

RouteServerRib::~RouteServerRib() = default;

std::vector<SharedBytes> RouteServerRib::peer_up(const PeerConfig& cfg) {
    auto& m = *impl_;
    assert(cfg.id != kLocalPeer && "PeerId 0 is reserved for originated routes");
    m.take_down(cfg.id);
    auto peer = std::make_unique<Peer>();
    peer->cfg = cfg;
    peer->families = family_mask(cfg.families);
    Peer* raw = peer.get();
    m.peers.emplace(cfg.id, std::move(peer));
    raw->group = m.join_group(raw);
    return m.table_for(*raw, raw->families);
}

UpdateResult RouteServerRib::apply_update(PeerId id, const bgp::DecodedUpdate& decoded) {
    auto& m = *impl_;
    Peer* peer = m.find_peer(id);
    if (peer == nullptr) {
        return UpdateResult{UpdateStatus::UnknownPeer, 0, 0};
    }
    const bgp::Update& u = decoded.update;
    const bool withdraw_all = decoded.action >= bgp::Rfc7606Action::TreatAsWithdraw;
    auto accepted = [&](const bgp::AfiSafi& f) {
        return f.safi == net::Safi::Unicast && (peer->families & family_bit(family_index(f.afi))) != 0;
    };
    const bgp::AfiSafi v4{net::Afi::Ipv4, net::Safi::Unicast};

    std::vector<net::Prefix> withdrawals;
    std::vector<std::pair<net::Prefix, int>> announcements;  // prefix, 0 = NLRI field, 1 = MP_REACH
    auto withdraw = [&](const std::vector<bgp::Nlri>& v) {
        for (const auto& n : v) {
            withdrawals.push_back(n.prefix);
        }
    };
    withdraw(u.withdrawn);
    if (u.mp_unreach) {
        withdraw(u.mp_unreach->withdrawn);
    }
    // MP_REACH next hops: an IPv4 next hop for IPv4 NLRI becomes NEXT_HOP; IPv4 NLRI with an IPv6 next
    // hop (RFC 8950) are not supported and are treated as withdrawn.
    bool mp_usable = u.mp_reach && accepted(u.mp_reach->family) && !u.mp_reach->next_hops.empty();
    bool mp_v4_next_hop = false;
    if (mp_usable && u.mp_reach->family.afi == net::Afi::Ipv4) {
        mp_v4_next_hop = u.mp_reach->next_hops.front().is_v4();
        mp_usable = mp_v4_next_hop;
    }
    if (withdraw_all) {
        withdraw(u.nlri);
        if (u.mp_reach) {
            withdraw(u.mp_reach->nlri);
        }
    } else {
        if (accepted(v4)) {
            for (const auto& n : u.nlri) {
                announcements.emplace_back(n.prefix, 0);
            }
        }
        if (u.mp_reach && mp_usable) {
            for (const auto& n : u.mp_reach->nlri) {
                if (n.prefix.afi == u.mp_reach->family.afi) {
                    announcements.emplace_back(n.prefix, 1);
                }
            }
        } else if (u.mp_reach) {
            withdraw(u.mp_reach->nlri);
        }
    }

    // Route limit, checked before anything changes (withdrawals first, as they are applied first).
    const std::size_t limit = peer->cfg.route_limit;
    std::size_t count = peer->adj_in.size();
    if (limit != 0) {
        std::unordered_set<net::Prefix, PrefixKeyHash> gone;
        for (const auto& p : withdrawals) {
            if (peer->adj_in.contains(p) && gone.insert(p).second) {
                --count;
            }
        }
        if (peer->cfg.counting == RouteCounting::AzureStrict) {
            count += announcements.size();
        } else {
            std::unordered_set<net::Prefix, PrefixKeyHash> added;
            for (const auto& [p, src] : announcements) {
                if ((!peer->adj_in.contains(p) || gone.count(p) != 0) && added.insert(p).second) {
                    ++count;
                }
            }
        }
        if (count > limit) {
            ++m.limit_trips;
            m.take_down(id);
            return UpdateResult{UpdateStatus::RouteLimitExceeded, count, limit};
        }
    }

    for (const auto& p : withdrawals) {
        m.remove_route(peer, p);
    }
    if (!announcements.empty()) {
        AttrRef nlri_attrs;
        AttrRef mp_attrs;
        for (const auto& [p, src] : announcements) {
            if (src == 0) {
                if (!nlri_attrs) {
                    nlri_attrs = m.store.intern(u.attributes, {});
                }
                m.add_route(peer, p, nlri_attrs);
            } else {
                if (!mp_attrs) {
                    bgp::PathAttributes a = u.attributes;
                    if (mp_v4_next_hop) {
                        a.next_hop = u.mp_reach->next_hops.front().as_v4();
                        mp_attrs = m.store.intern(a, {});
                    } else {
                        a.next_hop.reset();  // belongs to the IPv4 NLRI field, not to these routes
                        mp_attrs = m.store.intern(a, u.mp_reach->next_hops);
                    }
                }
                m.add_route(peer, p, mp_attrs);
            }
        }
    }
    m.finish();
    return UpdateResult{UpdateStatus::Ok, limit != 0 ? count : peer->adj_in.size(), limit};
}

void RouteServerRib::peer_down(PeerId id) {
    impl_->take_down(id);
}

std::vector<SharedBytes> RouteServerRib::route_refresh(PeerId id, bgp::AfiSafi family) {
    auto& m = *impl_;
    Peer* peer = m.find_peer(id);
    if (peer == nullptr || family.safi != net::Safi::Unicast) {
        return {};
    }
    const unsigned bit = family_bit(family_index(family.afi)) & peer->families;
    if (bit == 0) {
        return {};
    }
    return m.table_for(*peer, bit);
}

VnetChange RouteServerRib::set_vnet_prefixes(std::vector<net::Prefix> prefixes) {
    auto& m = *impl_;
    std::set<net::Prefix> next(prefixes.begin(), prefixes.end());
    std::vector<net::Prefix> changed;
    std::set_symmetric_difference(m.vnet.begin(), m.vnet.end(), next.begin(), next.end(),
                                  std::back_inserter(changed));
    for (const auto& p : changed) {
        m.touch(p);
    }
    m.vnet = std::move(next);
    m.config.vnet_prefixes.assign(m.vnet.begin(), m.vnet.end());
    for (const auto& p : changed) {
        if (Dest* d = m.loc_rib.find(p)) {  // touch() created it
            d->vnet = m.vnet.count(p) != 0;
        }
    }
    m.finish();
    VnetChange change;
    if (!changed.empty()) {
        for (const auto& [id, peer] : m.peers) {
            (peer->cfg.route_refresh ? change.refresh : change.reset).push_back(id);
        }
        std::sort(change.refresh.begin(), change.refresh.end());
        std::sort(change.reset.begin(), change.reset.end());
    }
    return change;
}

std::vector<PeerOutbound> RouteServerRib::drain_outbound() {
    std::vector<PeerOutbound> out;
    for (auto& [id, peer] : impl_->peers) {
        if (!peer->pending.empty()) {
            out.push_back(PeerOutbound{id, std::move(peer->pending)});
            peer->pending.clear();
        }
    }
    std::sort(out.begin(), out.end(),
              [](const PeerOutbound& a, const PeerOutbound& b) { return a.peer < b.peer; });
    return out;
}

bool RouteServerRib::has_outbound() const {
    return std::any_of(impl_->peers.begin(), impl_->peers.end(),
                       [](const auto& kv) { return !kv.second->pending.empty(); });
}

bool RouteServerRib::flush_deltas() {
    return impl_->flush();
}

std::vector<LearnedRoute> RouteServerRib::adj_rib_in(PeerId id) const {
    std::vector<LearnedRoute> out;
    const Peer* peer = impl_->find_peer(id);
    if (peer == nullptr) {
        return out;
    }
    peer->adj_in.for_each([&](const net::Prefix& p, const AttrRef& a) {
        std::vector<net::IpAddress> nh = a->mp_next_hops;
        if (nh.empty() && a->attrs.next_hop) {
            nh.push_back(net::IpAddress::v4(*a->attrs.next_hop));
        }
        out.push_back(LearnedRoute{p, a->attrs, std::move(nh), !a->loops});
    });
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.prefix < y.prefix; });
    return out;
}

std::vector<AdvertisedRoute> RouteServerRib::adj_rib_out(PeerId id) const {
    std::vector<AdvertisedRoute> out;
    auto& m = *impl_;
    const Peer* peer = m.find_peer(id);
    if (peer == nullptr) {
        return out;
    }
    const Group& g = *peer->group;
    auto add = [&](const net::Prefix& p) {
        const int fi = family_index(p.afi);
        const OutState s = m.out_state(p);
        if (!m.passes(g, s, fi) || (!s.local && s.source == id)) {
            return;
        }
        if (s.local) {
            std::vector<net::IpAddress> nh{fi == 0 ? *g.key.nh_v4 : *g.key.nh_v6};
            out.push_back(AdvertisedRoute{p, g.originated[fi], std::move(nh), kLocalPeer});
        } else {
            std::vector<net::IpAddress> nh = s.attrs->mp_next_hops;
            if (nh.empty() && s.attrs->attrs.next_hop) {
                nh.push_back(net::IpAddress::v4(*s.attrs->attrs.next_hop));
            }
            out.push_back(AdvertisedRoute{p, m.outbound_attrs(*s.attrs), std::move(nh), s.source});
        }
    };
    for (const auto& p : m.vnet) {
        add(p);
    }
    m.loc_rib.for_each([&](const net::Prefix& p, const Dest& d) {
        if (!d.vnet) {
            add(p);
        }
    });
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.prefix < y.prefix; });
    return out;
}

std::optional<LocRibEntry> RouteServerRib::lookup(const net::Prefix& prefix) const {
    auto& m = *impl_;
    const Dest* d = m.dest_of(prefix);
    if (d == nullptr || d->paths.empty()) {
        return std::nullopt;
    }
    LocRibEntry e;
    e.prefix = prefix;
    for (const auto& p : d->paths) {
        std::vector<net::IpAddress> nh = p.attrs->mp_next_hops;
        if (nh.empty() && p.attrs->attrs.next_hop) {
            nh.push_back(net::IpAddress::v4(*p.attrs->attrs.next_hop));
        }
        e.paths.push_back(LocRibPath{p.peer->cfg.id, p.peer->cfg.address, p.attrs->attrs, std::move(nh),
                                     p.attrs->as_path_length});
    }
    e.ecmp_count = m.ecmp_count(*d);
    if (d->paths.size() > 1) {
        e.decided_by = compare_paths(m.key_of(d->paths[0]), m.key_of(d->paths[1])).step;
    }
    e.next_hops = m.next_hops_of(d);
    return e;
}

std::vector<net::Prefix> RouteServerRib::loc_rib_prefixes() const {
    std::vector<net::Prefix> out;
    out.reserve(impl_->loc_rib.size());
    impl_->loc_rib.for_each([&](const net::Prefix& p, const Dest&) { out.push_back(p); });
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t RouteServerRib::route_count(PeerId id) const {
    const Peer* peer = impl_->find_peer(id);
    return peer == nullptr ? 0 : peer->adj_in.size();
}

bool RouteServerRib::is_up(PeerId id) const {
    return impl_->find_peer(id) != nullptr;
}

RibStats RouteServerRib::stats() const {
    const auto& m = *impl_;
    RibStats s;
    s.peers = m.peers.size();
    s.update_groups = m.groups.size();
    s.loc_rib_prefixes = m.loc_rib.size();
    for (const auto& [id, p] : m.peers) {
        s.adj_rib_in_routes += p->adj_in.size();
    }
    s.interned_attributes = m.store.size();
    s.delta_sequence = m.next_sequence;
    s.pending_deltas = m.pending_deltas.size();
    s.delta_refusals = m.refusals;
    s.route_limit_trips = m.limit_trips;
    return s;
}

const RibConfig& RouteServerRib::config() const {
    return impl_->config;
}

}  // namespace rf::rib
