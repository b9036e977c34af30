// Neighbor Discovery wire format (no DPDK): the frames the emulator builds parse back, carry the
// RFC 4861 fields Linux checks (hop limit 255, solicited-node group, link-layer address options, a
// valid checksum), and frames captured from Linux parse — or are refused when RFC 4861 7.1 says so.
#include "dataplane/ndp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace rf::dataplane;

namespace {

std::vector<std::uint8_t> hex(const std::string& s) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < s.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
    return out;
}

Ipv6Bytes v6(std::initializer_list<std::uint16_t> head, std::uint16_t last) {
    Ipv6Bytes a{};
    std::size_t i = 0;
    for (std::uint16_t g : head) {
        a[i++] = static_cast<std::uint8_t>(g >> 8);
        a[i++] = static_cast<std::uint8_t>(g);
    }
    a[14] = static_cast<std::uint8_t>(last >> 8);
    a[15] = static_cast<std::uint8_t>(last);
    return a;
}

const MacAddress kOurs{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
const MacAddress kTheirs{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

// A Neighbor Advertisement Linux 6.x sent for fd00::2 (02:00:00:00:00:0b) to fd00::1 (captured on a veth
// pair with a packet socket), and a DAD solicitation of its link-local address with a nonce option
// (RFC 7527, an option the parser must skip).
const char* kLinuxNa =
    "02000000000a02000000000b86dd6000000000203afffd000000000000000000000000000002fd000000000000000000000000"
    "00000188001c9160000000fd000000000000000000000000000002020102000000000b";
const char* kLinuxDadNs =
    "3333ff00000b02000000000b86dd6000000000203aff00000000000000000000000000000000ff0200000000000000000001ff"
    "00000b87000a8900000000fe80000000000000000000fffe00000b0e017783b4833878";

// The same messages built independently (a script with its own checksum code; also fuzzing seeds in
// tests/fuzz/corpus/ndp/): from fd00:1:1::a, MAC 02:00:00:00:0a:0a, an NS for fd00:1:1::4, a DAD-style
// NS for it, and an NA of fd00:1:1::a to fd00:1:1::4 at 02:aa:bb:cc:dd:04.
const char* kRefNs =
    "3333ff000004020000000a0a86dd6000000000203afffd00000100010000000000000000000aff020000000000000000000"
    "1ff0000048700737d00000000fd0000010001000000000000000000040101020000000a0a";
const char* kRefDadNs =
    "3333ff000004020000000a0a86dd6000000000183aff00000000000000000000000000000000ff020000000000000000000"
    "1ff00000487007d9d00000000fd000001000100000000000000000004";
const char* kRefNa =
    "02aabbccdd04020000000a0a86dd6000000000203afffd00000100010000000000000000000afd00000100010000000000"
    "00000000048800127960000000fd00000100010000000000000000000a0201020000000a0a";

TEST(Ndp, BuiltFramesMatchAnIndependentEncoding) {
    const MacAddress mac{0x02, 0x00, 0x00, 0x00, 0x0a, 0x0a}, asker{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x04};
    const Ipv6Bytes ours = v6({0xfd00, 1, 1}, 0x0a), target = v6({0xfd00, 1, 1}, 4);
    std::uint8_t frame[ndp::kMaxFrame];
    std::size_t len = ndp::build_solicitation(frame, mac, ours, target);
    EXPECT_EQ(std::vector<std::uint8_t>(frame, frame + len), hex(kRefNs));
    len = ndp::build_solicitation(frame, mac, Ipv6Bytes{}, target);
    EXPECT_EQ(std::vector<std::uint8_t>(frame, frame + len), hex(kRefDadNs));
    len = ndp::build_advertisement(frame, mac, asker, ours, target, true);
    EXPECT_EQ(std::vector<std::uint8_t>(frame, frame + len), hex(kRefNa));
}

TEST(Ndp, AddressHelpers) {
    const Ipv6Bytes target = v6({0xfd00, 1, 1}, 0x1234);
    EXPECT_EQ(ndp::solicited_node(target),
              (Ipv6Bytes{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0x12, 0x34}));
    EXPECT_EQ(ndp::multicast_mac(ndp::solicited_node(target)), (MacAddress{0x33, 0x33, 0xff, 0, 0x12, 0x34}));
    // Modified EUI-64: universal/local bit flipped, ff:fe in the middle.
    EXPECT_EQ(ndp::link_local(MacAddress{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}),
              (Ipv6Bytes{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56}));
    EXPECT_TRUE(ndp::is_link_local(ndp::link_local(kOurs)));
    EXPECT_FALSE(ndp::is_link_local(target));
    EXPECT_TRUE(ndp::is_unspecified(Ipv6Bytes{}));
    EXPECT_TRUE(ndp::is_multicast(ndp::all_nodes()));
}

TEST(Ndp, LinuxFramesParseWithValidChecksums) {
    const auto na = hex(kLinuxNa);
    const auto m = ndp::parse(na.data(), na.size());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, ndp::kAdvertisement);
    EXPECT_EQ(m->target, v6({0xfd00}, 2));
    EXPECT_EQ(m->src, v6({0xfd00}, 2));
    EXPECT_EQ(m->dst, v6({0xfd00}, 1));
    ASSERT_TRUE(m->has_lladdr);
    EXPECT_EQ(m->lladdr, kTheirs);
    EXPECT_TRUE(m->solicited);
    EXPECT_TRUE(m->override_flag);
    EXPECT_FALSE(m->router);

    const auto ns = hex(kLinuxDadNs);
    const auto d = ndp::parse(ns.data(), ns.size());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->type, ndp::kSolicitation);
    EXPECT_TRUE(ndp::is_unspecified(d->src));
    EXPECT_FALSE(d->has_lladdr) << "the nonce option is not a link-layer address";
    EXPECT_EQ(d->dst, ndp::solicited_node(d->target));
}

TEST(Ndp, CorruptOrNonNdpFramesAreRefused) {
    auto na = hex(kLinuxNa);
    auto bad = na;
    bad[14 + 40 + 8 + 15] ^= 0x01;  // the target's last byte: checksum no longer matches
    EXPECT_FALSE(ndp::parse(bad.data(), bad.size()));
    bad = na;
    bad[14 + 7] = 64;  // hop limit: crossed a router
    EXPECT_FALSE(ndp::parse(bad.data(), bad.size()));
    bad = na;
    bad[14 + 40 + 1] = 1;  // ICMP code
    EXPECT_FALSE(ndp::parse(bad.data(), bad.size()));
    EXPECT_FALSE(ndp::parse(na.data(), 14 + 40 + 20)) << "truncated";
    bad = na;
    bad[12] = 0x08;  // EtherType IPv4
    bad[13] = 0x00;
    EXPECT_FALSE(ndp::parse(bad.data(), bad.size()));
}

TEST(Ndp, SolicitationGoesToTheSolicitedNodeGroupWithOurLinkLayerAddress) {
    const Ipv6Bytes src = v6({0xfd00, 1, 1}, 0x0a), target = v6({0xfd00, 1, 1}, 4);
    std::uint8_t frame[ndp::kMaxFrame];
    const std::size_t len = ndp::build_solicitation(frame, kOurs, src, target);
    ASSERT_EQ(len, 14U + 40 + 32);
    EXPECT_EQ(frame[14 + 7], 255) << "hop limit";
    EXPECT_EQ(MacAddress(std::to_array({frame[0], frame[1], frame[2], frame[3], frame[4], frame[5]})),
              ndp::multicast_mac(ndp::solicited_node(target)));
    const auto m = ndp::parse(frame, len);
    ASSERT_TRUE(m) << "our own solicitation must pass the receiver's checks";
    EXPECT_EQ(m->type, ndp::kSolicitation);
    EXPECT_EQ(m->src, src);
    EXPECT_EQ(m->dst, ndp::solicited_node(target));
    EXPECT_EQ(m->target, target);
    EXPECT_EQ(m->eth_src, kOurs);
    ASSERT_TRUE(m->has_lladdr);
    EXPECT_EQ(m->lladdr, kOurs);
    EXPECT_EQ(ndp::icmp6_checksum(m->src, m->dst, frame + 54, len - 54), 0);

    // A reachability probe: unicast to the neighbour's address and MAC.
    const std::size_t plen = ndp::build_solicitation(frame, kOurs, src, target, &kTheirs);
    const auto p = ndp::parse(frame, plen);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->dst, target);
    EXPECT_EQ(MacAddress(std::to_array({frame[0], frame[1], frame[2], frame[3], frame[4], frame[5]})),
              kTheirs);
}

TEST(Ndp, SolicitationFromTheUnspecifiedAddressCarriesNoLinkLayerOption) {
    const Ipv6Bytes target = v6({0xfd00, 1, 1}, 5);
    std::uint8_t frame[ndp::kMaxFrame];
    const std::size_t len = ndp::build_solicitation(frame, kOurs, Ipv6Bytes{}, target);
    EXPECT_EQ(len, 14U + 40 + 24);
    const auto m = ndp::parse(frame, len);
    ASSERT_TRUE(m);
    EXPECT_TRUE(ndp::is_unspecified(m->src));
    EXPECT_FALSE(m->has_lladdr);
    EXPECT_EQ(m->dst, ndp::solicited_node(target));
}

TEST(Ndp, AdvertisementAnswersWithSolicitedAndOverride) {
    const Ipv6Bytes ours = v6({0xfd00, 1, 1}, 0x0a), asker = v6({0xfd00, 1, 1}, 4);
    std::uint8_t frame[ndp::kMaxFrame];
    const std::size_t len = ndp::build_advertisement(frame, kOurs, kTheirs, ours, asker, true);
    const auto m = ndp::parse(frame, len);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, ndp::kAdvertisement);
    EXPECT_EQ(m->src, ours);
    EXPECT_EQ(m->dst, asker);
    EXPECT_EQ(m->target, ours);
    EXPECT_TRUE(m->solicited);
    EXPECT_TRUE(m->override_flag);
    ASSERT_TRUE(m->has_lladdr);
    EXPECT_EQ(m->lladdr, kOurs);
    // To all nodes (an answer to a DAD-style solicitation) the S flag must be clear: with it set the
    // receiver discards the advertisement.
    const std::size_t mlen = ndp::build_advertisement(frame, kOurs, ndp::multicast_mac(ndp::all_nodes()),
                                                      ours, ndp::all_nodes(), false);
    const auto mc = ndp::parse(frame, mlen);
    ASSERT_TRUE(mc);
    EXPECT_FALSE(mc->solicited);
    const std::size_t wrong = ndp::build_advertisement(frame, kOurs, ndp::multicast_mac(ndp::all_nodes()),
                                                       ours, ndp::all_nodes(), true);
    EXPECT_FALSE(ndp::parse(frame, wrong));
}

}  // namespace
