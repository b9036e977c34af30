// Lookup structures per table: 2-byte entries, lazily created (only for tables some VM uses), shared
// between tables with identical routes; runtime VNet-model changes (peerings, UDRs, route-table
// associations) reprogram the affected tables; the delta log through the Fib.
#include <gtest/gtest.h>

#include <algorithm>

#include "fib/fib.hpp"
#include "fib/reader.hpp"
#include "tests/fib/vnet/test_util.hpp"

namespace rf::fib {
namespace {

using test::A;
using test::P;

FibConfig small_config() {
    FibConfig c;
    c.lookup.max_routes = 1U << 12;
    c.lookup.num_tbl8 = 1U << 8;
    c.lookup.max_routes6 = 1U << 10;
    c.lookup.num_tbl8_6 = 1U << 8;
    c.max_readers = 2;
    return c;
}

fib::RouteDelta delta(std::uint64_t seq, const std::string& prefix, std::vector<std::string> hops) {
    fib::RouteDelta d;
    d.sequence = seq;
    d.prefix = P(prefix);
    for (const std::string& h : hops) {
        d.next_hops.push_back(A(h));
    }
    return d;
}

std::optional<NextHop> look(const Fib& fib, TableId t, const std::string& dst) {
    FibReader r(fib, 0);
    const std::uint32_t ip = A(dst).as_v4().value;
    std::uint64_t gid = 0;
    r.lookup_bulk(t, &ip, &gid, 1);
    std::optional<NextHop> out;
    if (const NextHopGroup* g = r.group(gid); g != nullptr) {
        out = g->value();
    }
    r.quiescent();
    return out;
}

std::unique_ptr<Fib> make(const VnetModel& m, FibConfig c = small_config()) {
    std::string error;
    auto f = Fib::create(m, c, &error);
    EXPECT_NE(f, nullptr) << error;
    return f;
}

TEST(FibTables, EntriesAreTwoBytesWhileRouteIdsFitAndFourBeyond) {
    // Dir24 entries hold route ids and tbl8 group indexes, never group ids.
    auto f = make(test::hub_and_spokes());
    ASSERT_NE(f, nullptr);
    const TableId t = *f->table_for_vm("vm0");
    EXPECT_EQ(f->lookup(t)->entry_bytes(), 2U);
    FibConfig groups = small_config();
    groups.max_groups = 1U << 16;
    auto g = make(test::hub_and_spokes(), groups);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->lookup(t)->entry_bytes(), 2U) << "group ids do not widen Dir24 entries";
    g.reset();
    FibConfig routes = small_config();
    routes.lookup.max_routes = 1U << 15;
    g = make(test::hub_and_spokes(), routes);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->lookup(t)->entry_bytes(), 4U);
    EXPECT_LT(f->stats().lookup_bytes, g->stats().lookup_bytes);
    g.reset();
    f.reset();
    FibConfig many = small_config();
    many.lookup.num_tbl8 = (1U << 15) + 1;  // more tbl8 groups than 2-byte entries can index
    auto h = make(default_lab(2, 1), many);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->lookup(*h->table_for_vm("vm0"))->entry_bytes(), 4U);
}

TEST(FibTables, RteFibEntriesAreTwoBytesWhileGroupIdsFitAndFourBeyond) {
    FibConfig c = small_config();
    c.lookup.engine = LookupEngine::RteFib;
    auto f = make(test::hub_and_spokes(), c);
    ASSERT_NE(f, nullptr);
    const TableId t = *f->table_for_vm("vm0");
    EXPECT_EQ(f->lookup(t)->entry_bytes(), 2U);
    FibConfig big = c;
    big.max_groups = 1U << 16;
    auto g = make(test::hub_and_spokes(), big);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->lookup(t)->entry_bytes(), 4U);
    EXPECT_LT(f->stats().lookup_bytes, g->stats().lookup_bytes);
    g.reset();
    f.reset();
    FibConfig many = c;
    many.lookup.num_tbl8 = 1U << 15;
    auto h = make(default_lab(2, 1), many);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->lookup(*h->table_for_vm("vm0"))->entry_bytes(), 4U);
}

class LargestGroupId : public ::testing::TestWithParam<LookupEngine> {};

TEST_P(LargestGroupId, RoundTripsThroughTheLookupTable) {
    FibConfig c = small_config();
    c.lookup.engine = GetParam();
    c.max_groups = 1U << 15;  // ids up to 32,767: rte_fib's 2-byte maximum
    c.lookup.max_routes = 1U << 16;
    auto f = make(default_lab(2, 1), c);
    ASSERT_NE(f, nullptr);
    const TableId t = *f->table_for_vm("vm0");
    // Use up ids until the next acquire gets the largest: a distinct single-member set per prefix.
    std::vector<fib::RouteDelta> batch;
    std::uint64_t seq = 0;
    const std::uint32_t existing = static_cast<std::uint32_t>(f->stats().groups.live);
    for (std::uint32_t i = 0; i + existing + 1 < c.max_groups; ++i) {
        fib::RouteDelta d;
        d.sequence = ++seq;
        d.prefix = net::Prefix::v4(net::Ipv4Address{0xC0000000U + (i << 8)}, 24);  // 192.x.y.0/24
        d.next_hops = {net::IpAddress::v4(net::Ipv4Address{0x0B000000U + i})};
        batch.push_back(std::move(d));
    }
    const ApplyResult r = f->apply(batch);
    EXPECT_EQ(r.failures, 0U);
    EXPECT_EQ(f->stats().groups.live, c.max_groups - 1);
    const auto last = batch.back();
    const auto nh = look(*f, t, net::Prefix(last.prefix).v4_address().to_string());
    ASSERT_TRUE(nh);
    EXPECT_EQ(nh->addresses, last.next_hops);
}

INSTANTIATE_TEST_SUITE_P(Engines, LargestGroupId,
                         ::testing::Values(LookupEngine::Dir24, LookupEngine::RteFib));

// hub_and_spokes plus: hub subnet "fw2" on route table "rt-fw2" (the same UDRs as rt-fw) with a VM, and
// spoke2 subnet "idle" on route table "rt-idle" without VMs.
VnetModel shared_and_idle() {
    VnetModel m = test::hub_and_spokes();
    RouteTable twin = m.route_tables[0];
    twin.name = "rt-fw2";
    m.route_tables.push_back(twin);
    m.route_tables.push_back(RouteTable{"rt-idle", {}, true});
    m.vnets[0].subnets.push_back(Subnet{"fw2", P("10.1.3.0/24"), "rt-fw2"});
    m.vms.push_back(Vm{"fw2-vm", "hub", "fw2", A("10.1.3.4"), 0});
    for (Vnet& v : m.vnets) {
        if (v.name == "spoke2") {
            v.subnets.push_back(Subnet{"idle", P("10.3.9.0/24"), "rt-idle"});
        }
    }
    return m;
}

TEST(FibTables, IdenticalTablesShareOneStructureAndTablesWithoutVmsGetNone) {
    auto f = make(shared_and_idle());
    ASSERT_NE(f, nullptr);
    const TableId fw = *f->table_for_vm("fw-vm");
    const TableId fw2 = *f->table_for_vm("fw2-vm");
    const TableId idle = *f->table_for_subnet("spoke2", "idle");
    ASSERT_NE(fw, fw2);
    EXPECT_EQ(f->lookup(fw), f->lookup(fw2));
    EXPECT_EQ(f->lookup(idle), nullptr);
    const FibStats s = f->stats();
    EXPECT_EQ(s.tables, 6U);
    EXPECT_EQ(s.lookup_structures, 4U);  // hub, hub/rt-fw (+ rt-fw2), spoke1, spoke2
    // BGP routes reach both sharing tables; the idle table answers queries from the control side.
    f->apply(std::vector{delta(1, "198.51.100.0/24", {"10.1.1.4"})});
    EXPECT_EQ(look(*f, fw2, "198.51.100.1")->type, NextHopType::VirtualNetworkGateway);
    EXPECT_EQ(f->programmed(idle, P("10.3.0.0/16"))->type, NextHopType::VnetLocal);
    EXPECT_FALSE(look(*f, idle, "10.3.0.1"));  // no structure: no answer
    ASSERT_TRUE(f->materialize(idle));
    ASSERT_NE(f->lookup(idle), nullptr);
    EXPECT_EQ(look(*f, idle, "10.3.0.1")->type, NextHopType::VnetLocal);
    EXPECT_EQ(look(*f, idle, "198.51.100.1")->type, NextHopType::Internet);  // spoke2 gets no BGP routes
    // rt-idle has no routes and spoke2 no BGP: the same routes as spoke2's own table, so it shares it.
    EXPECT_EQ(f->lookup(idle), f->lookup(*f->table_for_vm("s2-vm")));
    EXPECT_EQ(f->stats().lookup_structures, 4U);
}

TEST(FibTables, LazyOffGivesEveryTableItsOwnStructureUnlessShared) {
    FibConfig c = small_config();
    c.lazy_tables = false;
    c.share_identical_tables = false;
    auto f = make(shared_and_idle(), c);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->stats().lookup_structures, 6U);
}

class FibModelChange : public ::testing::Test {
protected:
    void SetUp() override {
        fib = make(test::hub_and_spokes());
        ASSERT_NE(fib, nullptr);
        fib->apply(std::vector{delta(1, "198.51.100.0/24", {"10.1.1.4", "10.1.1.5"}),
                               delta(2, "2001:db8::/32", {"fd00::4"})});
        hub = *fib->table_for_vm("vm0");
        fw = *fib->table_for_vm("fw-vm");
        spoke1 = *fib->table_for_vm("s1-vm");
        spoke2 = *fib->table_for_vm("s2-vm");
    }
    void change(const VnetModel& m) {
        const ModelChangeResult r = fib->update_model(m);
        ASSERT_TRUE(r.ok) << r.error;
        last = r;
    }
    std::unique_ptr<Fib> fib;
    ModelChangeResult last;
    TableId hub = 0, fw = 0, spoke1 = 0, spoke2 = 0;
};

TEST_F(FibModelChange, AddingAPeeringWithUseRemoteRouteServerBringsBgpAndPeeringRoutes) {
    EXPECT_EQ(look(*fib, spoke2, "198.51.100.1")->type, NextHopType::Internet);
    VnetModel m = test::hub_and_spokes();
    m.vnets[2].peerings[0].use_remote_route_server = true;  // spoke2 → hub
    Vnet s3;
    s3.name = "spoke3";
    s3.address_spaces = {P("10.4.0.0/16")};
    s3.subnets = {Subnet{"app", P("10.4.1.0/24"), ""}};
    s3.peerings = {VnetPeering{"hub", true}};
    m.vnets.push_back(s3);
    m.vms.push_back(Vm{"s3-vm", "spoke3", "app", A("10.4.1.4"), 1});
    change(m);
    EXPECT_EQ(last.tables_added, 1U);
    EXPECT_EQ(*fib->table_for_vm("s2-vm"), spoke2);  // ids are stable
    EXPECT_EQ(look(*fib, spoke2, "198.51.100.1")->type, NextHopType::VirtualNetworkGateway);
    const TableId s3t = *fib->table_for_vm("s3-vm");
    EXPECT_EQ(look(*fib, s3t, "198.51.100.1")->type, NextHopType::VirtualNetworkGateway);
    EXPECT_EQ(look(*fib, s3t, "10.1.128.9")->type, NextHopType::VNetPeering);
    EXPECT_EQ(look(*fib, hub, "10.4.1.4")->type, NextHopType::VNetPeering);
    EXPECT_EQ(look(*fib, spoke1, "10.4.1.4")->type, NextHopType::None);  // spokes are not peered
}

TEST_F(FibModelChange, RemovingAPeeringTakesItsRoutesAway) {
    EXPECT_EQ(look(*fib, hub, "10.2.1.4")->type, NextHopType::VNetPeering);
    VnetModel m = test::hub_and_spokes();
    m.vnets[1].peerings.clear();  // spoke1 no longer peered with the hub
    change(m);
    EXPECT_EQ(look(*fib, hub, "10.2.1.4")->type, NextHopType::None);  // 10.0.0.0/8 default
    EXPECT_EQ(look(*fib, spoke1, "198.51.100.1")->type, NextHopType::Internet);
    EXPECT_EQ(look(*fib, spoke1, "10.1.128.9")->type, NextHopType::None);
}

TEST_F(FibModelChange, AUserRouteOverridesBgpInItsTableOnly) {
    VnetModel m = test::hub_and_spokes();
    m.route_tables[0].routes.push_back(
        UserDefinedRoute{"via-fw", P("198.51.100.0/24"), UdrNextHopType::VirtualAppliance, A("10.1.1.30")});
    change(m);
    EXPECT_EQ(last.tables_changed, 1U);
    EXPECT_GT(last.table_ops, 0U);  // the table's own structure, reprogrammed in place
    EXPECT_EQ(look(*fib, fw, "198.51.100.1")->addresses, std::vector<net::IpAddress>{A("10.1.1.30")});
    EXPECT_EQ(look(*fib, hub, "198.51.100.1")->type, NextHopType::VirtualNetworkGateway);
    // And back: the BGP route returns.
    change(test::hub_and_spokes());
    EXPECT_EQ(look(*fib, fw, "198.51.100.1")->type, NextHopType::VirtualNetworkGateway);
}

TEST_F(FibModelChange, ChangingASubnetsRouteTableMovesItsVmsToTheOtherTable) {
    VnetModel m = test::hub_and_spokes();
    m.vnets[1].subnets[0].route_table = "rt-fw";  // spoke1/app
    change(m);
    const TableId moved = *fib->table_for_vm("s1-vm");
    EXPECT_NE(moved, spoke1);
    EXPECT_EQ(look(*fib, moved, "192.168.10.7")->type, NextHopType::VirtualAppliance);
    EXPECT_EQ(look(*fib, moved, "198.51.100.1")->type, NextHopType::VirtualNetworkGateway);
    EXPECT_EQ(fib->lookup(spoke1), nullptr);  // no subnet, no VM left on the old table
    EXPECT_FALSE(fib->programmed(spoke1, P("10.2.0.0/16")));
}

TEST_F(FibModelChange, AnInvalidModelIsRefusedAndNothingChanges) {
    VnetModel m = test::hub_and_spokes();
    m.vnets[0].subnets[0].prefix = P("10.1.255.0/28");  // RouteServerSubnet smaller than /27
    const ModelChangeResult r = fib->update_model(m);
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.error.empty());
    EXPECT_EQ(look(*fib, hub, "10.2.1.4")->type, NextHopType::VNetPeering);
    EXPECT_EQ(fib->stats().model_changes, 0U);
}

TEST_F(FibModelChange, TheDeltaLogCarriesModelChangesAndTrimsToItsRetention) {
    const LogSnapshot snap = fib->log_snapshot(spoke1);
    TableReplica rep{snap.epoch, snap.sequence, {snap.routes.begin(), snap.routes.end()}};
    EXPECT_EQ(rep.routes.at(P("198.51.100.0/24")).type, NextHopType::VirtualNetworkGateway);
    VnetModel m = test::hub_and_spokes();
    m.vnets[1].peerings.clear();
    change(m);
    FollowResult f = fib->follow(spoke1, rep.epoch, rep.sequence);
    ASSERT_EQ(f.status, FollowStatus::Deltas);
    ASSERT_FALSE(f.deltas.empty());
    EXPECT_EQ(f.deltas.front().rib_sequence, 0U);  // caused by the model, not the RIB
    ASSERT_TRUE(rep.apply(f.deltas));
    std::map<net::Prefix, NextHop> now;
    for (const auto& [p, nh] : fib->snapshot(spoke1).routes) {
        now.emplace(p, nh);
    }
    EXPECT_EQ(rep.routes, now);
    EXPECT_EQ(fib->follow(spoke1, rep.epoch + 1, rep.sequence).status, FollowStatus::SnapshotRequired);
    EXPECT_EQ(fib->follow(hub, rep.epoch, 0).status, FollowStatus::SnapshotRequired);  // never snapshotted
}

TEST(FibDeltaLog, AFollowerTooFarBehindIsToldToTakeASnapshot) {
    FibConfig c = small_config();
    c.log_retention = 4;
    auto f = make(default_lab(2, 1), c);
    ASSERT_NE(f, nullptr);
    const TableId t = *f->table_for_vm("vm0");
    const LogSnapshot snap = f->log_snapshot(t);
    for (std::uint64_t i = 1; i <= 6; ++i) {
        f->apply(std::vector{delta(i, "198.51." + std::to_string(i) + ".0/24", {"10.1.1.4"})});
    }
    EXPECT_EQ(f->follow(t, snap.epoch, snap.sequence).status, FollowStatus::SnapshotRequired);
    const LogSnapshot again = f->log_snapshot(t);
    EXPECT_EQ(again.sequence, snap.sequence + 6);
    EXPECT_EQ(f->follow(t, again.epoch, again.sequence).status, FollowStatus::Deltas);
    const FollowResult two = f->follow(t, again.epoch, again.sequence - 2);
    ASSERT_EQ(two.deltas.size(), 2U);
    EXPECT_EQ(two.deltas[1].rib_sequence, 6U);
}

}  // namespace
}  // namespace rf::fib
