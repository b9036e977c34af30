// Import policy with real NVAs: FRR sends a bogon, a route tagged with a "do not reflect" community and
// a clean route through an import policy; BIRD 2 on the route server's other side receives only the
// clean route. Then the policy changes at run time (soft reconfiguration): BIRD receives what the new
// policy accepts, and FRR's session is neither reset nor asked for its routes again.
#include <gtest/gtest.h>

#include "control/policy/compile.hpp"
#include "control/server/route_server.hpp"
#include "tests/control/server/support/nva.hpp"
#include "tests/control/server/support/nva_suite.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

constexpr auto kSessionTimeout = 40s;
constexpr auto kRouteTimeout = 20s;

const char* const kBogon = "192.168.42.0/24";
const char* const kTagged = "44.42.1.0/24";  // carries 65042:666: "do not reflect"
const char* const kClean = "44.42.0.0/24";

std::shared_ptr<const policy::Library> library() {
    policy::Definitions d;
    d.community_sets.push_back(policy::CommunitySetDef{"no-reflect", {"65042:666"}});
    policy::PolicyDef strict{"strict", {}, "accept"};
    strict.statements.push_back(policy::StatementDef{"bogons", {}, {}, "reject"});
    strict.statements[0].match.prefix_set = policy::SetMatchDef{"bogons", "any"};
    strict.statements.push_back(policy::StatementDef{"no-reflect", {}, {}, "reject"});
    strict.statements[1].match.community_set = policy::SetMatchDef{"no-reflect", "any"};
    policy::PolicyDef lenient{"lenient", {}, "accept"};
    lenient.statements.push_back(policy::StatementDef{"no-reflect", {}, {}, "reject"});
    lenient.statements[0].match.community_set = policy::SetMatchDef{"no-reflect", "any"};
    d.policies = {strict, lenient};
    return std::get<std::shared_ptr<const policy::Library>>(policy::compile(d));
}

class PolicyInterop : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (frr_bgpd().empty() || bird_binary().empty()) {
            skip_ = "FRR or BIRD 2 not installed (bash scripts/setup.sh installs them)";
            return;
        }
        dir_ = new TempDir("rf-policy-interop");
        rs_address_ = loopback(41);
        port_ = free_port(rs_address_);
        session::PeerSettings frr;
        frr.name = "frr";
        frr.address = *net::IpAddress::parse(loopback(42));
        frr.asn = 65042;
        session::PeerSettings bird;
        bird.name = "bird";
        bird.address = *net::IpAddress::parse(loopback(43));
        bird.asn = 65043;
        rs_ = new RsHarness(lab_server_config(41, port_), {frr, bird});
        if (rs_->start_error()) {
            skip_ = "route server did not start: " + *rs_->start_error();
            return;
        }
        lib_ = new std::shared_ptr<const policy::Library>(library());
        // The policy is in place before FRR connects: its routes meet it on arrival.
        rs_->call([](server::RouteServer& s) {
            return s.set_import_policy(*net::IpAddress::parse(loopback(42)), (*lib_)->chain({"strict"}),
                                       false);
        });
        frr_ = make_frr(nva_spec("frr-pol", loopback(42), 42, 65042,
                                 {{kBogon, "100.64.0.42", {}, {}, 0},
                                  {kTagged, "100.64.0.42", {"65042:666"}, {}, 0},
                                  {kClean, "100.64.0.42", {}, {}, 0}},
                                 {rs_address_}, port_))
                   .release();
        bird_ = make_bird(nva_spec("bird-pol", loopback(43), 43, 65043, {}, {rs_address_}, port_)).release();
        skip_ = start_nvas({frr_, bird_}, *dir_);
    }

    static void TearDownTestSuite() {
        stop_nvas({frr_, bird_}, rs_);
        delete frr_;
        delete bird_;
        delete rs_;
        delete lib_;
        delete dir_;
        frr_ = nullptr;
        bird_ = nullptr;
        rs_ = nullptr;
        lib_ = nullptr;
        dir_ = nullptr;
    }

    void SetUp() override {
        if (!skip_.empty()) {
            GTEST_SKIP() << skip_;
        }
    }

    static session::SessionStatus frr_session() {
        const auto st = rs_->sessions_of(loopback(42));
        return st.empty() ? session::SessionStatus{} : st[0];
    }

    static inline std::string skip_;
    static inline TempDir* dir_ = nullptr;
    static inline RsHarness* rs_ = nullptr;
    static inline Nva* frr_ = nullptr;
    static inline Nva* bird_ = nullptr;
    static inline std::shared_ptr<const policy::Library>* lib_ = nullptr;
    static inline std::string rs_address_;
    static inline std::uint16_t port_ = 0;
};

TEST_F(PolicyInterop, BogonAndTaggedRoutesFromFrrNeverReachBird) {
    ASSERT_TRUE(wait_until([] { return rs_->established(loopback(42)) && rs_->established(loopback(43)); },
                           kSessionTimeout, 200ms))
        << frr_->log() << bird_->log();
    ASSERT_TRUE(wait_until([] { return bird_->has_route(kClean); }, kRouteTimeout, 200ms)) << bird_->log();
    // The clean route came through the same UPDATE stream after the others: they were filtered, not late.
    EXPECT_FALSE(bird_->has_route(kBogon)) << bird_->show_route(kBogon);
    EXPECT_FALSE(bird_->has_route(kTagged)) << bird_->show_route(kTagged);
    EXPECT_FALSE(rs_->lookup(kBogon));
    const rib::PeerId id = frr_session().rib_id;
    const auto filtered = rs_->call([id](server::RouteServer& s) { return s.rib().adj_rib_in_received(id); });
    std::map<std::string, std::string> by_prefix;
    for (const auto& r : filtered) {
        by_prefix[r.prefix.to_string()] = r.accepted ? "accepted" : r.policy + "/" + r.statement;
    }
    EXPECT_EQ(by_prefix[kBogon], "strict/bogons");
    EXPECT_EQ(by_prefix[kTagged], "strict/no-reflect");
    EXPECT_EQ(by_prefix[kClean], "accepted");
}

TEST_F(PolicyInterop, ChangedPolicyAppliesWithoutResettingFrr) {
    ASSERT_TRUE(wait_until([] { return bird_->has_route(kClean); }, kRouteTimeout, 200ms)) << bird_->log();
    const session::SessionStatus before = frr_session();
    ASSERT_EQ(before.established_count, 1U);
    const rib::PeerId id = before.rib_id;
    const std::size_t received =
        rs_->call([id](server::RouteServer& s) { return s.rib().adj_rib_in_received(id).size(); });
    const auto done = rs_->call([](server::RouteServer& s) {
        return s.set_import_policy(*net::IpAddress::parse(loopback(42)), (*lib_)->chain({"lenient"}), false);
    });
    ASSERT_TRUE(done);
    EXPECT_EQ(done->sessions, 1U);
    EXPECT_EQ(done->evaluated, received);  // every route FRR sent, kept as sent (ours and its own)
    EXPECT_EQ(done->rejected, 1U);
    // The bogon, kept as FRR sent it, goes out to BIRD now; the tagged route stays out.
    EXPECT_TRUE(wait_until([] { return bird_->has_route(kBogon); }, kRouteTimeout, 200ms)) << bird_->log();
    EXPECT_FALSE(bird_->has_route(kTagged));
    const session::SessionStatus after = frr_session();
    EXPECT_EQ(after.established_count, before.established_count);
    EXPECT_EQ(after.route_refreshes_sent, before.route_refreshes_sent);
    // And back: the bogon is withdrawn from BIRD.
    rs_->call([](server::RouteServer& s) {
        return s.set_import_policy(*net::IpAddress::parse(loopback(42)), (*lib_)->chain({"strict"}), false);
    });
    EXPECT_TRUE(wait_until([] { return !bird_->has_route(kBogon); }, kRouteTimeout, 200ms)) << bird_->log();
    EXPECT_EQ(frr_session().established_count, before.established_count);
}

}  // namespace
}  // namespace rf::testing
