// OPEN validation (RFC 4271 §6.2, RFC 6793), collision resolution (§6.8) and NOTIFICATION payloads
// (RFC 4486, RFC 8203).
#include "control/session/open_policy.hpp"

#include <gtest/gtest.h>

#include "control/codec/codec.hpp"

namespace rf::session {
namespace {

net::Ipv4Address ip4(const char* s) {
    return *net::Ipv4Address::parse(s);
}

OpenPolicy policy(std::uint32_t peer_asn = 65001, bool four = false) {
    OpenPolicy p;
    p.local_asn = 65515;
    p.local_id = ip4("10.0.0.1");
    p.peer_asn = peer_asn;
    p.four_octet_mode = four;
    return p;
}

bgp::Open peer_open(std::uint32_t asn = 65001) {
    bgp::Open o = make_local_open(asn, ip4("10.0.0.2"), 90);
    return o;
}

std::uint8_t open_sub(const Result<OpenAccepted, OpenRejected>& r) {
    EXPECT_FALSE(r.has_value());
    if (r.has_value()) {
        return 0;
    }
    EXPECT_EQ(r.error().notification.code, 2);
    return r.error().notification.subcode;
}

TEST(OpenValidation, AcceptsAWellFormedOpen) {
    auto r = validate_open(peer_open(), policy());
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->peer_asn, 65001U);
    EXPECT_EQ(r->peer_hold, 90);
    EXPECT_EQ(r->peer_id, ip4("10.0.0.2"));
}

TEST(OpenValidation, BadVersionSendsUnsupportedVersionWithOurVersion) {
    auto o = peer_open();
    o.version = 3;
    auto r = validate_open(o, policy());
    EXPECT_EQ(open_sub(r), 1);
    EXPECT_EQ(r.error().notification.data, (std::vector<std::uint8_t>{0, 4}));
}

TEST(OpenValidation, WrongAsnIsBadPeerAs) {
    EXPECT_EQ(open_sub(validate_open(peer_open(65002), policy())), 2);
}

TEST(OpenValidation, FourByteAsnRefusedUnlessFourByteMode) {
    auto o = peer_open(4200000001U);
    EXPECT_EQ(o.my_as, bgp::kAsTrans);
    EXPECT_EQ(open_sub(validate_open(o, policy(4200000001U, false))), 2);
    EXPECT_TRUE(validate_open(o, policy(4200000001U, true)).has_value());
}

TEST(OpenValidation, AsTransRulesOfRfc6793) {
    auto o = peer_open();
    o.capabilities.four_octet_as.reset();  // a 2-byte speaker
    EXPECT_TRUE(validate_open(o, policy()).has_value());
    o.my_as = bgp::kAsTrans;  // AS_TRANS without the capability
    EXPECT_EQ(open_sub(validate_open(o, policy(bgp::kAsTrans))), 2);
    auto m = peer_open();
    m.my_as = 65009;  // My AS disagrees with the capability
    EXPECT_EQ(open_sub(validate_open(m, policy())), 2);
}

TEST(OpenValidation, HoldTimeOneOrTwoIsUnacceptableZeroAndThreeAreFine) {
    for (std::uint16_t h : {1, 2}) {
        auto o = peer_open();
        o.hold_time = h;
        EXPECT_EQ(open_sub(validate_open(o, policy())), 6);
    }
    for (std::uint16_t h : {0, 3, 65535}) {
        auto o = peer_open();
        o.hold_time = h;
        EXPECT_TRUE(validate_open(o, policy()).has_value());
    }
}

TEST(OpenValidation, IdentifierZeroOrOursIsBadBgpIdentifier) {
    auto o = peer_open();
    o.bgp_identifier = ip4("0.0.0.0");
    EXPECT_EQ(open_sub(validate_open(o, policy())), 3);
    o.bgp_identifier = ip4("10.0.0.1");
    EXPECT_EQ(open_sub(validate_open(o, policy())), 3);
}

TEST(OpenValidation, LocalOpenUsesAsTransForFourByteAsn) {
    auto o = make_local_open(65515, ip4("10.0.0.1"), 180);
    EXPECT_EQ(o.my_as, 65515);
    EXPECT_EQ(o.capabilities.four_octet_as, 65515U);
    EXPECT_TRUE(o.capabilities.route_refresh);
    EXPECT_TRUE(o.capabilities.enhanced_route_refresh);  // RFC 7313
    EXPECT_TRUE(o.capabilities.extended_message);        // RFC 8654
    EXPECT_EQ(make_local_open(4200000000U, ip4("10.0.0.1"), 180).my_as, bgp::kAsTrans);
}

TEST(OpenValidation, AddPathIsOfferedPerPeerForEveryFamilyAndNegotiatedPerRfc7911) {
    const auto base = make_local_open(65515, *net::Ipv4Address::parse("10.255.0.1"), 180);
    EXPECT_EQ(open_for_peer(base, {}), base);  // default: no ADD-PATH capability, the rest offered
    const bgp::AfiSafi v4{net::Afi::Ipv4, net::Safi::Unicast};
    const bgp::AfiSafi v6{net::Afi::Ipv6, net::Safi::Unicast};
    const auto ours = open_for_peer(base, {bgp::AddPathMode::Receive, true, true, {}});
    EXPECT_EQ(ours.capabilities.add_path, (std::vector<bgp::AddPathEntry>{{v4, bgp::AddPathMode::Receive},
                                                                          {v6, bgp::AddPathMode::Receive}}));
    // The encoded OPEN carries it.
    std::vector<std::uint8_t> wire;
    bgp::encode_open(ours, wire);
    auto decoded = bgp::decode_open(wire);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->capabilities.add_path, ours.capabilities.add_path);
    // We receive where we said receive and the peer said send; nothing is sent with path ids.
    bgp::Open peer = base;
    peer.bgp_identifier = *net::Ipv4Address::parse("10.0.0.1");
    peer.capabilities.add_path = {{v4, bgp::AddPathMode::Both}};
    auto o = bgp::negotiate(ours, peer);
    EXPECT_EQ(o.add_path_receive, std::vector<bgp::AfiSafi>{v4});
    EXPECT_TRUE(o.add_path_send.empty());
    o = bgp::negotiate(open_for_peer(base, {bgp::AddPathMode::Both, true, true, {}}), peer);
    EXPECT_EQ(o.add_path_receive, std::vector<bgp::AfiSafi>{v4});
    EXPECT_EQ(o.add_path_send, std::vector<bgp::AfiSafi>{v4});
    EXPECT_TRUE(bgp::negotiate(base, peer).add_path_receive.empty());  // not offered: not used
}

TEST(OpenValidation, ExtendedMessagesAndEnhancedRefreshCanBeLeftOutPerPeer) {
    const auto base = make_local_open(65515, *net::Ipv4Address::parse("10.255.0.1"), 180);
    PeerOpenOptions off;
    off.extended_messages = false;
    off.enhanced_route_refresh = false;
    const auto ours = open_for_peer(base, off);
    EXPECT_FALSE(ours.capabilities.extended_message);
    EXPECT_FALSE(ours.capabilities.enhanced_route_refresh);
    EXPECT_TRUE(ours.capabilities.route_refresh);  // plain route refresh stays
    // On the wire: capability 6 and 70 present by default, absent when turned off.
    const auto codes = [](const bgp::Open& o) {
        std::vector<std::uint8_t> wire;
        bgp::encode_open(o, wire);
        auto d = bgp::decode_open(wire);
        EXPECT_TRUE(d);
        return std::pair{d->capabilities.extended_message, d->capabilities.enhanced_route_refresh};
    };
    EXPECT_EQ(codes(open_for_peer(base, {})), std::pair(true, true));
    EXPECT_EQ(codes(ours), std::pair(false, false));
    // Negotiated only when both sides offer it.
    bgp::Open peer = base;
    peer.bgp_identifier = *net::Ipv4Address::parse("10.0.0.1");
    EXPECT_TRUE(bgp::negotiate(open_for_peer(base, {}), peer).extended_message);
    EXPECT_FALSE(bgp::negotiate(ours, peer).extended_message);
    peer.capabilities.extended_message = false;
    EXPECT_FALSE(bgp::negotiate(open_for_peer(base, {}), peer).extended_message);
    EXPECT_EQ(bgp::negotiate(open_for_peer(base, {}), peer).max_message_size(), bgp::kMaxMessageSize);
}

TEST(OpenForPeer, GracefulRestartCapabilityCarriesTimeBitsAndEveryFamily) {
    const bgp::Open base = make_local_open(65515, ip4("10.0.0.1"), 180);
    EXPECT_FALSE(open_for_peer(base, {}).capabilities.graceful_restart);  // unset: not offered
    PeerOpenOptions o;
    o.graceful_restart = PeerOpenOptions::GracefulRestart{5000, true, true, false};
    std::vector<std::uint8_t> wire;
    bgp::encode_open(open_for_peer(base, o), wire);
    const auto d = bgp::decode_open(wire);
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->capabilities.graceful_restart);
    const auto& gr = *d->capabilities.graceful_restart;
    EXPECT_EQ(gr.restart_time, 0x0FFF);  // 12 bits: a longer time is capped
    EXPECT_TRUE(gr.restart_state);       // R
    EXPECT_TRUE(gr.notification);        // N (RFC 8538)
    ASSERT_EQ(gr.families.size(), 2U);   // IPv4 and IPv6 unicast, as the OPEN offers
    EXPECT_FALSE(gr.families[0].forwarding_preserved);
    EXPECT_FALSE(gr.families[1].forwarding_preserved);
    o.graceful_restart = PeerOpenOptions::GracefulRestart{120, false, false, true};
    const auto f = open_for_peer(base, o).capabilities.graceful_restart;
    ASSERT_TRUE(f);
    EXPECT_FALSE(f->notification);
    EXPECT_FALSE(f->restart_state);
    EXPECT_TRUE(f->families[0].forwarding_preserved);
}

TEST(OpenForPeer, LongLivedGracefulRestartOfferedBesideGrAndNegotiatedOnlyWhenBothSendBoth) {
    const bgp::Open base = make_local_open(65515, ip4("10.0.0.1"), 180);
    const std::vector<bgp::AfiSafi> v4{{bgp::Afi::Ipv4, bgp::Safi::Unicast}};
    PeerOpenOptions o;
    o.graceful_restart = PeerOpenOptions::GracefulRestart{120, true, false, false};
    EXPECT_FALSE(open_for_peer(base, o).capabilities.long_lived_graceful_restart);  // 0: not offered
    o.graceful_restart->long_lived_stale_time = 0x2000000;
    const bgp::Open ours = open_for_peer(base, o);
    ASSERT_TRUE(ours.capabilities.long_lived_graceful_restart);
    const auto& fams = ours.capabilities.long_lived_graceful_restart->families;
    ASSERT_EQ(fams.size(), 2U);                  // every family the OPEN offers
    EXPECT_EQ(fams[0].stale_time, 0xFFFFFFU);    // 24 bits: a longer time is capped
    EXPECT_FALSE(fams[0].forwarding_preserved);  // F only where forwarding state survived

    bgp::Open peer = base;
    peer.capabilities.graceful_restart = bgp::GracefulRestart{};
    peer.capabilities.long_lived_graceful_restart =
        bgp::LongLivedGracefulRestart{{{{bgp::Afi::Ipv6, bgp::Safi::Unicast}, true, 600},
                                       {{bgp::Afi::Ipv4, bgp::Safi::Unicast}, true, 300}}};
    // Only the session's families, in the peer's order.
    const auto n = negotiate_long_lived(ours, peer, v4);
    ASSERT_EQ(n.size(), 1U);
    EXPECT_EQ(n[0].stale_time, 300U);
    EXPECT_TRUE(n[0].forwarding_preserved);
    // Not offered by us, not sent by the peer, or sent without GR (RFC 9494 §3: ignored): nothing.
    EXPECT_TRUE(negotiate_long_lived(base, peer, v4).empty());
    EXPECT_TRUE(negotiate_long_lived(ours, base, v4).empty());
    bgp::Open no_gr = peer;
    no_gr.capabilities.graceful_restart.reset();
    EXPECT_TRUE(negotiate_long_lived(ours, no_gr, v4).empty());
}

TEST(HardReset, WrapsTheCeaseCodeSubcodeAndData) {
    const auto inner = admin_cease(bgp::CeaseSubcode::AdministrativeReset, "hi");
    const auto hard = hard_reset(inner);
    EXPECT_EQ(hard.code, static_cast<std::uint8_t>(bgp::ErrorCode::Cease));
    EXPECT_EQ(hard.subcode, static_cast<std::uint8_t>(bgp::CeaseSubcode::HardReset));
    // RFC 8538 §3: the encapsulated code and subcode, then the encapsulated data (here RFC 8203 "hi").
    EXPECT_EQ(hard.data, (std::vector<std::uint8_t>{6, 4, 2, 'h', 'i'}));
}

TEST(HardReset, OnlyTheCeasesThatMeanForgetGoAsHardReset) {
    using bgp::CeaseSubcode;
    for (auto sub : {CeaseSubcode::MaximumPrefixesReached, CeaseSubcode::AdministrativeShutdown,
                     CeaseSubcode::PeerDeconfigured, CeaseSubcode::AdministrativeReset}) {
        EXPECT_TRUE(wants_hard_reset(admin_cease(sub, ""))) << static_cast<int>(sub);
    }
    for (auto sub : {CeaseSubcode::ConnectionRejected, CeaseSubcode::OtherConfigurationChange,
                     CeaseSubcode::ConnectionCollisionResolution, CeaseSubcode::OutOfResources}) {
        EXPECT_FALSE(wants_hard_reset(admin_cease(sub, ""))) << static_cast<int>(sub);
    }
    EXPECT_FALSE(wants_hard_reset(bgp::Notification{4, 0, {}}));  // Hold Timer Expired: graceful with N
}

TEST(Collision, HigherIdentifierKeepsItsOwnConnection) {
    EXPECT_TRUE(keep_locally_initiated(ip4("10.0.0.9"), ip4("10.0.0.2")));
    EXPECT_FALSE(keep_locally_initiated(ip4("10.0.0.2"), ip4("10.0.0.9")));
    // compared as unsigned host-order integers, not bytewise strings
    EXPECT_TRUE(keep_locally_initiated(ip4("192.168.0.1"), ip4("10.255.255.255")));
}

TEST(Notifications, MaxPrefixCarriesAfiSafiAndLimitPerRfc4486) {
    auto n = max_prefix_notification({net::Afi::Ipv4, net::Safi::Unicast}, 1000);
    EXPECT_EQ(n.code, 6);
    EXPECT_EQ(n.subcode, 1);
    EXPECT_EQ(n.data, (std::vector<std::uint8_t>{0, 1, 1, 0, 0, 0x03, 0xE8}));
}

TEST(Notifications, AdminShutdownCarriesRfc8203Message) {
    auto n = admin_cease(bgp::CeaseSubcode::AdministrativeShutdown, "maintenance");
    EXPECT_EQ(n.code, 6);
    EXPECT_EQ(n.subcode, 2);
    ASSERT_EQ(n.data.size(), 12U);
    EXPECT_EQ(n.data[0], 11);
    EXPECT_TRUE(admin_cease(bgp::CeaseSubcode::AdministrativeShutdown, "").data.empty());
    std::string long_text(200, 'x');
    long_text[127] = static_cast<char>(0xC3);  // a 2-byte UTF-8 character across the 128-byte cut
    long_text[128] = static_cast<char>(0xA9);
    EXPECT_EQ(admin_cease(bgp::CeaseSubcode::AdministrativeShutdown, long_text).data[0], 127);
}

}  // namespace
}  // namespace rf::session
