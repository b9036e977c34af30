// Fib::update_model(): a new VNet model replaces the old one while readers keep looking up. Tables keep
// their ids by name; each table whose content changed is reprogrammed in place, or moved to another
// lookup structure when its own is shared, and its delta log records the changes.
#include <map>
#include <stdexcept>
#include <string>

#include "fib/fib.hpp"

namespace rf::fib {
namespace {

// `fresh` laid out on stable ids: a table keeps its id by name, new names get the next ids, and a
// table no subnet uses any more keeps its id with no routes. nullopt (with `error`) past max_tables.
std::optional<TablePlan> stable_plan(const TablePlan& fresh, const std::vector<FibTable>& tables,
                                     std::uint32_t max_tables, std::string& error) {
    std::map<std::string, TableId> by_name;
    for (std::size_t ti = 0; ti < tables.size(); ++ti) {
        by_name.emplace(tables[ti].spec.name, static_cast<TableId>(ti));
    }
    std::vector<TableId> id_of(fresh.tables.size());
    std::size_t count = tables.size();
    for (std::size_t j = 0; j < fresh.tables.size(); ++j) {
        auto it = by_name.find(fresh.tables[j].name);
        id_of[j] = it != by_name.end() ? it->second : static_cast<TableId>(count++);
    }
    if (count > max_tables) {
        error = "the model needs " + std::to_string(count) + " effective route tables, max_tables is " +
                std::to_string(max_tables);
        return std::nullopt;
    }
    TablePlan stable;
    stable.tables.resize(count);
    for (std::size_t ti = 0; ti < tables.size(); ++ti) {
        // A table no subnet uses any more: no routes, no consumers, same name.
        stable.tables[ti].name = tables[ti].spec.name;
        stable.tables[ti].vnet = tables[ti].spec.vnet;
        stable.tables[ti].route_table = tables[ti].spec.route_table;
    }
    for (std::size_t j = 0; j < fresh.tables.size(); ++j) {
        stable.tables[id_of[j]] = fresh.tables[j];
    }
    for (const auto& [subnet, j] : fresh.by_subnet) {
        stable.by_subnet[subnet] = id_of[j];
    }
    return stable;
}

// The changes from `before` to `after`, by prefix: (prefix, new group), kNoGroup for a prefix gone.
std::vector<std::pair<net::Prefix, GroupId>> changes_between(const std::map<net::Prefix, GroupId>& before,
                                                             const std::map<net::Prefix, GroupId>& after) {
    std::vector<std::pair<net::Prefix, GroupId>> changes;
    auto b = before.begin();
    auto a = after.begin();
    while (b != before.end() || a != after.end()) {
        if (a == after.end() || (b != before.end() && b->first < a->first)) {
            changes.emplace_back(b->first, kNoGroup);
            ++b;
        } else if (b == before.end() || a->first < b->first) {
            changes.emplace_back(a->first, a->second);
            ++a;
        } else {
            if (a->second != b->second) {
                changes.emplace_back(a->first, a->second);
            }
            ++a;
            ++b;
        }
    }
    return changes;
}

}  // namespace

ModelChangeResult Fib::update_model(const VnetModel& model) {
    std::lock_guard lock(control_mu_);
    ModelChangeResult res;
    if (auto errors = validate(model); !errors.empty()) {
        res.error = "invalid VNet model: " + errors.front().to_string();
        return res;
    }
    std::optional<TablePlan> stable = stable_plan(plan_tables(model), tables_, config_.max_tables, res.error);
    if (!stable) {
        return res;
    }
    const std::vector<bool> used = tables_with_vms(model, *stable);
    res.tables_added = stable->tables.size() - tables_.size();
    tables_.resize(stable->tables.size());
    std::vector<GroupId> old_statics;
    try {
        for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
            refresh_table(static_cast<TableId>(ti), stable->tables[ti], used[ti], res, old_statics);
        }
    } catch (const std::exception& e) {
        res.error = e.what();  // DPDK memory: the tables programmed so far keep their new routes
    }
    model_ = model;
    plan_ = std::move(*stable);
    table_count_.store(tables_.size(), std::memory_order_release);
    for (GroupId g : old_statics) {
        groups_->release(g);
    }
    groups_->retire_unused();
    reclaim_locked();
    ++stats_.model_changes;
    res.ok = res.error.empty();
    return res;
}

// Table `ti` takes `spec`: new static groups and key, the changes of its content logged, and its lookup
// structure brought along (reprogram_table). The groups of its old static routes go to `old_statics`,
// released once every table has moved on.
void Fib::refresh_table(TableId ti, const TableSpec& spec, bool used, ModelChangeResult& res,
                        std::vector<GroupId>& old_statics) {
    FibTable& t = tables_[ti];
    std::map<net::Prefix, GroupId> statics = acquire_static_groups(spec, *groups_);
    const std::string key = content_key(spec, statics);
    const bool changed = key != t.key;
    const bool track = changed && (t.lookup != nullptr || t.log);
    std::map<net::Prefix, GroupId> before;
    if (track) {
        before = t.content(bgp_);
    }
    for (const auto& [p, g] : t.static_groups) {
        old_statics.push_back(g);
    }
    t.static_groups = std::move(statics);
    t.spec = spec;
    t.key = key;
    t.wanted = t.pinned || used || !config_.lazy_tables;
    if (changed) {
        ++res.tables_changed;
    }
    std::vector<std::pair<net::Prefix, GroupId>> changes;
    if (track) {
        changes = changes_between(before, t.content(bgp_));
        if (t.log) {
            for (const auto& [p, g] : changes) {
                t.log->append(0, p,
                              g == kNoGroup ? std::nullopt : std::optional<NextHop>(groups_->value_of(g)));
            }
        }
    }
    reprogram_table(ti, changes, changed, res);
}

// Table `ti`'s lookup structure after a model change: dropped when no longer wanted, built when newly
// wanted, else — if its content changed — reprogrammed in place when it is the structure's only user,
// or moved to a structure with the new content.
void Fib::reprogram_table(TableId ti, const std::vector<std::pair<net::Prefix, GroupId>>& changes,
                          bool changed, ModelChangeResult& res) {
    FibTable& t = tables_[ti];
    if (!t.wanted) {
        structures_->detach(ti, t);
        return;
    }
    if (t.lookup == nullptr) {
        structures_->attach(ti, t, bgp_);
        return;
    }
    if (!changed) {
        return;
    }
    SharedLookup* s = t.lookup;
    if (s->users.size() == 1 && !structures_->other_has_key(s, t.key)) {
        // Its own structure: reprogram the changed prefixes in place (as any batch is).
        s->key = t.key;
        for (const auto& [p, g] : changes) {
            s->queue(p, g);
        }
        res.table_ops += s->program().table_ops;
        return;
    }
    // Shared with tables whose routes did not change (or identical to another one now): leave it to
    // them and move to a structure with the new content; readers of this table switch over at once and
    // the old one is freed after a grace period if unused.
    structures_->reattach(ti, t, bgp_);
    ++res.switched;
}

}  // namespace rf::fib
