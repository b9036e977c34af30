// Connection collision detection (RFC 4271 §6.8) over real TCP: the route server connects out to a raw
// peer while the peer connects in; once both connections carry the peer's OPEN, the connection initiated
// by the side with the higher BGP identifier survives and the other one is closed with Cease / Connection
// Collision Resolution. Extra connections from a configured peer's address that send no OPEN (silent
// sockets) neither keep the peer's real connection out nor disturb an established session.
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

// Both connections reach OpenSent; the peer's OPEN arrives first on the inbound one (which answers with
// its KEEPALIVE: nothing to compare yet), then on the outbound one, where the identifiers are compared.
void collide(CollisionSetup& s, RawPeer& out_conn, RawPeer& in_conn, const std::string& peer_id) {
    ASSERT_GE(s.listen_fd, 0);
    ASSERT_TRUE(out_conn.accept_from(s.listen_fd));                      // the route server connected to us
    ASSERT_TRUE(is(out_conn.receive(), kOpen));                          // … and sent its OPEN
    ASSERT_TRUE(in_conn.connect(loopback(41), loopback(1), s.rs_port));  // we connect to it too
    ASSERT_TRUE(in_conn.send(RawPeer::open_message(65041, peer_id, 90)));
    ASSERT_TRUE(is(in_conn.receive(), kOpen));
    ASSERT_TRUE(is(in_conn.receive(), kKeepalive));  // OpenConfirm on the inbound connection
    ASSERT_TRUE(out_conn.send(RawPeer::open_message(65041, peer_id, 90)));
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
    ASSERT_TRUE(in_conn.send(RawPeer::keepalive()));
    EXPECT_TRUE(wait_until([&] { return s.rs->established(loopback(41)); }, 3s));
}

// A passive peer at loopback(43); extra connections wait at most 2 s for their OPEN.
struct SilentSetup {
    std::uint16_t rs_port = free_port(loopback(1));
    std::unique_ptr<RsHarness> rs;

    SilentSetup() {
        server::ServerConfig cfg;
        cfg.router_id = *net::Ipv4Address::parse("10.100.0.1");
        cfg.listen_addresses = {*net::IpAddress::parse(loopback(1))};
        cfg.port = rs_port;
        cfg.extra_open_wait = 2;
        session::PeerSettings p;
        p.name = "nva";
        p.address = *net::IpAddress::parse(loopback(43));
        p.asn = 65043;
        rs = std::make_unique<RsHarness>(cfg, std::vector<session::PeerSettings>{p});
    }

    // A connection from the peer's address that reads our OPEN and then says nothing.
    std::unique_ptr<RawPeer> silent() const {
        auto c = std::make_unique<RawPeer>();
        EXPECT_TRUE(c->connect(loopback(43), loopback(1), rs_port));
        EXPECT_TRUE(is(c->receive(), kOpen)) << "accepted and sent our OPEN";
        return c;
    }
    [[nodiscard]] session::SessionStatus status() const { return rs->sessions_of(loopback(43)).at(0); }
};

TEST(SilentConnections, TwoSilentSocketsDoNotKeepTheRealPeerOut) {
    SilentSetup s;
    ASSERT_FALSE(s.rs->start_error());
    auto silent1 = s.silent();
    auto silent2 = s.silent();
    RawPeer real;
    ASSERT_TRUE(real.connect(loopback(43), loopback(1), s.rs_port));
    ASSERT_TRUE(real.handshake(65043, "10.0.0.43"));
    EXPECT_TRUE(wait_until([&] { return s.rs->established(loopback(43)); }, 3s));
    // The silent ones are closed when their wait ends; the session stays up.
    EXPECT_TRUE(silent1->await_close(10s));
    EXPECT_TRUE(silent2->await_close(10s));
    ASSERT_TRUE(real.send(RawPeer::keepalive()));
    EXPECT_FALSE(real.await_notification(300ms));
    EXPECT_TRUE(s.rs->established(loopback(43)));
    EXPECT_EQ(s.status().extra_connections, 0U);
}

TEST(SilentConnections, SilentSocketsBeyondTheBoundCloseTheOldest) {
    SilentSetup s;
    ASSERT_FALSE(s.rs->start_error());
    std::vector<std::unique_ptr<RawPeer>> silent;
    for (int i = 0; i < 10; ++i) {
        silent.push_back(s.silent());
    }
    // The first holds the session's connection; of the rest, only the newest four still wait.
    EXPECT_LE(s.status().extra_connections, 4U);
    EXPECT_TRUE(silent[1]->await_close(1s)) << "the oldest extra connection made room";
    RawPeer real;
    ASSERT_TRUE(real.connect(loopback(43), loopback(1), s.rs_port));
    ASSERT_TRUE(real.handshake(65043, "10.0.0.43"));
    EXPECT_TRUE(wait_until([&] { return s.rs->established(loopback(43)); }, 3s));
    EXPECT_LE(s.status().extra_connections, 4U);
}

TEST(SilentConnections, EstablishedSessionSurvivesSilentAndOpeningConnections) {
    SilentSetup s;
    ASSERT_FALSE(s.rs->start_error());
    RawPeer real;
    ASSERT_TRUE(real.connect(loopback(43), loopback(1), s.rs_port));
    ASSERT_TRUE(real.handshake(65043, "10.0.0.43"));
    ASSERT_TRUE(wait_until([&] { return s.rs->established(loopback(43)); }, 3s));
    auto silent1 = s.silent();
    auto silent2 = s.silent();
    // A new connection with a valid OPEN while Established: its OPEN is read, then Cease / Collision.
    RawPeer opening;
    ASSERT_TRUE(opening.connect(loopback(43), loopback(1), s.rs_port));
    ASSERT_TRUE(opening.send(RawPeer::open_message(65043, "10.0.0.43", 90)));
    auto n = opening.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 7);
    EXPECT_TRUE(silent1->await_close(10s));
    EXPECT_TRUE(silent2->await_close(10s));
    ASSERT_TRUE(real.send(RawPeer::keepalive()));
    EXPECT_FALSE(real.await_notification(300ms));
    const auto st = s.status();
    EXPECT_EQ(st.state, session::State::Established);
    EXPECT_EQ(st.established_count, 1U) << "never torn down";
    EXPECT_EQ(st.extra_connections, 0U);
}

// The session's first connection is silent; the peer's real connection brings its OPEN: it becomes the
// session's connection and the silent one cannot take it back with a late OPEN of a lower identifier.
TEST(SilentConnections, LateOpenOnTheOlderConnectionLosesToTheNewer) {
    SilentSetup s;
    ASSERT_FALSE(s.rs->start_error());
    auto first = s.silent();
    RawPeer real;
    ASSERT_TRUE(real.connect(loopback(43), loopback(1), s.rs_port));
    ASSERT_TRUE(real.send(RawPeer::open_message(65043, "10.0.0.43", 90)));
    ASSERT_TRUE(is(real.receive(), kOpen));
    ASSERT_TRUE(is(real.receive(), kKeepalive));  // OpenConfirm
    // Both connections were initiated by the peer: the newer one (real) survives.
    ASSERT_TRUE(first->send(RawPeer::open_message(65043, "10.0.0.43", 90)));
    auto n = first->await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 7);
    ASSERT_TRUE(real.send(RawPeer::keepalive()));
    EXPECT_TRUE(wait_until([&] { return s.rs->established(loopback(43)); }, 3s));
}

}  // namespace
}  // namespace rf::testing
