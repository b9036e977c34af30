// Per-peer counters kept by name (control/server/peer_stats.hpp): a removed peer keeps them until it
// comes back; at most kMaxRemembered removed peers are remembered, the one removed first forgotten first.
#include "control/server/peer_stats.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rf::server {
namespace {

TEST(PeerStats, ARemovedPeerKeepsItsCountersAndContinuesThemWhenItComesBack) {
    PeerStats stats;
    stats.of("nva1").updates_received = 5;
    stats.of("nva1").up_since[1] = std::chrono::steady_clock::now();
    stats.removed("nva1");
    ASSERT_EQ(stats.all().count("nva1"), 1U);
    EXPECT_FALSE(stats.all().at("nva1").configured);
    EXPECT_TRUE(stats.all().at("nva1").up_since.empty());
    PeerCounters& back = stats.of("nva1");
    EXPECT_TRUE(back.configured);
    EXPECT_EQ(back.updates_received, 5U);
}

TEST(PeerStats, RemovedPeersAreRememberedUpToTheBoundOldestRemovalFirstOut) {
    PeerStats stats;
    const std::size_t n = PeerStats::kMaxRemembered + 2;
    for (std::size_t i = 0; i < n; ++i) {
        stats.of("p" + std::to_string(i)).flaps = i + 1;
    }
    stats.of("kept").flaps = 9;  // configured peers are never forgotten
    for (std::size_t i = 0; i < n; ++i) {
        stats.removed("p" + std::to_string(i));
    }
    EXPECT_EQ(stats.all().size(), PeerStats::kMaxRemembered + 1);
    EXPECT_EQ(stats.all().count("p0"), 0U);
    EXPECT_EQ(stats.all().count("p1"), 0U);
    EXPECT_EQ(stats.all().at("p2").flaps, 3U);
    EXPECT_EQ(stats.all().at("kept").flaps, 9U);
    EXPECT_EQ(stats.of("p0").flaps, 0U);  // forgotten: starts again from zero
}

TEST(PeerStats, APeerBackBeforeTheBoundIsNoLongerCountedAsRemoved) {
    PeerStats stats;
    stats.of("back").flaps = 1;
    stats.removed("back");
    stats.of("back");
    for (std::size_t i = 0; i < PeerStats::kMaxRemembered + 5; ++i) {
        stats.of("p" + std::to_string(i));
        stats.removed("p" + std::to_string(i));
    }
    EXPECT_EQ(stats.all().at("back").flaps, 1U);
}

}  // namespace
}  // namespace rf::server
