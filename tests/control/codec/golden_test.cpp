// Golden vectors: byte streams that FRR 8.4, BIRD 2.0, GoBGP 3.10 and ExaBGP 4.2 sent on loopback to
// tests/data/capture.py (see tests/data/README.md). Each test decodes a capture and checks the fields the
// daemon was configured to send; where the daemon's byte layout is the canonical one (attributes in
// type code order, shortest length form) re-encoding must give back the same bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "tests/control/codec/test_util.hpp"

namespace rf::bgp {
namespace {

using test::ByteVec;

const AfiSafi kV4{Afi::Ipv4, Safi::Unicast};
const AfiSafi kV6{Afi::Ipv6, Safi::Unicast};

// The codec options the capture listener negotiated with the daemon (listener: 4-octet AS unless
// two_octet, extended message, ADD-PATH receive IPv4+IPv6).
CodecOptions listener_options(const Open& peer, bool two_octet = false) {
    Open local;
    if (!two_octet) {
        local.capabilities.four_octet_as = 65000;
    }
    local.capabilities.extended_message = true;
    local.capabilities.add_path = {{kV4, AddPathMode::Receive}, {kV6, AddPathMode::Receive}};
    return negotiate(local, peer);
}

struct Session {
    std::vector<ByteVec> raw;
    std::vector<Message> messages;
    std::vector<DecodedUpdate> updates;  // every UPDATE, in order
    CodecOptions options;
    Open open;
};

Session load(const std::string& impl, bool two_octet = false) {
    Session s;
    s.raw = test::split_messages(test::read_file("tests/data/" + impl + "/session.bgp"));
    for (const auto& m : s.raw) {
        auto h = decode_header(test::view(m), s.options);
        EXPECT_TRUE(h.has_value()) << impl;
        if (!h) {
            continue;
        }
        if (h->type == MessageType::Update) {
            auto u = decode_update(test::view(m), s.options);
            EXPECT_TRUE(u.has_value()) << impl << ": " << (u ? "" : u.error().to_string());
            if (u) {
                EXPECT_EQ(u->action, Rfc7606Action::None) << impl;
                s.updates.push_back(*u);
                s.messages.emplace_back(u->update);
            }
            continue;
        }
        auto r = decode_message(test::view(m), s.options);
        EXPECT_TRUE(r.has_value()) << impl << ": " << (r ? "" : r.error().to_string());
        if (!r) {
            continue;
        }
        if (const auto* o = std::get_if<Open>(&*r)) {
            s.open = *o;
            s.options = listener_options(*o, two_octet);
        }
        s.messages.push_back(*r);
    }
    return s;
}

const Update* find_update(const Session& s, const Prefix& p) {
    for (const auto& d : s.updates) {
        const auto& u = d.update;
        for (const auto& n : u.nlri) {
            if (n.prefix == p) {
                return &u;
            }
        }
        if (u.mp_reach) {
            for (const auto& n : u.mp_reach->nlri) {
                if (n.prefix == p) {
                    return &u;
                }
            }
        }
    }
    return nullptr;
}

Prefix pfx(const char* s) {
    return *Prefix::parse(s);
}

// Re-encodes every message of a session and returns the indexes that came back byte for byte.
std::vector<std::size_t> canonical_messages(const Session& s) {
    std::vector<std::size_t> same;
    CodecOptions o;
    for (std::size_t i = 0; i < s.raw.size(); ++i) {
        std::vector<std::uint8_t> out;
        const Message& m = s.messages[i];
        if (const auto* open = std::get_if<Open>(&m)) {
            encode_open(*open, out);
            o = s.options;
        } else if (const auto* u = std::get_if<Update>(&m)) {
            CodecOptions enc = o;
            enc.add_path_send = enc.add_path_receive;
            EXPECT_TRUE(encode_update(*u, enc, out));
        } else if (const auto* n = std::get_if<Notification>(&m)) {
            encode_notification(*n, out);
        } else if (std::holds_alternative<Keepalive>(m)) {
            encode_keepalive(out);
        } else if (const auto* r = std::get_if<RouteRefresh>(&m)) {
            encode_route_refresh(*r, out);
        }
        if (out == s.raw[i]) {
            same.push_back(i);
        }
        // Whatever the layout, decoding our encoding gives the same value.
        auto again = decode_message(test::view(out), o);
        EXPECT_TRUE(again.has_value());
        if (again) {
            EXPECT_EQ(*again, m) << "message " << i;
        }
    }
    return same;
}

TEST(GoldenFrr, OpenAdvertisesAddPathGracefulRestartAndHostname) {
    const Session s = load("frr");
    ASSERT_GE(s.raw.size(), 8U);
    const Open& o = s.open;
    EXPECT_EQ(o.my_as, 65001);
    EXPECT_EQ(o.asn(), 65001U);
    EXPECT_EQ(o.hold_time, 180);
    EXPECT_EQ(o.bgp_identifier.to_string(), "10.0.0.1");
    const auto& c = o.capabilities;
    EXPECT_EQ(c.multiprotocol, (std::vector<AfiSafi>{kV4, kV6}));
    EXPECT_TRUE(c.route_refresh);
    EXPECT_TRUE(c.enhanced_route_refresh);
    EXPECT_TRUE(c.extended_message);
    ASSERT_TRUE(c.graceful_restart.has_value());
    EXPECT_EQ(c.graceful_restart->restart_time, 120);
    ASSERT_EQ(c.add_path.size(), 2U);
    EXPECT_EQ(c.add_path[0].mode, AddPathMode::Both);
    // FRR's FQDN capability (73) and others it sends are kept as unknown capabilities.
    bool fqdn = false;
    for (const auto& u : c.unknown) {
        fqdn = fqdn || u.code == 73;
    }
    EXPECT_TRUE(fqdn);
    EXPECT_TRUE(s.options.extended_message);
    EXPECT_EQ(s.options.add_path_receive, (std::vector<AfiSafi>{kV4, kV6}));
}

TEST(GoldenFrr, UpdatesCarryCommunitiesLargeCommunitiesPathIdsAndIpv6) {
    const Session s = load("frr");
    const Update* u = find_update(s, pfx("10.1.1.0/24"));
    ASSERT_NE(u, nullptr);
    const auto& a = u->attributes;
    EXPECT_EQ(a.origin, Origin::Igp);
    EXPECT_EQ(a.as_path->to_string(), "65001");
    EXPECT_EQ(a.next_hop->to_string(), "127.0.0.2");
    EXPECT_EQ(a.med, 50U);
    EXPECT_EQ(a.communities,
              (decltype(a.communities){(65001U << 16) | 100, (65001U << 16) | 200, 0xFFFF029AU}));
    ASSERT_EQ(a.large_communities.size(), 2U);
    EXPECT_EQ(a.large_communities[1], (LargeCommunity{65001, 3, 4}));
    ASSERT_EQ(a.extended_communities.size(), 1U);
    EXPECT_EQ(a.extended_communities[0], 0x0002FDE900000064ULL);  // rt 65001:100
    for (const auto& n : u->nlri) {
        EXPECT_NE(n.path_id, 0U);  // FRR sends ADD-PATH ids
    }
    const Update* v6 = find_update(s, pfx("2001:db8:1::/48"));
    ASSERT_NE(v6, nullptr);
    ASSERT_TRUE(v6->mp_reach.has_value());
    EXPECT_EQ(v6->mp_reach->family, kV6);
    EXPECT_EQ(v6->mp_reach->next_hops[0].to_string(), "::ffff:127.0.0.2");
    EXPECT_EQ(v6->attributes.large_communities.size(), 2U);
    const Update* agg = find_update(s, pfx("10.2.0.0/16"));
    ASSERT_NE(agg, nullptr);
    ASSERT_TRUE(agg->attributes.aggregator.has_value());
    EXPECT_EQ(agg->attributes.aggregator->asn, 65001U);
    EXPECT_EQ(agg->attributes.aggregator->address.to_string(), "10.0.0.1");
}

TEST(GoldenFrr, RouteRefreshAndShutdownMessage) {
    const Session s = load("frr");
    bool refresh = false;
    for (const auto& m : s.messages) {
        if (const auto* r = std::get_if<RouteRefresh>(&m)) {
            refresh = true;
            EXPECT_EQ(r->family, kV4);
        }
    }
    EXPECT_TRUE(refresh);
    const auto* n = std::get_if<Notification>(&s.messages.back());
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->code, 6);
    EXPECT_EQ(n->subcode, 2);
    EXPECT_NE(n->to_string().find("shutdown message \"maintenance window\""), std::string::npos)
        << n->to_string();
    EXPECT_NE(describe(s.messages.back()).find("maintenance window"), std::string::npos);
}

TEST(GoldenBird, AttributesAndEndOfRib) {
    const Session s = load("bird");
    EXPECT_EQ(s.open.my_as, 65003);
    EXPECT_EQ(s.open.hold_time, 240);
    const Update* u = find_update(s, pfx("10.3.3.0/25"));
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->nlri.size(), 3U);
    EXPECT_EQ(u->attributes.as_path->to_string(), "65003 65003");
    EXPECT_EQ(u->attributes.med, 30U);
    EXPECT_EQ(u->attributes.communities.size(), 2U);
    EXPECT_EQ(u->attributes.large_communities, (std::vector<LargeCommunity>{{65003, 7, 8}}));
    const Update* v6 = find_update(s, pfx("2001:db8:3:1::/64"));
    ASSERT_NE(v6, nullptr);
    EXPECT_EQ(v6->mp_reach->nlri.size(), 2U);
    EXPECT_EQ(v6->mp_reach->next_hops[0].to_string(), "2001:db8::3");
    std::size_t eor = 0;
    for (const auto& d : s.updates) {
        eor += d.update.is_end_of_rib() ? 1 : 0;
    }
    EXPECT_EQ(eor, 2U);
}

TEST(GoldenGobgp, OnePrefixPerUpdateWithPathIdAndUnknownAigpKept) {
    const Session s = load("gobgp");
    EXPECT_EQ(s.open.capabilities.add_path.size(), 1U);
    EXPECT_EQ(s.options.add_path_receive, (std::vector<AfiSafi>{kV4}));
    const Update* u = find_update(s, pfx("10.4.1.0/24"));
    ASSERT_NE(u, nullptr);
    ASSERT_EQ(u->nlri.size(), 1U);
    EXPECT_EQ(u->nlri[0].path_id, 1U);
    EXPECT_EQ(u->attributes.next_hop->to_string(), "100.64.0.4");
    EXPECT_EQ(u->attributes.large_communities, (std::vector<LargeCommunity>{{65004, 5, 6}}));
    const Update* aigp = find_update(s, pfx("10.4.2.0/24"));
    ASSERT_NE(aigp, nullptr);
    EXPECT_EQ(aigp->attributes.origin, Origin::Incomplete);
    ASSERT_EQ(aigp->attributes.unknown.size(), 1U);
    EXPECT_EQ(aigp->attributes.unknown[0].type, 26);  // AIGP, optional non-transitive: no Partial bit
    EXPECT_EQ(aigp->attributes.unknown[0].flags, attr_flag::Optional);
    const Update* v6 = find_update(s, pfx("2001:db8:4::/48"));
    ASSERT_NE(v6, nullptr);
    EXPECT_EQ(v6->mp_reach->nlri[0].path_id, 0U);  // no ADD-PATH for IPv6
}

TEST(GoldenExabgp, As4PathReconstructedOnTwoOctetSession) {
    const Session s = load("exabgp");
    EXPECT_EQ(s.open.my_as, kAsTrans);
    EXPECT_FALSE(s.open.capabilities.four_octet_as.has_value());
    EXPECT_FALSE(s.options.four_octet_as);
    const Update* u = find_update(s, pfx("10.5.1.0/24"));
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->attributes.as_path->to_string(), "4200000005 65010 4200000011");
    EXPECT_TRUE(u->attributes.has_community(community::NoExport));
    EXPECT_EQ(u->attributes.large_communities, (std::vector<LargeCommunity>{{4200000005U, 1, 1}}));
    const Update* agg = find_update(s, pfx("10.5.2.0/24"));
    ASSERT_NE(agg, nullptr);
    EXPECT_TRUE(agg->attributes.atomic_aggregate);
    ASSERT_TRUE(agg->attributes.aggregator.has_value());
    EXPECT_EQ(agg->attributes.aggregator->asn, 4200000005U);  // from AS4_AGGREGATOR
    const Update* rr = find_update(s, pfx("10.5.3.0/24"));
    ASSERT_NE(rr, nullptr);
    EXPECT_EQ(rr->attributes.originator_id->to_string(), "10.0.0.9");
    ASSERT_EQ(rr->attributes.cluster_list.size(), 2U);
    EXPECT_EQ(rr->attributes.cluster_list[1].to_string(), "10.0.0.8");
    ASSERT_EQ(rr->attributes.unknown.size(), 1U);
    EXPECT_EQ(rr->attributes.unknown[0].type, 0xF0);
    EXPECT_EQ(rr->attributes.unknown[0].flags,
              attr_flag::Optional | attr_flag::Transitive | attr_flag::Partial);
    EXPECT_EQ(rr->attributes.unknown[0].value, (ByteVec{0xde, 0xad, 0xbe, 0xef}));
}

// Messages whose layout is canonical, i.e. ours: MP_REACH/MP_UNREACH first (RFC 7606 §5.1), then the
// attributes in type code order, each with the shortest length form. GoBGP's and BIRD's IPv4 UPDATEs
// come back byte for byte; FRR and BIRD write MP_REACH_NLRI with an extended length even when short,
// GoBGP puts MP_REACH_NLRI in type code order, ExaBGP puts AS4_PATH right after AS_PATH, and none groups
// OPEN capabilities as we do: for those only the value is compared.
TEST(GoldenAll, ReencodingGivesSameValuesAndCanonicalBytes) {
    const std::map<std::string, std::vector<std::size_t>> expected = {
        {"frr", {1, 7, 8}}, {"bird", {1, 2, 3, 5}}, {"gobgp", {1, 3, 4}}, {"exabgp", {1, 6}}};
    for (const auto& [impl, want] : expected) {
        const Session s = load(impl);
        ASSERT_EQ(s.raw.size(), s.messages.size()) << impl;
        const auto same = canonical_messages(s);
        std::string list;
        for (auto i : same) {
            list += std::to_string(i) + " ";
        }
        std::printf("%s: %zu of %zu messages re-encode byte for byte: %s\n", impl.c_str(), same.size(),
                    s.raw.size(), list.c_str());
        for (auto i : want) {
            EXPECT_NE(std::find(same.begin(), same.end(), i), same.end()) << impl << " message " << i;
        }
    }
}

}  // namespace
}  // namespace rf::bgp
