// Text rendering (text.cpp): what rf-decode and the logs print for messages, attributes and errors,
// pinned line by line.
#include <gtest/gtest.h>

#include "tests/control/codec/test_util.hpp"

namespace rf::bgp {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

Update every_attribute_update() {
    Update u;
    u.withdrawn = {Nlri{*Prefix::parse("192.0.2.0/24"), 0}};
    auto& a = u.attributes;
    a.origin = Origin::Incomplete;
    a.as_path = AsPath{{AsSegment{AsSegmentType::Sequence, {65001, 4200000000U}},
                        AsSegment{AsSegmentType::Set, {65003, 65004}},
                        AsSegment{AsSegmentType::ConfedSequence, {64512}}}};
    a.next_hop = Ipv4Address{0xC6336401};
    a.med = 50;
    a.local_pref = 200;
    a.atomic_aggregate = true;
    a.aggregator = Aggregator{65001, Ipv4Address{0x0A000001}};
    a.communities = {(65001U << 16) | 100, community::NoExport, community::NoAdvertise,
                     community::NoExportSubconfed, 0xFFFF029AU};
    // Route target (2-octet AS), site of origin (IPv4 address), route target (4-octet AS), and one of a
    // type without a name.
    a.extended_communities = {0x0002FDE900000064ULL, 0x0103C0000201FDE9ULL, 0x02020000FDEA0001ULL,
                              0x0300000000000010ULL};
    a.large_communities = {LargeCommunity{65001, 1, 2}};
    a.originator_id = Ipv4Address{0x0A000002};
    a.cluster_list = {Ipv4Address{0x0A000003}, Ipv4Address{0x0A000004}};
    a.unknown = {UnknownAttribute{0xC0, 99, {0xDE, 0xAD}}};
    MpReach reach;
    reach.family = AfiSafi{Afi::Ipv6, Safi::Unicast};
    reach.next_hops = {*IpAddress::parse("2001:db8::1"), *IpAddress::parse("fe80::1")};
    reach.nlri = {Nlri{*Prefix::parse("2001:db8:1::/48"), 7}};
    u.mp_reach = reach;
    u.mp_unreach = MpUnreach{AfiSafi{Afi::Ipv6, Safi::Unicast}, {Nlri{*Prefix::parse("2001:db8:2::/48"), 0}}};
    u.nlri = {Nlri{*Prefix::parse("10.1.0.0/16"), 3}, Nlri{*Prefix::parse("10.2.0.0/24"), 0}};
    return u;
}

TEST(DescribeUpdate, OneLinePerAttributeThenMpAttributesThenNlri) {
    EXPECT_EQ(
        describe(Message{every_attribute_update()}),
        "UPDATE\n"
        "  withdrawn (1): 192.0.2.0/24\n"
        "  origin incomplete\n"
        "  as-path 65001 4200000000 {65003,65004} (64512)\n"
        "  next-hop 198.51.100.1\n"
        "  med 50\n"
        "  local-pref 200\n"
        "  atomic-aggregate\n"
        "  aggregator 65001 10.0.0.1\n"
        "  communities 65001:100 no-export no-advertise no-export-subconfed blackhole\n"
        "  extended-communities [rt 65001:100] [soo 192.0.2.1:65001] [rt 65002:1] [0x0300000000000010]\n"
        "  large-communities 65001:1:2\n"
        "  originator-id 10.0.0.2\n"
        "  cluster-list 10.0.0.3 10.0.0.4\n"
        "  attribute 99 flags 0xc0 (unknown, kept) dead\n"
        "  mp-reach ipv6-unicast next-hop 2001:db8::1 fe80::1\n"
        "    announced (1): 2001:db8:1::/48#7\n"
        "  mp-unreach ipv6-unicast\n"
        "    withdrawn (1): 2001:db8:2::/48\n"
        "  announced (2): 10.1.0.0/16#3 10.2.0.0/24\n");
}

TEST(DescribeUpdate, LongNlriListsShowTheFirst64) {
    Update u;
    u.attributes.origin = Origin::Igp;
    u.attributes.as_path = AsPath{};
    u.attributes.next_hop = Ipv4Address{0x0A000001};
    for (std::uint32_t i = 0; i < 70; ++i) {
        u.nlri.push_back(Nlri{Prefix::v4(Ipv4Address{0x0A000000U + (i << 8)}, 24), 0});
    }
    const std::string s = describe(Message{u});
    EXPECT_EQ(s.substr(0, s.find("10.0.1.0/24")),
              "UPDATE\n  origin IGP\n  as-path (empty)\n  next-hop 10.0.0.1\n  announced (70): 10.0.0.0/24 ");
    EXPECT_NE(s.find(" 10.0.62.0/24 10.0.63.0/24 ... (6 more)\n"), std::string::npos) << s;
    EXPECT_EQ(s.find("10.0.64.0/24"), std::string::npos) << s;
}

TEST(DescribeUpdate, EndOfRibNamesItsFamily) {
    Update v4;
    Update v6;
    v6.mp_unreach = MpUnreach{AfiSafi{Afi::Ipv6, Safi::Unicast}, {}};
    EXPECT_EQ(describe(Message{v4}), "UPDATE End-of-RIB ipv4-unicast\n");
    EXPECT_EQ(describe(Message{v6}), "UPDATE End-of-RIB ipv6-unicast\n");
}

TEST(DescribeOpen, EveryCapabilityAndUnknownParameters) {
    Open o;
    o.my_as = 23456;
    o.hold_time = 90;
    o.bgp_identifier = Ipv4Address{0x0A000001};
    auto& c = o.capabilities;
    c.multiprotocol = {AfiSafi{Afi::Ipv4, Safi::Unicast}, AfiSafi{Afi::Ipv6, Safi::Multicast},
                       AfiSafi{static_cast<Afi>(25), static_cast<Safi>(70)}};
    c.route_refresh = true;
    c.enhanced_route_refresh = true;
    c.extended_message = true;
    c.four_octet_as = 4200000000U;
    c.graceful_restart = GracefulRestart{true,
                                         true,
                                         120,
                                         {GracefulRestartFamily{AfiSafi{Afi::Ipv4, Safi::Unicast}, true},
                                          GracefulRestartFamily{AfiSafi{Afi::Ipv6, Safi::Unicast}, false}}};
    c.long_lived_graceful_restart = LongLivedGracefulRestart{
        {LongLivedGracefulRestartFamily{AfiSafi{Afi::Ipv4, Safi::Unicast}, true, 86400}}};
    c.add_path = {AddPathEntry{AfiSafi{Afi::Ipv4, Safi::Unicast}, AddPathMode::Both},
                  AddPathEntry{AfiSafi{Afi::Ipv6, Safi::Unicast}, AddPathMode::Receive}};
    c.unknown = {UnknownCapability{73, {0x03, 'r', 'f', '1', 0x00}}, UnknownCapability{200, {}}};
    o.unknown_parameters = {UnknownOptionalParameter{3, std::vector<std::uint8_t>(40, 0xAB)}};
    EXPECT_EQ(describe(Message{o}),
              "OPEN version 4, my AS 23456, hold time 90s, BGP identifier 10.0.0.1\n"
              "  capability multiprotocol ipv4-unicast\n"
              "  capability multiprotocol ipv6-multicast\n"
              "  capability multiprotocol afi25-safi70\n"
              "  capability route-refresh\n"
              "  capability enhanced-route-refresh\n"
              "  capability extended-message\n"
              "  capability 4-octet-as 4200000000\n"
              "  capability graceful-restart time 120s restarting notification ipv4-unicast(F) ipv6-unicast\n"
              "  capability long-lived-graceful-restart ipv4-unicast(F) 86400s\n"
              "  capability add-path ipv4-unicast send/receive\n"
              "  capability add-path ipv6-unicast receive\n"
              "  capability 73 (FQDN, kept) 0372663100\n"
              "  capability 200 (unknown, kept) \n"
              "  optional parameter 3 abababababababababababababababababababababababababababababababab...\n");
}

TEST(DescribeMessage, KeepaliveAndRouteRefreshSubtypes) {
    const AfiSafi v6{Afi::Ipv6, Safi::Unicast};
    EXPECT_EQ(describe(Message{Keepalive{}}), "KEEPALIVE\n");
    EXPECT_EQ(describe(Message{RouteRefresh{v6, 0}}), "ROUTE-REFRESH ipv6-unicast\n");
    EXPECT_EQ(describe(Message{RouteRefresh{v6, 1}}), "ROUTE-REFRESH ipv6-unicast (BoRR)\n");
    EXPECT_EQ(describe(Message{RouteRefresh{v6, 2}}), "ROUTE-REFRESH ipv6-unicast (EoRR)\n");
    EXPECT_EQ(describe(Message{RouteRefresh{v6, 3}}), "ROUTE-REFRESH ipv6-unicast (reserved subtype)\n");
}

TEST(NotificationText, ShutdownMessageAndHexData) {
    auto r = decode_message(view(message(3, {6, 2, 3, 'b', 'y', 'e'})), CodecOptions{});
    ASSERT_TRUE(r.has_value());
    EXPECT_NE(describe(*r).find("Administrative Shutdown (6/2), shutdown message \"bye\""), std::string::npos)
        << describe(*r);
    r = decode_message(view(message(3, {3, 11, 0xAB})), CodecOptions{});
    ASSERT_TRUE(r.has_value());
    EXPECT_NE(describe(*r).find("Malformed AS_PATH (3/11), data ab"), std::string::npos) << describe(*r);
}

TEST(NotificationText, ShutdownMessageEscapedAndBadLengthShownAsData) {
    // Quotes and backslashes escaped, control characters replaced.
    EXPECT_EQ((Notification{6, 2, {5, 'a', '"', '\\', 0x01, 0x7F}}).to_string(),
              "Cease / Administrative Shutdown (6/2), shutdown message \"a\\\"\\\\??\"");
    // A length octet beyond the data: not a shutdown message.
    EXPECT_EQ((Notification{6, 2, {9, 'x'}}).to_string(), "Cease / Administrative Shutdown (6/2), data 0978");
    // Data beyond 64 octets is cut.
    std::string first64;
    for (int i = 0; i < 64; ++i) {
        first64 += "0f";
    }
    EXPECT_EQ((Notification{9, 9, std::vector<std::uint8_t>(70, 0x0F)}).to_string(),
              "Unknown Error Code / Unknown Subcode (9/9), data " + first64 + "...");
}

TEST(WireErrorText, NamesCodeSubcodeOffsetFieldAndAction) {
    const auto r = decode_header(view(message(7, {})), CodecOptions{});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().to_string(),
              "Message Header Error / Bad Message Type at 18: message type (session-reset)");
}

}  // namespace
}  // namespace rf::bgp
