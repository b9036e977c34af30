// The FIB's set-up and its writer entry points. The phases of apply() are in fib_apply.cpp, model
// updates in fib_model_update.cpp, the queries in fib_queries.cpp.
#include "fib/fib.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "fib/dpdk.hpp"

namespace rf::fib {
namespace {

std::atomic<std::uint64_t> g_epoch_counter{0};

}  // namespace

Fib::Fib(const VnetModel& model, const FibConfig& config) : model_(model), config_(config) {}

std::unique_ptr<Fib> Fib::create(const VnetModel& model, const FibConfig& config, std::string* error) {
    std::unique_ptr<Fib> f(new Fib(model, config));
    if (!f->init(error)) {
        return nullptr;
    }
    return f;
}

bool Fib::init(std::string* error) {
    auto fail = [error](std::string why) {
        if (error != nullptr) {
            *error = std::move(why);
        }
        return false;
    };
    if (auto errors = validate(model_); !errors.empty()) {
        return fail("invalid VNet model: " + errors.front().to_string());
    }
    config_.max_groups = std::max<std::uint32_t>(config_.max_groups, 2);
    config_.lookup.max_group_id = config_.max_groups - 1;
    config_.max_tables = std::max<std::uint32_t>(config_.max_tables, 1);
    const std::size_t size = rte_rcu_qsbr_get_memsize(config_.max_readers);
    const std::size_t rounded = (size + RTE_CACHE_LINE_SIZE - 1) / RTE_CACHE_LINE_SIZE * RTE_CACHE_LINE_SIZE;
    qsbr_ = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(RTE_CACHE_LINE_SIZE, rounded));
    if (qsbr_ == nullptr || rte_rcu_qsbr_init(qsbr_, config_.max_readers) != 0) {
        return fail("rte_rcu_qsbr_init failed");
    }
    // An epoch that differs between processes and Fib instances: a subscriber of an earlier one is
    // told to take a snapshot instead of continuing from a sequence that means something else here.
    epoch_ = (static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) << 8) ^
             g_epoch_counter.fetch_add(1);
    groups_ = std::make_unique<GroupTable>(qsbr_, config_.max_groups, config_.quarantine_freed_groups);
    structures_ = std::make_unique<SharedLookups>(config_.lookup, qsbr_, config_.max_tables,
                                                  config_.share_identical_tables);
    // The BGP routes grow with the routes (apply() reserves before a large batch) instead of being sized
    // for max_routes up front: a table of a few thousand routes then stays in a few pages and cache
    // lines, which is what a peer-down finds after seconds idle (every slot a DRAM miss otherwise).
    plan_ = plan_tables(model_);
    if (plan_.tables.size() > config_.max_tables) {
        return fail("the model has " + std::to_string(plan_.tables.size()) +
                    " effective route tables, max_tables is " + std::to_string(config_.max_tables));
    }
    const std::vector<bool> used = tables_with_vms(model_, plan_);
    tables_.resize(plan_.tables.size());
    for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
        FibTable& t = tables_[ti];
        t.spec = plan_.tables[ti];
        t.static_groups = acquire_static_groups(t.spec, *groups_);
        t.key = content_key(t.spec, t.static_groups);
        t.wanted = used[ti] || !config_.lazy_tables;
    }
    table_count_.store(tables_.size(), std::memory_order_release);
    try {
        for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
            if (tables_[ti].wanted) {
                structures_->attach(static_cast<TableId>(ti), tables_[ti], bgp_);
            }
        }
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    return true;
}

Fib::~Fib() {
    tables_.clear();
    if (structures_) {
        structures_->clear();
    }
    groups_.reset();
    std::free(qsbr_);
}

bool Fib::materialize(TableId ti) {
    std::lock_guard lock(control_mu_);
    if (ti >= tables_.size()) {
        return false;
    }
    tables_[ti].pinned = true;
    tables_[ti].wanted = true;
    try {
        structures_->attach(ti, tables_[ti], bgp_);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void Fib::lookup_bulk(TableId t, const std::uint32_t* dst, std::uint64_t* group_ids, unsigned n) const {
    if (const LookupTable* lt = lookup(t); lt != nullptr) {
        lt->lookup_bulk(dst, group_ids, n);
        return;
    }
    std::fill(group_ids, group_ids + n, std::uint64_t{kNoGroup});
}

void Fib::lookup_bulk6(TableId t, const std::uint8_t (*dst)[16], std::uint64_t* group_ids, unsigned n) const {
    if (const LookupTable* lt = lookup(t); lt != nullptr) {
        lt->lookup_bulk6(dst, group_ids, n);
        return;
    }
    std::fill(group_ids, group_ids + n, std::uint64_t{kNoGroup});
}

ApplyResult Fib::apply(std::span<const fib::RouteDelta> batch) {
    std::lock_guard lock(control_mu_);
    return apply_locked(batch);
}

std::optional<ApplyResult> Fib::try_apply(std::span<const fib::RouteDelta> batch) {
    std::unique_lock lock(control_mu_, std::try_to_lock);
    if (!lock.owns_lock()) {
        return std::nullopt;
    }
    if (!caught_up_locked(false)) {
        return std::nullopt;  // RteFib: readers are still leaving a standby instance
    }
    return apply_locked(batch);
}

std::size_t Fib::next_hops_down(std::span<const net::IpAddress> down) {
    std::lock_guard lock(control_mu_);
    return next_hops_down_locked(down);
}

std::optional<std::size_t> Fib::try_next_hops_down(std::span<const net::IpAddress> down) {
    std::unique_lock lock(control_mu_, std::try_to_lock);
    if (!lock.owns_lock()) {
        return std::nullopt;
    }
    return next_hops_down_locked(down);
}

std::size_t Fib::next_hops_down_locked(std::span<const net::IpAddress> down) {
    ++stats_.next_hop_down_events;
    const std::size_t repointed = repoint_around_down_next_hops(down, *groups_);
    stats_.next_hop_down_repoints += repointed;
    return repointed;
}

void Fib::reclaim_locked() {
    groups_->reclaim();
    structures_->reclaim();
}

void Fib::reclaim() {
    std::lock_guard lock(control_mu_);
    reclaim_locked();
}

bool Fib::sync(bool wait) {
    std::lock_guard lock(control_mu_);
    return caught_up_locked(wait);
}

bool Fib::caught_up_locked(bool wait) {
    return structures_->catch_up(wait);
}

}  // namespace rf::fib
