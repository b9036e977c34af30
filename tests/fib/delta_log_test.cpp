// The per-table delta log (design §6): dense sequences, bounded retention, "take a snapshot" when the
// requested changes are gone or come from another epoch, and a replica that follows it.
#include "fib/delta_log.hpp"

#include <gtest/gtest.h>

#include "tests/fib/vnet/test_util.hpp"

namespace rf::fib {
namespace {

using test::A;
using test::P;

NextHop vng(const char* a) {
    return NextHop{NextHopType::VirtualNetworkGateway, {A(a)}};
}

TEST(DeltaLog, SequencesAreDenseAndDeltasAfterAPositionComeInOrder) {
    DeltaLog log(7, 100);
    EXPECT_EQ(log.append(11, P("198.51.100.0/24"), vng("10.1.1.4")), 1U);
    EXPECT_EQ(log.append(12, P("198.51.101.0/24"), vng("10.1.1.5")), 2U);
    EXPECT_EQ(log.append(13, P("198.51.100.0/24"), std::nullopt), 3U);
    const FollowResult all = log.since(7, 0);
    ASSERT_EQ(all.status, FollowStatus::Deltas);
    ASSERT_EQ(all.deltas.size(), 3U);
    EXPECT_EQ(all.deltas[0].rib_sequence, 11U);
    EXPECT_EQ(all.deltas[2].sequence, 3U);
    EXPECT_FALSE(all.deltas[2].next_hop);
    EXPECT_EQ(all.last_sequence, 3U);
    const FollowResult tail = log.since(7, 2);
    ASSERT_EQ(tail.deltas.size(), 1U);
    EXPECT_EQ(tail.deltas[0].sequence, 3U);
    const FollowResult none = log.since(7, 3);  // up to date
    EXPECT_EQ(none.status, FollowStatus::Deltas);
    EXPECT_TRUE(none.deltas.empty());
}

TEST(DeltaLog, TrimmedChangesAskForASnapshot) {
    DeltaLog log(1, 3);
    for (int i = 0; i < 5; ++i) {
        log.append(0, P("198.51.100.0/24"), vng("10.1.1.4"));
    }
    EXPECT_EQ(log.size(), 3U);
    EXPECT_EQ(log.trimmed(), 2U);
    EXPECT_EQ(log.first_retained(), 3U);
    EXPECT_EQ(log.since(1, 1).status, FollowStatus::SnapshotRequired);  // needs 2, which is gone
    const FollowResult r = log.since(1, 2);                             // needs 3..5, all retained
    ASSERT_EQ(r.status, FollowStatus::Deltas);
    EXPECT_EQ(r.deltas.size(), 3U);
}

TEST(DeltaLog, AnotherEpochOrAPositionAheadOfTheLogAsksForASnapshot) {
    DeltaLog log(5, 10);
    log.append(0, P("198.51.100.0/24"), vng("10.1.1.4"));
    EXPECT_EQ(log.since(4, 0).status, FollowStatus::SnapshotRequired);
    EXPECT_EQ(log.since(5, 2).status, FollowStatus::SnapshotRequired);
    EXPECT_EQ(log.since(5, 0).status, FollowStatus::Deltas);
}

TEST(DeltaLog, LongAnswersAreCutAtMaxDeltasAndResume) {
    DeltaLog log(1, 100);
    for (int i = 0; i < 10; ++i) {
        log.append(0, P("198.51.100.0/24"), vng(i % 2 == 0 ? "10.1.1.4" : "10.1.1.5"));
    }
    FollowResult r = log.since(1, 0, 4);
    ASSERT_EQ(r.deltas.size(), 4U);
    EXPECT_TRUE(r.more);
    r = log.since(1, r.deltas.back().sequence, 100);
    ASSERT_EQ(r.deltas.size(), 6U);
    EXPECT_FALSE(r.more);
    EXPECT_EQ(r.deltas.front().sequence, 5U);
}

TEST(DeltaLog, ReplicaFollowsAndRefusesAGap) {
    DeltaLog log(1, 100);
    TableReplica rep;
    rep.epoch = 1;
    log.append(0, P("198.51.100.0/24"), vng("10.1.1.4"));
    log.append(0, P("2001:db8::/32"), vng("fd00::4"));
    ASSERT_TRUE(rep.apply(log.since(1, rep.sequence).deltas));
    EXPECT_EQ(rep.routes.size(), 2U);
    log.append(0, P("198.51.100.0/24"), std::nullopt);
    log.append(0, P("2001:db8::/32"), vng("fd00::5"));
    const auto later = log.since(1, 3).deltas;  // skips sequence 3
    EXPECT_FALSE(rep.apply(later));
    EXPECT_EQ(rep.sequence, 2U);
    ASSERT_TRUE(rep.apply(log.since(1, rep.sequence).deltas));
    EXPECT_EQ(rep.sequence, 4U);
    ASSERT_EQ(rep.routes.size(), 1U);
    EXPECT_EQ(rep.routes.at(P("2001:db8::/32")), vng("fd00::5"));
}

}  // namespace
}  // namespace rf::fib
