// Peer manager at runtime (the REST API of another issue calls these): adding a peer lets it connect;
// removing it sends Cease / Peer De-configured and withdraws its routes everywhere; the 9th peer is refused.
// Also ROUTE-REFRESH is answered with the peer's whole Adj-RIB-Out and End-of-RIB.
#include <gtest/gtest.h>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

struct Harness {
    std::uint16_t port = free_port(loopback(1));
    std::unique_ptr<RsHarness> rs;
    Harness() {
        server::ServerConfig cfg;
        cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
        cfg.listen_addresses = {*net::IpAddress::parse(loopback(1))};
        cfg.port = port;
        cfg.rib.vnet_prefixes = {*net::Prefix::parse("10.1.0.0/16")};
        rs = std::make_unique<RsHarness>(cfg, std::vector<session::PeerSettings>{loopback_peer(51)});
    }
};

TEST(RuntimePeers, AddedPeerConnectsRemovedPeerIsCeasedAndWithdrawn) {
    Harness h;
    ASSERT_FALSE(h.rs->start_error());
    RawPeer stranger;
    ASSERT_TRUE(stranger.connect(loopback(52), loopback(1), h.port));
    EXPECT_TRUE(stranger.await_close());  // not configured yet

    auto err = h.rs->call([](server::RouteServer& s) { return s.add_peer(loopback_peer(52)); });
    ASSERT_FALSE(err) << *err;
    RawPeer a;
    ASSERT_TRUE(a.connect(loopback(51), loopback(1), h.port));
    ASSERT_TRUE(a.handshake(65051, "10.0.0.51"));
    RawPeer b;
    ASSERT_TRUE(b.connect(loopback(52), loopback(1), h.port));
    ASSERT_TRUE(b.handshake(65052, "10.0.0.52"));
    ASSERT_TRUE(b.announce({"10.52.0.0/24"}, "100.64.0.52", {65052}));
    ASSERT_TRUE(wait_until([&] { return h.rs->lookup("10.52.0.0/24").has_value(); }, 3s));

    const bool removed = h.rs->call(
        [](server::RouteServer& s) { return s.remove_peer(*net::IpAddress::parse(loopback(52))); });
    ASSERT_TRUE(removed);
    auto n = b.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 3);  // Cease / Peer De-configured
    EXPECT_FALSE(h.rs->lookup("10.52.0.0/24").has_value());
    // The other peer hears the withdrawal.
    EXPECT_TRUE(wait_until(
        [&] {
            a.receive(50ms);
            for (const auto& u : a.updates) {
                for (const auto& w : u.withdrawn) {
                    if (w.prefix.to_string() == "10.52.0.0/24") {
                        return true;
                    }
                }
            }
            return false;
        },
        3s));
    EXPECT_TRUE(h.rs->sessions_of(loopback(52)).empty());
}

TEST(RuntimePeers, NinthPeerIsRefusedAtRuntime) {
    Harness h;
    ASSERT_FALSE(h.rs->start_error());
    for (int i = 52; i <= 58; ++i) {
        auto err = h.rs->call([i](server::RouteServer& s) { return s.add_peer(loopback_peer(i)); });
        ASSERT_FALSE(err) << *err;
    }
    auto err = h.rs->call([](server::RouteServer& s) { return s.add_peer(loopback_peer(59)); });
    ASSERT_TRUE(err);
    EXPECT_NE(err->find("nva59"), std::string::npos) << *err;
    EXPECT_NE(err->find("maximum (8)"), std::string::npos) << *err;
    auto reserved = h.rs->call([](server::RouteServer& s) {
        auto p = loopback_peer(60);
        p.asn = 65517;
        return s.remove_peer(*net::IpAddress::parse(loopback(58))) ? s.add_peer(p)
                                                                   : std::optional<std::string>();
    });
    ASSERT_TRUE(reserved);
    EXPECT_NE(reserved->find("65517 is reserved"), std::string::npos) << *reserved;
}

TEST(RuntimePeers, RouteRefreshIsAnsweredWithTheTableAndEndOfRib) {
    Harness h;
    ASSERT_FALSE(h.rs->start_error());
    RawPeer a;
    ASSERT_TRUE(a.connect(loopback(51), loopback(1), h.port));
    ASSERT_TRUE(a.handshake(65051, "10.0.0.51"));
    auto has_vnet_and_eor = [&](std::size_t from) {
        bool vnet = false;
        bool eor = false;
        for (std::size_t i = from; i < a.updates.size(); ++i) {
            for (const auto& n : a.updates[i].nlri) {
                vnet = vnet || n.prefix.to_string() == "10.1.0.0/16";
            }
            eor = eor || (vnet && a.updates[i].is_end_of_rib());
        }
        return vnet && eor;
    };
    ASSERT_TRUE(wait_until(
        [&] {
            a.receive(50ms);
            return has_vnet_and_eor(0);
        },
        3s));
    const std::size_t before = a.updates.size();
    bgp::RouteRefresh rr;
    std::vector<std::uint8_t> bytes;
    bgp::encode_route_refresh(rr, bytes);
    ASSERT_TRUE(a.send(bytes));
    EXPECT_TRUE(wait_until(
        [&] {
            a.receive(50ms);
            return has_vnet_and_eor(before);
        },
        3s));
}

TEST(RuntimePeers, TcpResetTakesThePeerDownAndWithdrawsItsRoutes) {
    Harness h;
    ASSERT_FALSE(h.rs->start_error());
    auto err = h.rs->call([](server::RouteServer& s) { return s.add_peer(loopback_peer(53)); });
    ASSERT_FALSE(err) << *err;
    RawPeer a;
    ASSERT_TRUE(a.connect(loopback(51), loopback(1), h.port));
    ASSERT_TRUE(a.handshake(65051, "10.0.0.51"));
    auto b = std::make_unique<RawPeer>();
    ASSERT_TRUE(b->connect(loopback(53), loopback(1), h.port));
    ASSERT_TRUE(b->handshake(65053, "10.0.0.53"));
    ASSERT_TRUE(b->announce({"10.53.0.0/24", "10.53.1.0/24"}, "100.64.0.53", {65053}));
    ASSERT_TRUE(wait_until([&] { return h.rs->lookup("10.53.1.0/24").has_value(); }, 3s));
    b.reset();  // the peer's socket closes under it
    EXPECT_TRUE(wait_until([&] { return !h.rs->established(loopback(53)); }, 3s));
    EXPECT_FALSE(h.rs->lookup("10.53.0.0/24").has_value());
    EXPECT_FALSE(h.rs->lookup("10.53.1.0/24").has_value());
    EXPECT_TRUE(h.rs->established(loopback(51)));
}

TEST(Gtsm, PeerWithGtsmMustSendTtl255) {
    Harness h;
    ASSERT_FALSE(h.rs->start_error());
    for (int host : {61, 62}) {
        auto err = h.rs->call([host](server::RouteServer& s) {
            auto p = loopback_peer(host);
            p.gtsm = true;  // RFC 5082: we send TTL 255 and drop anything below 255
            return s.add_peer(p);
        });
        ASSERT_FALSE(err) << *err;
    }
    RawPeer good;
    ASSERT_TRUE(good.connect(loopback(61), loopback(1), h.port));
    ASSERT_TRUE(good.set_ttl(255));
    EXPECT_TRUE(good.handshake(65061, "10.0.0.61"));

    // TTL 64: as if 191 hops away. GTSM is armed on the accepted socket before the route server sends
    // its OPEN, so once that OPEN arrives nothing this peer sends reaches the session any more.
    RawPeer far;
    ASSERT_TRUE(far.connect(loopback(62), loopback(1), h.port));
    ASSERT_TRUE(far.set_ttl(64));
    auto open = far.receive();
    ASSERT_TRUE(open && (*open)[18] == 1);
    ASSERT_TRUE(far.send(RawPeer::open_message(65062, "10.0.0.62", 90)));
    EXPECT_FALSE(far.receive(1500ms)) << "the OPEN with TTL 64 must be dropped (no KEEPALIVE back)";
    EXPECT_FALSE(h.rs->established(loopback(62)));
}

}  // namespace
}  // namespace rf::testing

namespace rf::testing {
namespace {

// Azure's two instances: an NVA peering with both listen addresses has two sessions of one neighbor.
// The RIB gets the same non-zero rib::PeerConfig::neighbor for both; other peers get other values, and a
// peer removed and added again is a new neighbor.
TEST(RuntimePeers, SessionsOfOneConfiguredPeerShareItsNeighborId) {
    const std::uint16_t port = free_port(loopback(1));
    server::ServerConfig cfg;
    cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
    cfg.listen_addresses = {*net::IpAddress::parse(loopback(1)), *net::IpAddress::parse(loopback(2))};
    cfg.port = port;
    RsHarness rs(cfg, {loopback_peer(51), loopback_peer(52)});
    ASSERT_FALSE(rs.start_error());
    RawPeer a1;
    RawPeer a2;
    RawPeer b;
    ASSERT_TRUE(a1.connect(loopback(51), loopback(1), port));
    ASSERT_TRUE(a1.handshake(65051, "10.0.0.51"));
    ASSERT_TRUE(a2.connect(loopback(51), loopback(2), port));
    ASSERT_TRUE(a2.handshake(65051, "10.0.0.51"));
    ASSERT_TRUE(b.connect(loopback(52), loopback(1), port));
    ASSERT_TRUE(b.handshake(65052, "10.0.0.52"));
    const auto a = rs.sessions_of(loopback(51));
    ASSERT_EQ(a.size(), 2U);
    EXPECT_NE(a[0].neighbor, 0U);
    EXPECT_EQ(a[0].neighbor, a[1].neighbor);
    EXPECT_NE(a[0].rib_id, a[1].rib_id);  // two sessions in the RIB, one neighbor
    const auto bs = rs.sessions_of(loopback(52));
    ASSERT_FALSE(bs.empty());
    EXPECT_NE(bs[0].neighbor, 0U);
    EXPECT_NE(bs[0].neighbor, a[0].neighbor);
    const auto again = rs.call([](server::RouteServer& s) {
        s.remove_peer(*net::IpAddress::parse(loopback(52)));
        return s.add_peer(loopback_peer(52));
    });
    ASSERT_FALSE(again) << *again;
    const auto re = rs.sessions_of(loopback(52));
    ASSERT_FALSE(re.empty());
    EXPECT_NE(re[0].neighbor, bs[0].neighbor);
    EXPECT_NE(re[0].neighbor, a[0].neighbor);
}

}  // namespace
}  // namespace rf::testing
