// Pure parts of rfbench: prefix sets and identities, percentiles, the monitor's tracker, the UPDATE
// pre-encoder (checked by decoding with the codec), the daemons' config writers, JSON output.
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <set>
#include <thread>

#include "bench/rfbench/measurement.hpp"
#include "bench/rfbench/preencode.hpp"
#include "bench/rfbench/prefix_set.hpp"
#include "bench/rfbench/process.hpp"
#include "bench/rfbench/provenance.hpp"
#include "bench/rfbench/stats.hpp"
#include "bench/rfbench/target.hpp"
#include "bench/rfbench/tracker.hpp"
#include "control/codec/codec.hpp"

#ifdef RF_HAVE_DAEMON_CONFIG
#include "daemon/config/config.hpp"
#endif

namespace rf::bench {
namespace {

Ipv4Address addr(const char* s) {
    return *Ipv4Address::parse(s);
}

TEST(PrefixSet, UniverseIndexRoundTrips) {
    EXPECT_EQ(universe_prefix(0).to_string(), "11.0.0.0/24");
    EXPECT_EQ(universe_prefix(1).to_string(), "11.0.1.0/24");
    EXPECT_EQ(universe_prefix(256).to_string(), "11.1.0.0/24");
    for (std::uint32_t i : {0u, 1u, 255u, 65536u, 1'279'999u, kMaxUniverse - 1})
        EXPECT_EQ(universe_index(universe_prefix(i)), i);
    EXPECT_EQ(universe_prefix(kMaxUniverse - 1).to_string(), "99.255.255.0/24");
    EXPECT_FALSE(universe_index(*Prefix::parse("10.0.0.0/24")));
    EXPECT_FALSE(universe_index(*Prefix::parse("11.0.0.0/23")));
    EXPECT_FALSE(universe_index(*Prefix::parse("100.64.0.0/24")));
}

TEST(PrefixSet, DisjointPlanGivesEveryPeerItsOwnBlock) {
    LoadPlan p;
    p.peers = 4;
    p.prefixes_per_peer = 10;
    EXPECT_EQ(p.universe_size(), 40u);
    EXPECT_EQ(p.first_index(3), 30u);
    EXPECT_EQ(p.origins(25), std::vector<std::uint32_t>{2});
    EXPECT_TRUE(p.origins(40).empty());
    EXPECT_EQ(p.total_announcements(), 40u);
}

TEST(PrefixSet, SharedPlanHasEveryPeerAnnounceTheSameSet) {
    LoadPlan p;
    p.peers = 3;
    p.prefixes_per_peer = 10;
    p.overlap = Overlap::Shared;
    p.path_lengths = {1, 2};
    EXPECT_EQ(p.universe_size(), 10u);
    EXPECT_EQ(p.first_index(2), 0u);
    EXPECT_EQ(p.origins(9), (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_EQ(p.path_length(0), 1u);
    EXPECT_EQ(p.path_length(1), 2u);
    EXPECT_EQ(p.path_length(2), 1u);  // cycled
}

TEST(PrefixSet, ValidateRejectsOversizedAndBadPaths) {
    std::string error;
    LoadPlan p;
    p.peers = 64;
    p.prefixes_per_peer = 20'000;
    EXPECT_TRUE(p.validate(error)) << error;
    p.prefixes_per_peer = kMaxUniverse;
    EXPECT_FALSE(p.validate(error));
    p.prefixes_per_peer = 10;
    p.path_lengths = {0};
    EXPECT_FALSE(p.validate(error));
    p.path_lengths = {};
    p.peers = 0;
    EXPECT_FALSE(p.validate(error));
}

TEST(PrefixSet, IdentitiesAreUniqueAndAvoidReservedAsns) {
    std::set<std::uint32_t> asns{monitor_identity().asn};
    std::set<std::uint32_t> hops{monitor_identity().next_hop.value};
    std::set<std::uint32_t> addrs{default_monitor_address().value};
    for (std::uint32_t i = 0; i < 1000; ++i) {
        const auto id = peer_identity(i);
        EXPECT_TRUE(asns.insert(id.asn).second) << i;
        EXPECT_TRUE(hops.insert(id.next_hop.value).second) << i;
        EXPECT_TRUE(addrs.insert(default_peer_address(i).value).second) << i;
        EXPECT_FALSE(id.asn >= 64496 && id.asn <= 64511) << id.asn;
        EXPECT_NE(id.asn, 65515u);
        EXPECT_FALSE(id.asn >= 65517 && id.asn <= 65520);
        EXPECT_LE(id.asn, 0xFFFFu);  // 2-byte, Azure-compatible
        EXPECT_TRUE(Prefix::parse("100.64.0.0/10")->contains(net::IpAddress::v4(id.next_hop)));
        const auto last = default_peer_address(i).value & 0xFF;
        EXPECT_TRUE(last >= 10 && last < 250) << last;
    }
    EXPECT_EQ(default_peer_address(0).to_string(), "127.0.0.10");
}

TEST(PrefixSet, AddressListsTakeRangesAndSingles) {
    std::string error;
    const auto l = parse_address_list("10.0.0.1-10.0.0.3,192.0.2.9", error);
    ASSERT_TRUE(l) << error;
    ASSERT_EQ(l->size(), 4u);
    EXPECT_EQ((*l)[2].to_string(), "10.0.0.3");
    EXPECT_EQ((*l)[3].to_string(), "192.0.2.9");
    EXPECT_FALSE(parse_address_list("10.0.0.3-10.0.0.1", error));
    EXPECT_FALSE(parse_address_list("nope", error));
}

TEST(PrefixSet, PlanNamesItsOverlapAndPathLengthsAsTheOptionsTakeThem) {
    LoadPlan plan;
    EXPECT_STREQ(overlap_name(plan.overlap), "disjoint");
    EXPECT_EQ(plan.path_lengths_text(), "");
    plan.overlap = Overlap::Shared;
    plan.path_lengths = {3, 1, 2};
    EXPECT_STREQ(overlap_name(plan.overlap), "shared");
    EXPECT_EQ(plan.path_lengths_text(), "3,1,2");
}

// A daemon that forks workers (OpenBGPD: parent, SE, RDE, RTR) is sampled as the sum of its processes;
// stopping it takes the workers too.
TEST(Process, TreeSampleCoversTheChildAndEveryProcessBelowIt) {
    ChildProcess p;
    std::string error;
    const std::string log = make_temp_dir("rfbench-process-test-");
    ASSERT_FALSE(log.empty());
    // sh forks two sleeps and waits: three processes in one group.
    ASSERT_TRUE(p.start({"sh", "-c", "sleep 30 & sleep 30 & wait"}, log + "/log", error)) << error;
    ProcSample tree;
    for (int i = 0; i < 500 && tree.processes < 3; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        tree = sample_process_tree(p.pid());
    }
    const ProcSample one = sample_process(p.pid());
    EXPECT_TRUE(tree.valid);
    EXPECT_EQ(tree.processes, 3u);
    EXPECT_EQ(one.processes, 1u);
    EXPECT_GT(tree.peak_rss_kib, one.peak_rss_kib);
    EXPECT_GT(tree.rss_kib, one.rss_kib);
    const pid_t pid = p.pid();
    p.stop();  // SIGTERM ends sh; the sleeps it left behind go with its group
    EXPECT_FALSE(p.running());
    EXPECT_FALSE(sample_process(pid).valid);
    // Nothing left in the group once init has reaped the killed sleeps (bounded wait).
    bool group_gone = false;
    for (int i = 0; i < 500 && !group_gone; ++i) {
        group_gone = ::kill(-pid, 0) == -1 && errno == ESRCH;
        if (!group_gone)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(group_gone);
    EXPECT_FALSE(sample_process_tree(-1).valid);
    remove_tree(log);
}

TEST(Stats, NearestRankPercentiles) {
    std::vector<Nanos> v;
    for (Nanos i = 100; i >= 1; --i)
        v.push_back(i);
    const auto s = summarize(v);
    EXPECT_EQ(s.count, 100u);
    EXPECT_EQ(s.min, 1);
    EXPECT_EQ(s.p50, 50);
    EXPECT_EQ(s.p90, 90);
    EXPECT_EQ(s.p99, 99);
    EXPECT_EQ(s.max, 100);
    EXPECT_DOUBLE_EQ(s.mean, 50.5);
    EXPECT_EQ(summarize({7}).p99, 7);
    EXPECT_EQ(summarize({}).p99, 0);
    EXPECT_EQ(percentile_sorted({1, 2, 3}, 0.0), 1);
    EXPECT_EQ(percentile_sorted({1, 2, 3}, 1.0), 3);
}

TEST(Stats, CdfEndsAtOneAndIsMonotonic) {
    std::vector<Nanos> v;
    for (Nanos i = 0; i < 10'000; ++i)
        v.push_back((i * 7919) % 10'000);
    const auto c = cdf_points(v, 100);
    ASSERT_FALSE(c.empty());
    EXPECT_LE(c.size(), 101u);
    EXPECT_DOUBLE_EQ(c.back().second, 1.0);
    EXPECT_EQ(c.back().first, 9'999);
    for (std::size_t i = 1; i < c.size(); ++i) {
        EXPECT_GE(c[i].first, c[i - 1].first);
        EXPECT_GT(c[i].second, c[i - 1].second);
    }
}

class TrackerTest : public ::testing::Test {
protected:
    TrackerTest() : t(10, {peer_identity(0).next_hop, peer_identity(1).next_hop}) {}
    Tracker t;
};

TEST_F(TrackerTest, ConvergesWhenEveryPrefixMatches) {
    EXPECT_TRUE(t.converged());  // all absent, all expected absent
    t.expect_range(0, 5, Tracker::peer_value(0));
    t.expect_range(5, 5, Tracker::peer_value(1));
    EXPECT_EQ(t.matched(), 0u);
    for (std::uint32_t i = 0; i < 10; ++i)
        t.observe(universe_prefix(i), Tracker::peer_value(i < 5 ? 0 : 1), 100 + i);
    EXPECT_TRUE(t.converged());
    EXPECT_EQ(t.present(), 10u);
    EXPECT_EQ(t.first_change_at(), 100);
    EXPECT_EQ(t.last_match_at(), 109);
    EXPECT_EQ(t.match_times_since(100).size(), 10u);
}

TEST_F(TrackerTest, WrongPeerDoesNotMatchAndDisturbanceCounts) {
    t.expect(0, Tracker::peer_value(0));
    t.observe(universe_prefix(0), Tracker::peer_value(1), 1);
    EXPECT_FALSE(t.converged());
    t.observe(universe_prefix(0), Tracker::peer_value(0), 2);
    EXPECT_TRUE(t.converged());
    EXPECT_EQ(t.regressions(), 0u);
    t.observe(universe_prefix(0), Tracker::kAbsent, 3);  // nobody asked for this withdrawal
    EXPECT_EQ(t.regressions(), 1u);
    EXPECT_FALSE(t.converged());
}

TEST_F(TrackerTest, AnyEligibleFollowsEligibility) {
    t.expect(3, Tracker::kAnyEligible);
    t.observe(universe_prefix(3), Tracker::peer_value(1), 1);
    EXPECT_TRUE(t.converged());
    t.set_eligible(1, false);  // peer 1 failed: its path no longer counts
    EXPECT_FALSE(t.converged());
    t.observe(universe_prefix(3), Tracker::peer_value(0), 2);
    EXPECT_TRUE(t.converged());
    t.observe(universe_prefix(3), Tracker::kUnknownPeer, 3);
    EXPECT_FALSE(t.converged());
}

TEST_F(TrackerTest, PendingEventsYieldLagSamples) {
    t.reset_timing();
    t.expect(1, Tracker::peer_value(0));
    t.mark_pending(1, 1000);
    EXPECT_EQ(t.pending(), 1u);
    t.observe(universe_prefix(1), Tracker::peer_value(0), 1500);
    ASSERT_EQ(t.lag_samples().size(), 1u);
    EXPECT_EQ(t.lag_samples()[0].first, 1000);
    EXPECT_EQ(t.lag_samples()[0].second, 500);
    EXPECT_EQ(t.pending(), 0u);
    // Two events before the first arrives: one overrun.
    t.expect(1, Tracker::kAbsent);
    t.mark_pending(1, 2000);
    t.expect(1, Tracker::peer_value(0));
    t.mark_pending(1, 2100);  // already matching: no sample, but the first one was overrun
    EXPECT_EQ(t.overruns(), 1u);
    EXPECT_EQ(t.pending(), 0u);
}

TEST_F(TrackerTest, ForeignPrefixesAreCountedApart) {
    t.observe(*Prefix::parse("192.0.2.0/24"), Tracker::peer_value(0), 1);
    EXPECT_EQ(t.foreign_present(), 1u);
    EXPECT_TRUE(t.converged());
    t.observe(*Prefix::parse("192.0.2.0/24"), Tracker::kAbsent, 2);
    EXPECT_EQ(t.foreign_present(), 0u);
}

TEST(PreEncode, PackedAnnouncementsDecodeToTheRange) {
    const auto peer = peer_identity(5);
    const auto packed = encode_announce_range(peer, 3, 100, 2500);
    EXPECT_GE(packed.messages, 3u);  // ~1,000 /24s per 4,096-byte UPDATE
    EXPECT_LE(packed.messages, 4u);
    Tracker t(3000, {peer_identity(0).next_hop, peer_identity(1).next_hop, peer_identity(2).next_hop,
                     peer_identity(3).next_hop, peer_identity(4).next_hop, peer.next_hop});
    t.expect_range(100, 2500, Tracker::peer_value(5));
    bgp::CodecOptions o;
    std::span<const std::uint8_t> rest(*packed.bytes);
    std::size_t messages = 0;
    while (!rest.empty()) {
        const auto h = bgp::decode_header(rest.first(bgp::kHeaderSize), o);
        ASSERT_TRUE(h);
        ASSERT_EQ(h->type, bgp::MessageType::Update);
        const auto u = bgp::decode_update(rest.first(h->length), o);
        ASSERT_TRUE(u);
        EXPECT_EQ(u->update.attributes.as_path->length(), 3u);
        EXPECT_EQ(u->update.attributes.as_path->first_as(), peer.asn);
        t.apply_update(rest.first(h->length), o, 1);
        rest = rest.subspan(h->length);
        ++messages;
    }
    EXPECT_EQ(messages, packed.messages);
    EXPECT_TRUE(t.converged()) << t.describe_mismatches(3);

    const auto w = encode_withdraw_range(100, 2500);
    std::span<const std::uint8_t> wr(*w.bytes);
    while (!wr.empty()) {
        const auto h = bgp::decode_header(wr.first(bgp::kHeaderSize), o);
        ASSERT_TRUE(h);
        t.apply_update(wr.first(h->length), o, 2);
        wr = wr.subspan(h->length);
    }
    EXPECT_EQ(t.present(), 0u);
}

TEST(Tracker, Ipv6RouteIsOwnedByThePeerWhoseNextHopIsEmbedded) {
    const net::Prefix p6 = *net::Prefix::parse("2001:db8:7::/48");
    const net::Prefix p4 = *net::Prefix::parse("198.18.0.0/24");
    Tracker t(std::vector<net::Prefix>{p4, p6}, {peer_identity(0).next_hop, peer_identity(1).next_hop});
    t.expect(1, Tracker::peer_value(1));
    EXPECT_EQ(embedded_next_hop(ipv6_next_hop(peer_identity(1).next_hop)), peer_identity(1).next_hop);
    EXPECT_FALSE(embedded_next_hop(*net::Ipv6Address::parse("2001:db8::1")));

    bgp::CodecOptions o;
    o.four_octet_as = true;
    bgp::PathAttributes a;
    a.origin = bgp::Origin::Igp;  // a mandatory attribute missing would make it treat-as-withdraw
    a.as_path = bgp::AsPath{{bgp::AsSegment{bgp::AsSegmentType::Sequence, {65001}}}};
    const std::vector<bgp::Nlri> nlri{bgp::Nlri{p6, 0}};
    const net::IpAddress nh = net::IpAddress::v6(ipv6_next_hop(peer_identity(1).next_hop));
    std::vector<std::uint8_t> bytes;
    ASSERT_EQ(
        bgp::encode_announcements(a, {net::Afi::Ipv6, net::Safi::Unicast}, std::span(&nh, 1), nlri, o, bytes),
        1u);
    t.apply_update(bytes, o, 1);
    EXPECT_EQ(t.owner(1), Tracker::peer_value(1));
    EXPECT_TRUE(t.converged()) << t.describe_mismatches(2);

    bytes.clear();
    bgp::encode_withdrawals({net::Afi::Ipv6, net::Safi::Unicast}, nlri, o, bytes);
    t.apply_update(bytes, o, 2);
    EXPECT_EQ(t.owner(1), Tracker::kAbsent);
}

TEST(PreEncode, SingleUpdatesAreAddressedByOffset) {
    const std::vector<std::uint32_t> idx{7, 3, 9};
    const auto a = encode_single_announcements(peer_identity(0), 1, idx);
    const auto w = encode_single_withdrawals(idx);
    ASSERT_EQ(a.offsets.size(), 4u);
    ASSERT_EQ(w.offsets.size(), 4u);
    bgp::CodecOptions o;
    for (std::size_t i = 0; i < idx.size(); ++i) {
        const std::span<const std::uint8_t> m(a.bytes->data() + a.offsets[i],
                                              a.offsets[i + 1] - a.offsets[i]);
        const auto u = bgp::decode_update(m, o);
        ASSERT_TRUE(u);
        ASSERT_EQ(u->update.nlri.size(), 1u);
        EXPECT_EQ(u->update.nlri[0].prefix, universe_prefix(idx[i]));
        const std::span<const std::uint8_t> wm(w.bytes->data() + w.offsets[i],
                                               w.offsets[i + 1] - w.offsets[i]);
        const auto wu = bgp::decode_update(wm, o);
        ASSERT_TRUE(wu);
        ASSERT_EQ(wu->update.withdrawn.size(), 1u);
        EXPECT_EQ(wu->update.withdrawn[0].prefix, universe_prefix(idx[i]));
    }
}

TargetSpec sample_spec() {
    TargetSpec s;
    s.listen_address = addr("127.0.0.1");
    s.port = 1179;
    s.api_port = 50099;
    s.asn = 65515;
    s.hold_time = 90;
    s.idle_hold_seconds = 2;
    s.max_peers = 3;
    s.neighbors.push_back(NeighborSpec{"monitor", addr("127.0.0.2"), 64512, 0});
    s.neighbors.push_back(NeighborSpec{"peer0", addr("127.0.0.10"), 64513, 100});
    s.neighbors.push_back(NeighborSpec{"peer1", addr("127.0.0.11"), 64514, 100});
    return s;
}

bool has(const std::string& text, const std::string& what) {
    return text.find(what) != std::string::npos;
}

TEST(ConfigWriter, BirdIsARouteServerWithMultihopIgpTableAndLimits) {
    const auto t = make_target("bird");
    const auto c = t->config_text(sample_spec(), "/run");
    EXPECT_TRUE(has(c, "local 127.0.0.1 port 1179 as 65515;"));
    EXPECT_TRUE(has(c, "rs client;"));
    EXPECT_TRUE(has(c, "multihop;"));
    EXPECT_TRUE(has(c, "passive on;"));
    EXPECT_TRUE(has(c, "route 100.64.0.0/10 via \"lo\";"));
    EXPECT_TRUE(has(c, "neighbor 127.0.0.11 as 64514;"));
    EXPECT_TRUE(has(c, "receive limit 100 action restart;"));
    EXPECT_TRUE(has(c, "error wait time 2, 2;"));
    const auto cmd = t->command(sample_spec(), "/run", "bird");
    EXPECT_NE(std::find(cmd.begin(), cmd.end(), "-f"), cmd.end());  // foreground
}

TEST(ConfigWriter, FrrNeedsPolicyOffRouteServerClientAndMaximumPrefix) {
    const auto t = make_target("frr");
    const auto c = t->config_text(sample_spec(), "/run");
    EXPECT_TRUE(has(c, "router bgp 65515"));
    EXPECT_TRUE(has(c, "no bgp ebgp-requires-policy"));
    EXPECT_TRUE(has(c, "neighbor 127.0.0.10 remote-as 64513"));
    EXPECT_TRUE(has(c, "neighbor 127.0.0.10 passive"));
    EXPECT_TRUE(has(c, "neighbor 127.0.0.10 disable-connected-check"));
    EXPECT_TRUE(has(c, "neighbor 127.0.0.10 route-server-client"));
    EXPECT_TRUE(has(c, "neighbor 127.0.0.10 maximum-prefix 100 restart 1"));
    EXPECT_FALSE(has(c, "neighbor 127.0.0.2 maximum-prefix"));
    const auto cmd = t->command(sample_spec(), "/run", "bgpd");
    EXPECT_NE(std::find(cmd.begin(), cmd.end(), "-Z"), cmd.end());
    EXPECT_NE(std::find(cmd.begin(), cmd.end(), "1179"), cmd.end());
}

TEST(ConfigWriter, GobgpPinsApiAndMarksRouteServerClients) {
    const auto t = make_target("gobgp");
    const auto c = t->config_text(sample_spec(), "/run");
    EXPECT_TRUE(has(c, "as = 65515"));
    EXPECT_TRUE(has(c, "port = 1179"));
    EXPECT_TRUE(has(c, "neighbor-address = \"127.0.0.11\""));
    EXPECT_TRUE(has(c, "route-server-client = true"));
    EXPECT_TRUE(has(c, "passive-mode = true"));
    EXPECT_TRUE(has(c, "max-prefixes = 100"));
    const auto cmd = t->command(sample_spec(), "/run", "gobgpd");
    EXPECT_NE(std::find(cmd.begin(), cmd.end(), "127.0.0.1:50099"), cmd.end());
    EXPECT_NE(std::find(cmd.begin(), cmd.end(), "--pprof-disable"), cmd.end());
}

TEST(ConfigWriter, Ipv6UnicastOnlyWhenAsked) {
    auto spec = sample_spec();
    for (const auto& name : {"bird", "frr", "gobgp", "openbgpd"}) {
        const auto t = make_target(name);
        EXPECT_FALSE(has(t->config_text(spec, "/run"), "ipv6")) << name;
        EXPECT_FALSE(has(t->config_text(spec, "/run"), "IPv6")) << name;
    }
    spec.ipv6_unicast = true;
    const auto bird = make_target("bird")->config_text(spec, "/run");
    EXPECT_TRUE(has(bird, "route 2001:db8:64::/96 via \"lo\";"));
    EXPECT_TRUE(
        has(bird, "  ipv6 {\n    import all;\n    export all;\n    next hop keep;\n    igp table rfb_igp6;"));
    EXPECT_TRUE(has(make_target("frr")->config_text(spec, "/run"),
                    " address-family ipv6 unicast\n  neighbor 127.0.0.2 activate\n"));
    EXPECT_TRUE(has(make_target("gobgp")->config_text(spec, "/run"), "afi-safi-name = \"ipv6-unicast\""));
    EXPECT_TRUE(has(make_target("openbgpd")->config_text(spec, "/run"), "\tannounce IPv6 unicast\n"));
}

TEST(ConfigWriter, OpenbgpdIsTransparentKeepsNextHopsAndListensWhereTold) {
    const auto t = make_target("openbgpd");
    const auto c = t->config_text(sample_spec(), "/run/x");
    EXPECT_TRUE(has(c, "AS 65515\n"));
    EXPECT_TRUE(has(c, "listen on 127.0.0.1 port 1179\n"));
    EXPECT_TRUE(has(c, "socket \"/run/x/bgpd.sock\"\n"));
    EXPECT_TRUE(has(c, "fib-update no\n"));
    EXPECT_TRUE(has(c, "transparent-as yes\n"));
    EXPECT_TRUE(has(c, "holdtime 90\n"));
    EXPECT_TRUE(has(c, "\tpassive\n"));
    EXPECT_TRUE(has(c, "\tmultihop 255\n\tset nexthop no-modify\n"));
    EXPECT_TRUE(has(c,
                    "\tneighbor 127.0.0.11 {\n\t\tremote-as 64514\n\t\tdescr \"peer1\"\n"
                    "\t\tmax-prefix 100 restart 1\n\t}\n"));
    EXPECT_TRUE(has(c, "\tneighbor 127.0.0.2 {\n\t\tremote-as 64512\n\t\tdescr \"monitor\"\n\t}\n"));
    EXPECT_TRUE(has(c, "allow from any\nallow to any\n"));
    const auto cmd = t->command(sample_spec(), "/run/x", "/usr/sbin/bgpd");
    EXPECT_EQ(cmd, (std::vector<std::string>{"/usr/sbin/bgpd", "-d", "-f", "/run/x/bgpd.conf"}));
}

TEST(ConfigWriter, RoutefabricdConfigIsTransparentWithRaisedLimits) {
    const auto t = make_target("routefabricd");
    auto spec = sample_spec();
    spec.neighbors[1].route_limit = 0;
    const auto c = t->config_text(spec, "/run");
    EXPECT_TRUE(has(c, "  asn: 65515"));
    EXPECT_TRUE(has(c, "  port: 1179"));
    EXPECT_TRUE(has(c, "  max_peers: 3"));
    EXPECT_TRUE(has(c, "  mode: transparent"));
    EXPECT_TRUE(has(c, "  - name: peer1\n    address: 127.0.0.11\n    asn: 64514\n    route_limit: 100"));
    EXPECT_TRUE(has(c, "  - name: peer0\n    address: 127.0.0.10\n    asn: 64513\n    route_limit: 0"));
#ifdef RF_HAVE_DAEMON_CONFIG
    // The daemon's own loader and rules accept what rfbench writes.
    const auto parsed = config::load_text(c);
    EXPECT_TRUE(parsed) << (parsed ? std::string() : config::format_errors(parsed.error()));
#endif
}

TEST(ConfigWriter, EveryTargetHasNotes) {
    for (const auto& name : known_targets()) {
        const auto t = make_target(name);
        ASSERT_TRUE(t) << name;
        EXPECT_FALSE(t->notes().empty()) << name;
    }
    EXPECT_FALSE(make_target("nope"));
}

TEST(Measurement, JsonLineIsOneObjectWithEscapes) {
    Measurement m;
    m.scenario = "ingest";
    m.target = "bird";
    m.target_version = "BIRD \"2\"";
    m.peers = 8;
    m.prefixes_per_peer = 1000;
    m.ok = true;
    m.num("last_prefix_ms", 12.5);
    m.integer("universe", 8000);
    m.flag("final_state_ok", true);
    m.text("note", "a\nb");
    EXPECT_EQ(
        m.json_line(),
        "{\"scenario\":\"ingest\",\"target\":\"bird\",\"target_version\":\"BIRD \\\"2\\\"\",\"peers\":8,"
        "\"prefixes_per_peer\":1000,\"ok\":true,\"last_prefix_ms\":12.5,\"universe\":8000,"
        "\"final_state_ok\":true,\"note\":\"a\\nb\"}");
    EXPECT_DOUBLE_EQ(m.number("last_prefix_ms"), 12.5);
    EXPECT_DOUBLE_EQ(m.number("note", -1), -1);
    EXPECT_EQ(m.size_label(), "8x1000");
}

TEST(Provenance, EveryJsonLineSaysWhenWhereAndWhichCommand) {
    const char* argv[] = {"rfbench", "--targets", "bird", "--sizes", "8x10000"};
    const std::string fields = provenance_fields(5, argv);
    EXPECT_NE(fields.find("\"command\":\"rfbench --targets bird --sizes 8x10000\""), std::string::npos)
        << fields;
    EXPECT_NE(fields.find("\"date\":\"20"), std::string::npos) << fields;
    EXPECT_NE(fields.find("CPUs"), std::string::npos) << fields;
    EXPECT_EQ(with_fields("{\"ok\":true}", "\"a\":1"), "{\"a\":1,\"ok\":true}");
    EXPECT_EQ(with_fields("{}", "\"a\":1"), "{\"a\":1}");
}

}  // namespace
}  // namespace rf::bench
