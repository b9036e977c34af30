// Dir24Lpm4 under concurrent readers: nested prefixes (a /10 down to a /32, plus the default route)
// installed, changed and withdrawn one operation at a time while two readers look up addresses inside
// them flat out. Every operation gives its prefix a group id never used before, and the writer records
// the whole state after each operation. Each lookup, taken between two reads of the writer's progress
// counter (c0 before, c1 after), must equal the longest-prefix match of some state the writer had in
// [c0, c1 + 1]: readers never see a prefix half-installed or half-withdrawn, a tbl8 group mid-collapse,
// or a reused route id or group (both are reused under the test: batches end every few operations).
// Bounded in operations and time; checked after the threads join.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include "fib/dir24.hpp"
#include "fib/dpdk.hpp"

namespace rf::fib {
namespace {

struct Route {
    std::uint32_t ip;
    std::uint8_t depth;
};

// 100.64.0.0/10 ⊃ 100.64.0.0/16 ⊃ 100.64.1.0/24 ⊃ 100.64.1.0/25 ⊃ 100.64.1.16/28 ⊃ 100.64.1.20/30 ⊃
// 100.64.1.22/32; 100.64.1.128/26 and 100.64.2.0/23 beside them; and the default route.
constexpr std::array<Route, 9> kRoutes = {{{0x64400000U, 10},
                                           {0x64400000U, 16},
                                           {0x64400100U, 24},
                                           {0x64400100U, 25},
                                           {0x64400110U, 28},
                                           {0x64400114U, 30},
                                           {0x64400116U, 32},
                                           {0x64400180U, 26},
                                           {0x64400200U, 23}}};
constexpr std::size_t kDefault = kRoutes.size();  // index of the default route in a state
constexpr std::size_t kSlots = kRoutes.size() + 1;

constexpr std::array<std::uint32_t, 12> kProbes = {0x64400116U, 0x64400115U, 0x64400111U, 0x64400164U,
                                                   0x64400182U, 0x644001C8U, 0x64400305U, 0x64400209U,
                                                   0x64400909U, 0x64410001U, 0x64640001U, 0x08080808U};

using State = std::array<GroupId, kSlots>;  // group per route (kNoGroup: not installed)

GroupId longest_match(const State& s, std::uint32_t a) {
    GroupId best = s[kDefault];
    int best_len = -1;
    for (std::size_t k = 0; k < kRoutes.size(); ++k) {
        const Route& r = kRoutes[k];
        const std::uint32_t m = ~0U << (32 - r.depth);
        if (s[k] != kNoGroup && (a & m) == r.ip && r.depth > best_len) {
            best = s[k];
            best_len = r.depth;
        }
    }
    return best;
}

struct Sample {
    std::uint32_t c0;
    std::uint32_t c1;
    std::array<std::uint32_t, kProbes.size()> got;
};

TEST(Dir24Concurrency, EveryLookupMatchesAStateTheWriterHadDuringIt) {
    constexpr unsigned kReaders = 2;
    const std::size_t qsize = rte_rcu_qsbr_get_memsize(kReaders);
    auto* q = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(64, (qsize + 63) / 64 * 64));
    ASSERT_EQ(rte_rcu_qsbr_init(q, kReaders), 0);
    // Few ids, so that withdrawn rids and collapsed groups are reused soon after their grace period.
    auto lpm = Dir24Lpm4::create(Dir24Config{16, 4, false}, q);

    constexpr std::uint32_t kOps = 20000;
    std::vector<State> states(kOps + 2, State{});  // states[s]: after s operations
    std::atomic<std::uint32_t> completed{0};
    std::atomic<bool> done{false};
    std::atomic<unsigned> online{0};
    // A lookup matching a state in [c0, c1] is checked at once (those states are written before c1 is
    // published); the others wait for the end, when state c1 + 1 is known too.
    std::vector<std::vector<Sample>> later(kReaders);
    std::atomic<std::uint64_t> checked{0};
    std::vector<std::thread> readers;
    for (unsigned id = 0; id < kReaders; ++id) {
        readers.emplace_back([&, id] {
            rte_rcu_qsbr_thread_register(q, id);
            rte_rcu_qsbr_thread_online(q, id);
            online.fetch_add(1);
            auto& mine = later[id];
            std::uint64_t n = 0;
            std::array<std::uint64_t, kProbes.size()> out{};
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            while (!done.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < deadline) {
                Sample s{};
                s.c0 = completed.load(std::memory_order_acquire);
                lpm->lookup_bulk(kProbes.data(), out.data(), kProbes.size());
                s.c1 = completed.load(std::memory_order_acquire);
                rte_rcu_qsbr_quiescent(q, id);
                std::copy(out.begin(), out.end(), s.got.begin());
                bool all = true;
                for (std::size_t i = 0; i < kProbes.size() && all; ++i) {
                    bool ok = false;
                    for (std::uint32_t st = s.c0; st <= s.c1 && !ok; ++st) {
                        ok = longest_match(states[st], kProbes[i]) == s.got[i];
                    }
                    all = ok;
                }
                if (!all && mine.size() < 100000) {
                    mine.push_back(s);
                }
                n += kProbes.size();
            }
            checked.fetch_add(n);
            rte_rcu_qsbr_thread_offline(q, id);
        });
    }
    while (online.load() < kReaders) {
        std::this_thread::yield();
    }

    std::mt19937 rng(42);
    State now{};
    std::uint32_t ops = 0;
    std::uint64_t refused = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (ops < kOps && std::chrono::steady_clock::now() < deadline) {
        const std::size_t k = rng() % kSlots;
        const GroupId g = ops + 1;  // unique: a lookup's answer names the operation that set it
        const Route r = k == kDefault ? Route{0, 0} : kRoutes[k];
        if (now[k] != kNoGroup && rng() % 2 == 0) {
            lpm->erase(r.ip, r.depth);
            now[k] = kNoGroup;
        } else if (lpm->set(r.ip, r.depth, g)) {
            now[k] = g;
        } else {
            ++refused;  // cannot happen with 16 ids and 9 routes; counted, and the state is unchanged
        }
        states[ops + 1] = now;
        completed.store(++ops, std::memory_order_release);
        if (rng() % 4 == 0) {
            lpm->end_batch();
        }
        if (ops % 256 == 0) {
            std::this_thread::yield();  // let readers interleave on a small machine
        }
    }
    states[ops + 1] = now;  // the window's end may reach one past the last operation
    done.store(true, std::memory_order_release);
    for (std::thread& t : readers) {
        t.join();
    }
    lpm->end_batch();

    std::uint64_t bad = 0;
    for (const auto& mine : later) {
        for (const Sample& s : mine) {
            for (std::size_t i = 0; i < kProbes.size(); ++i) {
                bool ok = false;
                for (std::uint32_t st = s.c0; st <= std::min(s.c1 + 1, ops + 1) && !ok; ++st) {
                    ok = longest_match(states[st], kProbes[i]) == s.got[i];
                }
                if (!ok && ++bad <= 5) {
                    ADD_FAILURE() << "probe " << std::hex << kProbes[i] << std::dec << " got group " << s.got[i]
                                  << " between operations " << s.c0 << " and " << s.c1;
                }
            }
        }
    }
    EXPECT_EQ(bad, 0U);
    EXPECT_EQ(refused, 0U);
    EXPECT_GT(ops, 1000U);
    EXPECT_GT(checked.load(), 10000U);
    const Dir24Stats st = lpm->stats();
    lpm.reset();
    std::free(q);
    std::printf("dir24 stress: %u operations, %llu lookups checked, grace waits %llu\n", ops,
                static_cast<unsigned long long>(checked.load()), static_cast<unsigned long long>(st.grace_waits));
}

}  // namespace
}  // namespace rf::fib
