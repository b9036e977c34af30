// Decoding a small UPDATE touches no heap: the lists of one-prefix UPDATEs (NLRI, AS_PATH segments and
// their ASNs, communities, MP next hops) fit the inline capacities of message.hpp. Counted with the
// counting operator new of bench/alloc_counter.hpp (this binary links it); a count above zero means a
// list went back to the heap, which is what made one-prefix decoding malloc-bound (docs/benchmarks.md).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "bench/alloc_counter.hpp"
#include "control/codec/codec.hpp"

namespace rf::bgp {
namespace {

PathAttributes nva_attributes(std::size_t path_length) {
    PathAttributes a;
    a.origin = Origin::Igp;
    auto& asns = a.as_path.emplace().segments.emplace_back().asns;
    for (std::uint32_t i = 0; i < path_length; ++i) {
        asns.push_back(65001 + i);
    }
    a.next_hop = *net::Ipv4Address::parse("100.64.0.1");
    a.med = 50;
    a.communities = {(65001U << 16) | 100, (65001U << 16) | 200};
    return a;
}

Nlri v4(const char* text) {
    return Nlri{*Prefix::parse(text), 0};
}

std::vector<std::uint8_t> encoded(const Update& u, const CodecOptions& o = {}) {
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(encode_update(u, o, out));
    return out;
}

// decode_update's result and the allocations it made.
struct Counted {
    Result<DecodedUpdate, WireError> result;
    std::uint64_t allocations = 0;
};
Counted decode_counting(const std::vector<std::uint8_t>& wire, const CodecOptions& o = {}) {
    const std::uint64_t before = bench::allocations();
    auto r = decode_update(Bytes(wire.data(), wire.size()), o);
    const std::uint64_t after = bench::allocations();
    return Counted{std::move(r), after - before};
}

TEST(CodecAllocation, OnePrefixAnnouncementDecodesWithoutTheHeap) {
    Update u;
    u.attributes = nva_attributes(5);
    u.nlri.push_back(v4("10.1.0.0/24"));
    const auto wire = encoded(u);

    const Counted c = decode_counting(wire);
    ASSERT_TRUE(c.result.has_value());
    EXPECT_EQ(c.allocations, 0U);
    EXPECT_EQ(c.result->update, u);
    EXPECT_EQ(c.result->action, Rfc7606Action::None);
}

TEST(CodecAllocation, OnePrefixWithdrawalDecodesWithoutTheHeap) {
    Update u;
    u.withdrawn.push_back(v4("10.1.0.0/24"));
    const auto wire = encoded(u);

    const Counted c = decode_counting(wire);
    ASSERT_TRUE(c.result.has_value());
    EXPECT_EQ(c.allocations, 0U);
    EXPECT_EQ(c.result->update, u);
}

TEST(CodecAllocation, FramingAndDecodingAsTheSessionDoesAllocatesNothing) {
    Update u;
    u.attributes = nva_attributes(3);
    u.nlri.push_back(v4("10.2.0.0/24"));
    const auto wire = encoded(u);
    const CodecOptions o;

    const std::uint64_t before = bench::allocations();
    auto h = decode_header(Bytes(wire.data(), wire.size()), o);
    auto m = decode_message(Bytes(wire.data(), h ? h->length : 0), o);
    const std::uint64_t after = bench::allocations();
    ASSERT_TRUE(h.has_value());
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(after - before, 0U);
    EXPECT_EQ(std::get<Update>(*m), u);
}

TEST(CodecAllocation, Ipv6OnePrefixInMpReachAndMpUnreachDecodesWithoutTheHeap) {
    Update u;
    u.attributes = nva_attributes(4);
    u.attributes.next_hop.reset();
    u.mp_reach = MpReach{AfiSafi{Afi::Ipv6, Safi::Unicast},
                         {*IpAddress::parse("2001:db8::1"), *IpAddress::parse("fe80::1")},
                         {Nlri{*Prefix::parse("2001:db8:1::/48"), 0}}};
    u.mp_unreach = MpUnreach{AfiSafi{Afi::Ipv6, Safi::Unicast}, {Nlri{*Prefix::parse("2001:db8:2::/48"), 0}}};
    const auto wire = encoded(u);

    const Counted c = decode_counting(wire);
    ASSERT_TRUE(c.result.has_value());
    EXPECT_EQ(c.allocations, 0U);
    EXPECT_EQ(c.result->update, u);
}

TEST(CodecAllocation, TwoOctetPathMergedWithAs4PathStaysOffTheHeap) {
    // RFC 6793 §4.2.3 on a session without the 4-octet AS capability: AS_PATH with AS_TRANS, the real
    // ASNs in AS4_PATH, merged on decode.
    Update u;
    u.attributes = nva_attributes(0);
    u.attributes.as_path->segments.front().asns = {65001, 4200000001U, 4200000002U};
    u.nlri.push_back(v4("10.3.0.0/24"));
    CodecOptions two_octet;
    two_octet.four_octet_as = false;
    const auto wire = encoded(u, two_octet);

    const Counted c = decode_counting(wire, two_octet);
    ASSERT_TRUE(c.result.has_value());
    EXPECT_EQ(c.allocations, 0U);
    EXPECT_EQ(c.result->update.attributes.as_path, u.attributes.as_path);
}

// The counter sees the codec's allocations: a path longer than the inline capacity takes a heap block
// (so the zeros above are measured, not assumed), and still decodes to the same value.
TEST(CodecAllocation, PathLongerThanTheInlineCapacityUsesTheHeap) {
    Update u;
    u.attributes = nva_attributes(kInlineSegmentAsns + 1);
    u.nlri.push_back(v4("10.4.0.0/24"));
    const auto wire = encoded(u);

    const Counted c = decode_counting(wire);
    ASSERT_TRUE(c.result.has_value());
    EXPECT_GE(c.allocations, 1U);
    EXPECT_EQ(c.result->update, u);
}

}  // namespace
}  // namespace rf::bgp
