// Connections from addresses that are not configured peers are refused at once; their log lines are
// rate-limited: the first few of each interval one by one, the rest as one count per interval, so that a
// flood of refused connections cannot flood the log, and nothing goes uncounted.
#include <gtest/gtest.h>

#include <regex>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

struct RefusedLines {
    std::size_t one_by_one = 0;   // "connection from … refused: not a configured peer"
    std::size_t count_lines = 0;  // "N more connection(s) … refused"
    std::uint64_t counted = 0;    // the sum of their N
};

RefusedLines refused_lines(RsHarness& rs) {
    RefusedLines r;
    const std::regex count_line(
        R"(^(\d+) more connection\(s\) from addresses that are not configured peers)");
    for (const auto& l : rs.log_lines()) {
        std::smatch m;
        if (std::regex_search(l, m, count_line)) {
            ++r.count_lines;
            r.counted += std::stoull(m[1].str());
        } else if (l.find("refused: not a configured peer") != std::string::npos) {
            ++r.one_by_one;
        }
    }
    return r;
}

TEST(RefusedConnections, LogStaysBoundedAndCountsEveryRefusal) {
    constexpr std::size_t kBurst = 3;
    constexpr auto kInterval = std::chrono::seconds(1);
    constexpr std::uint64_t kConnections = 300;
    server::ServerConfig cfg;
    cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
    cfg.listen_addresses = {*net::IpAddress::parse(loopback(1))};
    cfg.port = free_port(loopback(1));
    cfg.refused_log_burst = kBurst;
    cfg.refused_log_interval = kInterval;
    RsHarness rs(cfg, {});
    ASSERT_FALSE(rs.start_error());

    const auto began = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < kConnections; ++i) {
        RawPeer stranger;
        ASSERT_TRUE(stranger.connect(loopback(70 + static_cast<int>(i % 20)), loopback(1), cfg.port));
    }
    ASSERT_TRUE(wait_until(
        [&] { return rs.call([](auto& s) { return s.refused_connections(); }) == kConnections; }, 10s));
    // Every refusal is logged one by one or counted, once the last interval's count is out.
    ASSERT_TRUE(wait_until(
        [&] {
            const auto r = refused_lines(rs);
            return r.one_by_one + r.counted == kConnections;
        },
        5s));
    const auto intervals =
        2 + std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - began) /
                kInterval;
    const auto r = refused_lines(rs);
    EXPECT_LE(r.one_by_one, kBurst * static_cast<std::size_t>(intervals));
    EXPECT_LE(r.count_lines, static_cast<std::size_t>(intervals));
    EXPECT_GE(r.count_lines, 1U);
}

}  // namespace
}  // namespace rf::testing
