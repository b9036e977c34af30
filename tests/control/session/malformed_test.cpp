// Malformed input from a raw test peer over real TCP on loopback: the route server answers with the
// NOTIFICATION (or the RFC 7606 action) the codec prescribes, keeps running, and every other session keeps
// its routes. Also: route limit trip and come-back, hold-timer expiry, refusal of unknown addresses.
#include <gtest/gtest.h>

#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes header(std::uint16_t length, std::uint8_t type) {
    Bytes b(16, 0xFF);
    b.push_back(static_cast<std::uint8_t>(length >> 8));
    b.push_back(static_cast<std::uint8_t>(length & 0xFF));
    b.push_back(type);
    return b;
}

// UPDATE with no withdrawals, the given raw path attributes and NLRI.
Bytes update(const Bytes& attrs, const Bytes& nlri) {
    const auto len = static_cast<std::uint16_t>(19 + 2 + 2 + attrs.size() + nlri.size());
    Bytes b = header(len, 2);
    b.push_back(0);
    b.push_back(0);
    b.push_back(static_cast<std::uint8_t>(attrs.size() >> 8));
    b.push_back(static_cast<std::uint8_t>(attrs.size() & 0xFF));
    b.insert(b.end(), attrs.begin(), attrs.end());
    b.insert(b.end(), nlri.begin(), nlri.end());
    return b;
}

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

const Bytes kOrigin{0x40, 0x01, 0x01, 0x00};
Bytes as_path(std::uint32_t asn) {
    return {0x40,
            0x02,
            0x06,
            0x02,
            0x01,
            static_cast<std::uint8_t>(asn >> 24),
            static_cast<std::uint8_t>(asn >> 16),
            static_cast<std::uint8_t>(asn >> 8),
            static_cast<std::uint8_t>(asn)};
}
const Bytes kNextHop{0x40, 0x03, 0x04, 100, 64, 0, 50};
Bytes nlri24(std::uint8_t a, std::uint8_t b, std::uint8_t c) {
    return {24, a, b, c};
}

class MalformedInput : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        port_ = free_port(loopback(1));
        server::ServerConfig cfg;
        cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
        cfg.listen_addresses = {*net::IpAddress::parse(loopback(1)), *net::IpAddress::parse(loopback(2))};
        cfg.port = port_;
        cfg.idle_hold = 1;
        cfg.max_peers = 64;
        cfg.rib.vnet_prefixes = {*net::Prefix::parse("10.1.0.0/16")};
        std::vector<session::PeerSettings> peers;
        for (int i = 11; i <= 40; ++i) {
            session::PeerSettings p;
            p.name = "p" + std::to_string(i);
            p.address = *net::IpAddress::parse(loopback(i));
            p.asn = static_cast<std::uint32_t>(65000 + i);
            if (i == 30) {
                p.route_limit = 3;
            }
            peers.push_back(p);
        }
        rs_ = new RsHarness(cfg, peers);
        ASSERT_FALSE(rs_->start_error()) << *rs_->start_error();
        good1_ = new RawPeer();
        good2_ = new RawPeer();
        ASSERT_TRUE(good1_->connect(loopback(11), loopback(1), port_));
        ASSERT_TRUE(good1_->handshake(65011, "10.0.0.11"));
        ASSERT_TRUE(good2_->connect(loopback(12), loopback(2), port_));  // the second instance address
        ASSERT_TRUE(good2_->handshake(65012, "10.0.0.12"));
        ASSERT_TRUE(good1_->announce({"10.11.0.0/24"}, "100.64.0.11", {65011}, {(65011U << 16) | 1}));
        ASSERT_TRUE(good2_->announce({"10.12.0.0/24"}, "100.64.0.12", {65012}));
        ASSERT_TRUE(
            wait_until([] { return rs_->lookup("10.11.0.0/24") && rs_->lookup("10.12.0.0/24"); }, 5s));
    }
    static void TearDownTestSuite() {
        delete good1_;
        delete good2_;
        delete rs_;
        good1_ = good2_ = nullptr;
        rs_ = nullptr;
    }

    // The good sessions are up and their routes are still in the Loc-RIB.
    static void expect_others_intact() {
        EXPECT_TRUE(rs_->established(loopback(11)));
        EXPECT_TRUE(rs_->established(loopback(12)));
        EXPECT_TRUE(rs_->lookup("10.11.0.0/24"));
        EXPECT_TRUE(rs_->lookup("10.12.0.0/24"));
    }

    // Connects peer `i` (ASN 65000+i) and completes the handshake.
    static std::unique_ptr<RawPeer> established_peer(int i) {
        auto p = std::make_unique<RawPeer>();
        EXPECT_TRUE(p->connect(loopback(i), loopback(1), port_));
        EXPECT_TRUE(p->handshake(static_cast<std::uint32_t>(65000 + i), "10.0.0." + std::to_string(i)));
        return p;
    }

    // Sends `bad` as an UPDATE on an established session and checks the route server does what the codec
    // prescribes: the NOTIFICATION of a session-reset error, or the RFC 7606 action with the session kept.
    static void check_update_outcome(int i, const Bytes& bad, const std::string& prefix) {
        auto p = established_peer(i);
        bgp::CodecOptions o;
        auto expected = bgp::decode_update(bad, o);
        ASSERT_TRUE(p->send(bad));
        if (!expected) {
            auto n = p->await_notification();
            ASSERT_TRUE(n) << "expected NOTIFICATION " << expected.error().to_string();
            EXPECT_EQ(n->code, static_cast<std::uint8_t>(expected.error().code));
            EXPECT_EQ(n->subcode, expected.error().subcode);
            EXPECT_TRUE(p->await_close());
            EXPECT_TRUE(wait_until([&] { return !rs_->established(loopback(i)); }, 3s));
        } else {
            // Session kept; a KEEPALIVE round trip proves the UPDATE was processed first.
            ASSERT_TRUE(p->send(RawPeer::keepalive()));
            EXPECT_FALSE(p->await_notification(500ms));
            EXPECT_TRUE(rs_->established(loopback(i)));
            const bool present = rs_->lookup(prefix).has_value();
            if (expected->action >= bgp::Rfc7606Action::TreatAsWithdraw) {
                EXPECT_FALSE(present) << "treat-as-withdraw must not install " << prefix;
            } else {
                EXPECT_TRUE(present) << prefix;
            }
        }
        expect_others_intact();
    }

    static inline RsHarness* rs_ = nullptr;
    static inline RawPeer* good1_ = nullptr;
    static inline RawPeer* good2_ = nullptr;
    static inline std::uint16_t port_ = 0;
};

TEST_F(MalformedInput, RoutesAreReflectedBetweenPeersWithRsAsnPrepended) {
    ASSERT_TRUE(wait_until(
        [] {
            good2_->receive(100ms);
            for (const auto& u : good2_->updates) {
                for (const auto& n : u.nlri) {
                    if (n.prefix.to_string() == "10.11.0.0/24") {
                        return true;
                    }
                }
            }
            return false;
        },
        5s));
    bool vnet = false;
    for (const auto& u : good2_->updates) {
        for (const auto& n : u.nlri) {
            if (n.prefix.to_string() == "10.11.0.0/24") {
                ASSERT_TRUE(u.attributes.as_path);
                EXPECT_EQ(u.attributes.as_path->to_string(), "65515 65011");
                EXPECT_EQ(u.attributes.next_hop->to_string(), "100.64.0.11");
                EXPECT_TRUE(u.attributes.has_community((65011U << 16) | 1));
            }
            vnet = vnet || n.prefix.to_string() == "10.1.0.0/16";
        }
    }
    EXPECT_TRUE(vnet) << "VNet address space advertised";
}

TEST_F(MalformedInput, BadMarkerIsConnectionNotSynchronized) {
    auto p = established_peer(13);
    Bytes ka = RawPeer::keepalive();
    ka[3] = 0x00;
    ASSERT_TRUE(p->send(ka));
    auto n = p->await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 1);
    EXPECT_EQ(n->subcode, 1);
    expect_others_intact();
}

TEST_F(MalformedInput, BadLengthIsBadMessageLength) {
    auto p = established_peer(14);
    Bytes ka = header(20, 4);  // a KEEPALIVE is exactly 19 bytes
    ka.push_back(0);
    ASSERT_TRUE(p->send(ka));
    auto n = p->await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 1);
    EXPECT_EQ(n->subcode, 2);
    expect_others_intact();
}

TEST_F(MalformedInput, BadAttributeFlags) {
    const Bytes origin_optional{0xC0, 0x01, 0x01, 0x00};  // ORIGIN is well-known, not optional
    check_update_outcome(15, update(cat({origin_optional, as_path(65015), kNextHop}), nlri24(10, 15, 0)),
                         "10.15.0.0/24");
}

TEST_F(MalformedInput, TruncatedAttributes) {
    Bytes truncated = cat({kOrigin, as_path(65016)});
    truncated.insert(truncated.end(), {0x40, 0x03, 0x04, 100, 64});  // NEXT_HOP claims 4 bytes, 2 present
    check_update_outcome(16, update(truncated, {}), "10.16.0.0/24");
}

TEST_F(MalformedInput, BadAsPathSegment) {
    const Bytes bad_path{0x40, 0x02, 0x06, 0x07, 0x01, 0x00, 0x00, 0xFE, 0x59};  // segment type 7
    check_update_outcome(17, update(cat({kOrigin, bad_path, kNextHop}), nlri24(10, 17, 0)), "10.17.0.0/24");
}

TEST_F(MalformedInput, UnknownWellKnownAttribute) {
    const Bytes unknown{0x40, 0x63, 0x01, 0x00};  // type 99, flags say well-known
    check_update_outcome(18, update(cat({kOrigin, as_path(65018), kNextHop, unknown}), nlri24(10, 18, 0)),
                         "10.18.0.0/24");
}

TEST_F(MalformedInput, MissingMandatoryAttribute) {
    check_update_outcome(19, update(cat({kOrigin, as_path(65019)}), nlri24(10, 19, 0)), "10.19.0.0/24");
}

TEST_F(MalformedInput, OpenWithBadVersion) {
    RawPeer p;
    ASSERT_TRUE(p.connect(loopback(20), loopback(1), port_));
    ASSERT_TRUE(p.send(RawPeer::open_message(65020, "10.0.0.20", 90, 3)));
    auto n = p.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 2);
    EXPECT_EQ(n->subcode, 1);
    expect_others_intact();
}

TEST_F(MalformedInput, OpenWithBadHoldTime) {
    RawPeer p;
    ASSERT_TRUE(p.connect(loopback(21), loopback(1), port_));
    ASSERT_TRUE(p.send(RawPeer::open_message(65021, "10.0.0.21", 2)));
    auto n = p.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 2);
    EXPECT_EQ(n->subcode, 6);
    expect_others_intact();
}

TEST_F(MalformedInput, OpenWithReservedAsnIsBadPeerAs) {
    RawPeer p;
    ASSERT_TRUE(p.connect(loopback(22), loopback(1), port_));
    ASSERT_TRUE(p.send(RawPeer::open_message(65515, "10.0.0.22", 90)));  // the RS's own (reserved) ASN
    auto n = p.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 2);
    EXPECT_EQ(n->subcode, 2);
    expect_others_intact();
}

// RFC 6608: a message other than OPEN or NOTIFICATION before the peer's OPEN (the session is in
// OpenSent) is an FSM error, subcode 1 "unexpected message in OpenSent", whatever the message holds.
void expect_fsm_error_before_open(int i, std::uint16_t port, const Bytes& message) {
    RawPeer p;
    ASSERT_TRUE(p.connect(loopback(i), loopback(1), port));
    ASSERT_TRUE(p.send(message));
    auto n = p.await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 5);
    EXPECT_EQ(n->subcode, 1);
    EXPECT_TRUE(p.await_close());
}

TEST_F(MalformedInput, RouteRefreshBeforeOpenIsFsmError) {
    Bytes rr = header(23, 5);
    rr.insert(rr.end(), {0x00, 0x01, 0x00, 0x01});  // IPv4 unicast
    expect_fsm_error_before_open(32, port_, rr);
    // Too long for a ROUTE-REFRESH (RFC 7313 says 7/1 once established): the FSM error comes first.
    Bytes long_rr = header(25, 5);
    long_rr.insert(long_rr.end(), {0x00, 0x01, 0x00, 0x01, 0x00, 0x00});
    expect_fsm_error_before_open(35, port_, long_rr);
    expect_others_intact();
}

TEST_F(MalformedInput, KeepaliveBeforeOpenIsFsmError) {
    expect_fsm_error_before_open(33, port_, RawPeer::keepalive());
    expect_others_intact();
}

TEST_F(MalformedInput, UpdateBeforeOpenIsFsmError) {
    expect_fsm_error_before_open(34, port_,
                                 update(cat({kOrigin, as_path(65034), kNextHop}), nlri24(10, 34, 0)));
    expect_others_intact();
}

TEST_F(MalformedInput, UnknownAddressIsRefused) {
    RawPeer p;
    ASSERT_TRUE(p.connect(loopback(99), loopback(1), port_));
    EXPECT_TRUE(p.await_close());
    EXPECT_TRUE(wait_until(
        [] {
            for (const auto& l : rs_->log_lines()) {
                if (l.find("not a configured peer") != std::string::npos) {
                    return true;
                }
            }
            return false;
        },
        2s));
    expect_others_intact();
}

TEST_F(MalformedInput, RouteLimitTripsSessionWithCeaseAndPeerComesBack) {
    auto p = established_peer(30);  // route limit 3
    ASSERT_TRUE(p->announce({"10.30.1.0/24", "10.30.2.0/24", "10.30.3.0/24"}, "100.64.0.30", {65030}));
    ASSERT_TRUE(wait_until([] { return rs_->lookup("10.30.3.0/24").has_value(); }, 3s));
    ASSERT_TRUE(p->announce({"10.30.4.0/24"}, "100.64.0.30", {65030}));
    auto n = p->await_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 1);
    EXPECT_EQ(n->data, (Bytes{0, 1, 1, 0, 0, 0, 3}));  // RFC 4486 §4: AFI, SAFI, limit
    // Withdrawn everywhere in one batch.
    EXPECT_TRUE(wait_until([] { return !rs_->lookup("10.30.1.0/24") && !rs_->lookup("10.30.3.0/24"); }, 3s));
    expect_others_intact();
    // After idle-hold (1 s here) the peer may come back.
    std::unique_ptr<RawPeer> again;
    ASSERT_TRUE(wait_until(
        [&] {
            again = std::make_unique<RawPeer>();
            return again->connect(loopback(30), loopback(1), port_) && again->handshake(65030, "10.0.0.30");
        },
        10s, 300ms));
    EXPECT_TRUE(again->announce({"10.30.1.0/24"}, "100.64.0.30", {65030}));
    EXPECT_TRUE(wait_until([] { return rs_->lookup("10.30.1.0/24").has_value(); }, 3s));
}

TEST_F(MalformedInput, HoldTimerExpiryWithdrawsRoutesEverywhere) {
    auto p = std::make_unique<RawPeer>();
    ASSERT_TRUE(p->connect(loopback(31), loopback(1), port_));
    ASSERT_TRUE(p->handshake(65031, "10.0.0.31", 3));
    ASSERT_TRUE(p->announce({"10.31.0.0/24"}, "100.64.0.31", {65031}));
    ASSERT_TRUE(wait_until([] { return rs_->lookup("10.31.0.0/24").has_value(); }, 3s));
    // Silence: no KEEPALIVE from us. The route server must send Hold Timer Expired within ~3 s.
    std::optional<bgp::Notification> n;
    for (int i = 0; i < 100 && !n; ++i) {
        auto m = p->receive(100ms);
        if (m && (*m)[18] == 3) {
            n = bgp::Notification{(*m)[19], (*m)[20], {}};
        }
    }
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, 4);
    EXPECT_TRUE(wait_until([] { return !rs_->lookup("10.31.0.0/24").has_value(); }, 2s));
    // good1 saw the withdrawal.
    EXPECT_TRUE(wait_until(
        [] {
            good1_->receive(50ms);
            for (const auto& u : good1_->updates) {
                for (const auto& w : u.withdrawn) {
                    if (w.prefix.to_string() == "10.31.0.0/24") {
                        return true;
                    }
                }
            }
            return false;
        },
        3s));
    expect_others_intact();
}

}  // namespace
}  // namespace rf::testing
