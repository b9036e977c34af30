// Enhanced route refresh (RFC 7313) and extended messages (RFC 8654) with a real FRR bgpd as the NVA,
// which negotiates both by default (FRR 8.4): UPDATEs over 4,096 octets each way, `clear bgp … soft in`
// from FRR answered with BoRR … EoRR, and our ROUTE-REFRESH answered by FRR with BoRR … EoRR (once FRR
// has sent its End-of-RIB, which it does because we advertise graceful restart). A raw test
// peer beside it sends and receives the large UPDATEs on the route server's other side.
#include <gtest/gtest.h>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/nva.hpp"
#include "tests/control/server/support/nva_suite.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

constexpr auto kSessionTimeout = 40s;
constexpr auto kRouteTimeout = 20s;
constexpr std::size_t kLargeCommunities = 400;  // 4,800 octets of attribute: one UPDATE over 4,096
constexpr std::size_t kCommunities = 1500;      // 6,000 octets

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

class FrrRefreshInterop : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (frr_bgpd().empty()) {
            skip_ = "FRR not installed (bash scripts/setup.sh installs it)";
            return;
        }
        dir_ = new TempDir("rf-frr-refresh");
        rs_address_ = loopback(31);
        port_ = free_port(rs_address_);
        const server::ServerConfig cfg = lab_server_config(31, port_);
        session::PeerSettings frr;
        frr.name = "frr";
        frr.address = *net::IpAddress::parse(loopback(32));
        frr.asn = 65032;
        session::PeerSettings raw;
        raw.name = "raw";
        raw.address = *net::IpAddress::parse(loopback(33));
        raw.asn = 65033;
        rs_ = new RsHarness(cfg, {frr, raw});
        if (rs_->start_error()) {
            skip_ = "route server did not start: " + *rs_->start_error();
            return;
        }
        NvaRoute big{"10.32.1.0/24", "100.64.0.32", {}, {}, 0};
        for (std::size_t i = 0; i < kLargeCommunities; ++i) {
            big.large_communities.push_back("65032:1:" + std::to_string(i));
        }
        frr_ = make_frr(nva_spec("frr-err", loopback(32), 32, 65032,
                                 {big, {"10.32.2.0/24", "100.64.0.32", {"65032:2"}, {}, 0}}, {rs_address_},
                                 port_))
                   .release();
        skip_ = start_nvas({frr_}, *dir_);
    }

    static void TearDownTestSuite() {
        delete raw_;
        raw_ = nullptr;
        stop_nvas({frr_}, rs_);
        delete frr_;
        delete rs_;
        delete dir_;
        frr_ = nullptr;
        rs_ = nullptr;
        dir_ = nullptr;
    }

    void SetUp() override {
        if (!skip_.empty()) {
            GTEST_SKIP() << skip_;
        }
    }

    static session::SessionStatus frr_session() {
        const auto st = rs_->sessions_of(loopback(32));
        return st.empty() ? session::SessionStatus{} : st[0];
    }

    // The raw peer (extended messages, enhanced route refresh), connected on first use.
    static RawPeer& raw() {
        if (raw_ == nullptr) {
            raw_ = new RawPeer();
            raw_->capabilities.extended_message = true;
            raw_->capabilities.enhanced_route_refresh = true;
            EXPECT_TRUE(raw_->connect(loopback(33), rs_address_, port_));
            EXPECT_TRUE(raw_->handshake(65033, "10.0.0.33"));
        }
        return *raw_;
    }

    static inline std::string skip_;
    static inline TempDir* dir_ = nullptr;
    static inline RsHarness* rs_ = nullptr;
    static inline Nva* frr_ = nullptr;
    static inline RawPeer* raw_ = nullptr;
    static inline std::string rs_address_;
    static inline std::uint16_t port_ = 0;
};

TEST_F(FrrRefreshInterop, FrrNegotiatesExtendedMessagesAndEnhancedRouteRefresh) {
    ASSERT_TRUE(wait_until([] { return rs_->established(loopback(32)); }, kSessionTimeout, 200ms))
        << frr_->log();
    const auto st = frr_session();
    EXPECT_TRUE(st.route_refresh);
    EXPECT_TRUE(st.enhanced_route_refresh);
    EXPECT_TRUE(st.extended_message);
    EXPECT_EQ(st.max_message_size, bgp::kMaxExtendedMessageSize);
    // FRR's own view of the capabilities.
    const std::string n = frr_->command("show bgp neighbors " + rs_address_);
    EXPECT_TRUE(contains(n, "Extended Message: advertised and received")) << n;
    EXPECT_TRUE(contains(n, "Enhanced Route Refresh: advertised and received")) << n;
}

TEST_F(FrrRefreshInterop, FrrSendsAnUpdateOver4096OctetsAndItIsReflectedWhole) {
    ASSERT_TRUE(wait_until([] { return rs_->lookup("10.32.1.0/24").has_value(); }, kRouteTimeout, 200ms))
        << frr_->log();
    const auto e = rs_->lookup("10.32.1.0/24");
    ASSERT_TRUE(e);
    ASSERT_FALSE(e->paths.empty());
    EXPECT_EQ(e->paths[0].attributes.large_communities.size(), kLargeCommunities);
    // Reflected to the extended raw peer as one UPDATE over 4,096 octets.
    RawPeer& p = raw();
    std::size_t largest = 0;
    EXPECT_TRUE(wait_until(
        [&] {
            if (auto m = p.receive(100ms)) {
                largest = std::max(largest, m->size());
            }
            return p.has_announced("10.32.1.0/24");
        },
        kRouteTimeout));
    EXPECT_GT(largest, bgp::kMaxMessageSize);
}

TEST_F(FrrRefreshInterop, FrrReceivesAnUpdateOver4096Octets) {
    ASSERT_TRUE(wait_until([] { return rs_->established(loopback(32)); }, kSessionTimeout, 200ms));
    RawPeer& p = raw();
    std::vector<std::uint32_t> communities(kCommunities);
    for (std::size_t i = 0; i < communities.size(); ++i) {
        communities[i] = (65033U << 16U) | static_cast<std::uint32_t>(i);
    }
    ASSERT_TRUE(p.announce({"10.33.1.0/24"}, "100.64.0.33", {65033}, communities));
    expect_route_at(frr_, "10.33.1.0/24", true, kRouteTimeout);
    // The first and the last community arrived (the route's own text is too long to read whole).
    for (const char* c : {"65033:0", "65033:1499"}) {
        const std::string shown = frr_->command(std::string("show bgp ipv4 unicast community ") + c);
        EXPECT_TRUE(contains(shown, "10.33.1.0/24")) << c << "\n" << shown.substr(0, 2000);
    }
}

TEST_F(FrrRefreshInterop, SoftInFromFrrIsAnsweredWithBorrTheRoutesAndEorr) {
    ASSERT_TRUE(wait_until([] { return rs_->established(loopback(32)); }, kSessionTimeout, 200ms));
    expect_route_at(frr_, "10.1.0.0/16", true, kRouteTimeout);  // the VNet space: the table went out
    const auto before = frr_session();
    // No soft-reconfiguration inbound in FRR: `soft in` sends us a ROUTE-REFRESH.
    frr_->command("clear bgp " + rs_address_ + " soft in");
    ASSERT_TRUE(wait_until(
        [&] {
            const auto now = frr_session();
            return now.eorr_sent > before.eorr_sent;
        },
        kRouteTimeout, 100ms));
    const auto after = frr_session();
    EXPECT_GT(after.route_refreshes_received, before.route_refreshes_received);
    EXPECT_EQ(after.borr_sent, after.eorr_sent);
    // FRR saw both demarcations (debug bgp neighbor-events) and kept every route.
    EXPECT_TRUE(wait_until([] { return contains(frr_->log(), "(EoRR)"); }, 5s)) << frr_->log();
    EXPECT_TRUE(contains(frr_->log(), "(BoRR)"));
    EXPECT_TRUE(frr_->has_route("10.1.0.0/16"));
    EXPECT_EQ(after.state, session::State::Established);
}

TEST_F(FrrRefreshInterop, FrrAnswersOurRouteRefreshWithBorrAndEorrOnceItSentEndOfRib) {
    // Measured with FRR 8.4: it answers a ROUTE-REFRESH only after it has sent its End-of-RIB, and it
    // sends End-of-RIB only to peers that advertise graceful restart. routefabric advertises graceful
    // restart (on by default), so FRR sends End-of-RIB and answers our refresh after a VNet change with
    // BoRR, its routes, EoRR: nothing is purged.
    ASSERT_TRUE(wait_until([] { return rs_->lookup("10.32.2.0/24").has_value(); }, kRouteTimeout, 200ms));
    ASSERT_TRUE(wait_until([] { return !frr_session().end_of_rib_received.empty(); }, kRouteTimeout, 100ms))
        << frr_->log();
    const auto before = frr_session();
    const auto r = rs_->call([](server::RouteServer& s) {
        return s.set_vnet_prefixes({*net::Prefix::parse("10.1.0.0/16"), *net::Prefix::parse("10.2.0.0/16")});
    });
    EXPECT_GE(r.refreshed, 1U);
    ASSERT_TRUE(
        wait_until([&] { return frr_session().eorr_received > before.eorr_received; }, kRouteTimeout, 100ms))
        << frr_->log();
    const auto after = frr_session();
    EXPECT_EQ(after.borr_received, before.borr_received + 1);
    EXPECT_EQ(after.refresh_timeouts, 0U);
    EXPECT_EQ(after.state, session::State::Established);
    EXPECT_EQ(count(frr_->log(), "before EoR"), 0U);
    EXPECT_EQ(rs_->call([&](server::RouteServer& s) { return s.rib().stale_count(after.rib_id); }), 0U);
    EXPECT_TRUE(rs_->lookup("10.32.1.0/24").has_value());
    EXPECT_TRUE(rs_->lookup("10.32.2.0/24").has_value());
}

// BIRD 2 answers our ROUTE-REFRESH with BoRR, its routes and EoRR (enhanced route refresh is on by
// default in BIRD): its routes are marked stale at BoRR and, all re-advertised, none is purged at EoRR.
class BirdRefreshInterop : public ::testing::Test {
protected:
    void SetUp() override {
        if (bird_binary().empty()) {
            GTEST_SKIP() << "BIRD 2 not installed (bash scripts/setup.sh installs it)";
        }
        rs_address_ = loopback(35);
        port_ = free_port(rs_address_);
        const server::ServerConfig cfg = lab_server_config(35, port_);
        session::PeerSettings bird;
        bird.name = "bird";
        bird.address = *net::IpAddress::parse(loopback(36));
        bird.asn = 65036;
        rs_ = std::make_unique<RsHarness>(cfg, std::vector<session::PeerSettings>{bird});
        ASSERT_FALSE(rs_->start_error());
        bird_ = make_bird(
            nva_spec("bird-err", loopback(36), 36, 65036,
                     {{"10.36.1.0/24", "100.64.0.36", {}, {}, 0}, {"10.36.2.0/24", "100.64.0.36", {}, {}, 0}},
                     {rs_address_}, port_));
        ASSERT_EQ(start_nvas({bird_.get()}, dir_), "");
    }
    void TearDown() override { stop_nvas({bird_.get()}, rs_.get()); }

    session::SessionStatus bird_session() {
        const auto st = rs_->sessions_of(loopback(36));
        return st.empty() ? session::SessionStatus{} : st[0];
    }

    TempDir dir_{"rf-bird-refresh"};
    std::unique_ptr<RsHarness> rs_;
    std::unique_ptr<Nva> bird_;
    std::string rs_address_;
    std::uint16_t port_ = 0;
};

TEST_F(BirdRefreshInterop, OurRouteRefreshIsAnsweredWithBorrTheRoutesAndEorrAndNothingIsPurged) {
    ASSERT_TRUE(wait_until([&] { return rs_->lookup("10.36.2.0/24").has_value(); }, kRouteTimeout, 200ms))
        << bird_->log();
    const auto before = bird_session();
    EXPECT_TRUE(before.enhanced_route_refresh);
    const auto r = rs_->call([](server::RouteServer& s) {
        return s.set_vnet_prefixes({*net::Prefix::parse("10.1.0.0/16"), *net::Prefix::parse("10.2.0.0/16")});
    });
    EXPECT_EQ(r.refreshed, 1U);
    ASSERT_TRUE(
        wait_until([&] { return bird_session().eorr_received > before.eorr_received; }, kRouteTimeout, 100ms))
        << bird_->log();
    const auto after = bird_session();
    EXPECT_EQ(after.borr_received, before.borr_received + 1);
    EXPECT_TRUE(after.refreshing.empty());
    EXPECT_EQ(after.refresh_timeouts, 0U);
    EXPECT_EQ(rs_->call([&](server::RouteServer& s) { return s.rib().stale_count(after.rib_id); }), 0U);
    EXPECT_TRUE(rs_->lookup("10.36.1.0/24").has_value());
    EXPECT_TRUE(rs_->lookup("10.36.2.0/24").has_value());
    EXPECT_TRUE(wait_until([&] { return bird_->has_route("10.2.0.0/16"); }, kRouteTimeout));
}

}  // namespace
}  // namespace rf::testing
