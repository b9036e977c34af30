// Interop with real BGP daemons as NVAs: FRR, BIRD 2, GoBGP and ExaBGP, each started with a generated
// config on its own 127.x address, against the in-process route server (whose RIB query API shows the
// ECMP sets). Bounded polling only; no fixed sleeps.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <set>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/nva.hpp"
#include "tests/control/server/support/nva_suite.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

constexpr auto kSessionTimeout = 40s;
constexpr auto kRouteTimeout = 20s;

std::set<std::string> distinct_next_hops(const rib::LocRibEntry& e) {
    std::set<std::string> out;
    for (std::size_t i = 0; i < e.ecmp_count && i < e.paths.size(); ++i) {
        for (const auto& nh : e.paths[i].next_hops) {
            out.insert(nh.to_string());
        }
    }
    return out;
}

class Interop : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (frr_bgpd().empty() || bird_binary().empty() || gobgpd_binary().empty() ||
            exabgp_binary().empty()) {
            skip_ = "FRR, BIRD 2, GoBGP or ExaBGP not installed (bash scripts/setup.sh installs them)";
            return;
        }
        dir_ = new TempDir("rf-interop");
        rs1_ = loopback(1);
        rs2_ = loopback(2);
        port_ = free_port(rs1_);
        gobgp_port_ = free_port(loopback(13));

        server::ServerConfig cfg = lab_server_config(1, port_);
        cfg.listen_addresses.push_back(*net::IpAddress::parse(rs2_));  // the second instance
        auto peer = [](const char* name, int host, std::uint32_t asn) {
            session::PeerSettings p;
            p.name = name;
            p.address = *net::IpAddress::parse(loopback(host));
            p.asn = asn;
            return p;
        };
        std::vector<session::PeerSettings> peers;
        peers.push_back(peer("frr", 11, 65011));
        auto bird = peer("bird", 12, 65012);
        bird.hold_time = 3;  // the SIGSTOP test waits for hold expiry
        peers.push_back(bird);
        auto gobgp = peer("gobgp", 13, 65013);
        gobgp.mode = session::PeerMode::Active;  // the route server connects to GoBGP
        gobgp.port = gobgp_port_;
        gobgp.route_limit = 5;
        gobgp.add_path = bgp::AddPathMode::Both;  // RFC 7911 both ways with GoBGP
        peers.push_back(gobgp);
        peers.push_back(peer("exabgp", 14, 65014));
        auto frr_md5 = peer("frr-md5", 15, 65015);
        frr_md5.md5_password = "rf-secret";
        frr_md5.add_path = bgp::AddPathMode::Both;  // RFC 7911 with FRR too
        peers.push_back(frr_md5);
        rs_ = new RsHarness(cfg, peers);
        if (rs_->start_error()) {
            skip_ = "route server did not start: " + *rs_->start_error();
            return;
        }
        md5_unsupported_ = rs_->call([](server::RouteServer& s) { return s.md5_unsupported(); });

        auto spec = [&](const char* name, int host, std::uint32_t asn, std::vector<NvaRoute> routes,
                        std::vector<std::string> rs) {
            return nva_spec(name, loopback(host), host, asn, std::move(routes), std::move(rs), port_);
        };
        // FRR peers with both route-server instances (the Azure normal case).
        frr_ = make_frr(spec("frr", 11, 65011,
                             {{"10.11.0.0/24", "100.64.0.11", {"65011:1"}, {"65011:1:1"}, 0},
                              {"10.99.0.0/24", "100.64.0.11", {}, {}, 0}},
                             {rs1_, rs2_}))
                   .release();
        bird_ = make_bird(spec("bird", 12, 65012,
                               {{"10.12.0.0/24", "100.64.0.12", {"65012:12"}, {}, 0},
                                {"10.99.0.0/24", "100.64.0.12", {}, {}, 0},
                                {"10.98.0.0/24", "100.64.0.12", {}, {}, 0}},
                               {rs1_}))
                    .release();
        auto g = spec("gobgp", 13, 65013,
                      {{"10.13.0.0/24", "100.64.0.13", {"65013:7"}, {"65013:7:7"}, 0},
                       {"10.98.0.0/24", "100.64.0.13", {}, {}, 1}},  // longer AS path: BIRD's wins
                      {rs1_});
        g.listen_port = gobgp_port_;
        g.add_path_tx = true;  // GoBGP: send-max 8, receive
        gobgp_ = new GobgpNva(g);
        exabgp_ = make_exabgp(spec("exabgp", 14, 65014,
                                   {{"10.14.0.0/24", "100.64.0.14", {"65014:14"}, {}, 0}}, {rs1_}))
                      .release();
        auto m = spec("frr-md5", 15, 65015, {{"10.15.0.0/24", "100.64.0.15", {}, {}, 0}}, {rs1_});
        m.md5_password = "rf-secret";
        m.add_path_tx = true;  // FRR: addpath-tx-all-paths (it advertises receive by default)
        frr_md5_ = make_frr(m).release();

        skip_ = start_nvas(all(), *dir_);
    }

    static void TearDownTestSuite() {
        stop_nvas(all(), rs_);
        delete frr_;
        delete bird_;
        delete gobgp_;
        delete exabgp_;
        delete frr_md5_;
        delete rs_;
        delete dir_;
        frr_ = bird_ = exabgp_ = frr_md5_ = nullptr;
        gobgp_ = nullptr;
        rs_ = nullptr;
        dir_ = nullptr;
    }

    void SetUp() override {
        if (!skip_.empty()) {
            GTEST_SKIP() << skip_;
        }
    }

    static std::vector<Nva*> all() { return {frr_, bird_, gobgp_, exabgp_, frr_md5_}; }
    static std::vector<Nva*> nvas() { return {frr_, bird_, gobgp_, exabgp_}; }

    static bool all_up() {
        return rs_->established(loopback(11), 2) && rs_->established(loopback(12)) &&
               rs_->established(loopback(13)) && rs_->established(loopback(14));
    }

    static void expect_route_at(Nva* n, const std::string& prefix, bool present = true) {
        testing::expect_route_at(n, prefix, present, kRouteTimeout);
    }

    static inline std::string skip_;
    static inline TempDir* dir_ = nullptr;
    static inline RsHarness* rs_ = nullptr;
    static inline Nva* frr_ = nullptr;
    static inline Nva* bird_ = nullptr;
    static inline GobgpNva* gobgp_ = nullptr;
    static inline Nva* exabgp_ = nullptr;
    static inline Nva* frr_md5_ = nullptr;
    static inline std::string rs1_, rs2_;
    static inline std::uint16_t port_ = 0;
    static inline std::uint16_t gobgp_port_ = 0;
    static inline bool md5_unsupported_ = false;
};

TEST_F(Interop, SessionsComeUpWithEveryNva) {
    if (!wait_until(all_up, kSessionTimeout, 200ms)) {
        skip_ = "sessions did not come up (see SessionsComeUpWithEveryNva)";
        for (const auto& s : rs_->call([](server::RouteServer& r) { return r.sessions(); })) {
            ADD_FAILURE() << s.peer << " via " << s.local_address.to_string() << ": "
                          << session::state_name(s.state) << " (" << session::reason_name(s.last_reason)
                          << ")";
        }
        FAIL() << "not every NVA session reached Established";
    }
    // FRR peers with both listen addresses: one session per route-server instance.
    EXPECT_EQ(rs_->sessions_of(loopback(11)).size(), 2U);
}

TEST_F(Interop, RoutesAreLearnedFromEveryNva) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    for (const char* p : {"10.11.0.0/24", "10.12.0.0/24", "10.13.0.0/24", "10.14.0.0/24"}) {
        EXPECT_TRUE(wait_until([&] { return rs_->lookup(p).has_value(); }, kRouteTimeout, 100ms)) << p;
    }
    auto e = rs_->lookup("10.13.0.0/24");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->paths.at(0).next_hops.at(0).to_string(), "100.64.0.13");  // next hop kept as advertised
}

TEST_F(Interop, RoutesAreReflectedToTheOtherNvas) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    expect_route_at(frr_, "10.12.0.0/24");
    expect_route_at(frr_, "10.13.0.0/24");
    expect_route_at(frr_, "10.14.0.0/24");
    expect_route_at(bird_, "10.11.0.0/24");
    expect_route_at(bird_, "10.13.0.0/24");
    expect_route_at(bird_, "10.14.0.0/24");
    expect_route_at(gobgp_, "10.11.0.0/24");
    expect_route_at(gobgp_, "10.12.0.0/24");
    expect_route_at(gobgp_, "10.14.0.0/24");
    expect_route_at(exabgp_, "10.11.0.0/24");
    expect_route_at(exabgp_, "10.12.0.0/24");
    expect_route_at(exabgp_, "10.13.0.0/24");
}

TEST_F(Interop, EqualPathsFormAnEcmpSetAndAShorterPathWinsAlone) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    // 10.99.0.0/24 from FRR and BIRD, both AS-path length 1: ECMP over both next hops.
    ASSERT_TRUE(wait_until(
        [] {
            auto e = rs_->lookup("10.99.0.0/24");
            return e && distinct_next_hops(*e).size() == 2;
        },
        kRouteTimeout, 100ms));
    auto e = rs_->lookup("10.99.0.0/24");
    EXPECT_EQ(distinct_next_hops(*e), (std::set<std::string>{"100.64.0.11", "100.64.0.12"}));
    // 10.98.0.0/24 from BIRD (length 1) and GoBGP (length 2): BIRD's alone, decided by AS-path length.
    ASSERT_TRUE(wait_until(
        [] {
            auto x = rs_->lookup("10.98.0.0/24");
            return x && x->paths.size() == 2;
        },
        kRouteTimeout, 100ms));
    auto s = rs_->lookup("10.98.0.0/24");
    EXPECT_EQ(s->ecmp_count, 1U);
    EXPECT_EQ(distinct_next_hops(*s), (std::set<std::string>{"100.64.0.12"}));
    EXPECT_EQ(s->decided_by, rib::DecisionStep::AsPathLength);
}

// ADD-PATH (RFC 7911) with GoBGP: negotiated both ways, so GoBGP receives every path of the ECMP set of
// 10.99.0.0/24 (FRR's and BIRD's), each with its own path id, where a peer without ADD-PATH gets one.
TEST_F(Interop, AddPathPeerReceivesEveryPathOfTheEcmpSet) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    const auto st = rs_->sessions_of(loopback(13)).at(0);
    const std::vector<bgp::AfiSafi> v4{{net::Afi::Ipv4, net::Safi::Unicast}};
    EXPECT_EQ(st.add_path_send, v4);
    EXPECT_EQ(st.add_path_receive, v4);
    EXPECT_TRUE(rs_->sessions_of(loopback(12)).at(0).add_path_send.empty());
    std::string out;
    EXPECT_TRUE(shows_next_hops(*gobgp_, "10.99.0.0/24", {"100.64.0.11", "100.64.0.12"}, kRouteTimeout, &out))
        << out;
    // GoBGP's own routes arrive through ADD-PATH receive like any other.
    EXPECT_TRUE(wait_until([] { return rs_->lookup("10.13.0.0/24").has_value(); }, kRouteTimeout, 100ms));
}

// ADD-PATH with FRR (the MD5 peer, which peers with one instance): both sides negotiate send and
// receive for IPv4 unicast, and FRR receives both paths of the ECMP set of 10.99.0.0/24.
TEST_F(Interop, AddPathWithFrrDeliversBothPathsOfTheEcmpSet) {
    if (md5_unsupported_) {
        GTEST_SKIP() << "the FRR ADD-PATH peer is the TCP-MD5 one, and TCP_MD5SIG is refused here";
    }
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    ASSERT_TRUE(wait_until([] { return rs_->established(loopback(15)); }, kSessionTimeout, 200ms));
    const auto st = rs_->sessions_of(loopback(15)).at(0);
    const std::vector<bgp::AfiSafi> v4{{net::Afi::Ipv4, net::Safi::Unicast}};
    EXPECT_EQ(st.add_path_send, v4);
    EXPECT_EQ(st.add_path_receive, v4);
    std::string out;
    EXPECT_TRUE(
        shows_next_hops(*frr_md5_, "10.99.0.0/24", {"100.64.0.11", "100.64.0.12"}, kRouteTimeout, &out))
        << out;
}

TEST_F(Interop, CommunitiesArriveIntactAtTheOtherNvas) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    expect_route_at(gobgp_, "10.11.0.0/24");
    const auto at_gobgp = gobgp_->show_route("10.11.0.0/24");
    EXPECT_NE(at_gobgp.find("65011:1"), std::string::npos) << at_gobgp;
    EXPECT_NE(at_gobgp.find("65011:1:1"), std::string::npos) << at_gobgp;
    expect_route_at(frr_, "10.13.0.0/24");
    const auto at_frr = frr_->show_route("10.13.0.0/24");
    EXPECT_NE(at_frr.find("65013:7"), std::string::npos) << at_frr;
    EXPECT_NE(at_frr.find("65013:7:7"), std::string::npos) << at_frr;
    expect_route_at(bird_, "10.14.0.0/24");
    const auto at_bird = bird_->show_route("10.14.0.0/24");
    EXPECT_NE(at_bird.find("(65014,14)"), std::string::npos) << at_bird;
    expect_route_at(exabgp_, "10.12.0.0/24");
    EXPECT_NE(exabgp_->show_route("10.12.0.0/24").find("65012, 12"), std::string::npos)
        << exabgp_->show_route("10.12.0.0/24");
}

TEST_F(Interop, VnetAddressSpaceArrivesAtEveryNva) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    for (Nva* n : nvas()) {
        expect_route_at(n, "10.1.0.0/16");
    }
    EXPECT_NE(gobgp_->show_route("10.1.0.0/16").find("100.64.0.1"), std::string::npos);
}

TEST_F(Interop, Md5SessionWithFrr) {
    if (md5_unsupported_) {
        GTEST_SKIP() << "TCP_MD5SIG refused with EPERM (needs CAP_NET_ADMIN): TCP-MD5 not testable here";
    }
    ASSERT_TRUE(wait_until([] { return rs_->established(loopback(15)); }, kSessionTimeout, 200ms));
    EXPECT_TRUE(wait_until([] { return rs_->lookup("10.15.0.0/24").has_value(); }, kRouteTimeout, 100ms));
}

TEST_F(Interop, RouteLimitTripsWithCeaseAndTheSessionComesBack) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    ASSERT_TRUE(wait_until([] { return rs_->lookup("10.13.0.0/24").has_value(); }, kRouteTimeout, 100ms));
    expect_route_at(frr_, "10.13.0.0/24");
    // GoBGP holds 2 routes; limit 5. Four more make 6.
    for (int i = 1; i <= 4; ++i) {
        ASSERT_TRUE(gobgp_->add_route({"10.13." + std::to_string(i) + ".0/24", "100.64.0.13", {}, {}, 0}));
    }
    ASSERT_TRUE(wait_until(
        [] {
            auto s = rs_->sessions_of(loopback(13));
            return !s.empty() && s[0].route_limit_trips > 0;
        },
        kRouteTimeout, 100ms));
    auto st = rs_->sessions_of(loopback(13)).at(0);
    ASSERT_TRUE(st.last_sent);
    EXPECT_EQ(st.last_sent->code, 6);
    EXPECT_EQ(st.last_sent->subcode, 1);  // Cease / Maximum Number of Prefixes Reached
    // Its routes are withdrawn everywhere.
    EXPECT_FALSE(rs_->lookup("10.13.0.0/24").has_value());
    expect_route_at(frr_, "10.13.0.0/24", false);
    expect_route_at(bird_, "10.13.0.0/24", false);
    // Back under the limit, the session returns after idle-hold with its routes.
    for (int i = 1; i <= 4; ++i) {
        gobgp_->del_route("10.13." + std::to_string(i) + ".0/24");
    }
    EXPECT_TRUE(wait_until([] { return rs_->established(loopback(13)); }, kSessionTimeout, 200ms));
    EXPECT_TRUE(wait_until([] { return rs_->lookup("10.13.0.0/24").has_value(); }, kRouteTimeout, 100ms));
    expect_route_at(frr_, "10.13.0.0/24");
}

// The same GoBGP peer switched to route_limit_action warn at runtime (no reset): past the limit it stays up
// and its routes reach the other NVAs; then the operator's reset clears its session (Cease /
// Administrative Reset), the route server connects again at once and relearns everything.
TEST_F(Interop, RouteLimitWarnKeepsGobgpAndTheOperatorsResetBringsItBack) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    ASSERT_TRUE(wait_until([] { return rs_->lookup("10.13.0.0/24").has_value(); }, kRouteTimeout, 100ms));
    auto settings_with = [](azure::RouteLimitAction action) {
        return [action](server::RouteServer& s) {
            for (auto p : s.peers()) {
                if (p.name == "gobgp") {
                    p.route_limit_action = action;
                    return s.update_route_limits(p);
                }
            }
            return false;
        };
    };
    ASSERT_TRUE(rs_->call(settings_with(azure::RouteLimitAction::Warn)));
    const std::uint64_t up_before = rs_->sessions_of(loopback(13)).at(0).established_count;
    for (int i = 21; i <= 24; ++i) {  // 2 + 4 = 6 routes, limit 5
        ASSERT_TRUE(gobgp_->add_route({"10.13." + std::to_string(i) + ".0/24", "100.64.0.13", {}, {}, 0}));
    }
    ASSERT_TRUE(wait_until([] { return rs_->lookup("10.13.24.0/24").has_value(); }, kRouteTimeout, 100ms));
    expect_route_at(frr_, "10.13.24.0/24");
    auto st = rs_->sessions_of(loopback(13)).at(0);
    EXPECT_EQ(st.state, session::State::Established);
    EXPECT_EQ(st.established_count, up_before) << "warn keeps the session";
    const auto logs = rs_->log_lines();
    EXPECT_EQ(std::count_if(logs.begin(), logs.end(),
                            [](const std::string& l) {
                                return l.find("peer gobgp") != std::string::npos &&
                                       l.find("exceed its route limit 5") != std::string::npos;
                            }),
              1);

    const auto reset =
        rs_->call([](server::RouteServer& s) { return s.reset_peer("gobgp", "interop reset"); });
    ASSERT_TRUE(reset);
    EXPECT_EQ(reset->reset, 1U);
    ASSERT_TRUE(wait_until(
        [&] {
            auto s = rs_->sessions_of(loopback(13));
            return !s.empty() && s[0].established_count > up_before &&
                   s[0].state == session::State::Established;
        },
        kSessionTimeout, 200ms));
    st = rs_->sessions_of(loopback(13)).at(0);
    EXPECT_EQ(st.admin_resets, 1U);
    ASSERT_TRUE(st.last_sent);
    EXPECT_EQ(st.last_sent->code, 6);
    EXPECT_EQ(st.last_sent->subcode, 4);  // Cease / Administrative Reset
    EXPECT_TRUE(wait_until([] { return rs_->lookup("10.13.24.0/24").has_value(); }, kRouteTimeout, 100ms));
    EXPECT_TRUE(rs_->established(loopback(11), 2)) << "FRR's sessions are not touched";

    for (int i = 21; i <= 24; ++i) {
        gobgp_->del_route("10.13." + std::to_string(i) + ".0/24");
    }
    EXPECT_TRUE(wait_until([] { return !rs_->lookup("10.13.24.0/24").has_value(); }, kRouteTimeout, 100ms));
    ASSERT_TRUE(rs_->call(settings_with(azure::RouteLimitAction::Teardown)));
    EXPECT_TRUE(rs_->established(loopback(13)));
}

TEST_F(Interop, HoldTimerExpiryOfAFrozenNvaWithdrawsItsRoutesEverywhere) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    ASSERT_TRUE(wait_until([] { return rs_->lookup("10.12.0.0/24").has_value(); }, kRouteTimeout, 100ms));
    expect_route_at(frr_, "10.12.0.0/24");
    expect_route_at(gobgp_, "10.12.0.0/24");
    bird_->freeze();  // SIGSTOP: no more KEEPALIVEs; negotiated hold time is 3 s
    const bool down = wait_until([] { return !rs_->established(loopback(12)); }, 15s, 100ms);
    const bool gone = wait_until([] { return !rs_->lookup("10.12.0.0/24").has_value(); }, 5s, 100ms);
    auto st = rs_->sessions_of(loopback(12));
    bird_->thaw();
    ASSERT_TRUE(down);
    EXPECT_TRUE(gone);
    ASSERT_FALSE(st.empty());
    ASSERT_TRUE(st[0].last_sent);
    EXPECT_EQ(st[0].last_sent->code, 4);  // Hold Timer Expired
    expect_route_at(frr_, "10.12.0.0/24", false);
    expect_route_at(gobgp_, "10.12.0.0/24", false);
    expect_route_at(exabgp_, "10.12.0.0/24", false);
    // The ECMP set of 10.99.0.0/24 shrinks to FRR alone.
    auto e = rs_->lookup("10.99.0.0/24");
    ASSERT_TRUE(e);
    EXPECT_EQ(distinct_next_hops(*e), (std::set<std::string>{"100.64.0.11"}));
}

}  // namespace
}  // namespace rf::testing
