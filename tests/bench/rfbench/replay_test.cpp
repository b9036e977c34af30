// rfbench's replay load (bench/rfbench/replay.hpp): MRT files built with the project's encoder, read back
// as emulated peers, initial tables and UPDATE events; what the emulated peers send; corrupt files.
#include "bench/rfbench/replay.hpp"

#include <gtest/gtest.h>

#include "control/codec/codec.hpp"
#include "control/mrt/mrt.hpp"
#include "control/mrt/mrt_reader.hpp"
#include "tests/support/values.hpp"

namespace rf::bench {
namespace {

using Bytes = std::vector<std::uint8_t>;

using rf::testing::ip;
const auto pfx = rf::testing::prefix;

bgp::PathAttributes attrs(std::vector<std::uint32_t> path, const char* next_hop) {
    bgp::PathAttributes a;
    a.origin = bgp::Origin::Igp;
    a.as_path = bgp::AsPath{{bgp::AsSegment{bgp::AsSegmentType::Sequence, {path.begin(), path.end()}}}};
    a.next_hop = ip(next_hop).as_v4();
    a.local_pref = 200;
    a.communities = {(65001U << 16U) | 7U};
    return a;
}

// Peers: 0 = 192.0.2.1 AS65001 (routes), 1 = 192.0.2.2 AS65002 (none), 2 = 2001:db8::3 AS4200000003.
Bytes table_file() {
    Bytes out;
    mrt::PeerIndexTable t;
    t.collector_id = ip("192.0.2.254").as_v4();
    t.peers = {mrt::PeerEntry{ip("192.0.2.1").as_v4(), ip("192.0.2.1"), 65001},
               mrt::PeerEntry{ip("192.0.2.2").as_v4(), ip("192.0.2.2"), 65002},
               mrt::PeerEntry{ip("192.0.2.3").as_v4(), ip("2001:db8::3"), 4200000003U}};
    mrt::encode_peer_index_table(t, 100, out);
    const auto a = attrs({65001, 3356}, "192.0.2.1");
    const auto c = attrs({4200000003U, 1299, 13335}, "192.0.2.3");
    const std::vector<mrt::RibEntry> both{{0, 1, &a, {}}, {2, 1, &c, {}}};
    mrt::encode_rib(0, pfx("203.0.113.0/24"), both, 100, out);
    const mrt::RibEntry one{0, 1, &a, {}};
    mrt::encode_rib(1, pfx("198.51.100.0/24"), std::span(&one, 1), 100, out);
    bgp::PathAttributes v6 = c;
    v6.next_hop.reset();
    const mrt::RibEntry six{2, 1, &v6, {ip("2001:db8::3")}};
    mrt::encode_rib(2, pfx("2001:db8:1::/48"), std::span(&six, 1), 100, out);
    return out;
}

void add_update(Bytes& out, const char* peer, std::uint32_t asn, mrt::Timestamp at, const bgp::Update& u,
                bool four_octet_as = true) {
    bgp::CodecOptions o;
    o.four_octet_as = four_octet_as;
    Bytes msg;
    ASSERT_TRUE(bgp::encode_update(u, o, msg));
    mrt::Bgp4mpMessage m;
    m.time = at;
    m.peer_asn = asn;
    m.local_asn = 65515;
    m.peer = ip(peer);
    m.local = ip(peer).is_v4() ? ip("192.0.2.254") : ip("2001:db8::fe");
    m.four_octet_as = four_octet_as;
    m.message = msg;
    mrt::encode_bgp4mp_et(m, out);
}

TEST(ReplayFile, TablePeersBecomeEmulatedPeersInOrderWithTheirAsnsAndRoutes) {
    std::string error;
    const auto f = read_replay(table_file(), {}, error);
    ASSERT_TRUE(f) << error;
    ASSERT_EQ(f->peers.size(), 2U);  // 192.0.2.2 holds nothing: not emulated
    EXPECT_EQ(f->peers[0].address, ip("192.0.2.1"));
    EXPECT_EQ(f->peers[0].asn, 65001U);
    EXPECT_EQ(f->peers[1].address, ip("2001:db8::3"));
    EXPECT_EQ(f->peers[1].asn, 4200000003U);
    ASSERT_EQ(f->tables[0].size(), 2U);
    ASSERT_EQ(f->tables[1].size(), 2U);  // a peer with an IPv6 address replays both families
    EXPECT_EQ(f->tables[1][0].prefix, pfx("203.0.113.0/24"));
    EXPECT_EQ(f->tables[1][1].prefix, pfx("2001:db8:1::/48"));
    EXPECT_EQ(f->attribute_sets[f->tables[1][0].attributes].as_path,
              attrs({4200000003U, 1299, 13335}, "192.0.2.3").as_path);
    EXPECT_EQ(f->tables[0][0].attributes, f->tables[0][1].attributes);  // one set, stored once
    EXPECT_EQ(f->attribute_sets.size(), 3U);
    EXPECT_EQ(f->ipv4_routes, 3U);
    EXPECT_EQ(f->ipv6_routes, 1U);
    EXPECT_EQ(f->total_routes(), 4U);
    EXPECT_EQ(f->prefixes(), (std::vector<net::Prefix>{pfx("203.0.113.0/24"), pfx("198.51.100.0/24"),
                                                       pfx("2001:db8:1::/48")}));
}

TEST(ReplayFile, SelectedPeersOnlyAndTheRestCounted) {
    std::string error;
    const auto f = read_replay(table_file(), {ip("2001:db8::3")}, error);
    ASSERT_TRUE(f) << error;
    ASSERT_EQ(f->peers.size(), 1U);
    EXPECT_EQ(f->peers[0].asn, 4200000003U);
    EXPECT_EQ(f->unselected_routes, 2U);
}

TEST(ReplayFile, UpdatesBecomeTimedEventsAndUnknownPeersNewEmulatedPeers) {
    Bytes file = table_file();
    bgp::Update w;
    w.withdrawn = {bgp::Nlri{pfx("198.51.100.0/24"), 0}};
    add_update(file, "192.0.2.1", 65001, {200, 0}, w);
    bgp::Update a;
    a.attributes = attrs({65009, 4200000099U}, "192.0.2.9");
    a.nlri = {bgp::Nlri{pfx("192.0.2.128/25"), 0}};
    add_update(file, "192.0.2.9", 65009, {200, 250000}, a, false);  // two-octet session: AS4_PATH
    bgp::Update six;                                                // IPv6: an event of its own
    six.attributes = attrs({65001}, "192.0.2.1");
    six.attributes.next_hop.reset();
    six.mp_reach = bgp::MpReach{bgp::AfiSafi{net::Afi::Ipv6, net::Safi::Unicast},
                                {ip("2001:db8::1")},
                                {bgp::Nlri{pfx("2001:db8:2::/48"), 0}}};
    add_update(file, "192.0.2.1", 65001, {201, 0}, six);

    std::string error;
    const auto f = read_replay(file, {}, error);
    ASSERT_TRUE(f) << error;
    ASSERT_EQ(f->peers.size(), 3U);
    EXPECT_EQ(f->peers[2].address, ip("192.0.2.9"));
    EXPECT_EQ(f->peers[2].asn, 65009U);
    ASSERT_EQ(f->events.size(), 3U);
    EXPECT_EQ(f->events[0].peer, 0U);
    EXPECT_EQ(f->events[0].at, 0);
    EXPECT_EQ(f->events[0].withdrawn, std::vector<net::Prefix>{pfx("198.51.100.0/24")});
    EXPECT_EQ(f->events[1].peer, 2U);
    EXPECT_EQ(f->events[1].at, 250 * kMilli);
    EXPECT_EQ(f->events[1].announced, std::vector<net::Prefix>{pfx("192.0.2.128/25")});
    EXPECT_EQ(f->attribute_sets[f->events[1].attributes].as_path,
              a.attributes.as_path);  // the four-octet path, merged
    EXPECT_EQ(f->events[2].peer, 0U);
    EXPECT_EQ(f->events[2].announced, std::vector<net::Prefix>{pfx("2001:db8:2::/48")});
    EXPECT_EQ(f->ipv6_routes, 2U);
}

TEST(ReplayFile, Ipv6RoutesGoInMpReachWithTheEmbeddedNextHopAndLeaveInMpUnreach) {
    Bytes file = table_file();
    bgp::Update w;
    w.mp_unreach = bgp::MpUnreach{bgp::AfiSafi{net::Afi::Ipv6, net::Safi::Unicast},
                                  {bgp::Nlri{pfx("2001:db8:1::/48"), 0}}};
    add_update(file, "2001:db8::3", 4200000003U, {200, 0}, w);
    std::string error;
    const auto f = read_replay(file, {ip("2001:db8::3")}, error);
    ASSERT_TRUE(f) << error;
    const auto nh = peer_identity(0).next_hop;
    bgp::CodecOptions o;
    o.four_octet_as = true;
    const auto load = encode_replay_table(*f, 0, nh);
    EXPECT_EQ(load.messages, 2U);  // one UPDATE per family
    const std::span<const std::uint8_t> all(*load.bytes);
    const auto first = bgp::decode_header(all, o);
    ASSERT_TRUE(first);
    const auto v6 = bgp::decode_update(all.subspan(first->length), o);
    ASSERT_TRUE(v6);
    ASSERT_TRUE(v6->update.mp_reach);
    EXPECT_FALSE(v6->update.attributes.next_hop.has_value());
    ASSERT_EQ(v6->update.mp_reach->next_hops.size(), 1U);
    EXPECT_EQ(v6->update.mp_reach->next_hops[0], net::IpAddress::v6(ipv6_next_hop(nh)));
    EXPECT_EQ(embedded_next_hop(v6->update.mp_reach->next_hops[0].as_v6()), nh);
    EXPECT_EQ(v6->update.mp_reach->nlri.front().prefix, pfx("2001:db8:1::/48"));

    const auto ev = encode_replay_events(*f, {peer_identity(0)});
    auto d = bgp::decode_update(*ev.bytes, o);
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->update.mp_unreach);
    EXPECT_EQ(d->update.mp_unreach->withdrawn.front().prefix, pfx("2001:db8:1::/48"));
}

TEST(ReplayFile, PeerLeavingEstablishedWithdrawsWhatItHeld) {
    Bytes file = table_file();
    bgp::Update a;
    a.attributes = attrs({65001, 174}, "192.0.2.1");
    a.nlri = {bgp::Nlri{pfx("192.0.2.0/25"), 0}};
    add_update(file, "192.0.2.1", 65001, {200, 0}, a);
    // STATE_CHANGE_AS4 of 192.0.2.1: Established (6) -> Idle (1), 1 s later.
    const Bytes down = {0, 0, 0,    201,  0, 17, 0, 5, 0,   0, 0, 28, 0,   0, 0, 0,   0, 0, 0xFD, 0xE9,
                        0, 0, 0xFF, 0xEB, 0, 0,  0, 1, 192, 0, 2, 1,  192, 0, 2, 254, 0, 6, 0,    1};
    file.insert(file.end(), down.begin(), down.end());
    std::string error;
    const auto f = read_replay(file, {}, error);
    ASSERT_TRUE(f) << error;
    EXPECT_EQ(f->peer_downs, 1U);
    ASSERT_EQ(f->events.size(), 2U);
    EXPECT_EQ(f->events[1].peer, 0U);
    EXPECT_EQ(f->events[1].at, kSecond);
    EXPECT_TRUE(f->events[1].announced.empty());
    // Its two table routes and the one announced since (in prefix order: length, then address).
    EXPECT_EQ(f->events[1].withdrawn,
              (std::vector<net::Prefix>{pfx("198.51.100.0/24"), pfx("203.0.113.0/24"), pfx("192.0.2.0/25")}));
}

TEST(ReplayFile, EmulatedPeersSendTheFilesPathsWithTheirOwnNextHop) {
    std::string error;
    const auto f = read_replay(table_file(), {}, error);
    ASSERT_TRUE(f) << error;
    const auto nh = peer_identity(0).next_hop;
    const auto load = encode_replay_table(*f, 0, nh);
    EXPECT_EQ(load.prefixes, 2U);
    EXPECT_EQ(load.messages, 1U);  // both routes share their attributes
    bgp::CodecOptions o;
    o.four_octet_as = true;
    auto d = bgp::decode_update(*load.bytes, o);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->update.nlri.size(), 2U);
    const auto& got = d->update.attributes;
    EXPECT_EQ(got.next_hop, nh);
    EXPECT_FALSE(got.local_pref.has_value());
    auto want = attrs({65001, 3356}, "192.0.2.1");
    EXPECT_EQ(got.as_path, want.as_path);
    EXPECT_EQ(got.communities, want.communities);
}

TEST(ReplayFile, EventsAreEncodedOnePerSlice) {
    Bytes file = table_file();
    bgp::Update u;
    u.withdrawn = {bgp::Nlri{pfx("198.51.100.0/24"), 0}};
    u.attributes = attrs({65001, 174}, "192.0.2.1");
    u.nlri = {bgp::Nlri{pfx("203.0.113.0/24"), 0}};
    add_update(file, "192.0.2.1", 65001, {200, 0}, u);
    std::string error;
    const auto f = read_replay(file, {}, error);
    ASSERT_TRUE(f) << error;
    std::vector<PeerIdentity> ids{peer_identity(0), peer_identity(1)};
    const auto ev = encode_replay_events(*f, ids);
    ASSERT_EQ(ev.offsets.size(), 2U);
    // Withdrawal first, then the announcement: two UPDATEs in the event's slice.
    bgp::CodecOptions o;
    o.four_octet_as = true;
    const std::span<const std::uint8_t> all(*ev.bytes);
    auto first = bgp::decode_header(all, o);
    ASSERT_TRUE(first);
    auto w = bgp::decode_update(all.first(first->length), o);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->update.withdrawn.size(), 1U);
    auto a = bgp::decode_update(all.subspan(first->length), o);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->update.attributes.next_hop, ids[0].next_hop);
    EXPECT_EQ(a->update.nlri.size(), 1U);
}

TEST(ReplayFile, CorruptOrTruncatedFileNamesTheOffset) {
    Bytes file = table_file();
    std::string error;
    file.resize(file.size() - 3);
    EXPECT_FALSE(read_replay(file, {}, error));
    EXPECT_NE(error.find("truncated"), std::string::npos) << error;
    EXPECT_NE(error.find("offset"), std::string::npos) << error;

    Bytes bad = table_file();
    const auto first = mrt::read_record(bad, 0);
    ASSERT_TRUE(first);
    bad[first->end() + 12 + 4] = 40;  // the first RIB record's prefix length: /40 for IPv4
    EXPECT_FALSE(read_replay(bad, {}, error));
    EXPECT_NE(error.find("offset " + std::to_string(first->end())), std::string::npos) << error;
    EXPECT_NE(error.find("bad prefix length"), std::string::npos) << error;
}

TEST(ReplayFile, RibEntryOfAPeerNotInTheIndexTableIsRefused) {
    Bytes out;
    mrt::PeerIndexTable t;
    t.peers = {mrt::PeerEntry{ip("192.0.2.1").as_v4(), ip("192.0.2.1"), 65001}};
    mrt::encode_peer_index_table(t, 100, out);
    const auto a = attrs({65001}, "192.0.2.1");
    const mrt::RibEntry e{5, 1, &a, {}};
    mrt::encode_rib(0, pfx("203.0.113.0/24"), std::span(&e, 1), 100, out);
    std::string error;
    EXPECT_FALSE(read_replay(out, {}, error));
    EXPECT_NE(error.find("peer index 5"), std::string::npos) << error;
}

TEST(ReplayFile, NothingToReplayIsAnError) {
    Bytes out;
    mrt::PeerIndexTable t;
    mrt::encode_peer_index_table(t, 100, out);
    std::string error;
    EXPECT_FALSE(read_replay(out, {}, error));
    EXPECT_NE(error.find("no IPv4 or IPv6 unicast route"), std::string::npos) << error;
}

}  // namespace
}  // namespace rf::bench
