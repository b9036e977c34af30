// Dir24Lpm4 / Dir24Lpm6 (fib/dir24.hpp) against a plain reference: random nested prefixes installed,
// changed and withdrawn in batches; after every batch every probe address must look up what a linear
// longest-prefix match over a std::map gives. Probes include both ends of every installed prefix and
// their neighbours, so tbl8 expansion, collapse and background changes are all crossed. Both entry
// widths, the AVX-512 path where the CPU has it, capacity limits and the grace-period reuse of ids.
#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "fib/dir24.hpp"
#include "fib/dpdk.hpp"

namespace rf::fib {
namespace {

// An rte_rcu_qsbr for `readers` reader ids, freed with the test.
struct Qsbr {
    explicit Qsbr(unsigned readers) {
        const std::size_t size = rte_rcu_qsbr_get_memsize(readers);
        const std::size_t rounded = (size + 63) / 64 * 64;
        q = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(64, rounded));
        rte_rcu_qsbr_init(q, readers);
    }
    ~Qsbr() { std::free(q); }
    Qsbr(const Qsbr&) = delete;
    Qsbr& operator=(const Qsbr&) = delete;
    rte_rcu_qsbr* q = nullptr;
};

std::uint32_t mask4(std::uint32_t a, unsigned len) { return len == 0 ? 0 : a & (~0U << (32 - len)); }

// Reference: (length, masked address) → group; LPM by trying every length from 32 down.
struct Ref4 {
    std::map<std::pair<unsigned, std::uint32_t>, GroupId> routes;
    [[nodiscard]] GroupId lookup(std::uint32_t a) const {
        for (int len = 32; len >= 0; --len) {
            auto it = routes.find({static_cast<unsigned>(len), mask4(a, static_cast<unsigned>(len))});
            if (it != routes.end()) {
                return it->second;
            }
        }
        return kNoGroup;
    }
};

struct Case4 {
    std::uint32_t max_routes;
    bool avx512;
};

class Dir24Property4 : public ::testing::TestWithParam<Case4> {};

TEST_P(Dir24Property4, EveryBatchMatchesALinearLongestPrefixMatch) {
    const Case4 c = GetParam();
    if (c.avx512 && !dir24_avx512_supported()) {
        GTEST_SKIP() << "no AVX-512 on this CPU";
    }
    Qsbr qsbr(4);
    Dir24Config cfg;
    cfg.max_routes = c.max_routes;
    cfg.num_tbl8 = 2048;
    cfg.avx512 = c.avx512;
    auto lpm = Dir24Lpm4::create(cfg, qsbr.q);
    EXPECT_EQ(lpm->entry_bytes(), c.max_routes < (1U << 15) ? 2U : 4U);
    EXPECT_EQ(lpm->avx512(), c.avx512);

    std::mt19937 rng(7 + c.max_routes + (c.avx512 ? 1 : 0));
    // Few regions, so that prefixes nest deeply: a /8 over /16s over /24s over /25-/32s.
    const std::array<std::uint32_t, 3> regions = {0x64400000U, 0x0A000000U, 0xC0A80000U};
    auto random_prefix = [&] {
        const std::uint32_t base = regions[rng() % regions.size()];
        // Mostly /8../32; now and then the default route or a /6../12 (a /6 rewrites 2^18 tbl24 entries,
        // which a sanitizer build does slowly: kept rare).
        const unsigned len = rng() % 16 != 0 ? 8 + rng() % 25 : rng() % 4 == 0 ? 0 : 6 + rng() % 7;
        const std::uint32_t a = base | (rng() & (rng() % 2 == 0 ? 0x0000FFFFU : 0x00FFFFFFU));
        return std::pair{len, mask4(a, len)};
    };
    Ref4 ref;
    GroupId next_group = 1;
    for (int batch = 0; batch < 200; ++batch) {
        const int ops = 1 + static_cast<int>(rng() % 40);
        for (int i = 0; i < ops; ++i) {
            // Around 300 prefixes at a time: enough to nest deeply, few enough to check every batch.
            const bool withdraw = !ref.routes.empty() && rng() % (ref.routes.size() > 300 ? 2 : 3) == 0;
            if (withdraw) {
                // Mostly an installed prefix, sometimes one that is not there.
                auto it = ref.routes.begin();
                std::advance(it, static_cast<long>(rng() % ref.routes.size()));
                auto [len, a] = rng() % 8 == 0 ? random_prefix() : it->first;
                lpm->erase(a, static_cast<std::uint8_t>(len));
                ref.routes.erase({len, a});
            } else {
                const auto [len, a] = random_prefix();
                const GroupId g = next_group++;
                ASSERT_TRUE(lpm->set(a | (len < 32 ? rng() & 1 : 0), static_cast<std::uint8_t>(len), g));  // masked inside
                ref.routes[{len, a}] = g;
            }
        }
        lpm->end_batch();
        std::vector<std::uint32_t> probes;
        const std::size_t stride = std::max<std::size_t>(1, ref.routes.size() / 150);
        std::size_t nth = static_cast<std::size_t>(batch) % stride;
        for (const auto& [key, g] : ref.routes) {
            if (nth++ % stride != 0) {
                continue;  // about 150 prefixes' ends a batch, a different share each time
            }
            const auto [len, a] = key;
            const std::uint32_t last = a | (len == 0 ? ~0U : ~(~0U << (32 - len)));
            for (std::uint32_t x : {a, a - 1, last, last + 1, a + ((last - a) >> 1)}) {
                probes.push_back(x);
            }
        }
        for (int i = 0; i < 64; ++i) {
            probes.push_back(regions[rng() % regions.size()] | (rng() & 0x0003FFFFU));
        }
        std::vector<std::uint64_t> got(probes.size());
        lpm->lookup_bulk(probes.data(), got.data(), static_cast<unsigned>(probes.size()));
        for (std::size_t i = 0; i < probes.size(); ++i) {
            ASSERT_EQ(got[i], ref.lookup(probes[i])) << "batch " << batch << " address " << std::hex << probes[i];
        }
        const Dir24Stats s = lpm->stats();
        ASSERT_EQ(s.routes, ref.routes.size() - (ref.routes.count({0, 0}) != 0 ? 1 : 0));
    }
    // Everything withdrawn: no tbl8 group is left in use, and (no reader registered) nothing waits.
    for (const auto& [key, g] : ref.routes) {
        lpm->erase(key.second, static_cast<std::uint8_t>(key.first));
    }
    lpm->end_batch();
    lpm->end_batch();
    const Dir24Stats s = lpm->stats();
    EXPECT_EQ(s.routes, 0U);
    EXPECT_EQ(s.tbl8_used, 0U);
    EXPECT_EQ(s.rids_deferred, 0U);
    EXPECT_EQ(s.tbl8_deferred, 0U);
    EXPECT_GT(s.tbl8_touched, 0U);
    std::array<std::uint32_t, 3> dst = {0x64400001U, 0x0A0A0A0AU, 0xC0A80101U};
    std::array<std::uint64_t, 3> out{};
    lpm->lookup_bulk(dst.data(), out.data(), 3);
    EXPECT_EQ(out, (std::array<std::uint64_t, 3>{kNoGroup, kNoGroup, kNoGroup}));
}

INSTANTIATE_TEST_SUITE_P(Widths, Dir24Property4,
                         ::testing::Values(Case4{4096, false}, Case4{100000, false}, Case4{4096, true},
                                           Case4{100000, true}));

TEST(Dir24, DefaultRouteIsRouteIdZero) {
    Qsbr qsbr(1);
    auto lpm = Dir24Lpm4::create(Dir24Config{1024, 64, false}, qsbr.q);
    std::array<std::uint32_t, 2> dst = {0x08080808U, 0x64400101U};
    std::array<std::uint64_t, 2> out{};
    ASSERT_TRUE(lpm->set(0, 0, 5));
    ASSERT_TRUE(lpm->set(0x64400100U, 24, 9));
    lpm->lookup_bulk(dst.data(), out.data(), 2);
    EXPECT_EQ(out, (std::array<std::uint64_t, 2>{5, 9}));
    EXPECT_EQ(lpm->default_group(), 5U);
    lpm->erase(0x64400100U, 24);  // falls back to the default route
    lpm->lookup_bulk(dst.data(), out.data(), 2);
    EXPECT_EQ(out, (std::array<std::uint64_t, 2>{5, 5}));
    lpm->erase(0, 0);
    lpm->lookup_bulk(dst.data(), out.data(), 2);
    EXPECT_EQ(out, (std::array<std::uint64_t, 2>{kNoGroup, kNoGroup}));
}

TEST(Dir24, FullTablesRefuseAndRecoverAfterTheGracePeriod) {
    Qsbr qsbr(1);
    auto lpm = Dir24Lpm4::create(Dir24Config{8, 2, false}, qsbr.q);
    for (std::uint32_t i = 0; i < 8; ++i) {
        ASSERT_TRUE(lpm->set(0x0A000000U + (i << 8), 24, i + 1));
    }
    EXPECT_FALSE(lpm->set(0x0B000000U, 24, 99)) << "no route id left";
    EXPECT_EQ(lpm->stats().failures, 1U);
    // A reader is online and has not reported since: a withdrawn id must wait for it.
    rte_rcu_qsbr_thread_register(qsbr.q, 0);
    rte_rcu_qsbr_thread_online(qsbr.q, 0);
    lpm->erase(0x0A000000U, 24);
    lpm->end_batch();
    EXPECT_EQ(lpm->stats().rids_deferred, 1U);
    lpm->end_batch();
    EXPECT_EQ(lpm->stats().rids_deferred, 1U) << "reused before the reader passed a quiescent point";
    rte_rcu_qsbr_quiescent(qsbr.q, 0);
    lpm->end_batch();
    EXPECT_EQ(lpm->stats().rids_deferred, 0U);
    EXPECT_TRUE(lpm->set(0x0B000000U, 24, 99));
    rte_rcu_qsbr_thread_offline(qsbr.q, 0);
    // tbl8 groups: two /32s in different /24s use both; a third /24 block is refused (ids are left).
    for (std::uint32_t i = 1; i <= 3; ++i) {
        lpm->erase(0x0A000000U + (i << 8), 24);
    }
    lpm->end_batch();
    ASSERT_TRUE(lpm->set(0x0C000001U, 32, 1));
    ASSERT_TRUE(lpm->set(0x0C000101U, 32, 2));
    EXPECT_FALSE(lpm->set(0x0C000201U, 32, 3)) << "no tbl8 group left";
    EXPECT_EQ(lpm->stats().tbl8_used, 2U);
    lpm->erase(0x0C000001U, 32);  // collapses its group
    lpm->end_batch();
    EXPECT_EQ(lpm->stats().tbl8_used, 1U);
    EXPECT_TRUE(lpm->set(0x0C000201U, 32, 3));
}

// --- IPv6 ---

using Addr6 = std::array<std::uint8_t, 16>;

Addr6 mask6(Addr6 a, unsigned len) {
    for (unsigned i = 0; i < 16; ++i) {
        if (len <= i * 8) {
            a[i] = 0;
        } else if (len < i * 8 + 8) {
            a[i] = static_cast<std::uint8_t>(a[i] & (0xFFU << (i * 8 + 8 - len)));
        }
    }
    return a;
}

TEST(Dir24, Ipv6EveryBatchMatchesALinearLongestPrefixMatch) {
    Qsbr qsbr(1);
    auto lpm = Dir24Lpm6::create(Dir24Config{4096, 4096, false}, qsbr.q);
    std::mt19937 rng(11);
    const Addr6 base = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    auto random_address = [&] {
        Addr6 a = base;
        // Few distinct bits past /32 so that prefixes nest.
        for (unsigned i = 4; i < 16; ++i) {
            a[i] = static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() & 0x3 : 0);
        }
        return a;
    };
    std::map<std::pair<unsigned, Addr6>, GroupId> ref;
    auto reference = [&](const Addr6& a) {
        for (int len = 128; len >= 0; --len) {
            auto it = ref.find({static_cast<unsigned>(len), mask6(a, static_cast<unsigned>(len))});
            if (it != ref.end()) {
                return it->second;
            }
        }
        return kNoGroup;
    };
    GroupId next = 1;
    for (int batch = 0; batch < 120; ++batch) {
        for (int i = 0; i < 10; ++i) {
            if (!ref.empty() && rng() % (ref.size() > 200 ? 2 : 3) == 0) {
                auto it = ref.begin();
                std::advance(it, static_cast<long>(rng() % ref.size()));
                lpm->erase(it->first.second, static_cast<std::uint8_t>(it->first.first));
                ref.erase(it);
            } else {
                const unsigned len = rng() % 10 == 0 ? 12 + rng() % 21 : 16 + rng() % 113;
                const Addr6 a = mask6(random_address(), len);
                ASSERT_TRUE(lpm->set(a, static_cast<std::uint8_t>(len), next));
                ref[{len, a}] = next++;
            }
        }
        lpm->end_batch();
        std::vector<Addr6> probes;
        for (const auto& [key, g] : ref) {
            probes.push_back(key.second);
            Addr6 last = key.second;
            for (unsigned bit = key.first; bit < 128; ++bit) {
                last[bit / 8] = static_cast<std::uint8_t>(last[bit / 8] | (0x80U >> (bit % 8)));
            }
            probes.push_back(last);
        }
        for (int i = 0; i < 32; ++i) {
            probes.push_back(random_address());
        }
        std::vector<std::uint64_t> got(probes.size());
        lpm->lookup_bulk(reinterpret_cast<const std::uint8_t(*)[16]>(probes.data()), got.data(),
                         static_cast<unsigned>(probes.size()));
        for (std::size_t i = 0; i < probes.size(); ++i) {
            ASSERT_EQ(got[i], reference(probes[i])) << "batch " << batch << " probe " << i;
        }
    }
    for (const auto& [key, g] : ref) {
        lpm->erase(key.second, static_cast<std::uint8_t>(key.first));
    }
    lpm->end_batch();
    lpm->end_batch();
    EXPECT_EQ(lpm->stats().routes, 0U);
    EXPECT_EQ(lpm->stats().tbl8_used, 0U);
}

}  // namespace
}  // namespace rf::fib
