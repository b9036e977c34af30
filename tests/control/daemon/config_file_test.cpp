// routefabricd's config file: every error names the line and the field; peering rules apply at load.
#include "control/daemon/config_file.hpp"

#include <gtest/gtest.h>

namespace rf::daemon {
namespace {

const char* kGood = R"(# two route-server instances, Azure defaults
local-asn 65515
router-id 10.1.0.4
listen 10.1.0.4 10.1.0.5
port 1790
hold-time 90
keepalive 30
idle-hold 5
max-peers 8
mode transparent
branch-to-branch off
vnet-prefix 10.1.0.0/16
vnet-prefix 10.2.0.0/16
vnet-next-hop 10.1.0.4

[peer nva1]
address 10.1.1.4
asn 65001
route-limit 500
md5-password s3cret
mode active
port 179
multihop 2

[peer nva2]
address 10.1.1.5
asn 65002   # trailing comment
)";

TEST(ConfigFile, ParsesEverySetting) {
    auto c = parse_config(kGood, "rf.conf");
    ASSERT_TRUE(c.has_value()) << c.error().message;
    EXPECT_EQ(c->server.local_asn, 65515U);
    EXPECT_EQ(c->server.router_id.to_string(), "10.1.0.4");
    ASSERT_EQ(c->server.listen_addresses.size(), 2U);
    EXPECT_EQ(c->server.port, 1790);
    EXPECT_EQ(c->server.hold_time, 90);
    EXPECT_EQ(c->server.keepalive, 30);
    EXPECT_EQ(c->server.idle_hold, 5);
    EXPECT_EQ(c->server.rib.as_path_mode, rib::AsPathMode::Transparent);
    EXPECT_FALSE(c->server.rib.branch_to_branch);
    EXPECT_EQ(c->server.rib.vnet_prefixes.size(), 2U);
    ASSERT_TRUE(c->server.rib.vnet_next_hop_v4);
    ASSERT_EQ(c->peers.size(), 2U);
    EXPECT_EQ(c->peers[0].name, "nva1");
    EXPECT_EQ(c->peers[0].asn, 65001U);
    EXPECT_EQ(c->peers[0].route_limit, 500U);
    EXPECT_EQ(c->peers[0].md5_password, "s3cret");
    EXPECT_EQ(c->peers[0].mode, session::PeerMode::Active);
    EXPECT_EQ(c->peers[0].ttl, 2);
    EXPECT_EQ(c->peers[1].route_limit, 1000U);  // default
    EXPECT_EQ(c->peers[1].mode, session::PeerMode::Passive);
}

TEST(ConfigFile, DefaultsAreAzureCompatible) {
    auto c = parse_config("router-id 10.0.0.1\nlisten 10.0.0.1\n");
    ASSERT_TRUE(c.has_value()) << c.error().message;
    EXPECT_EQ(c->server.local_asn, 65515U);
    EXPECT_EQ(c->server.port, 179);
    EXPECT_EQ(c->server.hold_time, 180);
    EXPECT_EQ(c->server.keepalive, 60);
    EXPECT_EQ(c->server.max_peers, 8U);
    EXPECT_FALSE(c->server.four_octet_mode);
    EXPECT_EQ(c->server.rib.as_path_mode, rib::AsPathMode::Prepend);
    EXPECT_TRUE(c->server.rib.branch_to_branch);
}

void expect_error(const std::string& text, const std::string& needle) {
    auto c = parse_config(text, "rf.conf");
    ASSERT_FALSE(c.has_value()) << "accepted: " << text;
    EXPECT_NE(c.error().message.find(needle), std::string::npos) << c.error().message;
}

TEST(ConfigFile, ErrorsNameLineAndField) {
    expect_error("router-id 10.0.0.1\nlisten 10.0.0.1\nhold-time abc\n",
                 "rf.conf:3: hold-time: expected a number");
    expect_error("router-id 10.0.0.1\nlisten 10.0.0.1\nhold-time 2\n",
                 "rf.conf:3: hold-time: must be 0 or at least 3");
    expect_error("router-id 10.0.0.1\nlisten 10.0.0.300\n", "rf.conf:2: listen: expected an IP address");
    expect_error("router-id 10.0.0.1\nlisten 10.0.0.1\nbogus 1\n", "rf.conf:3: bogus: unknown setting");
    expect_error("router-id 10.0.0.1\nlisten 10.0.0.1\nmode azur\n",
                 "rf.conf:3: mode: expected azure or transparent");
    expect_error("router-id 10.0.0.1\nlisten 10.0.0.1\n[peer a]\naddress 10.0.0.2\nasn x\n",
                 "rf.conf:5: asn:");
    expect_error("router-id 10.0.0.1\nlisten 10.0.0.1\n[peer a]\naddress 10.0.0.2\n",
                 "rf.conf:3: peer a: asn: missing");
    expect_error("listen 10.0.0.1\n", "router-id: missing");
    expect_error("router-id 10.0.0.1\n", "listen: missing");
    expect_error("router-id 10.0.0.1\nlisten 10.0.0.1\n[neighbor a]\n", "rf.conf:3: section:");
}

TEST(ConfigFile, ReservedAndOwnAsnsAreRefusedNamingThePeer) {
    const std::string base = "router-id 10.0.0.1\nlisten 10.0.0.1\n[peer nva7]\naddress 10.0.0.7\n";
    expect_error(base + "asn 65515\n",
                 "rf.conf:3: peer nva7 (10.0.0.7): ASN 65515 is the route server's own ASN");
    expect_error(base + "asn 12076\n", "peer nva7 (10.0.0.7): ASN 12076 is reserved");
    expect_error(base + "asn 64500\n", "ASN 64500 is reserved");
    expect_error(base + "asn 4200000001\n", "4-byte ASN");
    auto ok = parse_config("four-byte-asn on\n" + base + "asn 4200000001\n");
    EXPECT_TRUE(ok.has_value());
}

TEST(ConfigFile, NinthPeerIsRefused) {
    std::string text = "router-id 10.0.0.1\nlisten 10.0.0.1\n";
    for (int i = 1; i <= 9; ++i) {
        text += "[peer nva" + std::to_string(i) + "]\naddress 10.0.1." + std::to_string(i) + "\nasn " +
                std::to_string(65000 + i) + "\n";
    }
    expect_error(text, "peer nva9 (10.0.1.9): the route server already has 8 peers, the maximum (8)");
    auto raised = parse_config("max-peers 9\n" + text);
    EXPECT_TRUE(raised.has_value());
}

}  // namespace
}  // namespace rf::daemon
