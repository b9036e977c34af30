// IPv6 in the session layer with raw test peers: a session over IPv6 transport on ::1, MP-BGP IPv6
// unicast (RFC 4760) in both directions, the IPv6 VNet address space originated, and the link-local next
// hop of a multihop peer dropped (RFC 2545 §3) while its global next hop is kept and reflected.
#include <gtest/gtest.h>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

net::IpAddress A(const char* s) {
    return *net::IpAddress::parse(s);
}

// MP_REACH_NLRI for IPv6 unicast with the given next hops (global, then optionally link-local).
std::vector<std::uint8_t> ipv6_update(const RawPeer& peer, const char* prefix,
                                      std::vector<net::IpAddress> next_hops, std::uint32_t asn) {
    bgp::Update u;
    u.attributes.origin = bgp::Origin::Igp;
    u.attributes.as_path = bgp::AsPath{{{bgp::AsSegmentType::Sequence, {asn}}}};
    u.mp_reach = bgp::MpReach{{net::Afi::Ipv6, net::Safi::Unicast},
                              {next_hops.begin(), next_hops.end()},
                              {{*net::Prefix::parse(prefix), 0}}};
    std::vector<std::uint8_t> out;
    bgp::encode_update(u, peer.codec, out);
    return out;
}

const bgp::Update* last_mention(const RawPeer& peer, const std::string& prefix) {
    const bgp::Update* found = nullptr;
    for (const auto& u : peer.updates) {
        if (u.mp_reach) {
            for (const auto& n : u.mp_reach->nlri) {
                if (n.prefix.to_string() == prefix) {
                    found = &u;
                }
            }
        }
    }
    return found;
}

TEST(Ipv6Session, SessionOverIpv6LoopbackCarriesIpv6RoutesAndDropsAMultihopLinkLocalNextHop) {
    const std::uint16_t port = free_port("::1");
    server::ServerConfig cfg;
    cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
    cfg.listen_addresses = {A("::1"), A(loopback(1).c_str())};
    cfg.port = port;
    cfg.rib.vnet_prefixes = {*net::Prefix::parse("10.1.0.0/16"), *net::Prefix::parse("fd00:1::/48")};
    cfg.rib.vnet_next_hop_v4 = A("100.64.0.1");
    cfg.rib.vnet_next_hop_v6 = A("2001:db8:64::1");
    session::PeerSettings six;  // over IPv6 transport, multihop (TTL 255, the default)
    six.name = "six";
    six.address = A("::1");
    six.asn = 65071;
    session::PeerSettings four;  // over IPv4 transport, IPv6 unicast negotiated too
    four.name = "four";
    four.address = A(loopback(72).c_str());
    four.asn = 65072;
    RsHarness rs(cfg, {six, four});
    ASSERT_FALSE(rs.start_error()) << *rs.start_error();

    RawPeer a;
    ASSERT_TRUE(a.connect("::1", "::1", port)) << "no IPv6 loopback";
    ASSERT_TRUE(a.handshake(RawPeer::dual_stack_open(65071, "10.0.0.71")));
    RawPeer b;
    ASSERT_TRUE(b.connect(loopback(72), loopback(1), port));
    ASSERT_TRUE(b.handshake(RawPeer::dual_stack_open(65072, "10.0.0.72")));
    // Our OPEN offers IPv6 unicast (and IPv4 unicast) on both.
    for (const RawPeer* p : {&a, &b}) {
        const auto& mp = p->remote_open.capabilities.multiprotocol;
        EXPECT_NE(std::find(mp.begin(), mp.end(), bgp::AfiSafi{net::Afi::Ipv6, net::Safi::Unicast}),
                  mp.end());
    }
    const auto st = rs.sessions_of("::1");
    ASSERT_EQ(st.size(), 1U);
    EXPECT_EQ(st[0].state, session::State::Established);
    EXPECT_EQ(st[0].local_address, A("::1"));

    // The IPv6 VNet space reaches both, with the configured IPv6 next hop.
    ASSERT_TRUE(wait_until(
        [&] {
            a.receive(50ms);
            b.receive(50ms);
            return a.has_announced("fd00:1::/48") && b.has_announced("fd00:1::/48");
        },
        3s));
    EXPECT_EQ(last_mention(b, "fd00:1::/48")->mp_reach->next_hops,
              (decltype(bgp::MpReach::next_hops){A("2001:db8:64::1")}));

    // A announces with global + link-local next hops: the RIB keeps the global one only (A is multihop).
    ASSERT_TRUE(a.send(ipv6_update(a, "2001:db8:71::/48", {A("2001:db8:64::71"), A("fe80::71")}, 65071)));
    ASSERT_TRUE(wait_until([&] { return rs.lookup("2001:db8:71::/48").has_value(); }, 3s));
    const auto e = rs.lookup("2001:db8:71::/48");
    ASSERT_EQ(e->paths.size(), 1U);
    EXPECT_EQ(e->paths[0].next_hops, (std::vector<net::IpAddress>{A("2001:db8:64::71")}));
    // B gets it over its IPv4 session with the global next hop kept and the RS ASN prepended.
    ASSERT_TRUE(wait_until(
        [&] {
            b.receive(50ms);
            return b.has_announced("2001:db8:71::/48");
        },
        3s));
    const bgp::Update* u = last_mention(b, "2001:db8:71::/48");
    EXPECT_EQ(u->mp_reach->next_hops, (decltype(u->mp_reach->next_hops){A("2001:db8:64::71")}));
    ASSERT_TRUE(u->attributes.as_path);
    EXPECT_EQ(u->attributes.as_path->segments.at(0).asns,
              (decltype(u->attributes.as_path->segments.at(0).asns){65515, 65071}));
    // And B's IPv6 route reaches A over the IPv6 session.
    ASSERT_TRUE(b.send(ipv6_update(b, "2001:db8:72::/48", {A("2001:db8:64::72")}, 65072)));
    EXPECT_TRUE(wait_until(
        [&] {
            a.receive(50ms);
            return a.has_announced("2001:db8:72::/48");
        },
        3s));
}

}  // namespace
}  // namespace rf::testing
