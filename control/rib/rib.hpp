// The route-server RIB (design §2): Adj-RIB-In per peer, Loc-RIB with best path + ECMP set, and the
// Adj-RIB-Out of every established peer, encoded once per update group. This header is the whole
// interface; the parts behind it, one job per file, are listed in rib_tables.hpp.
//
// Threading: single-threaded. Every member function must be called from the same strand (the session
// layer's RIB strand); nothing here locks. The DeltaSink is called from that strand too.
//
// How the session layer drives it:
//   peer_up(cfg)              when a session reaches Established → initial Adj-RIB-Out + End-of-RIB to send
//   apply_update(id, upd)     for every decoded UPDATE (RFC 7606 outcome included) → Ok / RouteLimitExceeded
//   stage_update(id, upd)     the same, into one call shared by every UPDATE until finish_staged()
//   set_route_limit(id, ...)  a runtime change of the peer's limit, action or threshold (no reset)
//   set_import_policy(id, …)  a runtime change of the peer's import policy, applied to its pre-policy routes
//   set_export_policy(id, …)  a runtime change of the peer's export policy, its Adj-RIB-Out re-diffed
//   route_refresh(id, fam)    on ROUTE-REFRESH → the full Adj-RIB-Out of that family (+ End-of-RIB,
//                             or between BoRR and EoRR with enhanced route refresh)
//   mark_stale / purge_stale  the peer's BoRR / EoRR (enhanced route refresh, RFC 7313 §4), and its
//                             End-of-RIB after a graceful restart (RFC 4724 §4.2)
//   peer_down(id)             when the session leaves Established and its routes go
//   retain_stale(id, fams)    when it leaves Established and graceful restart keeps its routes (stale)
//   drain_outbound()          after every call above (MRAI 0): bytes to send to each peer because of it
//
// Outbound bytes are whole BGP messages in shared, immutable buffers (bgp::SharedMessage,
// control/codec/shared_message.hpp). Peers in the same update group (same negotiated CodecOptions, families
// and next hop for originated routes) receive the *same* buffer objects, so N peers × K routes costs one
// encoding per group, not per peer. A peer's list may hold several buffers; send them in order (an Asio
// scatter-gather write takes the list as is).
//
// What each peer receives (RFC 7947 §2.3 "path hiding"): for every prefix, the best path among the
// paths of the OTHER neighbors — never its own (split horizon), and not nothing when its own path is the
// best. Only prefixes whose best path (with ADD-PATH send: whose ECMP set) comes from a neighbor in the
// group need a second encoding, for that neighbor's members; everybody else shares one.
//
// Neighbors: sessions with the same PeerConfig::neighbor are one configured neighbor (an NVA peering
// with both route-server instances). It is one ECMP member (its best path, see the comparator), and
// split horizon / path hiding cover all of its sessions. Queries still show each session's own paths.
//
// ADD-PATH (RFC 7911): a peer with add_path_receive for a family may announce several paths per prefix
// (Adj-RIB-In keyed by prefix + path id, at most 64 per session and prefix; withdrawals name the path
// id). The ECMP set takes at most one path per neighbor, so several paths of one NVA still make one
// member. A peer with add_path_send for a family receives every path of the ECMP set (among the other
// neighbors' paths), each with a path id that stays the same while that path exists; path ids that
// leave the set are withdrawn. The route limit counts distinct prefixes however many paths (AzureStrict:
// plus the NLRI of the UPDATE, each path id counting once).
//
// Loc-RIB changes go to the FIB's DeltaSink (fib/delta/delta.hpp) as one batch per RIB call. Only changes of
// a prefix's ECMP next-hop set are published (an attribute change that keeps the next hops is invisible
// to a FIB). Back-pressure: when publish() refuses, the deltas stay in a pending set keyed by prefix —
// a later change of the same prefix replaces the pending one (each delta is complete state), so the
// pending set never exceeds the number of prefixes. Sequence numbers are assigned when a batch is
// offered and consumed only when it is accepted, so the accepted stream has no gaps. Every RIB call
// retries; the owner can also call flush_deltas() (e.g. when the consumer signals room). A coalesced
// withdrawal may name a prefix the consumer never saw; consumers treat that as a no-op.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "control/azure/defaults.hpp"
#include "control/codec/codec.hpp"
#include "control/codec/message.hpp"
#include "control/codec/shared_message.hpp"
#include "control/policy/policy.hpp"
#include "fib/delta/delta.hpp"
#include "net/ip.hpp"

namespace rf::rib {

// Chosen by the caller, unique among the peers that are up. 0 is reserved (locally originated routes).
using PeerId = std::uint32_t;
inline constexpr PeerId kLocalPeer = 0;

struct RibConfig {
    std::uint32_t local_asn = azure::kRouteServerAsn;
    azure::AsPathMode as_path_mode = azure::AsPathMode::Prepend;
    // Reflect routes learned from one peer (NVA) to the other peers. Off: peers receive only the VNet
    // address spaces; learned routes still reach the Loc-RIB and the FIB.
    bool branch_to_branch = true;
    // VNet address spaces advertised to every peer (AS_PATH = local ASN, ORIGIN IGP). They are not part
    // of the Loc-RIB nor of the delta stream (the FIB knows the VNet as system routes); a learned route
    // for exactly such a prefix is kept in the Loc-RIB/FIB but never advertised in its place.
    std::vector<net::Prefix> vnet_prefixes;
    // Next hop for the VNet prefixes; when unset, the peer's PeerConfig::local_address_v4/_v6. A family
    // with neither is not originated to that peer (there is no next hop to give).
    std::optional<net::IpAddress> vnet_next_hop_v4;
    std::optional<net::IpAddress> vnet_next_hop_v6;
    // Maximum ECMP set size (leading routes of the shortest AS-path length, in comparator order).
    std::size_t max_ecmp_paths = 8;
    // Do not advertise a route to a peer whose ASN is already in its AS_PATH. Off by default, like
    // Azure and RFC 7947 route servers: the receiving NVA applies its own loop detection, and an operator
    // who runs two NVAs in one ASN can accept the routes with allowas-in. When on, peers of different
    // ASNs fall into different update groups.
    bool suppress_peer_as_in_path = false;
    // The RPKI seam: the origin validation state of a received route, asked before import policy. Unset
    // (RPKI off): every route is Unknown.
    std::function<rpki::Validity(const net::Prefix&, const bgp::PathAttributes&)> origin_validity;
};

// What the RIB needs to know about an established session.
struct PeerConfig {
    PeerId id = 0;
    // The configured neighbor this session belongs to. Sessions with the same non-zero value are one
    // neighbor (an NVA peering with both route-server instances): it counts as one ECMP member, and
    // split horizon / path hiding apply to all of its sessions. 0: the session is a neighbor of its own.
    std::uint32_t neighbor = 0;
    net::IpAddress address;           // the peer's address (tie-break, queries)
    std::uint32_t asn = 0;            // the peer's real ASN
    net::Ipv4Address bgp_identifier;  // from the peer's OPEN (tie-break)
    std::size_t route_limit = 1000;   // 0 = unlimited
    azure::RouteCounting counting = azure::RouteCounting::DistinctPrefixes;
    azure::RouteLimitAction limit_action = azure::RouteLimitAction::Teardown;
    // Usage (percent of route_limit) that warns once per crossing; 0 = no threshold warning.
    std::uint8_t warning_percent = azure::kRouteLimitWarningPercent;
    bool route_refresh = false;           // the peer negotiated ROUTE-REFRESH (RFC 2918)
    bool enhanced_route_refresh = false;  // and enhanced route refresh (RFC 7313)
    bgp::CodecOptions codec;              // negotiated; used to encode this peer's Adj-RIB-Out
    // The peer negotiated long-lived graceful restart (RFC 9494): only then is it sent paths carrying
    // LLGR_STALE (§4.5); a peer without it gets a withdrawal instead (no fresh path exists then: every
    // fresh path ranks above a stale one).
    bool long_lived_graceful_restart = false;
    // Families negotiated with the peer; routes of other families are neither accepted nor sent.
    std::vector<bgp::AfiSafi> families{{net::Afi::Ipv4, net::Safi::Unicast}};
    // Our end of the session; the next hop of originated routes when RibConfig gives none.
    std::optional<net::IpAddress> local_address_v4;
    std::optional<net::IpAddress> local_address_v6;
    // Import policy (control/policy), evaluated on every route the session sends before the decision
    // process. With a chain, or with policy_required (RFC 8212: no chain, nothing accepted), the
    // session's received routes are kept as received (the pre-policy Adj-RIB-In, import_policy.hpp).
    policy::Chain import_policy;
    // Export policy, evaluated on every learned route on its way to this session's Adj-RIB-Out: a
    // rejected route is not sent (withdrawn where it stood), a rewrite changes only what this session
    // receives. Sessions with different export chains never share an update group. policy_required
    // (RFC 8212) covers both directions: without an import chain nothing is accepted from the session,
    // without an export chain no learned route is sent to it. The VNet address spaces the route server
    // originates are sent either way.
    policy::Chain export_policy;
    bool policy_required = false;
};

enum class UpdateStatus : std::uint8_t {
    Ok,
    // The UPDATE would take the peer past its route limit and its action is Teardown (with Warn the
    // UPDATE is applied, status Ok, and limit_crossed says so). It was NOT applied, and the peer has already
    // been taken down in the RIB (as by peer_down: all its routes withdrawn in one batch). The session
    // must send NOTIFICATION Cease / Maximum Number of Prefixes Reached (RFC 4486) and close; a later
    // peer_down(id) is a harmless no-op.
    RouteLimitExceeded,
    UnknownPeer,  // no peer_up for this id (ignored)
};

// Why an announced prefix was not accepted into the decision process. Every announcement an UPDATE
// carries is counted once, as accepted or as filtered with one reason (PrefixCounts::filter is the one
// place a prefix is counted as filtered); a peer's counters live in the route server (metrics).
enum class FilterReason : std::uint8_t {
    Rfc7606,     // the UPDATE was treated as a withdrawal (RFC 7606 treat-as-withdraw, AFI/SAFI disable)
    Family,      // a family the peer did not negotiate (or MP_REACH NLRI of another AFI)
    NextHop,     // MP_REACH without a usable next hop (none, or IPv4 NLRI with an IPv6 next hop)
    AsLoop,      // the AS_PATH holds the route server's ASN: kept in the Adj-RIB-In, not eligible
    PathLimit,   // ADD-PATH: past kMaxPathsPerSessionPrefix paths for the prefix from one session
    RouteLimit,  // the UPDATE tripped the peer's route limit (teardown) and was not applied
    Policy,      // the peer's import policy rejected it (kept pre-policy for soft reconfiguration)
};
inline constexpr std::size_t kFilterReasonCount = 7;
std::string_view filter_reason_name(FilterReason r);  // "rfc7606", "family", "next_hop", ...

// What one UPDATE (or several, summed) carried, as the RIB judged it.
struct PrefixCounts {
    std::uint64_t received = 0;   // announced NLRI (NLRI field and MP_REACH), every family
    std::uint64_t accepted = 0;   // announcements that became eligible paths
    std::uint64_t withdrawn = 0;  // withdrawn NLRI the peer sent (withdrawn routes field and MP_UNREACH)
    std::array<std::uint64_t, kFilterReasonCount> filtered{};  // received = accepted + sum(filtered)

    void filter(FilterReason r, std::uint64_t n = 1) { filtered[static_cast<std::size_t>(r)] += n; }
    [[nodiscard]] std::uint64_t filtered_total() const {
        std::uint64_t n = 0;
        for (const std::uint64_t f : filtered) {
            n += f;
        }
        return n;
    }
    PrefixCounts& operator+=(const PrefixCounts& o) {
        received += o.received;
        accepted += o.accepted;
        withdrawn += o.withdrawn;
        for (std::size_t i = 0; i < kFilterReasonCount; ++i) {
            filtered[i] += o.filtered[i];
        }
        return *this;
    }
};

struct UpdateResult {
    UpdateStatus status = UpdateStatus::Ok;
    std::size_t route_count = 0;  // the count that was compared with the limit (per the counting mode)
    std::size_t route_limit = 0;
    // Warnings, each set once per crossing (re-armed when the count falls back below): the count reached
    // the peer's warning threshold; with the Warn action, the count went past the limit.
    bool threshold_crossed = false;
    bool limit_crossed = false;
    PrefixCounts prefixes{};  // the UPDATE's announcements and withdrawals (not set by set_route_limit)
};

// A peer's route-limit settings and where it stands (GET of a peering, metrics).
struct RouteLimitUsage {
    std::size_t routes = 0;  // distinct prefixes in its Adj-RIB-In
    std::size_t limit = 0;   // 0 = unlimited
    azure::RouteLimitAction action = azure::RouteLimitAction::Teardown;
    std::uint8_t warning_percent = 0;
    std::size_t warning_threshold = 0;  // the count that warns (0: none)
    bool above_threshold = false;       // as of the last count (see route_limit.hpp)
    bool above_limit = false;           // with Warn: the peer holds more than its limit
};

// The steps of the best-path comparator, in the order they are applied. See compare_paths().
enum class DecisionStep : std::uint8_t {
    OnlyPath,      // a single candidate: nothing to compare
    LlgrStale,     // a path without LLGR_STALE wins over one with it (RFC 9494 §4.3; an ECMP boundary)
    AsPathLength,  // shorter AS_PATH wins (the ECMP boundary)
    Origin,        // lower ORIGIN wins (IGP < EGP < INCOMPLETE)
    PeerBgpId,     // lower BGP identifier of the advertising peer wins
    PeerAddress,   // lower peer address wins
    LowestPeerId,  // lower PeerId: two sessions share identifier and address — one neighbor over both
                   // route-server instances; the session with the lower PeerId comes first
    PathId,        // lower received ADD-PATH path identifier (several paths from one session)
};
std::string_view decision_step_name(DecisionStep step);

// One candidate as the comparator sees it.
struct PathKey {
    std::size_t as_path_length = 0;
    bgp::Origin origin = bgp::Origin::Incomplete;
    net::Ipv4Address peer_bgp_id;
    net::IpAddress peer_address;
    PeerId peer = 0;
    std::uint32_t path_id = 0;  // received ADD-PATH path identifier; 0 without ADD-PATH
    bool llgr_stale = false;    // carries LLGR_STALE (RFC 9494 §4.3)
};

struct PathComparison {
    int order = 0;  // < 0: a is better, > 0: b is better, 0: identical keys
    DecisionStep step = DecisionStep::OnlyPath;
    // a and b are in the same ECMP class (equal AS-path length); the step only ordered them.
    [[nodiscard]] bool ecmp_equal() const {
        return step != DecisionStep::AsPathLength && step != DecisionStep::LlgrStale;
    }
};
// The one best-path comparator: a total order; returns the step that decided. Its steps, with the rule
// each implements and the value of a missing attribute: best_path.hpp.
PathComparison compare_paths(const PathKey& a, const PathKey& b);

// ------------------------------------------------------------------------------------ query results

struct LearnedRoute {  // an Adj-RIB-In entry
    net::Prefix prefix;
    bgp::PathAttributes attributes;
    std::vector<net::IpAddress> next_hops;  // NEXT_HOP, or the MP_REACH next hops for IPv6
    bool eligible = true;                   // false: the AS_PATH holds our own ASN (loop), not used
    std::uint32_t path_id = 0;              // received ADD-PATH path identifier; 0 without ADD-PATH
    // Import policy (pre-policy queries: adj_rib_in_received): whether the route was accepted, who
    // decided (policy::to_string(DecidedBy); "rfc8212" when the peer has no policy and one is
    // required), the policy and statement ("" for a default action) and the last statement that
    // rewrote it ("policy/statement", "" when unmodified).
    bool accepted = true;
    std::string decided_by;
    std::string policy;
    std::string statement;
    std::string rewritten_by;
    bool stale = false;  // kept across the peer's restart or refresh, not yet announced again
};

struct AdvertisedRoute {  // an Adj-RIB-Out entry, as the peer receives it
    net::Prefix prefix;
    bgp::PathAttributes attributes;
    std::vector<net::IpAddress> next_hops;
    PeerId source = kLocalPeer;  // kLocalPeer: an originated VNet prefix
    std::uint32_t path_id = 0;   // the ADD-PATH path identifier sent (0 to peers without ADD-PATH send)
};

// Why a Loc-RIB path is in the prefix's ECMP set or not (the ECMP set of best_path.hpp).
enum class EcmpStatus : std::uint8_t {
    Member,        // in the set
    LongerAsPath,  // its AS path is longer than the best path's (the multipath boundary)
    LlgrStale,     // it carries LLGR_STALE and the best path does not (RFC 9494 §4.3)
    SameNeighbor,  // as short, but the set already holds a better path of the same neighbor
    PathLimit,     // as short, but the set already holds max_ecmp_paths paths
};

struct LocRibPath {
    PeerId peer = 0;
    net::IpAddress peer_address;
    bgp::PathAttributes attributes;
    std::vector<net::IpAddress> next_hops;
    std::size_t as_path_length = 0;
    std::uint32_t path_id = 0;  // received ADD-PATH path identifier
    std::string rewritten_by;   // the import statement that rewrote it ("policy/statement"), if any
    // The decision as it concerns this path: its peer's BGP identifier (a comparator key), the step that
    // ranked it after the best path (OnlyPath for the best path itself), and its place in the ECMP set.
    net::Ipv4Address peer_bgp_id;
    DecisionStep versus_best = DecisionStep::OnlyPath;
    EcmpStatus ecmp = EcmpStatus::Member;
    bool stale = false;  // see LearnedRoute::stale
};

struct LocRibEntry {
    net::Prefix prefix;
    // Every eligible path of every session: the ECMP set first, then the others, each part in comparator
    // order. paths[0 .. ecmp_count) form the ECMP set (at most one path per neighbor: see the top of this
    // file).
    std::vector<LocRibPath> paths;
    std::size_t ecmp_count = 0;
    DecisionStep decided_by = DecisionStep::OnlyPath;  // the step that put paths[0] before paths[1]
    std::vector<net::IpAddress> next_hops;             // the ECMP set's next hops as published to the FIB
};

struct VnetChange {
    std::vector<PeerId> refresh;  // established peers that negotiated ROUTE-REFRESH, sorted
    std::vector<PeerId> reset;    // established peers that did not, sorted
};

struct PeerOutbound {
    PeerId peer = 0;
    std::vector<bgp::SharedMessage> messages;  // whole BGP messages, to be sent in this order
};

struct RibStats {
    std::size_t peers = 0;
    std::size_t update_groups = 0;
    std::size_t loc_rib_prefixes = 0;
    std::size_t adj_rib_in_routes = 0;    // paths, sum over sessions (ADD-PATH: every path id)
    std::size_t interned_attributes = 0;  // distinct attribute sets stored
    std::uint64_t delta_sequence = 0;     // next sequence number to publish
    std::size_t pending_deltas = 0;       // refused by the sink, waiting
    std::uint64_t delta_refusals = 0;     // publish() calls that returned false
    std::uint64_t route_limit_trips = 0;
    std::uint64_t route_limit_warnings = 0;            // limit crossings of peers whose action is Warn
    std::uint64_t route_limit_threshold_warnings = 0;  // threshold crossings
    std::uint64_t import_rejected = 0;                 // routes an import policy rejected, since start
    std::size_t pre_policy_routes = 0;                 // routes kept as received (soft reconfiguration)
};

// What set_import_policy() did.
struct ImportReapply {
    std::size_t evaluated = 0;  // pre-policy routes evaluated again
    std::size_t rejected = 0;   // of them, rejected by the new policy
};

// A prefix whose best path changed in a RIB call (set_best_path_observer): its new best path, or none.
// Pointers and spans are valid only during the observer's call.
struct BestPathChange {
    net::Prefix prefix;
    const bgp::PathAttributes* attributes = nullptr;  // null: no eligible path any more (withdrawn)
    std::span<const net::IpAddress> mp_next_hops;     // MP_REACH next hops (IPv6); IPv4 uses NEXT_HOP
    PeerId peer = kLocalPeer;                         // the session the best path came from
};
using BestPathObserver = std::function<void(std::span<const BestPathChange>)>;

class RouteServerRib {
public:
    RouteServerRib(RibConfig config, fib::DeltaSink& sink);
    ~RouteServerRib();
    RouteServerRib(const RouteServerRib&) = delete;
    RouteServerRib& operator=(const RouteServerRib&) = delete;

    // A session reached Established. Returns the initial Adj-RIB-Out: UPDATEs with every route this peer
    // gets, then End-of-RIB for each of its families. If the id is already up, it is first taken down.
    // If it is restarting (retain_stale) with the same address, BGP identifier, neighbor and ADD-PATH
    // receive families, its stale paths stay (those of families no longer negotiated are withdrawn) until
    // purge_stale; otherwise it is taken down first.
    std::vector<bgp::SharedMessage> peer_up(const PeerConfig& peer);

    // Applies one decoded UPDATE. RFC 7606: TreatAsWithdraw (and AfiSafiDisable) withdraw every NLRI of
    // the UPDATE, announced ones included; AttributeDiscard applies the UPDATE as decoded. Routes whose
    // AS_PATH holds the local ASN are kept in the Adj-RIB-In (and counted) but are not eligible.
    // Without ADD-PATH receive for the family: one path per (peer, prefix), the last one wins; with it,
    // one per (peer, prefix, path id).
    UpdateResult apply_update(PeerId peer, const bgp::DecodedUpdate& update);

    // apply_update() without closing the RIB call: the UPDATE joins those staged since the last
    // finish_staged(), from this peer or any other, and the call compares, encodes and publishes each
    // prefix they changed once, when it is finished. N NVAs announcing the same prefix in the same io-loop
    // turn make one ECMP change, one Adj-RIB-Out entry and one FIB delta, not N. The Loc-RIB, the
    // Adj-RIB-In and the queries see a staged UPDATE at once; only the outbound messages (drain_outbound)
    // and the FIB deltas wait for finish_staged(). Every other mutating call finishes the staged call
    // first (a route-limit trip here too), so no call ever sees half of another.
    // A staged call that has touched kMaxStagedPrefixes prefixes is finished by the UPDATE that got it
    // there: the state a call records (each touched prefix's paths before it) stays bounded.
    static constexpr std::size_t kMaxStagedPrefixes = 16384;
    UpdateResult stage_update(PeerId peer, const bgp::DecodedUpdate& update);
    void finish_staged();
    [[nodiscard]] bool has_staged() const;
    // Changes an established peer's limit, action and threshold in place (its routes stay) and checks
    // the routes it holds against them: with Teardown and more routes than the new limit, the result is
    // RouteLimitExceeded and the peer has been taken down as by apply_update; with Warn the crossings are
    // reported. UnknownPeer when the id is not up.
    UpdateResult set_route_limit(PeerId peer, std::size_t limit, azure::RouteLimitAction action,
                                 std::uint8_t warning_percent);

    // Soft reconfiguration: gives an established peer a new import policy (and RFC 8212 switch) and
    // applies it at once to the routes it sent, kept as received; the changes reach the Loc-RIB, the
    // other peers and the FIB in one batch. No session reset, no ROUTE-REFRESH: a session without an
    // import policy so far holds exactly what it sent. Nothing happens for an unknown id.
    ImportReapply set_import_policy(PeerId peer, policy::Chain chain, bool policy_required);
    // Every up peer's import policy applied again to its kept routes whose prefix `covered` selects:
    // after the RPKI table changed, for the routes a changed ROA covers (validity is a policy input).
    ImportReapply reapply_import_where(const std::function<bool(const net::Prefix&)>& covered);
    // Gives an established peer a new export policy: it moves to the update group of its new chain and
    // is sent at once only the difference between what the old chain and the new one let it receive
    // (withdrawals and announcements, drain_outbound). No session reset. The RFC 8212 switch is the
    // one set_import_policy sets. Returns false for an unknown id.
    bool set_export_policy(PeerId peer, policy::Chain chain);

    // Withdraws every route of the peer from the Loc-RIB, the other peers and the FIB, in one batch, and
    // forgets the peer. Unknown ids are ignored; a restarting peer is forgotten the same way.
    void peer_down(PeerId peer);

    // Graceful restart helper (RFC 4724 §4.2): the peer's session went down, but its paths of `families`
    // stay, marked stale, in use, in the Loc-RIB, the other peers' Adj-RIB-Out and the FIB (no next-hops-
    // down hint, no delta: they keep forwarding); its paths of other families are withdrawn in one batch.
    // The peer leaves its update group and is not up (is_up false) but restarting until peer_up,
    // purge_stale of every family or peer_down. Returns how many paths are stale; 0 for an unknown or
    // already restarting peer.
    std::size_t retain_stale(PeerId peer, const std::vector<bgp::AfiSafi>& families);
    // Long-lived graceful restart (RFC 9494 §4.2): the restarting peer's stale paths of `families`
    // become long-lived stale — those carrying NO_LLGR are withdrawn at once, the others get the
    // LLGR_STALE community and so rank below every fresh path and go only to peers that negotiated LLGR
    // (decision step LlgrStale, AdjRibOut::passes). They stay stale: End-of-RIB or purge_stale ends them
    // as in GR. Returns how many are kept; 0 for a peer not restarting.
    std::size_t enter_long_lived(PeerId peer, const std::vector<bgp::AfiSafi>& families);

    // The peer's whole Adj-RIB-Out, then End-of-RIB for each of its families (what peer_up returns), for
    // a table that was held back (our own graceful restart, RFC 4724 §4.1). Empty for a peer not up.
    std::vector<bgp::SharedMessage> full_table(PeerId peer);

    // Answers a ROUTE-REFRESH: the peer's whole Adj-RIB-Out for `family`, then End-of-RIB; with enhanced
    // route refresh (RFC 7313 §4) BoRR, the Adj-RIB-Out, then EoRR instead. Drain the peer's pending
    // outbound first, so the refresh is the last word. Empty if the peer is unknown.
    std::vector<bgp::SharedMessage> route_refresh(PeerId peer, bgp::AfiSafi family);

    // Enhanced route refresh from the peer (RFC 7313 §4). mark_stale (its BoRR): every path the peer has
    // now of `family` is stale until the peer announces or withdraws it again; returns how many.
    // purge_stale (its EoRR, or the session's guard timer; after a graceful restart its End-of-RIB, or a
    // timer): withdraws the paths of `family` still stale, in one batch like an UPDATE; returns how many.
    // Both return 0 for an unknown peer or family; mark_stale also for a restarting peer.
    std::size_t mark_stale(PeerId peer, bgp::AfiSafi family);
    std::size_t purge_stale(PeerId peer, bgp::AfiSafi family);

    // Replaces the advertised VNet address spaces; the differences are announced/withdrawn to every peer
    // at once (drain_outbound). Design §2 then asks every NVA for its routes again: the result names the
    // peers to send a ROUTE-REFRESH and those without route refresh whose session must be reset (sending
    // and resetting are the session layer's job). Both empty when nothing changed.
    VnetChange set_vnet_prefixes(std::vector<net::Prefix> prefixes);

    // Bytes each established peer must be sent because of the calls since the last drain (a staged call
    // contributes once it is finished).
    std::vector<PeerOutbound> drain_outbound();
    [[nodiscard]] bool has_outbound() const;

    // Told at the end of every RIB call of the prefixes whose best path (the first of the ECMP set) changed,
    // in one span (BMP's Loc-RIB, RFC 9069). Unset (the default), the RIB does none of that work.
    void set_best_path_observer(BestPathObserver observer);

    // Offers the pending deltas to the sink again. Returns true when nothing is pending afterwards.
    bool flush_deltas();

    // ----------------------------------------------------------------------- read-only queries
    [[nodiscard]] std::vector<LearnedRoute> adj_rib_in(PeerId peer) const;
    // Every route the session sent as it sent it, with the import policy's verdict (the post-policy
    // adj_rib_in() when the session has no import policy: everything accepted as is).
    [[nodiscard]] std::vector<LearnedRoute> adj_rib_in_received(PeerId peer) const;
    [[nodiscard]] std::uint64_t import_rejected(PeerId peer) const;  // routes rejected since peer_up
    [[nodiscard]] std::vector<AdvertisedRoute> adj_rib_out(PeerId peer) const;
    [[nodiscard]] std::optional<LocRibEntry> lookup(const net::Prefix& prefix) const;
    [[nodiscard]] std::vector<net::Prefix> loc_rib_prefixes() const;  // sorted
    // Every path held (every session's Adj-RIB-In, ineligible paths too), in no particular order:
    // f(prefix, session, attributes). For walks over the whole RIB (RPKI re-validation and counts).
    void for_each_path(
        const std::function<void(const net::Prefix&, PeerId, const bgp::PathAttributes&)>& f) const;
    [[nodiscard]] std::size_t route_count(PeerId peer) const;  // distinct prefixes in Adj-RIB-In
    // Prefixes for which one of the peer's paths is in the Loc-RIB's ECMP set now (its best included);
    // kept up to date at the end of every RIB call, so this is a lookup. 0 for an unknown peer.
    [[nodiscard]] std::size_t ecmp_prefix_count(PeerId peer) const;
    [[nodiscard]] std::optional<RouteLimitUsage> route_limit_usage(PeerId peer) const;
    [[nodiscard]] std::size_t stale_count(PeerId peer) const;  // its paths stale now (mark_stale)
    [[nodiscard]] bool is_up(PeerId peer) const;               // established (not restarting)
    [[nodiscard]] bool is_restarting(PeerId peer) const;       // down, its paths kept stale (retain_stale)
    [[nodiscard]] std::optional<PeerConfig> peer_config(PeerId peer) const;  // nullopt: not up
    [[nodiscard]] RibStats stats() const;
    [[nodiscard]] const RibConfig& config() const;

private:
    struct Tables;  // its parts: control/rib/rib_tables.hpp
    std::unique_ptr<Tables> tables_;
};

}  // namespace rf::rib
