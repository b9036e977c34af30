// The MRT encoder, byte for byte: each record below was worked out by hand from RFC 6396 (§2 common
// header, §3 extended timestamp, §4.3 TABLE_DUMP_V2, §4.4 BGP4MP) and the BGP attribute formats.
#include "control/mrt/mrt.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/support/values.hpp"

namespace rf::mrt {
namespace {

using Bytes = std::vector<std::uint8_t>;

using rf::testing::ip;
using rf::testing::v4;
const auto sequence = rf::testing::as_sequence;

TEST(MrtPeerIndexTable, ListsEveryPeerWithFourOctetAsAndItsAddressFamily) {
    PeerIndexTable t;
    t.collector_id = v4("10.0.0.1");
    t.view_name = "rs";
    t.peers.push_back(PeerEntry{v4("1.1.1.1"), ip("192.0.2.1"), 65001});
    t.peers.push_back(PeerEntry{v4("2.2.2.2"), ip("2001:db8::1"), 4200000000U});
    Bytes out;
    encode_peer_index_table(t, 0x5F000000U, out);
    const Bytes want = {
        0x5F, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x00, 0x01, 0x00, 0x00, 0x00, 0x30,  // header: 13/1, 48 octets
        0x0A, 0x00, 0x00, 0x01,                                                  // collector BGP ID
        0x00, 0x02, 'r',  's',                                                   // view name
        0x00, 0x02,                                                              // peer count
        0x02, 0x01, 0x01, 0x01, 0x01, 0xC0, 0x00, 0x02, 0x01, 0x00, 0x00, 0xFD, 0xE9,  // AS4, IPv4
        0x03, 0x02, 0x02, 0x02, 0x02, 0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xFA, 0x56, 0xEA, 0x00,  // AS4, IPv6, AS 4200000000
    };
    EXPECT_EQ(out, want);
}

TEST(MrtRib, Ipv4EntryCarriesAttributesWithFourOctetAsPath) {
    bgp::PathAttributes a;
    a.origin = bgp::Origin::Igp;
    a.as_path = sequence({65001, 4200000000U});
    a.next_hop = v4("192.0.2.1");
    a.communities = {(65001U << 16U) | 100U};
    const RibEntry e{1, 0x5F000001U, &a, {}};
    Bytes out;
    encode_rib(7, *net::Prefix::parse("203.0.113.0/24"), std::span(&e, 1), 0x5F000000U, out);
    const Bytes want = {
        0x5F, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x00, 0x02, 0x00, 0x00, 0x00, 0x31,  // header: 13/2, 49 octets
        0x00, 0x00, 0x00, 0x07,                                                  // sequence
        0x18, 0xCB, 0x00, 0x71,                                                  // 203.0.113.0/24
        0x00, 0x01,                                                              // entry count
        0x00, 0x01, 0x5F, 0x00, 0x00, 0x01, 0x00, 0x1F,  // peer index, originated, attribute length
        0x40, 0x01, 0x01, 0x00,                          // ORIGIN IGP
        0x40, 0x02, 0x0A, 0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9, 0xFA, 0x56, 0xEA, 0x00,  // AS_PATH, AS4
        0x40, 0x03, 0x04, 0xC0, 0x00, 0x02, 0x01,                                      // NEXT_HOP
        0xC0, 0x08, 0x04, 0xFD, 0xE9, 0x00, 0x64,                                      // COMMUNITIES
    };
    EXPECT_EQ(out, want);
}

TEST(MrtRib, Ipv6EntryPutsNextHopsInAbbreviatedMpReach) {
    bgp::PathAttributes a;
    a.origin = bgp::Origin::Igp;
    a.as_path = sequence({65002});
    const RibEntry e{0, 0x5F000001U, &a, {ip("2001:db8::2"), ip("fe80::1")}};
    Bytes out;
    encode_rib(0, *net::Prefix::parse("2001:db8:1::/48"), std::span(&e, 1), 0x5F000000U, out);
    const Bytes want = {
        0x5F, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x00, 0x04, 0x00, 0x00, 0x00, 0x46,  // header: 13/4, 70 octets
        0x00, 0x00, 0x00, 0x00,                                                  // sequence
        0x30, 0x20, 0x01, 0x0D, 0xB8, 0x00, 0x01,                                // 2001:db8:1::/48
        0x00, 0x01,                                                              // entry count
        0x00, 0x00, 0x5F, 0x00, 0x00, 0x01, 0x00, 0x31,  // peer index, originated, attribute length
        0x80, 0x0E, 0x21, 0x20,                          // MP_REACH_NLRI: next-hop length 32
        0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x02, 0xFE, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x40, 0x01, 0x01, 0x00,  // ORIGIN IGP
        0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xFD, 0xEA,                    // AS_PATH 65002
    };
    EXPECT_EQ(out, want);
}

TEST(MrtRib, SeveralPathsOfOnePrefixAreEntriesOfOneRecord) {
    bgp::PathAttributes a;
    a.origin = bgp::Origin::Incomplete;
    a.next_hop = v4("192.0.2.1");
    bgp::PathAttributes b = a;
    b.next_hop = v4("192.0.2.2");
    const RibEntry entries[] = {{0, 1, &a, {}}, {1, 2, &b, {}}};
    Bytes out;
    encode_rib(3, *net::Prefix::parse("10.0.0.0/8"), entries, 9, out);
    ASSERT_EQ(out.size(), kCommonHeaderSize + 4 + 1 + 1 + 2 + 2 * (2 + 4 + 2 + 4 + 7));
    EXPECT_EQ(out[kCommonHeaderSize + 6], 0x00);
    EXPECT_EQ(out[kCommonHeaderSize + 7], 0x02);  // two entries
    EXPECT_EQ(out.back(), 0x02);                  // the second one's next hop ends in .2
}

const Bytes kKeepalive = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                          0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x13, 0x04};

TEST(MrtBgp4mp, MessageAs4WithMicrosecondTimestamp) {
    Bgp4mpMessage m;
    m.time = Timestamp{0x5F000002U, 123456};
    m.peer_asn = 65001;
    m.local_asn = 65515;
    m.peer = ip("192.0.2.1");
    m.local = ip("192.0.2.254");
    m.message = kKeepalive;
    Bytes out;
    encode_bgp4mp_et(m, out);
    Bytes want = {
        0x5F, 0x00, 0x00, 0x02, 0x00, 0x11, 0x00, 0x04, 0x00, 0x00, 0x00, 0x2B,  // header: 17/4, 43 octets
        0x00, 0x01, 0xE2, 0x40,                                                  // 123456 microseconds
        0x00, 0x00, 0xFD, 0xE9, 0x00, 0x00, 0xFF, 0xEB,                          // peer AS, local AS
        0x00, 0x00, 0x00, 0x01,                                                  // interface 0, AFI IPv4
        0xC0, 0x00, 0x02, 0x01, 0xC0, 0x00, 0x02, 0xFE,                          // peer, local
    };
    want.insert(want.end(), kKeepalive.begin(), kKeepalive.end());
    EXPECT_EQ(out, want);
}

TEST(MrtBgp4mp, UpdateOfATwoOctetSessionIsLoggedAsMessageWithAsTrans) {
    Bytes update = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x17, 0x02, 0x00, 0x00, 0x00, 0x00};
    Bgp4mpMessage m;
    m.time = Timestamp{1, 0};
    m.peer_asn = 4200000000U;
    m.local_asn = 65515;
    m.peer = ip("2001:db8::1");
    m.local = ip("2001:db8::fe");
    m.four_octet_as = false;
    m.message = update;
    EXPECT_EQ(bgp4mp_subtype(m), Bgp4mpSubtype::Message);
    Bytes out;
    encode_bgp4mp_et(m, out);
    ASSERT_EQ(out.size(), kCommonHeaderSize + 4 + 2 + 2 + 2 + 2 + 16 + 16 + update.size());
    EXPECT_EQ(out[7], 0x01);   // subtype BGP4MP_MESSAGE
    EXPECT_EQ(out[16], 0x5B);  // peer AS: AS_TRANS 23456
    EXPECT_EQ(out[17], 0xA0);
    EXPECT_EQ(out[23], 0x02);  // AFI IPv6
    m.four_octet_as = true;
    EXPECT_EQ(bgp4mp_subtype(m), Bgp4mpSubtype::MessageAs4);
    m.four_octet_as = false;
    m.message = kKeepalive;  // not an UPDATE: no AS_PATH whose width could be misread
    EXPECT_EQ(bgp4mp_subtype(m), Bgp4mpSubtype::MessageAs4);
}

TEST(MrtTimestamp, SplitsSecondsAndMicroseconds) {
    const auto t = std::chrono::system_clock::time_point(std::chrono::microseconds(1700000000123456LL));
    EXPECT_EQ(timestamp_of(t), (Timestamp{1700000000U, 123456U}));
}

}  // namespace
}  // namespace rf::mrt
