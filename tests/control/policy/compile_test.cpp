#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace rf::policy {
namespace {

using namespace rf::policy::test;

bool has(const std::vector<CompileError>& errors, std::string_view path, std::string_view words) {
    for (const auto& e : errors) {
        if (e.path == path && e.message.find(words) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(Compile, ErrorsNameTheFieldPath) {
    Definitions d;
    d.prefix_sets.push_back(PrefixSetDef{"p",
                                         {{P("10.0.0.0/16"), 8, std::nullopt},
                                          {P("10.0.0.0/16"), 24, 20},
                                          {P("10.0.0.0/16"), std::nullopt, 33}}});
    d.prefix_sets.push_back(PrefixSetDef{"p", {}});
    d.prefix_sets.push_back(PrefixSetDef{"bogons", {}});
    d.as_path_sets.push_back(AsPathSetDef{"a", {"^65001_", "_650(01"}});
    d.community_sets.push_back(CommunitySetDef{"c", {"65001:100", "65001"}});
    PolicyDef p{"in", {}, "maybe"};
    StatementDef s{"s", {}, {}, "drop"};
    s.match.prefix_set = SetMatchDef{"nope", "all"};
    s.match.community_set = SetMatchDef{"c", "sometimes"};
    s.match.rpki = {"valid", "green"};
    s.modify.add_communities = {"65001:*"};
    s.modify.prepend = PrependDef{0, 0};
    p.statements = {s, StatementDef{"s", {}, {}, "accept"}, StatementDef{}};
    d.policies = {p, PolicyDef{"in", {}, "accept"}};
    const auto e = errors_of(d);
    EXPECT_TRUE(has(e, "policy.prefix_sets[0].prefixes[0].ge", "prefix length 16"));
    EXPECT_TRUE(has(e, "policy.prefix_sets[0].prefixes[1].le", "less than ge 24"));
    EXPECT_TRUE(has(e, "policy.prefix_sets[0].prefixes[2].le", "between"));
    EXPECT_TRUE(has(e, "policy.prefix_sets[1].name", "defined twice"));
    EXPECT_TRUE(has(e, "policy.prefix_sets[2].name", "built-in"));
    EXPECT_TRUE(has(e, "policy.as_path_sets[0].patterns[1]", "_650(01"));
    EXPECT_TRUE(has(e, "policy.community_sets[0].communities[1]", "65001"));
    EXPECT_TRUE(has(e, "policy.policies[0].default_action", "maybe"));
    EXPECT_TRUE(
        has(e, "policy.policies[0].statements[0].match.prefix_set.set", "no prefix set named 'nope'"));
    EXPECT_TRUE(has(e, "policy.policies[0].statements[0].match.prefix_set.match", "any, invert"));
    EXPECT_TRUE(has(e, "policy.policies[0].statements[0].match.community_set.match", "sometimes"));
    EXPECT_TRUE(has(e, "policy.policies[0].statements[0].match.rpki[1]", "green"));
    EXPECT_TRUE(has(e, "policy.policies[0].statements[0].modify.add_communities[0]", "wildcard"));
    EXPECT_TRUE(has(e, "policy.policies[0].statements[0].modify.prepend.count", "1-32"));
    EXPECT_TRUE(has(e, "policy.policies[0].statements[0].modify.prepend.asn", "AS 0"));
    EXPECT_TRUE(has(e, "policy.policies[0].statements[0].action", "drop"));
    EXPECT_TRUE(has(e, "policy.policies[0].statements[1].name", "used twice"));
    EXPECT_TRUE(has(e, "policy.policies[0].statements[2].name", "needs a name"));
    EXPECT_TRUE(has(e, "policy.policies[1].name", "defined twice"));
}

TEST(Compile, ValidDefinitionsGiveChainsInOrder) {
    Definitions d;
    d.prefix_sets.push_back(
        PrefixSetDef{"p", {{P("10.0.0.0/8"), 16, 24}, {P("2001:db8::/32"), std::nullopt, 48}}});
    d.policies = {PolicyDef{"a", {}, "next-policy"}, PolicyDef{"b", {}, "accept"}};
    auto lib = library(d);
    const Chain c = lib->chain({"b", "a", "missing"});
    ASSERT_EQ(c.size(), 2U);
    EXPECT_EQ(c[0]->name, "b");
    EXPECT_EQ(c[1]->name, "a");
    EXPECT_EQ(lib->find("missing"), nullptr);
}

TEST(Compile, BuiltinSetsNeedNoDefinition) {
    Definitions d;
    PolicyDef p{"in", {}, "accept"};
    p.statements.push_back(StatementDef{"m", {}, {}, "reject"});
    p.statements[0].match.prefix_set = SetMatchDef{"martians", "any"};
    d.policies = {p};
    auto lib = library(d);
    ASSERT_NE(lib->find("in"), nullptr);
    TestRoute r("127.0.0.0/8", {1}, "10.0.0.1");
    EXPECT_FALSE(evaluate(lib->chain({"in"}), r.view(), Context{65515}).accepted);
}

}  // namespace
}  // namespace rf::policy
