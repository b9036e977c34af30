// Connection collision detection (RFC 4271 §6.8) over real TCP: the route server connects out to a raw
// peer while the peer connects in; the connection initiated by the side with the higher BGP identifier
// survives and the other one is closed with Cease / Connection Collision Resolution.
#include <gtest/gtest.h>
#include <unistd.h>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

constexpr std::uint8_t kOpen = 1;
constexpr std::uint8_t kKeepalive = 4;

bool is(const std::optional<std::vector<std::uint8_t>>& m, std::uint8_t type) {
    return m && (*m)[18] == type;
}

struct CollisionSetup {
    std::uint16_t rs_port = free_port(loopback(1));
    std::uint16_t peer_port = free_port(loopback(41));
    int listen_fd = RawPeer::listen_on(loopback(41), peer_port);
    std::unique_ptr<RsHarness> rs;

    CollisionSetup() {
        server::ServerConfig cfg;
        cfg.router_id = *net::Ipv4Address::parse("10.100.0.1");
        cfg.listen_addresses = {*net::IpAddress::parse(loopback(1))};
        cfg.port = rs_port;
        cfg.connect_retry = 1;
        session::PeerSettings p;
        p.name = "both-active";
        p.address = *net::IpAddress::parse(loopback(41));
        p.asn = 65041;
        p.mode = session::PeerMode::Active;
        p.port = peer_port;
        rs = std::make_unique<RsHarness>(cfg, std::vector<session::PeerSettings>{p});
    }
    ~CollisionSetup() {
        rs.reset();
        ::close(listen_fd);
    }
};

// Both connections reach OpenSent; the peer's OPEN arrives first on the inbound one.
void collide(CollisionSetup& s, RawPeer& out_conn, RawPeer& in_conn, const std::string& peer_id) {
    ASSERT_GE(s.listen_fd, 0);
    ASSERT_TRUE(out_conn.accept_from(s.listen_fd));                      // the route server connected to us
    ASSERT_TRUE(is(out_conn.receive(), kOpen));                          // … and sent its OPEN
    ASSERT_TRUE(in_conn.connect(loopback(41), loopback(1), s.rs_port));  // we connect to it too
    ASSERT_TRUE(in_conn.send(RawPeer::open_message(65041, peer_id, 90)));
    ASSERT_TRUE(is(in_conn.receive(), kOpen));
}

TEST(Collision, HigherLocalIdentifierKeepsTheRouteServersConnection) {
    CollisionSetup s;
    ASSERT_FALSE(s.rs->start_error());
    RawPeer out_conn;
    RawPeer in_conn;
    collide(s, out_conn, in_conn, "10.0.0.41");  // lower than the route server's 10.100.0.1
    auto n = in_conn.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 7);  // Cease / Connection Collision Resolution
    // The outbound connection carries on to Established.
    ASSERT_TRUE(out_conn.send(RawPeer::open_message(65041, "10.0.0.41", 90)));
    ASSERT_TRUE(is(out_conn.receive(), kKeepalive));
    ASSERT_TRUE(out_conn.send(RawPeer::keepalive()));
    EXPECT_TRUE(wait_until([&] { return s.rs->established(loopback(41)); }, 3s));
}

TEST(Collision, HigherPeerIdentifierKeepsThePeersConnection) {
    CollisionSetup s;
    ASSERT_FALSE(s.rs->start_error());
    RawPeer out_conn;
    RawPeer in_conn;
    collide(s, out_conn, in_conn, "10.200.0.41");  // higher than the route server's 10.100.0.1
    auto n = out_conn.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 7);
    // The inbound connection got our KEEPALIVE (OpenConfirm); answering it establishes the session.
    ASSERT_TRUE(is(in_conn.receive(), kKeepalive));
    ASSERT_TRUE(in_conn.send(RawPeer::keepalive()));
    EXPECT_TRUE(wait_until([&] { return s.rs->established(loopback(41)); }, 3s));
}

}  // namespace
}  // namespace rf::testing
