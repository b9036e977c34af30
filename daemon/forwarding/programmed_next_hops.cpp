#include "daemon/forwarding/programmed_next_hops.hpp"

#include <algorithm>

namespace rf::daemon {

void ProgrammedNextHops::apply(std::span<const fib::RouteDelta> batch) {
    for (const fib::RouteDelta& d : batch) {
        if (d.is_withdrawal()) {
            if (const SetId* id = prefixes_.find(d.prefix)) {
                release(*id);
                prefixes_.erase(d.prefix);
            }
            continue;
        }
        const SetId id = acquire(d.next_hops);  // before release: a prefix keeping its set never frees it
        auto [slot, inserted] = prefixes_.try_emplace(d.prefix);
        if (!inserted) {
            release(*slot);
        }
        *slot = id;
    }
}

std::span<const net::IpAddress> ProgrammedNextHops::find(const net::Prefix& prefix) const {
    const SetId* id = prefixes_.find(prefix);
    if (id == nullptr) {
        return {};
    }
    return sets_[*id];
}

ProgrammedNextHops::SetId ProgrammedNextHops::acquire(std::span<const net::IpAddress> next_hops) {
    if (has_last_ && users_[last_] != 0 && std::ranges::equal(sets_[last_], next_hops)) {
        ++users_[last_];
        return last_;
    }
    NextHops key(next_hops.begin(), next_hops.end());
    auto it = ids_.find(key);
    if (it == ids_.end()) {
        SetId id = 0;
        if (!free_ids_.empty()) {
            id = free_ids_.back();
            free_ids_.pop_back();
            sets_[id] = key;
        } else {
            id = static_cast<SetId>(sets_.size());
            sets_.push_back(key);
            users_.push_back(0);
        }
        it = ids_.emplace(std::move(key), id).first;
    }
    last_ = it->second;
    has_last_ = true;
    ++users_[last_];
    return last_;
}

void ProgrammedNextHops::release(SetId id) {
    if (--users_[id] != 0) {
        return;
    }
    ids_.erase(sets_[id]);
    sets_[id] = NextHops();
    free_ids_.push_back(id);
}

std::size_t ProgrammedNextHops::memory_bytes() const {
    // A heap block costs its size rounded up to 16 bytes plus an 8-byte header (glibc malloc).
    const auto block = [](std::size_t bytes) { return bytes == 0 ? 0 : (bytes + 8 + 15) / 16 * 16; };
    std::size_t n = prefixes_.slot_bytes();
    n += block(sets_.capacity() * sizeof(NextHops)) + block(users_.capacity() * sizeof(std::size_t)) +
         block(free_ids_.capacity() * sizeof(SetId));
    for (const NextHops& s : sets_) {
        n += 2 * block(s.capacity() * sizeof(net::IpAddress));  // the set and its key in ids_
    }
    // A red-black tree node: three pointers and a colour, then the key and the id.
    n += ids_.size() * block(4 * sizeof(void*) + sizeof(NextHops) + sizeof(SetId));
    return n;
}

}  // namespace rf::daemon
