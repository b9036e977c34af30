// One lookup structure: longest-prefix match from destination to next-hop-group id, IPv4 and IPv6,
// read by data-plane lcores without locks.
//
// Two engines (LookupConfig::engine):
//
// Dir24 (the default, fib/dir24.hpp): a DIR-24-8 of our own whose entries hold route ids that readers
// map to group ids through one array. Every change is atomic per prefix for readers (a next-hop change is
// one store), freed tbl8 groups and route ids are reused only after an RCU grace period (rte_rcu_qsbr),
// and the writer never waits for readers unless every id is in use. One instance per family.
//
// RteFib: DPDK 22.11 rte_fib (DIR-24-8) / rte_fib6 (trie), kept to measure against. The 22.11 trap
// (design §4): rte_fib has no RCU there; deleting a route can collapse a tbl8 group, which is zeroed and
// returned to the free list at once, so a reader that had just read the tbl24 entry may read a zeroed or
// reused group — a next hop that never existed. It is therefore used left-right: two identical
// instances, readers use the active one; the writer programs only the standby one, flips the active
// pointer, and brings the old one up to date with the same operations only after a grace period has
// shown that no reader is still inside it. Each operation costs two updates (each an rte_rib tree walk),
// memory is twice one instance, and a batch waits for the grace period of the previous flip. rte_lpm
// has RCU but its rule table is a flat array searched linearly per add, which rules it out at a million
// routes. With RteFib, entries are 2 bytes when both the largest group id and the tbl8 group count fit
// in 15 bits, else 4; the default route (/0, ::/0) is not stored in rte_fib (it would rewrite 16 M tbl24
// entries per change): the miss value is kNoGroup and the reader substitutes default_group().
//
// Both engines create their IPv6 structure on the first IPv6 route: a table without IPv6 routes holds
// none.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "fib/dir24.hpp"
#include "fib/nexthop_group.hpp"

struct rte_fib;
struct rte_fib6;
struct rte_rcu_qsbr;

namespace rf::fib {

enum class LookupEngine : std::uint8_t {
    Dir24,   // fib/dir24.hpp: RCU-safe DIR-24-8 with per-route indirection, one instance
    RteFib,  // DPDK rte_fib / rte_fib6, left-right (or in place, see left_right)
};

enum class LookupPath : std::uint8_t {
    Default,  // Dir24: scalar (measured faster here, docs/benchmarks.md); RteFib: rte_fib's own choice
    Scalar,   // Dir24 scalar; RTE_FIB_LOOKUP_DIR24_8_SCALAR_MACRO
    Avx512,   // Dir24 AVX-512 gathers; RTE_FIB_LOOKUP_DIR24_8_VECTOR_AVX512 (Default when unavailable)
};

struct LookupConfig {
    LookupEngine engine = LookupEngine::Dir24;
    std::uint32_t max_routes = 1U << 20;   // per IPv4 instance (route ids; rte_rib nodes)
    std::uint32_t num_tbl8 = 1U << 14;     // DIR-24-8 groups for prefixes longer than /24
    std::uint32_t max_routes6 = 1U << 16;  // per IPv6 instance
    std::uint32_t num_tbl8_6 = 1U << 12;   // trie groups (every 8 bits past /24 of each IPv6 route)
    LookupPath path = LookupPath::Default;
    // RteFib: the largest group id stored; with num_tbl8 it picks the entry width (2 bytes when both
    // are at most 32,767, else 4). Fib sets it. (Dir24 stores route ids: max_routes picks its width.)
    std::uint32_t max_group_id = (1U << 15) - 1;
    // RteFib only. false = program the one live instance in place, as plain DPDK 22.11 rte_fib use would.
    // Unsafe with concurrent readers (the trap above); kept only to measure the cost of left-right and to
    // show the stress test catching the trap. Never use it with readers.
    bool left_right = true;
};

class LookupTable {
public:
    // One IPv4 route operation: group kNoGroup deletes the prefix.
    // (host byte order, masked; depth 1..32, the default route goes through set_default_group)
    using Op = Dir24Op4;
    // One IPv6 route operation (network byte order, masked; depth 1..128).
    using Op6 = Dir24Op6;

    // Throws std::runtime_error when the memory for the instances cannot be had (RteFib: EAL memory, -m).
    LookupTable(const LookupConfig& config, rte_rcu_qsbr* qsbr);
    ~LookupTable();
    LookupTable(const LookupTable&) = delete;
    LookupTable& operator=(const LookupTable&) = delete;

    // --- writer ---
    // Programs `ops` and `ops6` (each in order); returns the number of operations refused (capacity).
    // Dir24: each operation is visible to readers as soon as it is programmed, atomically per prefix.
    // RteFib: the whole call becomes visible at once, after waiting for the grace period of the previous
    // flip. The IPv6 structure is created by the first call with IPv6 operations (may throw like the
    // constructor).
    std::size_t apply(std::span<const Op> ops, std::span<const Op6> ops6 = {});
    // Idle work between batches, so that the next apply() starts at once. Dir24: frees what the last
    // grace periods allow (never waits; true). RteFib: brings the standby instances up to date once the
    // grace period of the last flip has ended; with `wait` false it returns false instead of waiting.
    bool catch_up(bool wait);
    void set_default_group(GroupId g);
    void set_default_group6(GroupId g);
    [[nodiscard]] LookupEngine engine() const { return config_.engine; }
    [[nodiscard]] std::uint64_t grace_waits() const;
    [[nodiscard]] std::uint64_t failures() const;
    [[nodiscard]] bool avx512() const { return avx512_; }
    [[nodiscard]] bool has_v6() const { return d6_owned_ != nullptr || v6_[0] != nullptr; }
    // Bytes per entry (2 or 4), IPv4 and IPv6.
    [[nodiscard]] unsigned entry_bytes() const { return nh_bytes_; }
    [[nodiscard]] unsigned entry_bytes6() const { return nh_bytes6_; }
    // Memory of every instance, IPv6 included when created. Dir24: tbl24, the tbl8 groups used so far,
    // route ids and the writer's prefix map. RteFib: DPDK memory (tbl24, tbl8 pool, RIB node pool).
    [[nodiscard]] std::size_t memory_bytes() const;
    // Dir24 only (zeros for RteFib).
    [[nodiscard]] Dir24Stats dir24_stats() const;

    // --- readers (between quiescent points) ---
    // Group ids (as uint64_t, rte_fib's next-hop width) of `n` destinations in host byte order.
    void lookup_bulk(const std::uint32_t* dst, std::uint64_t* groups, unsigned n) const;
    // The same for IPv6 destinations (16 bytes each, network byte order). kNoGroup (or the ::/0 group)
    // for every destination while the table has no IPv6 route.
    void lookup_bulk6(const std::uint8_t (*dst)[16], std::uint64_t* groups, unsigned n) const;
    [[nodiscard]] GroupId default_group() const;
    [[nodiscard]] GroupId default_group6() const { return default_group6_.load(std::memory_order_acquire); }

private:
    void program(rte_fib* f, std::span<const Op> ops, bool count);
    void program6(rte_fib6* f, std::span<const Op6> ops, bool count);
    void create_v6();
    std::size_t apply_rte_fib(std::span<const Op> ops, std::span<const Op6> ops6);
    bool catch_up_rte_fib(bool wait);

    LookupConfig config_;
    rte_rcu_qsbr* qsbr_;
    unsigned nh_bytes_ = 4;
    unsigned nh_bytes6_ = 4;
    // Dir24 engine.
    std::unique_ptr<Dir24Lpm4> d4_;
    std::unique_ptr<Dir24Lpm6> d6_owned_;
    std::atomic<const Dir24Lpm6*> d6_{nullptr};  // published once built (readers see none before)
    // RteFib engine.
    rte_fib* fib_[2] = {nullptr, nullptr};
    rte_fib6* v6_[2] = {nullptr, nullptr};
    alignas(64) std::atomic<rte_fib*> active_{nullptr};
    std::atomic<rte_fib6*> active6_{nullptr};
    std::atomic<GroupId> default_group_{kNoGroup};
    std::atomic<GroupId> default_group6_{kNoGroup};  // both engines: the ::/0 group (Dir24 before d6_)
    alignas(64) int standby_ = 1;                    // the same index for both families
    std::vector<Op> behind_;  // applied to the active instance, not yet to the standby one
    std::vector<Op6> behind6_;
    std::uint64_t flip_token_ = 0;
    std::uint64_t grace_waits_ = 0;
    std::uint64_t failures_ = 0;
    bool avx512_ = false;
};

}  // namespace rf::fib
