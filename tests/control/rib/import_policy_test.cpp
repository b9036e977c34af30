// Import policy in the RIB: rejected routes stay out of the Loc-RIB, the other peers and the FIB;
// rewritten ones carry the new attributes; a changed policy is applied again to the routes as received
// (soft reconfiguration) with no session change; RFC 8212's switch; the queries name the statements.
#include <gtest/gtest.h>

#include "control/policy/compile.hpp"
#include "rib_test_util.hpp"

namespace rf::rib {
namespace {

using namespace rf::rib::test;

// Peer 1 (an NVA, 65001) behind import policies; peer 2 (65002) receives what passes.
class ImportPolicyTest : public RibTest {
protected:
    std::shared_ptr<const policy::Library> library;

    policy::Chain chain(const std::string& name) {
        policy::Definitions d;
        d.community_sets.push_back(policy::CommunitySetDef{"tagged", {"65001:666"}});
        policy::PolicyDef no_bogons{"no-bogons", {}, "accept"};
        no_bogons.statements.push_back(policy::StatementDef{"bogons", {}, {}, "reject"});
        no_bogons.statements[0].match.prefix_set = policy::SetMatchDef{"bogons", "any"};
        policy::PolicyDef tag{"tag", {}, "accept"};
        tag.statements.push_back(policy::StatementDef{"mark", {}, {}, "continue"});
        tag.statements[0].modify.add_communities = {"65515:1"};
        tag.statements[0].modify.med = 7;
        policy::PolicyDef drop_tagged{"drop-tagged", {}, "accept"};
        drop_tagged.statements.push_back(policy::StatementDef{"tagged", {}, {}, "reject"});
        drop_tagged.statements[0].match.community_set = policy::SetMatchDef{"tagged", "any"};
        d.policies = {no_bogons, tag, drop_tagged};
        library = std::get<std::shared_ptr<const policy::Library>>(policy::compile(d));
        return library->chain({name});
    }

    PeerConfig with_policy(PeerId id, std::uint32_t asn, const std::string& name) {
        PeerConfig c = peer(id, asn);
        c.import_policy = chain(name);
        return c;
    }
};

TEST_F(ImportPolicyTest, RejectedRouteReachesNobodyAndIsNamed) {
    up(with_policy(1, 65001, "no-bogons"));
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"192.168.10.0/24", "198.51.7.0/24"}));
    EXPECT_FALSE(rib.lookup(P("192.168.10.0/24")));
    EXPECT_TRUE(rib.lookup(P("198.51.7.0/24")));
    EXPECT_EQ(views[2].table.count(P("192.168.10.0/24")), 0U);
    EXPECT_EQ(views[2].table.count(P("198.51.7.0/24")), 1U);
    EXPECT_EQ(sink.fib.count(P("192.168.10.0/24")), 0U);
    EXPECT_EQ(rib.adj_rib_in(1).size(), 1U);  // post-policy
    const auto received = rib.adj_rib_in_received(1);
    ASSERT_EQ(received.size(), 2U);
    const LearnedRoute& bogon = received[0].prefix == P("192.168.10.0/24") ? received[0] : received[1];
    EXPECT_FALSE(bogon.accepted);
    EXPECT_EQ(bogon.policy, "no-bogons");
    EXPECT_EQ(bogon.statement, "bogons");
    EXPECT_EQ(bogon.decided_by, "statement");
    EXPECT_EQ(rib.import_rejected(1), 1U);
    EXPECT_EQ(rib.stats().import_rejected, 1U);
    EXPECT_EQ(rib.stats().pre_policy_routes, 2U);
}

TEST_F(ImportPolicyTest, ARejectedUpdateWithdrawsTheAcceptedVersion) {
    up(with_policy(1, 65001, "drop-tagged"));
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"198.51.7.0/24"}));
    ASSERT_EQ(views[2].table.count(P("198.51.7.0/24")), 1U);
    bgp::PathAttributes tagged = attrs({65001}, "10.1.0.1");
    tagged.communities.push_back((65001U << 16) | 666);
    send(1, v4_update(tagged, {"198.51.7.0/24"}));
    EXPECT_EQ(views[2].table.count(P("198.51.7.0/24")), 0U);
    EXPECT_FALSE(rib.lookup(P("198.51.7.0/24")));
    // Withdrawn by the peer: gone from the pre-policy state too.
    send(1, v4_withdraw({"198.51.7.0/24"}));
    EXPECT_TRUE(rib.adj_rib_in_received(1).empty());
}

TEST_F(ImportPolicyTest, RewrittenRouteCarriesTheNewAttributes) {
    up(with_policy(1, 65001, "tag"));
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"198.51.7.0/24"}));
    const auto& got = views[2].table.at(P("198.51.7.0/24")).attributes;
    EXPECT_TRUE(got.has_community((65515U << 16) | 1));
    EXPECT_EQ(got.med, 7U);
    const auto entry = rib.lookup(P("198.51.7.0/24"));
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->paths[0].rewritten_by, "tag/mark");
    const auto received = rib.adj_rib_in_received(1);
    ASSERT_EQ(received.size(), 1U);
    EXPECT_FALSE(received[0].attributes.has_community((65515U << 16) | 1));  // as received
    EXPECT_EQ(received[0].rewritten_by, "tag/mark");
}

TEST_F(ImportPolicyTest, ChangedPolicyIsAppliedAgainWithoutTheSession) {
    up(2, 65002);
    up(1, 65001);  // no policy yet: Azure's behaviour, everything accepted, nothing kept twice
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"192.168.10.0/24", "198.51.7.0/24"}));
    EXPECT_EQ(views[2].table.size(), 2U);
    EXPECT_EQ(rib.stats().pre_policy_routes, 0U);

    auto r = rib.set_import_policy(1, chain("no-bogons"), false);
    drain_into(rib, views);
    EXPECT_EQ(r.evaluated, 2U);
    EXPECT_EQ(r.rejected, 1U);
    EXPECT_EQ(views[2].table.count(P("192.168.10.0/24")), 0U);
    EXPECT_EQ(views[2].table.count(P("198.51.7.0/24")), 1U);
    EXPECT_EQ(sink.fib.count(P("192.168.10.0/24")), 0U);
    EXPECT_TRUE(rib.is_up(1));

    // Policy removed again: the route it rejected comes back from the pre-policy state.
    r = rib.set_import_policy(1, {}, false);
    drain_into(rib, views);
    EXPECT_EQ(views[2].table.count(P("192.168.10.0/24")), 1U);
    EXPECT_EQ(rib.stats().pre_policy_routes, 0U);

    // A policy that rewrites, then one that does not: the attributes follow.
    rib.set_import_policy(1, chain("tag"), false);
    drain_into(rib, views);
    EXPECT_TRUE(views[2].table.at(P("198.51.7.0/24")).attributes.has_community((65515U << 16) | 1));
    rib.set_import_policy(1, chain("no-bogons"), false);
    drain_into(rib, views);
    EXPECT_FALSE(views[2].table.at(P("198.51.7.0/24")).attributes.has_community((65515U << 16) | 1));
}

TEST_F(ImportPolicyTest, Rfc8212RejectsEverythingFromAPeerWithoutPolicy) {
    PeerConfig c = peer(1, 65001);
    c.policy_required = true;
    up(c);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"198.51.7.0/24"}));
    EXPECT_FALSE(rib.lookup(P("198.51.7.0/24")));
    const auto received = rib.adj_rib_in_received(1);
    ASSERT_EQ(received.size(), 1U);
    EXPECT_FALSE(received[0].accepted);
    EXPECT_EQ(received[0].decided_by, "rfc8212");
    // Given a policy, the kept route is accepted at once.
    rib.set_import_policy(1, chain("no-bogons"), true);
    drain_into(rib, views);
    EXPECT_EQ(views[2].table.count(P("198.51.7.0/24")), 1U);
}

TEST_F(ImportPolicyTest, Ipv6RoutesAreFilteredToo) {
    PeerConfig c = with_policy(1, 65001, "no-bogons");
    c.families.push_back({net::Afi::Ipv6, net::Safi::Unicast});
    up(c);
    send(1, v6_update(attrs({65001}), "2001:db8:ffff::1", {"2001:db8:1::/48", "2a00:1::/32"}));
    EXPECT_FALSE(rib.lookup(P("2001:db8:1::/48")));
    EXPECT_TRUE(rib.lookup(P("2a00:1::/32")));
}

}  // namespace
}  // namespace rf::rib
