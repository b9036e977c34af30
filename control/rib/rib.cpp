#include "control/rib/rib.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "control/rib/attr_store.hpp"
#include "net/prefix_map.hpp"

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
        case DecisionStep::PathId:
            return "path id";
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
    //    Sessions of one neighbor over both route-server instances land here (same identifier, same
    //    address): the session with the lower PeerId comes first.
    if (auto r = decided(a.peer, b.peer, DecisionStep::LowestPeerId)) {
        return *r;
    }
    // 6. Lower received ADD-PATH path identifier: several paths of one session (RFC 7911).
    if (auto r = decided(a.path_id, b.path_id, DecisionStep::PathId)) {
        return *r;
    }
    return PathComparison{0, DecisionStep::PathId};
}

// --------------------------------------------------------------------------------------- internals

namespace {

constexpr int kFamilyCount = 2;  // IPv4 unicast, IPv6 unicast

// At most this many ADD-PATH paths per (session, prefix); further path ids are ignored, so that a peer
// cannot grow one prefix without bound while its route count (distinct prefixes) stays the same.
constexpr std::size_t kMaxPathsPerSessionPrefix = 64;

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

// A configured neighbor: PeerConfig::neighbor in the upper half when set, else the session's PeerId.
// 0 never names a neighbor ("exclude nobody").
using NeighborKey = std::uint64_t;

NeighborKey neighbor_key(const PeerConfig& c) {
    return c.neighbor != 0 ? ((NeighborKey{1} << 32) | c.neighbor) : NeighborKey{c.id};
}

}  // namespace

// net::PrefixHash is noexcept, so libstdc++ would not cache it in hash-table nodes and would hash again
// on every bucket walk and rehash. This wrapper is not noexcept, which makes the tables cache the hash.
struct PrefixKeyHash {
    std::size_t operator()(const net::Prefix& p) const { return net::PrefixHash{}(p); }  // NOLINT
};

// One path of a prefix: 16 bytes. The Adj-RIB-In *is* the set of these paths (there is no second copy
// per peer); each peer only indexes the prefixes it has paths for.
struct Path {
    AttrRef attrs;
    std::uint32_t rx_id = 0;  // the path identifier the peer gave (ADD-PATH receive), else 0
    std::uint16_t slot = 0;   // the source session (Impl::slots)
    std::uint16_t out_id =
        0;  // the path identifier we send to ADD-PATH peers: 1.., kept while the path lives
};

// A prefix's paths: the eligible ones in comparator order, then the ineligible ones (AS-path loop). One
// path lives inline (the usual case: 24 bytes per prefix, no heap block); more go to a heap array.
class Dest {
public:
    Dest() noexcept {}  // NOLINT(modernize-use-equals-default): the union member stays unconstructed
    ~Dest() { reset(); }
    Dest(Dest&& o) noexcept { take(o); }
    Dest& operator=(Dest&& o) noexcept {
        if (this != &o) {
            reset();
            take(o);
        }
        return *this;
    }
    Dest(const Dest&) = delete;
    Dest& operator=(const Dest&) = delete;

    static constexpr std::size_t kMaxPaths = 0xFFFF;

    Path* data() {
        if (cap_ == 1) {
            return &one_;
        }
        if (heap_ == nullptr) {
            __builtin_unreachable();  // a heap array exists whenever cap_ != 1
        }
        return heap_;
    }
    [[nodiscard]] const Path* data() const { return const_cast<Dest*>(this)->data(); }  // NOLINT
    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    Path& operator[](std::size_t i) { return data()[i]; }
    const Path& operator[](std::size_t i) const { return data()[i]; }

    // Number of eligible paths (they come first).
    [[nodiscard]] std::size_t eligible() const {
        const Path* d = data();
        std::size_t n = 0;
        while (n < size_ && !d[n].attrs->loops) {
            ++n;
        }
        return n;
    }

    bool insert(std::size_t pos, Path p) {
        if (size_ == cap_) {
            if (cap_ >= kMaxPaths) {
                return false;
            }
            grow(std::min<std::size_t>(cap_ == 1 ? 4 : std::size_t{cap_} * 2, kMaxPaths));
        }
        Path* d = data();
        if (pos == size_) {
            new (d + size_) Path(std::move(p));
        } else {
            new (d + size_) Path(std::move(d[size_ - 1]));
            for (std::size_t i = size_ - 1; i > pos; --i) {
                d[i] = std::move(d[i - 1]);
            }
            d[pos] = std::move(p);
        }
        ++size_;
        return true;
    }

    void erase(std::size_t pos) {
        Path* d = data();
        for (std::size_t i = pos; i + 1 < size_; ++i) {
            d[i] = std::move(d[i + 1]);
        }
        d[size_ - 1].~Path();
        --size_;
        if (cap_ != 1 && size_ <= 1) {  // back inline: a prefix that had several paths frees its array
            Path* heap = heap_;
            if (size_ == 1) {
                new (&one_) Path(std::move(heap[0]));
                heap[0].~Path();
            }
            ::operator delete(heap);
            cap_ = 1;
        }
    }

    [[nodiscard]] bool vnet() const { return (flags_ & kVnet) != 0; }
    void set_vnet(bool v) { flags_ = v ? (flags_ | kVnet) : (flags_ & ~kVnet); }
    [[nodiscard]] bool touched() const { return (flags_ & kTouched) != 0; }
    void set_touched(bool v) { flags_ = v ? (flags_ | kTouched) : (flags_ & ~kTouched); }

private:
    static constexpr std::uint8_t kVnet = 1;
    static constexpr std::uint8_t kTouched = 2;

    void grow(std::size_t cap) {
        auto* fresh = static_cast<Path*>(::operator new(cap * sizeof(Path)));
        Path* old = data();
        for (std::size_t i = 0; i < size_; ++i) {
            new (fresh + i) Path(std::move(old[i]));
            old[i].~Path();
        }
        if (cap_ != 1) {
            ::operator delete(heap_);
        }
        heap_ = fresh;
        cap_ = static_cast<std::uint16_t>(cap);
    }
    void reset() {
        Path* d = data();
        for (std::size_t i = 0; i < size_; ++i) {
            d[i].~Path();
        }
        if (cap_ != 1) {
            ::operator delete(heap_);
        }
        size_ = 0;
        cap_ = 1;
        flags_ = 0;
    }
    void take(Dest& o) {
        if (o.cap_ == 1) {
            if (o.size_ == 1) {
                new (&one_) Path(std::move(o.one_));
                o.one_.~Path();
            }
        } else {
            heap_ = o.heap_;
        }
        size_ = o.size_;
        cap_ = o.cap_;
        flags_ = o.flags_;
        o.size_ = 0;
        o.cap_ = 1;
        o.flags_ = 0;
    }

    union {
        Path one_;
        Path* heap_;
    };
    std::uint16_t size_ = 0;
    std::uint16_t cap_ = 1;  // 1: inline
    std::uint8_t flags_ = 0;
};

struct Group;

struct Peer {
    PeerConfig cfg;
    NeighborKey nb = 0;
    std::uint16_t slot = 0;
    unsigned families = 0;
    unsigned add_path_rx = 0;  // families whose NLRI carry path identifiers from this peer
    Group* group = nullptr;
    net::PrefixMap<net::PrefixMapEmpty> prefixes;  // prefixes this session has at least one path for
    std::size_t paths = 0;                         // its paths (Adj-RIB-In routes)
    // Its paths per forwarding next hop: which next hops die with it (take_down's hint to the sink).
    std::unordered_map<net::IpAddress, std::uint32_t, net::IpAddressHash> next_hops;
    std::vector<bgp::SharedMessage> pending;
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

// Who in a group receives a segment: the members of one neighbor (`only`), or every member except the
// neighbors listed (those get their own, path-hidden, segments).
struct Target {
    NeighborKey only = 0;
    std::vector<NeighborKey> except;  // sorted
    bool operator==(const Target&) const = default;
    [[nodiscard]] bool matches(NeighborKey nb) const {
        if (only != 0) {
            return only == nb;
        }
        return std::find(except.begin(), except.end(), nb) == except.end();
    }
};

struct Segment {
    bgp::SharedMessage bytes;
    int family = 0;
    std::uint32_t target = 0;  // index into the targets that came with the segments
};

struct Group {
    GroupKey key;
    bgp::CodecOptions codec;
    unsigned add_path = 0;  // families sent with path identifiers
    std::vector<Peer*> members;
    std::vector<NeighborKey> member_nbs;           // sorted, one entry per member
    bgp::PathAttributes originated[kFamilyCount];  // the VNet route's attributes per family
    // Full Adj-RIB-Out (initial table / route refresh), valid while table_generation matches.
    std::uint64_t table_generation = ~std::uint64_t{0};
    std::vector<Segment> table;
    std::vector<Target> table_targets;

    [[nodiscard]] bool has_member(NeighborKey nb) const {
        return std::binary_search(member_nbs.begin(), member_nbs.end(), nb);
    }
};

// A prefix's eligible paths as the outside sees them: before a RIB call (a copy) or now (the Dest).
struct StateRef {
    const Path* paths = nullptr;
    std::size_t n = 0;  // eligible paths
    bool vnet = false;
};

// One route a receiver gets for a prefix.
struct OutItem {
    AttrNode* attrs = nullptr;  // nullptr: the originated VNet route
    std::uint32_t id = 0;       // path identifier (ADD-PATH send), else 0
    PeerId source = kLocalPeer;
};

// A prefix's state before the RIB call that touched it: its eligible paths, copied to Impl::arena (the
// copies hold references, so attribute nodes outlive the call). Dests are not erased during a call
// (even when they lose their last path); finish() erases the empty ones.
struct Snapshot {
    net::Prefix prefix;
    std::uint32_t offset = 0;
    std::uint32_t count = 0;
    bool vnet = false;
};

struct Change {
    net::Prefix prefix;
    StateRef before;
    StateRef after;
};

struct RouteServerRib::Impl {
    RibConfig config;
    fib::DeltaSink& sink;
    AttrStore store;
    std::unordered_map<PeerId, std::unique_ptr<Peer>> peers;
    std::vector<Peer*> slots;  // by Path::slot; nullptr = free
    std::vector<std::uint16_t> free_slots;
    std::vector<std::unique_ptr<Group>> groups;
    net::PrefixMap<Dest> loc_rib;  // Dests move when the map changes: hold prefixes, not pointers
    std::size_t eligible_prefixes = 0;
    std::set<net::Prefix> vnet;
    std::uint64_t out_generation = 0;

    // The RIB call in progress: every prefix it touched, in order, and the copies of their paths.
    std::vector<Snapshot> touched;
    std::vector<Path> arena;

    // Deltas refused by the sink, coalesced per prefix.
    std::vector<fib::RouteDelta> pending_deltas;
    std::unordered_map<net::Prefix, std::size_t, PrefixKeyHash> pending_index;
    std::uint64_t next_sequence = 1;
    std::uint64_t refusals = 0;
    std::uint64_t limit_trips = 0;

    Impl(RibConfig c, fib::DeltaSink& s) : config(std::move(c)), sink(s), store(config.local_asn) {
        vnet.insert(config.vnet_prefixes.begin(), config.vnet_prefixes.end());
        config.max_ecmp_paths = std::max<std::size_t>(config.max_ecmp_paths, 1);
    }

    ~Impl() {
        loc_rib.clear();  // paths hold attribute references: release them before the store goes
        arena.clear();
    }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    Peer* find_peer(PeerId id) const {
        auto it = peers.find(id);
        return it == peers.end() ? nullptr : it->second.get();
    }

    [[nodiscard]] const Peer& source(const Path& p) const { return *slots[p.slot]; }
    [[nodiscard]] NeighborKey nb_of(const Path& p) const { return slots[p.slot]->nb; }

    // ------------------------------------------------------------------------ Loc-RIB
    PathKey key_of(const Path& p) const {
        const Peer& s = source(p);
        return PathKey{p.attrs->as_path_length, p.attrs->origin, s.cfg.bgp_identifier,
                       s.cfg.address,           s.cfg.id,        p.rx_id};
    }

    static StateRef state_of(const Dest& d) { return StateRef{d.data(), d.eligible(), d.vnet()}; }

    // The ECMP set of `s` without the paths of neighbor `skip` (0: nothing skipped): the paths of the
    // shortest AS-path length, at most one per neighbor (its best), at most max_ecmp_paths, in
    // comparator order. Writes indices into s.paths; returns how many.
    template <typename Out>
    std::size_t select(const StateRef& s, NeighborKey skip, Out&& out) const {
        std::size_t n = 0;
        std::size_t len = 0;
        NeighborKey seen[16];
        std::vector<NeighborKey> seen_more;  // only with more than 16 members
        auto was_seen = [&](NeighborKey nb) {
            for (std::size_t i = 0; i < std::min<std::size_t>(n, 16); ++i) {
                if (seen[i] == nb) {
                    return true;
                }
            }
            return std::find(seen_more.begin(), seen_more.end(), nb) != seen_more.end();
        };
        for (std::size_t i = 0; i < s.n && n < config.max_ecmp_paths; ++i) {
            const Path& p = s.paths[i];
            const NeighborKey nb = nb_of(p);
            if (nb == skip) {
                continue;
            }
            if (n == 0) {
                len = p.attrs->as_path_length;
            } else if (p.attrs->as_path_length != len) {
                break;
            }
            if (was_seen(nb)) {
                continue;
            }
            (n < 16 ? seen[n] : seen_more.emplace_back()) = nb;
            out(i);
            ++n;
        }
        return n;
    }

    void next_hops_of(const StateRef& s, std::vector<net::IpAddress>& out) const {
        out.clear();
        select(s, 0, [&](std::size_t i) {
            const auto& nh = s.paths[i].attrs->forwarding_next_hop;
            if (std::find(out.begin(), out.end(), nh) == out.end()) {
                out.push_back(nh);
            }
        });
    }

    // Snapshots the prefix before its first change in this call; creates its Dest if needed. The
    // reference is valid until the next touch().
    Dest& touch(const net::Prefix& p) {
        auto [dp, inserted] = loc_rib.try_emplace(p);
        Dest& d = *dp;
        if (inserted && !vnet.empty()) {
            d.set_vnet(vnet.count(p) != 0);
        }
        if (!d.touched()) {
            d.set_touched(true);
            const std::size_t n = d.eligible();
            touched.push_back(Snapshot{p, static_cast<std::uint32_t>(arena.size()),
                                       static_cast<std::uint32_t>(n), d.vnet()});
            for (std::size_t i = 0; i < n; ++i) {
                arena.push_back(d[i]);
            }
        }
        return d;
    }

    static std::size_t find_path(const Dest& d, std::uint16_t slot, std::uint32_t rx) {
        for (std::size_t i = 0; i < d.size(); ++i) {
            if (d[i].slot == slot && d[i].rx_id == rx) {
                return i;
            }
        }
        return d.size();
    }

    static bool has_slot(const Dest& d, std::uint16_t slot) {
        for (std::size_t i = 0; i < d.size(); ++i) {
            if (d[i].slot == slot) {
                return true;
            }
        }
        return false;
    }

    // The smallest path identifier (1..) no path of the prefix uses; 0 if none is left.
    static std::uint16_t free_out_id(const Dest& d) {
        if (d.empty()) {
            return 1;
        }
        std::vector<std::uint16_t> used;
        used.reserve(d.size());
        for (std::size_t i = 0; i < d.size(); ++i) {
            used.push_back(d[i].out_id);
        }
        std::sort(used.begin(), used.end());
        std::uint32_t id = 1;
        for (auto u : used) {
            if (u == id) {
                ++id;
            } else if (u > id) {
                break;
            }
        }
        return id > 0xFFFF ? 0 : static_cast<std::uint16_t>(id);
    }

    static void uncount_next_hop(Peer* peer, const net::IpAddress& nh) {
        auto it = peer->next_hops.find(nh);
        if (it != peer->next_hops.end() && --it->second == 0) {
            peer->next_hops.erase(it);
        }
    }

    // The next hops that only `peer`'s paths use: with it down, nothing in the Loc-RIB goes through them.
    std::vector<net::IpAddress> next_hops_only_of(const Peer* peer) const {
        std::vector<net::IpAddress> out;
        for (const auto& [nh, count] : peer->next_hops) {
            bool elsewhere = false;
            for (const auto& [id, other] : peers) {
                if (other.get() != peer && other->next_hops.contains(nh)) {
                    elsewhere = true;
                    break;
                }
            }
            if (!elsewhere) {
                out.push_back(nh);
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    void add_route(Peer* peer, const net::Prefix& p, std::uint32_t rx, const AttrRef& attrs) {
        Dest& d = touch(p);
        std::uint16_t out_id = 0;
        const std::size_t at = find_path(d, peer->slot, rx);
        if (at != d.size()) {
            out_id = d[at].out_id;  // a replaced path keeps its identifier
            uncount_next_hop(peer, d[at].attrs->forwarding_next_hop);
            d.erase(at);
        } else {
            std::size_t mine = 0;
            for (std::size_t i = 0; i < d.size(); ++i) {
                mine += d[i].slot == peer->slot ? 1 : 0;
            }
            if (mine >= kMaxPathsPerSessionPrefix || d.size() >= Dest::kMaxPaths) {
                return;
            }
            out_id = free_out_id(d);
            if (out_id == 0) {
                return;
            }
            if (mine == 0) {
                peer->prefixes.try_emplace(p);
            }
            ++peer->paths;
        }
        ++peer->next_hops[attrs->forwarding_next_hop];
        Path np{attrs, rx, peer->slot, out_id};
        std::size_t pos = d.size();
        if (!attrs->loops) {
            const PathKey k = key_of(np);
            pos = 0;
            while (pos < d.size() && !d[pos].attrs->loops && compare_paths(key_of(d[pos]), k).order < 0) {
                ++pos;
            }
        }
        d.insert(pos, std::move(np));
    }

    void remove_route(Peer* peer, const net::Prefix& p, std::uint32_t rx) {
        const Dest* existing = loc_rib.find(p);
        if (existing == nullptr || find_path(*existing, peer->slot, rx) == existing->size()) {
            return;
        }
        Dest& d = touch(p);  // the prefix exists: touch() does not move anything
        const std::size_t at = find_path(d, peer->slot, rx);
        uncount_next_hop(peer, d[at].attrs->forwarding_next_hop);
        d.erase(at);
        --peer->paths;
        if (!has_slot(d, peer->slot)) {
            peer->prefixes.erase(p);
        }
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
            if (config.as_path_mode == azure::AsPathMode::Prepend) {
                out->as_path = as_path_prepended(n.attrs.as_path.value_or(bgp::AsPath{}), config.local_asn);
            } else if (!out->as_path) {
                out->as_path = bgp::AsPath{};
            }
            n.outbound = std::move(out);
        }
        return *n.outbound;
    }

    // Whether a learned path may be advertised to the members of g (NO_ADVERTISE/NO_EXPORT, peer AS).
    bool passes(const Group& g, const AttrNode& a) const {
        if (a.not_advertised) {
            return false;
        }
        return !(config.suppress_peer_as_in_path && a.attrs.as_path &&
                 as_path_contains(*a.attrs.as_path, g.key.asn));
    }

    // What a member of g whose neighbor is `skip` receives for a prefix of family fi in state s (RFC
    // 7947 §2.3 path hiding: the best among the other neighbors' paths, not nothing). skip = 0: what a
    // neighbor with no path in the set receives. Without ADD-PATH: at most one item (a best path
    // carrying NO_ADVERTISE hides the prefix); with ADD-PATH send: the ECMP set among the other
    // neighbors' paths, each with its identifier.
    std::size_t view(const Group& g, int fi, const StateRef& s, NeighborKey skip,
                     std::vector<OutItem>& out) const {
        out.clear();
        if ((g.key.families & family_bit(fi)) == 0) {
            return 0;
        }
        if (s.vnet) {
            if ((fi == 0 ? g.key.nh_v4 : g.key.nh_v6).has_value()) {
                out.push_back(OutItem{nullptr, 0, kLocalPeer});
            }
            return out.size();
        }
        if (!config.branch_to_branch) {
            return 0;
        }
        if ((g.add_path & family_bit(fi)) != 0) {
            select(s, skip, [&](std::size_t i) {
                const Path& p = s.paths[i];
                if (passes(g, *p.attrs)) {
                    out.push_back(OutItem{p.attrs.get(), p.out_id, source(p).cfg.id});
                }
            });
            return out.size();
        }
        for (std::size_t i = 0; i < s.n; ++i) {
            const Path& p = s.paths[i];
            if (nb_of(p) != skip) {
                if (passes(g, *p.attrs)) {
                    out.push_back(OutItem{p.attrs.get(), 0, source(p).cfg.id});
                }
                break;
            }
        }
        return out.size();
    }

    // The neighbors whose members see something else than everybody else (their paths are hidden from
    // them): the best path's neighbor, or with ADD-PATH every neighbor in the ECMP set.
    void hidden_neighbors(const Group& g, int fi, const StateRef& s, std::vector<NeighborKey>& out) const {
        if (s.vnet || !config.branch_to_branch || s.n == 0) {
            return;
        }
        if ((g.add_path & family_bit(fi)) != 0) {
            select(s, 0, [&](std::size_t i) { out.push_back(nb_of(s.paths[i])); });
        } else {
            out.push_back(nb_of(s.paths[0]));
        }
    }

    // Turns (prefix, before, after) changes into UPDATE messages for one group: per target, the
    // withdrawals then the announcements, NLRI of one attribute set packed together.
    struct Encoder {
        // only_present: skip per-neighbor targets no member of g belongs to (incremental changes; a full
        // table is cached and serves members that join later).
        Encoder(const Impl& impl, Group& group, bool only_present)
            : m(impl), g(group), only_present_neighbors(only_present) {}

        const Impl& m;
        Group& g;
        bool only_present_neighbors;

        struct Bucket {
            const bgp::PathAttributes* attrs = nullptr;
            std::vector<net::IpAddress> mp_next_hops;
            std::vector<bgp::Nlri> nlri;
        };
        using AnnounceKey = std::tuple<int, std::uint32_t, const void*>;  // family, target, attributes
        std::vector<Target> targets;
        std::map<AnnounceKey, Bucket> announce;
        std::map<std::pair<int, std::uint32_t>, std::vector<bgp::Nlri>> withdraw;
        std::pair<AnnounceKey, Bucket*> last{};
        std::uint32_t last_target = ~0U;
        std::vector<NeighborKey> hidden;
        std::vector<NeighborKey> except;
        std::vector<OutItem> was;
        std::vector<OutItem> now;
        inline static const std::vector<NeighborKey> kNone;

        std::uint32_t target_index(NeighborKey only, const std::vector<NeighborKey>& but) {
            if (last_target != ~0U && targets[last_target].only == only &&
                targets[last_target].except == but) {
                return last_target;
            }
            for (std::size_t i = 0; i < targets.size(); ++i) {
                if (targets[i].only == only && targets[i].except == but) {
                    return last_target = static_cast<std::uint32_t>(i);
                }
            }
            targets.push_back(Target{only, but});
            return last_target = static_cast<std::uint32_t>(targets.size() - 1);
        }

        // What one class of receivers must be sent for a prefix: path ids to withdraw, items to announce.
        struct Actions {
            std::vector<std::uint32_t> withdraw;
            std::vector<OutItem> announce;
            [[nodiscard]] bool empty() const { return withdraw.empty() && announce.empty(); }
            bool operator==(const Actions& o) const {
                return withdraw == o.withdraw &&
                       std::equal(announce.begin(), announce.end(), o.announce.begin(), o.announce.end(),
                                  [](const OutItem& x, const OutItem& y) {
                                      return x.id == y.id && x.attrs == y.attrs;
                                  });
            }
        };
        Actions others;  // scratch: for the receivers without a hidden path
        Actions mine;    // scratch: for one hidden neighbor's receivers

        void add(const net::Prefix& p, const StateRef& before, const StateRef& after) {
            const int fi = family_index(p.afi);
            if ((g.key.families & family_bit(fi)) == 0) {
                return;
            }
            hidden.clear();
            m.hidden_neighbors(g, fi, before, hidden);
            m.hidden_neighbors(g, fi, after, hidden);
            std::sort(hidden.begin(), hidden.end());
            hidden.erase(std::unique(hidden.begin(), hidden.end()), hidden.end());
            diff(fi, before, after, 0, others);
            // A hidden neighbor whose members need exactly what everybody else gets stays with them (one
            // shared encoding); the others get their own target.
            except.clear();
            for (const NeighborKey nb : hidden) {
                if (only_present_neighbors && !g.has_member(nb)) {
                    continue;
                }
                diff(fi, before, after, nb, mine);
                if (mine == others) {
                    continue;
                }
                except.push_back(nb);
                if (!mine.empty()) {
                    emit(p, fi, mine, target_index(nb, kNone));
                }
            }
            if (!others.empty()) {
                emit(p, fi, others, target_index(0, except));
            }
        }

        // The actions for the receivers of neighbor `skip` (0: a neighbor without a hidden path).
        void diff(int fi, const StateRef& before, const StateRef& after, NeighborKey skip, Actions& out) {
            out.withdraw.clear();
            out.announce.clear();
            m.view(g, fi, before, skip, was);
            m.view(g, fi, after, skip, now);
            for (const auto& w : was) {
                if (std::none_of(now.begin(), now.end(), [&](const OutItem& x) { return x.id == w.id; })) {
                    out.withdraw.push_back(w.id);
                }
            }
            for (const auto& a : now) {
                if (std::none_of(was.begin(), was.end(),
                                 [&](const OutItem& x) { return x.id == a.id && x.attrs == a.attrs; })) {
                    out.announce.push_back(a);  // (what the receiver holds already is not sent again)
                }
            }
        }

        void emit(const net::Prefix& p, int fi, const Actions& act, std::uint32_t target) {
            for (const auto id : act.withdraw) {
                withdraw[{fi, target}].push_back(bgp::Nlri{p, id});
            }
            for (const auto& item : act.announce) {
                add_to_bucket(p, fi, item, target);
            }
        }

        void add_to_bucket(const net::Prefix& p, int fi, const OutItem& item, std::uint32_t target) {
            const void* identity =
                item.attrs == nullptr ? static_cast<const void*>(&g.originated[fi]) : item.attrs;
            const AnnounceKey key{fi, target, identity};
            if (last.second == nullptr || last.first != key) {
                last = {key, &announce[key]};
            }
            auto& b = *last.second;
            if (b.attrs == nullptr) {
                if (item.attrs == nullptr) {
                    b.attrs = &g.originated[fi];
                    if (fi == 1) {
                        b.mp_next_hops = {*g.key.nh_v6};
                    }
                } else {
                    b.attrs = &m.outbound_attrs(*item.attrs);
                    b.mp_next_hops = item.attrs->mp_next_hops;
                }
            }
            b.nlri.push_back(bgp::Nlri{p, item.id});
        }

        void finish(std::vector<Segment>& out) {
            for (auto& [key, nlri] : withdraw) {
                std::vector<std::uint8_t> bytes;
                bgp::encode_withdrawals(family_at(key.first), nlri, g.codec, bytes);
                out.push_back(Segment{bgp::share(std::move(bytes)), key.first, key.second});
            }
            for (auto& [key, b] : announce) {
                const int fi = std::get<0>(key);
                std::vector<std::uint8_t> bytes;
                bgp::encode_announcements(*b.attrs, family_at(fi), b.mp_next_hops, b.nlri, g.codec, bytes);
                out.push_back(Segment{bgp::share(std::move(bytes)), fi, std::get<1>(key)});
            }
        }
    };

    // The whole Adj-RIB-Out of a group, cached until the next outbound change.
    const std::vector<Segment>& full_table(Group& g) {
        if (g.table_generation == out_generation) {
            return g.table;
        }
        Encoder e{*this, g, false};
        for (const auto& p : vnet) {
            const Dest* d = loc_rib.find(p);
            e.add(p, StateRef{}, d != nullptr ? state_of(*d) : StateRef{nullptr, 0, true});
        }
        loc_rib.for_each([&](const net::Prefix& p, const Dest& d) {
            if (!d.vnet()) {
                const StateRef s = state_of(d);
                if (s.n != 0) {
                    e.add(p, StateRef{}, s);
                }
            }
        });
        g.table.clear();
        e.finish(g.table);
        g.table_targets = std::move(e.targets);
        g.table_generation = out_generation;
        return g.table;
    }

    std::vector<bgp::SharedMessage> table_for(Peer& peer, unsigned families) {
        std::vector<bgp::SharedMessage> out;
        Group& g = *peer.group;
        for (const auto& s : full_table(g)) {
            if ((families & family_bit(s.family)) != 0 && g.table_targets[s.target].matches(peer.nb)) {
                out.push_back(s.bytes);
            }
        }
        for (int fi = 0; fi < kFamilyCount; ++fi) {
            if ((families & family_bit(fi)) != 0) {
                std::vector<std::uint8_t> eor;
                bgp::encode_end_of_rib(family_at(fi), eor);
                out.push_back(bgp::share(std::move(eor)));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------ end of a RIB call
    static bool same_paths(const StateRef& a, const StateRef& b) {
        if (a.vnet != b.vnet || a.n != b.n) {
            return false;
        }
        for (std::size_t i = 0; i < a.n; ++i) {
            const Path& x = a.paths[i];
            const Path& y = b.paths[i];
            if (x.attrs != y.attrs || x.slot != y.slot || x.out_id != y.out_id) {
                return false;
            }
        }
        return true;
    }

    void finish() {
        std::vector<Change> changes;
        std::vector<fib::RouteDelta> deltas;
        std::vector<net::IpAddress> nh_before;
        std::vector<net::IpAddress> nh_after;
        for (const auto& snap : touched) {
            const Dest& d = *loc_rib.find(snap.prefix);  // touched prefixes keep their Dest until the end
            const StateRef before{arena.data() + snap.offset, snap.count, snap.vnet};
            const StateRef after = state_of(d);
            if (same_paths(before, after)) {
                continue;
            }
            next_hops_of(before, nh_before);
            next_hops_of(after, nh_after);
            if (nh_after != nh_before) {
                deltas.push_back(fib::RouteDelta{0, snap.prefix, nh_after});
            }
            changes.push_back(Change{snap.prefix, before, after});
            eligible_prefixes += (after.n != 0 ? 1 : 0);
            eligible_prefixes -= (before.n != 0 ? 1 : 0);
        }
        if (!changes.empty()) {
            ++out_generation;
            emit(changes);
        }
        for (const auto& snap : touched) {
            Dest* d = loc_rib.find(snap.prefix);
            if (d == nullptr) {
                continue;  // not reached: touched prefixes keep their Dest until here
            }
            d->set_touched(false);
            if (d->empty()) {
                loc_rib.erase(snap.prefix);
            }
        }
        touched.clear();
        arena.clear();
        queue_deltas(std::move(deltas));
    }

    void emit(const std::vector<Change>& changes) {
        for (auto& g : groups) {
            // The cached full table is stale now: release its buffers (the whole table, encoded) rather
            // than keep them until the group's next initial table or refresh.
            g->table = {};
            g->table_targets = {};
            Encoder e{*this, *g, true};
            for (const auto& c : changes) {
                e.add(c.prefix, c.before, c.after);
            }
            std::vector<Segment> segments;
            e.finish(segments);
            for (Peer* member : g->members) {
                for (const auto& s : segments) {
                    if (e.targets[s.target].matches(member->nb)) {
                        member->pending.push_back(s.bytes);
                    }
                }
            }
        }
    }

    void queue_deltas(std::vector<fib::RouteDelta>&& deltas) {
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

    static void add_member(Group& g, Peer* peer) {
        g.members.push_back(peer);
        g.member_nbs.insert(std::upper_bound(g.member_nbs.begin(), g.member_nbs.end(), peer->nb), peer->nb);
    }

    Group* join_group(Peer* peer) {
        const GroupKey k = key_for(peer->cfg, peer->families);
        for (auto& g : groups) {
            if (g->key == k) {
                add_member(*g, peer);
                return g.get();
            }
        }
        auto g = std::make_unique<Group>();
        g->key = k;
        g->codec = peer->cfg.codec;
        g->add_path = family_mask(k.add_path_send);
        for (int fi = 0; fi < kFamilyCount; ++fi) {
            auto& a = g->originated[fi];
            a.origin = bgp::Origin::Igp;
            // Our own route: the RS ASN is its path in either AS-path mode.
            a.as_path = bgp::AsPath{{bgp::AsSegment{bgp::AsSegmentType::Sequence, {config.local_asn}}}};
            if (fi == 0 && k.nh_v4) {
                a.next_hop = k.nh_v4->as_v4();
            }
        }
        add_member(*g, peer);
        groups.push_back(std::move(g));
        return groups.back().get();
    }

    void leave_group(Peer* peer) {
        Group* g = peer->group;
        if (g == nullptr) {
            return;
        }
        std::erase(g->members, peer);
        auto it = std::lower_bound(g->member_nbs.begin(), g->member_nbs.end(), peer->nb);
        if (it != g->member_nbs.end() && *it == peer->nb) {
            g->member_nbs.erase(it);
        }
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
        // Before the sweep: a FIB can take these next hops out of its ECMP groups while the RIB still
        // works out every prefix's new set (the batch below).
        if (const auto dead = next_hops_only_of(peer); !dead.empty()) {
            sink.next_hops_down(dead);
        }
        peer->prefixes.for_each([&](const net::Prefix& p, const net::PrefixMapEmpty&) {
            Dest& d = touch(p);
            for (std::size_t i = d.size(); i-- > 0;) {
                if (d[i].slot == peer->slot) {
                    d.erase(i);
                }
            }
        });
        peer->prefixes.clear();
        peer->paths = 0;
        peer->next_hops.clear();
        finish();
        slots[peer->slot] = nullptr;
        free_slots.push_back(peer->slot);
        peers.erase(it);
    }

    std::uint16_t take_slot(Peer* peer) {
        if (!free_slots.empty()) {
            const std::uint16_t s = free_slots.back();
            free_slots.pop_back();
            slots[s] = peer;
            return s;
        }
        assert(slots.size() < 0xFFFF && "at most 65,535 sessions at once");
        slots.push_back(peer);
        return static_cast<std::uint16_t>(slots.size() - 1);
    }
};

// ----------------------------------------------------------------------------------- public API

RouteServerRib::RouteServerRib(RibConfig config, fib::DeltaSink& sink)
    : impl_(std::make_unique<Impl>(std::move(config), sink)) {}

RouteServerRib::~RouteServerRib() = default;

std::vector<bgp::SharedMessage> RouteServerRib::peer_up(const PeerConfig& cfg) {
    auto& m = *impl_;
    assert(cfg.id != kLocalPeer && "PeerId 0 is reserved for originated routes");
    m.take_down(cfg.id);
    auto peer = std::make_unique<Peer>();
    peer->cfg = cfg;
    peer->nb = neighbor_key(cfg);
    peer->families = family_mask(cfg.families);
    peer->add_path_rx = family_mask(cfg.codec.add_path_receive) & peer->families;
    Peer* raw = peer.get();
    raw->slot = m.take_slot(raw);
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
    // The received path identifier counts only where ADD-PATH receive was negotiated.
    auto rx_of = [&](const bgp::Nlri& n) {
        return (peer->add_path_rx & family_bit(family_index(n.prefix.afi))) != 0 ? n.path_id : 0U;
    };
    const bgp::AfiSafi v4{net::Afi::Ipv4, net::Safi::Unicast};

    struct Nlri {
        net::Prefix prefix;
        std::uint32_t rx = 0;
        int src = 0;  // announcements: 0 = NLRI field, 1 = MP_REACH
    };
    std::vector<Nlri> withdrawals;
    std::vector<Nlri> announcements;
    auto withdraw = [&](const std::vector<bgp::Nlri>& v) {
        for (const auto& n : v) {
            withdrawals.push_back(Nlri{n.prefix, rx_of(n), 0});
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
                announcements.push_back(Nlri{n.prefix, rx_of(n), 0});
            }
        }
        if (u.mp_reach && mp_usable) {
            for (const auto& n : u.mp_reach->nlri) {
                if (n.prefix.afi == u.mp_reach->family.afi) {
                    announcements.push_back(Nlri{n.prefix, rx_of(n), 1});
                }
            }
        } else if (u.mp_reach) {
            withdraw(u.mp_reach->nlri);
        }
    }

    // Route limit, checked before anything changes (withdrawals first, as they are applied first). The
    // count is the number of distinct prefixes (ADD-PATH: a prefix counts once however many paths).
    const std::size_t limit = peer->cfg.route_limit;
    std::size_t count = peer->prefixes.size();
    if (limit != 0) {
        if (peer->add_path_rx == 0) {
            std::unordered_set<net::Prefix, PrefixKeyHash> gone;
            for (const auto& w : withdrawals) {
                if (peer->prefixes.contains(w.prefix) && gone.insert(w.prefix).second) {
                    --count;
                }
            }
            if (peer->cfg.counting == azure::RouteCounting::AzureStrict) {
                count += announcements.size();
            } else {
                std::unordered_set<net::Prefix, PrefixKeyHash> added;
                for (const auto& a : announcements) {
                    if ((!peer->prefixes.contains(a.prefix) || gone.count(a.prefix) != 0) &&
                        added.insert(a.prefix).second) {
                        ++count;
                    }
                }
            }
        } else {
            // Path identifiers the peer holds per prefix after the withdrawals, then the announcements.
            std::unordered_map<net::Prefix, std::vector<std::uint32_t>, PrefixKeyHash> ids;
            auto ids_of = [&](const net::Prefix& p) -> std::vector<std::uint32_t>& {
                auto [it, inserted] = ids.try_emplace(p);
                if (inserted) {
                    if (const Dest* d = m.loc_rib.find(p)) {
                        for (std::size_t i = 0; i < d->size(); ++i) {
                            if ((*d)[i].slot == peer->slot) {
                                it->second.push_back((*d)[i].rx_id);
                            }
                        }
                    }
                }
                return it->second;
            };
            for (const auto& w : withdrawals) {
                auto& v = ids_of(w.prefix);
                const bool had = !v.empty();
                std::erase(v, w.rx);
                if (had && v.empty()) {
                    --count;
                }
            }
            if (peer->cfg.counting == azure::RouteCounting::AzureStrict) {
                count += announcements.size();
            } else {
                for (const auto& a : announcements) {
                    auto& v = ids_of(a.prefix);
                    if (std::find(v.begin(), v.end(), a.rx) == v.end()) {
                        count += v.empty() ? 1 : 0;
                        v.push_back(a.rx);
                    }
                }
            }
        }
        if (count > limit) {
            ++m.limit_trips;
            m.take_down(id);
            return UpdateResult{UpdateStatus::RouteLimitExceeded, count, limit};
        }
    }

    for (const auto& w : withdrawals) {
        m.remove_route(peer, w.prefix, w.rx);
    }
    if (!announcements.empty()) {
        AttrRef nlri_attrs;
        AttrRef mp_attrs;
        for (const auto& a : announcements) {
            if (a.src == 0) {
                if (!nlri_attrs) {
                    nlri_attrs = m.store.intern(u.attributes, {});
                }
                m.add_route(peer, a.prefix, a.rx, nlri_attrs);
            } else {
                if (!mp_attrs) {
                    bgp::PathAttributes at = u.attributes;
                    if (mp_v4_next_hop) {
                        at.next_hop = u.mp_reach->next_hops.front().as_v4();
                        mp_attrs = m.store.intern(at, {});
                    } else {
                        at.next_hop.reset();  // belongs to the IPv4 NLRI field, not to these routes
                        mp_attrs = m.store.intern(at, u.mp_reach->next_hops);
                    }
                }
                m.add_route(peer, a.prefix, a.rx, mp_attrs);
            }
        }
    }
    m.finish();
    return UpdateResult{UpdateStatus::Ok, limit != 0 ? count : peer->prefixes.size(), limit};
}

void RouteServerRib::peer_down(PeerId id) {
    impl_->take_down(id);
}

std::vector<bgp::SharedMessage> RouteServerRib::route_refresh(PeerId id, bgp::AfiSafi family) {
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
            d->set_vnet(m.vnet.count(p) != 0);
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

namespace {
std::vector<net::IpAddress> route_next_hops(const AttrNode& a) {
    std::vector<net::IpAddress> nh = a.mp_next_hops;
    if (nh.empty() && a.attrs.next_hop) {
        nh.push_back(net::IpAddress::v4(*a.attrs.next_hop));
    }
    return nh;
}
}  // namespace

std::vector<LearnedRoute> RouteServerRib::adj_rib_in(PeerId id) const {
    std::vector<LearnedRoute> out;
    const auto& m = *impl_;
    const Peer* peer = m.find_peer(id);
    if (peer == nullptr) {
        return out;
    }
    peer->prefixes.for_each([&](const net::Prefix& p, const net::PrefixMapEmpty&) {
        const Dest& d = *m.loc_rib.find(p);
        for (std::size_t i = 0; i < d.size(); ++i) {
            const Path& path = d[i];
            if (path.slot == peer->slot) {
                out.push_back(LearnedRoute{p, path.attrs->attrs, route_next_hops(*path.attrs),
                                           !path.attrs->loops, path.rx_id});
            }
        }
    });
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
        return std::tie(x.prefix, x.path_id) < std::tie(y.prefix, y.path_id);
    });
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
    std::vector<OutItem> items;
    auto add = [&](const net::Prefix& p, const StateRef& s) {
        const int fi = family_index(p.afi);
        m.view(g, fi, s, peer->nb, items);
        for (const auto& it : items) {
            if (it.attrs == nullptr) {
                std::vector<net::IpAddress> nh{fi == 0 ? *g.key.nh_v4 : *g.key.nh_v6};
                out.push_back(AdvertisedRoute{p, g.originated[fi], std::move(nh), kLocalPeer, it.id});
            } else {
                out.push_back(AdvertisedRoute{p, m.outbound_attrs(*it.attrs), route_next_hops(*it.attrs),
                                              it.source, it.id});
            }
        }
    };
    for (const auto& p : m.vnet) {
        const Dest* d = m.loc_rib.find(p);
        add(p, d != nullptr ? Impl::state_of(*d) : StateRef{nullptr, 0, true});
    }
    m.loc_rib.for_each([&](const net::Prefix& p, const Dest& d) {
        if (!d.vnet()) {
            add(p, Impl::state_of(d));
        }
    });
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
        return std::tie(x.prefix, x.path_id) < std::tie(y.prefix, y.path_id);
    });
    return out;
}

std::optional<LocRibEntry> RouteServerRib::lookup(const net::Prefix& prefix) const {
    auto& m = *impl_;
    const Dest* d = m.loc_rib.find(prefix);
    if (d == nullptr) {
        return std::nullopt;
    }
    const StateRef s = Impl::state_of(*d);
    if (s.n == 0) {
        return std::nullopt;
    }
    std::vector<std::size_t> order;
    m.select(s, 0, [&](std::size_t i) { order.push_back(i); });
    const std::size_t members = order.size();
    for (std::size_t i = 0; i < s.n; ++i) {
        if (std::find(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(members), i) ==
            order.begin() + static_cast<std::ptrdiff_t>(members)) {
            order.push_back(i);
        }
    }
    LocRibEntry e;
    e.prefix = prefix;
    for (const std::size_t i : order) {
        const Path& p = s.paths[i];
        const Peer& src = m.source(p);
        e.paths.push_back(LocRibPath{src.cfg.id, src.cfg.address, p.attrs->attrs, route_next_hops(*p.attrs),
                                     p.attrs->as_path_length, p.rx_id});
    }
    e.ecmp_count = members;
    if (order.size() > 1) {
        e.decided_by = compare_paths(m.key_of(s.paths[order[0]]), m.key_of(s.paths[order[1]])).step;
    }
    m.next_hops_of(s, e.next_hops);
    return e;
}

std::vector<net::Prefix> RouteServerRib::loc_rib_prefixes() const {
    std::vector<net::Prefix> out;
    out.reserve(impl_->eligible_prefixes);
    impl_->loc_rib.for_each([&](const net::Prefix& p, const Dest& d) {
        if (d.eligible() != 0) {
            out.push_back(p);
        }
    });
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t RouteServerRib::route_count(PeerId id) const {
    const Peer* peer = impl_->find_peer(id);
    return peer == nullptr ? 0 : peer->prefixes.size();
}

bool RouteServerRib::is_up(PeerId id) const {
    return impl_->find_peer(id) != nullptr;
}

RibStats RouteServerRib::stats() const {
    const auto& m = *impl_;
    RibStats s;
    s.peers = m.peers.size();
    s.update_groups = m.groups.size();
    s.loc_rib_prefixes = m.eligible_prefixes;
    for (const auto& [id, p] : m.peers) {
        s.adj_rib_in_routes += p->paths;
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
