// The FIB's queries: tables by VM or subnet, `show-effective-route-table`, what is programmed, table
// snapshots, the delta log and the counters. Any thread; each takes the control mutex, which the writer
// waits for, so each holds it only to copy what it needs.
#include "fib/fib.hpp"

namespace rf::fib {

std::optional<TableId> Fib::table_for_vm(std::string_view vm) const {
    std::lock_guard lock(control_mu_);
    return plan_.table_for_vm(model_, vm);
}

std::optional<TableId> Fib::table_for_subnet(std::string_view vnet, std::string_view subnet) const {
    std::lock_guard lock(control_mu_);
    return plan_.table_for_subnet(vnet, subnet);
}

std::optional<std::vector<EffectiveRoute>> Fib::show_effective_route_table(std::string_view vm) const {
    // Under the lock only the table's spec and the BGP routes as (prefix, group) pairs plus the few
    // distinct group values; the az-style table is built after releasing it.
    TableSpec spec;
    BgpRoutes::Copy bgp;
    {
        std::lock_guard lock(control_mu_);
        const auto t = plan_.table_for_vm(model_, vm);
        if (!t) {
            return std::nullopt;
        }
        spec = tables_[*t].spec;
        bgp = bgp_.copy(*groups_);
    }
    return effective_routes(spec, bgp.by_prefix());
}

std::optional<NextHop> Fib::programmed(TableId t, const net::Prefix& prefix) const {
    std::lock_guard lock(control_mu_);
    if (t >= tables_.size()) {
        return std::nullopt;
    }
    const GroupId g = tables_[t].target(prefix, bgp_.group_of(prefix));
    if (g == kNoGroup) {
        return std::nullopt;
    }
    return groups_->value_of(g);
}

TableSnapshot Fib::snapshot(TableId t) const {
    std::lock_guard lock(control_mu_);
    TableSnapshot s;
    s.sequence = visible_sequence_.load(std::memory_order_relaxed);
    if (t >= tables_.size()) {
        return s;
    }
    for (const auto& [p, g] : tables_[t].content(bgp_)) {
        s.routes.emplace_back(p, groups_->value_of(g));
    }
    return s;
}

LogSnapshot Fib::log_snapshot(TableId t) {
    std::lock_guard lock(control_mu_);
    LogSnapshot s;
    s.epoch = epoch_;
    if (t >= tables_.size()) {
        return s;
    }
    FibTable& table = tables_[t];
    if (!table.log) {
        table.log = std::make_unique<DeltaLog>(epoch_, config_.log_retention);
    }
    s.sequence = table.log->last_sequence();
    for (const auto& [p, g] : table.content(bgp_)) {
        s.routes.emplace_back(p, groups_->value_of(g));
    }
    return s;
}

FollowResult Fib::follow(TableId t, std::uint64_t epoch, std::uint64_t from_sequence,
                         std::size_t max_deltas) const {
    std::lock_guard lock(control_mu_);
    if (t >= tables_.size() || !tables_[t].log) {
        FollowResult r;
        r.epoch = epoch_;
        r.status = FollowStatus::SnapshotRequired;  // nobody started this table's log yet
        return r;
    }
    return tables_[t].log->since(epoch, from_sequence, max_deltas);
}

FibStats Fib::stats() const {
    std::lock_guard lock(control_mu_);
    FibStats s = stats_;
    s.bgp_routes = bgp_.size();
    s.bgp_routes_v6 = bgp_.size_v6();
    s.groups = groups_->stats();
    s.tables = tables_.size();
    s.lookup_structures = structures_->count();
    s.lookup_bytes = structures_->memory_bytes();
    s.grace_waits = structures_->grace_waits();
    s.control_bytes = bgp_.memory_bytes() + groups_->memory_bytes();
    return s;
}

}  // namespace rf::fib
