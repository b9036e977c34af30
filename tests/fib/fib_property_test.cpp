// Property: after every batch of random deltas, every table equals a reference built from a plain
// std::map by the selection rules — both the control view (programmed) and what a reader looks up.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "fib/fib.hpp"
#include "fib/reader.hpp"
#include "tests/fib/test_util.hpp"

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

TEST(FibProperty, EveryTableMatchesTheReferenceAfterEveryBatch) {
    FibConfig c;
    c.lookup.max_routes = 1U << 14;
    c.lookup.num_tbl8 = 1U << 10;
    c.max_groups = 1U << 12;
    c.max_readers = 2;
    std::string error;
    auto fib = Fib::create(test::hub_and_spokes(), c, &error);
    ASSERT_NE(fib, nullptr) << error;
    FibReader reader(*fib, 0);

    std::mt19937 rng(20261123);
    std::vector<net::Prefix> pool;
    for (int i = 0; i < 300; ++i) {
        pool.push_back(random_prefix(rng));
    }
    const std::vector<net::IpAddress> nvas{A("10.1.1.4"), A("10.1.1.5"), A("10.1.1.6"), A("10.1.1.7")};
    std::map<net::Prefix, std::vector<net::IpAddress>> bgp;  // the reference Loc-RIB
    std::uint64_t seq = 0;

    for (int b = 0; b < 80; ++b) {
        std::vector<rib::RouteDelta> batch;
        const int n = b % 10 == 9 ? 400 : std::uniform_int_distribution<int>(1, 40)(rng);
        for (int i = 0; i < n; ++i) {
            rib::RouteDelta d;
            d.sequence = ++seq;
            d.prefix = pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
            if (std::uniform_int_distribution<int>(0, 3)(rng) != 0) {
                const int k = std::uniform_int_distribution<int>(1, 3)(rng);
                for (int j = 0; j < k; ++j) {
                    d.next_hops.push_back(nvas[std::uniform_int_distribution<std::size_t>(0, nvas.size() - 1)(rng)]);
                }
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
                ASSERT_EQ(fib->programmed(t, p), want) << "table " << spec.name << " prefix " << p.to_string()
                                                        << " batch " << b;
                if (want) {
                    ref_table[p] = *want;
                }
            }
            // Reader view: random destinations, half of them inside pool prefixes.
            std::vector<std::uint32_t> dst(256);
            for (std::size_t i = 0; i < dst.size(); ++i) {
                std::uint32_t a = std::uniform_int_distribution<std::uint32_t>()(rng);
                if (i % 2 == 0) {
                    const net::Prefix& p = pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
                    const std::uint32_t host = p.length == 32 ? 0 : (0xFFFFFFFFU >> p.length);
                    a = p.v4_address().value | (a & host);
                }
                dst[i] = a;
            }
            std::vector<std::uint64_t> gid(dst.size());
            reader.lookup_bulk(t, dst.data(), gid.data(), static_cast<unsigned>(dst.size()));
            for (std::size_t i = 0; i < dst.size(); ++i) {
                const net::IpAddress addr = net::IpAddress::v4(net::Ipv4Address{dst[i]});
                const NextHop* want = nullptr;
                int best = -1;
                for (const auto& [p, nh] : ref_table) {
                    if (p.length > best && p.contains(addr)) {
                        best = p.length;
                        want = &nh;
                    }
                }
                const NextHopGroup* g = reader.group(gid[i]);
                if (want == nullptr) {
                    ASSERT_EQ(g, nullptr) << spec.name << " " << addr.to_string();
                } else {
                    ASSERT_NE(g, nullptr) << spec.name << " " << addr.to_string();
                    ASSERT_TRUE(g->intact());
                    ASSERT_EQ(g->value(), *want) << spec.name << " " << addr.to_string() << " batch " << b;
                }
            }
            reader.quiescent();
        }
    }
    const FibStats s = fib->stats();
    EXPECT_EQ(s.bgp_routes, bgp.size());
    EXPECT_GT(s.coalesced, 0U);
}

}  // namespace
}  // namespace rf::fib
