#include "fib/fib.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "fib/reader.hpp"
#include "fib/updater.hpp"
#include "tests/fib/vnet/test_util.hpp"

namespace rf::fib {
namespace {

using test::A;
using test::P;

FibConfig small_config() {
    FibConfig c;
    c.lookup.max_routes = 1U << 14;
    c.lookup.num_tbl8 = 1U << 9;
    c.max_groups = 1U << 12;
    c.max_readers = 4;
    return c;
}

fib::RouteDelta delta(std::uint64_t seq, const std::string& prefix, std::vector<std::string> hops) {
    fib::RouteDelta d;
    d.sequence = seq;
    d.prefix = P(prefix);
    for (const std::string& h : hops) {
        d.next_hops.push_back(A(h));
    }
    return d;
}

class FibTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string error;
        fib = Fib::create(test::hub_and_spokes(), small_config(), &error);
        ASSERT_NE(fib, nullptr) << error;
        workload = *fib->table_for_vm("vm0");
        spoke1 = *fib->table_for_vm("s1-vm");
        spoke2 = *fib->table_for_vm("s2-vm");
        fw = *fib->table_for_vm("fw-vm");
    }

    // What a reader sees for `dst` in table `t`.
    std::optional<NextHop> look(TableId t, const std::string& dst) {
        FibReader r(*fib, 0);
        const std::uint32_t ip = A(dst).as_v4().value;
        std::uint64_t gid = 0;
        r.lookup_bulk(t, &ip, &gid, 1);
        const NextHopGroup* g = r.group(gid);
        std::optional<NextHop> out;
        if (g != nullptr) {
            out = g->value();
        }
        r.quiescent();
        return out;
    }

    std::unique_ptr<Fib> fib;
    TableId workload = 0, spoke1 = 0, spoke2 = 0, fw = 0;
};

TEST_F(FibTest, SystemRoutesAreProgrammedAtStart) {
    EXPECT_EQ(fib->table_count(), 4U);
    EXPECT_EQ(look(workload, "10.1.128.10")->type, NextHopType::VnetLocal);
    EXPECT_EQ(look(workload, "10.2.1.1")->type, NextHopType::VNetPeering);
    EXPECT_EQ(look(workload, "8.8.8.8")->type, NextHopType::Internet);
    EXPECT_EQ(look(workload, "10.200.0.1")->type, NextHopType::None);
    EXPECT_EQ(look(fw, "192.168.10.7")->type, NextHopType::VirtualAppliance);
    EXPECT_EQ(look(fw, "192.168.10.7")->addresses, std::vector<net::IpAddress>{A("10.1.1.10")});
    EXPECT_EQ(look(fw, "203.0.113.9")->type, NextHopType::None);
}

TEST_F(FibTest, BgpRouteIsProgrammedThenWithdrawnBackToTheSystemRoute) {
    auto r = fib->apply(std::vector{delta(1, "192.168.20.0/24", {"10.1.1.5", "10.1.1.4"})});
    EXPECT_EQ(r.sequence, 1U);
    EXPECT_EQ(fib->visible_sequence(), 1U);
    const auto nh = look(workload, "192.168.20.99");
    ASSERT_TRUE(nh);
    EXPECT_EQ(nh->type, NextHopType::VirtualNetworkGateway);
    EXPECT_EQ(nh->addresses, (std::vector<net::IpAddress>{A("10.1.1.4"), A("10.1.1.5")}));
    EXPECT_EQ(look(spoke1, "192.168.20.99")->type, NextHopType::VirtualNetworkGateway);
    EXPECT_EQ(look(spoke2, "192.168.20.99")->type, NextHopType::None);  // no "use remote route server"
    fib->apply(std::vector{delta(2, "192.168.20.0/24", {})});
    EXPECT_EQ(look(workload, "192.168.20.99")->type, NextHopType::None);  // 192.168.0.0/16 default
    EXPECT_EQ(fib->stats().bgp_routes, 0U);
}

TEST_F(FibTest, LongPrefixesUseTbl8AndFallBackOnWithdrawal) {
    fib->apply(
        std::vector{delta(1, "100.64.1.16/28", {"10.1.1.4"}), delta(2, "100.64.1.0/24", {"10.1.1.5"})});
    EXPECT_EQ(look(workload, "100.64.1.17")->addresses, std::vector<net::IpAddress>{A("10.1.1.4")});
    EXPECT_EQ(look(workload, "100.64.1.40")->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});
    fib->apply(std::vector{delta(3, "100.64.1.16/28", {})});
    EXPECT_EQ(look(workload, "100.64.1.17")->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});
    fib->apply(std::vector{delta(4, "100.64.1.0/24", {})});
    EXPECT_EQ(look(workload, "100.64.1.17")->type, NextHopType::None);
}

TEST_F(FibTest, BgpInsideTheVnetAddressSpaceIsNotProgrammedAndShownInvalid) {
    fib->apply(std::vector{delta(1, "10.1.128.0/24", {"10.1.1.4"})});
    EXPECT_EQ(look(workload, "10.1.128.10")->type, NextHopType::VnetLocal);
    EXPECT_EQ(look(spoke1, "10.1.128.10")->type, NextHopType::VNetPeering);
    const auto rows = fib->show_effective_route_table("vm0");
    ASSERT_TRUE(rows);
    bool seen = false;
    for (const EffectiveRoute& r : *rows) {
        if (r.source == RouteSource::VirtualNetworkGateway && r.prefix == P("10.1.128.0/24")) {
            seen = true;
            EXPECT_EQ(r.state, RouteState::Invalid);
        }
    }
    EXPECT_TRUE(seen);
    EXPECT_FALSE(fib->show_effective_route_table("nobody"));
}

TEST_F(FibTest, BgpDefaultRouteOverridesInternetAndWithdrawalRestoresIt) {
    fib->apply(std::vector{delta(1, "0.0.0.0/0", {"10.1.1.4"})});
    EXPECT_EQ(look(workload, "8.8.8.8")->type, NextHopType::VirtualNetworkGateway);
    EXPECT_EQ(look(spoke2, "8.8.8.8")->type, NextHopType::Internet);
    EXPECT_EQ(look(workload, "10.1.128.10")->type, NextHopType::VnetLocal);
    fib->apply(std::vector{delta(2, "0.0.0.0/0", {})});
    EXPECT_EQ(look(workload, "8.8.8.8")->type, NextHopType::Internet);
}

TEST_F(FibTest, UserRouteWinsOverBgpForTheSamePrefix) {
    fib->apply(std::vector{delta(1, "192.168.10.0/24", {"10.1.1.4"})});
    EXPECT_EQ(look(fw, "192.168.10.7")->type, NextHopType::VirtualAppliance);
    EXPECT_EQ(look(workload, "192.168.10.7")->type, NextHopType::VirtualNetworkGateway);
}

TEST_F(FibTest, DeltasForOnePrefixInABatchAreCoalescedToTheLast) {
    const auto r = fib->apply(std::vector{delta(1, "198.51.100.0/24", {"10.1.1.4"}),
                                          delta(2, "198.51.100.0/24", {"10.1.1.5"}),
                                          delta(3, "198.51.100.0/24", {"10.1.1.6", "10.1.1.4"})});
    EXPECT_EQ(r.coalesced, 2U);
    EXPECT_EQ(r.changed, 1U);
    EXPECT_EQ(r.sequence, 3U);
    EXPECT_EQ(look(workload, "198.51.100.1")->addresses,
              (std::vector<net::IpAddress>{A("10.1.1.4"), A("10.1.1.6")}));
}

TEST_F(FibTest, SameEcmpSetSharesOneGroupAndUnusedGroupsAreFreed) {
    fib->apply(std::vector{delta(1, "198.51.100.0/24", {"10.1.1.4", "10.1.1.5"}),
                           delta(2, "198.51.101.0/24", {"10.1.1.5", "10.1.1.4"})});
    FibReader r(*fib, 1);
    std::uint32_t ips[2] = {A("198.51.100.1").as_v4().value, A("198.51.101.1").as_v4().value};
    std::uint64_t g[2] = {};
    r.lookup_bulk(workload, ips, g, 2);
    EXPECT_EQ(g[0], g[1]);
    r.quiescent();
    const auto created = fib->stats().groups.created;
    fib->apply(std::vector{delta(3, "198.51.100.0/24", {}), delta(4, "198.51.101.0/24", {})});
    r.quiescent();
    fib->reclaim();
    EXPECT_EQ(fib->stats().groups.freed, 1U);
    EXPECT_EQ(fib->stats().groups.created, created);
}

TEST_F(FibTest, Ipv6BgpRoutesAreProgrammedLookedUpAndWithdrawn) {
    auto look6 = [this](TableId t, const std::string& dst) {
        FibReader r(*fib, 0);
        const auto a = A(dst);
        std::uint8_t ip[1][16];
        std::copy(a.bytes.begin(), a.bytes.end(), ip[0]);
        std::uint64_t gid = 0;
        r.lookup_bulk6(t, ip, &gid, 1);
        std::optional<NextHop> out;
        if (const NextHopGroup* g = r.group(gid); g != nullptr) {
            out = g->value();
        }
        r.quiescent();
        return out;
    };
    EXPECT_FALSE(look6(workload, "2001:db8:1::1"));  // no IPv6 route at all yet
    const auto r = fib->apply(std::vector{delta(1, "2001:db8::/32", {"fd00::5", "fd00::4"}),
                                          delta(2, "2001:db8:1::/48", {"fd00::6"}),
                                          delta(3, "10.9.0.0/16", {"10.1.1.4"})});
    EXPECT_EQ(r.changed, 3U);
    EXPECT_EQ(fib->stats().bgp_routes_v6, 2U);
    const auto wide = look6(workload, "2001:db8:2::1");
    ASSERT_TRUE(wide);
    EXPECT_EQ(wide->type, NextHopType::VirtualNetworkGateway);
    EXPECT_EQ(wide->addresses, (std::vector<net::IpAddress>{A("fd00::4"), A("fd00::5")}));
    EXPECT_EQ(look6(workload, "2001:db8:1::1")->addresses, std::vector<net::IpAddress>{A("fd00::6")});
    EXPECT_EQ(look6(spoke1, "2001:db8:1::1")->addresses, std::vector<net::IpAddress>{A("fd00::6")});
    EXPECT_FALSE(look6(spoke2, "2001:db8:1::1"));  // no "use remote route server"
    EXPECT_EQ(fib->programmed(workload, P("2001:db8::/32"))->type, NextHopType::VirtualNetworkGateway);
    fib->apply(std::vector{delta(4, "2001:db8:1::/48", {})});
    EXPECT_EQ(look6(workload, "2001:db8:1::1")->addresses,
              (std::vector<net::IpAddress>{A("fd00::4"), A("fd00::5")}));
    fib->apply(std::vector{delta(5, "::/0", {"fd00::9"})});
    EXPECT_EQ(look6(workload, "3000::1")->addresses, std::vector<net::IpAddress>{A("fd00::9")});
    EXPECT_EQ(look(workload, "8.8.8.8")->type, NextHopType::Internet);  // IPv4 default untouched
}

TEST_F(FibTest, SnapshotCarriesTheSequenceAndEveryProgrammedRoute) {
    fib->apply(std::vector{delta(7, "198.51.100.0/24", {"10.1.1.4"})});
    const TableSnapshot s = fib->snapshot(workload);
    EXPECT_EQ(s.sequence, 7U);
    bool found = false;
    for (const auto& [p, nh] : s.routes) {
        found = found || (p == P("198.51.100.0/24") && nh.type == NextHopType::VirtualNetworkGateway);
    }
    EXPECT_TRUE(found);
    const TableSnapshot s2 = fib->snapshot(spoke2);
    for (const auto& [p, nh] : s2.routes) {
        EXPECT_NE(nh.type, NextHopType::VirtualNetworkGateway) << p.to_string();
    }
}

TEST_F(FibTest, UpdaterAppliesPublishedBatchesAndMakesThemVisible) {
    FibUpdater u(*fib);
    u.start();
    ASSERT_TRUE(u.publish(std::vector{delta(1, "198.51.100.0/24", {"10.1.1.4"})}));
    ASSERT_TRUE(u.publish(std::vector{delta(2, "198.51.101.0/24", {"10.1.1.4"})}));
    ASSERT_TRUE(u.wait_visible(2, std::chrono::seconds(10)));
    EXPECT_EQ(look(workload, "198.51.101.3")->type, NextHopType::VirtualNetworkGateway);
    u.stop();
    EXPECT_EQ(u.stats().accepted_deltas, 2U);
    EXPECT_EQ(u.stats().applied_deltas, 2U);
    EXPECT_EQ(u.stats().rejected_batches, 0U);
}

// The publish → visible latency (routefabricd's routefabric_fib_publish_latency_seconds) is timed by the
// updater: one observation per accepted batch, through the writer and inline alike, none for a refused
// batch until the producer's retry is accepted.
TEST_F(FibTest, UpdaterTimesEveryAcceptedBatchOnce) {
    UpdaterConfig c{4, 16};
    c.inline_max = 16;
    FibUpdater u(*fib, c);
    std::vector<std::chrono::nanoseconds> seen;
    u.set_latency_observer([&](std::chrono::nanoseconds d) { seen.push_back(d); });
    std::vector<fib::RouteDelta> three{delta(1, "198.51.100.0/24", {"10.1.1.4"}),
                                       delta(2, "198.51.101.0/24", {"10.1.1.4"}),
                                       delta(3, "198.51.102.0/24", {"10.1.1.4"})};
    std::vector<fib::RouteDelta> two{delta(4, "198.51.103.0/24", {"10.1.1.4"}),
                                     delta(5, "198.51.104.0/24", {"10.1.1.4"})};
    ASSERT_TRUE(u.publish(three));  // not started: queued, nothing applies it yet
    ASSERT_FALSE(u.publish(two));   // refused: the queue holds 4
    EXPECT_TRUE(seen.empty());
    u.start();
    ASSERT_TRUE(u.wait_visible(3, std::chrono::seconds(10)));
    ASSERT_TRUE(u.publish(two));  // the retry; the FIB is idle, so it may be applied inline
    ASSERT_TRUE(u.wait_visible(5, std::chrono::seconds(10)));
    u.stop();
    ASSERT_EQ(seen.size(), 2U) << "one observation per accepted batch, none for the refused one";
    for (const auto d : seen) {
        EXPECT_GE(d.count(), 0);
    }
}

TEST_F(FibTest, WriterThreadTakesItsRelativePriority) {
    // Lowering a thread's priority needs no capability: the writer runs 3 nice levels below this thread.
    UpdaterConfig c;
    c.nice_delta = 3;
    FibUpdater u(*fib, c);
    errno = 0;
    const int base = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
    ASSERT_EQ(errno, 0);
    u.start();
    EXPECT_FALSE(u.stats().priority_refused);
    // The writer thread is named rf-fib-writer; its nice value is ours + 3.
    int writer_nice = 100;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string name;
        std::getline(comm, name);
        if (name == "rf-fib-writer") {
            writer_nice =
                ::getpriority(PRIO_PROCESS, static_cast<id_t>(std::stoi(task.path().filename().string())));
        }
    }
    EXPECT_EQ(writer_nice, std::min(base + 3, 19));
    ASSERT_TRUE(u.publish(std::vector{delta(1, "198.51.100.0/24", {"10.1.1.4"})}));
    ASSERT_TRUE(u.wait_visible(1, std::chrono::seconds(10)));
    u.stop();
}

TEST_F(FibTest, FullQueueRefusesTheWholeBatchAndCountsIt) {
    FibUpdater u(*fib, UpdaterConfig{4, 16});  // not started: nothing drains
    std::vector<fib::RouteDelta> three{delta(1, "198.51.100.0/24", {"10.1.1.4"}),
                                       delta(2, "198.51.101.0/24", {"10.1.1.4"}),
                                       delta(3, "198.51.102.0/24", {"10.1.1.4"})};
    std::vector<fib::RouteDelta> two{delta(4, "198.51.103.0/24", {"10.1.1.4"}),
                                     delta(5, "198.51.104.0/24", {"10.1.1.4"})};
    EXPECT_TRUE(u.publish(three));
    EXPECT_FALSE(u.publish(two));
    EXPECT_EQ(u.stats().rejected_batches, 1U);
    EXPECT_EQ(u.stats().rejected_deltas, 2U);
    EXPECT_EQ(u.stats().queue_depth, 3U);
    u.start();
    ASSERT_TRUE(u.wait_visible(3, std::chrono::seconds(10)));
    EXPECT_TRUE(u.publish(two));  // the producer's retry
    ASSERT_TRUE(u.wait_visible(5, std::chrono::seconds(10)));
    u.stop();
    EXPECT_EQ(fib->stats().bgp_routes, 5U);
    EXPECT_EQ(look(workload, "198.51.104.1")->type, NextHopType::VirtualNetworkGateway);
}

// A publish larger than max_batch is applied in one Fib::apply(): a peer-down of 300 prefixes with
// max_batch 64 still repoints its group whole, and smaller publishes queued behind it keep their limit.
TEST_F(FibTest, UpdaterNeverSplitsAPublish) {
    std::vector<fib::RouteDelta> up;
    std::vector<fib::RouteDelta> down;
    std::uint64_t seq = 0;
    for (int i = 0; i < 300; ++i) {
        const std::string p = "198.51." + std::to_string(i / 256) + "." + std::to_string(i % 256) + "/32";
        up.push_back(delta(++seq, p, {"10.1.1.4", "10.1.1.5"}));
    }
    for (int i = 0; i < 300; ++i) {
        const std::string p = "198.51." + std::to_string(i / 256) + "." + std::to_string(i % 256) + "/32";
        down.push_back(delta(++seq, p, {"10.1.1.5"}));
    }
    FibUpdater u(*fib, UpdaterConfig{1024, 64});
    ASSERT_TRUE(u.publish(up));
    ASSERT_TRUE(u.publish(down));
    const std::uint64_t repointed_before = fib->stats().groups.repointed;
    u.start();
    ASSERT_TRUE(u.wait_visible(seq, std::chrono::seconds(10)));
    u.stop();
    EXPECT_EQ(u.stats().applied_batches, 2U) << "each publish whole, none split at 64";
    EXPECT_EQ(fib->stats().groups.repointed, repointed_before + 1);
    EXPECT_EQ(look(workload, "198.51.1.10")->addresses, std::vector{test::A("10.1.1.5")});
}

// An NVA going down takes its next hop out of every ECMP set it was in: when a batch moves every prefix
// of a group to the same new set, the group is repointed in place (one store) before the per-prefix
// operations, and the result is the same as without it.
TEST_F(FibTest, BatchMovingAWholeGroupRepointsItAndEndsInTheSameState) {
    std::vector<fib::RouteDelta> up;
    std::uint64_t seq = 0;
    for (int i = 0; i < 100; ++i) {
        up.push_back(delta(++seq, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.4", "10.1.1.5"}));
    }
    for (int i = 0; i < 10; ++i) {
        up.push_back(delta(++seq, "203.0." + std::to_string(i) + ".0/24", {"10.1.1.4"}));
    }
    ASSERT_EQ(fib->apply(up).repointed, 0U);
    const GroupStats before = fib->stats().groups;

    // 10.1.1.4 goes down: the pair's 100 prefixes move to {10.1.1.5}, the 10 single-path ones go.
    std::vector<fib::RouteDelta> down;
    for (int i = 0; i < 100; ++i) {
        down.push_back(delta(++seq, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.5"}));
    }
    for (int i = 0; i < 10; ++i) {
        down.push_back(delta(++seq, "203.0." + std::to_string(i) + ".0/24", {}));
    }
    const ApplyResult r = fib->apply(down);
    EXPECT_EQ(r.repointed, 1U);
    EXPECT_EQ(r.changed, 110U);
    EXPECT_EQ(fib->stats().groups.repointed, 1U);
    for (int i = 0; i < 100; i += 7) {
        const auto nh = look(workload, "198.51." + std::to_string(i) + ".1");
        ASSERT_TRUE(nh.has_value());
        EXPECT_EQ(nh->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});
        EXPECT_EQ(look(spoke1, "198.51." + std::to_string(i) + ".1")->addresses,
                  std::vector<net::IpAddress>{A("10.1.1.5")});
    }
    EXPECT_EQ(look(workload, "203.0.3.1")->type, NextHopType::Internet);
    // The pair's group is gone once drained; {10.1.1.5} is the one live BGP group left.
    EXPECT_EQ(fib->stats().groups.live, before.live - 1);
    EXPECT_EQ(fib->stats().groups.repointed, 1U);

    // The pair comes back: {10.1.1.5} is repointed the other way (every one of its prefixes moves).
    for (auto& d : up) {
        d.sequence = ++seq;
    }
    EXPECT_EQ(fib->apply(up).repointed, 1U);
    EXPECT_EQ(look(workload, "198.51.42.1")->addresses,
              (std::vector<net::IpAddress>{A("10.1.1.4"), A("10.1.1.5")}));
    EXPECT_EQ(look(workload, "203.0.3.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.4")});
}

TEST_F(FibTest, GroupIsNotRepointedUnlessEveryOneOfItsPrefixesMovesTheSameWay) {
    std::vector<fib::RouteDelta> up;
    std::uint64_t seq = 0;
    for (int i = 0; i < 20; ++i) {
        up.push_back(delta(++seq, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.4", "10.1.1.5"}));
    }
    fib->apply(up);
    // 19 of 20 move: the 20th still forwards over the pair.
    std::vector<fib::RouteDelta> most;
    for (int i = 0; i < 19; ++i) {
        most.push_back(delta(++seq, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.5"}));
    }
    EXPECT_EQ(fib->apply(most).repointed, 0U);
    EXPECT_EQ(look(workload, "198.51.19.1")->addresses,
              (std::vector<net::IpAddress>{A("10.1.1.4"), A("10.1.1.5")}));
    EXPECT_EQ(look(workload, "198.51.3.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});
    // Two destinations for one group's prefixes: per prefix, no repoint (nor for the pair's last prefix:
    // a group of one prefix gains nothing from it).
    std::vector<fib::RouteDelta> split{delta(++seq, "198.51.19.0/24", {"10.1.1.6"}),
                                       delta(++seq, "198.51.0.0/24", {"10.1.1.7"}),
                                       delta(++seq, "198.51.1.0/24", {"10.1.1.7"})};
    for (int i = 2; i < 19; ++i) {
        split.push_back(delta(++seq, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.6"}));
    }
    EXPECT_EQ(fib->apply(split).repointed, 0U);
    EXPECT_EQ(look(workload, "198.51.0.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.7")});
    EXPECT_EQ(look(workload, "198.51.5.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.6")});
    // A group that also receives prefixes in the batch is not repointed: it keeps the newcomers.
    std::vector<fib::RouteDelta> swap{delta(++seq, "198.51.0.0/24", {"10.1.1.6"}),
                                      delta(++seq, "198.51.1.0/24", {"10.1.1.6"})};
    for (int i = 2; i < 20; ++i) {
        swap.push_back(delta(++seq, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.7"}));
    }
    EXPECT_EQ(fib->apply(swap).repointed, 0U);
    EXPECT_EQ(look(workload, "198.51.0.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.6")});
    EXPECT_EQ(look(workload, "198.51.7.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.7")});
    EXPECT_EQ(fib->stats().groups.repointed, 0U);
}

// BGP PIC edge: the RIB's hint that 10.1.1.4 is gone repoints every group holding it and another member
// before any prefix moves; groups of only 10.1.1.4 wait for the batch (only it knows their fallback).
// The batch that follows ends in the same state as without the hint, and the groups drain and go.
TEST_F(FibTest, NextHopDownHintRepointsGroupsWithOtherMembersAtOnce) {
    std::vector<fib::RouteDelta> up;
    std::uint64_t seq = 0;
    for (int i = 0; i < 50; ++i) {
        up.push_back(delta(++seq, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.4", "10.1.1.5"}));
        up.push_back(
            delta(++seq, "198.52." + std::to_string(i) + ".0/24", {"10.1.1.4", "10.1.1.5", "10.1.1.6"}));
    }
    up.push_back(delta(++seq, "203.0.1.0/24", {"10.1.1.4"}));
    up.push_back(delta(++seq, "203.0.2.0/24", {"10.1.1.6"}));
    up.push_back(delta(++seq, "2001:db8:1::/48", {"fd00::4", "fd00::5"}));
    fib->apply(up);
    const GroupStats before = fib->stats().groups;

    const std::vector<net::IpAddress> dead{A("10.1.1.4"), A("fd00::4")};
    EXPECT_EQ(fib->next_hops_down(dead), 3U) << "{.4,.5}, {.4,.5,.6} and {fd00::4, fd00::5}";
    EXPECT_EQ(look(workload, "198.51.7.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});
    EXPECT_EQ(look(spoke1, "198.51.49.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});
    EXPECT_EQ(look(workload, "198.52.7.1")->addresses,
              (std::vector<net::IpAddress>{A("10.1.1.5"), A("10.1.1.6")}));
    EXPECT_EQ(look(workload, "203.0.1.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.4")})
        << "its only next hop: left to the RIB's batch";
    EXPECT_EQ(look(workload, "203.0.2.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.6")});
    EXPECT_EQ(fib->programmed(workload, P("2001:db8:1::/48"))->addresses,
              std::vector<net::IpAddress>{A("fd00::5")});
    EXPECT_EQ(fib->stats().next_hop_down_repoints, 3U);
    EXPECT_EQ(fib->stats().groups.live, before.live) << "repointed in place, no group created";

    // A set with the dead next hop asked for again (a batch queued before the hint) gets a group of its
    // own: the repointed id no longer stands for it.
    std::vector<fib::RouteDelta> late{delta(++seq, "198.53.0.0/24", {"10.1.1.4", "10.1.1.5"})};
    fib->apply(late);
    EXPECT_EQ(look(workload, "198.53.0.1")->addresses,
              (std::vector<net::IpAddress>{A("10.1.1.4"), A("10.1.1.5")}));
    EXPECT_EQ(look(workload, "198.51.7.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});

    // The RIB's batch: the same forwarding, then the old groups drain.
    std::vector<fib::RouteDelta> down;
    for (int i = 0; i < 50; ++i) {
        down.push_back(delta(++seq, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.5"}));
        down.push_back(delta(++seq, "198.52." + std::to_string(i) + ".0/24", {"10.1.1.5", "10.1.1.6"}));
    }
    down.push_back(delta(++seq, "203.0.1.0/24", {}));
    down.push_back(delta(++seq, "198.53.0.0/24", {"10.1.1.5"}));
    down.push_back(delta(++seq, "2001:db8:1::/48", {"fd00::5"}));
    const ApplyResult r = fib->apply(down);
    EXPECT_EQ(r.repointed, 0U) << "already repointed to those values";
    EXPECT_EQ(look(workload, "198.51.7.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});
    EXPECT_EQ(look(workload, "198.52.7.1")->addresses,
              (std::vector<net::IpAddress>{A("10.1.1.5"), A("10.1.1.6")}));
    EXPECT_EQ(look(workload, "198.53.0.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});
    EXPECT_EQ(look(workload, "203.0.1.1")->type, NextHopType::Internet);
    // Live BGP groups now: {.5}, {.5,.6}, {.6}, {fd00::5}.
    fib->reclaim();
    EXPECT_EQ(fib->stats().groups.live, before.live - 1);
    // A hint for next hops nobody uses changes nothing.
    EXPECT_EQ(fib->next_hops_down(std::vector<net::IpAddress>{A("10.9.9.9")}), 0U);
}

// Through the updater: the hint goes ahead of what is queued and its observer reports the repoint.
TEST_F(FibTest, UpdaterAppliesNextHopDownHintsAndReportsThem) {
    std::vector<fib::RouteDelta> up;
    std::uint64_t seq = 0;
    for (int i = 0; i < 20; ++i) {
        up.push_back(delta(++seq, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.4", "10.1.1.5"}));
    }
    FibUpdater u(*fib);
    std::atomic<std::size_t> reported{0};
    std::atomic<int> calls{0};
    u.set_next_hops_down_observer([&](std::size_t n) {
        reported.store(n);
        calls.fetch_add(1);
    });
    u.start();
    ASSERT_TRUE(u.publish(up));
    ASSERT_TRUE(u.wait_visible(seq, std::chrono::seconds(10)));
    const std::vector<net::IpAddress> dead{A("10.1.1.4")};
    u.next_hops_down(dead);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (calls.load() == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    u.stop();
    EXPECT_EQ(calls.load(), 1);
    EXPECT_EQ(reported.load(), 1U);
    EXPECT_EQ(fib->stats().next_hop_down_events, 1U);
    EXPECT_EQ(look(workload, "198.51.3.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});
}

// A small publish that finds nothing queued and the FIB idle is applied by the publishing thread: visible
// when publish() returns, observer called; a larger one goes through the writer.
TEST_F(FibTest, SmallPublishIsAppliedInlineWhenTheWriterIsIdle) {
    UpdaterConfig uc;
    uc.inline_max = 16;
    FibUpdater u(*fib, uc);
    std::atomic<std::uint64_t> observed{0};
    u.set_visibility_observer([&](std::uint64_t seq) { observed.store(seq); });
    u.start();
    std::vector<fib::RouteDelta> small;
    std::uint64_t seq = 0;
    for (int i = 0; i < 10; ++i) {
        small.push_back(delta(++seq, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.4"}));
    }
    ASSERT_TRUE(u.publish(small));
    EXPECT_EQ(fib->visible_sequence(), seq) << "applied before publish() returned";
    EXPECT_EQ(observed.load(), seq);
    EXPECT_EQ(u.stats().inline_batches, 1U);
    std::vector<fib::RouteDelta> large;
    for (int i = 0; i < 40; ++i) {
        large.push_back(delta(++seq, "198.52." + std::to_string(i) + ".0/24", {"10.1.1.5"}));
    }
    ASSERT_TRUE(u.publish(large));
    ASSERT_TRUE(u.wait_visible(seq, std::chrono::seconds(10)));
    u.stop();
    EXPECT_EQ(u.stats().inline_batches, 1U);
    EXPECT_EQ(u.stats().applied_batches, 2U);
    EXPECT_EQ(look(workload, "198.51.3.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.4")});
    EXPECT_EQ(look(workload, "198.52.39.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.5")});
}

}  // namespace
}  // namespace rf::fib
