// ECMP member selection as the forwarding path runs it (GroupView::pick, the FIB's rendezvous selection
// over the members' addresses): flows stay on their member while the set is unchanged, removing a member
// moves only that member's flows (resilient), adding one moves only the flows it now wins, load is
// balanced. And the flow hash that feeds it.
#include "fib/ecmp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "dataplane/flow_hash.hpp"
#include "dataplane/route_source.hpp"

using namespace rf::dataplane;

namespace {
std::vector<std::uint64_t> flows(std::size_t n) {
    std::mt19937_64 rng(7);
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(flow_hash(static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()),
                                static_cast<std::uint16_t>(rng()), static_cast<std::uint16_t>(rng()), 17));
    return out;
}
// An IPv4 group over `members` (host order) as a route source hands it to the forwarding path: the
// addresses in network order, no precomputed seeds.
struct Group {
    std::vector<std::uint8_t> bytes;
    GroupView view;
    explicit Group(const std::vector<std::uint32_t>& members) {
        for (std::uint32_t a : members)
            bytes.insert(bytes.end(), {static_cast<std::uint8_t>(a >> 24), static_cast<std::uint8_t>(a >> 16),
                                       static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a)});
        view.kind = NextHopKind::Ip;
        view.count = static_cast<std::uint32_t>(members.size());
        view.members = bytes.data();
    }
};
std::uint32_t pick_index(std::uint64_t f, const std::vector<std::uint32_t>& m) {
    return Group(m).view.pick(f);
}
std::uint32_t pick(std::uint64_t f, const std::vector<std::uint32_t>& m) {
    return m[pick_index(f, m)];
}
}  // namespace

TEST(Ecmp, FlowHashDependsOnEveryTupleField) {
    const auto base = flow_hash(1, 2, 3, 4, 17);
    EXPECT_NE(base, flow_hash(9, 2, 3, 4, 17));
    EXPECT_NE(base, flow_hash(1, 9, 3, 4, 17));
    EXPECT_NE(base, flow_hash(1, 2, 9, 4, 17));
    EXPECT_NE(base, flow_hash(1, 2, 3, 9, 17));
    EXPECT_NE(base, flow_hash(1, 2, 3, 4, 6));
    EXPECT_EQ(base, flow_hash(FiveTuple{1, 2, 3, 4, 17}));
}

TEST(Ecmp, SameFlowSameMemberWhileGroupUnchanged) {
    const std::vector<std::uint32_t> m{0x0A010104, 0x0A010105, 0x0A010106, 0x0A010107};
    for (auto f : flows(2000)) {
        const auto first = pick(f, m);
        for (int i = 0; i < 3; ++i)
            EXPECT_EQ(first, pick(f, m));
    }
}

TEST(Ecmp, ChoiceIndependentOfMemberOrder) {
    std::vector<std::uint32_t> m{0x0A010104, 0x0A010105, 0x0A010106, 0x0A010107, 0x0A010108};
    auto shuffled = m;
    std::reverse(shuffled.begin(), shuffled.end());
    for (auto f : flows(2000))
        EXPECT_EQ(pick(f, m), pick(f, shuffled));
}

TEST(Ecmp, RemovingAMemberMovesOnlyItsFlows) {
    const std::vector<std::uint32_t> before{0x0A010104, 0x0A010105, 0x0A010106, 0x0A010107};
    const std::uint32_t removed = 0x0A010106;
    std::vector<std::uint32_t> after;
    std::copy_if(before.begin(), before.end(), std::back_inserter(after),
                 [&](auto a) { return a != removed; });
    std::size_t moved = 0, on_removed = 0;
    for (auto f : flows(20000)) {
        const auto b = pick(f, before);
        const auto a = pick(f, after);
        if (b == removed) {
            ++on_removed;
            EXPECT_NE(a, removed);
        } else {
            EXPECT_EQ(a, b) << "a flow not on the removed member moved";
        }
        moved += a != b;
    }
    EXPECT_EQ(moved, on_removed);
    EXPECT_GT(on_removed, 0U);
}

TEST(Ecmp, AddingAMemberMovesFlowsOnlyToIt) {
    const std::vector<std::uint32_t> before{0x0A010104, 0x0A010105, 0x0A010106};
    auto after = before;
    after.push_back(0x0A010107);
    std::size_t moved = 0;
    const auto fs = flows(20000);
    for (auto f : fs) {
        const auto b = pick(f, before);
        const auto a = pick(f, after);
        if (a != b) {
            EXPECT_EQ(a, 0x0A010107U);
            ++moved;
        }
    }
    // About 1/4 of the flows move to the new member.
    EXPECT_GT(moved, fs.size() / 5);
    EXPECT_LT(moved, fs.size() / 3);
}

TEST(Ecmp, LoadIsBalanced) {
    const std::vector<std::uint32_t> m{0x0A010104, 0x0A010105, 0x0A010106, 0x0A010107,
                                       0x0A010108, 0x0A010109, 0x0A01010A, 0x0A01010B};
    std::vector<std::size_t> count(m.size());
    const auto fs = flows(80000);
    for (auto f : fs)
        ++count[pick_index(f, m)];
    for (auto c : count) {
        EXPECT_GT(c, fs.size() / m.size() * 9 / 10);
        EXPECT_LT(c, fs.size() / m.size() * 11 / 10);
    }
}

TEST(Ecmp, SingleMemberAlwaysChosen) {
    const std::uint32_t one = 0x0A010104;
    for (auto f : flows(100))
        EXPECT_EQ(pick_index(f, {one}), 0U);
}

TEST(Ecmp, SeedsFromAddressesPickWhatPrecomputedSeedsPick) {
    const std::vector<std::uint32_t> m{0x0A010104, 0x0A010105, 0x0A010106, 0x0A010107, 0x0A010108};
    std::vector<std::uint64_t> seeds;
    for (std::uint32_t a : m)
        seeds.push_back(rf::fib::ecmp::seed_v4(a));
    Group with_seeds(m);
    with_seeds.view.seeds = seeds.data();
    for (auto f : flows(2000))
        EXPECT_EQ(with_seeds.view.pick(f), pick_index(f, m));
}
