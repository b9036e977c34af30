// The Adj-RIB-In: the paths each session announced. They are stored once, in the Loc-RIB entries
// (loc_rib.hpp), each naming its session; a session keeps only an index of them (AdjRibInIndex): its
// prefixes, its path count, and its paths per forwarding next hop for the next-hops-down hint.
//
// AdjRibIn applies an UPDATE's withdrawals and announcements to those paths and sweeps a session's
// paths away when it goes down. Without ADD-PATH receive for the family a session holds one path per
// prefix (the last one wins); with it, one per (prefix, path id), at most kMaxPathsPerSessionPrefix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "control/codec/message.hpp"
#include "control/rib/attr_store.hpp"
#include "net/ip.hpp"
#include "net/prefix_map.hpp"

namespace rf::rib {

class DecisionProcess;
class LocRib;
class PeerTable;
struct ClassifiedUpdate;
struct PrefixCounts;
struct RibPeer;

// At most this many ADD-PATH paths per (session, prefix); further path ids are ignored, so that a peer
// cannot grow one prefix without bound while its route count (distinct prefixes) stays the same.
inline constexpr std::size_t kMaxPathsPerSessionPrefix = 64;

// One session's Adj-RIB-In, as an index into the Loc-RIB.
struct AdjRibInIndex {
    net::PrefixMap<net::PrefixMapEmpty> prefixes;  // prefixes the session has at least one path for
    std::size_t paths = 0;                         // its paths (Adj-RIB-In routes)
    // Its paths per forwarding next hop: which next hops die with it (the next-hops-down hint).
    std::unordered_map<net::IpAddress, std::uint32_t, net::IpAddressHash> next_hops;

    void count_next_hop(const net::IpAddress& nh) { ++next_hops[nh]; }
    void uncount_next_hop(const net::IpAddress& nh) {
        auto it = next_hops.find(nh);
        if (it != next_hops.end() && --it->second == 0) {
            next_hops.erase(it);
        }
    }
    void clear() {
        prefixes.clear();
        paths = 0;
        next_hops.clear();
    }
};

struct PrePolicyPath;
struct RibConfig;

class AdjRibIn {
public:
    AdjRibIn(const RibConfig& config, LocRib& loc_rib, const DecisionProcess& decision, AttrStore& attributes)
        : config_(config), loc_rib_(loc_rib), decision_(decision), attributes_(attributes) {}

    // Applies the UPDATE's withdrawals, then its announcements (attributes interned once per UPDATE and
    // NLRI source). Counts each announcement into `counts`: accepted, or filtered (AS loop: stored but
    // not eligible; path limit: not stored).
    void apply(RibPeer& peer, const ClassifiedUpdate& classified, const bgp::Update& update,
               PrefixCounts& counts);

    // Removes every path of the session from the Loc-RIB (a peer-down sweep) and clears its index.
    void remove_all(RibPeer& peer);

    // Removes the session's path for `p` with received identifier `rx`, if it has one (a withdrawal, or
    // a stale path purged).
    void remove_path(RibPeer& peer, const net::Prefix& p, std::uint32_t rx);

    // Long-lived graceful restart (RFC 9494 §4.2) for one of the session's paths: withdrawn when it
    // carries NO_LLGR (returns false), else re-stored with the LLGR_STALE community added (true).
    bool make_long_lived_stale(RibPeer& peer, const net::Prefix& p, std::uint32_t rx);

    // The next hops that only this session's paths use: with it down, nothing in the Loc-RIB goes
    // through them. Sorted.
    static std::vector<net::IpAddress> next_hops_only_of(const RibPeer& peer, const PeerTable& peers);

    // Evaluates every route the session sent against its (new) peer.import and applies the verdicts;
    // the pre-policy state is built from the Adj-RIB-In when the session had none, and dropped when
    // the new policy passes everything through. Returns the routes evaluated and rejected.
    std::pair<std::size_t, std::size_t> reapply_import(RibPeer& peer);
    // The peer's import policy applied again to its kept routes for the prefixes `covered` selects (the
    // routes whose RPKI validity may have changed); (evaluated, rejected). Nothing without a policy.
    std::pair<std::size_t, std::size_t> reapply_import_where(
        RibPeer& peer, const std::function<bool(const net::Prefix&)>& covered);

    // Routes rejected by import policy since start (every peer).
    [[nodiscard]] std::uint64_t import_rejected() const { return import_rejected_; }

private:
    // False when the path was not stored (ADD-PATH path limit).
    bool add_path(RibPeer& peer, const net::Prefix& p, std::uint32_t rx, const AttrRef& attrs);
    // What became of one received route.
    enum class Outcome : std::uint8_t { Stored, PathLimit, Rejected };
    // A received route: straight into the Adj-RIB-In, or kept and put through the import policy.
    Outcome announce(RibPeer& peer, const net::Prefix& p, std::uint32_t rx, const AttrRef& received);
    // The import policy's verdict on one kept route, applied to the Adj-RIB-In.
    Outcome import(RibPeer& peer, const net::Prefix& p, PrePolicyPath& pre);
    // Every rejection passes here: the counters the metrics read ("prefixes filtered").
    void count_rejected(RibPeer& peer);

    const RibConfig& config_;
    std::uint64_t import_rejected_ = 0;

    LocRib& loc_rib_;
    const DecisionProcess& decision_;
    AttrStore& attributes_;
};

}  // namespace rf::rib
