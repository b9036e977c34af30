// Best path and ECMP (design §2): the one comparator, and the ECMP set it leads to.
//
// The comparator is written here, inline, so that the per-prefix paths (inserting a path in order,
// ranking two paths for a query) compile it in place; compare_paths() (rib.hpp) is the same order for
// callers outside the RIB.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <vector>

#include "control/rib/loc_rib.hpp"
#include "control/rib/peers.hpp"
#include "control/rib/rib.hpp"

namespace rf::rib {

// The decision process as one total order over PathKeys: < 0 when a is better. Each step names the rule
// it implements and the value a missing attribute takes.
//
// Steps of RFC 4271 §9.1 that are deliberately not taken: the degree of preference (§9.1.1, LOCAL_PREF)
// — the route server sets no policy, every peer's routes are equally preferred; MULTI_EXIT_DISC
// (§9.1.2.2 c) — every peer is an eBGP neighbor of its own, MEDs of different ASes are not comparable,
// and comparing MED only within one neighbor AS is not transitive (no deterministic order); eBGP over
// iBGP (§9.1.2.2 d) — every peer is eBGP; interior cost (§9.1.2.2 e) — next hops are kept as advertised
// and not resolved. Azure's rule is "shortest AS path, then ECMP".
inline PathComparison compare_path_keys(const PathKey& a, const PathKey& b) {
    auto decided = [](auto x, auto y, DecisionStep step) -> std::optional<PathComparison> {
        if (x < y) {
            return PathComparison{-1, step};
        }
        if (y < x) {
            return PathComparison{1, step};
        }
        return std::nullopt;
    };
    // 0. LlgrStale — RFC 9494 §4.3: a path carrying LLGR_STALE (received so, or kept long-lived stale
    //    by the helper) is less preferred than every path without it, before any other step. Like
    //    AsPathLength, an ECMP boundary: stale and fresh paths never share the set.
    if (auto r = decided(a.llgr_stale, b.llgr_stale, DecisionStep::LlgrStale)) {
        return *r;
    }
    // 1. AsPathLength — RFC 4271 §9.1.2.2 a: the shorter AS_PATH wins; an AS_SET counts one,
    //    confederation segments zero. Missing AS_PATH: length 0. This is the multipath boundary: paths
    //    that tie here form the ECMP set, the steps below only order them.
    if (auto r = decided(a.as_path_length, b.as_path_length, DecisionStep::AsPathLength)) {
        return *r;
    }
    // 2. Origin — RFC 4271 §9.1.2.2 b: the lower ORIGIN wins, IGP < EGP < INCOMPLETE. Missing ORIGIN:
    //    INCOMPLETE (the worst).
    if (auto r = decided(static_cast<int>(a.origin), static_cast<int>(b.origin), DecisionStep::Origin)) {
        return *r;
    }
    // 3. PeerBgpId — RFC 4271 §9.1.2.2 f: the lower BGP identifier of the advertising peer wins. Never
    //    missing: every session has the identifier of its OPEN.
    if (auto r = decided(a.peer_bgp_id.value, b.peer_bgp_id.value, DecisionStep::PeerBgpId)) {
        return *r;
    }
    // 4. PeerAddress — RFC 4271 §9.1.2.2 g: the lower peer address wins; IPv4 sorts before IPv6. Never
    //    missing: the session's remote address.
    if (auto r = decided(a.peer_address, b.peer_address, DecisionStep::PeerAddress)) {
        return *r;
    }
    // 5. LowestPeerId — route-server rule, keeps the order total: only reached when two sessions share
    //    identifier and address, i.e. one neighbor over both route-server instances; the session with the
    //    lower PeerId comes first.
    if (auto r = decided(a.peer, b.peer, DecisionStep::LowestPeerId)) {
        return *r;
    }
    // 6. PathId — RFC 7911: several paths of one session; the lower received path identifier wins.
    //    Without ADD-PATH receive: 0.
    if (auto r = decided(a.path_id, b.path_id, DecisionStep::PathId)) {
        return *r;
    }
    return PathComparison{0, DecisionStep::PathId};
}

// The decision process over stored paths: their comparator keys, their place in a prefix's order, and
// the ECMP set. Paths name their session by index; the PeerTable gives its identifier and address.
class DecisionProcess {
public:
    DecisionProcess(const PeerTable& peers, std::size_t max_ecmp_paths)
        : peers_(peers), max_ecmp_paths_(max_ecmp_paths) {}

    [[nodiscard]] const RibPeer& source(const StoredPath& p) const { return peers_.at(p.session); }
    [[nodiscard]] NeighborKey neighbor_of(const StoredPath& p) const { return peers_.at(p.session).neighbor; }

    [[nodiscard]] PathKey key_of(const StoredPath& p) const {
        const RibPeer& s = source(p);
        return PathKey{p.attrs->as_path_length, p.attrs->origin, s.cfg.bgp_identifier,
                       s.cfg.address,           s.cfg.id,        p.rx_id,
                       p.attrs->llgr_stale};
    }

    // Where `p` goes among the prefix's paths: eligible paths in comparator order, then the ineligible.
    [[nodiscard]] std::size_t insert_position(const PrefixPaths& paths, const StoredPath& p) const {
        if (p.attrs->loops) {
            return paths.size();
        }
        const PathKey k = key_of(p);
        std::size_t pos = 0;
        while (pos < paths.size() && !paths[pos].attrs->loops &&
               compare_path_keys(key_of(paths[pos]), k).order < 0) {
            ++pos;
        }
        return pos;
    }

    // The ECMP set of `s` without the paths of neighbor `skip` (0: nothing skipped): the paths of the
    // best path's LLGR_STALE state and shortest AS-path length, at most one per neighbor (its best: paths are
    // in comparator order), at most max_ecmp_paths, in comparator order. Calls out(i) with each member's
    // index into s.paths; returns how many.
    template <typename Out>
    std::size_t select_ecmp(const PathsView& s, NeighborKey skip, Out&& out) const {
        std::size_t n = 0;
        std::size_t len = 0;
        bool stale = false;
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
        for (std::size_t i = 0; i < s.eligible && n < max_ecmp_paths_; ++i) {
            const StoredPath& p = s.paths[i];
            const NeighborKey nb = neighbor_of(p);
            if (nb == skip) {
                continue;
            }
            if (n == 0) {
                len = p.attrs->as_path_length;
                stale = p.attrs->llgr_stale;
            } else if (p.attrs->as_path_length != len || p.attrs->llgr_stale != stale) {
                break;  // the multipath boundary (comparator steps 0 and 1)
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

    // The ECMP set's forwarding next hops, each once, in set order: what the FIB programs.
    void ecmp_next_hops(const PathsView& s, std::vector<net::IpAddress>& out) const {
        ecmp_next_hops(s, out, [](const StoredPath&) {});
    }
    // The same, calling member(path) for each member of the set on the way (one pass for both).
    template <typename Member>
    void ecmp_next_hops(const PathsView& s, std::vector<net::IpAddress>& out, Member&& member) const {
        out.clear();
        select_ecmp(s, 0, [&](std::size_t i) {
            member(s.paths[i]);
            const auto& nh = s.paths[i].attrs->forwarding_next_hop;
            if (std::find(out.begin(), out.end(), nh) == out.end()) {
                out.push_back(nh);
            }
        });
    }

private:
    const PeerTable& peers_;
    std::size_t max_ecmp_paths_;
};

}  // namespace rf::rib
