// Route-limit ergonomics against raw peers on loopback: route_limit_action warn keeps the session and
// accepts the routes past the limit, warning once per crossing; teardown drops the session with Cease /
// Maximum Number of Prefixes Reached; the threshold warning fires once per crossing and re-arms below it;
// a limit changed at runtime applies without a reset; the operator's reset clears exactly one peer's
// session (Cease / Administrative Reset) while the others keep running; GTSM arms IP_TTL and IP_MINTTL on
// the accepted socket.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

session::PeerSettings limited_peer(int host, std::size_t limit, azure::RouteLimitAction action,
                                   std::uint8_t percent) {
    session::PeerSettings p = loopback_peer(host);
    p.route_limit = limit;
    p.route_limit_action = action;
    p.route_limit_warning_percent = percent;
    p.idle_hold = 1;
    return p;
}

struct Harness {
    std::uint16_t port = free_port(loopback(1));
    std::unique_ptr<RsHarness> rs;
    explicit Harness(const std::vector<session::PeerSettings>& peers) {
        server::ServerConfig cfg;
        cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
        cfg.listen_addresses = {*net::IpAddress::parse(loopback(1))};
        cfg.port = port;
        rs = std::make_unique<RsHarness>(cfg, peers);
    }
    // Log lines holding `text`.
    std::size_t logged(const std::string& text) {
        const auto lines = rs->log_lines();
        return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
            return l.find(text) != std::string::npos;
        }));
    }
    rib::RibStats stats() {
        return rs->call([](server::RouteServer& s) { return s.rib().stats(); });
    }
    std::size_t routes_of(int host) {
        return rs->call([host](server::RouteServer& s) {
            for (const auto& st : s.sessions()) {
                if (st.peer == "nva" + std::to_string(host) && st.rib_id != 0 && s.rib().is_up(st.rib_id)) {
                    return s.rib().route_count(st.rib_id);
                }
            }
            return std::size_t{0};
        });
    }
};

std::vector<std::string> prefixes(int host, int from, int count) {
    std::vector<std::string> out;
    for (int i = from; i < from + count; ++i) {
        out.push_back("10." + std::to_string(host) + "." + std::to_string(i) + ".0/24");
    }
    return out;
}

std::string next_hop(int host) {
    return "100.64.0." + std::to_string(host);
}

TEST(RouteLimit, WarnKeepsTheSessionAcceptsTheRoutesAndWarnsOncePerCrossing) {
    Harness h({limited_peer(71, 5, azure::RouteLimitAction::Warn, 60), loopback_peer(72)});
    ASSERT_FALSE(h.rs->start_error());
    RawPeer nva;
    ASSERT_TRUE(nva.connect(loopback(71), loopback(1), h.port));
    ASSERT_TRUE(nva.handshake(65071, "10.0.0.71"));
    RawPeer other;
    ASSERT_TRUE(other.connect(loopback(72), loopback(1), h.port));
    ASSERT_TRUE(other.handshake(65072, "10.0.0.72"));

    ASSERT_TRUE(nva.announce(prefixes(71, 0, 2), next_hop(71), {65071}));
    ASSERT_TRUE(wait_until([&] { return h.routes_of(71) == 2; }, 3s));
    EXPECT_EQ(h.logged("reached 60% of its route limit"), 0U);
    ASSERT_TRUE(nva.announce(prefixes(71, 2, 1), next_hop(71), {65071}));  // 3 = 60 % of 5
    ASSERT_TRUE(wait_until([&] { return h.logged("reached 60% of its route limit") == 1; }, 3s));
    ASSERT_TRUE(nva.announce(prefixes(71, 3, 4), next_hop(71), {65071}));  // 7 > 5
    ASSERT_TRUE(wait_until([&] { return h.logged("exceed its route limit 5") == 1; }, 3s));
    ASSERT_TRUE(nva.announce(prefixes(71, 7, 1), next_hop(71), {65071}));  // 8: still past it
    ASSERT_TRUE(wait_until([&] { return h.routes_of(71) == 8; }, 3s));
    EXPECT_EQ(h.logged("exceed its route limit 5"), 1U) << "one warning per crossing";
    EXPECT_TRUE(h.rs->established(loopback(71)));
    // The routes past the limit are accepted and reflected.
    EXPECT_TRUE(h.rs->lookup("10.71.7.0/24").has_value());
    EXPECT_TRUE(wait_until(
        [&] {
            other.receive(50ms);
            return other.has_announced("10.71.7.0/24");
        },
        3s));
    rib::RibStats s = h.stats();
    EXPECT_EQ(s.route_limit_warnings, 1U);
    EXPECT_EQ(s.route_limit_threshold_warnings, 1U);
    EXPECT_EQ(s.route_limit_trips, 0U);

    // Back under the limit and under the threshold: both warnings re-arm.
    ASSERT_TRUE(nva.withdraw(prefixes(71, 2, 6)));  // 2 left
    ASSERT_TRUE(wait_until([&] { return h.routes_of(71) == 2; }, 3s));
    ASSERT_TRUE(nva.announce(prefixes(71, 2, 4), next_hop(71), {65071}));  // 6: both crossed again
    ASSERT_TRUE(wait_until([&] { return h.logged("exceed its route limit 5") == 2; }, 3s));
    EXPECT_EQ(h.logged("reached 60% of its route limit"), 2U);
    s = h.stats();
    EXPECT_EQ(s.route_limit_warnings, 2U);
    EXPECT_EQ(s.route_limit_threshold_warnings, 2U);
    const auto sessions = h.rs->sessions_of(loopback(71));
    ASSERT_EQ(sessions.size(), 1U);
    EXPECT_EQ(sessions[0].route_limit_trips, 0U);
    EXPECT_EQ(sessions[0].established_count, 1U);
    EXPECT_FALSE(nva.await_notification(200ms)) << "warn never sends a NOTIFICATION";
}

TEST(RouteLimit, TeardownDropsTheSessionWithCeaseMaxPrefixAndWithdrawsItsRoutes) {
    Harness h({limited_peer(73, 5, azure::RouteLimitAction::Teardown, 80)});
    ASSERT_FALSE(h.rs->start_error());
    RawPeer nva;
    ASSERT_TRUE(nva.connect(loopback(73), loopback(1), h.port));
    ASSERT_TRUE(nva.handshake(65073, "10.0.0.73"));
    ASSERT_TRUE(nva.announce(prefixes(73, 0, 4), next_hop(73), {65073}));  // 4 = 80 % of 5
    ASSERT_TRUE(wait_until([&] { return h.logged("reached 80% of its route limit") == 1; }, 3s));
    ASSERT_TRUE(nva.announce(prefixes(73, 4, 2), next_hop(73), {65073}));  // 6 > 5
    const auto n = nva.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 1);  // Cease / Maximum Number of Prefixes Reached
    EXPECT_TRUE(wait_until([&] { return !h.rs->established(loopback(73)); }, 3s));
    EXPECT_FALSE(h.rs->lookup("10.73.0.0/24").has_value());
    EXPECT_EQ(h.stats().route_limit_trips, 1U);
    EXPECT_EQ(h.logged("exceed its route limit"), 0U);
}

TEST(RouteLimit, ALimitChangedAtRuntimeAppliesWithoutAReset) {
    Harness h({limited_peer(74, 100, azure::RouteLimitAction::Teardown, 75)});
    ASSERT_FALSE(h.rs->start_error());
    RawPeer nva;
    ASSERT_TRUE(nva.connect(loopback(74), loopback(1), h.port));
    ASSERT_TRUE(nva.handshake(65074, "10.0.0.74"));
    ASSERT_TRUE(nva.announce(prefixes(74, 0, 10), next_hop(74), {65074}));
    ASSERT_TRUE(wait_until([&] { return h.routes_of(74) == 10; }, 3s));

    // Warn with a limit below what it holds: kept, warned, not reset.
    ASSERT_TRUE(h.rs->call([](server::RouteServer& s) {
        return s.update_route_limits(limited_peer(74, 8, azure::RouteLimitAction::Warn, 75));
    }));
    EXPECT_TRUE(wait_until([&] { return h.logged("exceed its route limit 8") == 1; }, 3s));
    EXPECT_FALSE(nva.await_notification(300ms));
    EXPECT_TRUE(h.rs->established(loopback(74)));
    EXPECT_EQ(h.routes_of(74), 10U);
    EXPECT_EQ(h.rs->sessions_of(loopback(74))[0].established_count, 1U);
    EXPECT_EQ(h.rs->call([](server::RouteServer& s) { return s.peers()[0].route_limit; }), 8U);

    // Teardown with that limit: the session goes at once.
    ASSERT_TRUE(h.rs->call([](server::RouteServer& s) {
        return s.update_route_limits(limited_peer(74, 8, azure::RouteLimitAction::Teardown, 75));
    }));
    const auto n = nva.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 1);
    EXPECT_FALSE(h.rs->lookup("10.74.0.0/24").has_value());
    EXPECT_FALSE(h.rs->call([](server::RouteServer& s) {
        return s.update_route_limits(limited_peer(99, 8, azure::RouteLimitAction::Warn, 75));
    })) << "no such peer";
}

TEST(AdminReset, ResetsExactlyOnePeerWhileTheOthersKeepRunning) {
    Harness h({loopback_peer(75), loopback_peer(76)});
    ASSERT_FALSE(h.rs->start_error());
    RawPeer a;
    ASSERT_TRUE(a.connect(loopback(75), loopback(1), h.port));
    ASSERT_TRUE(a.handshake(65075, "10.0.0.75"));
    RawPeer b;
    ASSERT_TRUE(b.connect(loopback(76), loopback(1), h.port));
    ASSERT_TRUE(b.handshake(65076, "10.0.0.76"));
    ASSERT_TRUE(a.announce(prefixes(75, 0, 3), next_hop(75), {65075}));
    ASSERT_TRUE(b.announce(prefixes(76, 0, 3), next_hop(76), {65076}));
    ASSERT_TRUE(wait_until([&] { return h.routes_of(75) == 3 && h.routes_of(76) == 3; }, 3s));

    const auto r = h.rs->call([](server::RouteServer& s) { return s.reset_peer("nva75", "lab reset"); });
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reset, 1U);
    EXPECT_EQ(r->restarted, 0U);
    const auto n = a.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 4);  // Cease / Administrative Reset (RFC 4486)
    ASSERT_FALSE(n->data.empty());
    EXPECT_EQ(std::string(n->data.begin() + 1, n->data.end()), "lab reset");  // RFC 8203 message
    EXPECT_FALSE(h.rs->lookup("10.75.0.0/24").has_value());
    EXPECT_TRUE(wait_until(
        [&] {
            b.receive(50ms);
            return b.has_withdrawn("10.75.0.0/24");
        },
        3s));
    // The other peer's session was not touched.
    EXPECT_TRUE(h.rs->established(loopback(76)));
    EXPECT_EQ(h.routes_of(76), 3U);
    const auto other = h.rs->sessions_of(loopback(76));
    EXPECT_EQ(other[0].established_count, 1U);
    EXPECT_EQ(other[0].admin_resets, 0U);
    EXPECT_EQ(h.rs->sessions_of(loopback(75))[0].admin_resets, 1U);

    // The reset peer may come back at once (no idle-hold).
    RawPeer again;
    ASSERT_TRUE(again.connect(loopback(75), loopback(1), h.port));
    ASSERT_TRUE(again.handshake(65075, "10.0.0.75"));
    EXPECT_TRUE(wait_until([&] { return h.rs->established(loopback(75)); }, 3s));
    EXPECT_FALSE(h.rs->call([](server::RouteServer& s) { return s.reset_peer("nope", "x"); }).has_value());
}

TEST(AdminReset, ClearsTheIdleHoldOfAPeerDroppedForItsRouteLimit) {
    auto p = limited_peer(77, 1, azure::RouteLimitAction::Teardown, 100);
    p.idle_hold = 600;  // without the reset it could not return for ten minutes
    Harness h({p});
    ASSERT_FALSE(h.rs->start_error());
    RawPeer nva;
    ASSERT_TRUE(nva.connect(loopback(77), loopback(1), h.port));
    ASSERT_TRUE(nva.handshake(65077, "10.0.0.77"));
    ASSERT_TRUE(nva.announce(prefixes(77, 0, 2), next_hop(77), {65077}));
    ASSERT_TRUE(nva.await_notification());
    RawPeer refused;
    ASSERT_TRUE(refused.connect(loopback(77), loopback(1), h.port));
    EXPECT_TRUE(refused.await_close()) << "idle-hold: connections are refused";

    const auto r = h.rs->call([](server::RouteServer& s) { return s.reset_peer("nva77", "cleared"); });
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reset, 0U);
    EXPECT_EQ(r->restarted, 1U);
    RawPeer back;
    ASSERT_TRUE(back.connect(loopback(77), loopback(1), h.port));
    EXPECT_TRUE(back.handshake(65077, "10.0.0.77"));
}

// The route server's end of the connection from `peer` (this process holds both ends on loopback).
int server_socket_from(const std::string& peer, std::uint16_t port) {
    for (int fd = 3; fd < 4096; ++fd) {
        sockaddr_in local{};
        sockaddr_in remote{};
        socklen_t ll = sizeof local;
        socklen_t rl = sizeof remote;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll) != 0 || local.sin_family != AF_INET ||
            ::getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &rl) != 0) {
            continue;
        }
        char text[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &remote.sin_addr, text, sizeof text);
        if (ntohs(local.sin_port) == port && peer == text) {
            return fd;
        }
    }
    return -1;
}

int int_option(int fd, int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    return ::getsockopt(fd, level, name, &v, &len) == 0 ? v : -1;
}

TEST(Gtsm, TheAcceptedSocketSendsTtl255AndRequiresTheConfiguredMinimum) {
    auto direct = loopback_peer(78);
    direct.gtsm = true;  // ttl 255 (the default): directly connected, TTL 255 only
    auto two_hops = loopback_peer(79);
    two_hops.gtsm = true;
    two_hops.ttl = 2;  // GTSM with a radius of two hops: 254 accepted
    auto plain = loopback_peer(80);
    plain.ttl = 1;
    Harness h({direct, two_hops, plain});
    ASSERT_FALSE(h.rs->start_error());
    RawPeer a;
    ASSERT_TRUE(a.connect(loopback(78), loopback(1), h.port));
    ASSERT_TRUE(a.set_ttl(255));
    ASSERT_TRUE(a.handshake(65078, "10.0.0.78"));
    RawPeer b;
    ASSERT_TRUE(b.connect(loopback(79), loopback(1), h.port));
    ASSERT_TRUE(b.set_ttl(254));  // one hop away: still inside the radius
    ASSERT_TRUE(b.handshake(65079, "10.0.0.79"));
    RawPeer c;
    ASSERT_TRUE(c.connect(loopback(80), loopback(1), h.port));
    ASSERT_TRUE(c.handshake(65080, "10.0.0.80"));

    // Read on the io thread: the sockets belong to the route server.
    const auto opts = h.rs->call([&](server::RouteServer&) {
        std::vector<std::pair<int, int>> out;
        for (int host : {78, 79, 80}) {
            const int fd = server_socket_from(loopback(host), h.port);
            out.emplace_back(fd < 0 ? -2 : int_option(fd, IPPROTO_IP, IP_TTL),
                             fd < 0 ? -2 : int_option(fd, IPPROTO_IP, IP_MINTTL));
        }
        return out;
    });
    EXPECT_EQ(opts[0], std::make_pair(255, 255));
    EXPECT_EQ(opts[1], std::make_pair(255, 254));
    EXPECT_EQ(opts[2], std::make_pair(1, 0));  // no GTSM: TTL 1 out, nothing required in

    // Outside the radius: a peer two hops away (TTL 253) is not heard.
    auto far_peer = loopback_peer(81);
    far_peer.gtsm = true;
    far_peer.ttl = 2;
    ASSERT_FALSE(h.rs->call([&](server::RouteServer& s) { return s.add_peer(far_peer); }));
    RawPeer far;
    ASSERT_TRUE(far.connect(loopback(81), loopback(1), h.port));
    ASSERT_TRUE(far.set_ttl(253));
    auto open = far.receive();
    ASSERT_TRUE(open && (*open)[18] == 1);
    ASSERT_TRUE(far.send(RawPeer::open_message(65081, "10.0.0.81", 90)));
    EXPECT_FALSE(far.receive(1500ms)) << "the OPEN with TTL 253 must be dropped (no KEEPALIVE back)";
    EXPECT_FALSE(h.rs->established(loopback(81)));
}

}  // namespace
}  // namespace rf::testing
