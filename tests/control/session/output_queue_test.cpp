// Every session's output queue is bounded (ServerConfig::max_output_bytes): a peer that stops reading
// while the others announce many routes is torn down with NOTIFICATION Cease / Out of Resources (RFC 4486
// subcode 8) instead of making the route server buffer without bound. Its routes are withdrawn; the other
// sessions keep running and keep their routes. Bounded in count (a fixed number of UPDATEs) and time.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

constexpr std::size_t kMaxOutput = 3U << 20;  // 3 MiB per session
// Each UPDATE carries one /24 and 250 communities (~1 KB), distinct per route so that no two share an
// UPDATE on the way out: 12,000 of them are ~12 MB for the slow peer — more than the kernel buffers
// (tcp_wmem max 4 MB) plus the 3 MiB bound. The reader must keep up with the route server (it only counts
// what it reads) or it would overflow too: at the pace below it may stall for ~0.3 s (the suite runs
// tests two at a time, some of them with an emulator worker spinning on a core).
constexpr int kRoutes = 12000;

session::PeerSettings make_peer(int host) {
    session::PeerSettings p = loopback_peer(host);
    p.route_limit = 0;  // unlimited: this test is about output, not the route limit
    return p;
}

std::vector<std::uint8_t> fat_update(int i, std::uint32_t asn) {
    bgp::Update u;
    u.attributes.origin = bgp::Origin::Igp;
    u.attributes.as_path = bgp::AsPath{{{bgp::AsSegmentType::Sequence, {asn}}}};
    u.attributes.next_hop = *net::Ipv4Address::parse("100.64.0.81");
    for (std::uint32_t c = 0; c < 250; ++c) {
        u.attributes.communities.push_back((asn << 16) | ((static_cast<std::uint32_t>(i) + c) & 0xFFFF));
    }
    const auto a = static_cast<std::uint32_t>(i);
    u.nlri.push_back(
        {net::Prefix::v4(net::Ipv4Address{(10U << 24) | ((100U + (a >> 8)) << 16) | ((a & 0xFF) << 8)}, 24),
         0});
    std::vector<std::uint8_t> out;
    bgp::encode_update(u, bgp::CodecOptions{}, out);
    return out;
}

TEST(OutputQueue, PeerThatStopsReadingIsCeasedWithOutOfResourcesOthersKeepTheirRoutes) {
    const std::uint16_t port = free_port(loopback(1));
    server::ServerConfig cfg;
    cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
    cfg.listen_addresses = {*net::IpAddress::parse(loopback(1))};
    cfg.port = port;
    cfg.max_output_bytes = kMaxOutput;
    cfg.rib.vnet_prefixes = {*net::Prefix::parse("10.1.0.0/16")};
    RsHarness rs(cfg, {make_peer(81), make_peer(82), make_peer(83)});
    ASSERT_FALSE(rs.start_error());

    RawPeer slow;
    slow.set_receive_buffer(4096);  // and it never reads until the end
    ASSERT_TRUE(slow.connect(loopback(83), loopback(1), port));
    ASSERT_TRUE(slow.handshake(65083, "10.0.0.83"));
    ASSERT_TRUE(slow.announce({"10.83.0.0/24"}, "100.64.0.83", {65083}));
    RawPeer reader;  // reads everything, on its own thread, counting UPDATEs without decoding them
    reader.record_updates = false;
    ASSERT_TRUE(reader.connect(loopback(82), loopback(1), port));
    ASSERT_TRUE(reader.handshake(65082, "10.0.0.82"));
    ASSERT_TRUE(reader.announce({"10.82.0.0/24"}, "100.64.0.82", {65082}));
    RawPeer source;
    source.record_updates = false;
    ASSERT_TRUE(source.connect(loopback(81), loopback(1), port));
    ASSERT_TRUE(source.handshake(65081, "10.0.0.81"));
    ASSERT_TRUE(wait_until(
        [&] { return rs.lookup("10.82.0.0/24").has_value() && rs.lookup("10.83.0.0/24").has_value(); }, 3s));

    std::atomic<bool> stop{false};
    std::thread reading([&] {
        for (int guard = 0; guard < 10000000 && !stop.load(); ++guard) {
            reader.receive(20ms);
        }
    });
    std::thread draining_source([&] {  // the source hears the others' routes: keep its socket drained
        for (int guard = 0; guard < 10000000 && !stop.load(); ++guard) {
            source.receive(20ms);
        }
    });
    const auto t0 = std::chrono::steady_clock::now();
    bool sent_all = true;
    // Paced at about 10 MB/s (100 UPDATEs, then 10 ms): a reader that keeps reading stays far below the
    // bound, the one that does not read crosses it. (The bound protects against slow readers; it is not
    // flow control, so a burst faster than a healthy reader could also trip a bound this small.)
    for (int i = 0; i < kRoutes && sent_all; ++i) {
        sent_all = source.send(fat_update(i, 65081));
        if (i % 100 == 99) {
            std::this_thread::sleep_for(10ms);
        }
    }
    ASSERT_TRUE(sent_all);
    // The slow peer's session goes down with Cease / Out of Resources; bounded wait.
    const bool down = wait_until(
        [&] {
            const auto st = rs.sessions_of(loopback(83));
            return !st.empty() && st[0].output_overflows > 0;
        },
        20s);
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(down) << "the slow peer was never dropped";
    // It reads now: what the kernel held, then the NOTIFICATION (the queued UPDATEs were discarded).
    const auto n = slow.await_notification(5s);
    ASSERT_TRUE(n) << "no NOTIFICATION reached the slow peer";
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 8);  // Cease / Out of Resources
    const auto st = rs.sessions_of(loopback(83)).at(0);
    ASSERT_TRUE(st.last_sent);
    EXPECT_EQ(st.last_sent->code, 6);
    EXPECT_EQ(st.last_sent->subcode, 8);
    EXPECT_EQ(st.last_reason, session::Reason::OutOfResources);
    EXPECT_NE(st.state, session::State::Established);

    // Its routes are withdrawn; the other sessions are up with all of theirs (every route announced).
    EXPECT_FALSE(rs.lookup("10.83.0.0/24").has_value());
    EXPECT_TRUE(wait_until(
        [&] {
            return rs.call([](server::RouteServer& s) { return s.rib().stats().loc_rib_prefixes; }) ==
                   static_cast<std::size_t>(kRoutes) + 1;
        },  // + 10.82.0.0/24
        10s));
    EXPECT_TRUE(rs.established(loopback(81)));
    EXPECT_TRUE(rs.established(loopback(82)));
    EXPECT_TRUE(rs.lookup("10.82.0.0/24").has_value());
    EXPECT_EQ(rs.sessions_of(loopback(82)).at(0).output_overflows, 0U);
    // The reader (it kept reading) got an UPDATE for every route.
    stop = true;
    reading.join();
    draining_source.join();
    EXPECT_TRUE(wait_until(
        [&] {
            reader.receive(50ms);
            return reader.update_messages >= static_cast<std::size_t>(kRoutes);
        },
        10s))
        << reader.update_messages;
    std::printf("slow peer dropped %.0f ms after the first of %d UPDATEs (max_output_bytes %zu)\n",
                std::chrono::duration<double, std::milli>(took).count(), kRoutes, kMaxOutput);
}

}  // namespace
}  // namespace rf::testing
