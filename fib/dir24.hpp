// An RCU-safe DIR-24-8 longest-prefix-match structure with one indirection per route: the FIB's IPv4
// (and, with more 8-bit levels, IPv6) lookup structure.
//
// Why not rte_fib: DPDK 22.11's DIR-24-8 frees and reuses tbl8 groups at once (no RCU before 24.11), so
// the FIB had to run it left-right — two instances, every change programmed twice, each batch waiting
// for the readers' grace period of the previous flip — and every change walks rte_rib, a pointer tree that
// misses the cache on every node at a million routes. Both capped the writer's change rate there
// (docs/benchmarks-history.md, "Dir24 against rte_fib").
//
// The layout (Gupta's DIR-24-8, as rte_fib and rte_lpm):
//   tbl24[2^24]     one entry per /24 of the first 24 address bits;
//   tbl8 groups     256 entries for the next 8 bits, for /24 blocks that hold longer prefixes (IPv6:
//                   a group may point to a group of the next 8 bits, down to /128);
//   an entry        either the route id (rid) of the prefix that owns it, or EXT | a tbl8 group index.
// What differs is the value: entries hold a *route id*, and readers map it to a next-hop group through
// one array, rid_group[rid]. rid 0 is "no prefix"; rid_group[0] is the default route's group.
//
// Readers (lcores, any thread): entry = tbl24[ip >> 8]; while EXT: entry = tbl8[group][next byte];
// group id = rid_group[entry]. Three dependent loads for IPv4, no lock, no retry; every load is an
// acquire (a plain load on x86).
//
// The writer (one thread) keeps every change atomic for readers, per prefix:
//   - next-hop change of an installed prefix: one store to rid_group[rid]. Any prefix length, O(1), no
//     tree walk — the common change in route churn;
//   - new prefix P: rid_group[rid] first takes the group of the prefix P is carved out of (its parent),
//     then P's entries are rewritten to rid — lookups give the same group before and after each store —
//     and only then does rid_group[rid] take P's group: one store switches all of P;
//   - withdrawn prefix P: rid_group[rid] first takes the parent's group (one store switches all of P),
//     then P's entries are rewritten to the parent's rid, again without changing any lookup result.
// A tbl8 group whose block no longer holds longer prefixes collapses back into its parent entry; the
// freed group and the withdrawn rid are reused only after an RCU grace period (DPDK rte_rcu_qsbr): a
// reader that read the old entry can still finish its lookup.
//
// One more rule keeps every lookup equal to a state the writer really had: a reader that read an entry
// (rid x) just before a longer prefix took that entry from x must not then find x's *next* group in
// rid_group[x]. So a prefix whose rid lost entries less than a grace period ago changes its group (or is
// withdrawn) under a fresh rid: its entries move to the fresh rid first (same answers), and the old rid,
// frozen, is freed after a grace period. The default route (rid 0) has no rid to move to; its change
// waits for that grace period instead. Otherwise the writer never waits for readers, except when every
// rid or tbl8 group is in use and some are waiting for a grace period.
//
// Writer-side state: prefix → rid (the flat prefix map, net/prefix_map.hpp), the depth of each rid,
// per tbl8 group the rid that owns the whole block (its "background") and how many longer prefixes and
// child groups it holds. A withdrawn prefix's parent is found by probing the map at the shorter lengths in use.
//
// Entries are 2 bytes when both rids and tbl8 groups fit in 15 bits (max_routes and num_tbl8 below
// 32,768), else 4 bytes. Memory is mmap'd: tbl24 is made resident at creation (no page fault on the
// data path later); the tbl8 pool and the route-id arrays are sized for the configured maximum but
// become resident only as routes use them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "fib/nexthop_group.hpp"

struct rte_rcu_qsbr;

namespace rf::fib {

struct Dir24Config {
    std::uint32_t max_routes = 1U << 20;  // route ids 1..max_routes (the default route needs none)
    std::uint32_t num_tbl8 = 1U << 14;    // 256-entry groups below the /24 level
    bool avx512 = false;                  // AVX-512 gathers for IPv4 bulk lookups (when the CPU has them)
};

struct Dir24Stats {
    std::size_t routes = 0;         // prefixes installed (the default route not counted)
    std::size_t tbl8_used = 0;      // groups holding longer prefixes now
    std::size_t tbl8_touched = 0;   // groups ever used (their memory is resident)
    std::size_t rids_deferred = 0;  // withdrawn rids waiting for a grace period
    std::size_t tbl8_deferred = 0;  // collapsed groups waiting for a grace period
    std::uint64_t grace_waits = 0;  // the writer waited for readers (every rid or group in use)
    std::uint64_t failures = 0;     // insertions refused: no rid or no tbl8 group left
    std::uint64_t moved = 0;        // changes made under a fresh rid (the old one had just lost entries)
    std::size_t memory_bytes = 0;   // tbl24 + touched tbl8 groups + rid arrays + prefix map
};

// One route operation: group kNoGroup withdraws the prefix.
struct Dir24Op4 {
    std::uint32_t ip = 0;  // host byte order
    std::uint8_t depth = 0;
    GroupId group = kNoGroup;
};
struct Dir24Op6 {
    std::array<std::uint8_t, 16> ip{};  // network byte order
    std::uint8_t depth = 0;
    GroupId group = kNoGroup;
};

// IPv4: addresses in host byte order.
class Dir24Lpm4 {
public:
    static std::unique_ptr<Dir24Lpm4> create(const Dir24Config& config, rte_rcu_qsbr* qsbr);
    virtual ~Dir24Lpm4() = default;

    // --- writer ---
    // Installs `ip/depth` (masked here) with group `g`, or changes its group. Depth 0 sets the default
    // route. False when no rid or tbl8 group is left (nothing changed).
    virtual bool set(std::uint32_t ip, std::uint8_t depth, GroupId g) = 0;
    // Withdraws `ip/depth`; withdrawing an absent prefix does nothing. Depth 0 clears the default route.
    virtual void erase(std::uint32_t ip, std::uint8_t depth) = 0;
    // set() or erase() for each operation in order, prefetching ahead; returns how many were refused.
    virtual std::size_t apply(std::span<const Dir24Op4> ops) = 0;
    // Ends a batch: what it freed becomes reusable after the grace period that starts now. Also frees,
    // without waiting, what earlier batches freed once their grace period has ended.
    virtual void end_batch() = 0;
    // Room for `n` more prefixes in the writer's map (a bulk load then grows it once).
    virtual void reserve(std::size_t n) = 0;
    [[nodiscard]] virtual Dir24Stats stats() const = 0;
    [[nodiscard]] virtual unsigned entry_bytes() const = 0;
    [[nodiscard]] virtual bool avx512() const = 0;

    // --- readers (between quiescent points) ---
    virtual void lookup_bulk(const std::uint32_t* dst, std::uint64_t* groups, unsigned n) const = 0;
    [[nodiscard]] virtual GroupId default_group() const = 0;
};

// IPv6: addresses of 16 bytes, network byte order; tbl24 for the first 24 bits, then 8-bit levels.
class Dir24Lpm6 {
public:
    using Address = std::array<std::uint8_t, 16>;
    static std::unique_ptr<Dir24Lpm6> create(const Dir24Config& config, rte_rcu_qsbr* qsbr);
    virtual ~Dir24Lpm6() = default;

    virtual bool set(const Address& ip, std::uint8_t depth, GroupId g) = 0;
    virtual void erase(const Address& ip, std::uint8_t depth) = 0;
    virtual std::size_t apply(std::span<const Dir24Op6> ops) = 0;
    virtual void end_batch() = 0;
    virtual void reserve(std::size_t n) = 0;
    [[nodiscard]] virtual Dir24Stats stats() const = 0;
    [[nodiscard]] virtual unsigned entry_bytes() const = 0;

    virtual void lookup_bulk(const std::uint8_t (*dst)[16], std::uint64_t* groups, unsigned n) const = 0;
    [[nodiscard]] virtual GroupId default_group() const = 0;
};

// Whether this CPU (and build) can run the AVX-512 IPv4 lookup.
[[nodiscard]] bool dir24_avx512_supported();

}  // namespace rf::fib
