// The flat hash map keyed by Prefix: open addressing, linear probing, backward-shift deletion, power-of-
// two capacity, at most 7/8 full. Entries live inline (no node per entry), so a lookup costs about one
// cache miss instead of the two or three of std::unordered_map. The RIB's tables (Loc-RIB, Adj-RIB-In)
// hold millions of entries and are touched once or twice per prefix per UPDATE; the FIB keeps its BGP
// routes (prefix → next-hop group) and each lookup structure its prefix → route id map in it too.
//
// Memory: IPv4 and IPv6 prefixes live in two tables. An IPv4 prefix is stored as one 64-bit word
// (address << 8 | length; all ones marks a free slot), so an IPv4 slot is 8 bytes + the value instead
// of the 18-byte Prefix + a flag + padding. PrefixMap<PrefixMapEmpty> is a set: 8 bytes per IPv4
// slot.
//
// Growth without a peak (the default layout; PrefixMapLayout below): a table starts as one slot array; once
// that array would grow beyond kSplitSlots it is split into 256 shards chosen by the hash's top 8 bits, each
// its own slot array indexed by the low bits and growing on its own. Doubling a single array holds the old
// and the new one at the same time (1.5x the final array, e.g. 100 MB for a 67 MB Loc-RIB array); a shard's
// doubling copies about 1/256 of the table, so the transient is under 1% of the table. A lookup costs
// one more load (the shard's array pointer, from a 8 KiB directory that stays in cache). reserve() sizes
// the array, or the shards, once for a bulk load.
//
// Any insert or erase may move entries: references and iteration are valid only until the next
// mutation of this map. for_each hands out a Prefix rebuilt from the stored key (a temporary), in an
// order that depends only on the keys and the history of inserts and erases (deterministic, not sorted).
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "net/hash.hpp"
#include "net/ip.hpp"

namespace rf::net {

struct PrefixMapEmpty {};  // the value type of a prefix set

// An IPv4 prefix in the form the map stores it: one word, (address in host order, masked) << 8 | length.
// For callers that hold IPv4 prefixes as (address, length) pairs or packed words (the FIB's batch order
// and its lookup structures): the map takes them without a Prefix being built and taken apart again.
// Encoding and decoding are inline (no call into ip.cpp), so per-prefix loops stay inlined.
struct PackedV4Prefix {
    std::uint64_t word = 0;

    // `length` at most 32; host bits of `address` beyond it are cleared.
    static constexpr PackedV4Prefix of(std::uint32_t address, std::uint8_t length) {
        const std::uint32_t masked = length == 0 ? 0 : address & (~std::uint32_t{0} << (32 - length));
        return PackedV4Prefix{(std::uint64_t{masked} << 8) | length};
    }
    // `p` must be IPv4 (its bytes are masked already).
    static constexpr PackedV4Prefix of(const Prefix& p) {
        const std::uint32_t a = (std::uint32_t{p.bytes[0]} << 24) | (std::uint32_t{p.bytes[1]} << 16) |
                                (std::uint32_t{p.bytes[2]} << 8) | std::uint32_t{p.bytes[3]};
        return PackedV4Prefix{(std::uint64_t{a} << 8) | p.length};
    }
    [[nodiscard]] constexpr std::uint32_t address() const { return static_cast<std::uint32_t>(word >> 8); }
    [[nodiscard]] constexpr std::uint8_t length() const { return static_cast<std::uint8_t>(word & 0xFF); }
    [[nodiscard]] constexpr Prefix prefix() const {
        Prefix p;
        p.afi = Afi::Ipv4;
        p.length = length();
        const std::uint32_t a = address();
        p.bytes[0] = static_cast<std::uint8_t>(a >> 24);
        p.bytes[1] = static_cast<std::uint8_t>(a >> 16);
        p.bytes[2] = static_cast<std::uint8_t>(a >> 8);
        p.bytes[3] = static_cast<std::uint8_t>(a);
        return p;
    }
    constexpr auto operator<=>(const PackedV4Prefix&) const = default;
};

namespace prefix_map_detail {

// Prefetches the line at `address`. GCC counts __builtin_prefetch as no side effect, so a function that
// only prefetches is "pure" to it and a call to it, its result unused, is dropped whole once inlined
// (ipa-pure-const), prefetch included. The empty volatile asm is a side effect that keeps the call; it
// emits nothing.
inline void prefetch_line(const void* address) {
    __builtin_prefetch(address);
    asm volatile("");
}

// Slots needed to hold `keys` keys without growing: a power of two, at least 16, at most 7/8 full.
constexpr std::size_t slots_for(std::size_t keys) {
    std::size_t cap = 16;
    while (keys * 8 > cap * 7) {
        cap *= 2;
    }
    return cap;
}

struct V4Key {
    using Key = std::uint64_t;
    static constexpr Key kFree = ~std::uint64_t{0};
    static bool is_free(Key k) { return k == kFree; }
    static Key encode(const Prefix& p) { return PackedV4Prefix::of(p).word; }
    static Prefix decode(Key k) { return PackedV4Prefix{k}.prefix(); }
    static std::size_t hash(Key k) { return static_cast<std::size_t>(mix64(k)); }
};

// The same keys hashed for a single array: the upper half of a multiplication by 2^64 / golden ratio
// (Fibonacci hashing), rotated into the low bits the slot index is taken from. Fewer instructions than
// mix64, which a lookup loop bound by cache misses turns into more misses in flight; a sharded table
// cannot use it (its shard comes from the top bits, which this leaves poorly mixed).
struct V4ProductKey : V4Key {
    static std::size_t hash(Key k) { return static_cast<std::size_t>(std::rotl(k * kGolden, 32)); }
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

    // Where a lookup with hash `h` starts (to prefetch it); nullptr for an empty table.
    [[nodiscard]] const Entry* home_entry(std::size_t h) const {
        return slots_.empty() ? nullptr : &slots_[h & (slots_.size() - 1)];
    }

    // At least `cap` slots (a power of two) from now on.
    void reserve(std::size_t cap) {
        if (cap > slots_.size()) {
            grow(cap);
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
        if constexpr (std::is_base_of_v<V4Key, K>) {
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

    void prefetch(const Key& key) const {
        const std::size_t h = K::hash(key);
        prefetch_line(shard(h).home_entry(h));
    }

    // Room for `n` keys without growing: a single array up to kSplitSlots, past that the shards, each
    // with headroom over its share (the keys a shard gets vary around n / kShards by about the square
    // root of that; four times it keeps every shard of a bulk load from growing).
    void reserve(std::size_t n) {
        const std::size_t whole = slots_for(n);
        if (shards_.size() == 1 && whole <= kSplitSlots) {
            shards_[0].reserve(whole);
            return;
        }
        const std::size_t share = n / kShards;
        const auto spread = static_cast<std::size_t>(std::sqrt(static_cast<double>(share)));
        const std::size_t per_shard = std::max(slots_for(share + 4 * spread + 16), 2 * kSplitSlots / kShards);
        if (shards_.size() == 1) {
            split(per_shard);
            return;
        }
        for (auto& t : shards_) {
            t.reserve(per_shard);
        }
    }

    std::pair<V*, bool> try_emplace(const Key& key) {
        const std::size_t h = K::hash(key);
        if (V* v = shard(h).find(key, h)) {
            return {v, false};  // finding an existing key never grows the table (nothing moves)
        }
        if (shards_.size() == 1 && shards_[0].full() && shards_[0].capacity() >= kSplitSlots) {
            split(2 * shards_[0].capacity() / kShards);
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
    const Table& shard(std::size_t h) const {
        return shards_.size() == 1 ? shards_[0] : shards_[h >> (64 - kShardBits)];
    }

    // The single array becomes kShards arrays of `shard_slots` slots each.
    void split(std::size_t shard_slots) {
        Table old = std::move(shards_[0]);
        std::vector<Table> shards(kShards);
        for (auto& t : shards) {
            t.reset(shard_slots);
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

// One FlatTable that doubles as it grows (PrefixMapLayout::SingleArray), with ShardedTable's interface.
template <typename K, typename V>
class SingleTable {
public:
    using Key = typename K::Key;
    using Table = FlatTable<K, V>;
    using Entry = typename Table::Entry;

    [[nodiscard]] std::size_t size() const { return table_.size(); }
    [[nodiscard]] std::size_t capacity() const { return table_.capacity(); }
    [[nodiscard]] std::size_t largest_array() const { return table_.capacity(); }

    V* find(const Key& key) { return table_.find(key, K::hash(key)); }
    void prefetch(const Key& key) const { prefetch_line(table_.home_entry(K::hash(key))); }
    void reserve(std::size_t n) { table_.reserve(slots_for(n)); }

    std::pair<V*, bool> try_emplace(const Key& key) {
        const std::size_t h = K::hash(key);
        if (V* v = table_.find(key, h)) {
            return {v, false};
        }
        return {table_.insert_absent(key, h), true};
    }

    bool erase(const Key& key) { return table_.erase(key, K::hash(key)); }
    void clear() { table_.clear(); }

    template <typename F>
    void for_each(F&& f) {
        table_.for_each(f);
    }
    template <typename F>
    void for_each(F&& f) const {
        table_.for_each(f);
    }

private:
    Table table_;
};

}  // namespace prefix_map_detail

// How a PrefixMap keeps each family's slots:
//   Sharded      (the default) one array until kSplitSlots, then 256 shards that grow on their own, so
//                no growth step holds two copies of a large table: for tables that grow with what
//                peers send (the RIB's). IPv4 slots by mix64, which the shard index needs.
//   SingleArray  one array that doubles: one load less per lookup and a cheaper IPv4 hash (fewer
//                instructions, so more cache misses in flight in a loop over random keys), for maps
//                sized up front with reserve() before bulk loads and read at random in tight loops (the
//                FIB's BGP routes and its lookup structures' route ids). Growing past the reservation
//                holds the old and the new array at once.
enum class PrefixMapLayout : std::uint8_t { Sharded, SingleArray };

template <typename V, PrefixMapLayout Layout = PrefixMapLayout::Sharded>
class PrefixMap {
public:
    [[nodiscard]] std::size_t size() const { return v4_.size() + v6_.size(); }
    [[nodiscard]] std::size_t size(Afi family) const { return family == Afi::Ipv4 ? v4_.size() : v6_.size(); }
    [[nodiscard]] bool empty() const { return size() == 0; }
    // Room for `keys` prefixes of `family` in all without growing (a bulk load then allocates once).
    void reserve(Afi family, std::size_t keys) {
        if (family == Afi::Ipv4) {
            v4_.reserve(keys);
        } else {
            v6_.reserve(keys);
        }
    }
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
    V* find(PackedV4Prefix key) { return v4_.find(key.word); }
    const V* find(const Prefix& key) const { return const_cast<PrefixMap*>(this)->find(key); }   // NOLINT
    const V* find(PackedV4Prefix key) const { return const_cast<PrefixMap*>(this)->find(key); }  // NOLINT
    [[nodiscard]] bool contains(const Prefix& key) const { return find(key) != nullptr; }

    // The value of `key`, or `absent` when the map does not hold it.
    template <typename Key>
    [[nodiscard]] V value_or(const Key& key, const V& absent) const {
        const V* v = find(key);
        return v == nullptr ? absent : *v;
    }

    // Loads the cache line where a lookup of `key` starts: a loop over many keys in random order
    // prefetches a few keys ahead.
    void prefetch(const Prefix& key) const {
        if (key.is_v4()) {
            v4_.prefetch(prefix_map_detail::V4Key::encode(key));
        } else {
            v6_.prefetch(key);
        }
    }
    void prefetch(PackedV4Prefix key) const { v4_.prefetch(key.word); }

    // The value for `key`, default-constructed and inserted if absent; .second tells which.
    std::pair<V*, bool> try_emplace(const Prefix& key) {
        return key.is_v4() ? v4_.try_emplace(prefix_map_detail::V4Key::encode(key)) : v6_.try_emplace(key);
    }
    std::pair<V*, bool> try_emplace(PackedV4Prefix key) { return v4_.try_emplace(key.word); }

    void insert_or_assign(const Prefix& key, V value) { *try_emplace(key).first = std::move(value); }
    void insert_or_assign(PackedV4Prefix key, V value) { *try_emplace(key).first = std::move(value); }

    bool erase(const Prefix& key) {
        return key.is_v4() ? v4_.erase(prefix_map_detail::V4Key::encode(key)) : v6_.erase(key);
    }
    bool erase(PackedV4Prefix key) { return v4_.erase(key.word); }

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
    static constexpr bool kSharded = Layout == PrefixMapLayout::Sharded;
    using V4Table = std::conditional_t<kSharded, prefix_map_detail::ShardedTable<prefix_map_detail::V4Key, V>,
                                       prefix_map_detail::SingleTable<prefix_map_detail::V4ProductKey, V>>;
    using V6Table = std::conditional_t<kSharded, prefix_map_detail::ShardedTable<prefix_map_detail::V6Key, V>,
                                       prefix_map_detail::SingleTable<prefix_map_detail::V6Key, V>>;
    V4Table v4_;
    V6Table v6_;
};

}  // namespace rf::net
