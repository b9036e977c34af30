// Export policy in the RIB: per peer, on the way to its Adj-RIB-Out. A rejected route is not sent to
// that peer (withdrawn where it stood), a rewrite changes only what that peer receives, peers with
// different export chains are in different update groups, a changed chain sends only the difference,
// and RFC 8212's switch leaves a peer without export policy with nothing learned.
#include <gtest/gtest.h>

#include "control/policy/compile.hpp"
#include "rib_test_util.hpp"

namespace rf::rib {
namespace {

using namespace rf::rib::test;

constexpr std::uint32_t kSteer = (65001U << 16) | 100;

// Peer 1 (an NVA, 65001) sends; peers 2, 3, 4 receive through export policies.
class ExportPolicyTest : public RibTest {
protected:
    std::shared_ptr<const policy::Library> library;

    ExportPolicyTest() {
        policy::Definitions d;
        d.community_sets.push_back(policy::CommunitySetDef{"steer", {"65001:100"}});
        // Only routes tagged 65001:100.
        policy::PolicyDef only_steered{"only-steered", {}, "reject"};
        only_steered.statements.push_back(policy::StatementDef{"steered", {}, {}, "accept"});
        only_steered.statements[0].match.community_set = policy::SetMatchDef{"steer", "any"};
        // Routes tagged 65001:100 get MED 50 and a prepend; the others pass unchanged.
        policy::PolicyDef med_steered{"med-steered", {}, "accept"};
        med_steered.statements.push_back(policy::StatementDef{"steered", {}, {}, "accept"});
        med_steered.statements[0].match.community_set = policy::SetMatchDef{"steer", "any"};
        med_steered.statements[0].modify.med = 50;
        med_steered.statements[0].modify.add_communities = {"65515:7"};
        policy::PolicyDef everything{"everything", {}, "accept"};
        d.policies = {only_steered, med_steered, everything};
        library = std::get<std::shared_ptr<const policy::Library>>(policy::compile(d));
    }

    PeerConfig exporting(PeerId id, std::uint32_t asn, const std::string& name) {
        PeerConfig c = peer(id, asn);
        c.export_policy = library->chain({name});
        return c;
    }

    bgp::PathAttributes steered() {
        bgp::PathAttributes a = attrs({65001}, "10.1.0.1");
        a.communities.push_back(kSteer);
        return a;
    }
};

TEST_F(ExportPolicyTest, RejectedRoutesNeverReachThatPeerOnly) {
    up(1, 65001);
    up(exporting(2, 65002, "only-steered"));
    up(3, 65003);
    send(1, v4_update(steered(), {"198.51.1.0/24"}));
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"198.51.2.0/24"}));
    EXPECT_EQ(views[2].table.count(P("198.51.1.0/24")), 1U);
    EXPECT_EQ(views[2].table.count(P("198.51.2.0/24")), 0U);
    EXPECT_EQ(views[3].table.size(), 2U);  // no export policy: everything, as before
    // The API's view is the same as the wire's.
    const auto advertised = rib.adj_rib_out(2);
    ASSERT_EQ(advertised.size(), 1U);
    EXPECT_EQ(advertised[0].prefix, P("198.51.1.0/24"));
    // A route that loses its tag is withdrawn from peer 2 only.
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"198.51.1.0/24"}));
    EXPECT_EQ(views[2].table.count(P("198.51.1.0/24")), 0U);
    EXPECT_EQ(views[3].table.count(P("198.51.1.0/24")), 1U);
    // A peer that comes up later gets the filtered table too.
    up(exporting(4, 65004, "only-steered"));
    EXPECT_TRUE(views[4].table.empty());
    send(1, v4_update(steered(), {"198.51.2.0/24"}));
    EXPECT_EQ(views[4].table.count(P("198.51.2.0/24")), 1U);
    EXPECT_EQ(views[2].table.count(P("198.51.2.0/24")), 1U);
}

TEST_F(ExportPolicyTest, RewritesChangeOnlyWhatThatPeerReceives) {
    up(1, 65001);
    up(exporting(2, 65002, "med-steered"));
    up(3, 65003);
    send(1, v4_update(steered(), {"198.51.1.0/24", "198.51.3.0/24"}));
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"198.51.2.0/24"}));
    const auto& got = views[2].table.at(P("198.51.1.0/24")).attributes;
    EXPECT_EQ(got.med, 50U);
    EXPECT_TRUE(got.has_community((65515U << 16) | 7));
    EXPECT_EQ(views[2].table.at(P("198.51.3.0/24")).attributes.med, 50U);
    EXPECT_FALSE(views[2].table.at(P("198.51.2.0/24")).attributes.med);
    EXPECT_FALSE(views[3].table.at(P("198.51.1.0/24")).attributes.med);
    EXPECT_FALSE(views[3].table.at(P("198.51.1.0/24")).attributes.has_community((65515U << 16) | 7));
    // The Loc-RIB and the FIB are untouched by export policy.
    EXPECT_FALSE(rib.lookup(P("198.51.1.0/24"))->paths[0].attributes.med);
    const auto advertised = rib.adj_rib_out(2);
    ASSERT_EQ(advertised.size(), 3U);
    EXPECT_EQ(advertised[0].attributes.med, 50U);
}

TEST_F(ExportPolicyTest, DifferentExportChainsDoNotShareAnUpdateGroup) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    EXPECT_EQ(rib.stats().update_groups, 1U);
    up(exporting(4, 65004, "only-steered"));
    up(exporting(5, 65005, "only-steered"));
    EXPECT_EQ(rib.stats().update_groups, 2U);  // the same chain: one group
    up(exporting(6, 65006, "med-steered"));
    EXPECT_EQ(rib.stats().update_groups, 3U);
    rib.set_export_policy(6, {});
    EXPECT_EQ(rib.stats().update_groups, 2U);  // back with the peers without policy
}

TEST_F(ExportPolicyTest, ChangedPolicySendsOnlyTheDifference) {
    up(1, 65001);
    up(2, 65002);
    up(3, 65003);
    send(1, v4_update(steered(), {"198.51.1.0/24"}));
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"198.51.2.0/24", "198.51.3.0/24"}));
    ASSERT_EQ(views[2].table.size(), 3U);
    const std::size_t before = views[2].updates;
    const std::size_t others = views[3].updates;

    // Only the steered route stays: two withdrawals, nothing announced again, in one UPDATE.
    ASSERT_TRUE(rib.set_export_policy(2, library->chain({"only-steered"})));
    drain_into(rib, views);
    EXPECT_EQ(views[2].table.size(), 1U);
    EXPECT_EQ(views[2].table.count(P("198.51.1.0/24")), 1U);
    EXPECT_EQ(views[2].updates - before, 1U);
    EXPECT_EQ(views[3].updates, others);  // the other peers are not sent anything
    EXPECT_TRUE(rib.is_up(2));

    // A rewriting policy: the withdrawn routes come back, the steered one is announced again rewritten.
    const std::size_t withdrawn = views[2].withdrawn;
    rib.set_export_policy(2, library->chain({"med-steered"}));
    drain_into(rib, views);
    EXPECT_EQ(views[2].table.size(), 3U);
    EXPECT_EQ(views[2].table.at(P("198.51.1.0/24")).attributes.med, 50U);
    EXPECT_EQ(views[2].withdrawn, withdrawn);

    // A policy that accepts everything unchanged: only the rewritten route is sent again, as learned.
    const std::size_t announced = views[2].announced;
    rib.set_export_policy(2, library->chain({"everything"}));
    drain_into(rib, views);
    EXPECT_EQ(views[2].announced - announced, 1U);
    EXPECT_FALSE(views[2].table.at(P("198.51.1.0/24")).attributes.med);
    EXPECT_EQ(views[3].updates, others);

    // The same chain again: nothing at all.
    const std::size_t updates = views[2].updates;
    rib.set_export_policy(2, library->chain({"everything"}));
    drain_into(rib, views);
    EXPECT_EQ(views[2].updates, updates);
}

TEST_F(ExportPolicyTest, ANeighborWithPathsOfItsOwnIsReDiffedThroughPathHiding) {
    // Peer 1 holds the best path (shorter) for the prefix, peer 3 another: peer 1 receives peer 3's
    // (RFC 7947 path hiding), and its export policy applies to that one.
    up(1, 65001);
    up(3, 65003);
    up(2, 65002);
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"198.51.1.0/24"}));
    bgp::PathAttributes tagged = attrs({65003, 65003}, "10.3.0.1");
    tagged.communities.push_back(kSteer);
    send(3, v4_update(tagged, {"198.51.1.0/24"}));
    ASSERT_EQ(views[1].table.count(P("198.51.1.0/24")), 1U);
    ASSERT_EQ(views[2].table.at(P("198.51.1.0/24")).attributes.next_hop->to_string(), "10.1.0.1");

    rib.set_export_policy(1, library->chain({"med-steered"}));
    drain_into(rib, views);
    EXPECT_EQ(views[1].table.at(P("198.51.1.0/24")).attributes.med, 50U);
    EXPECT_EQ(views[1].table.at(P("198.51.1.0/24")).attributes.next_hop->to_string(), "10.3.0.1");
    EXPECT_FALSE(views[2].table.at(P("198.51.1.0/24")).attributes.med);

    // Peer 3's route loses its tag: peer 1 gets it without the MED, peer 2 still peer 1's path.
    send(3, v4_update(attrs({65003, 65003}, "10.3.0.1"), {"198.51.1.0/24"}));
    EXPECT_FALSE(views[1].table.at(P("198.51.1.0/24")).attributes.med);
    rib.set_export_policy(1, library->chain({"only-steered"}));
    drain_into(rib, views);
    EXPECT_EQ(views[1].table.count(P("198.51.1.0/24")), 0U);
    EXPECT_EQ(views[2].table.count(P("198.51.1.0/24")), 1U);
}

TEST_F(ExportPolicyTest, Rfc8212SendsNothingLearnedToAPeerWithoutExportPolicy) {
    up(1, 65001);
    PeerConfig c = peer(2, 65002);
    c.policy_required = true;
    c.import_policy = library->chain({"everything"});
    up(c);
    send(1, v4_update(attrs({65001}, "10.1.0.1"), {"198.51.1.0/24"}));
    EXPECT_TRUE(views[2].table.empty());
    EXPECT_TRUE(rib.adj_rib_out(2).empty());
    // Given an export policy, the route is sent at once.
    rib.set_export_policy(2, library->chain({"everything"}));
    drain_into(rib, views);
    EXPECT_EQ(views[2].table.count(P("198.51.1.0/24")), 1U);
    // The switch turned off by the import side's call: still sent (it has a chain anyway).
    rib.set_export_policy(2, {});
    drain_into(rib, views);
    EXPECT_TRUE(views[2].table.empty());
    rib.set_import_policy(2, library->chain({"everything"}), false);
    drain_into(rib, views);
    EXPECT_EQ(views[2].table.count(P("198.51.1.0/24")), 1U);
}

TEST_F(ExportPolicyTest, Ipv6NextHopRewriteReachesThatPeer) {
    policy::Definitions d;
    policy::PolicyDef nh{"nh", {}, "accept"};
    nh.statements.push_back(policy::StatementDef{"all", {}, {}, "accept"});
    nh.statements[0].modify.next_hop = net::IpAddress::parse("2001:db8:eeee::1");
    d.policies = {nh};
    const auto lib = std::get<std::shared_ptr<const policy::Library>>(policy::compile(d));
    PeerConfig a = peer(1, 65001);
    a.families.push_back({net::Afi::Ipv6, net::Safi::Unicast});
    up(a);
    PeerConfig b = peer(2, 65002);
    b.families.push_back({net::Afi::Ipv6, net::Safi::Unicast});
    b.export_policy = lib->chain({"nh"});
    up(b);
    send(1, v6_update(attrs({65001}), "2001:db8:ffff::1", {"2a00:1::/32"}));
    const auto advertised = rib.adj_rib_out(2);
    ASSERT_EQ(advertised.size(), 1U);
    ASSERT_EQ(advertised[0].next_hops.size(), 1U);
    EXPECT_EQ(advertised[0].next_hops[0], net::IpAddress::parse("2001:db8:eeee::1").value());
}

}  // namespace
}  // namespace rf::rib
