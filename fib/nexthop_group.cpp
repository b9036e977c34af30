#include "fib/nexthop_group.hpp"

#include <algorithm>

#include "fib/dpdk.hpp"

namespace rf::fib {

NextHopGroup::NextHopGroup(GroupId id, NextHop value)
    : id_(id), checksum_(checksum_of(value)), value_(std::move(value)) {
    seeds_.reserve(value_.addresses.size());
    for (const net::IpAddress& a : value_.addresses) {
        seeds_.push_back(seed_of(a));
    }
}

std::uint64_t NextHopGroup::seed_of(const net::IpAddress& a) {
    return a.is_v4() ? ecmp::seed_v4(a.as_v4().value) : ecmp::seed_v6(a.bytes);
}

std::uint64_t NextHopGroup::checksum_of(const NextHop& v) {
    // FNV-1a over the type, the count and every address byte.
    std::uint64_t h = 0xCBF29CE484222325ULL;
    auto mix = [&h](std::uint8_t b) {
        h ^= b;
        h *= 0x100000001B3ULL;
    };
    mix(static_cast<std::uint8_t>(v.type));
    mix(static_cast<std::uint8_t>(v.addresses.size()));
    for (const net::IpAddress& a : v.addresses) {
        mix(static_cast<std::uint8_t>(a.afi));
        for (std::uint8_t b : a.bytes) {
            mix(b);
        }
    }
    return h;
}

bool NextHopGroup::intact() const {
    return live() && checksum_of(value_) == checksum_;
}

GroupTable::GroupTable(rte_rcu_qsbr* qsbr, std::uint32_t capacity, bool quarantine)
    : qsbr_(qsbr),
      capacity_(std::max<std::uint32_t>(capacity, 2)),
      quarantine_(quarantine),
      slots_(new std::atomic<const NextHopGroup*>[capacity_]) {
    for (std::uint32_t i = 0; i < capacity_; ++i) {
        slots_[i].store(nullptr, std::memory_order_relaxed);
    }
    owned_.push_back(nullptr);  // id 0 is kNoGroup
    refs_.push_back(0);
}

GroupTable::~GroupTable() {
    for (NextHopGroup* g : owned_) {
        delete g;
    }
    for (const RetiredObject& r : replaced_) {
        delete r.group;
    }
}

GroupId GroupTable::acquire(NextHop value) {
    value.normalise();
    if (auto it = index_.find(value); it != index_.end()) {
        ++refs_[it->second];
        return it->second;
    }
    GroupId id = kNoGroup;
    if (!free_ids_.empty()) {
        id = free_ids_.back();
        free_ids_.pop_back();
    } else if (next_id_ < capacity_) {
        id = next_id_++;
        owned_.push_back(nullptr);
        refs_.push_back(0);
    } else {
        reclaim();  // a grace period may have ended since the last batch
        if (free_ids_.empty()) {
            ++stats_.exhausted;
            return kNoGroup;
        }
        id = free_ids_.back();
        free_ids_.pop_back();
    }
    auto* g = new NextHopGroup(id, value);
    owned_[id] = g;
    refs_[id] = 1;
    index_.emplace(std::move(value), id);
    // Release: a reader that finds the id in a lookup table sees the fully built group.
    slots_[id].store(g, std::memory_order_release);
    ++stats_.created;
    ++stats_.live;
    return id;
}

GroupId GroupTable::acquire(NextHopType type, std::span<const net::IpAddress> addresses) {
    scratch_.type = type;
    scratch_.addresses.assign(addresses.begin(), addresses.end());
    scratch_.normalise();
    if (auto it = index_.find(scratch_); it != index_.end()) {
        ++refs_[it->second];
        return it->second;
    }
    return acquire(scratch_);
}

void GroupTable::add_ref(GroupId id) {
    if (id != kNoGroup) {
        ++refs_[id];
    }
}

void GroupTable::release(GroupId id) {
    if (id == kNoGroup) {
        return;
    }
    if (--refs_[id] == 0) {
        zero_.push_back(id);
    }
}

bool GroupTable::repoint(GroupId id, GroupId like) {
    if (like == kNoGroup || like >= owned_.size() || owned_[like] == nullptr) {
        return false;
    }
    return repoint_to(id, owned_[like]->value_);
}

bool GroupTable::repoint_to(GroupId id, const NextHop& value) {
    if (id == kNoGroup || id >= owned_.size() || owned_[id] == nullptr || refs_[id] == 0) {
        return false;
    }
    NextHopGroup* old = owned_[id];
    if (old->value_ == value) {
        return false;  // already that value (a group repointed earlier, now drained by its prefixes)
    }
    if (auto it = index_.find(old->value_); it != index_.end() && it->second == id) {
        index_.erase(it);
    }
    if (detached_.size() <= id) {
        detached_.resize(static_cast<std::size_t>(id) + 1, 0);
    }
    detached_[id] = 1;
    auto* g = new NextHopGroup(id, value);
    owned_[id] = g;
    // Release: a reader that loads the slot sees the fully built group; a reader still holding `old`
    // keeps it until its next quiescent point.
    slots_[id].store(g, std::memory_order_release);
    replaced_.push_back(RetiredObject{rte_rcu_qsbr_start(qsbr_), old});
    ++stats_.repointed;
    return true;
}

void GroupTable::dispose(NextHopGroup* g) {
    g->magic_.store(NextHopGroup::kDead, std::memory_order_relaxed);
    if (quarantine_) {
        graveyard_.emplace_back(g);
    } else {
        delete g;
    }
}

void GroupTable::retire_unused() {
    if (zero_.empty()) {
        return;
    }
    // One token for all: taken after the lookup tables stopped referencing these ids, so a reader that
    // still holds one has not passed a quiescent point since.
    const std::uint64_t token = rte_rcu_qsbr_start(qsbr_);
    for (GroupId id : zero_) {
        NextHopGroup* g = owned_[id];
        if (refs_[id] != 0 || g == nullptr) {
            continue;  // revived within the batch, or already retired by an earlier entry
        }
        if (id < detached_.size() && detached_[id] != 0) {
            detached_[id] = 0;  // repointed: not in index_ (its value belongs to another id)
        } else {
            auto it = index_.find(g->value_);
            if (it == index_.end() || it->second != id) {
                continue;  // already retired
            }
            index_.erase(it);
        }
        retired_.push_back(Retired{token, id});
        ++stats_.retired_pending;
        --stats_.live;
    }
    zero_.clear();
}

std::size_t GroupTable::reclaim() {
    std::size_t n = 0;
    while (!replaced_.empty() && rte_rcu_qsbr_check(qsbr_, replaced_.front().token, false) == 1) {
        dispose(replaced_.front().group);
        replaced_.pop_front();
    }
    while (!retired_.empty() && rte_rcu_qsbr_check(qsbr_, retired_.front().token, false) == 1) {
        const GroupId id = retired_.front().id;
        retired_.pop_front();
        NextHopGroup* g = owned_[id];
        slots_[id].store(nullptr, std::memory_order_relaxed);
        owned_[id] = nullptr;
        dispose(g);
        free_ids_.push_back(id);
        --stats_.retired_pending;
        ++stats_.freed;
        ++n;
    }
    return n;
}

GroupStats GroupTable::stats() const {
    return stats_;
}

std::size_t GroupTable::memory_bytes() const {
    std::size_t bytes = capacity_ * sizeof(slots_[0]) + owned_.capacity() * sizeof(NextHopGroup*) +
                        refs_.capacity() * sizeof(std::uint32_t);
    for (const NextHopGroup* g : owned_) {
        if (g != nullptr) {
            bytes += sizeof(NextHopGroup) + g->value_.addresses.capacity() * sizeof(net::IpAddress) +
                     g->seeds_.capacity() * sizeof(std::uint64_t);
        }
    }
    // Rough cost of one hash-map node (key, value, next pointer, cached hash) per live group.
    bytes += index_.size() * (sizeof(NextHop) + sizeof(GroupId) + 2 * sizeof(void*)) +
             index_.bucket_count() * sizeof(void*);
    return bytes;
}

}  // namespace rf::fib
