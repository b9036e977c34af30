// One lookup structure: longest-prefix match from destination to next-hop-group id, IPv4 and IPv6,
// read by data-plane lcores without locks.
//
// DPDK 22.11 trap (design §4): rte_fib's DIR-24-8 (and rte_fib6's trie) has no RCU there; deleting a
// route can collapse a tbl8 group, which is zeroed and returned to the free list at once, so a reader
// that had just read the tbl24 entry may read a zeroed or reused group — a next hop that never existed.
// rte_lpm has RCU but its rule table is a flat array searched linearly per add, which rules it out at a
// million routes.
//
// So we keep rte_fib/rte_fib6 and make them safe with a left-right pair per family: two identical
// instances, readers use the active one; the writer programs only the standby one, flips the active
// pointer, and brings the old one up to date with the same operations only after a grace period
// (rte_rcu_qsbr) has shown that no reader is still inside it. Readers never see an instance being
// modified; each operation costs two updates, and memory is twice one instance.
//
// Memory: next hops are group ids, stored with the smallest entry width that holds both the largest
// group id and the largest tbl8 group index (an entry holds either): 2 bytes up to 32,767 of each —
// DIR-24-8 keeps one bit of each entry for itself — which halves the 2^24-entry tbl24 against 4-byte
// entries. A full Internet table (≈50 k prefixes longer than /24, one tbl8 group each) needs 4 bytes. The
// IPv6 pair is created only when the first IPv6 route arrives (a table without IPv6 routes holds no rte_fib6
// at all).
//
// The default route (/0 and ::/0) is not stored in rte_fib (it would rewrite 16 M tbl24 entries per
// change): the miss value is kNoGroup and the reader substitutes default_group().
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fib/nexthop_group.hpp"

struct rte_fib;
struct rte_fib6;
struct rte_rcu_qsbr;

namespace rf::fib {

enum class LookupPath : std::uint8_t {
    Default,  // rte_fib's choice: AVX-512 when the CPU has it and EAL allows 512-bit SIMD, else scalar
    Scalar,   // RTE_FIB_LOOKUP_DIR24_8_SCALAR_MACRO
    Avx512,   // RTE_FIB_LOOKUP_DIR24_8_VECTOR_AVX512 (falls back to Default when unavailable)
};

struct LookupConfig {
    std::uint32_t max_routes = 1U << 20;   // per IPv4 instance (rte_rib nodes)
    std::uint32_t num_tbl8 = 1U << 14;     // DIR-24-8 groups for prefixes longer than /24
    std::uint32_t max_routes6 = 1U << 16;  // per IPv6 instance
    std::uint32_t num_tbl8_6 = 1U << 12;   // trie groups (every 8 bits past /24 of each IPv6 route)
    LookupPath path = LookupPath::Default;
    // Largest group id stored; with num_tbl8 it picks the entry width (2 bytes when both are at most
    // 32,767, else 4). Fib sets it.
    std::uint32_t max_group_id = (1U << 15) - 1;
    // false = program the one live instance in place, as plain DPDK 22.11 rte_fib use would. Unsafe
    // with concurrent readers (the trap above); kept only to measure the cost of left-right and to
    // show the stress test catching the trap. Never use it with readers.
    bool left_right = true;
};

class LookupTable {
public:
    // One IPv4 route operation: group kNoGroup deletes the prefix.
    struct Op {
        std::uint32_t ip = 0;    // host byte order, masked
        std::uint8_t depth = 0;  // 1..32 (the default route goes through set_default_group)
        GroupId group = kNoGroup;
    };
    // One IPv6 route operation.
    struct Op6 {
        std::array<std::uint8_t, 16> ip{};  // network byte order, masked
        std::uint8_t depth = 0;             // 1..128
        GroupId group = kNoGroup;
    };

    // Throws std::runtime_error when DPDK cannot allocate the instances (EAL memory, -m).
    LookupTable(const LookupConfig& config, rte_rcu_qsbr* qsbr);
    ~LookupTable();
    LookupTable(const LookupTable&) = delete;
    LookupTable& operator=(const LookupTable&) = delete;

    // --- writer ---
    // Programs `ops` and `ops6` (each in order) and makes them visible at once; returns the number of
    // operations refused (capacity). May wait for the grace period of the previous flip. The IPv6 pair
    // is created by the first call with IPv6 operations (may throw like the constructor).
    std::size_t apply(std::span<const Op> ops, std::span<const Op6> ops6 = {});
    // Brings the standby instances up to date (the second half of the last apply) once the grace
    // period of the last flip has ended, so that the next apply() starts at once. With `wait` false it
    // returns false instead of waiting; true when the standby is current.
    bool catch_up(bool wait);
    void set_default_group(GroupId g) { default_group_.store(g, std::memory_order_release); }
    void set_default_group6(GroupId g) { default_group6_.store(g, std::memory_order_release); }
    [[nodiscard]] std::uint64_t grace_waits() const { return grace_waits_; }
    [[nodiscard]] std::uint64_t failures() const { return failures_; }
    [[nodiscard]] bool avx512() const { return avx512_; }
    [[nodiscard]] bool has_v6() const { return v6_[0] != nullptr; }
    // Bytes per next-hop entry (2 or 4), IPv4 and IPv6.
    [[nodiscard]] unsigned entry_bytes() const { return nh_bytes_; }
    [[nodiscard]] unsigned entry_bytes6() const { return nh_bytes6_; }
    // DPDK memory of every instance (tbl24, tbl8 pool, RIB node pool), IPv6 included when created.
    [[nodiscard]] std::size_t memory_bytes() const;

    // --- readers (between quiescent points) ---
    // Group ids (as uint64_t, rte_fib's next-hop width) of `n` destinations in host byte order.
    void lookup_bulk(const std::uint32_t* dst, std::uint64_t* groups, unsigned n) const;
    // The same for IPv6 destinations (16 bytes each, network byte order). kNoGroup (or the ::/0 group)
    // for every destination while the table has no IPv6 route.
    void lookup_bulk6(const std::uint8_t (*dst)[16], std::uint64_t* groups, unsigned n) const;
    [[nodiscard]] GroupId default_group() const { return default_group_.load(std::memory_order_acquire); }
    [[nodiscard]] GroupId default_group6() const { return default_group6_.load(std::memory_order_acquire); }

private:
    void program(rte_fib* f, std::span<const Op> ops, bool count);
    void program6(rte_fib6* f, std::span<const Op6> ops, bool count);
    void create_v6();

    LookupConfig config_;
    rte_rcu_qsbr* qsbr_;
    unsigned nh_bytes_ = 4;
    unsigned nh_bytes6_ = 4;
    rte_fib* fib_[2] = {nullptr, nullptr};
    rte_fib6* v6_[2] = {nullptr, nullptr};
    alignas(64) std::atomic<rte_fib*> active_{nullptr};
    std::atomic<rte_fib6*> active6_{nullptr};
    std::atomic<GroupId> default_group_{kNoGroup};
    std::atomic<GroupId> default_group6_{kNoGroup};
    alignas(64) int standby_ = 1;  // the same index for both families
    std::vector<Op> behind_;       // applied to the active instance, not yet to the standby one
    std::vector<Op6> behind6_;
    std::uint64_t flip_token_ = 0;
    std::uint64_t grace_waits_ = 0;
    std::uint64_t failures_ = 0;
    bool avx512_ = false;
};

}  // namespace rf::fib
