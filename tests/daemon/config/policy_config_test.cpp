// The policy section in YAML: what it reads, the round trip, and every error with its field path.
#include <gtest/gtest.h>

#include "daemon/config/config.hpp"

namespace rf::config {
namespace {

const std::string kBase = R"(
route_server:
  listen: [10.1.255.4]
  ebgp_requires_policy: true
peers:
  - name: nva1
    address: 10.1.1.4
    asn: 65001
    import_policy: [from-nva, tag]
)";

const std::string kPolicy = R"(
policy:
  prefix_sets:
    - name: lab
      prefixes:
        - 10.50.0.0/16
        - {prefix: 10.60.0.0/16, ge: 24}
        - {prefix: 2001:db8:100::/40, le: 48}
  as_path_sets:
    - {name: leak, patterns: ["_6500[5-9]_", "^65001_"]}
  community_sets:
    - {name: steer, communities: ["65001:100", "65001:*:*", "rt:65001:*"]}
  next_hop_sets:
    - {name: nva1, next_hops: [10.1.1.4, 10.2.0.0/24]}
  policies:
    - name: from-nva
      default_action: next-policy
      statements:
        - name: no-bogons
          match: {prefix_set: martians}
          action: reject
        - name: no-leaks
          match:
            as_path_set: {set: leak, match: any}
            rpki: [invalid]
          action: reject
    - name: tag
      default_action: accept
      statements:
        - name: mark
          match: {prefix_set: {set: lab, match: invert}, next_hop_set: nva1}
          modify:
            add_communities: ["65515:1"]
            remove_communities: ["65001:*"]
            prepend: {count: 2}
            med: 10
            next_hop: 10.1.1.9
    - name: to-nva
      statements:
        - name: steered
          match: {community_set: {set: steer, match: all}}
          action: accept
)";

TEST(PolicyConfig, ReadsEverySetAndStatement) {
    auto r = load_text(kBase + kPolicy);
    ASSERT_TRUE(r) << format_errors(r.error());
    const Config& c = *r;
    EXPECT_TRUE(c.route_server.ebgp_requires_policy);
    EXPECT_EQ(c.peers[0].import_policy, (std::vector<std::string>{"from-nva", "tag"}));
    ASSERT_EQ(c.policy.prefix_sets.size(), 1U);
    EXPECT_EQ(c.policy.prefix_sets[0].prefixes[1].ge, 24);
    EXPECT_EQ(c.policy.prefix_sets[0].prefixes[2].le, 48);
    EXPECT_EQ(c.policy.next_hop_sets[0].next_hops[0], *net::Prefix::parse("10.1.1.4/32"));
    ASSERT_EQ(c.policy.policies.size(), 3U);
    const auto& mark = c.policy.policies[1].statements[0];
    EXPECT_EQ(mark.match.prefix_set->match, "invert");
    EXPECT_EQ(mark.match.next_hop_set->set, "nva1");
    EXPECT_EQ(mark.modify.prepend->count, 2);
    EXPECT_FALSE(mark.modify.prepend->asn);
    EXPECT_EQ(mark.action, "continue");
    EXPECT_EQ(c.policy.policies[2].default_action, "reject");
}

TEST(PolicyConfig, RoundTripsThroughYaml) {
    auto r = load_text(kBase + kPolicy);
    ASSERT_TRUE(r);
    const std::string text = to_yaml(*r);
    auto again = load_text(text);
    ASSERT_TRUE(again) << format_errors(again.error()) << "\n" << text;
    EXPECT_EQ(*again, *r);
}

bool has_error(const Errors& errors, const std::string& path, const std::string& text) {
    for (const ConfigError& e : errors) {
        if (e.path == path && e.message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

Errors errors_of(const std::string& yaml) {
    auto r = load_text(yaml);
    return r ? Errors{} : r.error();
}

TEST(PolicyConfig, BadPoliciesAreRefusedWithTheFieldPath) {
    const std::string bad = R"(
policy:
  prefix_sets:
    - name: p
      prefixes:
        - {prefix: 10.0.0.0/16, ge: 8}
        - {prefix: 10.0.0.0/16, ge: 24, le: 20}
        - {prefix: 10.0.0.0/16, gt: 20}
  as_path_sets:
    - {name: a, patterns: ["_650(01"]}
  policies:
    - name: from-nva
      statements:
        - name: s
          match: {prefix_set: nope, community_set: missing}
          action: drop
    - name: tag
    - name: to-nva
)";
    const Errors e = errors_of(kBase + bad);
    EXPECT_TRUE(has_error(e, "policy.prefix_sets[0].prefixes[0].ge", "prefix length 16")) << format_errors(e);
    EXPECT_TRUE(has_error(e, "policy.prefix_sets[0].prefixes[1].le", "less than ge"));
    EXPECT_TRUE(has_error(e, "policy.prefix_sets[0].prefixes[2].gt", "unknown key"));
    EXPECT_TRUE(has_error(e, "policy.as_path_sets[0].patterns[0]", "not a valid regular expression"));
    EXPECT_TRUE(
        has_error(e, "policy.policies[0].statements[0].match.prefix_set.set", "no prefix set named 'nope'"));
    EXPECT_TRUE(has_error(e, "policy.policies[0].statements[0].match.community_set.set", "missing"));
    EXPECT_TRUE(has_error(e, "policy.policies[0].statements[0].action", "drop"));
}

TEST(PolicyConfig, PeerNamingAnUnknownPolicyIsRefused) {
    const Errors e = errors_of(kBase + "policy:\n  policies:\n    - name: tag\n");
    EXPECT_TRUE(has_error(e, "peers[0].import_policy[0]", "no policy named 'from-nva'")) << format_errors(e);
    EXPECT_FALSE(has_error(e, "peers[0].import_policy[1]", ""));
}

TEST(PolicyConfig, ExportPolicyIsReadRoundTripsAndNamesItsField) {
    std::string yaml = kBase + kPolicy;
    const std::string import_line = "    import_policy: [from-nva, tag]\n";
    yaml.replace(yaml.find(import_line), import_line.size(),
                 import_line + "    export_policy: [to-nva, tag]\n");
    auto r = load_text(yaml);
    ASSERT_TRUE(r) << format_errors(r.error());
    EXPECT_EQ(r->peers[0].export_policy, (std::vector<std::string>{"to-nva", "tag"}));
    auto again = load_text(to_yaml(*r));
    ASSERT_TRUE(again) << format_errors(again.error());
    EXPECT_EQ(*again, *r);

    std::string unknown = kBase + kPolicy;
    unknown.replace(unknown.find(import_line), import_line.size(),
                    import_line + "    export_policy: [tag, nope]\n");
    const Errors e = errors_of(unknown);
    EXPECT_TRUE(has_error(e, "peers[0].export_policy[1]", "no policy named 'nope'")) << format_errors(e);
    EXPECT_FALSE(has_error(e, "peers[0].export_policy[0]", ""));
}

}  // namespace
}  // namespace rf::config
