// Export policy with real NVAs: ExaBGP (the tagging NVA) announces a route tagged 65061:100 and a
// plain one; BIRD 2 is behind an export policy that lets only tagged routes through, FRR behind one that
// sets MED 50 on them and passes the rest. OpenBGPD (when installed and the test runs as root, which
// bgpd needs) has BIRD's policy: the two share one update group. Then the export policies change at run time:
// each peer is sent only the difference, and neither session is reset.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

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

const char* const kSteered = "44.61.1.0/24";  // tagged 65061:100 by ExaBGP
const char* const kPlain = "44.61.2.0/24";

std::shared_ptr<const policy::Library> library() {
    policy::Definitions d;
    d.community_sets.push_back(policy::CommunitySetDef{"steer", {"65061:100"}});
    policy::PolicyDef only{"only-steered", {}, "reject"};
    only.statements.push_back(policy::StatementDef{"steered", {}, {}, "accept"});
    only.statements[0].match.community_set = policy::SetMatchDef{"steer", "any"};
    policy::PolicyDef med{"med-steered", {}, "accept"};
    med.statements.push_back(policy::StatementDef{"steered", {}, {}, "accept"});
    med.statements[0].match.community_set = policy::SetMatchDef{"steer", "any"};
    med.statements[0].modify.med = 50;
    policy::PolicyDef everything{"everything", {}, "accept"};
    d.policies = {only, med, everything};
    return std::get<std::shared_ptr<const policy::Library>>(policy::compile(d));
}

std::string address(int host) {
    return loopback(host);
}

class ExportPolicyInterop : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (frr_bgpd().empty() || bird_binary().empty() || exabgp_binary().empty()) {
            skip_ = "FRR, BIRD 2 or ExaBGP not installed (bash scripts/setup.sh installs them)";
            return;
        }
        dir_ = new TempDir("rf-export-interop");
        rs_address_ = address(60);
        port_ = free_port(rs_address_);
        std::vector<session::PeerSettings> peers;
        for (const auto& [name, host, asn] :
             {std::tuple{"exabgp", 61, 65061U}, std::tuple{"bird", 62, 65062U}, std::tuple{"frr", 63, 65063U},
              std::tuple{"openbgpd", 64, 65064U}}) {
            session::PeerSettings p;
            p.name = name;
            p.address = *net::IpAddress::parse(address(host));
            p.asn = asn;
            peers.push_back(p);
        }
        rs_ = new RsHarness(lab_server_config(60, port_), peers);
        if (rs_->start_error()) {
            skip_ = "route server did not start: " + *rs_->start_error();
            return;
        }
        lib_ = new std::shared_ptr<const policy::Library>(library());
        // In place before the NVAs connect: their first table is already filtered.
        set_export(62, "only-steered");
        set_export(63, "med-steered");
        set_export(64, "only-steered");
        exabgp_ = make_exabgp(nva_spec("exabgp-exp", address(61), 61, 65061,
                                       {{kSteered, "100.64.0.61", {"65061:100"}, {}, 0},
                                        {kPlain, "100.64.0.61", {}, {}, 0}},
                                       {rs_address_}, port_))
                      .release();
        bird_ = make_bird(nva_spec("bird-exp", address(62), 62, 65062, {}, {rs_address_}, port_)).release();
        frr_ = make_frr(nva_spec("frr-exp", address(63), 63, 65063, {}, {rs_address_}, port_)).release();
        if (!openbgpd_binary().empty()) {
            openbgpd_ =
                make_openbgpd(nva_spec("openbgpd-exp", address(64), 64, 65064, {}, {rs_address_}, port_))
                    .release();
        }
        skip_ = start_nvas(nvas(), *dir_);
    }

    static std::vector<Nva*> nvas() {
        std::vector<Nva*> all{exabgp_, bird_, frr_};
        if (openbgpd_ != nullptr) {
            all.push_back(openbgpd_);
        }
        return all;
    }

    static void TearDownTestSuite() {
        stop_nvas(nvas(), rs_);
        delete exabgp_;
        delete bird_;
        delete frr_;
        delete openbgpd_;
        delete rs_;
        delete lib_;
        delete dir_;
        exabgp_ = bird_ = frr_ = openbgpd_ = nullptr;
        rs_ = nullptr;
        lib_ = nullptr;
        dir_ = nullptr;
    }

    void SetUp() override {
        if (!skip_.empty()) {
            GTEST_SKIP() << skip_;
        }
    }

    // The peer at 127.x.`host` gets the export chain of the named policy ("" for none).
    static bool set_export(int host, const std::string& name) {
        return rs_->call([host, name](server::RouteServer& s) {
            return s.set_export_policy(*net::IpAddress::parse(address(host)),
                                       name.empty() ? policy::Chain{} : (*lib_)->chain({name}));
        });
    }

    static std::size_t established_count(int host) {
        const auto st = rs_->sessions_of(address(host));
        return st.empty() ? 0 : st[0].established_count;
    }

    static bool all_up() {
        return rs_->established(address(61)) && rs_->established(address(62)) &&
               rs_->established(address(63));
    }

    static inline std::string skip_;
    static inline TempDir* dir_ = nullptr;
    static inline RsHarness* rs_ = nullptr;
    static inline Nva* exabgp_ = nullptr;
    static inline Nva* bird_ = nullptr;
    static inline Nva* frr_ = nullptr;
    static inline Nva* openbgpd_ = nullptr;  // nullptr: not installed, or not root
    static inline std::shared_ptr<const policy::Library>* lib_ = nullptr;
    static inline std::string rs_address_;
    static inline std::uint16_t port_ = 0;
};

TEST_F(ExportPolicyInterop, ATaggedCommunitySteersWhatBirdAndFrrReceive) {
    ASSERT_TRUE(wait_until(all_up, kSessionTimeout, 200ms)) << exabgp_->log() << bird_->log() << frr_->log();
    // FRR (everything, the tagged route rewritten) holding the plain route means the route server has
    // handled it; BIRD was never sent it.
    ASSERT_TRUE(
        wait_until([] { return frr_->has_route(kPlain) && frr_->has_route(kSteered); }, kRouteTimeout, 200ms))
        << frr_->log();
    ASSERT_TRUE(wait_until([] { return bird_->has_route(kSteered); }, kRouteTimeout, 200ms)) << bird_->log();
    EXPECT_FALSE(bird_->has_route(kPlain)) << bird_->show_route(kPlain);
    if (openbgpd_ != nullptr) {
        EXPECT_TRUE(wait_until([] { return openbgpd_->has_route(kSteered); }, kRouteTimeout, 200ms))
            << openbgpd_->log() << openbgpd_->show_route(kSteered);
        EXPECT_FALSE(openbgpd_->has_route(kPlain)) << openbgpd_->show_route(kPlain);
    }
    std::string text;
    EXPECT_TRUE(wait_until(
        [&] {
            text = frr_->show_route(kSteered);
            return text.find("metric 50") != std::string::npos;
        },
        kRouteTimeout, 200ms))
        << text;
    EXPECT_EQ(frr_->show_route(kPlain).find("metric 50"), std::string::npos) << frr_->show_route(kPlain);
    // BIRD keeps the community the route was tagged with: export policy filtered, did not strip.
    EXPECT_NE(bird_->show_route(kSteered).find("65061"), std::string::npos) << bird_->show_route(kSteered);
    // The API's advertised view is the post-policy one.
    const auto sessions = rs_->sessions_of(address(62));
    ASSERT_EQ(sessions.size(), 1U);
    const auto advertised = rs_->call([id = sessions[0].rib_id](server::RouteServer& s) {
        std::vector<std::string> out;
        for (const auto& r : s.rib().adj_rib_out(id)) {
            out.push_back(r.prefix.to_string());
        }
        return out;
    });
    EXPECT_NE(std::find(advertised.begin(), advertised.end(), kSteered), advertised.end());
    EXPECT_EQ(std::find(advertised.begin(), advertised.end(), kPlain), advertised.end());
}

TEST_F(ExportPolicyInterop, ChangedExportPoliciesApplyWithoutASessionReset) {
    ASSERT_TRUE(wait_until([] { return bird_->has_route(kSteered) && frr_->has_route(kPlain); },
                           kRouteTimeout, 200ms))
        << bird_->log() << frr_->log();
    const std::size_t bird_ups = established_count(62);
    const std::size_t frr_ups = established_count(63);
    ASSERT_EQ(bird_ups, 1U);

    // BIRD is sent everything now: the plain route arrives.
    ASSERT_TRUE(set_export(62, "everything"));
    EXPECT_TRUE(wait_until([] { return bird_->has_route(kPlain); }, kRouteTimeout, 200ms)) << bird_->log();
    // FRR's policy goes: the tagged route is sent again, without the MED.
    ASSERT_TRUE(set_export(63, ""));
    std::string text;
    EXPECT_TRUE(wait_until(
        [&] {
            text = frr_->show_route(kSteered);
            return frr_->has_route(kSteered) && text.find("metric 50") == std::string::npos;
        },
        kRouteTimeout, 200ms))
        << text;
    // OpenBGPD, left in the group BIRD had, is not sent the plain route.
    if (openbgpd_ != nullptr) {
        EXPECT_FALSE(openbgpd_->has_route(kPlain)) << openbgpd_->show_route(kPlain);
    }
    // And back: the plain route is withdrawn from BIRD only.
    ASSERT_TRUE(set_export(62, "only-steered"));
    EXPECT_TRUE(wait_until([] { return !bird_->has_route(kPlain); }, kRouteTimeout, 200ms)) << bird_->log();
    EXPECT_TRUE(bird_->has_route(kSteered));
    EXPECT_TRUE(frr_->has_route(kPlain));
    EXPECT_EQ(established_count(62), bird_ups);
    EXPECT_EQ(established_count(63), frr_ups);
}

}  // namespace
}  // namespace rf::testing
