// The BMP encoder: byte-exact headers worked out from RFC 7854 / RFC 9069.
#include "control/bmp/bmp.hpp"

#include <gtest/gtest.h>

#include "control/codec/codec.hpp"

namespace rf::bmp {
namespace {

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           b[at + 3];
}

Peer v4_peer() {
    Peer p;
    p.address = *net::IpAddress::parse("192.0.2.7");
    p.asn = 4200000001U;
    p.bgp_id = net::Ipv4Address{0x0A000001};
    p.seconds = 1700000000;
    p.microseconds = 250;
    return p;
}

TEST(BmpEncode, InitiationCarriesItsTlvsAndLength) {
    std::vector<std::uint8_t> out;
    const InformationTlv tlvs[] = {{kInfoSysName, "rs1"}, {kInfoSysDescr, "routefabricd"}};
    encode_initiation(tlvs, out);
    ASSERT_EQ(out.size(), 6U + 4 + 3 + 4 + 12);
    EXPECT_EQ(out[0], 3);
    EXPECT_EQ(be32(out, 1), out.size());
    EXPECT_EQ(out[5], 4);
    EXPECT_EQ(out[6], 0);
    EXPECT_EQ(out[7], 2);  // sysName
    EXPECT_EQ(out[9], 3);
    EXPECT_EQ(std::string(out.begin() + 10, out.begin() + 13), "rs1");
    const auto h = decode_header(out);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->type, MessageType::Initiation);
    EXPECT_EQ(h->length, out.size());
}

TEST(BmpEncode, PerPeerHeaderOfAPostPolicyIpv4PeerWithTwoOctetAs) {
    Peer p = v4_peer();
    p.table = Table::PostPolicy;
    p.two_octet_as = true;
    std::vector<std::uint8_t> update;
    bgp::encode_end_of_rib({net::Afi::Ipv4, net::Safi::Unicast}, update);
    std::vector<std::uint8_t> out;
    encode_route_monitoring(p, update, out);
    ASSERT_EQ(out.size(), kCommonHeaderSize + kPerPeerHeaderSize + update.size());
    EXPECT_EQ(out[5], 0);  // Route Monitoring
    EXPECT_EQ(out[6], 0);  // Global Instance Peer
    EXPECT_EQ(out[7], kFlagPostPolicy | kFlagAs2);
    for (std::size_t i = 8; i < 16 + 12; ++i) {
        EXPECT_EQ(out[i], 0) << i;  // distinguisher, then the IPv4 address's 12 leading zeros
    }
    EXPECT_EQ(out[28], 192);
    EXPECT_EQ(out[31], 7);
    EXPECT_EQ(be32(out, 32), 4200000001U);
    EXPECT_EQ(be32(out, 36), 0x0A000001U);
    EXPECT_EQ(be32(out, 40), 1700000000U);
    EXPECT_EQ(be32(out, 44), 250U);
    EXPECT_TRUE(std::equal(update.begin(), update.end(), out.begin() + 48));
}

TEST(BmpEncode, LocRibPeerHeaderIsTypeThreeWithZeroAddress) {
    Peer p = v4_peer();
    p.table = Table::LocRib;
    p.address = *net::IpAddress::parse("2001:db8::1");
    std::vector<std::uint8_t> open;
    bgp::Open o;
    o.my_as = 65515;
    o.bgp_identifier = net::Ipv4Address{0x0A000001};
    bgp::encode_open(o, open);
    PeerUp up;
    up.sent_open = open;
    up.received_open = open;
    up.information.push_back({kInfoTableName, "global"});
    std::vector<std::uint8_t> out;
    encode_peer_up(p, up, out);
    EXPECT_EQ(out[5], 3);  // Peer Up
    EXPECT_EQ(out[6], 3);  // Loc-RIB Instance Peer
    EXPECT_EQ(out[7], 0);  // no V flag: the address field is not used
    for (std::size_t i = 16; i < 32; ++i) {
        EXPECT_EQ(out[i], 0) << i;
    }
    const std::size_t tlv = 48 + 16 + 4 + 2 * open.size();
    ASSERT_EQ(out.size(), tlv + 4 + 6);
    EXPECT_EQ(out[tlv + 1], 3);  // VRF/Table Name
    EXPECT_EQ(out[tlv + 3], 6);
    EXPECT_EQ(std::string(out.begin() + static_cast<std::ptrdiff_t>(tlv) + 4, out.end()), "global");
}

TEST(BmpEncode, PeerDownCarriesTheNotificationOrTheFsmEvent) {
    std::vector<std::uint8_t> out;
    encode_peer_down(v4_peer(), PeerDown{PeerDownReason::LocalNotification, bgp::Notification{6, 2, {}}, 0},
                     out);
    ASSERT_EQ(out.size(), 48U + 1 + 21);
    EXPECT_EQ(out[48], 1);
    EXPECT_EQ(out[49 + 18], 3);  // a NOTIFICATION
    EXPECT_EQ(out[49 + 19], 6);
    EXPECT_EQ(out[49 + 20], 2);
    out.clear();
    encode_peer_down(v4_peer(), PeerDown{PeerDownReason::LocalNoNotification, std::nullopt, 10}, out);
    ASSERT_EQ(out.size(), 48U + 1 + 2);
    EXPECT_EQ(out[48], 2);
    EXPECT_EQ(out[50], 10);  // Hold timer expires: event 10
    out.clear();
    encode_peer_down(v4_peer(), PeerDown{PeerDownReason::Deconfigured, std::nullopt, 0}, out);
    EXPECT_EQ(out.size(), 48U + 1);
}

TEST(BmpEncode, StatisticsWriteCountersInFourOctetsAndGaugesInEight) {
    const Statistic stats[] = {
        {StatType::UpdatesTreatAsWithdraw, 3, std::nullopt},
        {StatType::AdjRibInRoutes, 1ULL << 33, std::nullopt},
        {StatType::AdjRibInRoutesAfi, 5, bgp::AfiSafi{net::Afi::Ipv6, net::Safi::Unicast}}};
    std::vector<std::uint8_t> out;
    encode_statistics(v4_peer(), stats, out);
    ASSERT_EQ(out.size(), 48U + 4 + (4 + 4) + (4 + 8) + (4 + 11));
    EXPECT_EQ(be32(out, 48), 3U);
    EXPECT_EQ(out[53], 11);
    EXPECT_EQ(out[55], 4);
    EXPECT_EQ(be32(out, 56), 3U);
    EXPECT_EQ(out[61], 7);
    EXPECT_EQ(out[63], 8);
    EXPECT_EQ(be32(out, 64), 2U);  // the high half of 2^33
    EXPECT_EQ(out[73], 9);
    EXPECT_EQ(out[75], 11);
    EXPECT_EQ(out[77], 2);  // AFI IPv6
    EXPECT_EQ(out[78], 1);  // SAFI unicast
}

TEST(BmpEncode, TerminationHasItsReason) {
    std::vector<std::uint8_t> out;
    encode_termination(TerminationReason::AdministrativelyClosed, "bye", out);
    ASSERT_EQ(out.size(), 6U + 7 + 6);
    EXPECT_EQ(out[5], 5);
    EXPECT_EQ(out[13], 0);
    EXPECT_EQ(out[14], 1);  // reason TLV
    EXPECT_EQ(out[18], 0);
}

TEST(BmpEncode, HeaderOfAShortOrForeignBufferIsRefused) {
    const std::uint8_t shorty[] = {3, 0, 0};
    EXPECT_FALSE(decode_header(shorty));
    const std::uint8_t v1[] = {1, 0, 0, 0, 6, 4};
    EXPECT_FALSE(decode_header(v1));
}

}  // namespace
}  // namespace rf::bmp
