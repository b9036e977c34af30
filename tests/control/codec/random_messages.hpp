// Seeded generator of random *valid* BGP message values for the round-trip properties and the benchmark.
// "Valid" means: what a correct speaker could send under the given options, in the codec's canonical
// form (see the notes at each choice), so that decode(encode(m)) == m must hold.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "control/codec/codec.hpp"

namespace rf::bgp::test {

class Gen {
public:
    explicit Gen(std::uint64_t seed) : rng_(seed) {}

    std::uint64_t u64() { return rng_(); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(rng_()); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(rng_()); }
    std::uint8_t u8() { return static_cast<std::uint8_t>(rng_()); }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }
    bool chance(unsigned num, unsigned den) { return rng_() % den < num; }
    std::vector<std::uint8_t> bytes(std::size_t n) {
        std::vector<std::uint8_t> v(n);
        for (auto& b : v) {
            b = u8();
        }
        return v;
    }

    IpAddress v6_address() {
        IpAddress a;
        a.afi = Afi::Ipv6;
        for (auto& b : a.bytes) {
            b = u8();
        }
        return a;
    }
    IpAddress v4_address() { return IpAddress::v4(Ipv4Address{u32()}); }

    Prefix prefix(Afi afi) {
        std::uint8_t raw[16];
        for (auto& b : raw) {
            b = u8();
        }
        const auto max = afi == Afi::Ipv4 ? 33U : 129U;
        // Favour realistic lengths (/8../32, /16../64) but cover /0 and the maxima.
        const auto len = static_cast<std::uint8_t>(
            chance(1, 4) ? below(max) : (afi == Afi::Ipv4 ? 16 + below(17) : 32 + below(33)));
        return Prefix::make(afi, len, raw, 16);
    }
    Nlri nlri(Afi afi, bool path_id) { return Nlri{prefix(afi), path_id ? u32() : 0U}; }

    std::uint32_t asn(bool four) {
        if (four || chance(1, 2)) {
            return chance(1, 2) ? 64512U + static_cast<std::uint32_t>(below(1023)) : u32();
        }
        return u16();
    }

    // Segments of 1..8 ASNs. Confederation segments only with 4-octet AS: a 2-octet session carries
    // them in AS_PATH only, and RFC 6793 §4.2.3 reconstruction would then reorder them.
    AsPath as_path(bool four) {
        AsPath p;
        const std::size_t n = below(4);
        for (std::size_t i = 0; i < n; ++i) {
            AsSegment s;
            const std::size_t t = below(four ? 10 : 8);
            s.type = t < 6   ? AsSegmentType::Sequence
                     : t < 8 ? AsSegmentType::Set
                     : t < 9 ? AsSegmentType::ConfedSequence
                             : AsSegmentType::ConfedSet;
            s.asns.resize(1 + below(8));
            for (auto& a : s.asns) {
                a = asn(four);
            }
            p.segments.push_back(std::move(s));
        }
        return p;
    }

    PathAttributes attributes(const CodecOptions& o, bool announcing) {
        PathAttributes a;
        if (announcing || chance(1, 3)) {
            a.origin = static_cast<Origin>(below(3));
        }
        if (announcing || chance(1, 3)) {
            a.as_path = as_path(o.four_octet_as);
        }
        if (chance(1, 3)) {
            a.next_hop = Ipv4Address{u32()};
        }
        if (chance(1, 2)) {
            a.med = u32();
        }
        if (chance(1, 3)) {
            a.local_pref = u32();
        }
        a.atomic_aggregate = chance(1, 5);
        if (chance(1, 4)) {
            // On a 2-octet session a 2-octet aggregator (other than AS_TRANS) tells the receiver the
            // aggregating speaker was OLD, which makes it ignore AS4_PATH (RFC 6793 §4.2.3): a correct
            // NEW speaker never combines it with 4-octet ASNs in the path.
            bool path_needs_four = false;
            if (a.as_path) {
                for (const auto& s : a.as_path->segments) {
                    for (auto x : s.asns) {
                        path_needs_four = path_needs_four || x > 0xFFFF;
                    }
                }
            }
            std::uint32_t agg_as = asn(o.four_octet_as);
            if (!o.four_octet_as && path_needs_four && agg_as <= 0xFFFF) {
                agg_as += 0x10000;
            }
            a.aggregator = Aggregator{agg_as, Ipv4Address{u32()}};
        }
        a.communities.resize(chance(1, 2) ? below(6) : 0);
        for (auto& c : a.communities) {
            c = u32();
        }
        a.extended_communities.resize(chance(1, 3) ? below(4) : 0);
        for (auto& c : a.extended_communities) {
            c = u64();
        }
        a.large_communities.resize(chance(1, 3) ? below(4) : 0);
        for (auto& c : a.large_communities) {
            c = LargeCommunity{u32(), u32(), u32()};
        }
        if (chance(1, 5)) {
            a.originator_id = Ipv4Address{u32()};
        }
        a.cluster_list.resize(chance(1, 5) ? below(4) : 0);
        for (auto& c : a.cluster_list) {
            c = Ipv4Address{u32()};
        }
        // Unknown optional attributes: distinct type codes, sorted, transitive ones marked Partial;
        // some long enough for the extended length form.
        static constexpr std::uint8_t kUnknownTypes[] = {11, 12, 13, 19, 20, 21, 22,  23,  25, 26,
                                                         27, 28, 29, 33, 35, 40, 128, 200, 255};
        const std::size_t n = chance(1, 4) ? 1 + below(3) : 0;
        for (std::size_t i = 0; i < n; ++i) {
            UnknownAttribute u;
            u.type = kUnknownTypes[below(std::size(kUnknownTypes))];
            u.flags = attr_flag::Optional;
            if (chance(1, 2)) {
                u.flags |= attr_flag::Transitive | attr_flag::Partial;
            }
            u.value = bytes(chance(1, 8) ? 256 + below(200) : below(12));
            if (std::none_of(a.unknown.begin(), a.unknown.end(),
                             [&](const auto& x) { return x.type == u.type; })) {
                a.unknown.push_back(std::move(u));
            }
        }
        std::sort(a.unknown.begin(), a.unknown.end(),
                  [](const auto& x, const auto& y) { return x.type < y.type; });
        return a;
    }

    Update update(const CodecOptions& o) {
        Update u;
        const AfiSafi v4{Afi::Ipv4, Safi::Unicast};
        u.withdrawn.resize(chance(1, 3) ? below(20) : 0);
        for (auto& n : u.withdrawn) {
            n = nlri(Afi::Ipv4, o.sends_path_id(v4));
        }
        u.nlri.resize(chance(1, 2) ? below(20) : 0);
        for (auto& n : u.nlri) {
            n = nlri(Afi::Ipv4, o.sends_path_id(v4));
        }
        if (chance(1, 3)) {
            MpReach mp;
            mp.family = AfiSafi{chance(1, 3) ? Afi::Ipv4 : Afi::Ipv6, Safi::Unicast};
            if (mp.family.afi == Afi::Ipv4 && chance(2, 3)) {
                mp.next_hops.push_back(v4_address());
            } else {
                mp.next_hops.push_back(v6_address());
                if (chance(1, 2)) {
                    mp.next_hops.push_back(v6_address());
                }
            }
            mp.nlri.resize(below(20));
            for (auto& n : mp.nlri) {
                n = nlri(mp.family.afi, o.sends_path_id(mp.family));
            }
            u.mp_reach = std::move(mp);
        }
        if (chance(1, 4)) {
            MpUnreach mp;
            mp.family = AfiSafi{chance(1, 3) ? Afi::Ipv4 : Afi::Ipv6, Safi::Unicast};
            mp.withdrawn.resize(below(20));
            for (auto& n : mp.withdrawn) {
                n = nlri(mp.family.afi, o.sends_path_id(mp.family));
            }
            u.mp_unreach = std::move(mp);
        }
        const bool announcing = !u.nlri.empty() || (u.mp_reach && !u.mp_reach->nlri.empty());
        u.attributes = attributes(o, announcing);
        if (!u.nlri.empty() && !u.attributes.next_hop) {
            u.attributes.next_hop = Ipv4Address{u32()};
        }
        return u;
    }

    Open open() {
        Open o;
        o.my_as = u16();
        o.hold_time = chance(1, 5) ? 0 : static_cast<std::uint16_t>(3 + below(65533));
        o.bgp_identifier = Ipv4Address{u32() | 1U};
        auto& c = o.capabilities;
        const auto family = [&] {
            return AfiSafi{static_cast<Afi>(1 + below(3)), static_cast<Safi>(1 + below(3))};
        };
        c.multiprotocol.resize(below(4));
        for (auto& f : c.multiprotocol) {
            f = family();
        }
        c.route_refresh = chance(1, 2);
        c.enhanced_route_refresh = chance(1, 2);
        c.extended_message = chance(1, 2);
        if (chance(1, 2)) {
            c.four_octet_as = u32();
        }
        if (chance(1, 2)) {
            GracefulRestart gr;
            gr.restart_state = chance(1, 2);
            gr.notification = chance(1, 2);
            gr.restart_time = static_cast<std::uint16_t>(below(4096));
            gr.families.resize(below(4));
            for (auto& f : gr.families) {
                f = GracefulRestartFamily{family(), chance(1, 2)};
            }
            c.graceful_restart = std::move(gr);
        }
        if (chance(1, 3)) {
            LongLivedGracefulRestart llgr;
            llgr.families.resize(below(4));
            for (auto& f : llgr.families) {
                f = LongLivedGracefulRestartFamily{family(), chance(1, 2),
                                                   static_cast<std::uint32_t>(below(1U << 24))};
            }
            c.long_lived_graceful_restart = std::move(llgr);
        }
        c.add_path.resize(below(4));
        for (auto& e : c.add_path) {
            e = AddPathEntry{family(), static_cast<AddPathMode>(1 + below(3))};
        }
        // Unknown capability codes only (the known ones decode into their fields); sometimes enough of
        // them to need RFC 9072 extended optional parameters.
        const std::size_t unknown = chance(1, 10) ? 20 + below(40) : below(4);
        for (std::size_t i = 0; i < unknown; ++i) {
            std::uint8_t code = u8();
            while (code == 1 || code == 2 || code == 6 || code == 64 || code == 65 || code == 69 ||
                   code == 70 || code == 71) {
                code = u8();
            }
            c.unknown.push_back(UnknownCapability{code, bytes(below(24))});
        }
        return o;
    }

private:
    std::mt19937_64 rng_;
};

}  // namespace rf::bgp::test
