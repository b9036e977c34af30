// The FIB: one lookup structure per distinct effective route table (see effective_routes.hpp), the
// shared next-hop groups, the Loc-RIB's BGP routes, and the writer-side logic that turns a batch of RIB
// deltas into table operations.
//
// Threads: apply() and reclaim() run on one writer thread at a time (the FibUpdater's, or a test's);
// readers use FibReader (reader.hpp) and never lock. Queries (show_effective_route_table, programmed)
// may run on any thread: they take the control mutex that apply() holds per batch — never a reader.
//
// Sequence numbers (design §6): every table carries the sequence of the last RIB delta applied; a
// snapshot (snapshot()) plus the deltas after its sequence reproduce the table, whatever the transport.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "control/net/ip.hpp"
#include "control/rib/delta.hpp"
#include "fib/effective_routes.hpp"
#include "fib/lookup_table.hpp"
#include "fib/nexthop_group.hpp"
#include "fib/vnet_model.hpp"

struct rte_rcu_qsbr;

namespace rf::fib {

struct FibConfig {
    LookupConfig lookup;
    std::uint32_t max_groups = 1U << 16;  // next-hop group ids
    std::uint32_t max_readers = 64;       // reader ids 0..max_readers-1 (rte_rcu_qsbr threads)
    bool quarantine_freed_groups = false;  // see GroupTable
};

struct ApplyResult {
    std::size_t received = 0;   // deltas in the batch
    std::size_t coalesced = 0;  // superseded by a later delta for the same prefix in the batch
    std::size_t ignored = 0;    // not IPv4 (the IPv6 FIB is not built yet)
    std::size_t changed = 0;    // prefixes whose Loc-RIB set changed
    std::size_t table_ops = 0;  // operations programmed, summed over tables
    std::size_t failures = 0;   // refused by rte_fib (capacity) or no group id left
    std::uint64_t sequence = 0;  // highest sequence in the batch, now visible
};

struct FibStats {
    std::uint64_t batches = 0;
    std::uint64_t deltas = 0;
    std::uint64_t coalesced = 0;
    std::uint64_t ignored = 0;
    std::uint64_t table_ops = 0;
    std::uint64_t failures = 0;
    std::uint64_t grace_waits = 0;  // a batch waited for readers to leave a standby instance
    std::uint64_t bgp_routes = 0;
    GroupStats groups;
    std::size_t lookup_bytes = 0;  // DPDK memory of every lookup structure
    std::size_t control_bytes = 0;  // estimate of the writer-side state (BGP map, groups)
};

// One table's content as (prefix, next hop) rows plus the sequence it reflects.
struct TableSnapshot {
    std::uint64_t sequence = 0;
    std::vector<std::pair<net::Prefix, NextHop>> routes;
};

class Fib {
public:
    // `model` must be valid (validate()); EAL must be initialised (init_eal()).
    static std::unique_ptr<Fib> create(const VnetModel& model, const FibConfig& config, std::string* error);
    ~Fib();
    Fib(const Fib&) = delete;
    Fib& operator=(const Fib&) = delete;

    // --- writer ---
    // Applies one batch: the last delta per prefix wins, every affected table is programmed and
    // flipped, then the batch's sequence becomes visible and released groups are retired.
    ApplyResult apply(std::span<const rib::RouteDelta> batch);
    // Frees groups whose grace period has ended (apply() does it too).
    void reclaim();
    // Brings every table's standby instance up to date (see LookupTable::catch_up) so the next batch
    // starts without waiting; the updater calls it while idle. False when a grace period is still
    // running (wait = false).
    bool sync(bool wait);

    // --- readers (see FibReader) ---
    [[nodiscard]] rte_rcu_qsbr* qsbr() const { return qsbr_; }
    [[nodiscard]] std::uint32_t max_readers() const { return config_.max_readers; }
    [[nodiscard]] std::size_t table_count() const { return tables_.size(); }
    [[nodiscard]] const LookupTable& lookup(TableId t) const { return *tables_[t].lookup; }
    [[nodiscard]] const GroupTable& groups() const { return *groups_; }
    [[nodiscard]] std::uint64_t visible_sequence() const { return visible_sequence_.load(std::memory_order_acquire); }

    // --- model and queries (any thread) ---
    [[nodiscard]] const VnetModel& model() const { return model_; }
    [[nodiscard]] const TablePlan& plan() const { return plan_; }
    [[nodiscard]] std::optional<TableId> table_for_vm(std::string_view vm) const { return plan_.table_for_vm(model_, vm); }
    // `az network nic show-effective-route-table` for a VM; nullopt for an unknown VM.
    [[nodiscard]] std::optional<std::vector<EffectiveRoute>> show_effective_route_table(std::string_view vm) const;
    // What the control side has programmed for exactly `prefix` in table `t`.
    [[nodiscard]] std::optional<NextHop> programmed(TableId t, const net::Prefix& prefix) const;
    // Every route programmed in table `t`, with the sequence it reflects.
    [[nodiscard]] TableSnapshot snapshot(TableId t) const;
    [[nodiscard]] FibStats stats() const;

private:
    struct Table {
        TableSpec spec;
        std::unique_ptr<LookupTable> lookup;
        std::map<net::Prefix, GroupId> static_groups;  // winner per static prefix (refs held)
        std::vector<LookupTable::Op> ops;                // scratch, per batch
        GroupId default_bgp = kNoGroup;                  // what /0 resolves to when BGP has it
    };

    Fib(const VnetModel& model, const FibConfig& config);
    bool init(std::string* error);
    [[nodiscard]] GroupId target(const Table& t, const net::Prefix& p, GroupId bgp) const;
    [[nodiscard]] std::map<net::Prefix, std::vector<net::IpAddress>> bgp_view() const;

    VnetModel model_;
    FibConfig config_;
    TablePlan plan_;
    rte_rcu_qsbr* qsbr_ = nullptr;
    std::unique_ptr<GroupTable> groups_;
    std::vector<Table> tables_;
    // IPv4 prefix packed as (address << 8 | length): cheaper to hash and compare than net::Prefix.
    struct V4KeyHash {
        std::size_t operator()(std::uint64_t k) const noexcept {
            return static_cast<std::size_t>((k * 0x9E3779B97F4A7C15ULL) >> 20);
        }
    };
    static std::uint64_t v4_key(const net::Prefix& p) {
        return (static_cast<std::uint64_t>(p.v4_address().value) << 8) | p.length;
    }
    static net::Prefix v4_prefix(std::uint64_t k) {
        return net::Prefix::v4(net::Ipv4Address{static_cast<std::uint32_t>(k >> 8)}, static_cast<std::uint8_t>(k & 0xFF));
    }
    [[nodiscard]] GroupId bgp_group(const net::Prefix& p) const {
        if (!p.is_v4()) {
            return kNoGroup;
        }
        auto it = bgp_.find(v4_key(p));
        return it == bgp_.end() ? kNoGroup : it->second;
    }
    std::unordered_map<std::uint64_t, GroupId, V4KeyHash> bgp_;  // Loc-RIB (IPv4): prefix → VNG group
    // Scratch space of apply(), kept to avoid allocating per batch.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> order_;  // (v4 key, index in batch)
    std::vector<GroupId> released_;
    std::vector<std::pair<std::size_t, GroupId>> defaults_;
    alignas(64) std::atomic<std::uint64_t> visible_sequence_{0};
    mutable std::mutex control_mu_;
    FibStats stats_;
};

}  // namespace rf::fib
