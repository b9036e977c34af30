// Property: after every batch of random deltas (IPv4 and IPv6), every table equals a reference built
// from a plain std::map by the selection rules — the control view (programmed), what a reader looks up
// (both families), and a replica that follows the table's delta log. Three runtime VNet-model changes
// (a UDR, a route-table association, a peering) happen between batches, and every seventh batch takes
// one next hop out of every set it is in (a peer down, which the FIB applies by repointing whole groups),
// every other time after the RIB's next-hop-down hint, checked on its own before the batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <random>

#include "fib/fib.hpp"
#include "fib/reader.hpp"
#include "tests/fib/vnet/test_util.hpp"

namespace rf::fib {
namespace {

using test::A;
using test::P;

net::Prefix random_prefix(std::mt19937& rng) {
    // Regions that exercise every rule: the VNet address spaces, the UDR prefixes, the private-range
    // defaults, the default route and arbitrary space; lengths across tbl24 and tbl8.
    static const std::vector<std::pair<std::uint32_t, std::uint8_t>> regions = {
        {0x0A010000, 16}, {0x0A020000, 16}, {0x0A030000, 16}, {0xC0A80A00, 24}, {0xCB007100, 24},
        {0x64400000, 16}, {0xAC100000, 16}, {0x00000000, 0},  {0x0A000000, 8},  {0xC6336400, 22}};
    const auto& [base, len] = regions[std::uniform_int_distribution<std::size_t>(0, regions.size() - 1)(rng)];
    if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) {
        return net::Prefix::v4(net::Ipv4Address{base}, len);  // exactly the region
    }
    const auto plen = static_cast<std::uint8_t>(std::uniform_int_distribution<int>(len, 32)(rng));
    const std::uint32_t addr = base | (std::uniform_int_distribution<std::uint32_t>()(rng) &
                                       (len == 0 ? 0xFFFFFFFFU : (0xFFFFFFFFU >> len)));
    return net::Prefix::v4(net::Ipv4Address{addr}, plen);
}

net::Prefix random_prefix6(std::mt19937& rng) {
    // spoke1's IPv6 address space, documentation space, the IPv6 default route.
    static const std::vector<std::pair<const char*, std::uint8_t>> regions = {
        {"fd10:2::", 48}, {"2001:db8::", 32}, {"2001:db8:100::", 40}, {"::", 0}};
    const auto& [base, len] = regions[std::uniform_int_distribution<std::size_t>(0, regions.size() - 1)(rng)];
    auto bytes = A(base).bytes;
    if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) {
        return net::Prefix::make(net::Afi::Ipv6, len, bytes.data(), 16);
    }
    for (std::size_t i = len / 8; i < 16; ++i) {
        bytes[i] = static_cast<std::uint8_t>(bytes[i] | (std::uniform_int_distribution<int>(0, 255)(rng) &
                                                         (i == len / 8 ? (0xFF >> (len % 8)) : 0xFF)));
    }
    const auto plen = static_cast<std::uint8_t>(std::uniform_int_distribution<int>(len, 128)(rng));
    return net::Prefix::make(net::Afi::Ipv6, plen, bytes.data(), 16);
}

std::optional<NextHop> reference(const TableSpec& t, const net::Prefix& p,
                                 const std::map<net::Prefix, std::vector<net::IpAddress>>& bgp) {
    const StaticRoute* user = nullptr;
    const StaticRoute* sys = nullptr;
    for (const StaticRoute& s : t.statics) {
        if (s.prefix == p) {
            (s.source == RouteSource::User ? user : sys) = &s;
        }
    }
    if (user != nullptr) {
        return user->next_hop;
    }
    auto it = bgp.find(p);
    if (t.bgp && it != bgp.end()) {
        bool protected_space = false;
        for (const auto& [space, name] : t.protected_spaces) {
            protected_space = protected_space || space.contains(p);
        }
        if (!protected_space) {
            NextHop n{NextHopType::VirtualNetworkGateway, it->second};
            n.normalise();
            return n;
        }
    }
    if (sys != nullptr) {
        return sys->next_hop;
    }
    return std::nullopt;
}

// The model after change `step` (0 = the original): 1 adds a UDR for a pool prefix, 2 also moves
// spoke2's subnet onto the route table, 3 also lets spoke2 use the hub's route server.
VnetModel model_step(int step, const net::Prefix& udr_prefix) {
    VnetModel m = test::hub_and_spokes();
    for (Vnet& v : m.vnets) {
        if (v.name == "spoke1") {
            v.address_spaces.push_back(P("fd10:2::/48"));  // dual stack: an IPv6 system route
        }
    }
    if (step >= 1) {
        m.route_tables[0].routes.push_back(
            UserDefinedRoute{"udr-step", udr_prefix, UdrNextHopType::VirtualAppliance, A("10.1.1.20")});
    }
    for (Vnet& v : m.vnets) {
        if (v.name == "spoke2" && step >= 2) {
            v.subnets[0].route_table = "rt-fw";
        }
        if (v.name == "spoke2" && step >= 3) {
            v.peerings[0].use_remote_route_server = true;
        }
    }
    return m;
}

template <class Rng>
std::vector<net::IpAddress> random_hops(Rng& rng, const std::vector<net::IpAddress>& nvas) {
    std::vector<net::IpAddress> out;
    const int k = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int j = 0; j < k; ++j) {
        out.push_back(nvas[std::uniform_int_distribution<std::size_t>(0, nvas.size() - 1)(rng)]);
    }
    return out;
}

TEST(FibProperty, EveryTableMatchesTheReferenceAfterEveryBatch) {
    FibConfig c;
    c.lookup.max_routes = 1U << 14;
    c.lookup.num_tbl8 = 1U << 10;
    c.lookup.max_routes6 = 1U << 12;
    c.lookup.num_tbl8_6 = 1U << 11;
    c.max_groups = 1U << 12;
    c.max_readers = 2;
    std::mt19937 rng(20261123);
    std::vector<net::Prefix> pool;
    for (int i = 0; i < 300; ++i) {
        pool.push_back(random_prefix(rng));
    }
    for (int i = 0; i < 120; ++i) {
        pool.push_back(random_prefix6(rng));
    }
    const net::Prefix udr_prefix = pool[7];
    std::string error;
    auto fib = Fib::create(model_step(0, udr_prefix), c, &error);
    ASSERT_NE(fib, nullptr) << error;
    FibReader reader(*fib, 0);

    const std::vector<net::IpAddress> nvas{A("10.1.1.4"), A("10.1.1.5"), A("10.1.1.6"), A("10.1.1.7")};
    const std::vector<net::IpAddress> nvas6{A("fd00::4"), A("fd00::5"), A("fd00::6")};
    std::map<net::Prefix, std::vector<net::IpAddress>> bgp;  // the reference Loc-RIB
    std::vector<TableReplica> replicas;                      // delta-log followers, by table
    std::uint64_t seq = 0;
    std::uint64_t followed = 0;
    std::uint64_t repointed = 0;
    int hints = 0;

    for (int b = 0; b < 80; ++b) {
        if (b == 20 || b == 40 || b == 60) {
            const ModelChangeResult mc = fib->update_model(model_step(b / 20, udr_prefix));
            ASSERT_TRUE(mc.ok) << mc.error;
            EXPECT_GT(mc.tables_changed, 0U);
            // This thread is also the reader: report before the next batch waits for the grace period
            // of the flips the model change made.
            reader.quiescent();
        }
        std::vector<fib::RouteDelta> batch;
        const int n = b % 10 == 9 ? 400 : std::uniform_int_distribution<int>(1, 40)(rng);
        if (b % 7 == 3) {
            // A peer-down batch: one next hop leaves every set it is in (the FIB repoints whole groups).
            const bool v6 = std::uniform_int_distribution<int>(0, 3)(rng) == 0;
            const std::vector<net::IpAddress>& from = v6 ? nvas6 : nvas;
            const net::IpAddress gone =
                from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
            if (b % 2 == 1) {
                // With the RIB's next-hop-down hint first (BGP PIC edge): every set with `gone` and another
                // member forwards without it at once; sets of only `gone` wait for the batch.
                std::map<net::Prefix, std::vector<net::IpAddress>> hinted = bgp;
                for (auto& [p, hops] : hinted) {
                    std::vector<net::IpAddress> rest = hops;
                    std::erase(rest, gone);
                    if (!rest.empty()) {
                        hops = rest;
                    }
                }
                const std::vector<net::IpAddress> dead{gone};
                fib->next_hops_down(dead);
                ++hints;
                for (TableId t = 0; t < fib->table_count(); ++t) {
                    const TableSpec& spec = fib->plan().tables[t];
                    for (const net::Prefix& p : pool) {
                        ASSERT_EQ(fib->programmed(t, p), reference(spec, p, hinted))
                            << "after the hint: table " << spec.name << " prefix " << p.to_string()
                            << " batch " << b;
                    }
                }
            }
            for (auto it = bgp.begin(); it != bgp.end();) {
                if (std::find(it->second.begin(), it->second.end(), gone) == it->second.end()) {
                    ++it;
                    continue;
                }
                fib::RouteDelta d;
                d.sequence = ++seq;
                d.prefix = it->first;
                std::erase(it->second, gone);
                d.next_hops = it->second;
                batch.push_back(d);
                it = it->second.empty() ? bgp.erase(it) : std::next(it);
            }
        }
        for (int i = 0; i < n; ++i) {
            fib::RouteDelta d;
            d.sequence = ++seq;
            d.prefix = pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
            if (std::uniform_int_distribution<int>(0, 3)(rng) != 0) {
                d.next_hops = random_hops(rng, d.prefix.is_v4() ? nvas : nvas6);
            }
            if (d.next_hops.empty()) {
                bgp.erase(d.prefix);
            } else {
                bgp[d.prefix] = d.next_hops;
            }
            batch.push_back(std::move(d));
        }
        const ApplyResult r = fib->apply(batch);
        ASSERT_EQ(r.failures, 0U);
        repointed += r.repointed;
        ASSERT_EQ(fib->visible_sequence(), seq);

        for (TableId t = 0; t < fib->table_count(); ++t) {
            const TableSpec& spec = fib->plan().tables[t];
            // Control view, for every prefix that ever mattered.
            std::map<net::Prefix, NextHop> ref_table;
            std::vector<net::Prefix> keys = pool;
            for (const StaticRoute& s : spec.statics) {
                keys.push_back(s.prefix);
            }
            for (const net::Prefix& p : keys) {
                const auto want = reference(spec, p, bgp);
                ASSERT_EQ(fib->programmed(t, p), want)
                    << "table " << spec.name << " prefix " << p.to_string() << " batch " << b;
                if (want) {
                    ref_table[p] = *want;
                }
            }
            // Delta-log follower: snapshot once, then only deltas; it must equal the table.
            if (replicas.size() <= t) {
                replicas.resize(t + 1);
            }
            TableReplica& rep = replicas[t];
            if (rep.epoch == 0) {
                const LogSnapshot snap = fib->log_snapshot(t);
                rep.epoch = snap.epoch;
                rep.sequence = snap.sequence;
                rep.routes = {snap.routes.begin(), snap.routes.end()};
            } else {
                const FollowResult f = fib->follow(t, rep.epoch, rep.sequence);
                ASSERT_EQ(f.status, FollowStatus::Deltas);
                ASSERT_TRUE(rep.apply(f.deltas));
                followed += f.deltas.size();
            }
            ASSERT_EQ(rep.routes, ref_table) << "replica of " << spec.name << " batch " << b;
            // Reader view: random destinations, half of them inside pool prefixes, both families.
            auto lpm = [&ref_table](const net::IpAddress& addr) {
                const NextHop* want = nullptr;
                int best = -1;
                for (const auto& [p, nh] : ref_table) {
                    if (p.length > best && p.contains(addr)) {
                        best = p.length;
                        want = &nh;
                    }
                }
                return want;
            };
            auto check = [&](const net::IpAddress& addr, std::uint64_t gid) {
                const NextHop* want = lpm(addr);
                const NextHopGroup* g = reader.group(gid);
                if (want == nullptr) {
                    ASSERT_EQ(g, nullptr) << spec.name << " " << addr.to_string();
                } else {
                    ASSERT_NE(g, nullptr) << spec.name << " " << addr.to_string() << " batch " << b;
                    ASSERT_TRUE(g->intact());
                    ASSERT_EQ(g->value(), *want) << spec.name << " " << addr.to_string() << " batch " << b;
                }
            };
            std::vector<std::uint32_t> dst(128);
            std::vector<net::IpAddress> dst6(64);
            for (std::size_t i = 0; i < dst.size(); ++i) {
                std::uint32_t a = std::uniform_int_distribution<std::uint32_t>()(rng);
                if (i % 2 == 0) {
                    const net::Prefix& p = pool[std::uniform_int_distribution<std::size_t>(0, 299)(rng)];
                    const std::uint32_t host = p.length == 32 ? 0 : (0xFFFFFFFFU >> p.length);
                    a = p.v4_address().value | (a & host);
                }
                dst[i] = a;
            }
            for (std::size_t i = 0; i < dst6.size(); ++i) {
                const net::Prefix& p =
                    pool[std::uniform_int_distribution<std::size_t>(300, pool.size() - 1)(rng)];
                net::IpAddress a = net::IpAddress::v6(net::Ipv6Address{});
                a.bytes = p.bytes;
                for (std::size_t k = p.length / 8; k < 16; ++k) {
                    const int keep = k == p.length / 8 ? (0xFF << (8 - p.length % 8)) & 0xFF : 0;
                    a.bytes[k] = static_cast<std::uint8_t>(
                        (a.bytes[k] & keep) | (std::uniform_int_distribution<int>(0, 255)(rng) & ~keep));
                }
                if (i % 4 == 3) {
                    a.bytes[0] = static_cast<std::uint8_t>(std::uniform_int_distribution<int>(0, 255)(rng));
                }
                dst6[i] = a;
            }
            std::vector<std::uint64_t> gid(dst.size());
            reader.lookup_bulk(t, dst.data(), gid.data(), static_cast<unsigned>(dst.size()));
            for (std::size_t i = 0; i < dst.size(); ++i) {
                check(net::IpAddress::v4(net::Ipv4Address{dst[i]}), gid[i]);
            }
            std::vector<std::array<std::uint8_t, 16>> raw6(dst6.size());
            for (std::size_t i = 0; i < dst6.size(); ++i) {
                raw6[i] = dst6[i].bytes;
            }
            std::vector<std::uint64_t> gid6(dst6.size());
            reader.lookup_bulk6(t, reinterpret_cast<const std::uint8_t(*)[16]>(raw6.data()), gid6.data(),
                                static_cast<unsigned>(dst6.size()));
            for (std::size_t i = 0; i < dst6.size(); ++i) {
                check(dst6[i], gid6[i]);
            }
            reader.quiescent();
        }
    }
    const FibStats s = fib->stats();
    EXPECT_EQ(s.bgp_routes, bgp.size());
    EXPECT_GT(s.bgp_routes_v6, 0U);
    EXPECT_GT(s.coalesced, 0U);
    EXPECT_GT(followed, 0U);
    EXPECT_EQ(s.model_changes, 3U);
    EXPECT_GT(repointed, 0U);  // the peer-down batches exercised the in-place repoint
    EXPECT_GT(hints, 0);
    EXPECT_GT(s.next_hop_down_repoints, 0U);  // the hints repointed groups with other members
    EXPECT_EQ(s.groups.repointed, repointed + s.next_hop_down_repoints);
}

}  // namespace
}  // namespace rf::fib
