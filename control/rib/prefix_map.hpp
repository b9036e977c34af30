// A flat hash map keyed by Prefix: open addressing, linear probing, backward-shift deletion, power-of-
// two capacity, at most 7/8 full. Entries live inline (no node per entry), so a lookup costs about one
// cache miss instead of the two or three of std::unordered_map. The RIB's tables (Loc-RIB, Adj-RIB-In)
// hold millions of entries and are touched once or twice per prefix per UPDATE.
//
// Any insert or erase may move entries: references and iteration are valid only until the next
// mutation of this map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "control/net/ip.hpp"

namespace rf::rib {

template <typename V>
class PrefixMap {
public:
    struct Entry {
        net::Prefix key;
        bool used = false;
        V value{};
    };

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }

    V* find(const net::Prefix& key) {
        if (size_ == 0) {
            return nullptr;
        }
        for (std::size_t i = home(key);; i = next(i)) {
            if (!slots_[i].used) {
                return nullptr;
            }
            if (slots_[i].key == key) {
                return &slots_[i].value;
            }
        }
    }
    const V* find(const net::Prefix& key) const { return const_cast<PrefixMap*>(this)->find(key); }  // NOLINT
    [[nodiscard]] bool contains(const net::Prefix& key) const { return find(key) != nullptr; }

    // The value for `key`, default-constructed and inserted if absent; .second tells which.
    std::pair<V*, bool> try_emplace(const net::Prefix& key) {
        if ((size_ + 1) * 8 > slots_.size() * 7) {
            grow();
        }
        std::size_t i = home(key);
        for (; slots_[i].used; i = next(i)) {
            if (slots_[i].key == key) {
                return {&slots_[i].value, false};
            }
        }
        slots_[i].used = true;
        slots_[i].key = key;
        slots_[i].value = V{};
        ++size_;
        return {&slots_[i].value, true};
    }

    void insert_or_assign(const net::Prefix& key, V value) { *try_emplace(key).first = std::move(value); }

    bool erase(const net::Prefix& key) {
        if (size_ == 0) {
            return false;
        }
        std::size_t i = home(key);
        for (;; i = next(i)) {
            if (!slots_[i].used) {
                return false;
            }
            if (slots_[i].key == key) {
                break;
            }
        }
        // Backward-shift: pull later entries of the probe run into the hole when that brings them no
        // further from their home slot, so lookups never need tombstones.
        std::size_t hole = i;
        for (std::size_t j = next(i);; j = next(j)) {
            if (!slots_[j].used) {
                break;
            }
            const std::size_t h = home(slots_[j].key);
            // j may move to `hole` if its home is not in the cyclic range (hole, j].
            const bool home_in_range = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
            if (!home_in_range) {
                slots_[hole] = std::move(slots_[j]);
                hole = j;
            }
        }
        slots_[hole].used = false;
        slots_[hole].value = V{};
        --size_;
        return true;
    }

    void clear() {
        slots_.clear();
        size_ = 0;
    }

    template <typename F>  // f(const net::Prefix&, V&)
    void for_each(F&& f) {
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            if (slots_[i].used) {
                f(slots_[i].key, slots_[i].value);
            }
        }
    }
    template <typename F>  // f(const net::Prefix&, const V&)
    void for_each(F&& f) const {
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            if (slots_[i].used) {
                f(slots_[i].key, slots_[i].value);
            }
        }
    }

private:
    [[nodiscard]] std::size_t home(const net::Prefix& key) const {
        return net::PrefixHash{}(key) & (slots_.size() - 1);
    }
    [[nodiscard]] std::size_t next(std::size_t i) const { return (i + 1) & (slots_.size() - 1); }

    void grow() {
        std::vector<Entry> old = std::move(slots_);
        const std::size_t cap = old.empty() ? 16 : old.size() * 2;
        slots_ = std::vector<Entry>(cap);
        for (std::size_t i = 0; i < old.size(); ++i) {
            if (old[i].used) {
                std::size_t j = home(old[i].key);
                while (slots_[j].used) {
                    j = next(j);
                }
                slots_[j] = std::move(old[i]);
            }
        }
    }

    std::vector<Entry> slots_;
    std::size_t size_ = 0;
};

}  // namespace rf::rib
