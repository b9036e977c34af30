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

}  // namespace
}  // namespace rf::net
