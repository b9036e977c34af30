// The ROA table against a brute-force reader of RFC 6811 §2 over random ROAs and routes: for every route
// the validity equals what the RFC's definition gives over the list of ROAs, while ROAs come and go from
// two "caches" (occurrence counting). Prefixes are drawn from a small space so that covering, equal and
// beside-each-other prefixes are common; origins from a few ASes, AS 0 and NONE.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "control/rpki/roa_table.hpp"

namespace rf::rpki {
namespace {

// RFC 6811 §2, read literally: a ROA covers the route when its prefix covers the route's prefix; it
// matches when it covers, its AS is the route's origin (not NONE) and the route's length is at most
// its max length. Valid if some ROA matches, else Invalid if some covers, else NotFound. AS0 ROAs
// (RFC 6483 §4) never match.
Validity reference(const std::map<Roa, int>& roas, const net::Prefix& route,
                   std::optional<std::uint32_t> origin) {
    bool covered = false;
    for (const auto& [r, n] : roas) {
        if (n <= 0 || !r.prefix.contains(route)) {
            continue;
        }
        covered = true;
        if (origin && r.asn != 0 && r.asn == *origin && route.length <= r.max_length) {
            return Validity::Valid;
        }
    }
    return covered ? Validity::Invalid : Validity::NotFound;
}

net::Prefix random_prefix(std::mt19937& rng, net::Afi afi) {
    std::array<std::uint8_t, 16> bytes{};
    if (afi == net::Afi::Ipv4) {
        bytes[0] = 10;
        bytes[1] = static_cast<std::uint8_t>(rng() % 4);
        bytes[2] = static_cast<std::uint8_t>(rng() % 4 * 64);
        bytes[3] = static_cast<std::uint8_t>(rng() % 2 * 128);
        const auto len = static_cast<std::uint8_t>(8 + rng() % 25);  // 8..32
        return net::Prefix::make(afi, len, bytes.data(), 4);
    }
    bytes[0] = 0x20;
    bytes[1] = 0x01;
    bytes[2] = 0x0d;
    bytes[3] = 0xb8;
    bytes[5] = static_cast<std::uint8_t>(rng() % 3);
    bytes[8] = static_cast<std::uint8_t>(rng() % 2 * 0x80);
    bytes[15] = static_cast<std::uint8_t>(rng() % 2);
    const std::uint8_t lengths[] = {0, 16, 32, 40, 47, 48, 56, 63, 64, 65, 96, 127, 128};
    return net::Prefix::make(afi, lengths[rng() % std::size(lengths)], bytes.data(), 16);
}

std::optional<std::uint32_t> random_origin(std::mt19937& rng) {
    const std::uint32_t pick = rng() % 8;
    if (pick == 7) {
        return std::nullopt;  // AS_SET last: NONE
    }
    return pick == 6 ? 0 : 65001 + pick % 4;
}

TEST(RoaTableProperty, MatchesTheRfcReadLiterallyUnderRandomChanges) {
    for (std::uint32_t seed = 1; seed <= 40; ++seed) {
        std::mt19937 rng(seed);
        RoaTable table;
        std::map<Roa, int> roas;  // ROA → occurrences (two caches may both deliver it)
        for (int step = 0; step < 400; ++step) {
            const net::Afi afi = rng() % 3 == 0 ? net::Afi::Ipv6 : net::Afi::Ipv4;
            const net::Prefix p = random_prefix(rng, afi);
            const std::uint8_t slack = static_cast<std::uint8_t>(rng() % 10);
            const auto max_length =
                static_cast<std::uint8_t>(std::min<int>(p.length + slack, p.max_length()));
            const Roa r{p, max_length, rng() % 9 == 0 ? 0 : 65001 + static_cast<std::uint32_t>(rng() % 4)};
            if (rng() % 3 != 0 || roas[r] == 0) {
                const bool fresh = roas[r]++ == 0;
                ASSERT_EQ(table.add(r), fresh) << r.to_string();
            } else {
                const bool last = --roas[r] == 0;
                ASSERT_EQ(table.remove(r), last) << r.to_string();
            }
            for (int q = 0; q < 20; ++q) {
                const net::Prefix route =
                    random_prefix(rng, rng() % 3 == 0 ? net::Afi::Ipv6 : net::Afi::Ipv4);
                const auto origin = random_origin(rng);
                ASSERT_EQ(table.validate(route, origin), reference(roas, route, origin))
                    << "seed " << seed << " step " << step << " route " << route.to_string() << " origin "
                    << (origin ? std::to_string(*origin) : "NONE");
            }
        }
        std::size_t held = 0;
        for (const auto& [r, n] : roas) {
            held += n > 0 ? 1 : 0;
        }
        EXPECT_EQ(table.size(), held);
        std::size_t seen = 0;
        table.for_each([&](const Roa& r) {
            ++seen;
            EXPECT_GT(roas[r], 0) << r.to_string();
        });
        EXPECT_EQ(seen, held);
    }
}

}  // namespace
}  // namespace rf::rpki
