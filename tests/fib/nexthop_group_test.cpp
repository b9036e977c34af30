#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "fib/dpdk.hpp"
#include "fib/nexthop_group.hpp"
#include "tests/fib/test_util.hpp"

namespace rf::fib {
namespace {

using test::A;

struct QsbrDeleter {
    void operator()(rte_rcu_qsbr* v) const { std::free(v); }
};

std::unique_ptr<rte_rcu_qsbr, QsbrDeleter> make_qsbr(unsigned readers) {
    const std::size_t size = (rte_rcu_qsbr_get_memsize(readers) + 63) / 64 * 64;
    auto* v = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(64, size));
    rte_rcu_qsbr_init(v, readers);
    return std::unique_ptr<rte_rcu_qsbr, QsbrDeleter>(v);
}

NextHop vng(std::initializer_list<const char*> addrs) {
    NextHop n{NextHopType::VirtualNetworkGateway, {}};
    for (const char* a : addrs) {
        n.addresses.push_back(A(a));
    }
    return n;
}

TEST(NextHopGroups, SameSetInAnyOrderIsTheSameGroup) {
    auto v = make_qsbr(4);
    GroupTable g(v.get(), 16);
    const GroupId a = g.acquire(vng({"10.1.1.4", "10.1.1.5"}));
    const GroupId b = g.acquire(vng({"10.1.1.5", "10.1.1.4", "10.1.1.5"}));
    EXPECT_EQ(a, b);
    EXPECT_EQ(g.refs(a), 2U);
    EXPECT_NE(g.acquire(vng({"10.1.1.4"})), a);
    NextHop appliance = vng({"10.1.1.4", "10.1.1.5"});
    appliance.type = NextHopType::VirtualAppliance;
    EXPECT_NE(g.acquire(appliance), a);
    const NextHopGroup* grp = g.get(a);
    ASSERT_NE(grp, nullptr);
    EXPECT_EQ(grp->members().size(), 2U);
    EXPECT_EQ(grp->members()[0], A("10.1.1.4"));
    EXPECT_TRUE(grp->intact());
}

TEST(NextHopGroups, PickSpreadsFlowsOverEveryMember) {
    auto v = make_qsbr(1);
    GroupTable g(v.get(), 4);
    const NextHopGroup* grp = g.get(g.acquire(vng({"10.0.0.1", "10.0.0.2", "10.0.0.3"})));
    std::map<net::IpAddress, int> hits;
    for (std::uint32_t h = 0; h < 3000; ++h) {
        ++hits[*grp->pick(h * 2654435761U)];
    }
    EXPECT_EQ(hits.size(), 3U);
    for (const auto& [a, n] : hits) {
        EXPECT_GT(n, 800) << a.to_string();
    }
    const NextHopGroup* none = g.get(g.acquire(NextHop{NextHopType::None, {}}));
    EXPECT_EQ(none->pick(7), nullptr);
}

TEST(NextHopGroups, ReleasedGroupIsFreedOnlyAfterEveryReaderPassedAQuiescentPoint) {
    auto v = make_qsbr(2);
    GroupTable g(v.get(), 8, /*quarantine=*/true);
    rte_rcu_qsbr_thread_register(v.get(), 0);
    rte_rcu_qsbr_thread_online(v.get(), 0);
    const GroupId id = g.acquire(vng({"10.0.0.1"}));
    const NextHopGroup* held = g.get(id);  // the reader's pointer
    g.release(id);
    g.retire_unused();
    EXPECT_EQ(g.reclaim(), 0U);  // the reader has not reported since
    EXPECT_EQ(g.get(id), held);
    EXPECT_TRUE(held->intact());
    EXPECT_EQ(g.stats().retired_pending, 1U);
    rte_rcu_qsbr_quiescent(v.get(), 0);
    EXPECT_EQ(g.reclaim(), 1U);
    EXPECT_EQ(g.get(id), nullptr);
    EXPECT_FALSE(held->live());  // quarantined and poisoned, not deleted
    EXPECT_EQ(g.stats().freed, 1U);
    // The id is reused for the next new group.
    EXPECT_EQ(g.acquire(vng({"10.0.0.9"})), id);
    rte_rcu_qsbr_thread_offline(v.get(), 0);
    rte_rcu_qsbr_thread_unregister(v.get(), 0);
}

TEST(NextHopGroups, GroupRevivedBeforeRetirementKeepsItsId) {
    auto v = make_qsbr(1);
    GroupTable g(v.get(), 8);
    const GroupId id = g.acquire(vng({"10.0.0.1"}));
    g.release(id);
    EXPECT_EQ(g.acquire(vng({"10.0.0.1"})), id);
    g.retire_unused();
    EXPECT_EQ(g.stats().retired_pending, 0U);
    EXPECT_NE(g.get(id), nullptr);
}

TEST(NextHopGroups, ExhaustionIsRefusedAndCounted) {
    auto v = make_qsbr(1);
    GroupTable g(v.get(), 3);  // ids 1 and 2
    EXPECT_NE(g.acquire(vng({"10.0.0.1"})), kNoGroup);
    EXPECT_NE(g.acquire(vng({"10.0.0.2"})), kNoGroup);
    EXPECT_EQ(g.acquire(vng({"10.0.0.3"})), kNoGroup);
    EXPECT_EQ(g.stats().exhausted, 1U);
}

}  // namespace
}  // namespace rf::fib
