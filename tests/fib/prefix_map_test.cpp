// V4PrefixMap against std::map under random puts and erases (backward-shift deletion keeps every
// remaining key reachable), through growth.
#include "fib/prefix_map.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace rf::fib {
namespace {

TEST(V4PrefixMap, BehavesLikeAMapUnderRandomPutsAndErases) {
    V4PrefixMap m;
    std::map<std::uint64_t, GroupId> ref;
    std::mt19937_64 rng(3);
    for (int i = 0; i < 60000; ++i) {
        // Few distinct keys, so erases hit and probe runs collide; the default route's key 0 included.
        const std::uint64_t key = (rng() % 3000) << (i % 2 == 0 ? 8 : 20);
        const GroupId value = rng() % 4 == 0 ? kNoGroup : static_cast<GroupId>(1 + rng() % 100);
        auto it = ref.find(key);
        const GroupId before = it == ref.end() ? kNoGroup : it->second;
        ASSERT_EQ(m.put(key, value), before) << i;
        if (value == kNoGroup) {
            ref.erase(key);
        } else {
            ref[key] = value;
        }
        ASSERT_EQ(m.size(), ref.size());
        if (i % 499 == 0) {
            for (const auto& [k, v] : ref) {
                ASSERT_EQ(m.get(k), v) << "key " << k << " step " << i;
            }
            std::size_t seen = 0;
            m.for_each([&](std::uint64_t k, GroupId v) {
                ++seen;
                EXPECT_EQ(ref.at(k), v);
            });
            ASSERT_EQ(seen, ref.size());
        }
    }
    EXPECT_EQ(m.get(0xFFFFFF00ULL), kNoGroup);
}

}  // namespace
}  // namespace rf::fib
