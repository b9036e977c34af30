#include "fib/shared_lookups.hpp"

#include <algorithm>

#include "fib/dpdk.hpp"

namespace rf::fib {

ProgramCount SharedLookup::program() {
    ProgramCount c;
    // The default routes first: with the Dir24 engine a default-route change may wait for the grace
    // period that started when the previous batch's new prefixes took entries from "no route" (see
    // fib/dir24.hpp), and a grace period started by this batch's own operations could only end after
    // the next quiescent report of a reader that may be this very thread.
    if (default4) {
        lookup->set_default_group(*default4);
        default4.reset();
        ++c.table_ops;
    }
    if (default6) {
        lookup->set_default_group6(*default6);
        default6.reset();
        ++c.table_ops;
    }
    if (!ops.empty() || !ops6.empty()) {
        c.failures += lookup->apply(ops, ops6);
        c.table_ops += ops.size() + ops6.size();
        ops.clear();
        ops6.clear();
    }
    return c;
}

SharedLookups::SharedLookups(const LookupConfig& lookup, rte_rcu_qsbr* qsbr, std::uint32_t max_tables,
                             bool share_identical)
    : config_(lookup),
      qsbr_(qsbr),
      max_tables_(max_tables),
      share_identical_(share_identical),
      published_(new std::atomic<const LookupTable*>[max_tables]) {
    for (std::uint32_t i = 0; i < max_tables_; ++i) {
        published_[i].store(nullptr, std::memory_order_relaxed);
    }
}

SharedLookups::~SharedLookups() {
    clear();
}

void SharedLookups::clear() {
    structures_.clear();
    retired_.clear();
}

SharedLookup* SharedLookups::find(std::string_view key) const {
    for (const auto& s : structures_) {
        if (s && s->key == key) {
            return s.get();
        }
    }
    return nullptr;
}

bool SharedLookups::other_has_key(const SharedLookup* s, std::string_view key) const {
    if (!share_identical_) {
        return false;
    }
    return std::any_of(structures_.begin(), structures_.end(),
                       [&](const auto& o) { return o && o.get() != s && o->key == key; });
}

SharedLookup* SharedLookups::build(const std::string& key, const std::map<net::Prefix, GroupId>& content) {
    auto fresh = std::make_unique<SharedLookup>();
    fresh->key = key;
    fresh->lookup = std::make_unique<LookupTable>(config_, qsbr_);
    // Bulk build: every route of the table, IPv4 in address order (DIR-24-8 writes then walk tbl24
    // forwards), as one apply into the new structure before any reader can see it.
    for (const auto& [p, g] : content) {
        fresh->queue(p, g);
    }
    std::sort(fresh->ops.begin(), fresh->ops.end(), [](const LookupTable::Op& a, const LookupTable::Op& b) {
        return a.ip != b.ip ? a.ip < b.ip : a.depth < b.depth;
    });
    fresh->program();
    SharedLookup* s = fresh.get();
    auto free_place = std::find(structures_.begin(), structures_.end(), nullptr);
    if (free_place != structures_.end()) {
        *free_place = std::move(fresh);
    } else {
        structures_.push_back(std::move(fresh));
    }
    return s;
}

void SharedLookups::publish(TableId ti, FibTable& t, SharedLookup* s) {
    s->users.push_back(ti);
    t.lookup = s;
    published_[ti].store(s->lookup.get(), std::memory_order_release);
}

void SharedLookups::attach(TableId ti, FibTable& t, const BgpRoutes& bgp) {
    if (t.lookup != nullptr) {
        return;
    }
    SharedLookup* s = share_identical_ ? find(t.key) : nullptr;
    if (s == nullptr) {
        s = build(t.key, t.content(bgp));
    }
    publish(ti, t, s);
}

void SharedLookups::detach(TableId ti, FibTable& t) {
    SharedLookup* s = t.lookup;
    if (s == nullptr) {
        return;
    }
    t.lookup = nullptr;
    published_[ti].store(nullptr, std::memory_order_release);
    leave(s, ti);
}

void SharedLookups::reattach(TableId ti, FibTable& t, const BgpRoutes& bgp) {
    SharedLookup* old = t.lookup;
    t.lookup = nullptr;
    attach(ti, t, bgp);  // publishes the new structure in one store
    if (old != nullptr) {
        leave(old, ti);
    }
}

void SharedLookups::leave(SharedLookup* s, TableId ti) {
    s->users.erase(std::remove(s->users.begin(), s->users.end(), ti), s->users.end());
    if (!s->users.empty()) {
        return;
    }
    // No table publishes it any more: free it once every reader has passed a quiescent point.
    retired_grace_waits_ += s->lookup->grace_waits();
    for (auto& owned : structures_) {
        if (owned.get() == s) {
            retired_.push_back(Retired{rte_rcu_qsbr_start(qsbr_), std::move(owned)});
            owned.reset();
            break;
        }
    }
}

ProgramCount SharedLookups::program_all() {
    ProgramCount total;
    for (auto& s : structures_) {
        if (s) {
            const ProgramCount c = s->program();
            total.table_ops += c.table_ops;
            total.failures += c.failures;
        }
    }
    return total;
}

bool SharedLookups::catch_up(bool wait) {
    bool done = true;
    for (auto& s : structures_) {
        if (s) {
            done = s->lookup->catch_up(wait) && done;
        }
    }
    return done;
}

void SharedLookups::reclaim() {
    while (!retired_.empty() && rte_rcu_qsbr_check(qsbr_, retired_.front().token, false) == 1) {
        retired_.pop_front();
    }
}

std::size_t SharedLookups::count() const {
    return static_cast<std::size_t>(
        std::count_if(structures_.begin(), structures_.end(), [](const auto& s) { return s != nullptr; }));
}

std::size_t SharedLookups::memory_bytes() const {
    std::size_t n = 0;
    for (const auto& s : structures_) {
        if (s) {
            n += s->lookup->memory_bytes();
        }
    }
    return n;
}

std::uint64_t SharedLookups::grace_waits() const {
    std::uint64_t n = retired_grace_waits_;
    for (const auto& s : structures_) {
        if (s) {
            n += s->lookup->grace_waits();
        }
    }
    return n;
}

}  // namespace rf::fib
