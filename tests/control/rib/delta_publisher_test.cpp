// Delta publishing (control/rib/delta_publisher.hpp): a peer-down sweep as one batch, the next-hops-down
// hint before it, and back-pressure (refused batches pending, coalesced, retried without gaps).
#include <gtest/gtest.h>

#include <algorithm>

#include "control/rib/rib.hpp"
#include "fib/delta/queue.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

// ------------------------------------------------------------------------------------------- peer down

TEST_F(RibTest, PeerDownWithdrawsEverythingInOneBatch) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 100)));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), slash24s(50, 100)));
    EXPECT_EQ(sink.fib.size(), 150U);
    const auto before = sink.batches.size();
    down(1);
    ASSERT_EQ(sink.batches.size(), before + 1);
    const auto& batch = sink.batches.back();
    EXPECT_EQ(batch.size(), 100U);  // 50 withdrawn, 50 shrunk to peer 2's next hop
    EXPECT_EQ(
        std::count_if(batch.begin(), batch.end(), [](const RouteDelta& d) { return d.is_withdrawal(); }), 50);
    EXPECT_EQ(sink.fib.size(), 100U);
    EXPECT_EQ(views[3].table.size(), 100U);
    EXPECT_EQ(views[2].table.size(), 0U);  // peer 2 now holds only its own routes' best
    for (const auto& [p, r] : views[3].table) {
        EXPECT_EQ(r.next_hops, std::vector{A("100.64.0.2")});
    }
    EXPECT_FALSE(rib.is_up(1));
    rib.peer_down(1);  // idempotent
}

// BGP PIC edge: before the batch, the sink learns which next hops only the down peer's paths used.
TEST_F(RibTest, PeerDownHintsTheNextHopsNoOtherSessionUses) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 10)));
    send(1, v4_update(attrs({65001, 65100}, "100.64.0.9"), slash24s(20, 5)));  // a second next hop
    send(1, v4_update(attrs({65001}, "100.64.0.3"), {"10.99.0.0/16"}));        // a third party's address
    send(3, v4_update(attrs({65003}, "100.64.0.3"), {"10.98.0.0/16"}));        // which peer 3 uses too
    send(2, v4_update(attrs({65002}, "100.64.0.2"), slash24s(0, 10)));
    // A replaced path gives its next hop back: peer 1's 10.99/16 moves from .3 to .9 and back to .3.
    send(1, v4_update(attrs({65001}, "100.64.0.9"), {"10.99.0.0/16"}));
    send(1, v4_update(attrs({65001}, "100.64.0.3"), {"10.99.0.0/16"}));
    const std::size_t batches = sink.batches.size();
    down(1);
    ASSERT_EQ(sink.hints.size(), 1U);
    EXPECT_EQ(sink.hints[0], (std::vector{A("100.64.0.1"), A("100.64.0.9")}))
        << "not .3: peer 3 has a path through it";
    EXPECT_EQ(sink.hint_before_batch[0], batches) << "the hint comes before the batch";
    ASSERT_EQ(sink.batches.size(), batches + 1);

    // Withdrawn paths give their next hops back too: peer 3 withdraws, then goes down with nothing.
    send(3, v4_withdraw({"10.98.0.0/16"}));
    down(3);
    EXPECT_EQ(sink.hints.size(), 1U) << "peer 3 had no path left";
    // Peer 2's next hop dies with it.
    down(2);
    ASSERT_EQ(sink.hints.size(), 2U);
    EXPECT_EQ(sink.hints[1], std::vector{A("100.64.0.2")});
}

TEST_F(RibTest, NoHintWhileAnotherSessionOfTheNeighborKeepsTheNextHop) {
    up(instance_session(11, 7, 65007, "10.1.0.7"));
    up(instance_session(12, 7, 65007, "10.1.0.7"));
    up(2, 65002);
    const auto a = attrs({65007}, "100.64.0.7");
    send(11, v4_update(a, {"10.10.0.0/16"}));
    send(12, v4_update(a, {"10.10.0.0/16"}));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    down(11);
    EXPECT_TRUE(sink.hints.empty());
    down(12);
    ASSERT_EQ(sink.hints.size(), 1U);
    EXPECT_EQ(sink.hints[0], std::vector{A("100.64.0.7")});
    EXPECT_EQ(sink.fib.at(P("10.10.0.0/16")), std::vector{A("100.64.0.2")});
}

// --------------------------------------------------------------------------------------- back-pressure

TEST_F(RibTest, RefusedDeltasArePendingCoalescedAndRetriedWithoutGaps) {
    up(1, 65001);
    up(2, 65002);
    sink.refuse = true;
    send(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.10.0.0/16", "10.11.0.0/16"}));
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.10.0.0/16"}));
    send(1, v4_withdraw({"10.11.0.0/16"}));
    EXPECT_EQ(rib.stats().pending_deltas, 2U);  // one per prefix, latest state
    EXPECT_GE(rib.stats().delta_refusals, 3U);
    EXPECT_TRUE(sink.batches.empty());
    EXPECT_FALSE(rib.flush_deltas());
    sink.refuse = false;
    EXPECT_TRUE(rib.flush_deltas());
    ASSERT_EQ(sink.batches.size(), 1U);
    EXPECT_EQ(sink.batches[0][0].sequence, 1U);
    EXPECT_EQ(sink.fib.size(), 1U);
    const std::vector<net::IpAddress> ecmp{A("100.64.0.1"), A("100.64.0.2")};
    EXPECT_EQ(sink.fib[P("10.10.0.0/16")], ecmp);
    EXPECT_EQ(rib.stats().pending_deltas, 0U);
    // The next call publishes right away, continuing the sequence.
    send(1, v4_withdraw({"10.10.0.0/16"}));
    EXPECT_EQ(sink.batches.back()[0].sequence, 3U);
}

TEST(BoundedDeltaQueue, RefusesWhatDoesNotFitAndCountsIt) {
    BoundedDeltaQueue q(4);
    std::vector<RouteDelta> three(3);
    EXPECT_TRUE(q.publish(three));
    EXPECT_FALSE(q.publish(three));
    EXPECT_EQ(q.refusals(), 1U);
    EXPECT_EQ(q.take(2).size(), 2U);
    EXPECT_TRUE(q.publish(three));
    EXPECT_EQ(q.size(), 4U);
    q.take();
    std::vector<RouteDelta> big(10);
    EXPECT_TRUE(q.publish(big));  // larger than the capacity: accepted when empty
}

TEST(BoundedDeltaQueue, RibRetriesUntilTheConsumerMakesRoom) {
    BoundedDeltaQueue q(150);
    RouteServerRib rib({}, q);
    rib.peer_up(peer(1, 65001));
    rib.apply_update(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, 100)));
    rib.apply_update(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(100, 100)));  // refused
    EXPECT_EQ(q.size(), 100U);
    EXPECT_EQ(rib.stats().pending_deltas, 100U);
    auto got = q.take();
    EXPECT_TRUE(rib.flush_deltas());
    auto more = q.take();
    got.insert(got.end(), more.begin(), more.end());
    ASSERT_EQ(got.size(), 200U);
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].sequence, i + 1);
    }
}

}  // namespace
}  // namespace rf::rib::test
