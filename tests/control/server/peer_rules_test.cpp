// The peering rules of design §2, as the route server's peer manager checks them when a peer is added:
// reserved ASNs, the route server's own ASN, 4-byte ASNs, the peer count limit, duplicate addresses.
#include "control/server/peer_rules.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rf::server {
namespace {

session::PeerSettings peer(const char* name, const char* addr, std::uint32_t asn) {
    session::PeerSettings p;
    p.name = name;
    p.address = *net::IpAddress::parse(addr);
    p.asn = asn;
    return p;
}

TEST(PeeringRules, ReservedAsnsAreRefusedNamingThePeer) {
    PeeringLimits limits;
    for (std::uint32_t asn :
         {8074U, 8075U, 12076U, 65515U, 65517U, 65520U, 23456U, 64496U, 64511U, 65535U, 65551U}) {
        auto err = check_peer(peer("nva1", "10.0.0.4", asn), {}, limits);
        ASSERT_TRUE(err) << asn;
        EXPECT_NE(err->find("nva1"), std::string::npos) << *err;
        EXPECT_NE(err->find(std::to_string(asn)), std::string::npos) << *err;
    }
    for (std::uint32_t asn : {8073U, 65516U, 65521U, 64495U, 64512U, 65534U, 65001U}) {
        EXPECT_FALSE(check_peer(peer("nva1", "10.0.0.4", asn), {}, limits)) << asn;
    }
}

TEST(PeeringRules, OwnAsnIsRefusedEvenWhenNotReserved) {
    PeeringLimits limits;
    limits.local_asn = 64900;
    auto err = check_peer(peer("nva1", "10.0.0.4", 64900), {}, limits);
    ASSERT_TRUE(err);
    EXPECT_NE(err->find("own ASN"), std::string::npos);
}

TEST(PeeringRules, FourByteAsnNeedsFourByteMode) {
    PeeringLimits limits;
    EXPECT_TRUE(check_peer(peer("nva1", "10.0.0.4", 4200000001U), {}, limits));
    limits.four_octet_mode = true;
    EXPECT_FALSE(check_peer(peer("nva1", "10.0.0.4", 4200000001U), {}, limits));
}

TEST(PeeringRules, NinthPeerIsRefusedWithAClearError) {
    PeeringLimits limits;
    std::vector<session::PeerSettings> existing;
    for (int i = 1; i <= 8; ++i) {
        auto p = peer(("nva" + std::to_string(i)).c_str(), ("10.0.0." + std::to_string(i)).c_str(),
                      static_cast<std::uint32_t>(65000 + i));
        ASSERT_FALSE(check_peer(p, existing, limits)) << i;
        existing.push_back(p);
    }
    auto err = check_peer(peer("nva9", "10.0.0.9", 65009), existing, limits);
    ASSERT_TRUE(err);
    EXPECT_NE(err->find("nva9"), std::string::npos);
    EXPECT_NE(err->find("maximum (8)"), std::string::npos) << *err;
    limits.max_peers = 9;
    EXPECT_FALSE(check_peer(peer("nva9", "10.0.0.9", 65009), existing, limits));
}

TEST(PeeringRules, DuplicateAddressIsRefused) {
    PeeringLimits limits;
    std::vector<session::PeerSettings> existing{peer("nva1", "10.0.0.4", 65001)};
    EXPECT_TRUE(check_peer(peer("nva2", "10.0.0.4", 65002), existing, limits));
}

}  // namespace
}  // namespace rf::server
