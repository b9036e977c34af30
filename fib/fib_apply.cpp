// Fib::apply() in phases: order and coalesce the batch, acquire each prefix's new group, repoint whole
// groups (prefix-independent convergence), move the BGP routes and queue the changes into the tables,
// program the lookup structures, publish the batch's sequence, retire the groups left behind.
#include <algorithm>
#include <array>
#include <chrono>

#include "fib/fib.hpp"

namespace rf::fib {
namespace {

// order4_ visits the batch in prefix order, i.e. at random: the loops over it prefetch the deltas (and
// then their next-hop arrays and BGP route slots) this many steps ahead, or a large batch stalls on a
// cache miss per delta.
constexpr std::size_t kAhead = 16;

// Keeps the last (key, batch index) pair per key; the pairs are unique, so a plain sort keeps batch
// order within a key. Returns how many were dropped.
template <typename Order>
std::size_t keep_last_per_prefix(Order& order) {
    if (order.size() < 2) {
        return 0;
    }
    std::sort(order.begin(), order.end());
    std::size_t out = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (i + 1 < order.size() && order[i + 1].first == order[i].first) {
            continue;
        }
        order[out++] = order[i];
    }
    const std::size_t dropped = order.size() - out;
    order.resize(out);
    return dropped;
}

// Whether a move changes the prefix: false when no group id was left (it keeps its state) or when the
// new set is the one it has (the reference acquired for it is dropped again: the route holds one).
bool settle(const GroupMove& m, GroupTable& groups) {
    if (m.to == GroupMove::kNoGroupLeft) {
        return false;
    }
    if (m.to == m.from) {
        groups.release(m.to);
        return false;
    }
    return true;
}

}  // namespace

ApplyResult Fib::apply_locked(std::span<const RouteDelta> batch) {
    const auto started = std::chrono::steady_clock::now();
    ApplyResult r;
    r.received = batch.size();
    order_batch(batch, r);
    acquire_groups(batch, r);
    if (config_.repoint_groups) {
        r.repointed = repoint_.run(moves_, *groups_);
        if (r.repointed != 0) {
            r.repoint_visible = std::chrono::steady_clock::now() - started;
        }
    }
    move_routes(batch, r);
    const ProgramCount programmed = structures_->program_all();
    r.table_ops += programmed.table_ops;
    r.failures += programmed.failures;
    if (r.sequence > visible_sequence_.load(std::memory_order_relaxed)) {
        visible_sequence_.store(r.sequence, std::memory_order_release);
    }
    retire_released();
    ++stats_.batches;
    stats_.deltas += r.received;
    stats_.coalesced += r.coalesced;
    stats_.table_ops += r.table_ops;
    stats_.failures += r.failures;
    return r;
}

// Only the last delta per prefix matters, since each carries the complete new set. Sorting (prefix,
// batch index) pairs instead of a hash map: its clear() would cost O(buckets) on every small batch
// after a large one.
void Fib::order_batch(std::span<const RouteDelta> batch, ApplyResult& r) {
    order4_.clear();
    order6_.clear();
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const RouteDelta& d = batch[i];
        r.sequence = std::max(r.sequence, d.sequence);
        if (d.prefix.is_v4()) {
            order4_.emplace_back(net::PackedV4Prefix::of(d.prefix), static_cast<std::uint32_t>(i));
        } else {
            order6_.emplace_back(d.prefix, static_cast<std::uint32_t>(i));
        }
    }
    r.coalesced += keep_last_per_prefix(order4_);
    r.coalesced += keep_last_per_prefix(order6_);
    if (order4_.size() > 1024) {
        bgp_.reserve_v4(std::min<std::size_t>(bgp_.size_v4() + order4_.size(), config_.lookup.max_routes));
    }
}

void Fib::acquire_groups(std::span<const RouteDelta> batch, ApplyResult& r) {
    moves_.clear();
    // A batch carries few distinct sets (a peer-down or a bulk change gives thousands of prefixes the
    // same handful): a small direct-mapped cache of the batch's own next-hop vectors, compared as given,
    // skips normalising and hashing a set seen before in this batch.
    struct SeenSet {
        const std::vector<net::IpAddress>* hops = nullptr;
        GroupId group = kNoGroup;
    };
    std::array<SeenSet, 16> seen{};
    const net::IpAddressHash address_hash;
    auto move = [&](const RouteDelta& d, GroupId old_g) {
        GroupId new_g = kNoGroup;
        if (!d.next_hops.empty()) {
            std::size_t h = d.next_hops.size();
            for (const net::IpAddress& a : d.next_hops) {
                h = h * 31 + address_hash(a);
            }
            SeenSet& s = seen[h % seen.size()];
            if (s.hops != nullptr && *s.hops == d.next_hops) {
                new_g = s.group;
                groups_->add_ref(new_g);
            } else {
                new_g = groups_->acquire(NextHopType::VirtualNetworkGateway, d.next_hops);
                if (new_g != kNoGroup) {
                    s = SeenSet{&d.next_hops, new_g};
                }
            }
            if (new_g == kNoGroup) {
                ++r.failures;
                new_g = GroupMove::kNoGroupLeft;
            }
        }
        moves_.push_back(GroupMove{old_g, new_g});
    };
    for (std::size_t i = 0; i < order4_.size(); ++i) {
        if (i + kAhead < order4_.size()) {
            __builtin_prefetch(&batch[order4_[i + kAhead].second]);
        }
        if (i + kAhead / 2 < order4_.size()) {
            const RouteDelta& ahead = batch[order4_[i + kAhead / 2].second];
            __builtin_prefetch(ahead.next_hops.data());
            bgp_.prefetch(order4_[i + kAhead / 2].first);
        }
        move(batch[order4_[i].second], bgp_.group_of(order4_[i].first));
    }
    for (const auto& [prefix, index] : order6_) {
        move(batch[index], bgp_.group_of(prefix));
    }
}

// The new state of one prefix into every table that shows it: the lead table of each lookup structure
// queues it for the structure, every logging table records it.
void Fib::propagate(const net::Prefix& p, GroupId before, GroupId after, std::uint64_t sequence) {
    for (std::size_t ti = 0; ti < tables_.size(); ++ti) {
        FibTable& t = tables_[ti];
        if (!t.spec.bgp) {
            continue;
        }
        const bool lead = t.lookup != nullptr && t.lookup->users.front() == ti;
        if (!lead && !t.log) {
            continue;
        }
        const GroupId was = t.target(p, before);
        const GroupId now = t.target(p, after);
        if (was == now) {
            continue;
        }
        if (t.log) {
            t.log->append(sequence, p,
                          now == kNoGroup ? std::nullopt : std::optional<NextHop>(groups_->value_of(now)));
        }
        if (lead) {
            t.lookup->queue(p, now);
        }
    }
}

void Fib::move_routes(std::span<const RouteDelta> batch, ApplyResult& r) {
    released_.clear();
    auto commit = [&](const RouteDelta& d, const GroupMove& m) {
        ++r.changed;
        propagate(d.prefix, m.from, m.to, d.sequence);
        if (m.from != kNoGroup) {
            released_.push_back(m.from);  // after the tables stop pointing at it
        }
    };
    for (std::size_t i = 0; i < order4_.size(); ++i) {
        if (i + kAhead < order4_.size()) {
            __builtin_prefetch(&batch[order4_[i + kAhead].second]);
            bgp_.prefetch(order4_[i + kAhead].first);
        }
        const GroupMove& m = moves_[i];
        if (!settle(m, *groups_)) {
            continue;
        }
        const auto [key, index] = order4_[i];
        bgp_.set(key, m.to);
        commit(batch[index], m);
    }
    for (std::size_t j = 0; j < order6_.size(); ++j) {
        const GroupMove& m = moves_[order4_.size() + j];
        if (!settle(m, *groups_)) {
            continue;
        }
        const auto& [prefix, index] = order6_[j];
        bgp_.set(prefix, m.to);
        commit(batch[index], m);
    }
}

void Fib::retire_released() {
    for (GroupId g : released_) {
        groups_->release(g);
    }
    groups_->retire_unused();
    reclaim_locked();
}

}  // namespace rf::fib
