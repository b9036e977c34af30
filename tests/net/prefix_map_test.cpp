// PrefixMap (the RIB's flat hash map) against std::map under random inserts and erases, so that
// backward-shift deletion is exercised across growth and wrap-around.
#include "net/prefix_map.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace rf::net {
namespace {

net::Prefix nth(std::uint32_t i) {
    return i % 3 == 0
               ? net::Prefix::v6(net::Ipv6Address{{0x20, 0x01, 0x0d, 0xb8, static_cast<std::uint8_t>(i >> 8),
                                                   static_cast<std::uint8_t>(i)}},
                                 48)
               : net::Prefix::v4(net::Ipv4Address{0x0A000000U + (i << 8)}, 24);
}

TEST(PrefixMap, BehavesLikeStdMapUnderRandomInsertsAndErases) {
    std::mt19937 rng(7);
    PrefixMap<std::uint32_t> m;
    std::map<net::Prefix, std::uint32_t> ref;
    for (int step = 0; step < 200000; ++step) {
        const auto p = nth(rng() % 5000);
        switch (rng() % 3) {
            case 0:
            case 1: {
                const std::uint32_t v = rng();
                auto [value, inserted] = m.try_emplace(p);
                EXPECT_EQ(inserted, ref.count(p) == 0);
                *value = v;
                ref[p] = v;
                break;
            }
            default:
                EXPECT_EQ(m.erase(p), ref.erase(p) == 1);
                break;
        }
        if (step % 10000 == 0) {
            ASSERT_EQ(m.size(), ref.size());
            for (const auto& [k, v] : ref) {
                const auto* got = m.find(k);
                ASSERT_NE(got, nullptr);
                EXPECT_EQ(*got, v);
            }
            std::size_t seen = 0;
            m.for_each([&](const net::Prefix& k, std::uint32_t v) {
                ++seen;
                EXPECT_EQ(ref.at(k), v);
            });
            EXPECT_EQ(seen, ref.size());
        }
    }
    for (std::uint32_t i = 0; i < 5000; ++i) {
        EXPECT_EQ(m.contains(nth(i)), ref.count(nth(i)) == 1);
    }
    m.clear();
    EXPECT_TRUE(m.empty());
    EXPECT_EQ(m.find(nth(1)), nullptr);
    EXPECT_FALSE(m.erase(nth(1)));
}

// The compact keys: IPv4 prefixes as one 64-bit word (all ones = free slot), IPv6 with length 255 as
// the free marker. The extreme prefixes of both families must be ordinary keys.
TEST(PrefixMap, ExtremePrefixesOfBothFamiliesAreOrdinaryKeys) {
    PrefixMap<PrefixMapEmpty> set;
    const std::vector<net::Prefix> edge{
        net::Prefix::v4(net::Ipv4Address{0}, 0), net::Prefix::v4(net::Ipv4Address{0xFFFFFFFFU}, 32),
        net::Prefix::v4(net::Ipv4Address{0xFFFFFF00U}, 24), net::Prefix::v6(net::Ipv6Address{}, 0),
        net::Prefix::v6(net::Ipv6Address{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff}},
                        128)};
    for (const auto& p : edge) {
        EXPECT_TRUE(set.try_emplace(p).second) << p.to_string();
    }
    for (const auto& p : edge) {
        EXPECT_FALSE(set.try_emplace(p).second) << p.to_string();
        EXPECT_TRUE(set.contains(p)) << p.to_string();
    }
    EXPECT_EQ(set.size(), edge.size());
    std::vector<net::Prefix> seen;
    set.for_each([&](const net::Prefix& p, const PrefixMapEmpty&) { seen.push_back(p); });
    std::sort(seen.begin(), seen.end());
    auto want = edge;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(seen, want);  // keys come back exactly (rebuilt from the compact form)
    for (const auto& p : edge) {
        EXPECT_TRUE(set.erase(p)) << p.to_string();
        EXPECT_FALSE(set.contains(p)) << p.to_string();
    }
    EXPECT_TRUE(set.empty());
    // A set slot costs 8 bytes for IPv4 (1,000 keys: 2,048 slots, at most 7/8 full).
    PrefixMap<PrefixMapEmpty> v4_set;
    for (std::uint32_t i = 0; i < 1000; ++i) {
        v4_set.try_emplace(net::Prefix::v4(net::Ipv4Address{0x0A000000U + (i << 8)}, 24));
    }
    EXPECT_EQ(v4_set.slot_bytes(), 2048U * 8U);
}

// Past 8,192 slots a table splits into 256 independently growing shards, so no growth step holds two
// copies of the whole table. 300,000 IPv4 and 100,000 IPv6 keys: every key found with its value through
// inserts, erases and re-inserts; the largest single slot array stays a small fraction of the total.
TEST(PrefixMap, LargeTablesGrowShardByShard) {
    PrefixMap<std::uint32_t> m;
    const auto key = [](std::uint32_t i) {
        return i % 4 == 3
                   ? net::Prefix::v6(
                         net::Ipv6Address{{0x20, 0x01, 0x0d, 0xb8, static_cast<std::uint8_t>(i >> 16),
                                           static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)}},
                         56)
                   : net::Prefix::v4(net::Ipv4Address{0x0A000000U + (i << 8)}, 24);
    };
    constexpr std::uint32_t kKeys = 400000;
    std::size_t largest = 0;
    std::size_t slots = 0;
    for (std::uint32_t i = 0; i < kKeys; ++i) {
        const auto [v, inserted] = m.try_emplace(key(i));
        ASSERT_TRUE(inserted) << i;
        *v = i * 7;
        if (m.slot_bytes() != slots) {  // arrays only change size when the slot total does
            slots = m.slot_bytes();
            largest = std::max(largest, m.largest_array_bytes());
        }
    }
    ASSERT_EQ(m.size(), kKeys);
    // 300,000 IPv4 entries of 16 bytes need at least 4.8 MB of slots. The largest array ever held is the
    // unsplit table at its 8,192-slot limit; a single table would have been one 8 MiB IPv4 array, doubled
    // from 4 MiB while both were held.
    EXPECT_GE(m.slot_bytes(), 300000U * 16U);
    EXPECT_LE(largest, 8192U * sizeof(std::pair<net::Prefix, std::uint32_t>));
    EXPECT_LE(largest * 16, m.slot_bytes());
    for (std::uint32_t i = 0; i < kKeys; i += 2) {
        ASSERT_TRUE(m.erase(key(i))) << i;
    }
    EXPECT_EQ(m.size(), kKeys / 2);
    for (std::uint32_t i = 0; i < kKeys; ++i) {
        const auto* v = m.find(key(i));
        if (i % 2 == 0) {
            ASSERT_EQ(v, nullptr) << i;
        } else {
            ASSERT_NE(v, nullptr) << i;
            ASSERT_EQ(*v, i * 7) << i;
        }
    }
    std::size_t seen = 0;
    m.for_each([&](const net::Prefix& p, std::uint32_t v) {
        ++seen;
        EXPECT_EQ(p, key(v / 7));
    });
    EXPECT_EQ(seen, kKeys / 2);
    for (std::uint32_t i = 0; i < kKeys; i += 2) {
        ASSERT_TRUE(m.try_emplace(key(i)).second) << i;
    }
    EXPECT_EQ(m.size(), kKeys);
    m.clear();
    EXPECT_TRUE(m.empty());
    EXPECT_EQ(m.slot_bytes(), 0U);
    EXPECT_TRUE(m.try_emplace(key(5)).second);
    EXPECT_NE(m.find(key(5)), nullptr);
}

// Both layouts (PrefixMapLayout) behave the same; the tests below run on each.
template <typename Map>
class PrefixMapLayouts : public ::testing::Test {};
using Layouts =
    ::testing::Types<PrefixMap<std::uint32_t>, PrefixMap<std::uint32_t, PrefixMapLayout::SingleArray>>;
TYPED_TEST_SUITE(PrefixMapLayouts, Layouts);

// Against std::map under random inserts and erases of both families, through growth (and, for the
// sharded layout, the split).
TYPED_TEST(PrefixMapLayouts, BehaveLikeStdMapUnderRandomInsertsAndErases) {
    std::mt19937 rng(11);
    TypeParam m;
    std::map<net::Prefix, std::uint32_t> ref;
    for (int step = 0; step < 100000; ++step) {
        const auto p = nth(rng() % 20000);
        if (rng() % 3 != 0) {
            const std::uint32_t v = rng();
            auto [value, inserted] = m.try_emplace(p);
            ASSERT_EQ(inserted, ref.count(p) == 0);
            *value = v;
            ref[p] = v;
        } else {
            ASSERT_EQ(m.erase(p), ref.erase(p) == 1);
        }
    }
    ASSERT_EQ(m.size(), ref.size());
    for (const auto& [k, v] : ref) {
        const auto* got = m.find(k);
        ASSERT_NE(got, nullptr);
        EXPECT_EQ(*got, v);
    }
    std::size_t seen = 0;
    m.for_each([&](const net::Prefix& k, std::uint32_t v) {
        ++seen;
        EXPECT_EQ(ref.at(k), v);
    });
    EXPECT_EQ(seen, ref.size());
}

// Packed IPv4 keys (the FIB's form) and Prefix keys name the same entries; packing masks host bits
// and round-trips every length, the default route included.
TYPED_TEST(PrefixMapLayouts, PackedIpv4KeysNameTheSameEntriesAsPrefixes) {
    for (std::uint8_t len = 0; len <= 32; ++len) {
        const net::Prefix p = net::Prefix::v4(net::Ipv4Address{0xC0A8FFFFU}, len);
        const PackedV4Prefix k = PackedV4Prefix::of(0xC0A8FFFFU, len);
        EXPECT_EQ(k, PackedV4Prefix::of(p)) << int{len};
        EXPECT_EQ(k.prefix(), p) << int{len};
        EXPECT_EQ(k.length(), len);
        EXPECT_EQ(k.address(), p.v4_address().value);
    }
    TypeParam m;
    m.insert_or_assign(PackedV4Prefix::of(0x0A000000U, 8), 1);
    m.insert_or_assign(net::Prefix::v4(net::Ipv4Address{0xC0000200U}, 24), 2);
    ASSERT_NE(m.find(net::Prefix::v4(net::Ipv4Address{0x0A000000U}, 8)), nullptr);
    EXPECT_EQ(*m.find(net::Prefix::v4(net::Ipv4Address{0x0A000000U}, 8)), 1U);
    EXPECT_EQ(m.value_or(PackedV4Prefix::of(0xC0000200U, 24), 0U), 2U);
    EXPECT_EQ(m.value_or(PackedV4Prefix::of(0xC0000200U, 25), 0U), 0U);
    EXPECT_FALSE(m.try_emplace(PackedV4Prefix::of(0xC0000201U, 24)).second);  // host bits masked
    EXPECT_TRUE(m.erase(PackedV4Prefix::of(0x0A000000U, 8)));
    EXPECT_FALSE(m.contains(net::Prefix::v4(net::Ipv4Address{0x0A000000U}, 8)));
    EXPECT_EQ(m.size(), 1U);
}

// Through packed keys against std::map under random puts and erases, through growth: few distinct
// keys, so erases hit and probe runs collide; the default route among them. value_or is the
// get-or-default the FIB uses (0 = no group).
TYPED_TEST(PrefixMapLayouts, PackedIpv4KeysBehaveLikeAMapUnderRandomPutsAndErases) {
    TypeParam m;
    std::map<std::uint64_t, std::uint32_t> ref;
    std::mt19937_64 rng(3);
    for (int i = 0; i < 60000; ++i) {
        const auto x = static_cast<std::uint32_t>(rng() % 3000);
        const PackedV4Prefix key =
            i % 2 == 0 ? PackedV4Prefix::of(x << 8, 24) : PackedV4Prefix::of(x << 20, 12);
        const std::uint32_t value = rng() % 4 == 0 ? 0 : static_cast<std::uint32_t>(1 + rng() % 100);
        auto it = ref.find(key.word);
        const std::uint32_t before = it == ref.end() ? 0 : it->second;
        ASSERT_EQ(m.value_or(key, 0U), before) << i;
        if (value == 0) {
            ASSERT_EQ(m.erase(key), before != 0) << i;
            ref.erase(key.word);
        } else {
            m.insert_or_assign(key, value);
            ref[key.word] = value;
        }
        ASSERT_EQ(m.size(Afi::Ipv4), ref.size());
        if (i % 499 == 0) {
            for (const auto& [k, v] : ref) {
                ASSERT_EQ(m.value_or(PackedV4Prefix{k}, 0U), v) << "key " << k << " step " << i;
            }
            std::size_t seen = 0;
            m.for_each([&](const net::Prefix& p, std::uint32_t v) {
                ++seen;
                EXPECT_EQ(ref.at(PackedV4Prefix::of(p).word), v);
            });
            ASSERT_EQ(seen, ref.size());
        }
    }
    EXPECT_EQ(m.value_or(PackedV4Prefix::of(0xFFFFFF00U, 24), 0U), 0U);
    m.insert_or_assign(PackedV4Prefix::of(0, 0), 7);
    EXPECT_EQ(m.value_or(net::Prefix::v4(net::Ipv4Address{0}, 0), 0U), 7U);
}

// reserve() sizes a family's table once: inserting up to the reserved count then allocates nothing,
// whether the table stays one array or (sharded layout) starts out sharded; the other family is
// untouched, and every key is found afterwards (prefetch is only a hint, on empty and full tables).
TYPED_TEST(PrefixMapLayouts, ReserveHoldsThatManyKeysWithoutGrowing) {
    for (const std::size_t n : {std::size_t{1000}, std::size_t{200000}}) {
        TypeParam m;
        m.prefetch(net::Prefix::v4(net::Ipv4Address{0x0A000000U}, 24));
        m.reserve(Afi::Ipv4, n);
        const std::size_t reserved = m.slot_bytes();
        EXPECT_GE(reserved, n * 16) << n;
        for (std::uint32_t i = 0; i < n; ++i) {
            const PackedV4Prefix k = PackedV4Prefix::of(0x0A000000U + (i << 8), 24);
            m.prefetch(k);
            ASSERT_TRUE(m.try_emplace(k).second) << i;
        }
        EXPECT_EQ(m.slot_bytes(), reserved) << n;
        EXPECT_EQ(m.size(Afi::Ipv4), n);
        EXPECT_EQ(m.size(Afi::Ipv6), 0U);
        for (std::uint32_t i = 0; i < n; ++i) {
            ASSERT_TRUE(m.contains(net::Prefix::v4(net::Ipv4Address{0x0A000000U + (i << 8)}, 24))) << i;
        }
        m.reserve(Afi::Ipv4, n / 2);  // never shrinks
        EXPECT_EQ(m.slot_bytes(), reserved);
    }
    TypeParam m6;
    m6.reserve(Afi::Ipv6, 5000);
    const std::size_t reserved = m6.slot_bytes();
    for (std::uint32_t i = 0; i < 5000; ++i) {
        const auto p =
            net::Prefix::v6(net::Ipv6Address{{0x20, 0x01, 0x0d, 0xb8, static_cast<std::uint8_t>(i >> 8),
                                              static_cast<std::uint8_t>(i)}},
                            48);
        m6.prefetch(p);
        ASSERT_TRUE(m6.try_emplace(p).second) << i;
    }
    EXPECT_EQ(m6.slot_bytes(), reserved);
    EXPECT_EQ(m6.size(Afi::Ipv6), 5000U);
}

}  // namespace
}  // namespace rf::net
