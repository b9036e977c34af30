// Helpers shared by the RIB tests: building decoded UPDATEs, recording the delta stream, replaying a
// peer's outbound bytes through the codec into the table that peer would hold, and the RibTest fixture.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "control/codec/codec.hpp"
#include "control/rib/rib.hpp"
#include "fib/delta/queue.hpp"

namespace rf::rib::test {

using fib::BoundedDeltaQueue;
using fib::DeltaSink;
using fib::RouteDelta;

inline net::Prefix P(const std::string& s) {
    auto p = net::Prefix::parse(s);
    EXPECT_TRUE(p.has_value()) << s;
    return p.value_or(net::Prefix{});
}
inline net::IpAddress A(const std::string& s) {
    auto a = net::IpAddress::parse(s);
    EXPECT_TRUE(a.has_value()) << s;
    return a.value_or(net::IpAddress{});
}
inline net::Ipv4Address A4(const std::string& s) {
    return A(s).as_v4();
}

inline bgp::AsPath path_of(std::vector<std::uint32_t> asns) {
    bgp::AsPath p;
    if (!asns.empty()) {
        p.segments.push_back(bgp::AsSegment{bgp::AsSegmentType::Sequence, {asns.begin(), asns.end()}});
    }
    return p;
}

// Attributes an NVA would send: ORIGIN IGP, the given AS path, NEXT_HOP (IPv4 routes).
inline bgp::PathAttributes attrs(std::vector<std::uint32_t> asns, const std::string& next_hop = "",
                                 bgp::Origin origin = bgp::Origin::Igp) {
    bgp::PathAttributes a;
    a.origin = origin;
    a.as_path = path_of(std::move(asns));
    if (!next_hop.empty()) {
        a.next_hop = A4(next_hop);
    }
    return a;
}

// An IPv4 announcement (NLRI field) and/or withdrawal.
inline bgp::DecodedUpdate v4_update(const bgp::PathAttributes& a, const std::vector<std::string>& announce,
                                    const std::vector<std::string>& withdraw = {}) {
    bgp::DecodedUpdate d;
    if (!announce.empty()) {
        d.update.attributes = a;
    }
    for (const auto& s : announce) {
        d.update.nlri.push_back(bgp::Nlri{P(s), 0});
    }
    for (const auto& s : withdraw) {
        d.update.withdrawn.push_back(bgp::Nlri{P(s), 0});
    }
    return d;
}

inline bgp::DecodedUpdate v4_withdraw(const std::vector<std::string>& withdraw) {
    return v4_update(bgp::PathAttributes{}, {}, withdraw);
}

inline bgp::DecodedUpdate v6_update(bgp::PathAttributes a, const std::string& next_hop,
                                    const std::vector<std::string>& announce) {
    bgp::DecodedUpdate d;
    a.next_hop.reset();
    d.update.attributes = std::move(a);
    bgp::MpReach mp;
    mp.family = {net::Afi::Ipv6, net::Safi::Unicast};
    mp.next_hops = {A(next_hop)};
    for (const auto& s : announce) {
        mp.nlri.push_back(bgp::Nlri{P(s), 0});
    }
    d.update.mp_reach = std::move(mp);
    return d;
}

inline PeerConfig peer(PeerId id, std::uint32_t asn, std::size_t limit = 1000) {
    PeerConfig c;
    c.id = id;
    c.asn = asn;
    c.address = A("10.1.0." + std::to_string(id));
    c.bgp_identifier = A4("192.0.2." + std::to_string(id));
    c.route_limit = limit;
    c.route_refresh = true;
    c.local_address_v4 = A("10.1.0.100");
    return c;
}

// A DeltaSink that records everything it accepts, can be told to refuse, and keeps the FIB view.
class RecordingSink final : public DeltaSink {
public:
    bool publish(std::span<const RouteDelta> batch) override {
        ++offers;
        if (refuse) {
            return false;
        }
        batches.emplace_back(batch.begin(), batch.end());
        for (const auto& d : batch) {
            EXPECT_EQ(d.sequence, next_sequence) << "delta sequence must have no gaps";
            next_sequence = d.sequence + 1;
            if (d.next_hops.empty()) {
                fib.erase(d.prefix);
            } else {
                fib[d.prefix] = d.next_hops;
            }
        }
        return true;
    }
    void next_hops_down(std::span<const net::IpAddress> next_hops) override {
        hints.emplace_back(next_hops.begin(), next_hops.end());
        hint_before_batch.push_back(batches.size());
    }
    std::vector<RouteDelta> all() const {
        std::vector<RouteDelta> out;
        for (const auto& b : batches) {
            out.insert(out.end(), b.begin(), b.end());
        }
        return out;
    }

    bool refuse = false;
    std::size_t offers = 0;
    std::uint64_t next_sequence = 1;
    std::vector<std::vector<RouteDelta>> batches;
    std::vector<std::vector<net::IpAddress>> hints;  // next_hops_down() calls
    std::vector<std::size_t> hint_before_batch;      // batches.size() when each hint came
    std::map<net::Prefix, std::vector<net::IpAddress>> fib;
};

// What a peer holds after receiving our bytes: prefix → (attributes, next hops), plus End-of-RIB count.
struct ReceivedRoute {
    bgp::PathAttributes attributes;
    std::vector<net::IpAddress> next_hops;
};

struct WireView {
    bgp::CodecOptions options;
    std::map<net::Prefix, ReceivedRoute> table;  // by prefix (peers without ADD-PATH)
    std::map<bgp::Nlri, ReceivedRoute> paths;    // by (prefix, path id): what an ADD-PATH receiver holds
    std::size_t end_of_rib = 0;
    std::size_t updates = 0;
    std::size_t announced = 0;
    std::size_t withdrawn = 0;
    bool eor_last = false;  // the last message seen was an End-of-RIB

    void apply(const std::vector<std::uint8_t>& bytes) {
        std::size_t off = 0;
        while (off < bytes.size()) {
            ASSERT_GE(bytes.size() - off, bgp::kHeaderSize);
            const std::size_t len = (std::size_t{bytes[off + 16]} << 8) | bytes[off + 17];
            ASSERT_GE(len, bgp::kHeaderSize);
            ASSERT_LE(off + len, bytes.size());
            ASSERT_LE(len, options.max_message_size());
            auto r = bgp::decode_update(bgp::Bytes(bytes.data() + off, len), options);
            ASSERT_TRUE(r.has_value()) << r.error().to_string();
            ASSERT_EQ(r->action, bgp::Rfc7606Action::None);
            apply_update(r->update);
            off += len;
        }
    }
    void apply(const std::vector<bgp::SharedMessage>& list) {
        for (const auto& b : list) {
            apply(*b);
        }
    }
    void apply_update(const bgp::Update& u) {
        ++updates;
        eor_last = u.is_end_of_rib();
        if (eor_last) {
            ++end_of_rib;
            return;
        }
        for (const auto& n : u.withdrawn) {
            table.erase(n.prefix);
            paths.erase(n);
            ++withdrawn;
        }
        if (u.mp_unreach) {
            for (const auto& n : u.mp_unreach->withdrawn) {
                table.erase(n.prefix);
                paths.erase(n);
                ++withdrawn;
            }
        }
        for (const auto& n : u.nlri) {
            bgp::PathAttributes a = u.attributes;
            std::vector<net::IpAddress> nh;
            if (a.next_hop) {
                nh.push_back(net::IpAddress::v4(*a.next_hop));
            }
            table[n.prefix] = ReceivedRoute{a, nh};
            paths[n] = ReceivedRoute{a, nh};
            ++announced;
        }
        if (u.mp_reach) {
            for (const auto& n : u.mp_reach->nlri) {
                bgp::PathAttributes a = u.attributes;
                a.next_hop.reset();
                const auto& nh = u.mp_reach->next_hops;
                table[n.prefix] = ReceivedRoute{a, {nh.begin(), nh.end()}};
                paths[n] = ReceivedRoute{a, {nh.begin(), nh.end()}};
                ++announced;
            }
        }
    }
    [[nodiscard]] std::set<net::Prefix> prefixes() const {
        std::set<net::Prefix> s;
        for (const auto& [p, r] : table) {
            s.insert(p);
        }
        return s;
    }
};

// The view of what `c`'s peer receives: it decodes path identifiers where we send them.
inline WireView view_for(const PeerConfig& c) {
    WireView v;
    v.options = c.codec;
    v.options.add_path_receive = c.codec.add_path_send;
    v.options.add_path_send = c.codec.add_path_receive;
    return v;
}

// Drains the RIB's outbound bytes into the views of the peers that have one.
inline void drain_into(RouteServerRib& rib, std::map<PeerId, WireView>& views) {
    for (auto& o : rib.drain_outbound()) {
        auto it = views.find(o.peer);
        if (it != views.end()) {
            it->second.apply(o.messages);
        }
    }
}

// The fixture of the RIB unit tests: a RIB publishing into a recording sink, and the table each peer
// that is up holds, rebuilt from the bytes the RIB sent it.
class RibTest : public ::testing::Test {
protected:
    explicit RibTest(RibConfig cfg = {}) : rib(std::move(cfg), sink) {}

    // Brings a peer up and records what it received.
    void up(const PeerConfig& c) {
        views[c.id] = view_for(c);
        views[c.id].apply(rib.peer_up(c));
    }
    void up(PeerId id, std::uint32_t asn) { up(peer(id, asn)); }
    UpdateResult send(PeerId id, const bgp::DecodedUpdate& u) {
        auto r = rib.apply_update(id, u);
        drain_into(rib, views);
        return r;
    }
    void down(PeerId id) {
        rib.peer_down(id);
        views.erase(id);
        drain_into(rib, views);
    }

    RecordingSink sink;
    RouteServerRib rib;
    std::map<PeerId, WireView> views;
};

// `count` distinct /24s: 10.100.0.0/24 + `from` onwards.
inline std::vector<std::string> slash24s(int from, int count) {
    std::vector<std::string> v;
    for (int i = from; i < from + count; ++i) {
        v.push_back("10." + std::to_string(100 + i / 256) + "." + std::to_string(i % 256) + ".0/24");
    }
    return v;
}

// A session of one NVA (neighbor) that peers with both route-server instances.
inline PeerConfig instance_session(PeerId id, std::uint32_t neighbor, std::uint32_t asn,
                                   const std::string& address, std::size_t limit = 1000) {
    PeerConfig c = peer(id, asn, limit);
    c.neighbor = neighbor;
    c.address = A(address);  // the same NVA: same address and identifier on both sessions
    c.bgp_identifier = A4("192.0.2.77");
    return c;
}

// The UPDATE with every NLRI (announced and withdrawn) carrying ADD-PATH path identifier `id`.
inline bgp::DecodedUpdate with_path_id(bgp::DecodedUpdate u, std::uint32_t id) {
    for (auto& n : u.update.nlri) {
        n.path_id = id;
    }
    for (auto& n : u.update.withdrawn) {
        n.path_id = id;
    }
    return u;
}

// A peer that negotiated ADD-PATH receive and/or send for IPv4 unicast.
inline PeerConfig add_path_peer(PeerId id, std::uint32_t asn, bool receive, bool send_paths,
                                std::size_t limit = 1000) {
    PeerConfig c = peer(id, asn, limit);
    const bgp::AfiSafi v4{net::Afi::Ipv4, net::Safi::Unicast};
    if (receive) {
        c.codec.add_path_receive = {v4};
    }
    if (send_paths) {
        c.codec.add_path_send = {v4};
    }
    return c;
}

}  // namespace rf::rib::test
