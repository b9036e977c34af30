// Graceful restart helper (RFC 4724, RFC 8538) with real NVAs: FRR bgpd (`bgp graceful-restart`,
// forwarding state preserved) and BIRD 2 (`graceful restart on`, restarted with -R) are killed with
// SIGKILL and started again; another NVA sees what the route server reflects meanwhile. Restart times
// are a few seconds so that the expiry cases run quickly; no assertion depends on how long anything took.
#include <gtest/gtest.h>

#include <algorithm>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/nva.hpp"
#include "tests/control/server/support/nva_suite.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

constexpr auto kSessionTimeout = 40s;
constexpr auto kRouteTimeout = 20s;
constexpr std::uint16_t kRestartTime = 30;  // long enough never to expire in the restart cases
constexpr std::uint16_t kShortRestart = 3;  // the expiry case

enum class Restarter { Frr, Bird };

bool contains_text(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

class GracefulRestartInterop : public ::testing::Test {
protected:
    // The route server at .41; the restarting NVA at .42 (AS 65042) with routes 10.42.1-3.0/24; BIRD at
    // .43 (AS 65043) as the other NVA, which receives them reflected.
    void start(Restarter kind, std::uint16_t restart_time, bool hard_admin_reset = true,
               bool long_lived = false) {
        if (frr_bgpd().empty() || bird_binary().empty()) {
            GTEST_SKIP() << "FRR and BIRD 2 needed (bash scripts/setup.sh installs them)";
        }
        rs_address_ = loopback(41);
        port_ = free_port(rs_address_);
        server::ServerConfig cfg = lab_server_config(41, port_);
        session::PeerSettings restarting;
        restarting.name = "restarting";
        restarting.address = *net::IpAddress::parse(loopback(42));
        restarting.asn = 65042;
        restarting.graceful_restart.stale_path_time = 20;
        restarting.graceful_restart.long_lived_stale_time = long_lived ? 3600 : 0;
        session::PeerSettings other;
        other.name = "other";
        other.address = *net::IpAddress::parse(loopback(43));
        other.asn = 65043;
        peers_ = {restarting, other};
        cfg_ = cfg;
        rs_ = std::make_unique<RsHarness>(cfg, peers_);
        ASSERT_FALSE(rs_->start_error());
        NvaSpec spec = nva_spec("gr-nva", loopback(42), 42, 65042, routes({1, 2, 3}), {rs_address_}, port_);
        spec.graceful_restart_time = restart_time;
        spec.hard_admin_reset = hard_admin_reset;
        spec.long_lived_stale_time = long_lived ? 600 : 0;
        nva_ = kind == Restarter::Frr ? make_frr(spec) : make_bird(spec);
        // FRR (it does not listen: -p 0): a second BIRD would bind the same BGP port as the first.
        other_ = make_frr(nva_spec("gr-other", loopback(43), 43, 65043, {}, {rs_address_}, port_));
        ASSERT_EQ(start_nvas({nva_.get(), other_.get()}, dir_), "");
        ASSERT_TRUE(
            wait_until([&] { return rs_->established(loopback(42)) && rs_->established(loopback(43)); },
                       kSessionTimeout, 200ms))
            << nva_->log();
        for (int i : {1, 2, 3}) {
            expect_route_at(other_.get(), prefix(i), true, kRouteTimeout);
        }
    }
    void TearDown() override { stop_nvas({nva_.get(), other_.get()}, rs_.get()); }

    static std::string prefix(int i) { return "10.42." + std::to_string(i) + ".0/24"; }
    static std::vector<NvaRoute> routes(const std::vector<int>& which) {
        std::vector<NvaRoute> out;
        for (int i : which) {
            out.push_back({prefix(i), "100.64.0.42", {}, {}, 0});
        }
        return out;
    }

    session::SessionStatus session() {
        const auto st = rs_->sessions_of(loopback(42));
        return st.empty() ? session::SessionStatus{} : st[0];
    }
    // The route's path from the restarting NVA in the RIB: absent, fresh or stale.
    enum class Path { Absent, Fresh, Stale };
    Path path(int i) {
        const auto e = rs_->lookup(prefix(i));
        if (!e || e->paths.empty()) {
            return Path::Absent;
        }
        return e->paths[0].stale ? Path::Stale : Path::Fresh;
    }
    server::GracefulRestartCounters counters() {
        return rs_->call([](server::RouteServer& s) { return s.graceful_restart_counters(); });
    }
    std::size_t stale_count() {
        const std::uint32_t id = session().rib_id;
        return rs_->call([id](server::RouteServer& s) { return s.rib().stale_count(id); });
    }

    // Kills the NVA (no NOTIFICATION) and waits until the route server has found its session down.
    void kill_nva() {
        nva_->kill();
        ASSERT_TRUE(wait_until([&] { return session().state != session::State::Established; },
                               kSessionTimeout, 100ms));
    }

    TempDir dir_{"rf-gr-interop"};
    server::ServerConfig cfg_;
    std::vector<session::PeerSettings> peers_;
    std::unique_ptr<RsHarness> rs_;
    std::unique_ptr<Nva> nva_;
    std::unique_ptr<Nva> other_;
    std::string rs_address_;
    std::uint16_t port_ = 0;
};

// Kill -9, routes kept (stale, still reflected); back with one route fewer and one new: End-of-RIB
// purges the one not announced again, the others are fresh.
TEST_F(GracefulRestartInterop, FrrKilledKeepsItsRoutesStaleUntilItsEndOfRib) {
    start(Restarter::Frr, kRestartTime);
    if (IsSkipped()) {
        return;
    }
    ASSERT_TRUE(session().graceful_restart.has_value());
    EXPECT_TRUE(session().graceful_restart->notification);  // FRR 8.4 sets the N bit
    const std::size_t learned =
        rs_->call([id = session().rib_id](server::RouteServer& s) { return s.rib().adj_rib_in(id).size(); });
    ASSERT_NO_FATAL_FAILURE(kill_nva());
    for (int i : {1, 2, 3}) {
        EXPECT_EQ(path(i), Path::Stale) << prefix(i);
        EXPECT_TRUE(other_->has_route(prefix(i))) << prefix(i);  // still reflected: no withdrawal
    }
    EXPECT_EQ(stale_count(), learned);  // every route of the session, 10.1.0.0/16 reflected back included
    EXPECT_EQ(counters().restarts, 1U);
    const auto gr =
        rs_->call([id = session().rib_id](server::RouteServer& s) { return s.graceful_restart(id); });
    EXPECT_EQ(gr.phase, server::GracefulRestartPhase::Restarting);

    nva_->set_routes(routes({1, 3, 4}));
    ASSERT_EQ(start_nvas({nva_.get()}, dir_), "");
    // Measured with FRR 8.4: after a restart it sends End-of-RIB first and its routes a second later
    // (its deferral timer ends with the End-of-RIB), so every stale route is purged at End-of-RIB and
    // the routes come back fresh just after; the other NVA sees them withdrawn and announced again.
    ASSERT_TRUE(wait_until([&] { return counters().end_of_ribs == 1; }, kSessionTimeout, 200ms))
        << nva_->log();
    EXPECT_EQ(stale_count(), 0U);
    EXPECT_TRUE(
        wait_until([&] { return path(1) == Path::Fresh && path(3) == Path::Fresh && path(4) == Path::Fresh; },
                   kRouteTimeout, 200ms));
    EXPECT_EQ(path(2), Path::Absent);
    expect_route_at(other_.get(), prefix(2), false, kRouteTimeout);
    expect_route_at(other_.get(), prefix(4), true, kRouteTimeout);
}

TEST_F(GracefulRestartInterop, BirdKilledKeepsItsRoutesStaleUntilItsEndOfRib) {
    start(Restarter::Bird, kRestartTime);
    if (IsSkipped()) {
        return;
    }
    ASSERT_TRUE(session().graceful_restart.has_value());
    ASSERT_NO_FATAL_FAILURE(kill_nva());
    for (int i : {1, 2, 3}) {
        EXPECT_EQ(path(i), Path::Stale) << prefix(i);
    }
    nva_->set_routes(routes({1, 3}));
    ASSERT_EQ(start_nvas({nva_.get()}, dir_), "");  // with -R: graceful recovery, F bit set
    ASSERT_TRUE(wait_until([&] { return path(2) == Path::Absent; }, kSessionTimeout, 200ms)) << nva_->log();
    EXPECT_EQ(path(1), Path::Fresh);
    EXPECT_EQ(path(3), Path::Fresh);
    expect_route_at(other_.get(), prefix(2), false, kRouteTimeout);
    EXPECT_TRUE(other_->has_route(prefix(1)));
    EXPECT_EQ(counters().end_of_ribs, 1U);
}

TEST_F(GracefulRestartInterop, RestartTimeExpiryWithdrawsTheStaleRoutes) {
    start(Restarter::Frr, kShortRestart);
    if (IsSkipped()) {
        return;
    }
    const std::size_t learned =
        rs_->call([id = session().rib_id](server::RouteServer& s) { return s.rib().adj_rib_in(id).size(); });
    ASSERT_NO_FATAL_FAILURE(kill_nva());
    EXPECT_EQ(path(1), Path::Stale);
    ASSERT_TRUE(wait_until([&] { return path(1) == Path::Absent; }, kRouteTimeout, 200ms));
    for (int i : {1, 2, 3}) {
        EXPECT_EQ(path(i), Path::Absent);
        expect_route_at(other_.get(), prefix(i), false, kRouteTimeout);
    }
    const auto c = counters();
    EXPECT_EQ(c.restart_expiries, 1U);
    EXPECT_EQ(c.purged_routes, learned);
}

// Long-lived graceful restart (RFC 9494) with FRR: killed, its routes are stale through its (short)
// Restart Time, then long-lived: LLGR_STALE attached, withdrawn from the other NVA (it did not negotiate
// LLGR), still in the RIB; FRR back and its End-of-RIB: fresh again and reflected again.
TEST_F(GracefulRestartInterop, FrrLongLivedKeepsItsRoutesWithLlgrStaleAfterTheRestartTime) {
    start(Restarter::Frr, kShortRestart, /*hard_admin_reset=*/true, /*long_lived=*/true);
    if (IsSkipped()) {
        return;
    }
    ASSERT_TRUE(session().graceful_restart.has_value());
    ASSERT_FALSE(session().graceful_restart->long_lived.empty()) << "FRR did not negotiate LLGR";
    const auto id = session().rib_id;
    ASSERT_NO_FATAL_FAILURE(kill_nva());
    const auto phase = [&] {
        return rs_->call([id](server::RouteServer& s) { return s.graceful_restart(id).phase; });
    };
    ASSERT_TRUE(
        wait_until([&] { return phase() == server::GracefulRestartPhase::LongLived; }, kRouteTimeout, 200ms));
    for (int i : {1, 2, 3}) {
        EXPECT_EQ(path(i), Path::Stale) << prefix(i);
        const auto e = rs_->lookup(prefix(i));
        ASSERT_TRUE(e.has_value());
        const auto& c = e->paths.at(0).attributes.communities;
        EXPECT_NE(std::find(c.begin(), c.end(), bgp::community::LlgrStale), c.end()) << prefix(i);
        expect_route_at(other_.get(), prefix(i), false, kRouteTimeout);
    }
    EXPECT_EQ(counters().long_lived, 1U);
    EXPECT_EQ(counters().restart_expiries, 0U);

    ASSERT_EQ(start_nvas({nva_.get()}, dir_), "");
    ASSERT_TRUE(wait_until([&] { return counters().end_of_ribs == 1; }, kSessionTimeout, 200ms))
        << nva_->log();
    EXPECT_TRUE(
        wait_until([&] { return path(1) == Path::Fresh && path(2) == Path::Fresh && path(3) == Path::Fresh; },
                   kRouteTimeout, 200ms));
    expect_route_at(other_.get(), prefix(1), true, kRouteTimeout);
}

TEST_F(GracefulRestartInterop, NotificationWithTheNBitKeepsTheRoutes) {
    start(Restarter::Frr, kRestartTime, /*hard_admin_reset=*/false);
    if (IsSkipped()) {
        return;
    }
    const auto before = session().established_count;
    nva_->command("clear bgp " + rs_address_);  // Cease / Administrative Reset, N bit negotiated
    ASSERT_TRUE(wait_until([&] { return counters().restarts == 1; }, kRouteTimeout, 100ms)) << nva_->log();
    ASSERT_TRUE(wait_until([&] { return session().established_count > before && stale_count() == 0; },
                           kSessionTimeout, 200ms));
    const auto c = counters();
    EXPECT_EQ(c.hard_resets, 0U);
    EXPECT_EQ(c.end_of_ribs, 1U);
    EXPECT_EQ(c.purged_routes, 0U);
    ASSERT_TRUE(session().last_received.has_value());
    EXPECT_EQ(session().last_received->subcode,
              static_cast<std::uint8_t>(bgp::CeaseSubcode::AdministrativeReset));
    for (int i : {1, 2, 3}) {
        EXPECT_EQ(path(i), Path::Fresh);
    }
}

TEST_F(GracefulRestartInterop, HardResetEitherWayWithdrawsTheRoutes) {
    start(Restarter::Frr, kRestartTime, /*hard_admin_reset=*/true);
    if (IsSkipped()) {
        return;
    }
    // From FRR: its `clear bgp` sends Cease / Hard Reset (bgp hard-administrative-reset).
    nva_->command("clear bgp " + rs_address_);
    ASSERT_TRUE(wait_until([&] { return counters().hard_resets == 1; }, kRouteTimeout, 100ms)) << nva_->log();
    EXPECT_EQ(counters().restarts, 0U);
    ASSERT_TRUE(session().last_received.has_value());
    EXPECT_EQ(session().last_received->subcode, static_cast<std::uint8_t>(bgp::CeaseSubcode::HardReset));
    ASSERT_TRUE(wait_until([&] { return rs_->established(loopback(42)) && path(1) == Path::Fresh; },
                           kSessionTimeout, 200ms));
    // From us: the operator's reset goes out as Hard Reset around Administrative Reset (RFC 8538 §5).
    const auto r = rs_->call([](server::RouteServer& s) { return s.reset_peer("restarting", "test"); });
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->reset, 1U);
    const auto st = session();
    EXPECT_EQ(st.hard_resets_sent, 1U);
    ASSERT_TRUE(st.last_sent.has_value());
    EXPECT_EQ(st.last_sent->subcode, static_cast<std::uint8_t>(bgp::CeaseSubcode::HardReset));
    ASSERT_GE(st.last_sent->data.size(), 2U);
    EXPECT_EQ(st.last_sent->data[0], static_cast<std::uint8_t>(bgp::ErrorCode::Cease));
    EXPECT_EQ(st.last_sent->data[1], static_cast<std::uint8_t>(bgp::CeaseSubcode::AdministrativeReset));
    const auto c = counters();
    EXPECT_EQ(c.restarts, 0U);
    EXPECT_EQ(c.hard_resets, 2U);
}

TEST_F(GracefulRestartInterop, RoutefabricdRestartWithFrrAsHelper) {
    start(Restarter::Frr, kRestartTime);
    if (IsSkipped()) {
        return;
    }
    expect_route_at(nva_.get(), "10.1.0.0/16", true, kRouteTimeout);  // our VNet address space
    rs_->crash();  // no NOTIFICATION: FRR, a helper, keeps our routes
    ASSERT_TRUE(wait_until(
        [&] {
            return !contains_text(nva_->command("show bgp neighbors " + rs_address_),
                                  "BGP state = Established");
        },
        kSessionTimeout, 200ms));
    EXPECT_TRUE(nva_->has_route("10.1.0.0/16")) << nva_->show_route("10.1.0.0/16");
    // Back with the R bit: FRR sends its routes and End-of-RIB; we advertise only then.
    server::ServerConfig cfg = cfg_;
    cfg.restarting = true;
    rs_.reset();  // the crashed process is gone: its sockets too
    rs_ = std::make_unique<RsHarness>(cfg, peers_);
    ASSERT_FALSE(rs_->start_error()) << *rs_->start_error() << "\n" << run_capture({"/usr/bin/ss", "-tan"});
    ASSERT_TRUE(wait_until([&] { return !rs_->call([](server::RouteServer& s) { return s.deferring(); }); },
                           kSessionTimeout, 200ms))
        << nva_->log();
    const auto logs = rs_->log_lines();
    EXPECT_TRUE(std::any_of(logs.begin(), logs.end(), [](const std::string& l) {
        return l.find("restart complete (every peer sent End-of-RIB)") != std::string::npos;
    }));
    EXPECT_EQ(path(1), Path::Fresh);
    expect_route_at(nva_.get(), "10.1.0.0/16", true, kRouteTimeout);
    expect_route_at(other_.get(), prefix(1), true, kRouteTimeout);
}

}  // namespace
}  // namespace rf::testing
