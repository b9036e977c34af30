// RFC 6811 route origin validation over the ROA table: the rules one by one, IPv4 and IPv6, the origin AS
// of a path, and the occurrence counting that several caches need.
#include "control/rpki/roa_table.hpp"

#include <gtest/gtest.h>

namespace rf::rpki {
namespace {

net::Prefix pfx(const char* text) {
    return *net::Prefix::parse(text);
}

Roa roa(const char* prefix, std::uint8_t max_length, std::uint32_t asn) {
    return Roa{pfx(prefix), max_length, asn};
}

bgp::AsPath path(std::initializer_list<std::pair<bgp::AsSegmentType, std::vector<std::uint32_t>>> segments) {
    bgp::AsPath p;
    for (const auto& [type, asns] : segments) {
        bgp::AsSegment s;
        s.type = type;
        s.asns.assign(asns.begin(), asns.end());
        p.segments.push_back(s);
    }
    return p;
}

TEST(RoaTable, EmptyTableFindsNothing) {
    const RoaTable t;
    EXPECT_EQ(t.validate(pfx("10.0.0.0/24"), 65001), Validity::NotFound);
    EXPECT_EQ(t.validate(pfx("2001:db8::/48"), 65001), Validity::NotFound);
    EXPECT_FALSE(t.covers(pfx("0.0.0.0/0")));
}

TEST(RoaTable, MatchingOriginWithinMaxLengthIsValid) {
    RoaTable t;
    t.add(roa("10.0.0.0/16", 24, 65001));
    EXPECT_EQ(t.validate(pfx("10.0.0.0/16"), 65001), Validity::Valid);
    EXPECT_EQ(t.validate(pfx("10.0.5.0/24"), 65001), Validity::Valid);
}

TEST(RoaTable, LongerThanMaxLengthIsInvalid) {
    RoaTable t;
    t.add(roa("10.0.0.0/16", 24, 65001));
    EXPECT_EQ(t.validate(pfx("10.0.5.128/25"), 65001), Validity::Invalid);
}

TEST(RoaTable, OtherOriginUnderACoveringRoaIsInvalid) {
    RoaTable t;
    t.add(roa("10.0.0.0/16", 24, 65001));
    EXPECT_EQ(t.validate(pfx("10.0.5.0/24"), 65002), Validity::Invalid);
}

TEST(RoaTable, LessSpecificThanTheRoaIsNotCovered) {
    RoaTable t;
    t.add(roa("10.0.0.0/16", 24, 65001));
    EXPECT_EQ(t.validate(pfx("10.0.0.0/8"), 65001), Validity::NotFound);
    EXPECT_EQ(t.validate(pfx("10.1.0.0/16"), 65001), Validity::NotFound);  // beside it
}

TEST(RoaTable, AnyMatchingRoaAmongSeveralCoveringMakesItValid) {
    RoaTable t;
    t.add(roa("10.0.0.0/8", 8, 65009));    // covers, wrong AS and too short
    t.add(roa("10.0.0.0/16", 16, 65001));  // covers, right AS, too short
    t.add(roa("10.0.0.0/20", 24, 65001));  // covers and matches
    EXPECT_EQ(t.validate(pfx("10.0.1.0/24"), 65001), Validity::Valid);
    EXPECT_EQ(t.validate(pfx("10.0.16.0/24"), 65001), Validity::Invalid);  // only the /8 and /16 cover it
}

TEST(RoaTable, SamePrefixWithSeveralOrigins) {
    RoaTable t;
    t.add(roa("192.0.2.0/24", 24, 65001));
    t.add(roa("192.0.2.0/24", 24, 65002));
    EXPECT_EQ(t.validate(pfx("192.0.2.0/24"), 65001), Validity::Valid);
    EXPECT_EQ(t.validate(pfx("192.0.2.0/24"), 65002), Validity::Valid);
    EXPECT_EQ(t.validate(pfx("192.0.2.0/24"), 65003), Validity::Invalid);
    EXPECT_EQ(t.size(), 2U);
}

TEST(RoaTable, OriginNoneIsNeverValid) {
    RoaTable t;
    t.add(roa("10.0.0.0/16", 24, 65001));
    EXPECT_EQ(t.validate(pfx("10.0.0.0/24"), std::nullopt), Validity::Invalid);
    EXPECT_EQ(t.validate(pfx("11.0.0.0/24"), std::nullopt), Validity::NotFound);
}

TEST(RoaTable, As0RoaMakesEveryCoveredRouteInvalid) {
    RoaTable t;
    t.add(roa("203.0.113.0/24", 32, 0));
    EXPECT_EQ(t.validate(pfx("203.0.113.0/24"), 65001), Validity::Invalid);
    EXPECT_EQ(t.validate(pfx("203.0.113.0/24"), 0), Validity::Invalid);
}

TEST(RoaTable, DefaultRouteRoaCoversEverything) {
    RoaTable t;
    t.add(roa("0.0.0.0/0", 32, 65001));
    EXPECT_EQ(t.validate(pfx("198.51.100.7/32"), 65001), Validity::Valid);
    EXPECT_EQ(t.validate(pfx("198.51.100.0/24"), 65002), Validity::Invalid);
    EXPECT_EQ(t.validate(pfx("2001:db8::/32"), 65001), Validity::NotFound);  // families are apart
}

TEST(RoaTable, Ipv6AcrossWordBoundaries) {
    RoaTable t;
    t.add(roa("2001:db8::/32", 48, 65001));
    t.add(roa("2001:db8:1:2::/64", 64, 65002));
    t.add(roa("2001:db8:1:2:3:4:5:0/112", 128, 65003));
    EXPECT_EQ(t.validate(pfx("2001:db8:5::/48"), 65001), Validity::Valid);
    EXPECT_EQ(t.validate(pfx("2001:db8:5::/56"), 65001), Validity::Invalid);
    EXPECT_EQ(t.validate(pfx("2001:db8:1:2::/64"), 65002), Validity::Valid);
    EXPECT_EQ(t.validate(pfx("2001:db8:1:2:3:4:5:6/128"), 65003), Validity::Valid);
    EXPECT_EQ(t.validate(pfx("2001:db8:1:2:3:4:5:6/128"), 65002), Validity::Invalid);
    EXPECT_EQ(t.validate(pfx("2001:db9::/32"), 65001), Validity::NotFound);
    EXPECT_EQ(t.size(net::Afi::Ipv6), 3U);
    EXPECT_EQ(t.size(net::Afi::Ipv4), 0U);
}

TEST(RoaTable, OccurrencesFromSeveralCachesAreCounted) {
    RoaTable t;
    const Roa r = roa("10.0.0.0/16", 24, 65001);
    EXPECT_TRUE(t.add(r));
    EXPECT_FALSE(t.add(r));  // a second cache delivers it too
    EXPECT_EQ(t.occurrences(r), 2U);
    EXPECT_FALSE(t.remove(r));  // one cache withdraws it: still there
    EXPECT_EQ(t.validate(pfx("10.0.0.0/24"), 65001), Validity::Valid);
    EXPECT_TRUE(t.remove(r));
    EXPECT_EQ(t.validate(pfx("10.0.0.0/24"), 65001), Validity::NotFound);
    EXPECT_FALSE(t.remove(r));  // not held: nothing happens
    EXPECT_EQ(t.size(), 0U);
}

TEST(RoaTable, RemovingTheLastRoaOfALengthForgetsTheLength) {
    RoaTable t;
    t.add(roa("10.0.0.0/16", 24, 65001));
    t.add(roa("10.1.0.0/16", 24, 65001));
    t.remove(roa("10.0.0.0/16", 24, 65001));
    EXPECT_EQ(t.validate(pfx("10.1.0.0/24"), 65001), Validity::Valid);
    t.remove(roa("10.1.0.0/16", 24, 65001));
    EXPECT_FALSE(t.covers(pfx("10.1.0.0/24")));
    t.add(roa("10.2.0.0/16", 16, 65001));
    EXPECT_EQ(t.validate(pfx("10.2.0.0/16"), 65001), Validity::Valid);
}

TEST(OriginAs, RightmostAsOfAFinalSequence) {
    using T = bgp::AsSegmentType;
    const auto p = path({{T::Sequence, {65001, 65002, 65003}}});
    EXPECT_EQ(origin_as(&p, 65515), 65003U);
}

TEST(OriginAs, FinalSetHasNoOrigin) {
    using T = bgp::AsSegmentType;
    const auto p = path({{T::Sequence, {65001}}, {T::Set, {65002, 65003}}});
    EXPECT_EQ(origin_as(&p, 65515), std::nullopt);
}

TEST(OriginAs, SetBeforeAFinalSequenceDoesNotMatter) {
    using T = bgp::AsSegmentType;
    const auto p = path({{T::Set, {65002, 65003}}, {T::Sequence, {65001, 65004}}});
    EXPECT_EQ(origin_as(&p, 65515), 65004U);
}

TEST(OriginAs, EmptyPathOrConfederationIsTheSpeakersOwnAs) {
    using T = bgp::AsSegmentType;
    const bgp::AsPath empty;
    EXPECT_EQ(origin_as(&empty, 65515), 65515U);
    EXPECT_EQ(origin_as(nullptr, 65515), 65515U);
    const auto confed = path({{T::Sequence, {65001}}, {T::ConfedSequence, {64512}}});
    EXPECT_EQ(origin_as(&confed, 65515), 65515U);
}

TEST(ValidityText, RoundTrips) {
    for (Validity v : {Validity::NotFound, Validity::Valid, Validity::Invalid, Validity::Unknown}) {
        EXPECT_EQ(parse_validity(to_string(v)), v);
    }
    EXPECT_EQ(parse_validity("bogus"), std::nullopt);
}

}  // namespace
}  // namespace rf::rpki
