#include "fib/fib.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "fib/dpdk.hpp"

namespace rf::fib {

Fib::Fib(const VnetModel& model, const FibConfig& config) : model_(model), config_(config) {}

std::unique_ptr<Fib> Fib::create(const VnetModel& model, const FibConfig& config, std::string* error) {
    std::unique_ptr<Fib> f(new Fib(model, config));
    if (!f->init(error)) {
        return nullptr;
    }
    return f;
}

bool Fib::init(std::string* error) {
    if (auto errors = validate(model_); !errors.empty()) {
        if (error != nullptr) {
            *error = "invalid VNet model: " + errors.front().to_string();
        }
        return false;
    }
    const std::size_t size = rte_rcu_qsbr_get_memsize(config_.max_readers);
    const std::size_t rounded = (size + RTE_CACHE_LINE_SIZE - 1) / RTE_CACHE_LINE_SIZE * RTE_CACHE_LINE_SIZE;
    qsbr_ = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(RTE_CACHE_LINE_SIZE, rounded));
    if (qsbr_ == nullptr || rte_rcu_qsbr_init(qsbr_, config_.max_readers) != 0) {
        if (error != nullptr) {
            *error = "rte_rcu_qsbr_init failed";
        }
        return false;
    }
    groups_ = std::make_unique<GroupTable>(qsbr_, config_.max_groups, config_.quarantine_freed_groups);
    bgp_.reserve(config_.lookup.max_routes);
    plan_ = plan_tables(model_);
    tables_.reserve(plan_.tables.size());
    try {
        for (const TableSpec& spec : plan_.tables) {
            Table t;
            t.spec = spec;
            t.lookup = std::make_unique<LookupTable>(config_.lookup, qsbr_);
            for (const auto& [prefix, index] : spec.winners) {
                if (!prefix.is_v4()) {
                    continue;
                }
                const GroupId g = groups_->acquire(spec.statics[index].next_hop);
                t.static_groups[prefix] = g;
                if (prefix.length == 0) {
                    t.lookup->set_default_group(g);
                } else {
                    t.ops.push_back(LookupTable::Op{prefix.v4_address().value, prefix.length, g});
                }
            }
            t.lookup->apply(t.ops);
            t.ops.clear();
            tables_.push_back(std::move(t));
        }
    } catch (const std::exception& e) {
        if (error != nullptr) {
            *error = e.what();
        }
        return false;
    }
    return true;
}

Fib::~Fib() {
    tables_.clear();
    groups_.reset();
    std::free(qsbr_);
}

GroupId Fib::target(const Table& t, const net::Prefix& p, GroupId bgp) const {
    auto st = t.static_groups.find(p);
    const StaticRoute* sw = st == t.static_groups.end() ? nullptr : t.spec.static_winner(p);
    if (sw != nullptr && sw->source == RouteSource::User) {
        return st->second;  // user-defined routes beat BGP for the same prefix
    }
    if (t.spec.bgp && bgp != kNoGroup && t.spec.protecting_space(p) == nullptr) {
        return bgp;
    }
    return st == t.static_groups.end() ? kNoGroup : st->second;
}

ApplyResult Fib::apply(std::span<const rib::RouteDelta> batch) {
    std::lock_guard lock(control_mu_);
    ApplyResult r;
    r.received = batch.size();
    // Coalesce: only the last delta per prefix matters, since each carries the complete new set. Sorting
    // (packed prefix, batch index) keeps batch order within a prefix, so the last of each run wins (no
    // hash map: its clear() would cost O(buckets) on every small batch after a large one).
    order_.clear();
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const rib::RouteDelta& d = batch[i];
        r.sequence = std::max(r.sequence, d.sequence);
        if (d.prefix.is_v4()) {
            order_.emplace_back(v4_key(d.prefix), static_cast<std::uint32_t>(i));
        } else {
            ++r.ignored;
        }
    }
    if (order_.size() > 1) {
        // (key, index) pairs are unique, so a plain sort keeps batch order within a prefix.
        std::sort(order_.begin(), order_.end());
        std::size_t out = 0;
        for (std::size_t i = 0; i < order_.size(); ++i) {
            if (i + 1 < order_.size() && order_[i + 1].first == order_[i].first) {
                ++r.coalesced;
                continue;
            }
            order_[out++] = order_[i];
        }
        order_.resize(out);
    }
    released_.clear();
    defaults_.clear();  // (table, group) for /0, set after the flip
    for (const auto& [key, index] : order_) {
        const rib::RouteDelta& d = batch[index];
        const net::Prefix& p = d.prefix;
        auto it = bgp_.find(key);
        const GroupId old_g = it == bgp_.end() ? kNoGroup : it->second;
        GroupId new_g = kNoGroup;
        if (!d.next_hops.empty()) {
            new_g = groups_->acquire(NextHopType::VirtualNetworkGateway, d.next_hops);
            if (new_g == kNoGroup) {
                ++r.failures;  // no group id left: keep the previous state of this prefix
                continue;
            }
        }
        if (new_g == old_g) {
            groups_->release(new_g);  // the map already holds a reference
            continue;
        }
        ++r.changed;
        if (new_g == kNoGroup) {
            bgp_.erase(it);
        } else if (it == bgp_.end()) {
            bgp_.emplace(key, new_g);
        } else {
            it->second = new_g;
        }
        for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
            Table& t = tables_[ti];
            if (!t.spec.bgp) {
                continue;
            }
            const GroupId before = target(t, p, old_g);
            const GroupId after = target(t, p, new_g);
            if (before == after) {
                continue;
            }
            if (p.length == 0) {
                defaults_.emplace_back(ti, after);
            } else {
                t.ops.push_back(LookupTable::Op{p.v4_address().value, p.length, after});
            }
        }
        if (old_g != kNoGroup) {
            released_.push_back(old_g);  // after the tables stop pointing at it
        }
    }
    for (Table& t : tables_) {
        if (!t.ops.empty()) {
            r.table_ops += t.ops.size();
            r.failures += t.lookup->apply(t.ops);
            t.ops.clear();
        }
    }
    for (const auto& [ti, g] : defaults_) {
        tables_[ti].lookup->set_default_group(g);
        ++r.table_ops;
    }
    if (r.sequence > visible_sequence_.load(std::memory_order_relaxed)) {
        visible_sequence_.store(r.sequence, std::memory_order_release);
    }
    for (GroupId g : released_) {
        groups_->release(g);
    }
    groups_->retire_unused();
    groups_->reclaim();
    ++stats_.batches;
    stats_.deltas += r.received;
    stats_.coalesced += r.coalesced;
    stats_.ignored += r.ignored;
    stats_.table_ops += r.table_ops;
    stats_.failures += r.failures;
    return r;
}

void Fib::reclaim() {
    std::lock_guard lock(control_mu_);
    groups_->reclaim();
}

bool Fib::sync(bool wait) {
    std::lock_guard lock(control_mu_);
    bool done = true;
    for (Table& t : tables_) {
        done = t.lookup->catch_up(wait) && done;
    }
    return done;
}

std::map<net::Prefix, std::vector<net::IpAddress>> Fib::bgp_view() const {
    std::map<net::Prefix, std::vector<net::IpAddress>> view;
    for (const auto& [k, g] : bgp_) {
        view.emplace(v4_prefix(k), groups_->value_of(g).addresses);
    }
    return view;
}

std::optional<std::vector<EffectiveRoute>> Fib::show_effective_route_table(std::string_view vm) const {
    const auto t = table_for_vm(vm);
    if (!t) {
        return std::nullopt;
    }
    std::lock_guard lock(control_mu_);
    return effective_routes(tables_[*t].spec, bgp_view());
}

std::optional<NextHop> Fib::programmed(TableId t, const net::Prefix& prefix) const {
    std::lock_guard lock(control_mu_);
    const GroupId g = target(tables_[t], prefix, bgp_group(prefix));
    if (g == kNoGroup) {
        return std::nullopt;
    }
    return groups_->value_of(g);
}

TableSnapshot Fib::snapshot(TableId t) const {
    std::lock_guard lock(control_mu_);
    TableSnapshot s;
    s.sequence = visible_sequence_.load(std::memory_order_relaxed);
    const Table& tb = tables_[t];
    std::map<net::Prefix, GroupId> rows;
    for (const auto& [p, g] : tb.static_groups) {
        rows[p] = target(tb, p, bgp_group(p));
    }
    for (const auto& [k, g] : bgp_) {
        const net::Prefix p = v4_prefix(k);
        rows[p] = target(tb, p, g);
    }
    for (const auto& [p, g] : rows) {
        if (g != kNoGroup) {
            s.routes.emplace_back(p, groups_->value_of(g));
        }
    }
    return s;
}

FibStats Fib::stats() const {
    std::lock_guard lock(control_mu_);
    FibStats s = stats_;
    s.bgp_routes = bgp_.size();
    s.groups = groups_->stats();
    for (const Table& t : tables_) {
        s.lookup_bytes += t.lookup->memory_bytes();
        s.grace_waits += t.lookup->grace_waits();
    }
    // One hash node per BGP route: key, value, next pointer and cached hash; plus the bucket array.
    s.control_bytes = bgp_.size() * (sizeof(std::uint64_t) + sizeof(GroupId) + 2 * sizeof(void*)) +
                      bgp_.bucket_count() * sizeof(void*) + groups_->memory_bytes();
    return s;
}

}  // namespace rf::fib
