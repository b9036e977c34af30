#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace rf::policy {
namespace {

using namespace rf::policy::test;

constexpr Context kCtx{65515};

struct Fixture : ::testing::Test {
    Definitions defs;
    std::shared_ptr<const Library> lib;
    Chain chain(std::vector<std::string> names) {
        lib = library(defs);
        return lib->chain(names);
    }
    StatementDef& statement(PolicyDef& p, std::string name, std::string action) {
        p.statements.push_back(StatementDef{std::move(name), {}, {}, std::move(action)});
        return p.statements.back();
    }
};

TEST_F(Fixture, EmptyChainAcceptsUnchanged) {
    TestRoute r("192.0.2.0/24", {65001}, "10.0.0.1");
    const Verdict v = evaluate({}, r.view(), kCtx);
    EXPECT_TRUE(v.accepted);
    EXPECT_EQ(v.decided_by, DecidedBy::NoPolicy);
    EXPECT_FALSE(v.modified());
}

TEST_F(Fixture, BogonStatementRejectsAndNamesItself) {
    PolicyDef p{"in", {}, "accept"};
    statement(p, "no-bogons", "reject").match.prefix_set = SetMatchDef{"bogons", "any"};
    defs.policies.push_back(p);
    const Chain c = chain({"in"});
    TestRoute bogon("192.168.0.0/16", {65001}, "10.0.0.1");
    const Verdict v = evaluate(c, bogon.view(), kCtx);
    EXPECT_FALSE(v.accepted);
    EXPECT_EQ(v.decided_by, DecidedBy::Statement);
    EXPECT_EQ(v.decision, (StatementRef{"in", "no-bogons"}));
    TestRoute good("8.8.8.0/24", {65001}, "10.0.0.1");
    const Verdict g = evaluate(c, good.view(), kCtx);
    EXPECT_TRUE(g.accepted);
    EXPECT_EQ(g.decided_by, DecidedBy::PolicyDefault);
    EXPECT_EQ(g.decision, (StatementRef{"in", ""}));
}

TEST_F(Fixture, InvertMatchesWhatIsNotInTheSet) {
    defs.prefix_sets.push_back(PrefixSetDef{"mine", {{P("203.0.113.0/24"), std::nullopt, 28}}});
    PolicyDef p{"in", {}, "accept"};
    statement(p, "only-mine", "reject").match.prefix_set = SetMatchDef{"mine", "invert"};
    defs.policies.push_back(p);
    const Chain c = chain({"in"});
    EXPECT_TRUE(evaluate(c, TestRoute("203.0.113.16/28", {1}, "10.0.0.1").view(), kCtx).accepted);
    EXPECT_FALSE(evaluate(c, TestRoute("203.0.113.16/29", {1}, "10.0.0.1").view(), kCtx).accepted);
    EXPECT_FALSE(evaluate(c, TestRoute("198.18.0.0/24", {1}, "10.0.0.1").view(), kCtx).accepted);
}

TEST_F(Fixture, AsPathSetAnyAllInvert) {
    defs.as_path_sets.push_back(AsPathSetDef{"s", {"^65001_", "_65002$"}});
    for (auto [match, path, expected] :
         std::vector<std::tuple<std::string, std::vector<std::uint32_t>, bool>>{
             {"any", {65001, 7}, true},
             {"any", {7, 8}, false},
             {"all", {65001, 7}, false},
             {"all", {65001, 65002}, true},
             {"invert", {7, 8}, true},
             {"invert", {7, 65002}, false},
         }) {
        defs.policies.clear();
        PolicyDef p{"in", {}, "reject"};
        statement(p, "m", "accept").match.as_path_set = SetMatchDef{"s", match};
        defs.policies.push_back(p);
        TestRoute r("8.8.8.0/24", {}, "10.0.0.1");
        bgp::AsPath ap;
        ap.segments.push_back(bgp::AsSegment{bgp::AsSegmentType::Sequence, {}});
        for (auto a : path) {
            ap.segments[0].asns.push_back(a);
        }
        r.attributes.as_path = ap;
        EXPECT_EQ(evaluate(chain({"in"}), r.view(), kCtx).accepted, expected) << match;
    }
}

TEST_F(Fixture, CommunitySetAnyAllInvert) {
    defs.community_sets.push_back(CommunitySetDef{"c", {"65001:*", "65009:1:2"}});
    TestRoute r("8.8.8.0/24", {1}, "10.0.0.1");
    r.attributes.communities.push_back((65001U << 16) | 5);
    for (auto [match, large, expected] : std::vector<std::tuple<std::string, bool, bool>>{
             {"any", false, true}, {"all", false, false}, {"all", true, true}, {"invert", false, false}}) {
        defs.policies.clear();
        PolicyDef p{"in", {}, "reject"};
        statement(p, "m", "accept").match.community_set = SetMatchDef{"c", match};
        defs.policies.push_back(p);
        TestRoute x = r;
        if (large) {
            x.attributes.large_communities.push_back({65009, 1, 2});
        }
        EXPECT_EQ(evaluate(chain({"in"}), x.view(), kCtx).accepted, expected) << match;
    }
}

TEST_F(Fixture, NextHopSetAndRpkiState) {
    defs.next_hop_sets.push_back(NextHopSetDef{"nva1", {P("10.0.1.4/32")}});
    PolicyDef p{"in", {}, "reject"};
    auto& s = statement(p, "m", "accept");
    s.match.next_hop_set = SetMatchDef{"nva1", "any"};
    s.match.rpki = {"valid", "not-found"};
    defs.policies.push_back(p);
    const Chain c = chain({"in"});
    TestRoute r("8.8.8.0/24", {1}, "10.0.1.4");
    r.validity = rpki::Validity::Valid;
    EXPECT_TRUE(evaluate(c, r.view(), kCtx).accepted);
    r.validity = rpki::Validity::Invalid;
    EXPECT_FALSE(evaluate(c, r.view(), kCtx).accepted);
    r.validity = rpki::Validity::NotFound;
    r.next_hops[0] = A("10.0.1.5");
    EXPECT_FALSE(evaluate(c, r.view(), kCtx).accepted);
}

TEST_F(Fixture, CommunityActionsReplaceRemoveAdd) {
    PolicyDef p{"in", {}, "accept"};
    auto& s = statement(p, "tag", "continue");
    s.modify.remove_communities = {"65001:*", "rt:*:*"};
    s.modify.add_communities = {"65515:7", "65515:1:1", "soo:65515:3"};
    defs.policies.push_back(p);
    TestRoute r("8.8.8.0/24", {1}, "10.0.0.1");
    r.attributes.communities = {(65001U << 16) | 1, (65002U << 16) | 2};
    r.attributes.extended_communities = {parse_community("rt:65001:1").pattern->extended()};
    const Verdict v = evaluate(chain({"in"}), r.view(), kCtx);
    ASSERT_TRUE(v.accepted);
    ASSERT_TRUE(v.attributes);
    EXPECT_EQ(std::vector<std::uint32_t>(v.attributes->communities.begin(), v.attributes->communities.end()),
              (std::vector<std::uint32_t>{(65002U << 16) | 2, (65515U << 16) | 7}));
    EXPECT_EQ(v.attributes->large_communities, (std::vector<bgp::LargeCommunity>{{65515, 1, 1}}));
    ASSERT_EQ(v.attributes->extended_communities.size(), 1U);
    EXPECT_EQ(v.attributes->extended_communities[0] >> 48, 0x0003U);  // soo, AS2 type
    EXPECT_EQ(v.rewritten_by, (std::vector<StatementRef>{{"in", "tag"}}));
    EXPECT_EQ(v.decided_by, DecidedBy::PolicyDefault);

    defs.policies[0].statements[0].modify = {};
    defs.policies[0].statements[0].modify.replace_communities = std::vector<std::string>{"65515:9"};
    const Verdict w = evaluate(chain({"in"}), r.view(), kCtx);
    EXPECT_EQ(w.attributes->communities.size(), 1U);
    EXPECT_TRUE(w.attributes->extended_communities.empty());
}

TEST_F(Fixture, PrependMedAndNextHop) {
    PolicyDef p{"in", {}, "reject"};
    auto& s = statement(p, "rewrite", "accept");
    s.modify.prepend = PrependDef{std::nullopt, 2};
    s.modify.med = 50;
    s.modify.next_hop = A("10.9.9.9");
    defs.policies.push_back(p);
    TestRoute r("8.8.8.0/24", {65001}, "10.0.0.1");
    const Verdict v = evaluate(chain({"in"}), r.view(), kCtx);
    ASSERT_TRUE(v.accepted && v.attributes);
    EXPECT_EQ(v.attributes->as_path->to_string(), "65515 65515 65001");
    EXPECT_EQ(v.attributes->med, 50U);
    EXPECT_EQ(v.attributes->next_hop, A("10.9.9.9").as_v4());
    EXPECT_EQ(v.next_hop, A("10.9.9.9"));
    // A next hop of the other family leaves an IPv6 route's next hop alone.
    TestRoute r6("2001:db8:1::/48", {65001}, "2001:db8::1");
    const Verdict v6 = evaluate(chain({"in"}), r6.view(), kCtx);
    EXPECT_FALSE(v6.next_hop);
    EXPECT_EQ(v6.attributes->as_path->to_string(), "65515 65515 65001");
    // A given ASN.
    defs.policies[0].statements[0].modify.prepend = PrependDef{65009, 1};
    EXPECT_EQ(evaluate(chain({"in"}), r.view(), kCtx).attributes->as_path->to_string(), "65009 65001");
}

TEST_F(Fixture, LaterStatementsSeeEarlierModifications) {
    defs.community_sets.push_back(CommunitySetDef{"tagged", {"65515:1"}});
    defs.as_path_sets.push_back(AsPathSetDef{"prepended", {"^65515_65515_"}});
    PolicyDef p{"in", {}, "reject"};
    statement(p, "tag", "continue").modify.add_communities = {"65515:1"};
    auto& pre = statement(p, "prepend", "continue");
    pre.match.community_set = SetMatchDef{"tagged", "any"};
    pre.modify.prepend = PrependDef{std::nullopt, 2};
    statement(p, "check", "accept").match.as_path_set = SetMatchDef{"prepended", "any"};
    defs.policies.push_back(p);
    const Verdict v = evaluate(chain({"in"}), TestRoute("8.8.8.0/24", {65001}, "10.0.0.1").view(), kCtx);
    EXPECT_TRUE(v.accepted);
    EXPECT_EQ(v.decision, (StatementRef{"in", "check"}));
    EXPECT_EQ(v.rewritten_by.size(), 2U);
}

TEST_F(Fixture, NextPolicyHandsOnAndTheEndRejects) {
    PolicyDef a{"a", {}, "next-policy"};
    statement(a, "tag", "continue").modify.med = 5;
    PolicyDef b{"b", {}, "next-policy"};
    PolicyDef c{"c", {}, "accept"};
    defs.policies = {a, b, c};
    TestRoute r("8.8.8.0/24", {1}, "10.0.0.1");
    const Verdict v = evaluate(chain({"a", "b", "c"}), r.view(), kCtx);
    EXPECT_TRUE(v.accepted);
    EXPECT_EQ(v.decision, (StatementRef{"c", ""}));
    EXPECT_EQ(v.attributes->med, 5U);
    const Verdict end = evaluate(chain({"a", "b"}), r.view(), kCtx);
    EXPECT_FALSE(end.accepted);
    EXPECT_EQ(end.decided_by, DecidedBy::EndOfChain);
    EXPECT_TRUE(end.rewritten_by.empty());
    EXPECT_FALSE(end.attributes);
}

TEST_F(Fixture, StatementWithoutConditionsAlwaysApplies) {
    PolicyDef p{"in", {}, "accept"};
    statement(p, "all", "reject");
    defs.policies.push_back(p);
    EXPECT_FALSE(evaluate(chain({"in"}), TestRoute("8.8.8.0/24", {1}, "10.0.0.1").view(), kCtx).accepted);
}

}  // namespace
}  // namespace rf::policy
