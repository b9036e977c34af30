// PrefixMap (the RIB's flat hash map) against std::map under random inserts and erases, so that
// backward-shift deletion is exercised across growth and wrap-around.
#include "control/rib/prefix_map.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace rf::rib {
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

}  // namespace
}  // namespace rf::rib
