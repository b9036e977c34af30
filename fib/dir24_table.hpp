// The DIR-24-8 of fib/dir24.hpp, one address family at a time: the table memory (mmap'd), the family
// traits, the writer's prefix → route id map, and Dir24Table, which holds the memory readers read and
// every writer operation on it (see fib/dir24.hpp for the design). Internal to dir24.cpp, which adds the
// lookups and the Dir24Lpm4 / Dir24Lpm6 front ends.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fib/dir24.hpp"
#include "fib/dpdk.hpp"
#include "fib/nexthop_group.hpp"
#include "net/ip.hpp"
#include "net/prefix_map.hpp"

namespace rf::fib::dir24_detail {

template <class T>
T load_acquire(const T* p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
template <class T>
void store_release(T* p, T v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
template <class T>
void store_relaxed(T* p, T v) {
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

// Zeroed, lazily populated memory (4 KiB pages): only the pages a route touches become resident. 64 bytes of
// slack let a 32-bit gather read a 2-byte entry at the very end.
class Mapping {
public:
    // `resident`: touch every page now (with transparent huge pages where the kernel gives them), so
    // that neither the writer nor a reader takes a page fault on it later.
    explicit Mapping(std::size_t bytes, bool resident = false) : bytes_(bytes + 64) {
        void* p =
            mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            throw std::runtime_error("dir24: cannot map " + std::to_string(bytes_ >> 20) + " MiB");
        }
        // No MADV_HUGEPAGE: with transparent huge pages on request, khugepaged collapses these regions
        // in the background while the data plane runs (page-table locks, TLB shootdowns), and routefabricd's
        // end-to-end convergence measured worse at the median (docs/benchmarks.md).
        data_ = p;
        if (resident) {
            auto* bytes_p = static_cast<volatile std::uint8_t*>(p);
            for (std::size_t off = 0; off < bytes_; off += 4096) {
                bytes_p[off] = 0;
            }
        }
    }
    ~Mapping() { munmap(data_, bytes_); }
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    template <class T>
    [[nodiscard]] T* as() const {
        return static_cast<T*>(data_);
    }

private:
    std::size_t bytes_;
    void* data_ = nullptr;
};

// --- address families: how a key is masked, split into the tbl24 index and 8-bit levels, and named
// in the writer's prefix map ---

struct V4 {
    using Key = std::uint32_t;
    static constexpr unsigned kBits = 32;
    static constexpr net::Afi kAfi = net::Afi::Ipv4;
    static Key mask(Key k, unsigned len) { return len == 0 ? 0 : k & (~std::uint32_t{0} << (32 - len)); }
    static std::uint32_t idx24(Key k) { return k >> 8; }
    static unsigned byte(Key k, unsigned /*level 1*/) { return k & 0xFFU; }
    // `k` masked to `len`.
    static net::PackedV4Prefix map_key(Key k, unsigned len) {
        return net::PackedV4Prefix{(std::uint64_t{k} << 8) | len};
    }
};

struct V6 {
    using Key = std::array<std::uint8_t, 16>;
    static constexpr unsigned kBits = 128;
    static constexpr net::Afi kAfi = net::Afi::Ipv6;
    static Key mask(Key k, unsigned len) {
        for (unsigned i = 0; i < 16; ++i) {
            const unsigned from = i * 8;
            if (len <= from) {
                k[i] = 0;
            } else if (len < from + 8) {
                k[i] = static_cast<std::uint8_t>(k[i] & (0xFFU << (from + 8 - len)));
            }
        }
        return k;
    }
    static std::uint32_t idx24(const Key& k) {
        return (std::uint32_t{k[0]} << 16) | (std::uint32_t{k[1]} << 8) | k[2];
    }
    static unsigned byte(const Key& k, unsigned level) { return k[2 + level]; }
    // `k` masked to `len`.
    static net::Prefix map_key(const Key& k, unsigned len) {
        net::Prefix p;
        p.afi = net::Afi::Ipv6;
        p.length = static_cast<std::uint8_t>(len);
        p.bytes = k;
        return p;
    }
};

// The writer's prefix → route id map (0: absent), in the flat prefix map (net/prefix_map.hpp).
template <class F>
class RouteIdMap {
public:
    using Key = typename F::Key;
    [[nodiscard]] std::uint32_t get(const Key& k, unsigned len) const {
        return map_.value_or(F::map_key(k, len), std::uint32_t{0});
    }
    void put(const Key& k, unsigned len, std::uint32_t rid) {
        map_.insert_or_assign(F::map_key(k, len), rid);
    }
    void erase(const Key& k, unsigned len) { map_.erase(F::map_key(k, len)); }
    void prefetch(const Key& k, unsigned len) const { map_.prefetch(F::map_key(k, len)); }
    void reserve(std::size_t n) { map_.reserve(F::kAfi, n); }
    [[nodiscard]] std::size_t size() const { return map_.size(); }
    [[nodiscard]] std::size_t memory_bytes() const { return map_.slot_bytes(); }

private:
    net::PrefixMap<std::uint32_t, net::PrefixMapLayout::SingleArray> map_;
};

// One address family's DIR-24-8: the memory readers read (tbl24, the tbl8 groups, rid → group) and the
// writer's state and logic. F = family, E = entry type (uint16_t or uint32_t).
template <class F, class E>
class Dir24Table {
public:
    using Key = typename F::Key;
    static constexpr E kExt = static_cast<E>(E{1} << (sizeof(E) * 8 - 1));
    static constexpr std::uint32_t kLimit = kExt;                      // rids and group indexes stay below it
    static constexpr std::uint64_t kPendingToken = ~std::uint64_t{0};  // lost an entry in this batch

    Dir24Table(const Dir24Config& c, rte_rcu_qsbr* qsbr)
        : config_(c),
          qsbr_(qsbr),
          tbl24_map_((std::size_t{1} << 24) * sizeof(E), true),
          tbl8_map_(std::size_t{std::max<std::uint32_t>(c.num_tbl8, 1)} * 256 * sizeof(E)),
          rid_map_((std::size_t{c.max_routes} + 1) * sizeof(GroupId)),
          tbl24_(tbl24_map_.as<E>()),
          tbl8_(tbl8_map_.as<E>()),
          rid_group_(rid_map_.as<GroupId>()),
          depth_(std::size_t{c.max_routes} + 1, 0),
          lost_token_(std::size_t{c.max_routes} + 1, 0),
          stale_bits_(std::size_t{c.max_routes} / 64 + 1, 0),
          background_(c.num_tbl8, 0),
          count_(c.num_tbl8, 0) {
        if (c.max_routes >= kLimit || c.num_tbl8 > kLimit) {
            throw std::invalid_argument("dir24: max_routes/num_tbl8 exceed the entry width");
        }
        len_count_.fill(0);
    }

    // --- writer ---
    bool set(Key k, unsigned d, GroupId g) {
        k = F::mask(k, d);
        if (d == 0) {
            if (rid_group_[0] != g) {
                settle_default();
                store_release(&rid_group_[0], g);
            }
            return true;
        }
        if (std::uint32_t r = map_.get(k, d); r != 0) {
            if (may_hold_stale(r)) {
                if (rid_group_[r] == g) {
                    return true;
                }
                r = settled(k, d, r);
            }
            store_release(&rid_group_[r], g);  // one store switches every entry of the prefix
            return true;
        }
        if (!make_room(groups_needed(k, d))) {
            ++failures_;
            return false;
        }
        const std::uint32_t r = take_rid();
        depth_[r] = static_cast<std::uint8_t>(d);
        map_.put(k, d, r);
        ++len_count_[d];
        prefilled_ = false;
        insert(k, d, r);
        store_release(&rid_group_[r], g);
        return true;
    }

    void erase(Key k, unsigned d) {
        k = F::mask(k, d);
        if (d == 0) {
            if (rid_group_[0] != kNoGroup) {
                settle_default();
                store_release(&rid_group_[0], kNoGroup);
            }
            return;
        }
        std::uint32_t r = map_.get(k, d);
        if (r == 0) {
            return;
        }
        r = settled(k, d, r);
        map_.erase(k, d);
        --len_count_[d];
        const std::uint32_t pr = parent_of(k, d);
        store_release(&rid_group_[r], rid_group_[pr]);  // one store: P forwards as its parent now
        relabel(k, d, r, pr);                           // the same answers, from pr's entries
        release_block(k, d);
        pending_.push_back(Freed{r, false});
    }

    void end_batch() {
        reclaim(false);
        seal();
    }

    template <class Op>
    std::size_t apply(std::span<const Op> ops) {
        // Operations visit the map and the rid arrays at random (a hash per prefix): prefetch the map slot
        // 16 operations ahead, and 8 ahead (the slot cached by then) the rid's group for writing.
        constexpr std::size_t kAhead = 8;
        std::size_t failed = 0;
        for (std::size_t i = 0; i < ops.size(); ++i) {
            if (i + 2 * kAhead < ops.size()) {
                const Op& a = ops[i + 2 * kAhead];
                map_.prefetch(F::mask(a.ip, a.depth), a.depth);
            }
            if (i + kAhead < ops.size()) {
                const Op& a = ops[i + kAhead];
                if (const std::uint32_t r = map_.get(F::mask(a.ip, a.depth), a.depth); r != 0) {
                    __builtin_prefetch(&rid_group_[r], 1);
                }
            }
            const Op& op = ops[i];
            if (op.group == kNoGroup) {
                erase(op.ip, op.depth);
            } else if (!set(op.ip, op.depth, op.group)) {
                ++failed;
            }
        }
        return failed;
    }

    // Room in the prefix map for `n` more prefixes (a bulk load grows it once instead of doubling).
    void reserve(std::size_t n) { map_.reserve(std::min<std::size_t>(map_.size() + n, config_.max_routes)); }

    [[nodiscard]] GroupId default_group() const { return load_acquire(&rid_group_[0]); }

    [[nodiscard]] Dir24Stats stats() const {
        Dir24Stats s;
        s.routes = map_.size();
        s.tbl8_used = groups_in_use_;
        s.tbl8_touched = next_group_;
        for (const Freed& f : pending_) {
            (f.group ? s.tbl8_deferred : s.rids_deferred) += 1;
        }
        for (const Deferred& f : deferred_) {
            (f.what.group ? s.tbl8_deferred : s.rids_deferred) += 1;
        }
        s.grace_waits = grace_waits_;
        s.failures = failures_;
        s.moved = moved_;
        s.memory_bytes = (std::size_t{1} << 24) * sizeof(E) + std::size_t{next_group_} * 256 * sizeof(E) +
                         std::size_t{next_rid_} * (sizeof(GroupId) + 1 + sizeof(std::uint64_t)) +
                         map_.memory_bytes() + background_.size() * (sizeof(E) + sizeof(std::uint16_t));
        return s;
    }

    // --- readers ---
    const E* tbl24() const { return tbl24_; }
    const E* tbl8() const { return tbl8_; }
    const GroupId* rid_group() const { return rid_group_; }

private:
    struct Freed {
        std::uint32_t id;
        bool group;
    };
    struct Deferred {
        std::uint64_t token;
        Freed what;
    };

    E* slot8(std::uint32_t group, unsigned index) const { return &tbl8_[(std::size_t{group} << 8) | index]; }
    static unsigned entry_depth(unsigned level) { return 24 + 8 * level; }
    static unsigned level_of(unsigned d) { return (d - 24 + 7) / 8; }  // the level a /d (> 24) lives in

    // Groups an insertion of k/d must create (0 when its block's groups exist already).
    [[nodiscard]] unsigned groups_needed(const Key& k, unsigned d) const {
        if (d <= 24) {
            return 0;
        }
        const unsigned target = level_of(d);
        E e = tbl24_[F::idx24(k)];
        for (unsigned level = 1; level <= target; ++level) {
            if ((e & kExt) == 0) {
                return target - level + 1;
            }
            e = *slot8(e & ~kExt, F::byte(k, level));
        }
        return 0;
    }

    // A rid is free, and `groups` tbl8 groups: reclaims what a finished grace period allows, and
    // waits for readers only when the structure is full of freed memory still in its grace period.
    bool make_room(unsigned groups) {
        auto room = [&] {
            const bool rid = !free_rids_.empty() || next_rid_ <= config_.max_routes;
            return rid && free_groups_.size() + (config_.num_tbl8 - next_group_) >= groups;
        };
        if (room()) {
            return true;
        }
        reclaim(false);
        if (room()) {
            return true;
        }
        seal();
        if (deferred_.empty()) {
            return false;
        }
        ++grace_waits_;
        reclaim(true);
        return room();
    }

    std::uint32_t take_rid() {
        std::uint32_t r = 0;
        if (!free_rids_.empty()) {
            r = free_rids_.back();
            free_rids_.pop_back();
        } else {
            r = next_rid_++;
        }
        clear_stale(r);  // freed after a grace period: no reader holds it
        return r;
    }

    // A new group for the block of an entry whose value is `fill` (a rid): every entry starts as it.
    std::uint32_t new_group(E fill) {
        std::uint32_t g = 0;
        if (!free_groups_.empty()) {
            g = free_groups_.back();
            free_groups_.pop_back();
        } else {
            g = next_group_++;
        }
        E* base = slot8(g, 0);
        for (unsigned i = 0; i < 256; ++i) {
            store_relaxed(&base[i], fill);
        }
        background_[g] = fill;
        count_[g] = 0;
        ++groups_in_use_;
        return g;
    }

    // Visits the entries k/d covers whole: a range of tbl24 for d <= 24, else a range of the group that
    // its block's path of groups leads to (the path must exist).
    template <class Fn>
    void for_each_entry(const Key& k, unsigned d, Fn fn) {
        if (d <= 24) {
            const std::uint32_t first = F::idx24(k);
            const std::uint32_t n = std::uint32_t{1} << (24 - d);
            for (std::uint32_t i = first; i < first + n; ++i) {
                fn(&tbl24_[i]);
            }
            return;
        }
        const E* slot = &tbl24_[F::idx24(k)];
        for (unsigned level = 1;; ++level) {
            const std::uint32_t g = *slot & ~kExt;
            const unsigned ed = entry_depth(level);
            if (d <= ed) {
                const unsigned first = F::byte(k, level);
                const unsigned n = 1U << (ed - d);
                for (unsigned i = first; i < first + n; ++i) {
                    fn(slot8(g, i));
                }
                return;
            }
            slot = slot8(g, F::byte(k, level));
        }
    }

    // Creates the groups missing on k/d's path (d > 24) and returns the group k/d lives in. A new group
    // starts with every entry equal to the entry it replaces, so lookups answer the same.
    std::uint32_t make_path(const Key& k, unsigned d) {
        E* slot = &tbl24_[F::idx24(k)];
        std::uint32_t parent = kLimit;  // the group holding `slot` (none: tbl24)
        for (unsigned level = 1;; ++level) {
            std::uint32_t g = 0;
            const E e = *slot;
            if ((e & kExt) != 0) {
                g = e & ~kExt;
            } else {
                g = new_group(e);
                if (parent != kLimit) {
                    ++count_[parent];
                }
                store_release(slot, static_cast<E>(kExt | g));
            }
            if (d <= entry_depth(level)) {
                return g;
            }
            slot = slot8(g, F::byte(k, level));
            parent = g;
        }
    }

    void insert(const Key& k, unsigned d, std::uint32_t r) {
        if (d > 24) {
            ++count_[make_path(k, d)];
        }
        for_each_entry(k, d, [&](E* slot) { cover(slot, d, r); });
    }

    // Gives rid r (depth d) an entry that r's prefix covers whole, unless a longer prefix owns it.
    void cover(E* slot, unsigned d, std::uint32_t r) {
        const E e = *slot;
        if ((e & kExt) != 0) {
            const std::uint32_t g = e & ~kExt;
            // The group's background is the longest prefix covering its whole block; r covers it too. If
            // the background is longer, every entry belongs to it or to something longer still.
            if (depth_[background_[g]] >= d) {
                return;
            }
            background_[g] = static_cast<E>(r);
            for (unsigned i = 0; i < 256; ++i) {
                cover(slot8(g, i), d, r);
            }
            return;
        }
        if (depth_[e] < d) {
            lost(e);
            if (!prefilled_) {
                // Every entry r takes belongs to the same shorter prefix (the one r is carved out of):
                // before r appears anywhere it forwards like that prefix.
                store_release(&rid_group_[r], rid_group_[e]);
                prefilled_ = true;
            }
            store_release(slot, static_cast<E>(r));
        }
    }

    // Gives every entry of k/d that holds `from` to `to` (a withdrawn prefix's entries to its parent,
    // or a prefix's entries to its new rid).
    void relabel(const Key& k, unsigned d, std::uint32_t from, std::uint32_t to) {
        for_each_entry(k, d, [&](E* slot) { uncover(slot, from, to); });
    }

    // k/d (longer than /24) left its group: a group left with no longer prefix and no child group
    // answers its background everywhere, so its parent entry takes that value and the group waits out a
    // grace period before reuse; its parent group may then empty in turn.
    void release_block(const Key& k, unsigned d) {
        if (d <= 24) {
            return;
        }
        std::array<E*, 16> slots{};
        std::array<std::uint32_t, 16> groups{};
        unsigned depth = 0;
        E* slot = &tbl24_[F::idx24(k)];
        for (unsigned level = 1;; ++level) {
            const std::uint32_t g = *slot & ~kExt;
            slots[depth] = slot;
            groups[depth] = g;
            ++depth;
            if (d <= entry_depth(level)) {
                --count_[g];
                break;
            }
            slot = slot8(g, F::byte(k, level));
        }
        for (unsigned i = depth; i-- > 0;) {
            const std::uint32_t g = groups[i];
            if (count_[g] != 0) {
                break;
            }
            store_release(slots[i], background_[g]);
            --groups_in_use_;
            pending_.push_back(Freed{g, true});
            if (i > 0) {
                --count_[groups[i - 1]];
            }
        }
    }

    // Gives r's entries under this one (r covers it whole) to pr.
    void uncover(E* slot, std::uint32_t r, std::uint32_t pr) {
        const E e = *slot;
        if ((e & kExt) != 0) {
            const std::uint32_t g = e & ~kExt;
            // Only the group's background can own entries of a prefix that covers the whole block.
            if (background_[g] != r) {
                return;
            }
            background_[g] = static_cast<E>(pr);
            for (unsigned i = 0; i < 256; ++i) {
                uncover(slot8(g, i), r, pr);
            }
            return;
        }
        if (e == r) {
            store_release(slot, static_cast<E>(pr));
        }
    }

    // The longest installed prefix strictly shorter than d that covers k (0: none).
    [[nodiscard]] std::uint32_t parent_of(const Key& k, unsigned d) const {
        for (unsigned len = d - 1; len >= 1 && len < d; --len) {
            if (len_count_[len] != 0) {
                map_.prefetch(F::mask(k, len), len);
            }
        }
        for (unsigned len = d - 1; len >= 1 && len < d; --len) {
            if (len_count_[len] == 0) {
                continue;
            }
            if (const std::uint32_t r = map_.get(F::mask(k, len), len); r != 0) {
                return r;
            }
        }
        return 0;
    }

    // Starts the grace period of everything the batch so far unlinked (freed ids, and route ids that
    // lost entries): a reader that still holds one of them started its lookup before, and has reported a
    // quiescent state once the token is reached.
    void seal() {
        if (pending_.empty() && losers_.empty()) {
            return;
        }
        const std::uint64_t token = rte_rcu_qsbr_start(qsbr_);
        for (const Freed& f : pending_) {
            deferred_.push_back(Deferred{token, f});
        }
        pending_.clear();
        for (const std::uint32_t x : losers_) {
            lost_token_[x] = token;
        }
        losers_.clear();
    }

    // --- route ids that lost entries ---
    //
    // A reader reads an entry (rid x), then rid_group[x]. If between the two reads the entry moved to
    // another prefix (a longer prefix P was installed over it) and x's group changed, the reader would
    // answer with x's new group for an address that by then belonged to P: a state that never existed.
    // So rid_group[x] changes in place only once every reader has passed a quiescent point since x last
    // lost an entry; before that, x's entries move to a fresh rid first (rid_group[x] stays frozen for
    // the readers still holding x, and x is freed after a grace period). The default route (rid 0) has
    // no other rid to move to: its change waits for that grace period instead.

    void lost(std::uint32_t x) {
        if (lost_token_[x] != kPendingToken) {
            lost_token_[x] = kPendingToken;
            losers_.push_back(x);
            stale_bits_[x / 64] |= std::uint64_t{1} << (x % 64);
        }
    }

    // A bit per rid (compact: it stays cached when the token array does not): clear = never lost an
    // entry, or its grace period is known to have ended.
    [[nodiscard]] bool may_hold_stale(std::uint32_t x) const {
        return (stale_bits_[x / 64] & (std::uint64_t{1} << (x % 64))) != 0;
    }
    void clear_stale(std::uint32_t x) {
        stale_bits_[x / 64] &= ~(std::uint64_t{1} << (x % 64));
        lost_token_[x] = 0;
    }

    [[nodiscard]] bool quiet(std::uint32_t x) {
        if (!may_hold_stale(x)) {
            return true;
        }
        const std::uint64_t t = lost_token_[x];
        if (t == kPendingToken) {
            return false;
        }
        if (t <= passed_token_ || rte_rcu_qsbr_check(qsbr_, t, false) == 1) {
            passed_token_ = std::max(passed_token_, t);
            clear_stale(x);
            return true;
        }
        return false;
    }

    // The rid under which k/d (installed as r) may change its group now: r, or a fresh rid its entries
    // moved to.
    std::uint32_t settled(const Key& k, unsigned d, std::uint32_t r) {
        if (quiet(r)) {
            return r;
        }
        if (!make_room(0)) {
            wait_quiet(r);  // no rid to move to: wait out the readers instead
            return r;
        }
        if (quiet(r)) {  // make_room may have waited for a grace period
            return r;
        }
        const std::uint32_t fresh = take_rid();
        depth_[fresh] = depth_[r];
        map_.put(k, d, fresh);
        store_release(&rid_group_[fresh], rid_group_[r]);  // the same answers until the caller's store
        relabel(k, d, r, fresh);
        pending_.push_back(Freed{r, false});
        ++moved_;
        return fresh;
    }

    void settle_default() {
        if (!quiet(0)) {
            wait_quiet(0);
        }
    }

    void wait_quiet(std::uint32_t x) {
        seal();
        ++grace_waits_;
        const std::uint64_t t = lost_token_[x];
        spin_until([&] { return rte_rcu_qsbr_check(qsbr_, t, false) == 1; });
        passed_token_ = std::max(passed_token_, t);
        clear_stale(x);
    }

    // Spins while readers are likely running (they report once per burst); yields after 200 µs, since
    // on a busy machine a reader may be waiting for this core.
    template <class Done>
    static void spin_until(Done done) {
        const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
        for (unsigned spins = 0; !done(); ++spins) {
            if (spins % 64 != 0 || std::chrono::steady_clock::now() < spin_until) {
                rte_pause();
            } else {
                std::this_thread::yield();
            }
        }
    }

    void reclaim(bool wait) {
        while (!deferred_.empty()) {
            const Deferred& d = deferred_.front();
            if (d.token > passed_token_) {
                if (wait) {
                    spin_until([&] { return rte_rcu_qsbr_check(qsbr_, d.token, false) == 1; });
                } else if (rte_rcu_qsbr_check(qsbr_, d.token, false) != 1) {
                    return;
                }
                passed_token_ = d.token;
            }
            if (d.what.group) {
                free_groups_.push_back(d.what.id);
            } else {
                free_rids_.push_back(d.what.id);
            }
            deferred_.pop_front();
        }
    }

    Dir24Config config_;
    rte_rcu_qsbr* qsbr_;
    Mapping tbl24_map_;
    Mapping tbl8_map_;
    Mapping rid_map_;
    E* tbl24_;
    E* tbl8_;
    GroupId* rid_group_;
    // Writer only.
    RouteIdMap<F> map_;
    std::vector<std::uint8_t> depth_;        // by rid (rid 0: depth 0)
    std::vector<std::uint64_t> lost_token_;  // by rid: 0, or the grace period since it last lost an entry
    std::vector<std::uint64_t> stale_bits_;  // by rid: lost_token_ is not 0
    std::vector<std::uint32_t> losers_;      // rids that lost entries in the current batch
    std::uint64_t passed_token_ = 0;         // every reader has passed this token
    std::vector<E> background_;              // by group: the rid owning the block outside longer prefixes
    std::vector<std::uint16_t> count_;       // by group: longer prefixes placed in it + child groups
    std::array<std::uint32_t, F::kBits + 1> len_count_{};  // installed prefixes per length
    std::vector<std::uint32_t> free_rids_;
    std::vector<std::uint32_t> free_groups_;
    std::uint32_t next_rid_ = 1;
    std::uint32_t next_group_ = 0;
    std::size_t groups_in_use_ = 0;
    std::vector<Freed> pending_;  // freed in the current batch
    std::deque<Deferred> deferred_;
    bool prefilled_ = false;
    std::uint64_t grace_waits_ = 0;
    std::uint64_t failures_ = 0;
    std::uint64_t moved_ = 0;  // prefixes moved to a fresh rid before a change (see settled())
};

}  // namespace rf::fib::dir24_detail
