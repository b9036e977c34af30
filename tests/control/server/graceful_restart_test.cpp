// Graceful restart in the in-process route server with scripted raw peers: the helper's decisions on
// a peer's new OPEN (no F bit: purged at once) and on NOTIFICATIONs (the N bit), and the restarting
// speaker's side (RFC 4724 §4.1): R bit, nothing advertised until every peer sent End-of-RIB or the
// selection deferral time passed, then the whole table and End-of-RIB to everyone.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

const bgp::AfiSafi kV4{net::Afi::Ipv4, net::Safi::Unicast};

struct Harness {
    std::uint16_t port = free_port(loopback(1));
    std::unique_ptr<RsHarness> rs;
    explicit Harness(bool restarting, std::uint16_t deferral = 60) {
        server::ServerConfig cfg = lab_server_config(1, port);
        cfg.restarting = restarting;
        cfg.selection_deferral_time = deferral;
        rs = std::make_unique<RsHarness>(
            cfg, std::vector<session::PeerSettings>{loopback_peer(2), loopback_peer(3)});
    }
    // Connects `p` as host `h`; with graceful restart when `gr` (F bit as `forwarding`, N bit as `n`).
    bool connect(RawPeer& p, int h, bool gr, bool forwarding = true, bool n = true) {
        if (gr) {
            p.capabilities.graceful_restart = bgp::GracefulRestart{false, n, 30, {{kV4, forwarding}}};
        }
        return p.connect(loopback(h), loopback(1), port) &&
               p.handshake(static_cast<std::uint32_t>(65000 + h), "10.0.0." + std::to_string(h));
    }
    // The peer's session waits out its idle-hold after the loss (2 s in the lab config): retry, bounded.
    bool reconnect(std::unique_ptr<RawPeer>& p, int h, bool forwarding) {
        return wait_until(
            [&] {
                p = std::make_unique<RawPeer>();
                return connect(*p, h, true, forwarding);
            },
            10s, 200ms);
    }
    std::uint32_t rib_id(int h) {
        const auto st = rs->sessions_of(loopback(h));
        return st.empty() ? 0 : st[0].rib_id;
    }
    std::size_t stale(int h) {
        const auto id = rib_id(h);
        return rs->call([&](server::RouteServer& s) { return s.rib().stale_count(id); });
    }
    server::GracefulRestartCounters counters() {
        return rs->call([](server::RouteServer& s) { return s.graceful_restart_counters(); });
    }
};

std::vector<std::uint8_t> end_of_rib() {
    std::vector<std::uint8_t> out;
    bgp::encode_end_of_rib(kV4, out);
    return out;
}

std::vector<std::uint8_t> notification(bgp::CeaseSubcode sub) {
    std::vector<std::uint8_t> out;
    bgp::encode_notification(
        bgp::Notification{
            static_cast<std::uint8_t>(bgp::ErrorCode::Cease), static_cast<std::uint8_t>(sub), {}},
        out);
    return out;
}

// Peer 2 announces 10.52.0.0/16 and goes away as `leave` says; the route is then kept (stale) or not.
void announce_then(Harness& h, RawPeer& p, const std::function<void(RawPeer&)>& leave) {
    ASSERT_TRUE(p.announce({"10.52.0.0/16"}, "100.64.0.2", {65002}));
    ASSERT_TRUE(wait_until([&] { return h.rs->lookup("10.52.0.0/16").has_value(); }, 5s));
    leave(p);
    ASSERT_TRUE(wait_until([&] { return !h.rs->established(loopback(2)); }, 5s));
}

TEST(GracefulRestartHelper, BackWithoutTheForwardingBitPurgesAtOnce) {
    Harness h(false);
    RawPeer p;
    ASSERT_TRUE(h.connect(p, 2, true));
    announce_then(h, p, [](RawPeer& r) { r.close(); });
    EXPECT_EQ(h.stale(2), 1U);
    std::unique_ptr<RawPeer> again;
    ASSERT_TRUE(h.reconnect(again, 2, /*forwarding=*/false));
    EXPECT_TRUE(wait_until([&] { return !h.rs->lookup("10.52.0.0/16").has_value(); }, 5s));
    EXPECT_EQ(h.counters().purged_routes, 1U);
}

TEST(GracefulRestartHelper, BackWithTheForwardingBitKeepsThemUntilEndOfRib) {
    Harness h(false);
    RawPeer p;
    ASSERT_TRUE(h.connect(p, 2, true));
    announce_then(h, p, [](RawPeer& r) { r.close(); });
    std::unique_ptr<RawPeer> again;
    ASSERT_TRUE(h.reconnect(again, 2, /*forwarding=*/true));
    ASSERT_TRUE(wait_until([&] { return h.rs->established(loopback(2)); }, 5s));
    EXPECT_EQ(h.stale(2), 1U);
    EXPECT_TRUE(h.rs->lookup("10.52.0.0/16").has_value());
    ASSERT_TRUE(again->send(end_of_rib()));
    EXPECT_TRUE(wait_until([&] { return !h.rs->lookup("10.52.0.0/16").has_value(); }, 5s));
    EXPECT_EQ(h.counters().end_of_ribs, 1U);
}

TEST(GracefulRestartHelper, ANotificationKeepsTheRoutesOnlyWithTheNBit) {
    Harness h(false);
    {
        RawPeer p;
        ASSERT_TRUE(h.connect(p, 2, true, true, /*n=*/true));
        announce_then(h, p, [](RawPeer& r) { r.send(notification(bgp::CeaseSubcode::AdministrativeReset)); });
        EXPECT_EQ(h.stale(2), 1U);
        EXPECT_EQ(h.counters().restarts, 1U);
    }
    {
        RawPeer p;
        ASSERT_TRUE(h.connect(p, 3, true, true, /*n=*/false));
        ASSERT_TRUE(p.announce({"10.53.0.0/16"}, "100.64.0.3", {65003}));
        ASSERT_TRUE(wait_until([&] { return h.rs->lookup("10.53.0.0/16").has_value(); }, 5s));
        ASSERT_TRUE(p.send(notification(bgp::CeaseSubcode::AdministrativeReset)));
        EXPECT_TRUE(wait_until([&] { return !h.rs->lookup("10.53.0.0/16").has_value(); }, 5s));
        EXPECT_EQ(h.counters().restarts, 1U);  // only peer 2's
    }
}

TEST(GracefulRestartHelper, WithoutTheCapabilityTheRoutesGoAtOnce) {
    Harness h(false);
    RawPeer p;
    ASSERT_TRUE(h.connect(p, 2, false));
    announce_then(h, p, [](RawPeer& r) { r.close(); });
    EXPECT_TRUE(wait_until([&] { return !h.rs->lookup("10.52.0.0/16").has_value(); }, 5s));
    EXPECT_EQ(h.counters().restarts, 0U);
}

// Long-lived graceful restart (RFC 9494) with a peer that offers only LLGR for its routes (a Restart
// Time of 0): at its loss they go long-lived stale at once — LLGR_STALE attached, NO_LLGR ones withdrawn —
// and the helper's phase is long-lived; back with End-of-RIB, the stale ones not announced again go.
TEST(GracefulRestartHelper, OnlyLongLivedNegotiatedKeepsTheRoutesWithLlgrStaleAtOnce) {
    const std::uint16_t port = free_port(loopback(1));
    session::PeerSettings llgr = loopback_peer(2);
    llgr.graceful_restart.long_lived_stale_time = 3600;
    RsHarness rs(lab_server_config(1, port), {llgr, loopback_peer(3)});
    const auto connect = [&](RawPeer& p) {
        p.capabilities.graceful_restart = bgp::GracefulRestart{false, true, 0, {{kV4, true}}};
        p.capabilities.long_lived_graceful_restart = bgp::LongLivedGracefulRestart{{{kV4, true, 600}}};
        return p.connect(loopback(2), loopback(1), port) && p.handshake(65002, "10.0.0.2");
    };
    RawPeer p;
    ASSERT_TRUE(connect(p));
    ASSERT_TRUE(p.announce({"10.52.0.0/16"}, "100.64.0.2", {65002}));
    ASSERT_TRUE(p.announce({"10.53.0.0/16"}, "100.64.0.2", {65002}, {bgp::community::NoLlgr}));
    ASSERT_TRUE(wait_until([&] { return rs.lookup("10.53.0.0/16").has_value(); }, 5s));
    const auto st = rs.sessions_of(loopback(2));
    ASSERT_FALSE(st.empty());
    ASSERT_TRUE(st[0].graceful_restart.has_value());
    ASSERT_EQ(st[0].graceful_restart->long_lived.size(), 1U);  // negotiated: both sent LLGR and GR
    const auto id = st[0].rib_id;
    p.close();
    ASSERT_TRUE(wait_until([&] { return !rs.established(loopback(2)); }, 5s));
    ASSERT_TRUE(wait_until([&] { return !rs.lookup("10.53.0.0/16").has_value(); }, 5s));  // NO_LLGR
    const auto e = rs.lookup("10.52.0.0/16");
    ASSERT_TRUE(e.has_value());
    const auto& c = e->paths.at(0).attributes.communities;
    EXPECT_NE(std::find(c.begin(), c.end(), bgp::community::LlgrStale), c.end());
    EXPECT_TRUE(e->paths[0].stale);
    const auto gr = rs.call([&](server::RouteServer& s) { return s.graceful_restart(id); });
    EXPECT_EQ(gr.phase, server::GracefulRestartPhase::LongLived);
    EXPECT_EQ(rs.call([](server::RouteServer& s) { return s.graceful_restart_counters().long_lived; }), 1U);

    std::unique_ptr<RawPeer> again;
    ASSERT_TRUE(wait_until(
        [&] {
            again = std::make_unique<RawPeer>();
            return connect(*again);
        },
        10s, 200ms));
    ASSERT_TRUE(wait_until([&] { return rs.established(loopback(2)); }, 5s));
    EXPECT_TRUE(rs.lookup("10.52.0.0/16").has_value());  // F bit: waits for End-of-RIB
    ASSERT_TRUE(again->send(end_of_rib()));
    EXPECT_TRUE(wait_until([&] { return !rs.lookup("10.52.0.0/16").has_value(); }, 5s));
}

// GR then LLGR: the routes are stale through the peer's Restart Time (1 s here), then go long-lived
// with LLGR_STALE; the peer sent GR for its routes, so they are not long-lived before that.
TEST(GracefulRestartHelper, AfterTheRestartTimeTheRoutesGoLongLived) {
    const std::uint16_t port = free_port(loopback(1));
    session::PeerSettings llgr = loopback_peer(2);
    llgr.graceful_restart.long_lived_stale_time = 3600;
    RsHarness rs(lab_server_config(1, port), {llgr, loopback_peer(3)});
    RawPeer p;
    p.capabilities.graceful_restart = bgp::GracefulRestart{false, true, 1, {{kV4, true}}};
    p.capabilities.long_lived_graceful_restart = bgp::LongLivedGracefulRestart{{{kV4, false, 600}}};
    ASSERT_TRUE(p.connect(loopback(2), loopback(1), port) && p.handshake(65002, "10.0.0.2"));
    ASSERT_TRUE(p.announce({"10.52.0.0/16"}, "100.64.0.2", {65002}));
    ASSERT_TRUE(wait_until([&] { return rs.lookup("10.52.0.0/16").has_value(); }, 5s));
    const auto id = rs.sessions_of(loopback(2)).at(0).rib_id;
    const auto phase = [&] {
        return rs.call([&](server::RouteServer& s) { return s.graceful_restart(id).phase; });
    };
    p.close();
    ASSERT_TRUE(wait_until([&] { return !rs.established(loopback(2)); }, 5s));
    ASSERT_TRUE(wait_until([&] { return phase() == server::GracefulRestartPhase::LongLived; }, 10s));
    const auto e = rs.lookup("10.52.0.0/16");
    ASSERT_TRUE(e.has_value());
    const auto& c = e->paths.at(0).attributes.communities;
    EXPECT_NE(std::find(c.begin(), c.end(), bgp::community::LlgrStale), c.end());
    EXPECT_EQ(rs.call([](server::RouteServer& s) { return s.graceful_restart_counters().restart_expiries; }),
              0U);  // not expired: it went on long-lived
}

TEST(RestartingSpeaker, TablesWaitForEveryPeersEndOfRibThenGoOutWithEndOfRib) {
    Harness h(true);
    ASSERT_FALSE(h.rs->start_error());
    RawPeer a;
    RawPeer b;
    ASSERT_TRUE(h.connect(a, 2, true));
    ASSERT_TRUE(a.remote_open.capabilities.graceful_restart);
    EXPECT_TRUE(a.remote_open.capabilities.graceful_restart->restart_state);  // R bit
    EXPECT_FALSE(a.remote_open.capabilities.graceful_restart->families[0].forwarding_preserved);
    ASSERT_TRUE(h.connect(b, 3, false));  // no capability: not waited for
    ASSERT_TRUE(a.announce({"10.52.0.0/16"}, "100.64.0.2", {65002}));
    a.drain();
    b.drain();
    EXPECT_EQ(a.update_messages, 0U);  // deferred: not even the VNet address space
    EXPECT_EQ(b.update_messages, 0U);
    EXPECT_TRUE(h.rs->call([](server::RouteServer& s) { return s.deferring(); }));
    ASSERT_TRUE(a.send(end_of_rib()));
    EXPECT_TRUE(wait_until(
        [&] {
            b.receive(100ms);
            return b.has_announced("10.52.0.0/16") && b.has_announced("10.1.0.0/16");
        },
        5s));
    EXPECT_TRUE(wait_until(
        [&] {
            a.receive(100ms);
            return a.has_announced("10.1.0.0/16");
        },
        5s));
    EXPECT_FALSE(h.rs->call([](server::RouteServer& s) { return s.deferring(); }));
    // End-of-RIB closes each table (an UPDATE with nothing in it).
    b.drain();
    ASSERT_FALSE(b.updates.empty());
    EXPECT_TRUE(b.updates.back().is_end_of_rib());
}

TEST(RestartingSpeaker, TheSelectionDeferralTimeReleasesTheTables) {
    Harness h(true, /*deferral=*/1);
    RawPeer a;
    ASSERT_TRUE(h.connect(a, 2, true));  // never sends End-of-RIB; peer 3 never comes
    EXPECT_TRUE(wait_until(
        [&] {
            a.receive(100ms);
            return a.has_announced("10.1.0.0/16");
        },
        10s));
    // Logged just after the tables went out.
    EXPECT_TRUE(wait_until(
        [&] {
            const auto logs = h.rs->log_lines();
            return std::any_of(logs.begin(), logs.end(), [](const std::string& l) {
                return l.find("selection deferral time (1 s) expired") != std::string::npos;
            });
        },
        5s));
}

}  // namespace
}  // namespace rf::testing
