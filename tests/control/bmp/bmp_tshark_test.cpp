// The BMP encoder as Wireshark's BMP dissector reads it (Debian's tshark): every message type, IPv4 and
// IPv6 peers, the three tables, the prefixes inside the Route Monitoring UPDATEs.
#include <gtest/gtest.h>

#include "control/bmp/bmp.hpp"
#include "control/codec/codec.hpp"
#include "tests/support/tshark.hpp"

namespace rf::bmp {
namespace {

std::vector<std::uint8_t> announce(const char* prefix, const char* next_hop) {
    const net::Prefix p = *net::Prefix::parse(prefix);
    bgp::PathAttributes a;
    a.origin = bgp::Origin::Igp;
    bgp::AsPath path;
    path.segments.push_back(bgp::AsSegment{bgp::AsSegmentType::Sequence, {65001, 4200000002U}});
    a.as_path = path;
    const net::IpAddress nh = *net::IpAddress::parse(next_hop);
    if (nh.is_v4()) {
        a.next_hop = nh.as_v4();
    }
    const bgp::Nlri n{p, 0};
    std::vector<std::uint8_t> out;
    bgp::encode_announcements(a, bgp::AfiSafi{p.afi, net::Safi::Unicast}, std::span(&nh, 1), std::span(&n, 1),
                              bgp::CodecOptions{}, out);
    return out;
}

TEST(BmpTshark, WiresharkDecodesEveryMessageType) {
    if (!rf::testing::have_executable("/usr/bin/tshark")) {
        GTEST_SKIP() << "tshark not installed (scripts/setup.sh)";
    }
    std::vector<std::uint8_t> s;
    const InformationTlv init[] = {{kInfoSysName, "rs-test"}, {kInfoSysDescr, "routefabricd test"}};
    encode_initiation(init, s);

    bgp::Open o;
    o.my_as = 65515;
    o.bgp_identifier = net::Ipv4Address{0x0A000001};
    o.capabilities.four_octet_as = 65515;
    std::vector<std::uint8_t> open;
    bgp::encode_open(o, open);

    Peer v4;
    v4.address = *net::IpAddress::parse("192.0.2.7");
    v4.asn = 4200000002U;
    v4.bgp_id = net::Ipv4Address{0x0A000007};
    Peer v6 = v4;
    v6.address = *net::IpAddress::parse("2001:db8::7");
    Peer loc;
    loc.table = Table::LocRib;
    loc.asn = 65515;
    loc.bgp_id = net::Ipv4Address{0x0A000001};

    PeerUp up;
    up.local_address = *net::IpAddress::parse("192.0.2.1");
    up.local_port = 179;
    up.remote_port = 40123;
    up.sent_open = open;
    up.received_open = open;
    encode_peer_up(v4, up, s);
    up.local_address = *net::IpAddress::parse("2001:db8::1");
    encode_peer_up(v6, up, s);
    PeerUp loc_up;
    loc_up.sent_open = open;
    loc_up.received_open = open;
    loc_up.information.push_back({kInfoTableName, "global"});
    encode_peer_up(loc, loc_up, s);

    encode_route_monitoring(v4, announce("10.1.0.0/16", "192.0.2.7"), s);
    Peer post = v4;
    post.table = Table::PostPolicy;
    encode_route_monitoring(post, announce("10.1.0.0/16", "192.0.2.7"), s);
    encode_route_monitoring(v6, announce("2001:db8:1::/48", "2001:db8::7"), s);
    encode_route_monitoring(loc, announce("10.1.0.0/16", "192.0.2.7"), s);
    const Statistic stats[] = {{StatType::AdjRibInRoutes, 1, std::nullopt}};
    encode_statistics(v4, stats, s);
    const Statistic loc_stats[] = {{StatType::LocRibRoutes, 2, std::nullopt}};
    encode_statistics(loc, loc_stats, s);
    encode_peer_down(v4, PeerDown{PeerDownReason::RemoteNotification, bgp::Notification{6, 2, {}}, 0}, s);
    encode_termination(TerminationReason::AdministrativelyClosed, "shutting down", s);

    rf::testing::TempDir dir("rf-bmp-tshark");
    const std::string pcap = dir.file("bmp.pcap");
    ASSERT_TRUE(rf::testing::write_tcp_stream_pcap(pcap, s, 11019));

    auto got = rf::testing::tshark_columns(
        pcap, 11019,
        {"bmp.type", "bmp.init.info", "bmp.peer.type", "bmp.peer.flags.post_policy", "bmp.peer.ipv6.addr",
         "bmp.peer.up.port.remote", "bmp.peer.asn", "bgp.nlri_prefix", "bgp.mp_reach_nlri_ipv6_prefix",
         "bmp.stats.data.routes_loc_rib", "bmp.peer.down.reason", "bmp.term.info"});
    const std::vector<std::string> want_types{"4", "3", "3", "3", "0", "0", "0", "0", "1", "1", "2", "5"};
    EXPECT_EQ(got["bmp.type"], want_types);
    EXPECT_EQ(got["bmp.init.info"], (std::vector<std::string>{"rs-test", "routefabricd test"}));
    EXPECT_EQ(got["bmp.peer.type"],
              (std::vector<std::string>{"0", "0", "3", "0", "0", "0", "3", "0", "3", "0"}));
    EXPECT_EQ(got["bmp.peer.flags.post_policy"],
              (std::vector<std::string>{"0", "0", "0", "1", "0", "0", "0"}));
    EXPECT_EQ(got["bmp.peer.ipv6.addr"], (std::vector<std::string>{"2001:db8::7", "2001:db8::7"}));
    EXPECT_EQ(got["bmp.peer.up.port.remote"], (std::vector<std::string>{"40123", "40123", "0"}));
    EXPECT_EQ(got["bmp.peer.asn"],
              (std::vector<std::string>{"4200000002", "4200000002", "65515", "4200000002", "4200000002",
                                        "4200000002", "65515", "4200000002", "65515", "4200000002"}));
    EXPECT_EQ(got["bgp.nlri_prefix"], (std::vector<std::string>{"10.1.0.0", "10.1.0.0", "10.1.0.0"}));
    EXPECT_EQ(got["bgp.mp_reach_nlri_ipv6_prefix"], (std::vector<std::string>{"2001:db8:1::"}));
    EXPECT_EQ(got["bmp.stats.data.routes_loc_rib"], (std::vector<std::string>{"2"}));
    EXPECT_EQ(got["bmp.peer.down.reason"], (std::vector<std::string>{"3"}));
    // tshark 4.0 shows the first Termination TLV only; the reason TLV is checked byte by byte (bmp_test).
    EXPECT_EQ(got["bmp.term.info"], (std::vector<std::string>{"shutting down"}));
}

}  // namespace
}  // namespace rf::bmp
