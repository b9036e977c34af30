// Design §2 "VNet changes": a change of the advertised VNet address spaces goes out to every peer at once,
// and every NVA is asked for its routes again — ROUTE-REFRESH (RFC 2918) to a peer that negotiated route
// refresh, a reset with Cease / Other Configuration Change (RFC 4486 subcode 6) for one that did not,
// which may reconnect at once (no idle-hold). Raw test peers on loopback.
#include <gtest/gtest.h>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

net::Prefix P(const char* s) {
    return *net::Prefix::parse(s);
}

struct VnetHarness {
    std::uint16_t port = free_port(loopback(1));
    std::unique_ptr<RsHarness> rs;
    VnetHarness() {
        server::ServerConfig cfg;
        cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
        cfg.listen_addresses = {*net::IpAddress::parse(loopback(1))};
        cfg.port = port;
        cfg.idle_hold = 60;  // a reset peer must come back at once, not after idle-hold
        cfg.rib.vnet_prefixes = {P("10.1.0.0/16")};
        cfg.rib.vnet_next_hop_v4 = *net::IpAddress::parse("100.64.0.1");
        rs = std::make_unique<RsHarness>(
            cfg, std::vector<session::PeerSettings>{loopback_peer(61), loopback_peer(62)});
    }
    server::RouteServer::VnetUpdate set(std::vector<net::Prefix> prefixes) {
        return rs->call([&](server::RouteServer& s) { return s.set_vnet_prefixes(prefixes); });
    }
};

TEST(VnetChange, RefreshCapablePeerGetsTheNewSpaceAndARouteRefresh) {
    VnetHarness h;
    ASSERT_FALSE(h.rs->start_error());
    RawPeer a;
    ASSERT_TRUE(a.connect(loopback(61), loopback(1), h.port));
    ASSERT_TRUE(a.handshake(65061, "10.0.0.61"));
    ASSERT_TRUE(a.announce({"10.61.0.0/24"}, "100.64.0.61", {65061}));
    ASSERT_TRUE(wait_until([&] { return h.rs->lookup("10.61.0.0/24").has_value(); }, 3s));
    a.drain();
    ASSERT_TRUE(a.has_announced("10.1.0.0/16"));
    EXPECT_TRUE(a.route_refreshes.empty());

    const auto r = h.set({P("10.1.0.0/16"), P("10.2.0.0/16")});  // a VNet peering was added
    EXPECT_TRUE(r.changed);
    EXPECT_EQ(r.refreshed, 1U);
    EXPECT_EQ(r.reset, 0U);
    ASSERT_TRUE(wait_until(
        [&] {
            a.receive(50ms);
            return a.has_announced("10.2.0.0/16") && !a.route_refreshes.empty();
        },
        3s));
    ASSERT_EQ(a.route_refreshes.size(), 1U);  // one per negotiated family: IPv4 unicast
    EXPECT_EQ(a.route_refreshes[0].family, (bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast}));
    EXPECT_EQ(a.route_refreshes[0].subtype, 0);
    // The session stays up and keeps its routes; the peer answers by sending them again.
    ASSERT_TRUE(a.announce({"10.61.0.0/24"}, "100.64.0.61", {65061}));
    const auto st = h.rs->sessions_of(loopback(61));
    ASSERT_EQ(st.size(), 1U);
    EXPECT_EQ(st[0].state, session::State::Established);
    EXPECT_EQ(st[0].route_refreshes_sent, 1U);
    EXPECT_EQ(st[0].established_count, 1U);
    EXPECT_TRUE(h.rs->lookup("10.61.0.0/24").has_value());

    // The same set again: nothing changes, nobody is asked.
    const auto same = h.set({P("10.2.0.0/16"), P("10.1.0.0/16")});
    EXPECT_FALSE(same.changed);
    EXPECT_EQ(same.refreshed, 0U);
    // Removing the peering withdraws its space at once.
    const auto removed = h.set({P("10.1.0.0/16")});
    EXPECT_TRUE(removed.changed);
    EXPECT_EQ(removed.refreshed, 1U);
    EXPECT_TRUE(wait_until(
        [&] {
            a.receive(50ms);
            return a.has_withdrawn("10.2.0.0/16") && a.route_refreshes.size() == 2;
        },
        3s));
    EXPECT_FALSE(a.has_announced("10.2.0.0/16"));
    EXPECT_TRUE(a.has_announced("10.1.0.0/16"));
}

TEST(VnetChange, PeerWithoutRouteRefreshIsResetWithCeaseSixAndReconnectsAtOnce) {
    VnetHarness h;
    ASSERT_FALSE(h.rs->start_error());
    RawPeer a;  // with route refresh: must not be reset
    ASSERT_TRUE(a.connect(loopback(61), loopback(1), h.port));
    ASSERT_TRUE(a.handshake(65061, "10.0.0.61"));
    ASSERT_TRUE(a.announce({"10.61.0.0/24"}, "100.64.0.61", {65061}));
    RawPeer b;
    b.capabilities.route_refresh = false;
    ASSERT_TRUE(b.connect(loopback(62), loopback(1), h.port));
    ASSERT_TRUE(b.handshake(65062, "10.0.0.62"));
    ASSERT_TRUE(b.announce({"10.62.0.0/24"}, "100.64.0.62", {65062}));
    ASSERT_TRUE(wait_until(
        [&] { return h.rs->lookup("10.61.0.0/24").has_value() && h.rs->lookup("10.62.0.0/24").has_value(); },
        3s));
    a.drain();

    const auto r = h.set({P("10.1.0.0/16"), P("10.2.0.0/16")});
    EXPECT_EQ(r.refreshed, 1U);
    EXPECT_EQ(r.reset, 1U);
    auto n = b.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 6);  // Cease / Other Configuration Change
    EXPECT_TRUE(b.await_close());
    // Its routes are withdrawn in the RIB and at the other peer; the other session stays up.
    EXPECT_FALSE(h.rs->lookup("10.62.0.0/24").has_value());
    EXPECT_TRUE(wait_until(
        [&] {
            a.receive(50ms);
            return a.has_withdrawn("10.62.0.0/24");
        },
        3s));
    EXPECT_TRUE(h.rs->lookup("10.61.0.0/24").has_value());
    EXPECT_EQ(h.rs->sessions_of(loopback(61)).at(0).established_count, 1U);

    // It reconnects at once (idle-hold is 60 s: a reset for a configuration change is not an error) and
    // gets the new address space in its initial table.
    RawPeer again;
    again.capabilities.route_refresh = false;
    ASSERT_TRUE(again.connect(loopback(62), loopback(1), h.port));
    ASSERT_TRUE(again.handshake(65062, "10.0.0.62"));
    ASSERT_TRUE(wait_until(
        [&] {
            again.receive(50ms);
            return again.has_announced("10.2.0.0/16") && again.has_announced("10.1.0.0/16");
        },
        3s));
    ASSERT_TRUE(again.announce({"10.62.0.0/24"}, "100.64.0.62", {65062}));
    EXPECT_TRUE(wait_until([&] { return h.rs->lookup("10.62.0.0/24").has_value(); }, 3s));
    const auto st = h.rs->sessions_of(loopback(62)).at(0);
    EXPECT_EQ(st.config_resets, 1U);
    EXPECT_EQ(st.established_count, 2U);
    ASSERT_TRUE(st.last_sent);
    EXPECT_EQ(st.last_sent->subcode, 6);
}

}  // namespace
}  // namespace rf::testing
