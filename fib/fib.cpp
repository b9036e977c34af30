#include "fib/fib.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include "fib/dpdk.hpp"

namespace rf::fib {
namespace {

std::atomic<std::uint64_t> g_epoch_counter{0};

// Which tables of `plan` some VM of `model` uses.
std::vector<bool> tables_with_vms(const VnetModel& model, const TablePlan& plan) {
    std::vector<bool> out(plan.tables.size(), false);
    for (const Vm& vm : model.vms) {
        if (auto t = plan.table_for_subnet(vm.vnet, vm.subnet)) {
            out[*t] = true;
        }
    }
    return out;
}

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
    views_.reset(new std::atomic<const LookupTable*>[config_.max_tables]);
    for (std::uint32_t i = 0; i < config_.max_tables; ++i) {
        views_[i].store(nullptr, std::memory_order_relaxed);
    }
    // The Loc-RIB map grows with the routes (apply() reserves before a large batch) instead of being
    // sized for max_routes up front: a table of a few thousand routes then stays in a few pages and cache
    // lines, which is what a peer-down finds after seconds idle (every slot a DRAM miss otherwise).
    plan_ = plan_tables(model_);
    if (plan_.tables.size() > config_.max_tables) {
        return fail("the model has " + std::to_string(plan_.tables.size()) +
                    " effective route tables, max_tables is " + std::to_string(config_.max_tables));
    }
    const std::vector<bool> used = tables_with_vms(model_, plan_);
    tables_.resize(plan_.tables.size());
    for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
        Table& t = tables_[ti];
        t.spec = plan_.tables[ti];
        t.static_groups = acquire_statics(t.spec);
        t.key = content_key(t.spec, t.static_groups);
        t.wanted = used[ti] || !config_.lazy_tables;
    }
    table_count_.store(tables_.size(), std::memory_order_release);
    try {
        for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
            if (tables_[ti].wanted) {
                attach(static_cast<TableId>(ti));
            }
        }
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    return true;
}

Fib::~Fib() {
    tables_.clear();
    slots_.clear();
    retired_slots_.clear();
    groups_.reset();
    std::free(qsbr_);
}

std::map<net::Prefix, GroupId> Fib::acquire_statics(const TableSpec& spec) {
    std::map<net::Prefix, GroupId> out;
    for (const auto& [prefix, index] : spec.winners) {
        out[prefix] = groups_->acquire(spec.statics[index].next_hop);
    }
    return out;
}

std::string Fib::content_key(const TableSpec& spec, const std::map<net::Prefix, GroupId>& statics) {
    // Everything target() reads: whether BGP routes apply, each static winner (prefix, user or system,
    // group) and the protected address spaces. Group ids stand for their values (same value → same id
    // while referenced).
    std::string k = spec.bgp ? "B" : "-";
    for (const auto& [p, g] : statics) {
        const StaticRoute* w = spec.static_winner(p);
        k += p.to_string();
        k += w != nullptr && w->source == RouteSource::User ? 'U' : 'S';
        k += std::to_string(g);
        k += ';';
    }
    std::vector<net::Prefix> spaces;
    for (const auto& sp : spec.protected_spaces) {
        spaces.push_back(sp.first);
    }
    std::sort(spaces.begin(), spaces.end());
    k += '|';
    for (const net::Prefix& p : spaces) {
        k += p.to_string();
        k += ';';
    }
    return k;
}

GroupId Fib::bgp_group(const net::Prefix& p) const {
    if (p.is_v4()) {
        return bgp_.get(v4_key(p));
    }
    auto it = bgp6_.find(p);
    return it == bgp6_.end() ? kNoGroup : it->second;
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

std::map<net::Prefix, GroupId> Fib::content(const Table& t) const {
    std::map<net::Prefix, GroupId> rows;
    for (const auto& [p, g] : t.static_groups) {
        if (const GroupId x = target(t, p, bgp_group(p)); x != kNoGroup) {
            rows.emplace(p, x);
        }
    }
    if (t.spec.bgp) {
        bgp_.for_each([&](std::uint64_t k, GroupId g) {
            const net::Prefix p = v4_prefix(k);
            if (const GroupId x = target(t, p, g); x != kNoGroup) {
                rows.emplace(p, x);
            }
        });
        for (const auto& [p, g] : bgp6_) {
            if (const GroupId x = target(t, p, g); x != kNoGroup) {
                rows.emplace(p, x);
            }
        }
    }
    return rows;
}

void Fib::add_op(Slot& s, const net::Prefix& p, GroupId g) {
    if (p.length == 0) {
        (p.is_v4() ? s.default4 : s.default6) = g;
    } else if (p.is_v4()) {
        s.ops.push_back(LookupTable::Op{p.v4_address().value, p.length, g});
    } else {
        s.ops6.push_back(LookupTable::Op6{p.bytes, p.length, g});
    }
}

void Fib::flush(Slot& s, ApplyResult* r) {
    // The default routes first: with the Dir24 engine a default-route change may wait for the grace
    // period that started when the previous batch's new prefixes took entries from "no route" (see
    // fib/dir24.hpp), and a grace period started by this batch's own operations could only end after
    // the next quiescent report of a reader that may be this very thread.
    if (s.default4) {
        s.lookup->set_default_group(*s.default4);
        s.default4.reset();
        if (r != nullptr) {
            ++r->table_ops;
        }
    }
    if (s.default6) {
        s.lookup->set_default_group6(*s.default6);
        s.default6.reset();
        if (r != nullptr) {
            ++r->table_ops;
        }
    }
    if (!s.ops.empty() || !s.ops6.empty()) {
        const std::size_t failed = s.lookup->apply(s.ops, s.ops6);
        if (r != nullptr) {
            r->table_ops += s.ops.size() + s.ops6.size();
            r->failures += failed;
        }
        s.ops.clear();
        s.ops6.clear();
    }
}

bool Fib::attach(TableId ti) {
    Table& t = tables_[ti];
    if (t.slot != nullptr) {
        return true;
    }
    Slot* slot = nullptr;
    if (config_.share_identical_tables) {
        for (const auto& s : slots_) {
            if (s && s->key == t.key) {
                slot = s.get();
                break;
            }
        }
    }
    if (slot == nullptr) {
        auto fresh = std::make_unique<Slot>();
        fresh->key = t.key;
        fresh->lookup = std::make_unique<LookupTable>(config_.lookup, qsbr_);
        // Bulk build: every route of the table, IPv4 in address order (DIR-24-8 writes then walk tbl24
        // forwards), as one apply into the new structure before any reader can see it.
        for (const auto& [p, g] : content(t)) {
            add_op(*fresh, p, g);
        }
        std::sort(fresh->ops.begin(), fresh->ops.end(),
                  [](const LookupTable::Op& a, const LookupTable::Op& b) {
                      return a.ip != b.ip ? a.ip < b.ip : a.depth < b.depth;
                  });
        flush(*fresh, nullptr);
        slot = fresh.get();
        auto free_it = std::find(slots_.begin(), slots_.end(), nullptr);
        if (free_it != slots_.end()) {
            *free_it = std::move(fresh);
        } else {
            slots_.push_back(std::move(fresh));
        }
    }
    slot->users.push_back(ti);
    t.slot = slot;
    views_[ti].store(slot->lookup.get(), std::memory_order_release);
    return true;
}

void Fib::detach(TableId ti) {
    Table& t = tables_[ti];
    Slot* s = t.slot;
    if (s == nullptr) {
        return;
    }
    t.slot = nullptr;
    views_[ti].store(nullptr, std::memory_order_release);
    drop_user(s, ti);
}

void Fib::drop_user(Slot* s, TableId ti) {
    s->users.erase(std::remove(s->users.begin(), s->users.end(), ti), s->users.end());
    if (!s->users.empty()) {
        return;
    }
    // No table publishes it any more: free it once every reader has passed a quiescent point.
    stats_.grace_waits += s->lookup->grace_waits();
    for (auto& owned : slots_) {
        if (owned.get() == s) {
            retired_slots_.push_back(RetiredSlot{rte_rcu_qsbr_start(qsbr_), std::move(owned)});
            owned.reset();
            break;
        }
    }
}

bool Fib::materialize(TableId ti) {
    std::lock_guard lock(control_mu_);
    if (ti >= tables_.size()) {
        return false;
    }
    tables_[ti].pinned = true;
    tables_[ti].wanted = true;
    try {
        return attach(ti);
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

ApplyResult Fib::apply_locked(std::span<const fib::RouteDelta> batch) {
    const auto started = std::chrono::steady_clock::now();
    ApplyResult r;
    r.received = batch.size();
    // Coalesce: only the last delta per prefix matters, since each carries the complete new set. Sorting
    // (packed prefix, batch index) keeps batch order within a prefix, so the last of each run wins (no
    // hash map: its clear() would cost O(buckets) on every small batch after a large one).
    order_.clear();
    order6_.clear();
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const fib::RouteDelta& d = batch[i];
        r.sequence = std::max(r.sequence, d.sequence);
        if (d.prefix.is_v4()) {
            order_.emplace_back(v4_key(d.prefix), static_cast<std::uint32_t>(i));
        } else {
            order6_.emplace_back(d.prefix, static_cast<std::uint32_t>(i));
        }
    }
    auto coalesce = [&r](auto& order) {
        if (order.size() < 2) {
            return;
        }
        // (key, index) pairs are unique, so a plain sort keeps batch order within a prefix.
        std::sort(order.begin(), order.end());
        std::size_t out = 0;
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (i + 1 < order.size() && order[i + 1].first == order[i].first) {
                ++r.coalesced;
                continue;
            }
            order[out++] = order[i];
        }
        order.resize(out);
    };
    coalesce(order_);
    coalesce(order6_);
    if (order_.size() > 1024) {
        bgp_.reserve(std::min<std::size_t>(bgp_.size() + order_.size(), config_.lookup.max_routes));
    }
    released_.clear();
    // The new state of one prefix into every table that shows it: the lead table of each lookup
    // structure programs it, every logging table records it.
    auto propagate = [&](const net::Prefix& p, GroupId old_g, GroupId new_g, std::uint64_t seq) {
        for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
            Table& t = tables_[ti];
            if (!t.spec.bgp) {
                continue;
            }
            const bool lead = t.slot != nullptr && t.slot->users.front() == ti;
            if (!lead && !t.log) {
                continue;
            }
            const GroupId before = target(t, p, old_g);
            const GroupId after = target(t, p, new_g);
            if (before == after) {
                continue;
            }
            if (t.log) {
                t.log->append(
                    seq, p,
                    after == kNoGroup ? std::nullopt : std::optional<NextHop>(groups_->value_of(after)));
            }
            if (lead) {
                add_op(*t.slot, p, after);
            }
        }
    };
    // Every delta's new group first (acquired: one reference each), with the group it replaces. IPv4
    // entries come first, then IPv6, in order_/order6_ order. kFailed: no group id left, the prefix keeps
    // its previous state.
    moves_.clear();
    // A batch carries few distinct sets (a peer-down or a bulk change gives thousands of prefixes the
    // same handful): a small direct-mapped cache of the batch's own next-hop vectors, compared as given,
    // skips normalising and hashing a set seen before in this batch.
    struct Memo {
        const std::vector<net::IpAddress>* hops = nullptr;
        GroupId group = kNoGroup;
    };
    std::array<Memo, 16> memo{};
    const net::IpAddressHash address_hash;
    auto prepare = [&](const fib::RouteDelta& d, GroupId old_g) {
        GroupId new_g = kNoGroup;
        if (!d.next_hops.empty()) {
            std::size_t h = d.next_hops.size();
            for (const net::IpAddress& a : d.next_hops) {
                h = h * 31 + address_hash(a);
            }
            Memo& m = memo[h % memo.size()];
            if (m.hops != nullptr && *m.hops == d.next_hops) {
                new_g = m.group;
                groups_->add_ref(new_g);
            } else {
                new_g = groups_->acquire(NextHopType::VirtualNetworkGateway, d.next_hops);
                if (new_g != kNoGroup) {
                    m = Memo{&d.next_hops, new_g};
                }
            }
            if (new_g == kNoGroup) {
                ++r.failures;
                new_g = kFailed;
            }
        }
        moves_.push_back(Move{old_g, new_g});
    };
    // order_ visits the batch in prefix order, i.e. at random: prefetch the deltas (and then their
    // next-hop arrays) a few steps ahead, or a large batch stalls on a cache miss per delta.
    constexpr std::size_t kAhead = 16;
    for (std::size_t i = 0; i < order_.size(); ++i) {
        if (i + kAhead < order_.size()) {
            __builtin_prefetch(&batch[order_[i + kAhead].second]);
        }
        if (i + kAhead / 2 < order_.size()) {
            const fib::RouteDelta& ahead = batch[order_[i + kAhead / 2].second];
            __builtin_prefetch(ahead.next_hops.data());
            __builtin_prefetch(bgp_.slot_of(order_[i + kAhead / 2].first));
        }
        prepare(batch[order_[i].second], bgp_.get(order_[i].first));
    }
    for (const auto& [prefix, index] : order6_) {
        auto it = bgp6_.find(prefix);
        prepare(batch[index], it == bgp6_.end() ? kNoGroup : it->second);
    }
    if (config_.repoint_groups) {
        repoint_whole_groups(&r);
        if (r.repointed != 0) {
            r.repoint_visible = std::chrono::steady_clock::now() - started;
        }
    }

    // Returns false when the prefix keeps its state (no group id left, or the same set).
    auto settle = [&](const Move& m) {
        if (m.to == kFailed) {
            return false;
        }
        if (m.to == m.from) {
            groups_->release(m.to);  // the map already holds a reference
            return false;
        }
        return true;
    };
    for (std::size_t i = 0; i < order_.size(); ++i) {
        if (i + kAhead < order_.size()) {
            __builtin_prefetch(&batch[order_[i + kAhead].second]);
            __builtin_prefetch(bgp_.slot_of(order_[i + kAhead].first));
        }
        const Move& m = moves_[i];
        if (!settle(m)) {
            continue;
        }
        const auto [key, index] = order_[i];
        const fib::RouteDelta& d = batch[index];
        ++r.changed;
        bgp_.put(key, m.to);
        propagate(d.prefix, m.from, m.to, d.sequence);
        if (m.from != kNoGroup) {
            released_.push_back(m.from);  // after the tables stop pointing at it
        }
    }
    for (std::size_t j = 0; j < order6_.size(); ++j) {
        const Move& m = moves_[order_.size() + j];
        if (!settle(m)) {
            continue;
        }
        const auto& [prefix, index] = order6_[j];
        const fib::RouteDelta& d = batch[index];
        ++r.changed;
        if (m.to == kNoGroup) {
            bgp6_.erase(prefix);
        } else {
            bgp6_.insert_or_assign(prefix, m.to);
        }
        propagate(d.prefix, m.from, m.to, d.sequence);
        if (m.from != kNoGroup) {
            released_.push_back(m.from);
        }
    }
    for (auto& s : slots_) {
        if (s) {
            flush(*s, &r);
        }
    }
    if (r.sequence > visible_sequence_.load(std::memory_order_relaxed)) {
        visible_sequence_.store(r.sequence, std::memory_order_release);
    }
    for (GroupId g : released_) {
        groups_->release(g);
    }
    groups_->retire_unused();
    reclaim_locked();
    ++stats_.batches;
    stats_.deltas += r.received;
    stats_.coalesced += r.coalesced;
    stats_.table_ops += r.table_ops;
    stats_.failures += r.failures;
    return r;
}

// Prefix-independent convergence (BGP PIC): when a batch moves *every* reference of a group to one and
// the same other group — an NVA going down takes its next hop out of each ECMP set it was in, for all of
// that set's prefixes at once — the group is repointed to the new value before the batch is programmed.
// Forwarding for all those prefixes changes with one store instead of one lookup-table operation per
// prefix; the per-prefix operations that follow move them to the new group without changing how they
// forward. Only whole groups qualify (a prefix left behind on the old group would change with it), and
// only groups that no delta of this batch points to, and only groups of several prefixes (for one, the
// per-prefix operation is as quick and needs no new group object).
void Fib::repoint_whole_groups(ApplyResult* r) {
    constexpr GroupId kMixed = kFailed - 1;
    constexpr std::uint32_t kRepointMinPrefixes = 2;
    const GroupId bound = groups_->id_bound();
    if (pic_count_.size() < bound) {
        pic_count_.resize(bound, 0);
        pic_target_.resize(bound, kNoGroup);
        pic_incoming_.resize(bound, 0);
        pic_listed_.resize(bound, 0);
    }
    pic_touched_.clear();
    const auto touch = [this](GroupId g) {
        if (pic_listed_[g] == 0) {
            pic_listed_[g] = 1;
            pic_touched_.push_back(g);
        }
    };
    for (const Move& m : moves_) {
        if (m.to == kFailed || m.to == m.from) {
            continue;
        }
        if (m.to != kNoGroup) {
            touch(m.to);
            pic_incoming_[m.to] = 1;
        }
        if (m.from == kNoGroup) {
            continue;
        }
        touch(m.from);
        if (pic_count_[m.from] == 0) {
            pic_target_[m.from] = m.to == kNoGroup ? kMixed : m.to;  // a withdrawal falls back per prefix
        } else if (pic_target_[m.from] != m.to) {
            pic_target_[m.from] = kMixed;
        }
        ++pic_count_[m.from];
    }
    for (GroupId g : pic_touched_) {
        const GroupId to = pic_target_[g];
        // Every reference of g moves in this batch (the references counted are the BGP maps' own; a
        // static route holding g keeps refs above the count, and so keeps g as it is).
        if (pic_count_[g] >= kRepointMinPrefixes && to != kMixed && pic_incoming_[g] == 0 &&
            pic_count_[g] == groups_->refs(g) && groups_->repoint(g, to)) {
            ++r->repointed;
        }
    }
    for (GroupId g : pic_touched_) {
        pic_count_[g] = 0;  // pic_target_ is set afresh by the first move out of g
        pic_incoming_[g] = 0;
        pic_listed_[g] = 0;
    }
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
    std::size_t repointed = 0;
    NextHop rest{NextHopType::VirtualNetworkGateway, {}};
    const GroupId bound = groups_->id_bound();
    for (GroupId g = 1; g < bound; ++g) {
        if (groups_->refs(g) == 0) {
            continue;  // free, or retired and waiting for its grace period
        }
        // Only the Loc-RIB's groups have this type with members (a UDR "VirtualNetworkGateway" has none),
        // so every reference to g is a BGP prefix that the RIB's batch will move.
        const NextHop& v = groups_->value_of(g);
        if (v.type != NextHopType::VirtualNetworkGateway || v.addresses.empty()) {
            continue;
        }
        rest.addresses.clear();
        for (const net::IpAddress& a : v.addresses) {
            if (std::find(down.begin(), down.end(), a) == down.end()) {
                rest.addresses.push_back(a);
            }
        }
        if (rest.addresses.size() == v.addresses.size() || rest.addresses.empty()) {
            continue;
        }
        if (groups_->repoint_to(g, rest)) {  // `rest` keeps v's order: sorted, no duplicates
            ++repointed;
        }
    }
    stats_.next_hop_down_repoints += repointed;
    return repointed;
}

ModelChangeResult Fib::update_model(const VnetModel& model) {
    std::lock_guard lock(control_mu_);
    ModelChangeResult res;
    if (auto errors = validate(model); !errors.empty()) {
        res.error = "invalid VNet model: " + errors.front().to_string();
        return res;
    }
    const TablePlan fresh = plan_tables(model);
    // Stable ids: a table keeps its id by name; new names get the next ids.
    std::map<std::string, TableId> by_name;
    for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
        by_name.emplace(tables_[ti].spec.name, static_cast<TableId>(ti));
    }
    std::vector<TableId> id_of(fresh.tables.size());
    std::size_t count = tables_.size();
    for (std::size_t j = 0; j < fresh.tables.size(); ++j) {
        auto it = by_name.find(fresh.tables[j].name);
        id_of[j] = it != by_name.end() ? it->second : static_cast<TableId>(count++);
    }
    if (count > config_.max_tables) {
        res.error = "the model needs " + std::to_string(count) + " effective route tables, max_tables is " +
                    std::to_string(config_.max_tables);
        return res;
    }
    TablePlan stable;
    stable.tables.resize(count);
    for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
        // A table no subnet uses any more: no routes, no consumers, same name.
        stable.tables[ti].name = tables_[ti].spec.name;
        stable.tables[ti].vnet = tables_[ti].spec.vnet;
        stable.tables[ti].route_table = tables_[ti].spec.route_table;
    }
    for (std::size_t j = 0; j < fresh.tables.size(); ++j) {
        stable.tables[id_of[j]] = fresh.tables[j];
    }
    for (const auto& [subnet, j] : fresh.by_subnet) {
        stable.by_subnet[subnet] = id_of[j];
    }
    const std::vector<bool> used = tables_with_vms(model, stable);
    res.tables_added = count - tables_.size();
    tables_.resize(count);
    std::vector<GroupId> old_statics;
    try {
        for (std::size_t i = 0; i < count; ++i) {
            const auto ti = static_cast<TableId>(i);
            Table& t = tables_[ti];
            std::map<net::Prefix, GroupId> statics = acquire_statics(stable.tables[ti]);
            const std::string key = content_key(stable.tables[ti], statics);
            const bool changed = key != t.key;
            const bool track = changed && (t.slot != nullptr || t.log);
            std::map<net::Prefix, GroupId> before;
            if (track) {
                before = content(t);
            }
            for (const auto& [p, g] : t.static_groups) {
                old_statics.push_back(g);
            }
            t.static_groups = std::move(statics);
            t.spec = stable.tables[ti];
            t.key = key;
            t.wanted = t.pinned || used[ti] || !config_.lazy_tables;
            if (changed) {
                ++res.tables_changed;
            }
            // The changes of this table, by prefix: (prefix, new group or kNoGroup).
            std::vector<std::pair<net::Prefix, GroupId>> diff;
            if (track) {
                const std::map<net::Prefix, GroupId> after = content(t);
                auto b = before.begin();
                auto a = after.begin();
                while (b != before.end() || a != after.end()) {
                    if (a == after.end() || (b != before.end() && b->first < a->first)) {
                        diff.emplace_back(b->first, kNoGroup);
                        ++b;
                    } else if (b == before.end() || a->first < b->first) {
                        diff.emplace_back(a->first, a->second);
                        ++a;
                    } else {
                        if (a->second != b->second) {
                            diff.emplace_back(a->first, a->second);
                        }
                        ++a;
                        ++b;
                    }
                }
                if (t.log) {
                    for (const auto& [p, g] : diff) {
                        t.log->append(
                            0, p,
                            g == kNoGroup ? std::nullopt : std::optional<NextHop>(groups_->value_of(g)));
                    }
                }
            }
            if (!t.wanted) {
                detach(ti);
                continue;
            }
            if (t.slot == nullptr) {
                attach(ti);
                continue;
            }
            if (!changed) {
                continue;
            }
            Slot* s = t.slot;
            bool joins_other = false;
            if (config_.share_identical_tables) {
                for (const auto& o : slots_) {
                    joins_other = joins_other || (o && o.get() != s && o->key == key);
                }
            }
            if (s->users.size() == 1 && !joins_other) {
                // Its own structure: reprogram the changed prefixes in place (as any batch is).
                s->key = key;
                for (const auto& [p, g] : diff) {
                    add_op(*s, p, g);
                }
                ApplyResult r;
                flush(*s, &r);
                res.table_ops += r.table_ops;
            } else {
                // Shared with tables whose routes did not change (or identical to another one now):
                // leave it to them and move to a structure with the new content; readers of this table
                // switch over at once and the old one is freed after a grace period if unused.
                // attach() publishes the new structure in one store, so readers never see none.
                t.slot = nullptr;
                attach(ti);
                drop_user(s, ti);
                ++res.switched;
            }
        }
    } catch (const std::exception& e) {
        res.error = e.what();  // DPDK memory: the tables programmed so far keep their new routes
    }
    model_ = model;
    plan_ = std::move(stable);
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

void Fib::reclaim_locked() {
    groups_->reclaim();
    while (!retired_slots_.empty() && rte_rcu_qsbr_check(qsbr_, retired_slots_.front().token, false) == 1) {
        retired_slots_.pop_front();
    }
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
    bool done = true;
    for (auto& s : slots_) {
        if (s) {
            done = s->lookup->catch_up(wait) && done;
        }
    }
    return done;
}

Fib::BgpCopy Fib::copy_bgp() const {
    BgpCopy c;
    c.v4.reserve(bgp_.size());
    bgp_.for_each([&](std::uint64_t k, GroupId g) { c.v4.emplace_back(k, g); });
    c.v6.assign(bgp6_.begin(), bgp6_.end());
    auto value = [&](GroupId g) {
        if (c.values.find(g) == c.values.end()) {
            c.values.emplace(g, groups_->value_of(g).addresses);
        }
    };
    for (const auto& e : c.v4) {
        value(e.second);
    }
    for (const auto& e : c.v6) {
        value(e.second);
    }
    return c;
}

std::map<net::Prefix, std::vector<net::IpAddress>> Fib::BgpCopy::view() const {
    std::map<net::Prefix, std::vector<net::IpAddress>> out;
    for (const auto& [k, g] : v4) {
        out.emplace(v4_prefix(k), values.at(g));
    }
    for (const auto& [p, g] : v6) {
        out.emplace(p, values.at(g));
    }
    return out;
}

std::optional<TableId> Fib::table_for_vm(std::string_view vm) const {
    std::lock_guard lock(control_mu_);
    return plan_.table_for_vm(model_, vm);
}

std::optional<TableId> Fib::table_for_subnet(std::string_view vnet, std::string_view subnet) const {
    std::lock_guard lock(control_mu_);
    return plan_.table_for_subnet(vnet, subnet);
}

std::optional<std::vector<EffectiveRoute>> Fib::show_effective_route_table(std::string_view vm) const {
    // The writer waits for this lock: hold it only to copy the table's spec and the Loc-RIB as (prefix,
    // group) pairs plus the few distinct group values; build the az-style table after releasing it.
    TableSpec spec;
    BgpCopy bgp;
    {
        std::lock_guard lock(control_mu_);
        const auto t = plan_.table_for_vm(model_, vm);
        if (!t) {
            return std::nullopt;
        }
        spec = tables_[*t].spec;
        bgp = copy_bgp();
    }
    return effective_routes(spec, bgp.view());
}

std::optional<NextHop> Fib::programmed(TableId t, const net::Prefix& prefix) const {
    std::lock_guard lock(control_mu_);
    if (t >= tables_.size()) {
        return std::nullopt;
    }
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
    if (t >= tables_.size()) {
        return s;
    }
    for (const auto& [p, g] : content(tables_[t])) {
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
    Table& tb = tables_[t];
    if (!tb.log) {
        tb.log = std::make_unique<DeltaLog>(epoch_, config_.log_retention);
    }
    s.sequence = tb.log->last_sequence();
    for (const auto& [p, g] : content(tb)) {
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
    s.bgp_routes = bgp_.size() + bgp6_.size();
    s.bgp_routes_v6 = bgp6_.size();
    s.groups = groups_->stats();
    s.tables = tables_.size();
    for (const auto& slot : slots_) {
        if (slot) {
            ++s.lookup_structures;
            s.lookup_bytes += slot->lookup->memory_bytes();
            s.grace_waits += slot->lookup->grace_waits();
        }
    }
    // The IPv4 map's slot array; one hash node per IPv6 route (key, value, next pointer, cached hash).
    s.control_bytes = bgp_.memory_bytes() +
                      bgp6_.size() * (sizeof(net::Prefix) + sizeof(GroupId) + 2 * sizeof(void*)) +
                      bgp6_.bucket_count() * sizeof(void*) + groups_->memory_bytes();
    return s;
}

}  // namespace rf::fib
