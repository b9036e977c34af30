// The flat hash map keyed by Prefix: open addressing, linear probing, backward-shift deletion, power-of-
// two capacity, at most 7/8 full. Entries live inline (no node per entry), so a lookup costs about one
// cache miss instead of the two or three of std::unordered_map. The RIB's tables (Loc-RIB, Adj-RIB-In)
// hold millions of entries and are touched once or twice per prefix per UPDATE.
//
// Memory: IPv4 and IPv6 prefixes live in two tables. An IPv4 prefix is stored as one 64-bit word
// (address << 8 | length; all ones marks a free slot), so an IPv4 slot is 8 bytes + the value instead
// of the 18-byte Prefix + a flag + padding. PrefixMap<PrefixMapEmpty> is a set: 8 bytes per IPv4
// slot.
//
// Growth without a peak: a table starts as one slot array; once that array would grow beyond
// kSplitSlots it is split into 256 shards chosen by the hash's top 8 bits, each its own slot array
// indexed by the low bits and growing on its own. Doubling a single array holds the old and the new
// one at the same time (1.5x the final array, e.g. 100 MB for a 67 MB Loc-RIB array); a shard's
// doubling copies about 1/256 of the table, so the transient is under 1% of the table. A lookup costs
// one more load (the shard's array pointer, from a 8 KiB directory that stays in cache).
//
// Any insert or erase may move entries: references and iteration are valid only until the next
// mutation of this map. for_each hands out a Prefix rebuilt from the stored key (a temporary), in an
// order that depends only on the keys and the history of inserts and erases (deterministic, not sorted).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "net/hash.hpp"
#include "net/ip.hpp"

namespace rf::net {

struct PrefixMapEmpty {};  // the value type of a prefix set

namespace prefix_map_detail {

struct V4Key {
    using Key = std::uint64_t;
    static constexpr Key kFree = ~std::uint64_t{0};
    static bool is_free(Key k) { return k == kFree; }
    static Key encode(const Prefix& p) { return (std::uint64_t{p.v4_address().value} << 8) | p.length; }
    static Prefix decode(Key k) {
        return Prefix::v4(Ipv4Address{static_cast<std::uint32_t>(k >> 8)},
                          static_cast<std::uint8_t>(k & 0xFF));
    }
    static std::size_t hash(Key k) { return static_cast<std::size_t>(mix64(k)); }
};

struct V6Key {
    using Key = Prefix;
    static constexpr std::uint8_t kFreeLength = 0xFF;  // no real prefix is longer than 128
    static Key free_key() {
        Key k;
        k.afi = Afi::Ipv6;
        k.length = kFreeLength;
        return k;
    }
    static bool is_free(const Key& k) { return k.length == kFreeLength; }
    static const Key& encode(const Prefix& p) { return p; }
    static const Prefix& decode(const Key& k) { return k; }
    static std::size_t hash(const Key& k) { return PrefixHash{}(k); }
};

// One open-addressing table; K gives the key encoding and the free-slot marker.
template <typename K, typename V>
class FlatTable {
public:
    using Key = typename K::Key;
    struct Entry {
        Key key;
        [[no_unique_address]] V value{};
    };

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] std::size_t capacity() const { return slots_.size(); }

    // `h` is K::hash(key): the sharded table computes it once for the shard and the slot.
    V* find(const Key& key, std::size_t h) {
        if (size_ == 0) {
            return nullptr;
        }
        for (std::size_t i = h & (slots_.size() - 1);; i = next(i)) {
            if (K::is_free(slots_[i].key)) {
                return nullptr;
            }
            if (slots_[i].key == key) {
                return &slots_[i].value;
            }
        }
    }

    // True if one more key would take the table past 7/8 full (insert_absent would grow it).
    [[nodiscard]] bool full() const { return (size_ + 1) * 8 > slots_.size() * 7; }

    // Inserts `key`, which must be absent, with a default value; grows the table first if it is full.
    V* insert_absent(const Key& key, std::size_t h) {
        if (full()) {
            grow(slots_.empty() ? 16 : slots_.size() * 2);
        }
        std::size_t i = h & (slots_.size() - 1);
        while (!K::is_free(slots_[i].key)) {
            i = next(i);
        }
        slots_[i].key = key;
        slots_[i].value = V{};
        ++size_;
        return &slots_[i].value;
    }

    // An empty table with `cap` slots (a power of two).
    void reset(std::size_t cap) {
        slots_ = std::vector<Entry>(cap);
        for (auto& e : slots_) {
            e.key = free_key();
        }
        size_ = 0;
    }

    bool erase(const Key& key, std::size_t h) {
        if (size_ == 0) {
            return false;
        }
        std::size_t i = h & (slots_.size() - 1);
        for (;; i = next(i)) {
            if (K::is_free(slots_[i].key)) {
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
            if (K::is_free(slots_[j].key)) {
                break;
            }
            const std::size_t jh = home(slots_[j].key);
            // j may move to `hole` if its home is not in the cyclic range (hole, j].
            const bool home_in_range = hole <= j ? (hole < jh && jh <= j) : (hole < jh || jh <= j);
            if (!home_in_range) {
                slots_[hole].key = slots_[j].key;
                slots_[hole].value = std::move(slots_[j].value);
                hole = j;
            }
        }
        slots_[hole].key = free_key();
        slots_[hole].value = V{};
        --size_;
        return true;
    }

    void clear() {
        slots_.clear();
        slots_.shrink_to_fit();
        size_ = 0;
    }

    template <typename F>
    void for_each(F&& f) {
        for (auto& e : slots_) {
            if (!K::is_free(e.key)) {
                f(K::decode(e.key), e.value);
            }
        }
    }
    template <typename F>
    void for_each(F&& f) const {
        for (const auto& e : slots_) {
            if (!K::is_free(e.key)) {
                f(K::decode(e.key), e.value);
            }
        }
    }
    template <typename F>  // f(Entry&) for every used slot
    void for_each_entry(F&& f) {
        for (auto& e : slots_) {
            if (!K::is_free(e.key)) {
                f(e);
            }
        }
    }

private:
    static Key free_key() {
        if constexpr (std::is_same_v<K, V4Key>) {
            return K::kFree;
        } else {
            return K::free_key();
        }
    }
    [[nodiscard]] std::size_t home(const Key& key) const { return K::hash(key) & (slots_.size() - 1); }
    [[nodiscard]] std::size_t next(std::size_t i) const { return (i + 1) & (slots_.size() - 1); }

    void grow(std::size_t cap) {
        std::vector<Entry> old = std::move(slots_);
        slots_ = std::vector<Entry>(cap);
        for (auto& e : slots_) {
            e.key = free_key();
        }
        for (auto& e : old) {
            if (!K::is_free(e.key)) {
                std::size_t j = home(e.key);
                while (!K::is_free(slots_[j].key)) {
                    j = next(j);
                }
                slots_[j].key = e.key;
                slots_[j].value = std::move(e.value);
            }
        }
    }

    std::vector<Entry> slots_;
    std::size_t size_ = 0;
};

// FlatTable split into 256 shards once it is large (see the top of the file).
template <typename K, typename V>
class ShardedTable {
public:
    using Key = typename K::Key;
    using Table = FlatTable<K, V>;
    using Entry = typename Table::Entry;
    static constexpr unsigned kShardBits = 8;
    static constexpr std::size_t kShards = std::size_t{1} << kShardBits;
    // The single array splits instead of growing past this many slots; each shard then starts with
    // 2 * kSplitSlots / kShards slots (the capacity the doubling would have given, spread out).
    static constexpr std::size_t kSplitSlots = 8192;
    static_assert(sizeof(std::size_t) == 8, "the shard index is the top 8 bits of a 64-bit hash");

    ShardedTable() : shards_(1) {}

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] std::size_t capacity() const {
        std::size_t n = 0;
        for (const auto& t : shards_) {
            n += t.capacity();
        }
        return n;
    }
    // Slots of the largest single array: what one growth step copies at most (and holds twice).
    [[nodiscard]] std::size_t largest_array() const {
        std::size_t n = 0;
        for (const auto& t : shards_) {
            n = std::max(n, t.capacity());
        }
        return n;
    }

    V* find(const Key& key) {
        const std::size_t h = K::hash(key);
        return shard(h).find(key, h);
    }

    std::pair<V*, bool> try_emplace(const Key& key) {
        const std::size_t h = K::hash(key);
        if (V* v = shard(h).find(key, h)) {
            return {v, false};  // finding an existing key never grows the table (nothing moves)
        }
        if (shards_.size() == 1 && shards_[0].full() && shards_[0].capacity() >= kSplitSlots) {
            split();
        }
        ++size_;
        return {shard(h).insert_absent(key, h), true};
    }

    bool erase(const Key& key) {
        const std::size_t h = K::hash(key);
        if (shard(h).erase(key, h)) {
            --size_;
            return true;
        }
        return false;
    }

    void clear() {
        shards_.clear();
        shards_.shrink_to_fit();
        shards_.resize(1);
        size_ = 0;
    }

    template <typename F>
    void for_each(F&& f) {
        for (auto& t : shards_) {
            t.for_each(f);
        }
    }
    template <typename F>
    void for_each(F&& f) const {
        for (const auto& t : shards_) {
            t.for_each(f);
        }
    }

private:
    Table& shard(std::size_t h) { return shards_.size() == 1 ? shards_[0] : shards_[h >> (64 - kShardBits)]; }

    void split() {
        Table old = std::move(shards_[0]);
        std::vector<Table> shards(kShards);
        for (auto& t : shards) {
            t.reset(2 * old.capacity() / kShards);
        }
        old.for_each_entry([&](Entry& e) {
            const std::size_t h = K::hash(e.key);
            *shards[h >> (64 - kShardBits)].insert_absent(e.key, h) = std::move(e.value);
        });
        shards_ = std::move(shards);
    }

    std::vector<Table> shards_;  // 1 (small table) or kShards
    std::size_t size_ = 0;
};

}  // namespace prefix_map_detail

template <typename V>
class PrefixMap {
public:
    [[nodiscard]] std::size_t size() const { return v4_.size() + v6_.size(); }
    [[nodiscard]] bool empty() const { return size() == 0; }
    // Bytes of the slot arrays (values' own heap blocks not included).
    [[nodiscard]] std::size_t slot_bytes() const {
        return v4_.capacity() * sizeof(typename V4Table::Entry) +
               v6_.capacity() * sizeof(typename V6Table::Entry);
    }
    // Bytes of the largest single slot array: the most a growth step allocates while the old array
    // is still held.
    [[nodiscard]] std::size_t largest_array_bytes() const {
        return std::max(v4_.largest_array() * sizeof(typename V4Table::Entry),
                        v6_.largest_array() * sizeof(typename V6Table::Entry));
    }

    V* find(const Prefix& key) {
        return key.is_v4() ? v4_.find(prefix_map_detail::V4Key::encode(key)) : v6_.find(key);
    }
    const V* find(const Prefix& key) const { return const_cast<PrefixMap*>(this)->find(key); }  // NOLINT
    [[nodiscard]] bool contains(const Prefix& key) const { return find(key) != nullptr; }

    // The value for `key`, default-constructed and inserted if absent; .second tells which.
    std::pair<V*, bool> try_emplace(const Prefix& key) {
        return key.is_v4() ? v4_.try_emplace(prefix_map_detail::V4Key::encode(key)) : v6_.try_emplace(key);
    }

    void insert_or_assign(const Prefix& key, V value) { *try_emplace(key).first = std::move(value); }

    bool erase(const Prefix& key) {
        return key.is_v4() ? v4_.erase(prefix_map_detail::V4Key::encode(key)) : v6_.erase(key);
    }

    void clear() {
        v4_.clear();
        v6_.clear();
    }

    template <typename F>  // f(const Prefix&, V&)
    void for_each(F&& f) {
        v4_.for_each(f);
        v6_.for_each(f);
    }
    template <typename F>  // f(const Prefix&, const V&)
    void for_each(F&& f) const {
        v4_.for_each(f);
        v6_.for_each(f);
    }

private:
    using V4Table = prefix_map_detail::ShardedTable<prefix_map_detail::V4Key, V>;
    using V6Table = prefix_map_detail::ShardedTable<prefix_map_detail::V6Key, V>;
    V4Table v4_;
    V6Table v6_;
};

}  // namespace rf::net
