// IPv6 end to end in the session layer: sessions over IPv6 transport and IPv6 unicast routes (MP-BGP,
// RFC 4760) with FRR, BIRD 2 and GoBGP as NVAs; also design §2 "VNet changes" against real NVAs (they are
// sent ROUTE-REFRESH and send their routes again).
//
// The test process moves into a network namespace of its own (unshare(CLONE_NEWNET), needs
// CAP_SYS_ADMIN; skipped otherwise) and gives its loopback IPv6 addresses from 2001:db8:ff::/64 (RFC 3849
// documentation space): the route server's two instances and one address per NVA. Threads and child
// processes started afterwards inherit the namespace; it disappears with the process, nothing on the host
// changes. Next hops are in 2001:db8:64::/48 (BIRD resolves them through a static route on "lo").
#include <gtest/gtest.h>
#include <sched.h>

#include <set>
#include <sstream>
#include <thread>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/nva.hpp"
#include "tests/control/server/support/nva_suite.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

constexpr auto kSessionTimeout = 40s;
constexpr auto kRouteTimeout = 20s;

std::string v6(int host) {
    return "2001:db8:ff::" + std::to_string(host);
}

std::set<std::string> ecmp_next_hops(const rib::LocRibEntry& e) {
    std::set<std::string> out;
    for (std::size_t i = 0; i < e.ecmp_count && i < e.paths.size(); ++i) {
        for (const auto& nh : e.paths[i].next_hops) {
            out.insert(nh.to_string());
        }
    }
    return out;
}

// A fresh network namespace for this process with lo up and the test's IPv6 addresses on it.
std::string enter_namespace(const std::vector<std::string>& addresses) {
    const std::string ip = find_executable({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"});
    if (ip.empty()) {
        return "iproute2 (ip) not installed";
    }
    if (::unshare(CLONE_NEWNET) != 0) {
        return "cannot create a network namespace (unshare(CLONE_NEWNET) needs CAP_SYS_ADMIN)";
    }
    run_capture({ip, "link", "set", "lo", "up"});
    for (const auto& a : addresses) {
        run_capture({ip, "-6", "addr", "add", a + "/128", "dev", "lo", "nodad"});
    }
    const std::string shown = run_capture({ip, "-6", "addr", "show", "dev", "lo"});
    for (const auto& a : addresses) {
        if (shown.find(a + "/128") == std::string::npos) {
            return "could not add " + a + " to lo in the test namespace: " + shown;
        }
    }
    return {};
}

class Ipv6Interop : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (frr_bgpd().empty() || bird_binary().empty() || gobgpd_binary().empty()) {
            skip_ = "FRR, BIRD 2 or GoBGP not installed (bash scripts/setup.sh installs them)";
            return;
        }
        skip_ = enter_namespace({v6(1), v6(2), v6(11), v6(12), v6(13)});
        if (!skip_.empty()) {
            return;
        }
        dir_ = new TempDir("rf-interop6");
        port_ = free_port(v6(1));
        gobgp_port_ = free_port(v6(13));

        server::ServerConfig cfg;
        cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
        cfg.listen_addresses = {*net::IpAddress::parse(v6(1)), *net::IpAddress::parse(v6(2))};
        cfg.port = port_;
        cfg.idle_hold = 2;
        cfg.connect_retry = 2;
        cfg.rib.vnet_prefixes = {*net::Prefix::parse("fd00:1::/48")};
        cfg.rib.vnet_next_hop_v6 = *net::IpAddress::parse("2001:db8:64::1");
        auto peer = [](const char* name, int host, std::uint32_t asn) {
            session::PeerSettings p;
            p.name = name;
            p.address = *net::IpAddress::parse(v6(host));
            p.asn = asn;
            return p;
        };
        auto gobgp = peer("gobgp6", 13, 65113);
        gobgp.mode = session::PeerMode::Active;  // the route server connects to GoBGP over IPv6
        gobgp.port = gobgp_port_;
        auto bird = peer("bird6", 12, 65112);
        bird.add_path = bgp::AddPathMode::Both;  // RFC 7911 with BIRD (`add paths on`)
        rs_ = new RsHarness(cfg, {peer("frr6", 11, 65111), bird, gobgp});
        if (rs_->start_error()) {
            skip_ = "route server did not start: " + *rs_->start_error();
            return;
        }
        auto spec = [&](const char* name, int host, std::uint32_t asn, std::vector<NvaRoute> routes,
                        std::vector<std::string> rs) {
            return nva_spec(name, v6(host), host, asn, std::move(routes), std::move(rs), port_);
        };
        // FRR peers with both instances; BIRD and GoBGP with the first.
        frr_ = make_frr(spec("frr6", 11, 65111,
                             {{"2001:db8:11::/48", "2001:db8:64::11", {"65111:1"}, {}, 0},
                              {"2001:db8:99::/48", "2001:db8:64::11", {}, {}, 0},
                              {"2001:db8:98::/48", "2001:db8:64::11", {}, {}, 0}},
                             {v6(1), v6(2)}))
                   .release();
        auto b = spec("bird6", 12, 65112,
                      {{"2001:db8:12::/48", "2001:db8:64::12", {}, {}, 0},
                       {"2001:db8:99::/48", "2001:db8:64::12", {}, {}, 0}},
                      {v6(1)});
        b.add_path_tx = true;
        bird_ = make_bird(b).release();
        auto g = spec("gobgp6", 13, 65113,
                      {{"2001:db8:13::/48", "2001:db8:64::13", {}, {}, 0},
                       {"2001:db8:98::/48", "2001:db8:64::13", {}, {}, 0}},
                      {v6(1)});
        g.listen_port = gobgp_port_;
        gobgp_ = new GobgpNva(g);
        skip_ = start_nvas(all(), *dir_);
    }

    static void TearDownTestSuite() {
        stop_nvas(all(), rs_);
        delete frr_;
        delete bird_;
        delete gobgp_;
        delete rs_;
        delete dir_;
        frr_ = bird_ = nullptr;
        gobgp_ = nullptr;
        rs_ = nullptr;
        dir_ = nullptr;
    }

    void SetUp() override {
        if (!skip_.empty()) {
            GTEST_SKIP() << skip_;
        }
    }

    static std::vector<Nva*> all() { return {frr_, bird_, gobgp_}; }

    static bool all_up() {
        return rs_->established(v6(11), 2) && rs_->established(v6(12)) && rs_->established(v6(13));
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
    static inline std::uint16_t port_ = 0;
    static inline std::uint16_t gobgp_port_ = 0;
};

TEST_F(Ipv6Interop, SessionsComeUpOverIpv6WithIpv6Unicast) {
    if (!wait_until(all_up, kSessionTimeout, 200ms)) {
        for (const auto& s : rs_->call([](server::RouteServer& r) { return r.sessions(); })) {
            ADD_FAILURE() << s.peer << " via " << s.local_address.to_string() << ": "
                          << session::state_name(s.state) << " (" << session::reason_name(s.last_reason)
                          << ")";
        }
        skip_ = "sessions did not come up (see SessionsComeUpOverIpv6WithIpv6Unicast)";
        FAIL() << "not every IPv6 NVA session reached Established";
    }
    EXPECT_EQ(rs_->sessions_of(v6(11)).size(), 2U);  // FRR on both route-server instances
    for (const auto& s : rs_->sessions_of(v6(11))) {
        EXPECT_FALSE(s.local_address.is_v4());
    }
}

TEST_F(Ipv6Interop, Ipv6RoutesAreLearnedWithTheirGlobalNextHop) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    const std::vector<std::pair<std::string, std::string>> want{{"2001:db8:11::/48", "2001:db8:64::11"},
                                                                {"2001:db8:12::/48", "2001:db8:64::12"},
                                                                {"2001:db8:13::/48", "2001:db8:64::13"}};
    for (const auto& w : want) {
        const std::string& prefix = w.first;  // clang 14 cannot capture structured bindings
        const std::string& next_hop = w.second;
        ASSERT_TRUE(wait_until([&] { return rs_->lookup(prefix).has_value(); }, kRouteTimeout, 100ms))
            << prefix;
        const auto e = rs_->lookup(prefix);
        EXPECT_EQ(ecmp_next_hops(*e), (std::set<std::string>{next_hop})) << prefix;
    }
}

TEST_F(Ipv6Interop, Ipv6RoutesAreReflectedToTheOtherNvasWithTheNextHopKept) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    expect_route_at(frr_, "2001:db8:12::/48");
    expect_route_at(frr_, "2001:db8:13::/48");
    expect_route_at(bird_, "2001:db8:11::/48");
    expect_route_at(bird_, "2001:db8:13::/48");
    expect_route_at(gobgp_, "2001:db8:11::/48");
    expect_route_at(gobgp_, "2001:db8:12::/48");
    const auto at_frr = frr_->show_route("2001:db8:12::/48");
    EXPECT_NE(at_frr.find("2001:db8:64::12"), std::string::npos) << at_frr;
    const auto at_bird = bird_->show_route("2001:db8:11::/48");
    EXPECT_NE(at_bird.find("2001:db8:64::11"), std::string::npos) << at_bird;
    const auto at_gobgp = gobgp_->show_route("2001:db8:11::/48");
    EXPECT_NE(at_gobgp.find("2001:db8:64::11"), std::string::npos) << at_gobgp;
    EXPECT_NE(at_frr.find("65515 65112"), std::string::npos) << at_frr;  // Azure mode: RS ASN prepended
}

TEST_F(Ipv6Interop, EqualIpv6PathsFormAnEcmpSet) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    ASSERT_TRUE(wait_until(
        [] {
            auto e = rs_->lookup("2001:db8:99::/48");
            return e && ecmp_next_hops(*e).size() == 2;
        },
        kRouteTimeout, 100ms));
    EXPECT_EQ(ecmp_next_hops(*rs_->lookup("2001:db8:99::/48")),
              (std::set<std::string>{"2001:db8:64::11", "2001:db8:64::12"}));
}

// ADD-PATH (RFC 7911) with BIRD 2 over IPv6: 2001:db8:98::/48 from FRR and GoBGP is an ECMP set of two;
// BIRD, which negotiated ADD-PATH, receives both paths, each with its own path id.
TEST_F(Ipv6Interop, AddPathBirdReceivesBothPathsOfAnEcmpSet) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    const std::vector<bgp::AfiSafi> v6u{{net::Afi::Ipv6, net::Safi::Unicast}};
    const auto st = rs_->sessions_of(v6(12));
    ASSERT_FALSE(st.empty());
    EXPECT_EQ(st[0].add_path_send, v6u);
    EXPECT_EQ(st[0].add_path_receive, v6u);
    std::string out;
    EXPECT_TRUE(shows_next_hops(*bird_, "2001:db8:98::/48", {"2001:db8:64::11", "2001:db8:64::13"},
                                kRouteTimeout, &out))
        << out;
    EXPECT_TRUE(rs_->lookup("2001:db8:12::/48").has_value());  // BIRD's own routes still arrive
}

TEST_F(Ipv6Interop, Ipv6VnetAddressSpaceArrivesAtEveryNva) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    for (Nva* n : all()) {
        expect_route_at(n, "fd00:1::/48");
    }
    const auto at_gobgp = gobgp_->show_route("fd00:1::/48");
    EXPECT_NE(at_gobgp.find("2001:db8:64::1"), std::string::npos) << at_gobgp;
}

// Design §2 "VNet changes" with real NVAs: a new VNet peering's address space reaches every NVA, and each
// session (all negotiated route refresh) is sent ROUTE-REFRESH — FRR and BIRD answer by sending their
// routes again; nobody is reset.
TEST_F(Ipv6Interop, VnetChangeReachesEveryNvaAndAsksThemForTheirRoutesAgain) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms));
    for (const char* p : {"2001:db8:11::/48", "2001:db8:12::/48", "2001:db8:13::/48"}) {
        ASSERT_TRUE(wait_until([&] { return rs_->lookup(p).has_value(); }, kRouteTimeout, 100ms)) << p;
    }
    auto updates_in = [](const std::string& peer) {
        std::uint64_t n = 0;
        for (const auto& s : rs_->sessions_of(peer)) {
            n += s.updates_received;
        }
        return n;
    };
    // Let the initial exchange settle (FRR batches for ~1 s after a session comes up).
    std::uint64_t frr_before = updates_in(v6(11));
    std::uint64_t bird_before = updates_in(v6(12));
    for (int i = 0; i < 20; ++i) {
        std::this_thread::sleep_for(250ms);  // bounded: 5 s at most
        const auto f = updates_in(v6(11));
        const auto b = updates_in(v6(12));
        if (f == frr_before && b == bird_before && i >= 6) {
            break;
        }
        frr_before = f;
        bird_before = b;
    }
    const auto r = rs_->call([](server::RouteServer& s) {
        return s.set_vnet_prefixes({*net::Prefix::parse("fd00:1::/48"), *net::Prefix::parse("fd00:2::/48")});
    });
    EXPECT_TRUE(r.changed);
    EXPECT_EQ(r.refreshed, 4U);  // FRR's two sessions, BIRD, GoBGP
    EXPECT_EQ(r.reset, 0U);
    for (Nva* n : all()) {
        expect_route_at(n, "fd00:2::/48");
    }
    // FRR's own count of ROUTE-REFRESH received, per route-server instance ("Route Refresh: sent rcvd").
    for (const int rs : {1, 2}) {
        std::string out;
        auto refreshes_at_frr = [&] {
            out = run_capture({"/usr/bin/vtysh", "--vty_socket", dir_->file("frr6") + "/vty", "-c",
                               "show bgp neighbors " + v6(rs)});
            const auto stats = out.find("Message statistics:");  // not "Enhanced Route Refresh:" above it
            const auto at = out.find("Route Refresh:", stats == std::string::npos ? out.size() : stats);
            if (at == std::string::npos) {
                return -1;
            }
            std::istringstream in(out.substr(at + 14));
            int sent = -1;
            int rcvd = -1;
            in >> sent >> rcvd;
            return rcvd;
        };
        EXPECT_TRUE(wait_until([&] { return refreshes_at_frr() == 1; }, kRouteTimeout, 200ms))
            << "FRR's count of ROUTE-REFRESH received from " << v6(rs) << ": " << refreshes_at_frr() << "\n"
            << out;
    }
    EXPECT_TRUE(wait_until([&] { return updates_in(v6(11)) > frr_before; }, kRouteTimeout, 100ms))
        << "FRR did not send its routes again after ROUTE-REFRESH";
    EXPECT_TRUE(wait_until([&] { return updates_in(v6(12)) > bird_before; }, kRouteTimeout, 100ms))
        << "BIRD did not send its routes again after ROUTE-REFRESH";
    for (const int host : {11, 12, 13}) {
        for (const auto& s : rs_->sessions_of(v6(host))) {
            if (host != 11 && s.local_address != *net::IpAddress::parse(v6(1))) {
                continue;  // BIRD and GoBGP peer with the first instance only
            }
            EXPECT_EQ(s.state, session::State::Established) << s.peer;
            EXPECT_EQ(s.route_refreshes_sent, 1U) << s.peer;  // one family: IPv6 unicast
            EXPECT_EQ(s.config_resets, 0U) << s.peer;
            EXPECT_EQ(s.established_count, 1U) << s.peer;
        }
    }
    EXPECT_TRUE(rs_->lookup("2001:db8:11::/48").has_value());
    EXPECT_TRUE(rs_->lookup("2001:db8:12::/48").has_value());
    // Removing it again withdraws it everywhere.
    rs_->call(
        [](server::RouteServer& s) { return s.set_vnet_prefixes({*net::Prefix::parse("fd00:1::/48")}); });
    for (Nva* n : all()) {
        expect_route_at(n, "fd00:2::/48", false);
    }
}

}  // namespace
}  // namespace rf::testing
