// rfbench-mrt-sample: writes the small MRT file rfbench's replay is shown and tested with
// (docs/rfbench/sample.mrt), built with the project's own MRT encoder (control/mrt). Deterministic: the
// same bytes on every run. Regenerate with
//   cmake --build build --target rfbench-mrt-sample && build/bench/rfbench/rfbench-mrt-sample
//   docs/rfbench/sample.mrt
//
// What it holds (RFC 6396):
//   TABLE_DUMP_V2 PEER_INDEX_TABLE with 4 peers (one of them reached over IPv6, one with a four-octet ASN),
//   RIB_IPV4_UNICAST records for 330 prefixes in 198.18.0.0/15 (the benchmarking range, RFC 2544), 100 of
//   them from 2-3 peers with different AS-path lengths, and 6 RIB_IPV6_UNICAST records (2001:db8:x::/48);
//   then 54 BGP4MP_ET UPDATEs and 2 STATE_CHANGEs 40 ms apart: withdrawals, new prefixes, path changes,
//   IPv6 churn (MP_REACH_NLRI: a new prefix and a path change; MP_UNREACH_NLRI: a withdrawal), one
//   UPDATE logged from a two-octet-AS session (BGP4MP_MESSAGE with AS4_PATH), a fifth
//   peer that appears only in the UPDATEs, and a peer whose session drops (STATE_CHANGE_AS4 out of
//   Established, all its routes gone) and comes back with two routes.
#include <cstdio>
#include <fstream>
#include <vector>

#include "control/codec/codec.hpp"
#include "control/mrt/mrt.hpp"

namespace {

using namespace rf;

constexpr std::uint32_t kDumpTime = 1764547200;  // 2025-12-01 00:00:00 UTC

struct Peer {
    const char* address;
    const char* bgp_id;
    std::uint32_t asn;
};
const Peer kPeers[] = {
    {"192.0.2.1", "192.0.2.1", 65101},
    {"192.0.2.2", "192.0.2.2", 65102},
    {"2001:db8::3", "192.0.2.3", 4200000103U},
    {"192.0.2.4", "192.0.2.4", 65104},
};
const Peer kLatePeer = {"192.0.2.6", "192.0.2.6", 65106};  // only in the UPDATEs

net::IpAddress ip(const char* t) {
    return *net::IpAddress::parse(t);
}
// 2001:db8:x::/48
net::Prefix v6(std::uint8_t x) {
    const std::uint8_t b[6] = {0x20, 0x01, 0x0d, 0xb8, 0, x};
    return net::Prefix::make(net::Afi::Ipv6, 48, b, 6);
}
net::Prefix v4(std::uint32_t a, std::uint8_t len) {
    return net::Prefix::v4(net::Ipv4Address{a}, len);
}
std::uint32_t addr(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
}

// A path from `peer_asn` to an origin chosen by `k`, `length` ASNs long.
bgp::PathAttributes path(std::uint32_t peer_asn, std::uint32_t k, std::uint32_t length,
                         const char* next_hop) {
    bgp::PathAttributes a;
    a.origin = k % 7 == 0 ? bgp::Origin::Incomplete : bgp::Origin::Igp;
    bgp::AsSegment seg{bgp::AsSegmentType::Sequence, {peer_asn}};
    for (std::uint32_t i = 1; i + 1 < length; ++i)
        seg.asns.push_back(3000 + (k * 7 + i * 13) % 900);
    if (length > 1)
        seg.asns.push_back(13000 + k % 500);
    a.as_path = bgp::AsPath{{seg}};
    if (ip(next_hop).is_v4())
        a.next_hop = ip(next_hop).as_v4();
    if (k % 3 == 0)
        a.communities = {(peer_asn << 16U) | (k % 100)};
    if (k % 5 == 0)
        a.med = k % 50;
    if (k % 11 == 0)
        a.large_communities = {bgp::LargeCommunity{peer_asn, 1, k}};
    return a;
}

struct Route {
    net::Prefix prefix;
    std::uint16_t peer;
    bgp::PathAttributes attrs;
    std::vector<net::IpAddress> next_hops;
};

std::vector<Route> table() {
    std::vector<Route> r;
    auto add = [&](net::Prefix p, std::uint16_t peer, std::uint32_t k, std::uint32_t len) {
        r.push_back(Route{p, peer, path(kPeers[peer].asn, k, len, kPeers[peer].address), {}});
        if (!r.back().attrs.next_hop)  // the IPv6-connected peer: its IPv4 routes carry an IPv4 NEXT_HOP
            r.back().attrs.next_hop = net::Ipv4Address{addr(192, 0, 2, 3)};
    };
    for (std::uint32_t x = 0; x < 100; ++x) {  // shared: A (2 ASNs), B (3), every other one also D (2)
        add(v4(addr(198, 18, x, 0), 24), 0, x, 2);
        add(v4(addr(198, 18, x, 0), 24), 1, x, 3);
        if (x % 2 == 0)
            add(v4(addr(198, 18, x, 0), 24), 3, x + 1, 2);
    }
    for (std::uint32_t x = 100; x < 160; ++x)
        add(v4(addr(198, 18, x, 0), 24), 0, x, 2 + x % 3);
    for (std::uint32_t x = 160; x < 220; ++x)
        add(v4(addr(198, 18, x, 0), 24), 1, x, 3 + x % 2);
    for (std::uint32_t x = 0; x < 60; ++x)
        add(v4(addr(198, 19, x, 0), 24), 2, x, 2 + x % 4);
    for (std::uint32_t x = 0; x < 8; ++x)
        add(v4(addr(198, 19, 64 + 16 * x, 0), 20), 2, x + 60, 2);
    for (std::uint32_t x = 0; x < 2; ++x) {  // mixed lengths from D
        add(v4(addr(198, 19, 200 + x, 0), 25), 3, x, 3);
        add(v4(addr(198, 19, 200 + x, 128), 25), 3, x + 1, 3);
    }
    add(v4(addr(198, 19, 204, 0), 22), 3, 7, 4);
    add(v4(addr(198, 19, 208, 0), 23), 3, 8, 4);
    for (std::uint8_t x = 0; x < 6; ++x) {  // IPv6 unicast from C and A
        const auto p = v6(x);
        const std::uint16_t peer = x % 2 == 0 ? 2 : 0;
        Route route{p, peer, path(kPeers[peer].asn, x, 2, "2001:db8::3"), {ip("2001:db8::3")}};
        route.attrs.next_hop.reset();
        r.push_back(route);
    }
    return r;
}

void write_table(std::vector<std::uint8_t>& out) {
    mrt::PeerIndexTable t;
    t.collector_id = net::Ipv4Address{addr(192, 0, 2, 254)};
    t.view_name = "rfbench-sample";
    for (const auto& p : kPeers)
        t.peers.push_back(mrt::PeerEntry{ip(p.bgp_id).as_v4(), ip(p.address), p.asn});
    mrt::encode_peer_index_table(t, kDumpTime, out);
    const auto routes = table();
    std::uint32_t seq = 0;
    for (std::size_t i = 0; i < routes.size();) {  // one record per prefix, its routes as entries
        std::vector<mrt::RibEntry> entries;
        std::size_t j = i;
        for (; j < routes.size() && routes[j].prefix == routes[i].prefix; ++j)
            entries.push_back(mrt::RibEntry{routes[j].peer, kDumpTime - 3600 + static_cast<std::uint32_t>(j),
                                            &routes[j].attrs, routes[j].next_hops});
        mrt::encode_rib(seq++, routes[i].prefix, entries, kDumpTime, out);
        i = j;
    }
}

struct UpdateWriter {
    std::vector<std::uint8_t>& out;
    std::uint32_t n = 0;

    void write(const Peer& peer, const bgp::Update& u, bool four_octet_as = true) {
        bgp::CodecOptions o;
        o.four_octet_as = four_octet_as;
        std::vector<std::uint8_t> msg;
        bgp::encode_update(u, o, msg);
        mrt::Bgp4mpMessage m;
        const std::uint32_t us = 40000 * ++n;  // 40 ms apart, after the dump
        m.time = mrt::Timestamp{kDumpTime + 10 + us / 1000000, us % 1000000};
        m.peer_asn = peer.asn;
        m.local_asn = 65515;
        m.peer = ip(peer.address);
        m.local = ip(peer.address).is_v4() ? ip("192.0.2.254") : ip("2001:db8::fe");
        m.four_octet_as = four_octet_as;
        m.message = msg;
        mrt::encode_bgp4mp_et(m, out);
    }

    // BGP4MP_ET STATE_CHANGE_AS4 (RFC 6396 §4.4.1), written by hand: the encoder writes messages only.
    void state(const Peer& peer, std::uint16_t from, std::uint16_t to) {
        const std::uint32_t us = 40000 * ++n;
        const mrt::Timestamp t{kDumpTime + 10 + us / 1000000, us % 1000000};
        auto put = [&](std::uint32_t v, int bytes) {
            for (int i = bytes - 1; i >= 0; --i)
                out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        };
        put(t.seconds, 4);
        put(static_cast<std::uint16_t>(mrt::Type::Bgp4mpEt), 2);
        put(5, 2);   // STATE_CHANGE_AS4
        put(28, 4);  // microseconds, ASNs, interface, AFI, two IPv4 addresses, two states
        put(t.microseconds, 4);
        put(peer.asn, 4);
        put(65515, 4);
        put(0, 2);
        put(1, 2);
        put(ip(peer.address).as_v4().value, 4);
        put(ip("192.0.2.254").as_v4().value, 4);
        put(from, 2);
        put(to, 2);
    }
};

bgp::Update announce(const Peer& peer, std::vector<net::Prefix> prefixes, std::uint32_t k,
                     std::uint32_t len) {
    bgp::Update u;
    u.attributes = path(peer.asn, k, len, ip(peer.address).is_v4() ? peer.address : "192.0.2.3");
    if (!u.attributes.next_hop)
        u.attributes.next_hop = net::Ipv4Address{addr(192, 0, 2, 3)};
    for (const auto& p : prefixes)
        u.nlri.push_back(bgp::Nlri{p, 0});
    return u;
}

bgp::Update withdraw(std::vector<net::Prefix> prefixes) {
    bgp::Update u;
    for (const auto& p : prefixes)
        u.withdrawn.push_back(bgp::Nlri{p, 0});
    return u;
}

void write_updates(std::vector<std::uint8_t>& out) {
    UpdateWriter w{out};
    const Peer& a = kPeers[0];
    const Peer& b = kPeers[1];
    const Peer& c = kPeers[2];
    const Peer& d = kPeers[3];
    for (std::uint32_t x = 100; x < 110; ++x)  // A withdraws 10 prefixes only it has: they disappear
        w.write(a, withdraw({v4(addr(198, 18, x, 0), 24)}));
    for (std::uint32_t x = 0; x < 10; ++x)  // B announces 10 new prefixes, two per UPDATE
        if (x % 2 == 0)
            w.write(
                b, announce(b, {v4(addr(198, 19, 150 + x, 0), 24), v4(addr(198, 19, 151 + x, 0), 24)}, x, 3));
    for (std::uint32_t x = 100; x < 105; ++x)  // A announces 5 of them again, longer path
        w.write(a, announce(a, {v4(addr(198, 18, x, 0), 24)}, x + 1, 4));
    for (std::uint32_t x = 0; x < 10; x += 2)  // D withdraws shared prefixes: A and B still have them
        w.write(d, withdraw({v4(addr(198, 18, x, 0), 24)}));
    for (std::uint32_t x = 160; x < 165; ++x)  // B changes paths (implicit withdraw)
        w.write(b, announce(b, {v4(addr(198, 18, x, 0), 24)}, x + 2, 2));
    constexpr bgp::AfiSafi kIpv6Unicast{net::Afi::Ipv6, net::Safi::Unicast};
    auto announce6 = [&](const Peer& peer, net::Prefix p, std::uint32_t k, const char* next_hop) {
        bgp::Update u;
        u.attributes = path(peer.asn, k, 2, next_hop);
        u.attributes.next_hop.reset();
        u.mp_reach = bgp::MpReach{kIpv6Unicast, {ip(next_hop)}, {bgp::Nlri{p, 0}}};
        return u;
    };
    w.write(c, announce6(c, v6(9), 1, "2001:db8::3"));  // IPv6: a new prefix from C
    {
        bgp::Update u;  // C withdraws one of its IPv6 table routes
        u.mp_unreach = bgp::MpUnreach{kIpv6Unicast, {bgp::Nlri{v6(0), 0}}};
        w.write(c, u);
    }
    w.write(a, announce6(a, v6(1), 7, "2001:db8::1"));   // A changes the path of its IPv6 route
    w.write(a, announce6(a, v6(10), 8, "2001:db8::1"));  // and announces a new one
    // B's session without four-octet AS numbers: MESSAGE (subtype 1), AS_PATH with AS_TRANS + AS4_PATH.
    {
        auto u = announce(b, {v4(addr(198, 19, 170, 0), 24)}, 3, 3);
        u.attributes.as_path->segments[0].asns[1] = 4200000999U;
        w.write(b, u, false);
    }
    for (std::uint32_t x = 0; x < 5; ++x)  // a peer that is in no table: its own emulated peer
        w.write(kLatePeer, announce(kLatePeer, {v4(addr(198, 19, 180 + x, 0), 24)}, x, 2));
    for (std::uint32_t x = 0; x < 10; ++x)  // C: withdraw and re-announce with a new path
        w.write(c, x % 2 == 0 ? withdraw({v4(addr(198, 19, x, 0), 24)})
                              : announce(c, {v4(addr(198, 19, x - 1, 0), 24)}, x, 3));
    w.state(d, 6, 1);  // D's session drops (Established -> Idle): the collector loses its routes
    w.state(d, 1, 6);
    w.write(d, announce(d, {v4(addr(198, 18, 2, 0), 24), v4(addr(198, 19, 200, 0), 25)}, 5, 2));  // back, two
    w.write(a, withdraw({v4(addr(198, 18, 150, 0), 24), v4(addr(198, 18, 151, 0), 24)}));
    w.write(d, announce(d, {v4(addr(198, 19, 210, 0), 24)}, 4, 2));
    w.write(kLatePeer, withdraw({v4(addr(198, 19, 184, 0), 24)}));
    std::fprintf(stderr, "%u BGP4MP_ET records\n", w.n);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: rfbench-mrt-sample FILE.mrt\n");
        return 2;
    }
    std::vector<std::uint8_t> out;
    write_table(out);
    write_updates(out);
    std::ofstream f(argv[1], std::ios::binary);
    f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
    if (!f) {
        std::fprintf(stderr, "rfbench-mrt-sample: cannot write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
