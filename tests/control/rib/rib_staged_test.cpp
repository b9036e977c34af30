// Staged RIB calls (RouteServerRib::stage_update / finish_staged): UPDATEs from several peers in one call
// end in the same state as the same UPDATEs applied one call each — the Loc-RIB, the FIB the delta
// stream builds, and what every peer holds after decoding its bytes — while a prefix that several of
// them change is compared, encoded and published once.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "control/rib/rib.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

// Eight NVAs announcing the same prefixes with equal AS-path lengths (the Azure ECMP case), and a
// monitor peer that announces nothing.
constexpr PeerId kMonitor = 9;

PeerConfig nva(PeerId id) {
    PeerConfig c = peer(id, 65000 + id, 0);
    c.bgp_identifier = A4("192.0.2." + std::to_string(id));
    return c;
}

TEST(RibStaged, SharedPrefixesFromEightPeersMakeOneChangeEach) {
    RecordingSink sink;
    RouteServerRib rib(RibConfig{}, sink);
    std::map<PeerId, WireView> views;
    for (PeerId id = 1; id <= kMonitor; ++id) {
        views[id] = view_for(nva(id));
        views[id].apply(rib.peer_up(nva(id)));
    }
    const auto prefixes = slash24s(0, 100);
    const std::size_t batches_before = sink.batches.size();
    for (PeerId id = 1; id < kMonitor; ++id) {
        EXPECT_EQ(
            rib.stage_update(id, v4_update(attrs({65000 + id}, "100.64.0." + std::to_string(id)), prefixes))
                .status,
            UpdateStatus::Ok);
        EXPECT_TRUE(rib.has_staged());
        EXPECT_FALSE(rib.has_outbound()) << "nothing goes out before the call is finished";
        ASSERT_TRUE(rib.lookup(P(prefixes.front())).has_value())
            << "the Loc-RIB sees a staged UPDATE at once";
        EXPECT_EQ(rib.lookup(P(prefixes.front()))->paths.size(), id);
    }
    EXPECT_EQ(sink.batches.size(), batches_before) << "no delta before the call is finished";
    rib.finish_staged();
    EXPECT_FALSE(rib.has_staged());
    drain_into(rib, views);

    ASSERT_EQ(sink.batches.size(), batches_before + 1) << "one batch for the whole call";
    EXPECT_EQ(sink.batches.back().size(), prefixes.size()) << "one delta per prefix, not one per peer";
    for (const auto& d : sink.batches.back()) {
        EXPECT_EQ(d.next_hops.size(), 8U);
    }
    // The monitor got each prefix once: its UPDATEs carry 100 announcements, not 800.
    EXPECT_EQ(views[kMonitor].announced, prefixes.size());
    EXPECT_EQ(views[kMonitor].table.size(), prefixes.size());
}

TEST(RibStaged, EveryOtherCallFinishesTheStagedOneFirst) {
    RecordingSink sink;
    RouteServerRib rib(RibConfig{}, sink);
    std::map<PeerId, WireView> views;
    for (PeerId id = 1; id <= 2; ++id) {
        views[id] = view_for(nva(id));
        views[id].apply(rib.peer_up(nva(id)));
    }
    rib.stage_update(1, v4_update(attrs({65001}, "100.64.0.1"), {"10.1.0.0/24"}));
    // A peer coming up gets a table with the staged route in it, and the others get the route too.
    views[3] = view_for(nva(3));
    views[3].apply(rib.peer_up(nva(3)));
    EXPECT_FALSE(rib.has_staged());
    EXPECT_EQ(views[3].table.count(P("10.1.0.0/24")), 1U);
    drain_into(rib, views);
    EXPECT_EQ(views[2].table.count(P("10.1.0.0/24")), 1U);

    rib.stage_update(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.2.0.0/24"}));
    rib.peer_down(1);  // finishes the staged call, then sweeps peer 1
    EXPECT_FALSE(rib.has_staged());
    drain_into(rib, views);
    EXPECT_EQ(views[3].table.count(P("10.2.0.0/24")), 1U);
    EXPECT_EQ(views[3].table.count(P("10.1.0.0/24")), 0U);

    rib.stage_update(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.3.0.0/24"}));
    const auto refresh = rib.route_refresh(3, {net::Afi::Ipv4, net::Safi::Unicast});
    EXPECT_FALSE(rib.has_staged());
    WireView fresh = view_for(nva(3));
    fresh.apply(refresh);
    EXPECT_EQ(fresh.table.count(P("10.3.0.0/24")), 1U) << "the refresh answers with the staged route";
}

TEST(RibStaged, RouteLimitTripFinishesTheCallAndTakesThePeerDown) {
    RecordingSink sink;
    RouteServerRib rib(RibConfig{}, sink);
    std::map<PeerId, WireView> views;
    PeerConfig limited = nva(1);
    limited.route_limit = 10;
    views[1] = view_for(limited);
    views[1].apply(rib.peer_up(limited));
    views[2] = view_for(nva(2));
    views[2].apply(rib.peer_up(nva(2)));
    EXPECT_EQ(rib.stage_update(2, v4_update(attrs({65002}, "100.64.0.2"), slash24s(0, 5))).status,
              UpdateStatus::Ok);
    EXPECT_EQ(rib.stage_update(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(100, 11))).status,
              UpdateStatus::RouteLimitExceeded);
    EXPECT_FALSE(rib.has_staged());
    EXPECT_FALSE(rib.is_up(1));
    drain_into(rib, views);
    EXPECT_EQ(views[1].table.size(), 0U);
    EXPECT_EQ(rib.loc_rib_prefixes().size(), 5U) << "peer 2's staged routes stay, peer 1 sent none";
}

TEST(RibStaged, ACallIsFinishedWhenItHasTouchedItsBound) {
    RecordingSink sink;
    RouteServerRib rib(RibConfig{}, sink);
    std::map<PeerId, WireView> views;
    for (PeerId id = 1; id <= 2; ++id) {
        views[id] = view_for(nva(id));
        views[id].apply(rib.peer_up(nva(id)));
    }
    // One UPDATE of fewer prefixes than the bound stays staged; one that reaches it finishes the call.
    const int below = static_cast<int>(RouteServerRib::kMaxStagedPrefixes) - 1;
    rib.stage_update(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(0, below)));
    EXPECT_TRUE(rib.has_staged());
    rib.stage_update(1, v4_update(attrs({65001}, "100.64.0.1"), slash24s(below, 1)));
    EXPECT_FALSE(rib.has_staged());
    drain_into(rib, views);
    EXPECT_EQ(views[2].table.size(), RouteServerRib::kMaxStagedPrefixes);
}

// Random announce/withdraw sequences over eight peers and a few shared prefixes, applied to two RIBs:
// one call per UPDATE, and staged in random runs. After each run both hold the same state.
class RibStagedProperty : public ::testing::TestWithParam<unsigned> {};

TEST_P(RibStagedProperty, StagedCallsEndWhereSingleCallsEnd) {
    std::mt19937 rng(GetParam());
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    RecordingSink sink_one;
    RecordingSink sink_staged;
    RouteServerRib one(RibConfig{}, sink_one);
    RouteServerRib staged(RibConfig{}, sink_staged);
    std::map<PeerId, WireView> views_one;
    std::map<PeerId, WireView> views_staged;
    for (PeerId id = 1; id <= kMonitor; ++id) {
        views_one[id] = view_for(nva(id));
        views_one[id].apply(one.peer_up(nva(id)));
        views_staged[id] = view_for(nva(id));
        views_staged[id].apply(staged.peer_up(nva(id)));
    }
    const auto prefixes = slash24s(0, 12);
    std::size_t calls_one = 0;
    std::size_t calls_staged = 0;
    for (int run = 0; run < 60; ++run) {
        const std::size_t length = 1 + pick(12);
        for (std::size_t i = 0; i < length; ++i) {
            const PeerId id = static_cast<PeerId>(1 + pick(kMonitor - 1));
            std::vector<std::string> chosen;
            for (const auto& p : prefixes) {
                if (pick(3) == 0) {
                    chosen.push_back(p);
                }
            }
            std::vector<std::uint32_t> path{65000 + id};
            for (std::size_t extra = pick(2); extra > 0; --extra) {
                path.push_back(64600 + static_cast<std::uint32_t>(pick(4)));
            }
            const bgp::DecodedUpdate u =
                pick(3) == 0 ? v4_withdraw(chosen)
                             : v4_update(attrs(path, "100.64.0." + std::to_string(1 + pick(3))), chosen);
            EXPECT_EQ(one.apply_update(id, u).status, UpdateStatus::Ok);
            EXPECT_EQ(staged.stage_update(id, u).status, UpdateStatus::Ok);
        }
        staged.finish_staged();
        drain_into(one, views_one);
        drain_into(staged, views_staged);
        calls_one += length;
        ++calls_staged;

        ASSERT_EQ(one.loc_rib_prefixes(), staged.loc_rib_prefixes()) << "run " << run;
        for (const auto& text : prefixes) {
            const auto a = one.lookup(P(text));
            const auto b = staged.lookup(P(text));
            ASSERT_EQ(a.has_value(), b.has_value()) << "run " << run << " " << text;
            if (a) {
                EXPECT_EQ(a->next_hops, b->next_hops) << "run " << run << " " << text;
                EXPECT_EQ(a->ecmp_count, b->ecmp_count) << "run " << run << " " << text;
            }
        }
        EXPECT_EQ(sink_one.fib, sink_staged.fib) << "run " << run;
        for (PeerId id = 1; id <= kMonitor; ++id) {
            const auto& a = views_one[id].table;
            const auto& b = views_staged[id].table;
            ASSERT_EQ(a.size(), b.size()) << "run " << run << " peer " << id;
            for (const auto& [prefix, route] : a) {
                auto it = b.find(prefix);
                ASSERT_NE(it, b.end()) << "run " << run << " peer " << id << " " << prefix.to_string();
                EXPECT_EQ(route.attributes.as_path, it->second.attributes.as_path);
                EXPECT_EQ(route.next_hops, it->second.next_hops);
            }
        }
    }
    EXPECT_LE(sink_staged.batches.size(), calls_staged + 9);  // + the peer-ups
    EXPECT_LE(views_staged[kMonitor].updates, views_one[kMonitor].updates);
    EXPECT_GT(calls_one, calls_staged);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RibStagedProperty, ::testing::Range(1U, 11U));

}  // namespace
}  // namespace rf::rib::test
