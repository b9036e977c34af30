// The FIB: one lookup structure per distinct effective route table (see effective_routes.hpp), the
// shared next-hop groups, the Loc-RIB's BGP routes (IPv4 and IPv6), and the writer-side logic that
// turns a batch of RIB deltas — or a new VNet model — into table operations.
//
// Tables and lookup structures: a TableId names one effective route table of the plan (the subnets of
// a VNet with the same route table share it). Readers reach its lookup structure through an atomic
// pointer per TableId; tables whose routes are identical by construction share one structure, and a
// table no VM uses gets none until materialize() (FibConfig::lazy_tables). A structure no table
// publishes any more is freed after an RCU grace period.
//
// Threads: apply(), update_model(), sync() and reclaim() serialise on the control mutex (the
// FibUpdater's thread calls the first three); readers use FibReader (reader.hpp) and never lock.
// Queries (show_effective_route_table, programmed, snapshots) may run on any thread.
//
// Sequence numbers (design §6): snapshot() carries the RIB sequence it reflects; each table also keeps
// a dense delta log of its effective changes (log_snapshot() + follow(), delta_log.hpp) that a
// subscriber outside this process can follow whatever the transport.
//
// Where each job lives: the BGP routes as the FIB keeps them (bgp_routes.hpp), one effective table
// (fib_table.hpp), the shared lookup structures and what readers see of them (shared_lookups.hpp),
// prefix-independent convergence (group_repoint.hpp); Fib's own code is split into the set-up and
// writer entry points (fib.cpp), the phases of apply() (fib_apply.cpp), model updates
// (fib_model_update.cpp) and the queries (fib_queries.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fib/bgp_routes.hpp"
#include "fib/delta/delta.hpp"
#include "fib/delta_log.hpp"
#include "fib/fib_table.hpp"
#include "fib/group_repoint.hpp"
#include "fib/lookup_table.hpp"
#include "fib/nexthop_group.hpp"
#include "fib/shared_lookups.hpp"
#include "fib/vnet/effective_routes.hpp"
#include "fib/vnet/vnet_model.hpp"
#include "net/ip.hpp"

struct rte_rcu_qsbr;

namespace rf::fib {

struct FibConfig {
    LookupConfig lookup;
    // Next-hop group ids 1..max_groups-1. Up to 32,768 the lookup tables store 2-byte entries (half the
    // memory of 4-byte ones); more switches every table to 4 bytes.
    std::uint32_t max_groups = 1U << 15;
    std::uint32_t max_readers = 64;   // reader ids 0..max_readers-1 (rte_rcu_qsbr threads)
    std::uint32_t max_tables = 4096;  // TableIds, including those added by update_model()
    // Lookup structures only for tables some VM uses (or materialize()): a table nobody reads holds no
    // DPDK memory; its routes are still computed for queries, snapshots and the delta log.
    bool lazy_tables = true;
    // Tables whose effective routes are identical by construction (same system, user and BGP inputs)
    // share one lookup structure.
    bool share_identical_tables = true;
    std::size_t log_retention = 1U << 16;  // per-table delta log entries kept (delta_log.hpp)
    bool quarantine_freed_groups = false;  // see GroupTable
    // Prefix-independent convergence: a batch moving every prefix of a group to one other set repoints
    // the group in place first (WholeGroupRepoint, group_repoint.hpp). Off only to measure what it saves.
    bool repoint_groups = true;
};

struct ApplyResult {
    std::size_t received = 0;   // deltas in the batch
    std::size_t coalesced = 0;  // superseded by a later delta for the same prefix in the batch
    std::size_t changed = 0;    // prefixes whose Loc-RIB set changed
    std::size_t table_ops = 0;  // operations programmed, summed over lookup structures
    std::size_t failures = 0;   // refused by the lookup structure (capacity) or no group id left
    std::size_t repointed = 0;  // whole next-hop groups switched in place (WholeGroupRepoint)
    // apply() entry → the repointed groups visible to readers (0 without a repoint): how long the
    // forwarding of every prefix of those groups took to change, against the whole batch's time.
    std::chrono::nanoseconds repoint_visible{0};
    std::uint64_t sequence = 0;  // highest sequence in the batch, now visible
};

struct ModelChangeResult {
    bool ok = false;
    std::string error;               // why the model was refused (nothing changed then)
    std::size_t tables_changed = 0;  // tables whose effective routes changed
    std::size_t tables_added = 0;
    std::size_t table_ops = 0;  // routes reprogrammed in place
    std::size_t switched = 0;   // tables moved to another lookup structure (built anew or shared)
};

struct FibStats {
    std::uint64_t batches = 0;
    std::uint64_t deltas = 0;
    std::uint64_t coalesced = 0;
    std::uint64_t table_ops = 0;
    std::uint64_t failures = 0;
    std::uint64_t grace_waits = 0;  // the writer waited for readers (RteFib: every flip; Dir24: rarely)
    std::uint64_t bgp_routes = 0;   // IPv4 and IPv6
    std::uint64_t bgp_routes_v6 = 0;
    std::uint64_t model_changes = 0;
    std::uint64_t next_hop_down_events = 0;    // next_hops_down() calls
    std::uint64_t next_hop_down_repoints = 0;  // groups it repointed
    std::size_t tables = 0;                    // TableIds
    std::size_t lookup_structures = 0;         // materialized (shared ones counted once)
    GroupStats groups;
    std::size_t lookup_bytes = 0;   // DPDK memory of every lookup structure (estimate)
    std::size_t control_bytes = 0;  // estimate of the writer-side state (BGP maps, groups)
};

// One table's content as (prefix, next hop) rows plus the RIB sequence it reflects.
struct TableSnapshot {
    std::uint64_t sequence = 0;
    std::vector<std::pair<net::Prefix, NextHop>> routes;
};

// A table's content at a delta-log position (see delta_log.hpp): start a TableReplica from it.
struct LogSnapshot {
    std::uint64_t epoch = 0;
    std::uint64_t sequence = 0;  // the table's log sequence
    std::vector<std::pair<net::Prefix, NextHop>> routes;
};

class Fib {
public:
    // `model` must be valid (validate()); EAL must be started (dataplane::start_eal()).
    static std::unique_ptr<Fib> create(const VnetModel& model, const FibConfig& config, std::string* error);
    ~Fib();
    Fib(const Fib&) = delete;
    Fib& operator=(const Fib&) = delete;

    // --- writer (serialised on the control mutex; readers never wait) ---
    // Applies one batch: the last delta per prefix wins, every affected table is programmed (Dir24: each
    // prefix visible to readers as it is programmed; RteFib: each table flipped at once), then the
    // batch's sequence becomes visible and released groups are retired.
    ApplyResult apply(std::span<const fib::RouteDelta> batch);
    // The same unless another writer operation holds the control mutex or a lookup structure is not
    // ready to take a batch without waiting (RteFib's standby instances): nullopt then, nothing done.
    std::optional<ApplyResult> try_apply(std::span<const fib::RouteDelta> batch);
    // BGP PIC edge: the next hops in `down` are gone — the peer that carried every path through them went
    // down, and the RIB's batch withdrawing those paths follows. Every BGP next-hop group holding one of
    // them and at least one other member is repointed in place to its other members (one store per
    // group, however many prefixes use it), so forwarding stops using them before that batch is even
    // computed; the batch then moves each prefix to a group of the same value without changing how it
    // forwards. Groups with no other member are left to the batch: only the RIB knows what their prefixes
    // fall back to. Returns the groups repointed.
    std::size_t next_hops_down(std::span<const net::IpAddress> down);
    // The same unless another writer operation holds the control mutex (nullopt then, nothing done): for
    // a caller that would rather hand the hint to the writer thread than wait.
    std::optional<std::size_t> try_next_hops_down(std::span<const net::IpAddress> down);
    // Frees groups and lookup structures whose grace period has ended (apply() does it too).
    void reclaim();
    // Idle work of every lookup structure (LookupTable::catch_up: Dir24 frees what ended grace periods
    // allow; RteFib brings the standby instances up to date) so the next batch starts without waiting;
    // the updater calls it while idle. False when an RteFib grace period is still running (wait = false).
    bool sync(bool wait);
    // Replaces the VNet model at run time (peerings, UDRs, route-table associations, subnets, VMs):
    // recomputes the effective tables, reprograms the ones whose routes changed — in place when their
    // lookup structure is not shared, else by building one beside it and switching readers over — and
    // appends the changes to the delta logs. Readers keep looking up throughout. TableIds of existing
    // tables (by name, "<vnet>" or "<vnet>/<route table>") stay; new tables get new ids; a table that
    // no subnet uses any more keeps its id with no routes. Refused (ok = false) when invalid.
    ModelChangeResult update_model(const VnetModel& model);
    // Gives table `t` a lookup structure now (lazy_tables): for readers the model's VMs do not show.
    bool materialize(TableId t);

    // --- readers (see FibReader) ---
    [[nodiscard]] rte_rcu_qsbr* qsbr() const { return qsbr_; }
    [[nodiscard]] std::uint32_t max_readers() const { return config_.max_readers; }
    [[nodiscard]] std::size_t table_count() const { return table_count_.load(std::memory_order_acquire); }
    // The lookup structure readers use for table `t`; nullptr when it has none (lazy_tables).
    [[nodiscard]] const LookupTable* lookup(TableId t) const { return structures_->published(t); }
    // Group ids of IPv4 destinations (host order) in table `t`; kNoGroup for a table without a lookup
    // structure.
    void lookup_bulk(TableId t, const std::uint32_t* dst, std::uint64_t* group_ids, unsigned n) const;
    // The same for IPv6 destinations (16 bytes each, network byte order).
    void lookup_bulk6(TableId t, const std::uint8_t (*dst)[16], std::uint64_t* group_ids, unsigned n) const;
    [[nodiscard]] const GroupTable& groups() const { return *groups_; }
    [[nodiscard]] std::uint64_t visible_sequence() const {
        return visible_sequence_.load(std::memory_order_acquire);
    }

    // --- model and queries (any thread; they take the control mutex) ---
    // The model and plan as of the last update_model(): stable references only while no model change
    // runs concurrently (start-up code); other callers use the locked queries below.
    [[nodiscard]] const VnetModel& model() const { return model_; }
    [[nodiscard]] const TablePlan& plan() const { return plan_; }
    [[nodiscard]] std::optional<TableId> table_for_vm(std::string_view vm) const;
    [[nodiscard]] std::optional<TableId> table_for_subnet(std::string_view vnet,
                                                          std::string_view subnet) const;
    // `az network nic show-effective-route-table` for a VM; nullopt for an unknown VM.
    [[nodiscard]] std::optional<std::vector<EffectiveRoute>> show_effective_route_table(
        std::string_view vm) const;
    // What the control side has programmed for exactly `prefix` in table `t`.
    [[nodiscard]] std::optional<NextHop> programmed(TableId t, const net::Prefix& prefix) const;
    // Every route programmed in table `t`, with the RIB sequence it reflects.
    [[nodiscard]] TableSnapshot snapshot(TableId t) const;
    // Delta log (design §6): a snapshot at a log position (starts the table's log on first use), and
    // the changes after a position. Transport-neutral: see delta_log.hpp.
    [[nodiscard]] LogSnapshot log_snapshot(TableId t);
    [[nodiscard]] FollowResult follow(TableId t, std::uint64_t epoch, std::uint64_t from_sequence,
                                      std::size_t max_deltas = SIZE_MAX) const;
    [[nodiscard]] FibStats stats() const;

private:
    Fib(const VnetModel& model, const FibConfig& config);
    bool init(std::string* error);

    // apply() in phases (fib/fib_apply.cpp), each a pass over the batch or its moves.
    ApplyResult apply_locked(std::span<const RouteDelta> batch);
    // Orders the batch by prefix and keeps the last delta per prefix (r.coalesced, r.sequence).
    void order_batch(std::span<const RouteDelta> batch, ApplyResult& r);
    // One move per remaining delta: the group it leaves and the group (acquired) it goes to.
    void acquire_groups(std::span<const RouteDelta> batch, ApplyResult& r);
    // Applies the moves to the BGP routes and queues each change into every table that shows it.
    void move_routes(std::span<const RouteDelta> batch, ApplyResult& r);
    void propagate(const net::Prefix& p, GroupId before, GroupId after, std::uint64_t sequence);
    // Drops the references the BGP routes held on the groups they left, once no table points at them.
    void retire_released();

    // update_model() per table (fib/fib_model_update.cpp).
    void refresh_table(TableId ti, const TableSpec& spec, bool used, ModelChangeResult& res,
                       std::vector<GroupId>& old_statics);
    void reprogram_table(TableId ti, const std::vector<std::pair<net::Prefix, GroupId>>& changes,
                         bool changed, ModelChangeResult& res);

    std::size_t next_hops_down_locked(std::span<const net::IpAddress> down);
    bool caught_up_locked(bool wait);  // sync() under the lock
    void reclaim_locked();

    VnetModel model_;
    FibConfig config_;
    TablePlan plan_;
    rte_rcu_qsbr* qsbr_ = nullptr;
    std::unique_ptr<GroupTable> groups_;
    std::vector<FibTable> tables_;  // by TableId
    std::unique_ptr<SharedLookups> structures_;
    std::atomic<std::size_t> table_count_{0};
    std::uint64_t epoch_ = 0;
    BgpRoutes bgp_;
    // Scratch space of apply(), kept to avoid allocating per batch: the batch in prefix order (IPv4
    // packed, then IPv6) with each prefix's index in the batch, one move per entry of order4 then
    // order6, and the groups the BGP routes left.
    std::vector<std::pair<net::PackedV4Prefix, std::uint32_t>> order4_;
    std::vector<std::pair<net::Prefix, std::uint32_t>> order6_;
    std::vector<GroupMove> moves_;
    std::vector<GroupId> released_;
    WholeGroupRepoint repoint_;
    alignas(64) std::atomic<std::uint64_t> visible_sequence_{0};
    mutable std::mutex control_mu_;
    FibStats stats_;
};

}  // namespace rf::fib
