// Next-hop groups: an ECMP set (or any other next hop of an effective route) interned as an immutable,
// shared, refcounted object with a small integer id that the lookup tables store. The writer creates and
// releases groups; readers reach them through GroupTable::get() without locks. A group whose last
// reference is dropped is retired and freed only after every registered reader has passed a quiescent
// point (DPDK rte_rcu_qsbr), so a reader that looked up its id before the change can still use it until
// the end of its burst.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fib/ecmp.hpp"
#include "fib/vnet/next_hop.hpp"
#include "net/ip.hpp"

struct rte_rcu_qsbr;

namespace rf::fib {

// 0 means "no route" in every lookup table.
using GroupId = std::uint32_t;
inline constexpr GroupId kNoGroup = 0;

class NextHopGroup {
public:
    static constexpr std::uint32_t kLive = 0x4E48474CU;  // "NHGL"
    static constexpr std::uint32_t kDead = 0xDEADDEADU;  // written when the group is reclaimed

    NextHopGroup(GroupId id, NextHop value);

    [[nodiscard]] GroupId id() const { return id_; }
    [[nodiscard]] NextHopType type() const { return value_.type; }
    [[nodiscard]] std::span<const net::IpAddress> members() const { return value_.addresses; }
    [[nodiscard]] const NextHop& value() const { return value_; }

    // Rendezvous seeds of members() (same order), computed once: the group is immutable.
    [[nodiscard]] std::span<const std::uint64_t> seeds() const { return seeds_; }

    // The member a flow with this hash uses, by rendezvous hashing (fib/ecmp.hpp): deterministic, and
    // removing a member moves only the flows that were on it. nullptr when the group has no members
    // (VnetLocal, Internet, None). The data plane selects with the same function over seeds().
    [[nodiscard]] const net::IpAddress* pick(std::uint64_t flow_hash) const {
        const auto n = static_cast<std::uint32_t>(seeds_.size());
        if (n == 0) {
            return nullptr;
        }
        return &value_.addresses[ecmp::select(flow_hash, seeds_.data(), n)];
    }
    [[nodiscard]] std::uint32_t pick_index(std::uint64_t flow_hash) const {
        return ecmp::select(flow_hash, seeds_.data(), static_cast<std::uint32_t>(seeds_.size()));
    }
    // The seed rendezvous hashing uses for `a`.
    [[nodiscard]] static std::uint64_t seed_of(const net::IpAddress& a);

    // For tests and debug checks: still live, and its members are the ones it was built with.
    [[nodiscard]] bool intact() const;
    [[nodiscard]] bool live() const { return magic_.load(std::memory_order_relaxed) == kLive; }

private:
    friend class GroupTable;
    static std::uint64_t checksum_of(const NextHop& v);

    std::atomic<std::uint32_t> magic_{kLive};
    GroupId id_;
    std::uint64_t checksum_;
    NextHop value_;
    std::vector<std::uint64_t> seeds_;
};

struct GroupStats {
    std::uint64_t live = 0;
    std::uint64_t created = 0;
    std::uint64_t retired_pending = 0;  // waiting for a grace period
    std::uint64_t freed = 0;
    std::uint64_t exhausted = 0;  // acquire() refused: no free id
    std::uint64_t repointed = 0;  // repoint(): a group given another group's value in place
};

class GroupTable {
public:
    // `capacity` bounds the ids (1..capacity-1). `quarantine` keeps reclaimed groups poisoned (magic
    // kDead) until destruction instead of deleting them, so stress tests can detect a reader that
    // reaches a reclaimed group without relying on a sanitizer.
    GroupTable(rte_rcu_qsbr* qsbr, std::uint32_t capacity, bool quarantine = false);
    ~GroupTable();  // callers guarantee no reader is left
    GroupTable(const GroupTable&) = delete;
    GroupTable& operator=(const GroupTable&) = delete;

    // --- writer thread only ---
    // The group for `value` (normalised), with one more reference; kNoGroup when ids are exhausted.
    GroupId acquire(NextHop value);
    // The same for (type, addresses) without building a NextHop first: no allocation when the group
    // exists (the common case — few distinct ECMP sets, many prefixes).
    GroupId acquire(NextHopType type, std::span<const net::IpAddress> addresses);
    void add_ref(GroupId id);
    void release(GroupId id);
    // Prefix-independent convergence: group `id` takes the value of group `like` in place, with one
    // atomic store, so every prefix pointing at `id` forwards by the new value at once, however many
    // there are. Readers see the old group or the new one, never a mix; the old object is freed after a
    // grace period. The caller guarantees that every reference to `id` is about to move to `like` (Fib
    // checks this per batch): `id` leaves the value index (acquire() never returns it again) and is
    // retired when its references drain. False (nothing done) when either id is not live or is kNoGroup.
    bool repoint(GroupId id, GroupId like);
    // The same with a value of its own: group `id` takes `value` (normalised) in place. The caller
    // guarantees that every reference to `id` will move to a group of that value (or elsewhere) by later
    // batches; until then every prefix on `id` forwards by `value`. False when `id` is not live, is
    // kNoGroup, or already has that value.
    bool repoint_to(GroupId id, const NextHop& value);
    // Call once the lookup tables no longer reference the released groups (after the flip): groups at
    // zero references are retired with a fresh grace-period token.
    void retire_unused();
    // Frees retired groups whose grace period has ended; never blocks. Returns how many.
    std::size_t reclaim();
    // The value of a group the writer holds a reference to (id != kNoGroup).
    [[nodiscard]] const NextHop& value_of(GroupId id) const { return owned_[id]->value_; }
    [[nodiscard]] std::uint32_t refs(GroupId id) const { return id < refs_.size() ? refs_[id] : 0; }
    // One past the highest id handed out so far (for per-id scratch arrays).
    [[nodiscard]] GroupId id_bound() const { return next_id_; }
    [[nodiscard]] GroupStats stats() const;
    [[nodiscard]] std::size_t memory_bytes() const;

    // --- any thread (readers between quiescent points) ---
    [[nodiscard]] const NextHopGroup* get(GroupId id) const noexcept {
        return id < capacity_ ? slots_[id].load(std::memory_order_acquire) : nullptr;
    }

private:
    struct Retired {
        std::uint64_t token;
        GroupId id;
    };
    struct RetiredObject {
        std::uint64_t token;
        NextHopGroup* group;  // replaced by repoint(); its id lives on
    };
    void dispose(NextHopGroup* g);

    rte_rcu_qsbr* qsbr_;
    std::uint32_t capacity_;
    bool quarantine_;
    std::unique_ptr<std::atomic<const NextHopGroup*>[]> slots_;
    std::vector<NextHopGroup*> owned_;  // by id; the writer's view
    std::vector<std::uint32_t> refs_;
    std::unordered_map<NextHop, GroupId, NextHopHash> index_;
    std::vector<GroupId> free_ids_;
    NextHop scratch_;
    GroupId next_id_ = 1;
    std::vector<GroupId> zero_;           // reached zero references since the last retire_unused()
    std::deque<Retired> retired_;         // in token order
    std::deque<RetiredObject> replaced_;  // in token order
    std::vector<std::uint8_t> detached_;  // by id: repointed, out of index_ until retired
    std::vector<std::unique_ptr<NextHopGroup>> graveyard_;
    GroupStats stats_;
};

}  // namespace rf::fib
