// ADD-PATH (RFC 7911) per peer: `PeerSettings::add_path` puts the capability in our OPEN for every family
// we offer; what negotiate() makes of it (receive / send per family) is the session's codec and goes to
// the RIB in rib::PeerConfig::codec, so a peer may announce several paths per prefix (path ids) and a
// peer that receives with ADD-PATH gets every path of the ECMP set. Raw test peers on loopback.
#include <gtest/gtest.h>

#include <set>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

constexpr bgp::AfiSafi kV4{net::Afi::Ipv4, net::Safi::Unicast};

bgp::Open open_with_add_path(std::uint32_t asn, const char* id, std::optional<bgp::AddPathMode> mode) {
    bgp::Open o;
    o.my_as = static_cast<std::uint16_t>(asn);
    o.hold_time = 90;
    o.bgp_identifier = *net::Ipv4Address::parse(id);
    o.capabilities.multiprotocol = {kV4};
    o.capabilities.route_refresh = true;
    o.capabilities.four_octet_as = asn;
    if (mode) {
        o.capabilities.add_path.push_back({kV4, *mode});
    }
    return o;
}

// One path of 10.x prefix with a path id (encoded only when the peer's codec sends path ids).
std::vector<std::uint8_t> path_update(const RawPeer& peer, const char* prefix, std::uint32_t path_id,
                                      const char* next_hop, std::uint32_t asn, bool withdraw = false) {
    bgp::Update u;
    const bgp::Nlri n{*net::Prefix::parse(prefix), path_id};
    if (withdraw) {
        u.withdrawn.push_back(n);
    } else {
        u.attributes.origin = bgp::Origin::Igp;
        u.attributes.as_path = bgp::AsPath{{{bgp::AsSegmentType::Sequence, {asn}}}};
        u.attributes.next_hop = *net::Ipv4Address::parse(next_hop);
        u.nlri.push_back(n);
    }
    std::vector<std::uint8_t> out;
    bgp::encode_update(u, peer.codec, out);
    return out;
}

// Path ids currently announced for `prefix` in what `peer` received (withdrawals by id applied).
std::set<std::uint32_t> paths_of(const RawPeer& peer, const std::string& prefix) {
    std::set<std::uint32_t> ids;
    for (const auto& u : peer.updates) {
        for (const auto& w : u.withdrawn) {
            if (w.prefix.to_string() == prefix) {
                ids.erase(w.path_id);
            }
        }
        for (const auto& n : u.nlri) {
            if (n.prefix.to_string() == prefix) {
                ids.insert(n.path_id);
            }
        }
    }
    return ids;
}

TEST(AddPath, OfferedPerPeerNegotiatedAndUsedBothWays) {
    const std::uint16_t port = free_port(loopback(1));
    server::ServerConfig cfg;
    cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
    cfg.listen_addresses = {*net::IpAddress::parse(loopback(1))};
    cfg.port = port;
    auto ap = loopback_peer(91);
    ap.add_path = bgp::AddPathMode::Both;
    RsHarness rs(cfg, {ap, loopback_peer(92), loopback_peer(93), loopback_peer(94)});
    ASSERT_FALSE(rs.start_error());

    RawPeer a;  // ADD-PATH both ways
    ASSERT_TRUE(a.connect(loopback(91), loopback(1), port));
    ASSERT_TRUE(a.handshake(open_with_add_path(65091, "10.0.0.91", bgp::AddPathMode::Both)));
    // Our OPEN to this peer carries ADD-PATH both for IPv4 and IPv6 unicast.
    EXPECT_EQ(
        a.remote_open.capabilities.add_path,
        (std::vector<bgp::AddPathEntry>{{kV4, bgp::AddPathMode::Both},
                                        {{net::Afi::Ipv6, net::Safi::Unicast}, bgp::AddPathMode::Both}}));
    EXPECT_EQ(a.codec.add_path_send, std::vector<bgp::AfiSafi>{kV4});
    RawPeer b;  // offers ADD-PATH, but its peering is not configured for it: no capability from us
    ASSERT_TRUE(b.connect(loopback(92), loopback(1), port));
    ASSERT_TRUE(b.handshake(open_with_add_path(65092, "10.0.0.92", bgp::AddPathMode::Both)));
    EXPECT_TRUE(b.remote_open.capabilities.add_path.empty());
    EXPECT_TRUE(b.codec.add_path_send.empty());
    EXPECT_TRUE(b.codec.add_path_receive.empty());
    RawPeer c;
    ASSERT_TRUE(c.connect(loopback(93), loopback(1), port));
    ASSERT_TRUE(c.handshake(65093, "10.0.0.93"));
    RawPeer d;
    ASSERT_TRUE(d.connect(loopback(94), loopback(1), port));
    ASSERT_TRUE(d.handshake(65094, "10.0.0.94"));

    const auto st = rs.sessions_of(loopback(91)).at(0);
    EXPECT_EQ(st.add_path_receive, std::vector<bgp::AfiSafi>{kV4});
    EXPECT_EQ(st.add_path_send, std::vector<bgp::AfiSafi>{kV4});
    EXPECT_TRUE(rs.sessions_of(loopback(92)).at(0).add_path_receive.empty());

    // Receive: A announces two paths of one prefix (path ids 1 and 2); the RIB keeps both.
    ASSERT_TRUE(a.send(path_update(a, "10.91.0.0/24", 1, "100.64.0.91", 65091)));
    ASSERT_TRUE(a.send(path_update(a, "10.91.0.0/24", 2, "100.64.0.92", 65091)));
    ASSERT_TRUE(wait_until(
        [&] {
            auto e = rs.lookup("10.91.0.0/24");
            return e && e->paths.size() == 2;
        },
        3s));
    // Withdrawing path id 1 leaves path 2 (the ids reached the RIB).
    ASSERT_TRUE(a.send(path_update(a, "10.91.0.0/24", 1, "", 65091, true)));
    ASSERT_TRUE(wait_until(
        [&] {
            auto e = rs.lookup("10.91.0.0/24");
            return e && e->paths.size() == 1 && e->paths[0].next_hops.at(0).to_string() == "100.64.0.92";
        },
        3s));

    // Send: C and D announce one prefix with equal AS-path length (an ECMP set of two). A, which
    // receives with ADD-PATH, gets both paths with distinct ids; B gets one path.
    ASSERT_TRUE(c.announce({"10.95.0.0/24"}, "100.64.0.93", {65093}));
    ASSERT_TRUE(d.announce({"10.95.0.0/24"}, "100.64.0.94", {65094}));
    ASSERT_TRUE(wait_until(
        [&] {
            a.receive(50ms);
            b.receive(50ms);
            return paths_of(a, "10.95.0.0/24").size() == 2 && paths_of(b, "10.95.0.0/24").size() == 1;
        },
        3s))
        << paths_of(a, "10.95.0.0/24").size() << " paths at the ADD-PATH peer, "
        << paths_of(b, "10.95.0.0/24").size() << " at the other";
    b.drain(200ms);
    EXPECT_EQ(paths_of(b, "10.95.0.0/24"), std::set<std::uint32_t>{0});
    // B (no ADD-PATH) still got A's remaining path of 10.91.0.0/24, without a path id.
    EXPECT_TRUE(b.has_announced("10.91.0.0/24"));
}

}  // namespace
}  // namespace rf::testing
