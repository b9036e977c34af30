// The MRT reader: records written by the encoder read back to the same values and, encoded again, to the
// same bytes; every malformed input is a typed error naming the field and the offset, never a crash.
#include "control/mrt/mrt_reader.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "control/codec/codec.hpp"
#include "tests/support/values.hpp"

namespace rf::mrt {
namespace {

using Bytes = std::vector<std::uint8_t>;

using rf::testing::ip;
using rf::testing::prefix;
using rf::testing::v4;
const auto sequence = rf::testing::as_sequence;

PeerIndexTable two_peers() {
    PeerIndexTable t;
    t.collector_id = v4("10.0.0.1");
    t.view_name = "rs";
    t.peers.push_back(PeerEntry{v4("1.1.1.1"), ip("192.0.2.1"), 65001});
    t.peers.push_back(PeerEntry{v4("2.2.2.2"), ip("2001:db8::1"), 4200000000U});
    return t;
}

bgp::PathAttributes attributes_v4() {
    bgp::PathAttributes a;
    a.origin = bgp::Origin::Igp;
    a.as_path = sequence({65001, 4200000000U});
    a.next_hop = v4("192.0.2.1");
    a.med = 10;
    a.communities = {(65001U << 16U) | 100U};
    a.large_communities = {bgp::LargeCommunity{4200000000U, 1, 2}};
    return a;
}

bgp::PathAttributes attributes_v6() {
    bgp::PathAttributes a;
    a.origin = bgp::Origin::Incomplete;
    a.as_path = sequence({4200000000U, 65002});
    return a;
}

Record only_record(const Bytes& file) {
    auto r = read_record(file, 0);
    EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
    EXPECT_EQ(r->end(), file.size());
    return *r;
}

// An UPDATE from peer 65001 announcing 198.51.100.0/24.
Bytes update_message(bool four_octet_as) {
    bgp::CodecOptions o;
    o.four_octet_as = four_octet_as;
    const bgp::Nlri n{prefix("198.51.100.0/24"), 0};
    Bytes msg;
    bgp::encode_announcements(attributes_v4(), bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast}, {},
                              std::span(&n, 1), o, msg);
    return msg;
}

TEST(MrtReader, PeerIndexTableRoundTripsByteForByte) {
    Bytes file;
    encode_peer_index_table(two_peers(), 0x5F000000U, file);
    const Record r = only_record(file);
    EXPECT_TRUE(is_peer_index_table(r));
    EXPECT_EQ(r.time.seconds, 0x5F000000U);
    auto t = decode_peer_index_table(r);
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(t->collector_id, v4("10.0.0.1"));
    EXPECT_EQ(t->view_name, "rs");
    ASSERT_EQ(t->peers.size(), 2U);
    EXPECT_EQ(t->peers[1].address, ip("2001:db8::1"));
    EXPECT_EQ(t->peers[1].asn, 4200000000U);
    Bytes again;
    encode_peer_index_table(*t, r.time.seconds, again);
    EXPECT_EQ(again, file);
}

TEST(MrtReader, TwoOctetPeerAsInPeerIndexTableIsRead) {
    // Peer type 0: IPv4 address, two-octet AS (as older collectors write it).
    const Bytes file = {0,  0, 0, 1, 0, 13,  0, 1, 0, 0,    0,   19,  // header 13/1, 19 bytes
                        10, 0, 0, 1, 0, 0,   0, 1,                    // collector, empty view, one peer
                        0,  1, 1, 1, 1, 192, 0, 2, 9, 0xFD, 0xE9};
    auto t = decode_peer_index_table(only_record(file));
    ASSERT_TRUE(t) << t.error().to_string();
    ASSERT_EQ(t->peers.size(), 1U);
    EXPECT_EQ(t->peers[0].address, ip("192.0.2.9"));
    EXPECT_EQ(t->peers[0].asn, 65001U);
}

TEST(MrtReader, RibRecordsOfBothFamiliesRoundTripByteForByte) {
    const bgp::PathAttributes a4 = attributes_v4();
    const bgp::PathAttributes a6 = attributes_v6();
    const std::vector<RibEntry> v4_entries{RibEntry{0, 100, &a4, {}}, RibEntry{1, 200, &a4, {}}};
    const std::vector<RibEntry> v6_entries{RibEntry{1, 300, &a6, {ip("2001:db8::1"), ip("fe80::1")}}};
    Bytes file;
    encode_rib(0, prefix("203.0.113.0/24"), v4_entries, 1000, file);
    encode_rib(1, prefix("2001:db8:100::/40"), v6_entries, 1000, file);

    auto first = read_record(file, 0);
    ASSERT_TRUE(first);
    auto rib4 = decode_rib(*first);
    ASSERT_TRUE(rib4) << rib4.error().to_string();
    EXPECT_EQ(rib4->prefix, prefix("203.0.113.0/24"));
    ASSERT_EQ(rib4->entries.size(), 2U);
    EXPECT_EQ(rib4->entries[1].peer_index, 1);
    EXPECT_EQ(rib4->entries[1].originated, 200U);
    EXPECT_EQ(rib4->entries[0].attributes, a4);
    EXPECT_TRUE(rib4->entries[0].next_hops.empty());

    auto second = read_record(file, first->end());
    ASSERT_TRUE(second);
    EXPECT_EQ(second->end(), file.size());
    auto rib6 = decode_rib(*second);
    ASSERT_TRUE(rib6) << rib6.error().to_string();
    EXPECT_EQ(rib6->sequence, 1U);
    EXPECT_EQ(rib6->prefix, prefix("2001:db8:100::/40"));
    ASSERT_EQ(rib6->entries.size(), 1U);
    EXPECT_EQ(rib6->entries[0].attributes, a6);
    EXPECT_EQ(rib6->entries[0].next_hops, (std::vector<net::IpAddress>{ip("2001:db8::1"), ip("fe80::1")}));

    Bytes again;
    std::vector<RibEntry> back4;
    for (const auto& e : rib4->entries)
        back4.push_back(RibEntry{e.peer_index, e.originated, &e.attributes, e.next_hops});
    encode_rib(rib4->sequence, rib4->prefix, back4, first->time.seconds, again);
    std::vector<RibEntry> back6;
    for (const auto& e : rib6->entries)
        back6.push_back(RibEntry{e.peer_index, e.originated, &e.attributes, e.next_hops});
    encode_rib(rib6->sequence, rib6->prefix, back6, second->time.seconds, again);
    EXPECT_EQ(again, file);
}

TEST(MrtReader, FullMpReachInARibEntryIsReadForItsNextHop) {
    // Some writers put the whole MP_REACH_NLRI (AFI, SAFI, next-hop length, next hop, reserved) in an
    // entry instead of the abbreviated form; the next hop is read from either.
    const Bytes file = {
        0,    0,    0,    1,    0,  13,   0,    4,    0,    0, 0, 43,  // header 13/4, 43 bytes
        0,    0,    0,    0,    32, 0x20, 0x01, 0x0d, 0xb8,            // sequence 0, 2001:db8::/32
        0,    1,                                                       // one entry
        0,    0,    0,    0,    0,  1,    0,    24,                    // peer 0, originated 1, 24 bytes
        0x80, 14,   21,   0,    2,  1,    16,                          // MP_REACH: AFI 2, SAFI 1, NH 16
        0x20, 0x01, 0x0d, 0xb8, 0,  0,    0,    0,    0,    0, 0, 0,  0, 0, 0, 9, 0};
    auto rib = decode_rib(only_record(file));
    ASSERT_TRUE(rib) << rib.error().to_string();
    ASSERT_EQ(rib->entries.size(), 1U);
    EXPECT_EQ(rib->entries[0].next_hops, std::vector<net::IpAddress>{ip("2001:db8::9")});
}

TEST(MrtReader, Bgp4mpEtMessagesOfBothSubtypesRoundTripByteForByte) {
    const Bytes as4_msg = update_message(true);
    const Bytes as2_msg = update_message(false);
    Bgp4mpMessage m;
    m.time = Timestamp{1700000000U, 123456U};
    m.peer_asn = 65001;
    m.local_asn = 65515;
    m.peer = ip("192.0.2.1");
    m.local = ip("192.0.2.254");
    m.message = as4_msg;
    Bytes file;
    encode_bgp4mp_et(m, file);
    Bgp4mpMessage two = m;
    two.four_octet_as = false;
    two.peer = ip("2001:db8::1");
    two.local = ip("2001:db8::fe");
    two.message = as2_msg;
    encode_bgp4mp_et(two, file);

    std::size_t at = 0;
    Bytes again;
    for (const Bgp4mpMessage* want : {&m, &two}) {
        auto r = read_record(file, at);
        ASSERT_TRUE(r) << r.error().to_string();
        EXPECT_TRUE(is_bgp4mp_message(*r));
        auto got = decode_bgp4mp_message(*r);
        ASSERT_TRUE(got) << got.error().to_string();
        EXPECT_EQ(got->time, want->time);
        EXPECT_EQ(got->peer_asn, want->peer_asn);
        EXPECT_EQ(got->local_asn, want->local_asn);
        EXPECT_EQ(got->peer, want->peer);
        EXPECT_EQ(got->local, want->local);
        EXPECT_EQ(got->four_octet_as, want->four_octet_as);
        EXPECT_TRUE(
            std::equal(got->message.begin(), got->message.end(), want->message.begin(), want->message.end()));
        encode_bgp4mp_et(*got, again);
        at = r->end();
    }
    EXPECT_EQ(at, file.size());
    EXPECT_EQ(again, file);
}

TEST(MrtReader, PlainBgp4mpHasNoMicrosecondField) {
    // Type 16 (BGP4MP), subtype 4: the body starts right after the 12-byte header.
    const Bytes msg = update_message(true);
    Bytes file = {0, 0, 0, 7, 0, 16, 0, 4, 0, 0, 0, 0};
    const Bytes fields = {0, 0, 0xFD, 0xE9, 0, 0, 0xFF, 0xEB, 0, 0, 0, 1, 192, 0, 2, 1, 192, 0, 2, 254};
    file.insert(file.end(), fields.begin(), fields.end());
    file.insert(file.end(), msg.begin(), msg.end());
    file[11] = static_cast<std::uint8_t>(fields.size() + msg.size());
    auto got = decode_bgp4mp_message(only_record(file));
    ASSERT_TRUE(got) << got.error().to_string();
    EXPECT_EQ(got->time, (Timestamp{7, 0}));
    EXPECT_EQ(got->peer_asn, 65001U);
    EXPECT_EQ(got->message.size(), msg.size());
}

// BGP4MP_ET STATE_CHANGE_AS4 of peer 192.0.2.1 AS 4200000001: Established (6) → Idle (1).
Bytes state_change_record() {
    return {0x65, 0x00, 0x00, 0x00, 0,   17, 0,    5,    0, 0, 0, 28,  // header 17/5, 28 bytes
            0x00, 0x01, 0xE2, 0x40,                                    // 123456 us
            0xFA, 0x56, 0xEA, 0x01, 0,   0,  0xFF, 0xEB,               // peer AS, local AS 65515
            0,    0,    0,    1,                                       // interface 0, AFI 1
            192,  0,    2,    1,    192, 0,  2,    254,                // peer, local
            0,    6,    0,    1};                                      // old, new state
}

TEST(MrtReader, StateChangeAs4GivesThePeerAndBothStates) {
    const Bytes file = state_change_record();
    const Record r = only_record(file);
    EXPECT_TRUE(is_bgp4mp_state_change(r));
    EXPECT_FALSE(is_bgp4mp_message(r));
    auto s = decode_bgp4mp_state_change(r);
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->time, (Timestamp{0x65000000U, 123456U}));
    EXPECT_EQ(s->peer_asn, 4200000001U);
    EXPECT_EQ(s->local_asn, 65515U);
    EXPECT_EQ(s->peer, ip("192.0.2.1"));
    EXPECT_EQ(s->old_state, kFsmEstablished);
    EXPECT_EQ(s->new_state, 1);
}

// ----------------------------------------------------------------------------------- malformed input

Bytes sample_file() {
    Bytes file;
    encode_peer_index_table(two_peers(), 1, file);
    const bgp::PathAttributes a4 = attributes_v4();
    const bgp::PathAttributes a6 = attributes_v6();
    const RibEntry e4{0, 1, &a4, {}};
    const RibEntry e6{1, 1, &a6, {ip("2001:db8::1")}};
    encode_rib(0, prefix("203.0.113.0/24"), std::span(&e4, 1), 1, file);
    encode_rib(1, prefix("2001:db8::/32"), std::span(&e6, 1), 1, file);
    const Bytes msg = update_message(true);
    Bgp4mpMessage m;
    m.peer_asn = 65001;
    m.peer = ip("192.0.2.1");
    m.local = ip("192.0.2.254");
    m.message = msg;
    encode_bgp4mp_et(m, file);
    const Bytes state = state_change_record();
    file.insert(file.end(), state.begin(), state.end());
    return file;
}

// Decodes every record the reader can; returns the first error (or nothing).
std::optional<ReadError> read_all(std::span<const std::uint8_t> file) {
    std::size_t at = 0;
    while (at < file.size()) {
        auto r = read_record(file, at);
        if (!r)
            return r.error();
        if (is_peer_index_table(*r)) {
            if (auto t = decode_peer_index_table(*r); !t)
                return t.error();
        } else if (is_rib(*r)) {
            if (auto rib = decode_rib(*r); !rib)
                return rib.error();
        } else if (is_bgp4mp_message(*r)) {
            if (auto m = decode_bgp4mp_message(*r); !m)
                return m.error();
        } else if (is_bgp4mp_state_change(*r)) {
            if (auto s = decode_bgp4mp_state_change(*r); !s)
                return s.error();
        }
        at = r->end();
    }
    return std::nullopt;
}

TEST(MrtReaderErrors, EveryTruncationIsATruncatedErrorWithinTheFile) {
    const Bytes file = sample_file();
    ASSERT_FALSE(read_all(file).has_value());
    std::vector<std::size_t> record_ends;
    for (std::size_t at = 0; at < file.size();) {
        at = read_record(file, at)->end();
        record_ends.push_back(at);
    }
    for (std::size_t n = 1; n < file.size(); ++n) {
        const auto err = read_all(std::span(file).first(n));
        if (std::find(record_ends.begin(), record_ends.end(), n) != record_ends.end()) {
            EXPECT_FALSE(err.has_value()) << "cut at a record boundary " << n;
            continue;
        }
        ASSERT_TRUE(err.has_value()) << "cut at " << n;
        EXPECT_EQ(err->kind, ReadErrorKind::Truncated) << err->to_string();
        EXPECT_LE(err->offset, n);
        EXPECT_NE(err->to_string().find("offset"), std::string::npos);
    }
}

TEST(MrtReaderErrors, RecordLengthPastTheEndNamesTheLengthField) {
    Bytes file = sample_file();
    file[11] = 0xFF;  // the peer index table claims more bytes than the file has
    file[10] = 0xFF;
    auto r = read_record(file, 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ReadErrorKind::Truncated);
    EXPECT_EQ(r.error().offset, 8U);
    EXPECT_EQ(r.error().field, "MRT record length");
}

TEST(MrtReaderErrors, PeerCountBeyondTheRecordIsTruncated) {
    Bytes file;
    encode_peer_index_table(two_peers(), 1, file);
    file[21] = 3;  // three peers announced, two present
    auto t = decode_peer_index_table(only_record(file));
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().kind, ReadErrorKind::Truncated);
    EXPECT_EQ(t.error().offset, file.size());
}

TEST(MrtReaderErrors, PrefixLongerThanTheFamilyIsRefused) {
    Bytes file;
    const bgp::PathAttributes a = attributes_v4();
    const RibEntry e{0, 1, &a, {}};
    encode_rib(0, prefix("203.0.113.0/24"), std::span(&e, 1), 1, file);
    file[16] = 33;
    auto rib = decode_rib(only_record(file));
    ASSERT_FALSE(rib);
    EXPECT_EQ(rib.error().kind, ReadErrorKind::BadPrefixLength);
    EXPECT_EQ(rib.error().offset, 16U);
}

TEST(MrtReaderErrors, MalformedAttributeIsBadAttributesAtItsEntry) {
    Bytes file;
    const bgp::PathAttributes a = attributes_v4();
    const RibEntry e{0, 1, &a, {}};
    encode_rib(0, prefix("203.0.113.0/24"), std::span(&e, 1), 1, file);
    // The first attribute (ORIGIN, 40 01 01 00) gets value 7: no such origin.
    const std::size_t attrs_at = 12 + 4 + 4 + 2 + 8;
    ASSERT_EQ(file[attrs_at + 1], 1);
    file[attrs_at + 3] = 7;
    auto rib = decode_rib(only_record(file));
    ASSERT_FALSE(rib);
    EXPECT_EQ(rib.error().kind, ReadErrorKind::BadAttributes);
    EXPECT_GE(rib.error().offset, attrs_at);
    EXPECT_LT(rib.error().offset, file.size());
}

TEST(MrtReaderErrors, BadMpReachNextHopLengthIsRefused) {
    Bytes file;
    const bgp::PathAttributes a = attributes_v6();
    const RibEntry e{0, 1, &a, {ip("2001:db8::1")}};
    encode_rib(0, prefix("2001:db8::/32"), std::span(&e, 1), 1, file);
    // MP_REACH (80 0E 11 10 <16>) → next-hop length 15 with the attribute still 17 long.
    const std::size_t mp_at = 12 + 4 + 1 + 4 + 2 + 8;
    ASSERT_EQ(file[mp_at + 1], 14);
    file[mp_at + 3] = 15;
    auto rib = decode_rib(only_record(file));
    ASSERT_FALSE(rib);
    EXPECT_EQ(rib.error().kind, ReadErrorKind::BadLength);
}

TEST(MrtReaderErrors, Bgp4mpWithUnknownAddressFamilyOrWrongMessageLength) {
    Bytes file;
    const Bytes msg = update_message(true);
    Bgp4mpMessage m;
    m.peer = ip("192.0.2.1");
    m.local = ip("192.0.2.254");
    m.message = msg;
    encode_bgp4mp_et(m, file);
    Bytes bad_afi = file;
    bad_afi[16 + 10 + 1] = 3;  // AFI after the AS numbers and interface index
    auto a = decode_bgp4mp_message(only_record(bad_afi));
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().kind, ReadErrorKind::BadAddressFamily);
    EXPECT_EQ(a.error().offset, 26U);

    Bytes bad_len = file;
    bad_len[16 + 20 + 17] += 1;  // the BGP header's length low byte
    auto b = decode_bgp4mp_message(only_record(bad_len));
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().kind, ReadErrorKind::BadLength);
    EXPECT_EQ(b.error().offset, 16U + 20U + 16U);
}

TEST(MrtReaderErrors, DecodingTheWrongRecordKindIsUnsupported) {
    Bytes file;
    encode_peer_index_table(two_peers(), 1, file);
    const Record r = only_record(file);
    EXPECT_EQ(decode_rib(r).error().kind, ReadErrorKind::UnsupportedRecord);
    EXPECT_EQ(decode_bgp4mp_message(r).error().kind, ReadErrorKind::UnsupportedRecord);
}

TEST(MrtReaderErrors, StateChangeWithBytesAfterTheNewStateIsBadLength) {
    Bytes file = state_change_record();
    file[11] = 30;
    file.push_back(0);
    file.push_back(0);
    auto s = decode_bgp4mp_state_change(only_record(file));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, ReadErrorKind::BadLength);
    EXPECT_EQ(s.error().offset, 40U);
}

TEST(MrtReaderErrors, EtRecordTooShortForItsMicrosecondsIsBadLength) {
    const Bytes file = {0, 0, 0, 1, 0, 17, 0, 4, 0, 0, 0, 2, 0, 0};
    auto r = read_record(file, 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ReadErrorKind::BadLength);
}

}  // namespace
}  // namespace rf::mrt
