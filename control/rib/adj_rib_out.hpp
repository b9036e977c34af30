// The Adj-RIB-Out of every established peer, encoded once per update group (update_groups.hpp).
//
// What each peer receives (RFC 7947 §2.3 "path hiding"): for every prefix, the best path among the
// paths of the OTHER neighbors — never its own (split horizon), and not nothing when its own path is the
// best. Only prefixes whose best path (with ADD-PATH send: whose ECMP set) comes from a neighbor in the
// group need a second encoding, for that neighbor's members; everybody else shares one.
//
// Outbound attributes (eBGP to every peer): LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST are not sent,
// unknown optional transitive attributes are passed on with Partial set, the others dropped, and the
// route server's ASN is prepended in AsPathMode::Prepend. Routes carrying NO_ADVERTISE / NO_EXPORT /
// NO_EXPORT_SUBCONFED are not advertised.
//
// Export policy (PeerConfig::export_policy) is the last step for learned routes: the group's chain is
// evaluated on each route a member would receive (the policy engine's evaluate); a rejected route is
// not sent, a rewritten one is sent with its rewritten attributes (interned, so two prefixes rewritten
// alike share one UPDATE). Export policy never reaches for the next best path: a peer whose policy
// rejects the best path (among the other neighbors') receives nothing for the prefix, like BIRD and
// OpenBGPD. Groups without export policy skip the step (one test of an empty chain per prefix).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "control/codec/message.hpp"
#include "control/codec/shared_message.hpp"
#include "control/rib/attr_store.hpp"
#include "control/rib/best_path.hpp"
#include "control/rib/families.hpp"
#include "control/rib/loc_rib.hpp"
#include "control/rib/peers.hpp"
#include "control/rib/rib.hpp"
#include "control/rib/update_groups.hpp"

namespace rf::rib {

class UpdateEncoder;

// One route a receiver gets for a prefix.
struct OutboundPath {
    AttrNode* attrs = nullptr;  // nullptr: the originated VNet route
    std::uint32_t id = 0;       // path identifier (ADD-PATH send), else 0
    PeerId source = kLocalPeer;
};

class AdjRibOut {
public:
    AdjRibOut(const RibConfig& config, const DecisionProcess& decision, const LocRib& loc_rib,
              AttrStore& attributes)
        : config_(config), decision_(decision), loc_rib_(loc_rib), attributes_(attributes), groups_(config) {}

    UpdateGroups& groups() { return groups_; }
    [[nodiscard]] const UpdateGroups& groups() const { return groups_; }

    // The peer's whole Adj-RIB-Out for `families` (families.hpp mask), then End-of-RIB for each when
    // `end_of_rib` (not inside an enhanced route refresh's BoRR … EoRR).
    std::vector<bgp::SharedMessage> initial_table(const RibPeer& peer, unsigned families, bool end_of_rib);

    // Encodes the prefixes changed by one RIB call for every group and appends the messages to each
    // member's pending list. Invalidates the cached full tables.
    void queue_changes(const std::vector<PrefixChange>& changes);

    // Moves the peer to the update group its configuration asks for now (a changed export chain) and
    // appends to its pending list what the change makes it receive differently: withdrawals of what the
    // new chain rejects, announcements of what it accepts or rewrites otherwise. Nothing when its group
    // key is unchanged.
    void regroup(RibPeer& peer);

    // What a member of g whose neighbor is `skip` receives for a prefix of family fi in state s (RFC
    // 7947 §2.3 path hiding: the best among the other neighbors' paths, not nothing). skip = 0: what a
    // neighbor with no path in the set receives. Without ADD-PATH: at most one route (a best path
    // carrying NO_ADVERTISE hides the prefix); with ADD-PATH send: the ECMP set among the other
    // neighbors' paths, each with its identifier. Returns out.size().
    // The group's export policy applies last: out holds what it accepted, rewritten attributes
    // interned and kept alive until release_exported().
    std::size_t routes_for(const UpdateGroup& g, const net::Prefix& p, int fi, const PathsView& s,
                           NeighborKey skip, std::vector<OutboundPath>& out) const;
    // Drops the rewritten attribute sets routes_for() kept alive for the caller.
    void release_exported() const { exported_.clear(); }

    // The attributes as every peer receives them (see the top of this file), built on first use and
    // kept with the interned set.
    const bgp::PathAttributes& outbound_attributes(AttrNode& n) const;

private:
    friend class UpdateEncoder;

    // Whether a learned path may be advertised to the members of g (NO_ADVERTISE/NO_EXPORT, peer AS,
    // LLGR_STALE to a group without long-lived graceful restart).
    [[nodiscard]] bool passes(const UpdateGroup& g, const AttrNode& a) const;
    // The neighbors whose members see something else than everybody else (their paths are hidden from
    // them): the best path's neighbor, or with ADD-PATH every neighbor in the ECMP set.
    void hidden_neighbors(const UpdateGroup& g, int fi, const PathsView& s,
                          std::vector<NeighborKey>& out) const;
    // The whole Adj-RIB-Out of a group, cached until the next outbound change.
    const std::vector<Segment>& full_table(UpdateGroup& g);
    // Applies the group's export policy (or RFC 8212's block) to the learned routes in out (routes_for's
    // last step).
    void apply_export(const UpdateGroup& g, const net::Prefix& p, std::vector<OutboundPath>& out) const;

    const RibConfig& config_;
    const DecisionProcess& decision_;
    const LocRib& loc_rib_;
    AttrStore& attributes_;  // interns the attributes export policy rewrites
    UpdateGroups groups_;
    // Rewritten attribute sets in use by the encoding (or query) in progress: their identity is what
    // the encoder compares and buckets by, so they live until it is done.
    mutable std::vector<AttrRef> exported_;
    std::uint64_t generation_ = 0;  // advanced by every RIB call that changes what peers receive
};

// The per-prefix steps of the encoding, inline: UpdateEncoder runs them for every changed prefix and
// every class of receivers. routes_for() and hidden_neighbors() are forced inline: left to itself the
// compiler keeps them out of line, and the call per prefix and receiver class is measurable in
// rib_bench's initial-table case.

inline bool AdjRibOut::passes(const UpdateGroup& g, const AttrNode& a) const {
    if (a.not_advertised || (a.llgr_stale && !g.key.long_lived)) {
        return false;
    }
    return !(config_.suppress_peer_as_in_path && a.attrs.as_path &&
             as_path_contains(*a.attrs.as_path, g.key.asn));
}

[[gnu::always_inline]] inline std::size_t AdjRibOut::routes_for(const UpdateGroup& g, const net::Prefix& p,
                                                                int fi, const PathsView& s, NeighborKey skip,
                                                                std::vector<OutboundPath>& out) const {
    out.clear();
    if ((g.key.families & family_bit(fi)) == 0) {
        return 0;
    }
    if (s.vnet) {
        if (g.originated_next_hop(fi).has_value()) {
            out.push_back(OutboundPath{nullptr, 0, kLocalPeer});
        }
        return out.size();
    }
    if (!config_.branch_to_branch) {
        return 0;
    }
    if ((g.add_path & family_bit(fi)) != 0) {
        decision_.select_ecmp(s, skip, [&](std::size_t i) {
            const StoredPath& sp = s.paths[i];
            if (passes(g, *sp.attrs)) {
                out.push_back(OutboundPath{sp.attrs.get(), sp.out_id, decision_.source(sp).cfg.id});
            }
        });
    } else {
        for (std::size_t i = 0; i < s.eligible; ++i) {
            const StoredPath& sp = s.paths[i];
            if (decision_.neighbor_of(sp) != skip) {
                if (passes(g, *sp.attrs)) {
                    out.push_back(OutboundPath{sp.attrs.get(), 0, decision_.source(sp).cfg.id});
                }
                break;
            }
        }
    }
    if (g.export_policy && !out.empty()) [[unlikely]] {
        apply_export(g, p, out);
    }
    return out.size();
}

[[gnu::always_inline]] inline void AdjRibOut::hidden_neighbors(const UpdateGroup& g, int fi,
                                                               const PathsView& s,
                                                               std::vector<NeighborKey>& out) const {
    if (s.vnet || !config_.branch_to_branch || s.eligible == 0) {
        return;
    }
    if ((g.add_path & family_bit(fi)) != 0) {
        decision_.select_ecmp(s, 0, [&](std::size_t i) { out.push_back(decision_.neighbor_of(s.paths[i])); });
    } else {
        out.push_back(decision_.neighbor_of(s.paths[0]));
    }
}

}  // namespace rf::rib
