// Round-trip properties: for random valid messages, decode(encode(m)) == m, under every combination of
// 2-/4-octet AS, extended message and ADD-PATH; and the NLRI packer fills messages to the limit and
// loses nothing. Seeded, so a failure names the seed and case that reproduce it.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/control/codec/random_messages.hpp"
#include "tests/control/codec/test_util.hpp"

namespace rf::bgp {
namespace {

using test::Gen;

constexpr int kCases = 3000;

CodecOptions random_options(Gen& g) {
    CodecOptions o;
    o.four_octet_as = g.chance(3, 4);
    o.extended_message = g.chance(1, 2);
    for (auto f : {AfiSafi{Afi::Ipv4, Safi::Unicast}, AfiSafi{Afi::Ipv6, Safi::Unicast}}) {
        if (g.chance(1, 2)) {
            o.add_path_receive.push_back(f);
        }
    }
    o.add_path_send = o.add_path_receive;  // what we send is what the decoder expects
    return o;
}

TEST(RoundTrip, UpdateEncodeDecodeIsIdentity) {
    int checked = 0;
    for (int seed = 0; seed < kCases; ++seed) {
        Gen g(static_cast<std::uint64_t>(seed));
        const CodecOptions o = random_options(g);
        const Update u = g.update(o);
        std::vector<std::uint8_t> out;
        if (!encode_update(u, o, out)) {
            EXPECT_TRUE(out.empty());
            continue;  // too large for this session's limit: nothing appended
        }
        ASSERT_LE(out.size(), o.max_message_size());
        auto r = decode_update(test::view(out), o);
        ASSERT_TRUE(r.has_value()) << "seed " << seed << ": " << r.error().to_string();
        EXPECT_EQ(r->action, Rfc7606Action::None) << "seed " << seed << ": " << r->problems[0].to_string();
        ASSERT_EQ(r->update, u) << "seed " << seed << "\n"
                                << describe(Message{u}) << "---\n"
                                << describe(Message{r->update});
        // decode_message agrees, and encoding again gives the same bytes.
        auto m = decode_message(test::view(out), o);
        ASSERT_TRUE(m.has_value());
        EXPECT_EQ(std::get<Update>(*m), u);
        std::vector<std::uint8_t> again;
        ASSERT_TRUE(encode_update(r->update, o, again));
        EXPECT_EQ(again, out) << "seed " << seed;
        ++checked;
    }
    EXPECT_GT(checked, kCases * 9 / 10);
}

TEST(RoundTrip, OpenEncodeDecodeIsIdentity) {
    for (int seed = 0; seed < kCases; ++seed) {
        Gen g(static_cast<std::uint64_t>(seed) + 1000000);
        const Open o = g.open();
        std::vector<std::uint8_t> out;
        encode_open(o, out);
        auto r = decode_open(test::view(out));
        ASSERT_TRUE(r.has_value()) << "seed " << seed << ": " << r.error().to_string();
        ASSERT_EQ(*r, o) << "seed " << seed << "\n"
                         << describe(Message{o}) << "---\n"
                         << describe(Message{*r});
    }
}

TEST(RoundTrip, NotificationKeepaliveRouteRefresh) {
    for (int seed = 0; seed < kCases; ++seed) {
        Gen g(static_cast<std::uint64_t>(seed) + 2000000);
        std::vector<Message> msgs;
        Notification n;
        n.code = g.u8();
        n.subcode = g.u8();
        n.data = g.bytes(g.below(200));
        msgs.emplace_back(n);
        msgs.emplace_back(Keepalive{});
        RouteRefresh rr;
        rr.family = AfiSafi{static_cast<Afi>(g.below(3) + 1), static_cast<Safi>(g.below(3) + 1)};
        rr.subtype = static_cast<std::uint8_t>(g.below(3));
        msgs.emplace_back(rr);
        for (const auto& m : msgs) {
            std::vector<std::uint8_t> out;
            if (const auto* x = std::get_if<Notification>(&m)) {
                encode_notification(*x, out);
            } else if (const auto* y = std::get_if<RouteRefresh>(&m)) {
                encode_route_refresh(*y, out);
            } else {
                encode_keepalive(out);
            }
            auto r = decode_message(test::view(out), CodecOptions{});
            ASSERT_TRUE(r.has_value()) << r.error().to_string();
            EXPECT_EQ(*r, m);
        }
    }
}

// Decodes a stream of UPDATEs produced by the packer and returns every NLRI in order.
std::vector<Nlri> unpack(const std::vector<std::uint8_t>& stream, const CodecOptions& o,
                         std::size_t expect_messages, const PathAttributes& attrs, bool withdrawals) {
    std::vector<Nlri> all;
    std::size_t pos = 0;
    std::size_t messages = 0;
    std::size_t prev_size = 0;
    while (pos < stream.size()) {
        auto h = decode_header(std::span(stream).subspan(pos), o);
        EXPECT_TRUE(h.has_value());
        if (!h) {
            break;
        }
        EXPECT_LE(h->length, o.max_message_size());
        auto r = decode_update(std::span(stream).subspan(pos, h->length), o);
        EXPECT_TRUE(r.has_value());
        if (!r) {
            break;
        }
        EXPECT_EQ(r->action, Rfc7606Action::None);
        const Update& u = r->update;
        if (withdrawals) {
            all.insert(all.end(), u.withdrawn.begin(), u.withdrawn.end());
            if (u.mp_unreach) {
                all.insert(all.end(), u.mp_unreach->withdrawn.begin(), u.mp_unreach->withdrawn.end());
            }
        } else {
            PathAttributes expected = attrs;
            if (u.mp_reach) {
                expected.next_hop.reset();  // not sent with MP_REACH-only announcements
            }
            EXPECT_EQ(u.attributes, expected);
            all.insert(all.end(), u.nlri.begin(), u.nlri.end());
            if (u.mp_reach) {
                all.insert(all.end(), u.mp_reach->nlri.begin(), u.mp_reach->nlri.end());
            }
        }
        prev_size = h->length;
        pos += h->length;
        ++messages;
    }
    (void)prev_size;
    EXPECT_EQ(messages, expect_messages);
    return all;
}

TEST(Packing, AnnouncementsSplitAtTheLimitAndLoseNothing) {
    for (int seed = 0; seed < 300; ++seed) {
        Gen g(static_cast<std::uint64_t>(seed) + 3000000);
        CodecOptions o = random_options(g);
        const bool v6 = g.chance(1, 2);
        const AfiSafi family{v6 ? Afi::Ipv6 : Afi::Ipv4, Safi::Unicast};
        PathAttributes attrs = g.attributes(o, true);
        if (!v6) {
            attrs.next_hop = Ipv4Address{g.u32()};
        }
        std::vector<Nlri> nlri(g.below(3000) + 1);
        for (auto& n : nlri) {
            n = g.nlri(family.afi, o.sends_path_id(family));
        }
        std::vector<IpAddress> nh;
        if (v6) {
            nh.push_back(g.v6_address());
        }
        std::vector<std::uint8_t> out;
        const std::size_t messages = encode_announcements(attrs, family, nh, nlri, o, out);
        ASSERT_GT(messages, 0U) << "seed " << seed;
        const auto back = unpack(out, o, messages, attrs, false);
        ASSERT_EQ(back, nlri) << "seed " << seed;
        // Every message but the last is full: the next NLRI would not have fitted.
        std::size_t pos = 0;
        std::size_t taken = 0;
        for (std::size_t m = 0; m < messages; ++m) {
            const std::size_t len = (std::size_t{out[pos + 16]} << 8) | out[pos + 17];
            auto r = decode_update(std::span(out).subspan(pos, len), o);
            ASSERT_TRUE(r.has_value());
            taken += r->update.nlri.size() + (r->update.mp_reach ? r->update.mp_reach->nlri.size() : 0);
            if (m + 1 < messages) {
                const std::size_t next =
                    (o.sends_path_id(family) ? 5 : 1) + (nlri[taken].prefix.length + 7) / 8;
                EXPECT_GT(len + next, o.max_message_size() - 1) << "seed " << seed << " message " << m;
            }
            pos += len;
        }
    }
}

TEST(Packing, WithdrawalsSplitAtTheLimitAndLoseNothing) {
    for (int seed = 0; seed < 300; ++seed) {
        Gen g(static_cast<std::uint64_t>(seed) + 4000000);
        CodecOptions o = random_options(g);
        const AfiSafi family{g.chance(1, 2) ? Afi::Ipv6 : Afi::Ipv4, Safi::Unicast};
        std::vector<Nlri> nlri(g.below(5000) + 1);
        for (auto& n : nlri) {
            n = g.nlri(family.afi, o.sends_path_id(family));
        }
        std::vector<std::uint8_t> out;
        const std::size_t messages = encode_withdrawals(family, nlri, o, out);
        const auto back = unpack(out, o, messages, {}, true);
        ASSERT_EQ(back, nlri) << "seed " << seed;
    }
}

TEST(Packing, ThousandSlash24sFitOneStandardMessage) {
    std::vector<Nlri> nlri;
    for (std::uint32_t i = 0; i < 2100; ++i) {
        nlri.push_back(Nlri{Prefix::v4(Ipv4Address{0x0A000000U + (i << 8)}, 24), 0});
    }
    PathAttributes a;
    a.origin = Origin::Igp;
    a.as_path = AsPath{{AsSegment{AsSegmentType::Sequence, {65001, 65002}}}};
    a.next_hop = Ipv4Address{0x64400001};
    CodecOptions o;
    std::vector<std::uint8_t> out;
    // Attributes take 24 octets: 4,096 - 19 - 4 - 24 = 4,049 octets of NLRI, i.e. 1,012 /24s.
    EXPECT_EQ(encode_announcements(a, AfiSafi{}, {}, std::span(nlri).first(1000), o, out), 1U);
    out.clear();
    EXPECT_EQ(encode_announcements(a, AfiSafi{}, {}, std::span(nlri).first(1012), o, out), 1U);
    EXPECT_EQ(out.size(), 4095U);
    out.clear();
    EXPECT_EQ(encode_announcements(a, AfiSafi{}, {}, std::span(nlri).first(1013), o, out), 2U);
    out.clear();
    EXPECT_EQ(encode_announcements(a, AfiSafi{}, {}, nlri, o, out), 3U);
    o.extended_message = true;
    out.clear();
    EXPECT_EQ(encode_announcements(a, AfiSafi{}, {}, nlri, o, out), 1U);
}

TEST(Packing, AttributesTooLargeForOneNlriGiveNoMessage) {
    PathAttributes a;
    a.origin = Origin::Igp;
    a.as_path = AsPath{};
    a.next_hop = Ipv4Address{1};
    a.communities.assign(1100, 1);  // 4,400 octets
    const std::vector<Nlri> nlri{Nlri{Prefix::v4(Ipv4Address{0x0A000000U}, 24), 0}};
    std::vector<std::uint8_t> out;
    EXPECT_EQ(encode_announcements(a, AfiSafi{}, {}, nlri, CodecOptions{}, out), 0U);
    EXPECT_TRUE(out.empty());
    Update u;
    u.attributes = a;
    u.nlri.assign(nlri.begin(), nlri.end());
    EXPECT_FALSE(encode_update(u, CodecOptions{}, out));
    EXPECT_TRUE(out.empty());
}

TEST(Packing, ExtendedMessagesCarryAttributesOver4096) {
    // RFC 8654: with extended messages the same route goes out as one UPDATE of more than 4,096 octets,
    // and it decodes again only where the receiver negotiated them too.
    PathAttributes a;
    a.origin = Origin::Igp;
    a.as_path = AsPath{};
    a.next_hop = Ipv4Address{1};
    a.communities.assign(3000, 0xFDE90001U);  // 12,000 octets
    const std::vector<Nlri> nlri{Nlri{Prefix::v4(Ipv4Address{0x0A000000U}, 24), 0}};
    CodecOptions ext;
    ext.extended_message = true;
    std::vector<std::uint8_t> out;
    ASSERT_EQ(encode_announcements(a, AfiSafi{}, {}, nlri, ext, out), 1U);
    EXPECT_GT(out.size(), kMaxMessageSize);
    EXPECT_EQ((std::size_t{out[16]} << 8U) | out[17], out.size());
    auto r = decode_update(test::view(out), ext);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->update.attributes.communities, a.communities);
    EXPECT_EQ(r->update.nlri, NlriList(nlri.begin(), nlri.end()));
    EXPECT_FALSE(decode_header(test::view(out), CodecOptions{}).has_value());
}

TEST(RouteRefreshMessages, BorrAndEorrEncodeTheSubtypeOctet) {
    const AfiSafi v6{Afi::Ipv6, Safi::Unicast};
    for (const std::uint8_t subtype :
         {refresh_subtype::Normal, refresh_subtype::Begin, refresh_subtype::End}) {
        std::vector<std::uint8_t> out;
        encode_route_refresh(RouteRefresh{v6, subtype}, out);
        // AFI 2, subtype, SAFI 1 after the 19-octet header (RFC 7313 §3.2).
        EXPECT_EQ(out, (std::vector<std::uint8_t>{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,    0xFF, 0xFF,
                                                  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,    0xFF, 0xFF,
                                                  0,    23,   5,    0,    2,    subtype, 1}));
        auto r = decode_message(test::view(out), CodecOptions{});
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(std::get<RouteRefresh>(*r), (RouteRefresh{v6, subtype}));
    }
}

TEST(Capabilities, ExtendedMessageAndEnhancedRefreshOnTheWire) {
    Open o;
    o.bgp_identifier = Ipv4Address{0x0A000001U};
    o.capabilities.route_refresh = true;
    o.capabilities.enhanced_route_refresh = true;
    o.capabilities.extended_message = true;
    std::vector<std::uint8_t> out;
    encode_open(o, out);
    // Capability codes 2, 70 and 6, each with length 0 (RFC 2918, RFC 7313 §3.1, RFC 8654 §3).
    const std::vector<std::uint8_t> caps{2, 0, 70, 0, 6, 0};
    EXPECT_NE(std::search(out.begin(), out.end(), caps.begin(), caps.end()), out.end());
    auto d = decode_open(test::view(out));
    ASSERT_TRUE(d.has_value());
    EXPECT_TRUE(d->capabilities.enhanced_route_refresh);
    EXPECT_TRUE(d->capabilities.extended_message);
    // A length other than 0 is an OPEN error naming the capability.
    for (const std::uint8_t code : {6, 70}) {
        Open bad = o;
        bad.capabilities = {};
        bad.capabilities.unknown.push_back(UnknownCapability{code, {0}});
        std::vector<std::uint8_t> wire;
        encode_open(bad, wire);
        auto e = decode_open(test::view(wire));
        ASSERT_FALSE(e.has_value()) << int{code};
        EXPECT_EQ(e.error().code, ErrorCode::OpenMessage);
        EXPECT_NE(e.error().field.find(code == 6 ? "extended message" : "enhanced route refresh"),
                  std::string_view::npos)
            << e.error().field;
    }
}

TEST(Capabilities, LongLivedGracefulRestartOnTheWire) {
    Open o;
    o.bgp_identifier = Ipv4Address{0x0A000001U};
    o.capabilities.long_lived_graceful_restart =
        LongLivedGracefulRestart{{{AfiSafi{Afi::Ipv4, Safi::Unicast}, true, 0x123456},
                                  {AfiSafi{Afi::Ipv6, Safi::Unicast}, false, 3600}}};
    std::vector<std::uint8_t> out;
    encode_open(o, out);
    // RFC 9494 §3: code 71, then per family AFI (2), SAFI (1), flags (F = 0x80), stale time (3 octets).
    const std::vector<std::uint8_t> cap{71, 14, 0, 1, 1, 0x80, 0x12, 0x34, 0x56, 0, 2, 1, 0, 0, 0x0E, 0x10};
    EXPECT_NE(std::search(out.begin(), out.end(), cap.begin(), cap.end()), out.end());
    auto d = decode_open(test::view(out));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->capabilities.long_lived_graceful_restart, o.capabilities.long_lived_graceful_restart);
    EXPECT_TRUE(d->capabilities.unknown.empty());

    // A stale time above 24 bits is capped on the way out.
    o.capabilities.long_lived_graceful_restart->families = {{AfiSafi{}, false, 0x7FFFFFFF}};
    out.clear();
    encode_open(o, out);
    d = decode_open(test::view(out));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->capabilities.long_lived_graceful_restart->families.at(0).stale_time, 0xFFFFFFU);

    // An empty capability is valid (no family); a length that is not a multiple of 7 is an OPEN
    // error naming the capability, like every capability of a bad length.
    for (const std::size_t len : {0, 1, 6, 8, 13}) {
        Open bad = o;
        bad.capabilities = {};
        bad.capabilities.unknown.push_back(UnknownCapability{71, std::vector<std::uint8_t>(len, 1)});
        std::vector<std::uint8_t> wire;
        encode_open(bad, wire);
        auto e = decode_open(test::view(wire));
        if (len == 0) {
            ASSERT_TRUE(e.has_value());
            ASSERT_TRUE(e->capabilities.long_lived_graceful_restart.has_value());
            EXPECT_TRUE(e->capabilities.long_lived_graceful_restart->families.empty());
            continue;
        }
        ASSERT_FALSE(e.has_value()) << len;
        EXPECT_EQ(e.error().code, ErrorCode::OpenMessage);
        EXPECT_NE(e.error().field.find("long-lived graceful restart"), std::string_view::npos)
            << e.error().field;
    }
}

TEST(EndOfRib, Ipv4AndIpv6Markers) {
    for (auto f : {AfiSafi{Afi::Ipv4, Safi::Unicast}, AfiSafi{Afi::Ipv6, Safi::Unicast}}) {
        std::vector<std::uint8_t> out;
        encode_end_of_rib(f, out);
        auto r = decode_update(test::view(out), CodecOptions{});
        ASSERT_TRUE(r.has_value());
        EXPECT_TRUE(r->update.is_end_of_rib());
        EXPECT_EQ(out.size(), f.afi == Afi::Ipv4 ? 23U : 29U);
    }
}

TEST(Negotiate, FourOctetExtendedMessageAndAddPathDirections) {
    Open a;
    Open b;
    const AfiSafi v4{Afi::Ipv4, Safi::Unicast};
    const AfiSafi v6{Afi::Ipv6, Safi::Unicast};
    a.capabilities.four_octet_as = 1;
    a.capabilities.extended_message = true;
    a.capabilities.add_path = {{v4, AddPathMode::Both}, {v6, AddPathMode::Receive}};
    b.capabilities.add_path = {{v4, AddPathMode::Send}, {v6, AddPathMode::Both}};
    const auto o = negotiate(a, b);
    EXPECT_FALSE(o.four_octet_as);
    EXPECT_FALSE(o.extended_message);
    EXPECT_EQ(o.add_path_receive, (std::vector<AfiSafi>{v4, v6}));
    EXPECT_TRUE(o.add_path_send.empty());
    const auto p = negotiate(b, a);
    EXPECT_EQ(p.add_path_send, (std::vector<AfiSafi>{v4, v6}));
    EXPECT_TRUE(p.add_path_receive.empty());
}

TEST(AsPathValue, LengthPrependAndText) {
    AsPath p{{AsSegment{AsSegmentType::Sequence, {1, 2}}, AsSegment{AsSegmentType::Set, {3, 4}},
              AsSegment{AsSegmentType::ConfedSequence, {5}}}};
    EXPECT_EQ(p.length(), 3U);
    EXPECT_EQ(p.first_as(), 1U);
    EXPECT_TRUE(p.contains(4));
    EXPECT_EQ(p.to_string(), "1 2 {3,4} (5)");
    const AsPath q = p.prepended(9, 300);
    EXPECT_EQ(q.length(), 303U);
    EXPECT_EQ(q.segments[0].asns.size(), 47U);
    EXPECT_EQ(q.segments[1].asns.size(), 255U);
    EXPECT_EQ(AsPath{}.prepended(7).to_string(), "7");
}

}  // namespace
}  // namespace rf::bgp
