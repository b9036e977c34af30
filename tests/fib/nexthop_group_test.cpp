#include "fib/nexthop_group.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "fib/dpdk.hpp"
#include "tests/fib/vnet/test_util.hpp"

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
        ++hits[*grp->pick(ecmp::mix64(h))];
    }
    EXPECT_EQ(hits.size(), 3U);
    for (const auto& [a, n] : hits) {
        EXPECT_GT(n, 800) << a.to_string();
    }
    const NextHopGroup* none = g.get(g.acquire(NextHop{NextHopType::None, {}}));
    EXPECT_EQ(none->pick(7), nullptr);
}

std::vector<std::uint64_t> flow_hashes(std::size_t n) {
    std::vector<std::uint64_t> out;
    for (std::uint64_t i = 0; i < n; ++i) {
        out.push_back(ecmp::mix64(i * 0x2545F4914F6CDD1DULL + 12345));
    }
    return out;
}

// Rendezvous hashing: removing one member moves exactly the flows that were on it, every other flow
// keeps its member; adding it back restores every flow's previous member.
void expect_only_removed_members_flows_move(const std::vector<const char*>& members) {
    auto v = make_qsbr(1);
    GroupTable g(v.get(), 64);
    NextHop full{NextHopType::VirtualNetworkGateway, {}};
    for (const char* a : members) {
        full.addresses.push_back(A(a));
    }
    const NextHopGroup* all = g.get(g.acquire(full));
    const auto flows = flow_hashes(20000);
    for (std::size_t gone = 0; gone < members.size(); ++gone) {
        NextHop less = full;
        less.addresses.erase(less.addresses.begin() + static_cast<std::ptrdiff_t>(gone));
        const NextHopGroup* fewer = g.get(g.acquire(less));
        const net::IpAddress removed = A(members[gone]);
        std::size_t moved = 0;
        std::size_t on_removed = 0;
        for (std::uint64_t f : flows) {
            const net::IpAddress before = all->members()[all->pick_index(f)];
            const net::IpAddress after = fewer->members()[fewer->pick_index(f)];
            if (before == removed) {
                ++on_removed;
                EXPECT_NE(after, removed);
            } else {
                EXPECT_EQ(after, before) << "a flow not on " << removed.to_string() << " moved";
            }
            moved += before != after ? 1 : 0;
        }
        EXPECT_EQ(moved, on_removed);
        EXPECT_GT(on_removed, 0U);  // every member carried some flows
    }
}

TEST(NextHopGroups, RemovingAMemberMovesOnlyThatMembersFlowsV4) {
    expect_only_removed_members_flows_move({"10.1.1.4", "10.1.1.5", "10.1.1.6", "10.1.1.7", "10.1.1.8"});
}

TEST(NextHopGroups, RemovingAMemberMovesOnlyThatMembersFlowsV6) {
    expect_only_removed_members_flows_move({"fd00::4", "fd00::5", "fd00::6", "2001:db8::1"});
}

TEST(NextHopGroups, PickIsDeterministicAcrossGroupsAndMatchesTheSharedSelection) {
    auto v = make_qsbr(1);
    GroupTable g1(v.get(), 8);
    GroupTable g2(v.get(), 8);
    g2.acquire(vng({"10.9.9.9"}));  // different ids in the two tables
    const NextHopGroup* a = g1.get(g1.acquire(vng({"10.1.1.4", "10.1.1.5", "10.1.1.6"})));
    const NextHopGroup* b = g2.get(g2.acquire(vng({"10.1.1.6", "10.1.1.4", "10.1.1.5"})));
    ASSERT_NE(a->id(), b->id());
    const std::uint32_t raw[] = {0x0A010104, 0x0A010105, 0x0A010106};
    for (std::uint64_t f : flow_hashes(5000)) {
        EXPECT_EQ(a->members()[a->pick_index(f)], b->members()[b->pick_index(f)]);
        // The data plane selects on raw IPv4 addresses with fib::ecmp directly (dataplane/ecmp.hpp).
        const std::uint32_t i = ecmp::select(f, 3, [&raw](std::uint32_t k) { return ecmp::seed_v4(raw[k]); });
        EXPECT_EQ(a->members()[a->pick_index(f)].as_v4().value, raw[i]);
    }
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

TEST(NextHopGroups, RepointSwapsTheValueInPlaceAndFreesTheOldObjectAfterTheGracePeriod) {
    auto v = make_qsbr(2);
    GroupTable g(v.get(), 8, /*quarantine=*/true);
    rte_rcu_qsbr_thread_register(v.get(), 0);
    rte_rcu_qsbr_thread_online(v.get(), 0);
    const GroupId pair = g.acquire(vng({"10.0.0.1", "10.0.0.2"}));
    g.add_ref(pair);  // two prefixes use the pair
    const GroupId survivor = g.acquire(vng({"10.0.0.2"}));
    const NextHopGroup* held = g.get(pair);  // a reader in the middle of a burst

    ASSERT_TRUE(g.repoint(pair, survivor));
    EXPECT_EQ(g.stats().repointed, 1U);
    const NextHopGroup* now = g.get(pair);
    ASSERT_NE(now, held);
    EXPECT_EQ(now->id(), pair);
    EXPECT_EQ(now->value(), vng({"10.0.0.2"}));
    EXPECT_TRUE(now->intact());
    EXPECT_TRUE(held->intact());  // the reader's old object is untouched until it reports
    EXPECT_EQ(g.reclaim(), 0U);
    EXPECT_TRUE(held->live());
    // The repointed id is out of the value index: the old set gets a new group, the new set its own one.
    const GroupId again = g.acquire(vng({"10.0.0.1", "10.0.0.2"}));
    EXPECT_NE(again, pair);
    EXPECT_EQ(g.acquire(vng({"10.0.0.2"})), survivor);
    EXPECT_FALSE(g.repoint(pair, kNoGroup));
    EXPECT_FALSE(g.repoint(pair, pair));

    rte_rcu_qsbr_quiescent(v.get(), 0);
    g.reclaim();
    EXPECT_FALSE(held->live());  // quarantined and poisoned: the replaced object is gone

    // The prefixes move to `survivor`: the repointed id drains, retires and is freed like any other,
    // without taking the survivor's index entry with it.
    g.release(pair);
    g.release(pair);
    g.retire_unused();
    rte_rcu_qsbr_quiescent(v.get(), 0);
    EXPECT_EQ(g.reclaim(), 1U);
    EXPECT_EQ(g.get(pair), nullptr);
    EXPECT_EQ(g.acquire(vng({"10.0.0.2"})), survivor);
    EXPECT_EQ(g.refs(survivor), 3U);
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
