// Enhanced route refresh (RFC 7313) and extended messages (RFC 8654) through the in-process route server,
// with raw test peers on loopback: a peer's BoRR marks its routes of the family stale, what it does not
// re-advertise before EoRR is withdrawn everywhere; a refresh answer to an enhanced peer is BoRR, the
// Adj-RIB-Out, EoRR; an UPDATE over 4,096 octets goes to the peers that negotiated extended messages and
// never to the others, and a message over the negotiated limit is a Bad Message Length.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

const bgp::AfiSafi kV4{net::Afi::Ipv4, net::Safi::Unicast};
using bgp::Nlri;

std::uint8_t type_of(const std::vector<std::uint8_t>& m) {
    return m[18];
}

struct Harness {
    std::uint16_t port = free_port(loopback(1));
    std::unique_ptr<RsHarness> rs;
    explicit Harness(std::vector<int> hosts, std::size_t route_limit = azure::kRouteLimit) {
        server::ServerConfig cfg;
        cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
        cfg.listen_addresses = {*net::IpAddress::parse(loopback(1))};
        cfg.port = port;
        std::vector<session::PeerSettings> peers;
        for (int h : hosts) {
            peers.push_back(loopback_peer(h));
            peers.back().route_limit = route_limit;
        }
        rs = std::make_unique<RsHarness>(cfg, peers);
    }
    // Connects and establishes `p` as host `h`, offering enhanced route refresh and extended messages
    // as asked.
    bool connect(RawPeer& p, int h, bool enhanced, bool extended) {
        p.capabilities.enhanced_route_refresh = enhanced;
        p.capabilities.extended_message = extended;
        return p.connect(loopback(h), loopback(1), port) &&
               p.handshake(static_cast<std::uint32_t>(65000 + h), "10.0.0." + std::to_string(h));
    }
    std::uint32_t rib_id(int h) {
        const auto st = rs->sessions_of(loopback(h));
        return st.empty() ? 0 : st[0].rib_id;
    }
    std::size_t stale(int h) {
        const auto id = rib_id(h);
        return rs->call([&](server::RouteServer& s) { return s.rib().stale_count(id); });
    }
};

TEST(EnhancedRefresh, RoutesNotReadvertisedBetweenBorrAndEorrAreWithdrawnEverywhere) {
    Harness h({71, 72});
    ASSERT_FALSE(h.rs->start_error());
    RawPeer a;
    RawPeer b;
    ASSERT_TRUE(h.connect(a, 71, true, false));
    ASSERT_TRUE(h.connect(b, 72, false, false));
    ASSERT_TRUE(a.announce({"10.71.1.0/24", "10.71.2.0/24", "10.71.3.0/24"}, "100.64.0.71", {65071}));
    ASSERT_TRUE(wait_until([&] { return h.rs->lookup("10.71.3.0/24").has_value(); }, 3s));
    ASSERT_TRUE(wait_until(
        [&] {
            b.receive(50ms);
            return b.has_announced("10.71.3.0/24");
        },
        3s));

    ASSERT_TRUE(a.send_route_refresh(kV4, bgp::refresh_subtype::Begin));
    ASSERT_TRUE(wait_until([&] { return h.stale(71) == 3; }, 3s));
    // Re-advertised and withdrawn paths are fresh again; 10.71.3.0/24 stays stale. Stale routes stay in
    // use until EoRR.
    ASSERT_TRUE(a.announce({"10.71.1.0/24"}, "100.64.0.71", {65071}));
    ASSERT_TRUE(a.withdraw({"10.71.2.0/24"}));
    ASSERT_TRUE(wait_until([&] { return h.stale(71) == 1; }, 3s));
    EXPECT_TRUE(h.rs->lookup("10.71.3.0/24").has_value());

    ASSERT_TRUE(a.send_route_refresh(kV4, bgp::refresh_subtype::End));
    ASSERT_TRUE(wait_until([&] { return !h.rs->lookup("10.71.3.0/24").has_value(); }, 3s));
    EXPECT_TRUE(h.rs->lookup("10.71.1.0/24").has_value());
    EXPECT_FALSE(h.rs->lookup("10.71.2.0/24").has_value());
    EXPECT_EQ(h.stale(71), 0U);
    ASSERT_TRUE(wait_until(
        [&] {
            b.receive(50ms);
            return b.has_withdrawn("10.71.3.0/24");
        },
        3s));
    EXPECT_TRUE(b.has_announced("10.71.1.0/24"));
    const auto st = h.rs->sessions_of(loopback(71));
    ASSERT_EQ(st.size(), 1U);
    EXPECT_EQ(st[0].borr_received, 1U);
    EXPECT_EQ(st[0].eorr_received, 1U);
    EXPECT_TRUE(st[0].enhanced_route_refresh);
    EXPECT_EQ(st[0].state, session::State::Established);
    // B did not negotiate the capability: its BoRR is ignored, nothing of its goes stale.
    ASSERT_TRUE(b.announce({"10.72.1.0/24"}, "100.64.0.72", {65072}));
    ASSERT_TRUE(b.send_route_refresh(kV4, bgp::refresh_subtype::Begin));
    ASSERT_TRUE(
        wait_until([&] { return h.rs->sessions_of(loopback(72))[0].route_refreshes_ignored == 1; }, 3s));
    EXPECT_EQ(h.stale(72), 0U);
}

// Every message the peer receives until none comes for a while, in order.
std::vector<std::vector<std::uint8_t>> read_all(RawPeer& p) {
    std::vector<std::vector<std::uint8_t>> out;
    for (int i = 0; i < 10000; ++i) {
        auto m = p.receive(500ms);
        if (!m) {
            break;
        }
        if (type_of(*m) != static_cast<std::uint8_t>(bgp::MessageType::Keepalive)) {
            out.push_back(*m);
        }
    }
    return out;
}

TEST(EnhancedRefresh, ARefreshAnswerIsFramedByBorrAndEorrForAnEnhancedPeerOnly) {
    Harness h({73, 74, 75});
    ASSERT_FALSE(h.rs->start_error());
    RawPeer a;
    RawPeer b;
    RawPeer c;
    ASSERT_TRUE(h.connect(a, 73, true, false));
    ASSERT_TRUE(h.connect(b, 74, false, false));
    ASSERT_TRUE(h.connect(c, 75, false, false));
    ASSERT_TRUE(c.announce({"10.75.1.0/24", "10.75.2.0/24"}, "100.64.0.75", {65075}));
    ASSERT_TRUE(wait_until([&] { return h.rs->lookup("10.75.2.0/24").has_value(); }, 3s));
    read_all(a);
    read_all(b);

    ASSERT_TRUE(a.send_route_refresh(kV4));
    auto got = read_all(a);
    ASSERT_GE(got.size(), 3U);
    ASSERT_EQ(type_of(got.front()), static_cast<std::uint8_t>(bgp::MessageType::RouteRefresh));
    EXPECT_EQ(got.front()[21], bgp::refresh_subtype::Begin);
    ASSERT_EQ(type_of(got.back()), static_cast<std::uint8_t>(bgp::MessageType::RouteRefresh));
    EXPECT_EQ(got.back()[21], bgp::refresh_subtype::End);
    for (std::size_t i = 1; i + 1 < got.size(); ++i) {
        ASSERT_EQ(type_of(got[i]), static_cast<std::uint8_t>(bgp::MessageType::Update));
        auto u = bgp::decode_update(got[i], a.codec);
        ASSERT_TRUE(u);
        EXPECT_FALSE(u->update.is_end_of_rib());  // RFC 7313: EoRR, not End-of-RIB, ends it
    }
    EXPECT_TRUE(a.has_announced("10.75.1.0/24"));
    EXPECT_TRUE(a.has_announced("10.75.2.0/24"));
    const auto st = h.rs->sessions_of(loopback(73));
    EXPECT_EQ(st[0].borr_sent, 1U);
    EXPECT_EQ(st[0].eorr_sent, 1U);

    // A plain route refresh (RFC 2918): the routes, then End-of-RIB; no demarcation.
    ASSERT_TRUE(b.send_route_refresh(kV4));
    got = read_all(b);
    ASSERT_GE(got.size(), 2U);
    for (const auto& m : got) {
        EXPECT_EQ(type_of(m), static_cast<std::uint8_t>(bgp::MessageType::Update));
    }
    auto last = bgp::decode_update(got.back(), b.codec);
    ASSERT_TRUE(last);
    EXPECT_TRUE(last->update.is_end_of_rib());
    EXPECT_EQ(h.rs->sessions_of(loopback(74))[0].borr_sent, 0U);
}

TEST(ExtendedMessages, ALargeUpdateReachesExtendedPeersAndIsWithdrawnFromTheOthers) {
    Harness h({76, 77, 78});
    ASSERT_FALSE(h.rs->start_error());
    RawPeer a;  // the NVA with the large route, extended
    RawPeer b;  // extended
    RawPeer c;  // not extended
    ASSERT_TRUE(h.connect(a, 76, true, true));
    ASSERT_TRUE(h.connect(b, 77, true, true));
    ASSERT_TRUE(h.connect(c, 78, true, false));
    EXPECT_TRUE(a.codec.extended_message);
    EXPECT_FALSE(c.codec.extended_message);
    const auto st = h.rs->sessions_of(loopback(76));
    ASSERT_EQ(st.size(), 1U);
    EXPECT_TRUE(st[0].extended_message);
    EXPECT_EQ(st[0].max_message_size, bgp::kMaxExtendedMessageSize);
    EXPECT_FALSE(h.rs->sessions_of(loopback(78))[0].extended_message);

    // First a small announcement, which every peer gets.
    ASSERT_TRUE(a.announce({"10.76.1.0/24"}, "100.64.0.76", {65076}, {0xFDEC0001U}));
    ASSERT_TRUE(wait_until(
        [&] {
            c.receive(50ms);
            return c.has_announced("10.76.1.0/24");
        },
        3s));
    // Then 1,500 communities (6,000 octets): one UPDATE over 4,096 octets each way where negotiated.
    std::vector<std::uint32_t> many(1500);
    for (std::size_t i = 0; i < many.size(); ++i) {
        many[i] = 0xFDEC0000U + static_cast<std::uint32_t>(i);
    }
    ASSERT_TRUE(a.announce({"10.76.1.0/24"}, "100.64.0.76", {65076}, many));
    std::size_t largest = 0;
    ASSERT_TRUE(wait_until(
        [&] {
            if (auto m = b.receive(50ms)) {
                largest = std::max(largest, m->size());
            }
            return !b.updates.empty() && b.updates.back().attributes.communities.size() == many.size();
        },
        5s));
    EXPECT_GT(largest, bgp::kMaxMessageSize);
    EXPECT_TRUE(b.has_announced("10.76.1.0/24"));
    // C never receives more than 4,096 octets: the route is withdrawn there (RFC 8654 §4).
    std::size_t largest_c = 0;
    ASSERT_TRUE(wait_until(
        [&] {
            if (auto m = c.receive(50ms)) {
                largest_c = std::max(largest_c, m->size());
            }
            return c.has_withdrawn("10.76.1.0/24");
        },
        3s));
    EXPECT_LE(largest_c, bgp::kMaxMessageSize);
    EXPECT_FALSE(c.has_announced("10.76.1.0/24"));

    // An UPDATE longer than the negotiated limit: Message Header Error / Bad Message Length with the
    // length (RFC 4271 §6.1), here 4,097 octets from C.
    bgp::Update big;
    big.attributes.origin = bgp::Origin::Igp;
    big.attributes.as_path = bgp::AsPath{{{bgp::AsSegmentType::Sequence, {65078}}}};
    big.attributes.next_hop = *net::Ipv4Address::parse("100.64.0.78");
    big.nlri.push_back({*net::Prefix::parse("10.78.0.0/24"), 0});
    big.attributes.communities.assign(1000, 0xFDEE0001U);  // 4,051 octets in all
    bgp::CodecOptions ext;
    ext.extended_message = true;
    std::vector<std::uint8_t> wire;
    ASSERT_TRUE(bgp::encode_update(big, ext, wire));
    ASSERT_LT(wire.size() + 3, bgp::kMaxMessageSize + 1);
    // Padded to exactly 4,097 with an unknown optional transitive attribute (3-octet header).
    const std::size_t pad = bgp::kMaxMessageSize + 1 - wire.size() - 3;
    big.attributes.unknown.push_back(bgp::UnknownAttribute{0xC0, 250, std::vector<std::uint8_t>(pad, 0)});
    wire.clear();
    ASSERT_TRUE(bgp::encode_update(big, ext, wire));
    ASSERT_EQ(wire.size(), bgp::kMaxMessageSize + 1);
    ASSERT_TRUE(c.send(wire));
    const auto n = c.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, static_cast<std::uint8_t>(bgp::ErrorCode::MessageHeader));
    EXPECT_EQ(n->subcode, static_cast<std::uint8_t>(bgp::HeaderSubcode::BadMessageLength));
    EXPECT_EQ(n->data, (std::vector<std::uint8_t>{0x10, 0x01}));
    // The extended peer may send more than 4,096 (above), but not more than it can frame: nothing else
    // was disturbed.
    EXPECT_TRUE(h.rs->established(loopback(76)));
    EXPECT_TRUE(h.rs->established(loopback(77)));
}

TEST(ExtendedMessages, TheAdjRibOutPacksUpToEachPeersLimitInTheSameOrder) {
    Harness h({79, 80, 81}, 0);  // no route limit: 5,000 routes from one peer
    ASSERT_FALSE(h.rs->start_error());
    RawPeer a;  // sends 5,000 prefixes in one UPDATE of about 20 kB
    RawPeer b;  // extended
    RawPeer c;  // not extended
    ASSERT_TRUE(h.connect(a, 79, false, true));
    ASSERT_TRUE(h.connect(b, 80, false, true));
    ASSERT_TRUE(h.connect(c, 81, false, false));
    std::vector<std::string> prefixes;
    for (int i = 0; i < 5000; ++i) {
        prefixes.push_back("10." + std::to_string(100 + i / 256) + "." + std::to_string(i % 256) + ".0/24");
    }
    ASSERT_TRUE(a.announce(prefixes, "100.64.0.79", {65079}));
    // Every message each peer receives until it holds the 5,000 prefixes: how many UPDATEs carry them,
    // the largest one, and the NLRI in the order received.
    const auto collect = [&](RawPeer& p, std::size_t& messages, std::size_t& largest,
                             std::vector<Nlri>& order) {
        return wait_until(
            [&] {
                while (auto m = p.receive(50ms)) {
                    if (type_of(*m) != static_cast<std::uint8_t>(bgp::MessageType::Update)) {
                        continue;
                    }
                    auto u = bgp::decode_update(*m, p.codec);
                    if (u && !u->update.nlri.empty() &&
                        u->update.nlri.front().prefix.to_string().rfind("10.1", 0) == 0) {
                        ++messages;
                        largest = std::max(largest, m->size());
                        order.insert(order.end(), u->update.nlri.begin(), u->update.nlri.end());
                    }
                }
                return order.size() >= prefixes.size();
            },
            10s);
    };
    std::size_t b_messages = 0;
    std::size_t b_largest = 0;
    std::size_t c_messages = 0;
    std::size_t c_largest = 0;
    std::vector<Nlri> b_order;
    std::vector<Nlri> c_order;
    ASSERT_TRUE(collect(b, b_messages, b_largest, b_order));
    ASSERT_TRUE(collect(c, c_messages, c_largest, c_order));
    // 5,000 × 4 octets of NLRI: one UPDATE of about 20 kB where extended, five of at most 4,096 elsewhere.
    EXPECT_EQ(b_messages, 1U);
    EXPECT_GT(b_largest, bgp::kMaxMessageSize);
    EXPECT_EQ(c_messages, 5U);
    EXPECT_LE(c_largest, bgp::kMaxMessageSize);
    // The same prefixes in the same order: only the cut between messages differs.
    EXPECT_EQ(b_order, c_order);
    std::printf(
        "5,000 prefixes, one attribute set: %zu UPDATE(s) (largest %zu octets) to the extended peer, "
        "%zu (largest %zu) to the other\n",
        b_messages, b_largest, c_messages, c_largest);
}

}  // namespace
}  // namespace rf::testing
