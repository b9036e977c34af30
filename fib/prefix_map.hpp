// The Loc-RIB's IPv4 routes as the FIB writer keeps them: packed prefix (address << 8 | length) →
// group id, in one open-addressing table (linear probing, backward-shift deletion). Against
// std::unordered_map this saves a heap node per route (an allocation on every new prefix, a free on
// every withdrawal, and a pointer chase per lookup) — at a million routes the map dominated the
// writer's own time. Writer thread only.
#pragma once

#include <cstdint>
#include <vector>

#include "fib/nexthop_group.hpp"

namespace rf::fib {

class V4PrefixMap {
public:
    static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // no prefix packs to this (length ≤ 32)

    struct Slot {
        std::uint64_t key = kEmpty;
        GroupId value = kNoGroup;
    };

    // Room for `n` keys without growing.
    void reserve(std::size_t n) {
        std::size_t cap = 16;
        while (3 * cap < 4 * n) {
            cap *= 2;
        }
        if (cap > slots_.size()) {
            rehash(cap);
        }
    }
    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] std::size_t capacity() const { return slots_.size(); }
    [[nodiscard]] std::size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

    // The value of `key`, or kNoGroup.
    [[nodiscard]] GroupId get(std::uint64_t key) const {
        if (size_ == 0) {
            return kNoGroup;
        }
        for (std::size_t i = home(key);; i = (i + 1) & mask_) {
            if (slots_[i].key == key) {
                return slots_[i].value;
            }
            if (slots_[i].key == kEmpty) {
                return kNoGroup;
            }
        }
    }
    // Sets `key` to `value` (kNoGroup erases) and returns the previous value (kNoGroup if none).
    GroupId put(std::uint64_t key, GroupId value) {
        if (value == kNoGroup) {
            return erase(key);
        }
        if (4 * (size_ + 1) > 3 * slots_.size()) {  // load factor ≤ 3/4
            rehash(slots_.empty() ? 16 : 2 * slots_.size());
        }
        std::size_t i = home(key);
        for (; slots_[i].key != kEmpty; i = (i + 1) & mask_) {
            if (slots_[i].key == key) {
                const GroupId old = slots_[i].value;
                slots_[i].value = value;
                return old;
            }
        }
        slots_[i] = Slot{key, value};
        ++size_;
        return kNoGroup;
    }
    // Where a lookup of `key` starts (to prefetch it).
    [[nodiscard]] const Slot* slot_of(std::uint64_t key) const {
        return slots_.empty() ? nullptr : &slots_[home(key)];
    }
    // Every (key, value), in table order.
    template <class Fn>
    void for_each(Fn fn) const {
        for (const Slot& s : slots_) {
            if (s.key != kEmpty) {
                fn(s.key, s.value);
            }
        }
    }

private:
    [[nodiscard]] std::size_t home(std::uint64_t key) const {
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 32) & mask_;
    }
    GroupId erase(std::uint64_t key) {
        if (size_ == 0) {
            return kNoGroup;
        }
        std::size_t i = home(key);
        for (; slots_[i].key != key; i = (i + 1) & mask_) {
            if (slots_[i].key == kEmpty) {
                return kNoGroup;
            }
        }
        const GroupId old = slots_[i].value;
        // Backward shift: pull later entries of the probe run into the hole so lookups stay correct
        // without tombstones.
        for (std::size_t j = (i + 1) & mask_; slots_[j].key != kEmpty; j = (j + 1) & mask_) {
            const std::size_t h = home(slots_[j].key);
            // Move j into i when its home is not in the (cyclic) range (i, j].
            if (((j - h) & mask_) >= ((j - i) & mask_)) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = Slot{};
        --size_;
        return old;
    }
    void rehash(std::size_t cap) {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(cap, Slot{});
        mask_ = cap - 1;
        size_ = 0;
        for (const Slot& s : old) {
            if (s.key != kEmpty) {
                std::size_t i = home(s.key);
                while (slots_[i].key != kEmpty) {
                    i = (i + 1) & mask_;
                }
                slots_[i] = s;
                ++size_;
            }
        }
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace rf::fib
