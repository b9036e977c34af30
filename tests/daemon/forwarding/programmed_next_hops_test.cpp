// ProgrammedNextHops, the next hops the convergence observer keeps per prefix: withdrawals drop a prefix,
// other deltas replace its set, distinct sets are stored once and freed with their last prefix, and
// for_each_using finds the prefixes a dead next hop carried. Prints the heap it holds per route (glibc's
// in-use bytes) beside the unordered_map of vectors it replaced, for docs/benchmarks.md.
#include "daemon/forwarding/programmed_next_hops.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdio>
#include <memory>
#include <unordered_map>
#include <vector>

namespace rf::daemon {
namespace {

net::IpAddress v4(const char* text) {
    return *net::IpAddress::parse(text);
}
net::Prefix prefix(const char* text) {
    return *net::Prefix::parse(text);
}

fib::RouteDelta delta(std::uint64_t sequence, const char* p, std::vector<net::IpAddress> next_hops) {
    return fib::RouteDelta{sequence, prefix(p), std::move(next_hops)};
}

TEST(ProgrammedNextHops, KeepsTheLastSetOfEachPrefixAndDropsWithdrawnOnes) {
    ProgrammedNextHops programmed;
    const std::vector<fib::RouteDelta> first{delta(1, "10.1.0.0/24", {v4("10.0.0.1"), v4("10.0.0.2")}),
                                             delta(2, "10.2.0.0/24", {v4("10.0.0.1"), v4("10.0.0.2")}),
                                             delta(3, "2001:db8::/32", {v4("10.0.0.3")})};
    programmed.apply(first);
    EXPECT_EQ(programmed.size(), 3U);
    EXPECT_EQ(programmed.distinct_sets(), 2U);
    ASSERT_EQ(programmed.find(prefix("10.1.0.0/24")).size(), 2U);
    EXPECT_EQ(programmed.find(prefix("10.1.0.0/24"))[1], v4("10.0.0.2"));

    const std::vector<fib::RouteDelta> second{delta(4, "10.1.0.0/24", {v4("10.0.0.3")}),
                                              delta(5, "10.2.0.0/24", {})};
    programmed.apply(second);
    EXPECT_EQ(programmed.size(), 2U);
    EXPECT_TRUE(programmed.find(prefix("10.2.0.0/24")).empty());
    ASSERT_EQ(programmed.find(prefix("10.1.0.0/24")).size(), 1U);
    EXPECT_EQ(programmed.find(prefix("10.1.0.0/24"))[0], v4("10.0.0.3"));
    EXPECT_EQ(programmed.distinct_sets(), 1U);  // {10.0.0.1, 10.0.0.2} went with its last prefix
    EXPECT_TRUE(programmed.find(prefix("10.9.0.0/24")).empty());
}

TEST(ProgrammedNextHops, ForEachUsingFindsThePrefixesADeadNextHopCarried) {
    ProgrammedNextHops programmed;
    const std::vector<fib::RouteDelta> batch{delta(1, "10.1.0.0/24", {v4("10.0.0.1"), v4("10.0.0.2")}),
                                             delta(2, "10.2.0.0/24", {v4("10.0.0.2")}),
                                             delta(3, "10.3.0.0/24", {v4("10.0.0.3")})};
    programmed.apply(batch);
    const std::vector<net::IpAddress> dead{v4("10.0.0.2")};
    std::vector<net::Prefix> hit;
    programmed.for_each_using(dead, [&](const net::Prefix& p) { hit.push_back(p); });
    std::sort(hit.begin(), hit.end());
    ASSERT_EQ(hit.size(), 2U);
    EXPECT_EQ(hit[0], prefix("10.1.0.0/24"));
    EXPECT_EQ(hit[1], prefix("10.2.0.0/24"));
    const std::vector<net::IpAddress> unused{v4("10.0.0.9")};
    programmed.for_each_using(unused, [&](const net::Prefix&) { ADD_FAILURE() << "no prefix uses it"; });
}

// 100,000 IPv4 /24 routes over four ECMP pairs of next hops (a few NVAs announcing many prefixes).
std::vector<fib::RouteDelta> many_routes() {
    constexpr std::uint32_t kRoutes = 100000;
    std::vector<fib::RouteDelta> batch;
    batch.reserve(kRoutes);
    for (std::uint32_t i = 0; i < kRoutes; ++i) {
        const std::uint32_t nva = i % 4;
        batch.push_back(fib::RouteDelta{i + 1,
                                        net::Prefix::v4(net::Ipv4Address{0x0A000000U + (i << 8)}, 24),
                                        {net::IpAddress::v4(net::Ipv4Address{0x64400000U + 2 * nva}),
                                         net::IpAddress::v4(net::Ipv4Address{0x64400001U + 2 * nva})}});
    }
    return batch;
}

std::size_t heap_in_use() {
    return mallinfo2().uordblks;
}

TEST(ProgrammedNextHops, MemoryPerRoute) {
    const std::vector<fib::RouteDelta> batch = many_routes();
    const double routes = static_cast<double>(batch.size());

    const std::size_t before = heap_in_use();
    auto programmed = std::make_unique<ProgrammedNextHops>();
    programmed->apply(batch);
    const std::size_t used = heap_in_use() - before;
    EXPECT_EQ(programmed->size(), batch.size());
    EXPECT_EQ(programmed->distinct_sets(), 4U);

    // What the forwarding module kept before: a vector of next hops per prefix in an unordered_map.
    const std::size_t before_map = heap_in_use();
    auto per_prefix =
        std::make_unique<std::unordered_map<net::Prefix, std::vector<net::IpAddress>, net::PrefixHash>>();
    for (const fib::RouteDelta& d : batch) {
        (*per_prefix)[d.prefix] = d.next_hops;
    }
    const std::size_t used_map = heap_in_use() - before_map;
    if (used_map == 0) {
        GTEST_SKIP() << "heap statistics are not available here (a sanitizer's allocator answers mallinfo2)";
    }

    std::printf(
        "ProgrammedNextHops: %.1f bytes/route measured (%.1f by memory_bytes()); "
        "unordered_map<Prefix, vector<IpAddress>>: %.1f bytes/route (%zu routes, 4 next-hop sets)\n",
        static_cast<double>(used) / routes, static_cast<double>(programmed->memory_bytes()) / routes,
        static_cast<double>(used_map) / routes, batch.size());
    EXPECT_LT(used, used_map);
}

}  // namespace
}  // namespace rf::daemon
