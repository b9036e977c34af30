// SmallVector against std::vector: the same operations give the same contents, inline and on the heap,
// and every element constructed is destroyed once (a live-count element type).
#include "net/small_vector.hpp"

#include <gtest/gtest.h>

#include <random>
#include <span>
#include <string>
#include <vector>

namespace rf::net {
namespace {

// Counts live instances; a leak or a double destroy shows in `live`.
struct Tracked {
    static inline int live = 0;
    std::string value;  // non-trivial: moves and destroys must run
    Tracked() { ++live; }
    explicit Tracked(int v) : value(std::to_string(v)) { ++live; }
    Tracked(const Tracked& o) : value(o.value) { ++live; }
    Tracked(Tracked&& o) noexcept : value(std::move(o.value)) { ++live; }
    Tracked& operator=(const Tracked&) = default;
    Tracked& operator=(Tracked&&) noexcept = default;
    ~Tracked() { --live; }
    auto operator<=>(const Tracked& o) const = default;
};

template <typename V>
std::vector<std::string> values(const V& v) {
    std::vector<std::string> out;
    for (const auto& t : v) {
        out.push_back(t.value);
    }
    return out;
}

TEST(SmallVector, StaysInlineUpToItsCapacityThenMovesToTheHeap) {
    SmallVector<int, 2> v;
    EXPECT_TRUE(v.is_inline());
    v.push_back(1);
    v.push_back(2);
    EXPECT_TRUE(v.is_inline());
    EXPECT_EQ(v.capacity(), 2U);
    v.push_back(3);
    EXPECT_FALSE(v.is_inline());
    EXPECT_EQ((std::vector<int>(v.begin(), v.end())), (std::vector<int>{1, 2, 3}));
    v.clear();
    EXPECT_TRUE(v.empty());
}

TEST(SmallVector, CopiesAndMovesKeepContentsAndLeaveTheSourceEmpty) {
    for (std::size_t n : {0U, 1U, 2U, 3U, 9U}) {
        SmallVector<Tracked, 2> a;
        for (std::size_t i = 0; i < n; ++i) {
            a.emplace_back(static_cast<int>(i));
        }
        SmallVector<Tracked, 2> copy = a;
        EXPECT_EQ(copy, a);
        SmallVector<Tracked, 2> moved = std::move(a);
        EXPECT_EQ(moved, copy);
        EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
        SmallVector<Tracked, 2> assigned{Tracked(42), Tracked(43), Tracked(44)};
        assigned = std::move(moved);
        EXPECT_EQ(assigned, copy);
        assigned = copy;
        EXPECT_EQ(assigned, copy);
        const auto& same = assigned;
        assigned = same;  // self-assignment keeps the contents
        EXPECT_EQ(assigned, copy);
    }
    EXPECT_EQ(Tracked::live, 0);
}

TEST(SmallVector, BehavesLikeStdVectorUnderRandomEdits) {
    std::mt19937 rng(11);
    {
        SmallVector<Tracked, 3> v;
        std::vector<Tracked> ref;
        for (int step = 0; step < 20000; ++step) {
            const int x = static_cast<int>(rng() % 1000);
            switch (rng() % 8) {
                case 0:
                case 1:
                    v.push_back(Tracked(x));
                    ref.push_back(Tracked(x));
                    break;
                case 2: {
                    const std::size_t at = ref.empty() ? 0 : rng() % (ref.size() + 1);
                    v.insert(v.begin() + at, Tracked(x));
                    ref.insert(ref.begin() + static_cast<std::ptrdiff_t>(at), Tracked(x));
                    break;
                }
                case 3: {
                    const std::size_t at = ref.empty() ? 0 : rng() % (ref.size() + 1);
                    const std::size_t k = rng() % 4;
                    v.insert(v.begin() + at, k, Tracked(x));
                    ref.insert(ref.begin() + static_cast<std::ptrdiff_t>(at), k, Tracked(x));
                    break;
                }
                case 4:
                    if (!ref.empty()) {
                        const std::size_t at = rng() % ref.size();
                        v.erase(v.begin() + at);
                        ref.erase(ref.begin() + static_cast<std::ptrdiff_t>(at));
                    }
                    break;
                case 5: {
                    const std::size_t n = rng() % 8;
                    v.resize(n);
                    ref.resize(n);
                    break;
                }
                case 6:
                    erase_if(v, [x](const Tracked& t) { return t.value == std::to_string(x % 10); });
                    std::erase_if(ref, [x](const Tracked& t) { return t.value == std::to_string(x % 10); });
                    break;
                default:
                    if (!ref.empty()) {
                        v.push_back(v.front());  // an element of the vector itself, while it may grow
                        ref.push_back(Tracked(ref.front()));
                    }
                    break;
            }
            ASSERT_EQ(values(v), values(ref)) << "step " << step;
        }
    }
    EXPECT_EQ(Tracked::live, 0);
}

TEST(SmallVector, OrdersLikeStdVectorAndIsAContiguousRange) {
    const SmallVector<int, 2> a{1, 2};
    const SmallVector<int, 2> b{1, 2, 0};
    const SmallVector<int, 2> c{1, 3};
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    EXPECT_EQ(a, (SmallVector<int, 2>{1, 2}));
    EXPECT_NE(a, b);
    const std::span<const int> s(b);
    EXPECT_EQ(s.size(), 3U);
    EXPECT_EQ(s.data(), b.data());
}

}  // namespace
}  // namespace rf::net
