#include "control/policy/sets.hpp"

#include <gtest/gtest.h>

namespace rf::policy {
namespace {

net::Prefix P(std::string_view s) {
    return *net::Prefix::parse(s);
}
net::IpAddress A(std::string_view s) {
    return *net::IpAddress::parse(s);
}

TEST(PrefixSet, ExactEntryMatchesOnlyItself) {
    PrefixSet s("x");
    s.add(PrefixRange{P("10.1.0.0/16"), 16, 16});
    EXPECT_TRUE(s.matches(P("10.1.0.0/16")));
    EXPECT_FALSE(s.matches(P("10.1.1.0/24")));
    EXPECT_FALSE(s.matches(P("10.0.0.0/8")));
    EXPECT_FALSE(s.matches(P("10.2.0.0/16")));
}

TEST(PrefixSet, GeLeRangeBoundsTheLength) {
    PrefixSet s("x");
    s.add(PrefixRange{P("10.0.0.0/8"), 16, 24});
    EXPECT_FALSE(s.matches(P("10.0.0.0/8")));
    EXPECT_FALSE(s.matches(P("10.0.0.0/15")));
    EXPECT_TRUE(s.matches(P("10.0.0.0/16")));
    EXPECT_TRUE(s.matches(P("10.9.9.0/24")));
    EXPECT_FALSE(s.matches(P("10.9.9.0/25")));
    EXPECT_FALSE(s.matches(P("11.0.0.0/16")));
}

TEST(PrefixSet, FamiliesAreSeparate) {
    PrefixSet s("x");
    s.add(PrefixRange{P("0.0.0.0/0"), 0, 32});
    EXPECT_TRUE(s.matches(P("192.0.2.0/24")));
    EXPECT_FALSE(s.matches(P("2001:db8::/32")));
    s.add(PrefixRange{P("2001:db8::/32"), 32, 48});
    EXPECT_TRUE(s.matches(P("2001:db8:1::/48")));
    EXPECT_FALSE(s.matches(P("2001:db8:1::/64")));
}

TEST(PrefixSet, ContainsAddressIgnoresLengthRange) {
    PrefixSet s("nh");
    s.add(PrefixRange{P("10.0.1.0/24"), 32, 32});
    EXPECT_TRUE(s.contains(A("10.0.1.4")));
    EXPECT_FALSE(s.contains(A("10.0.2.4")));
}

TEST(Builtins, BogonsHoldPrivateSpaceMartiansDoNot) {
    EXPECT_TRUE(builtin_bogons().matches(P("10.1.0.0/16")));
    EXPECT_TRUE(builtin_bogons().matches(P("192.168.1.0/24")));
    EXPECT_TRUE(builtin_bogons().matches(P("fd00:1::/48")));
    EXPECT_FALSE(builtin_martians().matches(P("10.1.0.0/16")));
    for (const auto* s : {&builtin_bogons(), &builtin_martians()}) {
        EXPECT_TRUE(s->matches(P("127.0.0.1/32")));
        EXPECT_TRUE(s->matches(P("224.0.0.0/4")));
        EXPECT_TRUE(s->matches(P("192.0.2.0/25")));
        EXPECT_TRUE(s->matches(P("2001:db8:5::/48")));
        EXPECT_TRUE(s->matches(P("fe80::/64")));
        EXPECT_FALSE(s->matches(P("8.8.8.0/24")));
        EXPECT_FALSE(s->matches(P("2a00:1450::/32")));
        EXPECT_FALSE(s->matches(P("0.0.0.0/0")));
    }
    EXPECT_EQ(builtin_prefix_set("bogons"), &builtin_bogons());
    EXPECT_EQ(builtin_prefix_set("nope"), nullptr);
}

CommunityPattern C(std::string_view s) {
    auto r = parse_community(s);
    EXPECT_TRUE(r.pattern) << s << ": " << r.error;
    return r.pattern.value_or(CommunityPattern{});
}

TEST(Community, StandardWithWildcards) {
    EXPECT_TRUE(C("65001:100").matches_standard((65001U << 16) | 100));
    EXPECT_FALSE(C("65001:100").matches_standard((65001U << 16) | 101));
    EXPECT_TRUE(C("65001:*").matches_standard((65001U << 16) | 7));
    EXPECT_FALSE(C("65001:*").matches_standard((65002U << 16) | 7));
    EXPECT_TRUE(C("*:7").matches_standard((65002U << 16) | 7));
    EXPECT_TRUE(C("no-export").matches_standard(bgp::community::NoExport));
    EXPECT_FALSE(C("65001:100").matches_large({65001, 100, 0}));
}

TEST(Community, LargeWithWildcards) {
    EXPECT_TRUE(C("65001:1:2").matches_large({65001, 1, 2}));
    EXPECT_FALSE(C("65001:1:2").matches_large({65001, 1, 3}));
    EXPECT_TRUE(C("4200000000:*:2").matches_large({4200000000U, 9, 2}));
    EXPECT_FALSE(C("65001:1:2").matches_standard((65001U << 16) | 1));
}

TEST(Community, ExtendedRouteTargetAndSiteOfOrigin) {
    const CommunityPattern rt = C("rt:65001:100");
    EXPECT_TRUE(rt.matches_extended(rt.extended()));
    EXPECT_EQ(rt.extended(), 0x0002FDE900000064ULL);  // type 0x00, subtype 0x02, 65001, 100
    EXPECT_FALSE(C("soo:65001:100").matches_extended(rt.extended()));
    EXPECT_TRUE(C("rt:*:100").matches_extended(rt.extended()));
    const CommunityPattern four = C("rt:4200000000:5");
    EXPECT_EQ(four.extended() >> 56, 0x02U);
    EXPECT_TRUE(C("rt:4200000000:*").matches_extended(four.extended()));
    const CommunityPattern v4 = C("soo:192.0.2.1:7");
    EXPECT_EQ(v4.extended() >> 56, 0x01U);
    EXPECT_TRUE(v4.matches_extended(v4.extended()));
    EXPECT_FALSE(C("soo:65001:7").matches_extended(v4.extended()));
}

TEST(Community, BadTextIsRefusedWithTheReason) {
    for (std::string_view bad :
         {"65001", "70000:1", "a:b", "rt:65001", "rt:4200000000:70000", "1:2:3:4", ""}) {
        auto r = parse_community(bad);
        EXPECT_FALSE(r.pattern) << bad;
        EXPECT_NE(r.error.find(std::string(bad)), std::string::npos) << r.error;
    }
}

bool M(std::string_view re, std::string_view path) {
    auto r = AsPathRegex::compile(re);
    EXPECT_TRUE(std::holds_alternative<AsPathRegex>(r)) << re;
    return std::get<AsPathRegex>(r).matches(path);
}

TEST(AsPathRegex, UnderscoreMatchesDelimitersAndEnds) {
    EXPECT_TRUE(M("^65001_", "65001 65002"));
    EXPECT_TRUE(M("^65001_", "65001"));
    EXPECT_FALSE(M("^65001_", "650012 65002"));
    EXPECT_FALSE(M("^65001_", "65002 65001"));
    EXPECT_TRUE(M("_65002$", "65001 65002"));
    EXPECT_FALSE(M("_65002$", "65001 165002"));
    EXPECT_TRUE(M("_6500[0-9]_", "1 65007 2"));
    EXPECT_FALSE(M("_6500[0-9]_", "1 650071 2"));
    EXPECT_TRUE(M("_65004_", "65001 {65003,65004}"));
    EXPECT_TRUE(M("^$", ""));
    EXPECT_FALSE(M("^$", "65001"));
    EXPECT_TRUE(M("^65001_65002_", "65001 65002 65003"));
    EXPECT_TRUE(M("_(65001|65009)_", "7 65009"));
    EXPECT_TRUE(M(".*", "anything 1"));
}

TEST(AsPathRegex, BadPatternsAreRefused) {
    for (std::string_view bad : {"_650(01", "[65", "*65001", "\\d+", "as65001"}) {
        auto r = AsPathRegex::compile(bad);
        ASSERT_TRUE(std::holds_alternative<std::string>(r)) << bad;
        EXPECT_NE(std::get<std::string>(r).find(std::string(bad)), std::string::npos);
    }
}

}  // namespace
}  // namespace rf::policy
