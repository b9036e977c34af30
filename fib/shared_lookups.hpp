// The FIB's lookup structures and what readers see of them. A table no VM uses gets none (lazy
// tables); tables whose routes are identical by construction (same content key, fib_table.hpp) share
// one. Readers reach a table's structure through one atomic pointer per TableId; a structure no table
// publishes any more is freed after an RCU grace period, once every reader has left it.
//
// Writer side under the FIB's control mutex; published() is the readers' lock-free side.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fib/bgp_routes.hpp"
#include "fib/fib_table.hpp"
#include "fib/lookup_table.hpp"
#include "fib/nexthop_group.hpp"
#include "fib/vnet/effective_routes.hpp"
#include "net/ip.hpp"

struct rte_rcu_qsbr;

namespace rf::fib {

// What programming the queued operations of one or more structures did.
struct ProgramCount {
    std::size_t table_ops = 0;  // operations programmed
    std::size_t failures = 0;   // refused by a lookup structure (capacity)
};

// One lookup structure, shared by the tables with its content key, and the route operations the
// current batch (or model change) has queued for it.
struct SharedLookup {
    std::string key;
    std::unique_ptr<LookupTable> lookup;
    std::vector<TableId> users;        // users.front() queues the operations for all of them
    std::vector<LookupTable::Op> ops;  // queued IPv4 operations
    std::vector<LookupTable::Op6> ops6;
    std::optional<GroupId> default4, default6;  // queued /0 and ::/0 changes

    // Queues `p` → `g` (kNoGroup withdraws `p`).
    void queue(const net::Prefix& p, GroupId g) {
        if (p.length == 0) {
            (p.is_v4() ? default4 : default6) = g;
        } else if (p.is_v4()) {
            ops.push_back(LookupTable::Op{net::PackedV4Prefix::of(p).address(), p.length, g});
        } else {
            ops6.push_back(LookupTable::Op6{p.bytes, p.length, g});
        }
    }
    // Programs and clears what is queued.
    ProgramCount program();
};

class SharedLookups {
public:
    SharedLookups(const LookupConfig& lookup, rte_rcu_qsbr* qsbr, std::uint32_t max_tables,
                  bool share_identical);
    ~SharedLookups();
    SharedLookups(const SharedLookups&) = delete;
    SharedLookups& operator=(const SharedLookups&) = delete;

    // --- readers ---
    // The structure readers use for table `t`; nullptr when it has none.
    [[nodiscard]] const LookupTable* published(TableId t) const {
        return t < max_tables_ ? published_[t].load(std::memory_order_acquire) : nullptr;
    }

    // --- writer ---
    // Gives table `ti` a structure, if it has none: a structure of the same key when sharing, else one
    // bulk-built from the table's content before any reader can see it; then publishes it for `ti`.
    // Throws std::runtime_error when the memory cannot be had (the table stays without one).
    void attach(TableId ti, FibTable& t, const BgpRoutes& bgp);
    // Unpublishes ti's structure; retires the structure when no table uses it any more.
    void detach(TableId ti, FibTable& t);
    // Moves `ti` from its structure to one with its new content (shared or new) in one store, so
    // readers never see none; the old structure stays with its other users or is retired.
    void reattach(TableId ti, FibTable& t, const BgpRoutes& bgp);
    // Whether a structure other than `s` holds content `key` (a changed table would join it).
    [[nodiscard]] bool other_has_key(const SharedLookup* s, std::string_view key) const;
    // Programs what every structure has queued.
    ProgramCount program_all();
    // LookupTable::catch_up of every structure; false when one is not caught up.
    bool catch_up(bool wait);
    // Frees retired structures whose grace period has ended.
    void reclaim();
    // Frees every structure now (the owner guarantees no reader is left).
    void clear();

    [[nodiscard]] std::size_t count() const;          // materialized structures
    [[nodiscard]] std::size_t memory_bytes() const;   // of the materialized structures
    [[nodiscard]] std::uint64_t grace_waits() const;  // of every structure, retired ones included

private:
    SharedLookup* find(std::string_view key) const;
    SharedLookup* build(const std::string& key, const std::map<net::Prefix, GroupId>& content);
    void publish(TableId ti, FibTable& t, SharedLookup* s);
    void leave(SharedLookup* s, TableId ti);

    struct Retired {
        std::uint64_t token;
        std::unique_ptr<SharedLookup> structure;
    };

    LookupConfig config_;
    rte_rcu_qsbr* qsbr_;
    std::uint32_t max_tables_;
    bool share_identical_;
    std::vector<std::unique_ptr<SharedLookup>> structures_;  // nullptr: a free place
    std::deque<Retired> retired_;
    std::uint64_t retired_grace_waits_ = 0;
    std::unique_ptr<std::atomic<const LookupTable*>[]> published_;  // by TableId
};

}  // namespace rf::fib
