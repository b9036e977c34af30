// RIB property test: random announce / withdraw / treat-as-withdraw / peer-down / peer-up sequences over
// a few peers and prefixes. After every step the RIB is compared with a simple reference model:
//   - the Loc-RIB (ECMP set first — one path per neighbor —, then the other paths, comparator order;
//     next hops) of every prefix;
//   - the delta stream: exactly the prefixes whose ECMP next-hop set changed, with the new set, in
//     sequence without gaps, and the FIB it builds;
//   - what every established peer holds after decoding the bytes it was sent (Adj-RIB-Out as seen on
//     the wire): for each receiving peer P, the best route among the routes NOT from P's neighbor
//     (RFC 7947 path hiding; split horizon), or that whole ECMP set for an ADD-PATH receiver;
//     NO_ADVERTISE, the VNet prefix and the prepended RS ASN.
// The sessions include one neighbor over two sessions (two route-server instances), an ADD-PATH
// sender (several path ids per prefix) and an ADD-PATH receiver.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "control/rib/rib.hpp"
#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

constexpr std::uint32_t kRsAsn = 65515;
constexpr std::uint32_t kNva1 = 100;  // PeerConfig::neighbor of peers 1 and 5 (one NVA, two instances)

struct ModelRoute {
    bgp::PathAttributes attrs;
    net::IpAddress next_hop;
};

using RouteKey = std::pair<net::Prefix, std::uint32_t>;  // prefix, received path id (0 without ADD-PATH)

struct Model {
    std::map<PeerId, PeerConfig> up;
    std::map<PeerId, std::map<RouteKey, ModelRoute>> adj_in;
    net::Prefix vnet;

    struct Candidate {
        PeerId id;
        std::uint32_t path_id;
        const ModelRoute* r;
    };
    struct Entry {
        std::vector<Candidate> paths;  // eligible: the ECMP set first, then the rest, comparator order
        std::size_t ecmp = 0;
        std::vector<net::IpAddress> next_hops;
    };

    static std::size_t len(const ModelRoute& r) {
        return r.attrs.as_path->segments.empty() ? 0 : r.attrs.as_path->segments[0].asns.size();
    }
    static bool loops(const ModelRoute& r) {
        if (r.attrs.as_path->segments.empty()) {
            return false;
        }
        const auto& asns = r.attrs.as_path->segments[0].asns;
        return std::find(asns.begin(), asns.end(), kRsAsn) != asns.end();
    }
    std::uint64_t neighbor(PeerId id) const {
        const auto& c = up.at(id);
        return c.neighbor != 0 ? 1000000ULL + c.neighbor : id;
    }

    // The Loc-RIB entry built from every route except those of neighbor `hide` (0: none hidden).
    Entry entry(const net::Prefix& p, std::uint64_t hide = 0) const {
        std::vector<Candidate> cs;
        for (const auto& [id, routes] : adj_in) {
            if (neighbor(id) == hide) {
                continue;
            }
            for (const auto& [key, r] : routes) {
                if (key.first == p && !loops(r)) {
                    cs.push_back(Candidate{id, key.second, &r});
                }
            }
        }
        // Written independently of compare_paths: a lexicographic key.
        auto key_of = [&](const Candidate& c) {
            const auto& cfg = up.at(c.id);
            return std::make_tuple(len(*c.r), static_cast<int>(*c.r->attrs.origin), cfg.bgp_identifier.value,
                                   cfg.address, c.id, c.path_id);
        };
        std::sort(cs.begin(), cs.end(),
                  [&](const Candidate& x, const Candidate& y) { return key_of(x) < key_of(y); });
        // ECMP: the shortest length, one path per neighbor (its best), at most 8.
        Entry e;
        std::vector<std::uint64_t> members;
        std::vector<Candidate> rest;
        for (const auto& c : cs) {
            const bool joins = members.size() < 8 && len(*c.r) == len(*cs[0].r) &&
                               std::find(members.begin(), members.end(), neighbor(c.id)) == members.end();
            if (joins) {
                members.push_back(neighbor(c.id));
                e.paths.push_back(c);
                if (std::find(e.next_hops.begin(), e.next_hops.end(), c.r->next_hop) == e.next_hops.end()) {
                    e.next_hops.push_back(c.r->next_hop);
                }
            } else {
                rest.push_back(c);
            }
        }
        e.ecmp = e.paths.size();
        e.paths.insert(e.paths.end(), rest.begin(), rest.end());
        return e;
    }

    static bool no_advertise(const ModelRoute& r) {
        return std::find(r.attrs.communities.begin(), r.attrs.communities.end(),
                         bgp::community::NoAdvertise) != r.attrs.communities.end();
    }

    // What `to` should hold, as (prefix, AS path, next hop) entries: per prefix the best route among the
    // routes of the other neighbors (RFC 7947 path hiding) or, to an ADD-PATH receiver, every member of
    // that ECMP set.
    std::multiset<std::tuple<net::Prefix, bgp::AsPath, net::IpAddress>> expected_out(
        PeerId to, const std::vector<net::Prefix>& prefixes) const {
        std::multiset<std::tuple<net::Prefix, bgp::AsPath, net::IpAddress>> out;
        const auto& cfg = up.at(to);
        const bool v6 = std::find(cfg.families.begin(), cfg.families.end(),
                                  bgp::AfiSafi{net::Afi::Ipv6, net::Safi::Unicast}) != cfg.families.end();
        for (const auto& p : prefixes) {
            if (!p.is_v4() && !v6) {
                continue;
            }
            if (p == vnet) {
                out.emplace(p, path_of({kRsAsn}), *cfg.local_address_v4);
                continue;
            }
            const auto e = entry(p, neighbor(to));
            const bool add_path = cfg.codec.sends_path_id({p.afi, net::Safi::Unicast});
            const std::size_t n = add_path ? e.ecmp : std::min<std::size_t>(1, e.paths.size());
            for (std::size_t i = 0; i < n; ++i) {
                const auto& r = *e.paths[i].r;
                if (no_advertise(r)) {
                    if (!add_path) {
                        break;  // the best path is not advertised: nothing is
                    }
                    continue;
                }
                const auto& asns = r.attrs.as_path->segments[0].asns;
                std::vector<std::uint32_t> path(asns.begin(), asns.end());
                path.insert(path.begin(), kRsAsn);
                out.emplace(p, path_of(path), r.next_hop);
            }
        }
        return out;
    }
};

class RibProperty : public ::testing::TestWithParam<unsigned> {};

TEST_P(RibProperty, RibMatchesReferenceModel) {
    std::mt19937 rng(GetParam());
    // Seeds above 10 run with a flaky FIB consumer that refuses a third of the batches: the refused
    // deltas must stay pending (coalesced) and reach the FIB, gap-free, on the next flush.
    const bool flaky = GetParam() > 10;
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };

    const std::vector<net::Prefix> prefixes{P("10.0.0.0/16"),     P("10.10.0.0/16"),   P("10.11.0.0/16"),
                                            P("10.12.0.0/24"),    P("10.12.0.0/23"),   P("192.168.1.0/24"),
                                            P("2001:db8:1::/48"), P("2001:db8:2::/48")};
    Model model;
    model.vnet = prefixes[0];
    RibConfig cfg;
    cfg.vnet_prefixes = {model.vnet};
    RecordingSink sink;
    RouteServerRib rib(cfg, sink);
    std::map<PeerId, WireView> views;

    // Five sessions. Peer 4 is IPv4-only with 2-byte ASNs (its own update group). Peers 1 and 5 are one
    // NVA over both route-server instances (same neighbor, address and identifier). Peer 2 sends
    // several paths per prefix (ADD-PATH receive, IPv4); peer 3 receives whole ECMP sets (ADD-PATH
    // send, both families; its own update group). BGP identifiers do not follow the ids, so the
    // tie-break order is not the id order.
    constexpr PeerId kPeers = 5;
    const bgp::AfiSafi v4{net::Afi::Ipv4, net::Safi::Unicast};
    const bgp::AfiSafi v6f{net::Afi::Ipv6, net::Safi::Unicast};
    auto config_of = [&](PeerId id) {
        const PeerId as = id == 5 ? 1 : id;
        PeerConfig c = peer(as, 65000 + as, 0);
        c.id = id;
        c.bgp_identifier = A4("192.0.2." + std::to_string(10 - (as * 3) % 7));
        if (id != 4) {
            c.families.push_back(v6f);
        } else {
            c.codec.four_octet_as = false;
        }
        if (as == 1) {
            c.neighbor = kNva1;
        }
        if (id == 2) {
            c.codec.add_path_receive = {v4};
        }
        if (id == 3) {
            c.codec.add_path_send = {v4, v6f};
        }
        return c;
    };
    auto bring_up = [&](PeerId id) {
        const PeerConfig c = config_of(id);
        model.up[id] = c;
        model.adj_in[id];
        views[id] = view_for(c);
        views[id].apply(rib.peer_up(c));
        EXPECT_TRUE(views[id].eor_last);
    };
    for (PeerId id = 1; id <= kPeers; ++id) {
        bring_up(id);
    }
    const std::vector<std::string> v4_hops{"100.64.0.1", "100.64.0.2", "100.64.0.3"};
    const std::vector<std::string> v6_hops{"2001:db8:ff::1", "2001:db8:ff::2"};

    for (int step = 0; step < 250; ++step) {
        std::map<net::Prefix, std::vector<net::IpAddress>> before;  // next hops
        for (const auto& p : prefixes) {
            before[p] = model.entry(p).next_hops;
        }
        const std::size_t batches_before = sink.batches.size();

        sink.refuse = flaky && pick(3) == 0;
        const auto op = pick(10);
        const PeerId id = static_cast<PeerId>(1 + pick(kPeers));
        // Peer 2 names one of two path ids per UPDATE; the others send path id 0.
        const std::uint32_t path_id = id == 2 ? static_cast<std::uint32_t>(1 + pick(2)) : 0;
        if (model.up.count(id) == 0) {
            bring_up(id);
        } else if (op == 0) {  // peer down
            rib.peer_down(id);
            model.up.erase(id);
            model.adj_in.erase(id);
            views.erase(id);
        } else {
            // A random subset of one family.
            const bool v6 = id != 4 && pick(4) == 0;
            std::vector<net::Prefix> chosen;
            for (const auto& p : prefixes) {
                if (p.is_v4() != v6 && pick(2) == 0) {
                    chosen.push_back(p);
                }
            }
            std::vector<std::string> names;
            for (const auto& p : chosen) {
                names.push_back(p.to_string());
            }
            if (op <= 3) {  // withdraw (IPv4 field or MP_UNREACH)
                bgp::DecodedUpdate u;
                if (v6) {
                    u.update.mp_unreach = bgp::MpUnreach{{net::Afi::Ipv6, net::Safi::Unicast}, {}};
                }
                for (const auto& p : chosen) {
                    const std::uint32_t pid = v6 ? 0 : path_id;
                    (v6 ? u.update.mp_unreach->withdrawn : u.update.withdrawn).push_back(bgp::Nlri{p, pid});
                    model.adj_in[id].erase({p, pid});
                }
                EXPECT_EQ(rib.apply_update(id, u).status, UpdateStatus::Ok);
            } else {  // announce, sometimes broken (treat-as-withdraw)
                std::vector<std::uint32_t> path{65000 + id};
                for (std::size_t i = pick(3); i > 0; --i) {
                    path.push_back(pick(8) == 0 ? kRsAsn : 64600 + static_cast<std::uint32_t>(pick(4)));
                }
                auto a = attrs(path, "", static_cast<bgp::Origin>(pick(3)));
                if (pick(6) == 0) {
                    a.communities.push_back(bgp::community::NoAdvertise);
                }
                if (pick(3) == 0) {
                    a.communities.push_back((65000U << 16) | static_cast<std::uint32_t>(pick(3)));
                }
                const std::string hop = v6 ? v6_hops[pick(v6_hops.size())] : v4_hops[pick(v4_hops.size())];
                bgp::DecodedUpdate u;
                if (v6) {
                    u = v6_update(a, hop, names);
                } else {
                    a.next_hop = A4(hop);
                    u = v4_update(a, names);
                    for (auto& n : u.update.nlri) {
                        n.path_id = path_id;
                    }
                }
                const bool broken = pick(8) == 0;
                if (broken) {
                    u.action = bgp::Rfc7606Action::TreatAsWithdraw;
                }
                for (const auto& p : chosen) {
                    const RouteKey key{p, v6 ? 0 : path_id};
                    if (broken) {
                        model.adj_in[id].erase(key);
                    } else {
                        a.next_hop.reset();
                        model.adj_in[id][key] = ModelRoute{a, A(hop)};
                    }
                }
                EXPECT_EQ(rib.apply_update(id, u).status, UpdateStatus::Ok);
            }
        }
        drain_into(rib, views);
        if (sink.refuse) {
            EXPECT_EQ(sink.batches.size(), batches_before) << "a refused batch is not half-applied";
            sink.refuse = false;
            EXPECT_TRUE(rib.flush_deltas());
        }

        // Loc-RIB and the deltas of this step.
        std::map<net::Prefix, std::vector<net::IpAddress>> step_deltas;
        for (std::size_t b = batches_before; b < sink.batches.size(); ++b) {
            for (const auto& d : sink.batches[b]) {
                EXPECT_EQ(step_deltas.count(d.prefix), 0U) << "one delta per prefix per step";
                step_deltas[d.prefix] = d.next_hops;
            }
        }
        EXPECT_LE(sink.batches.size(), batches_before + 1) << "one batch per RIB call";
        for (const auto& p : prefixes) {
            const auto e = model.entry(p);
            const auto got = rib.lookup(p);
            ASSERT_EQ(got.has_value(), !e.paths.empty()) << "step " << step << " " << p.to_string();
            if (got) {
                std::vector<std::pair<PeerId, std::uint32_t>> ids;
                for (const auto& path : got->paths) {
                    ids.emplace_back(path.peer, path.path_id);
                }
                std::vector<std::pair<PeerId, std::uint32_t>> want;
                for (const auto& c : e.paths) {
                    want.emplace_back(c.id, c.path_id);
                }
                EXPECT_EQ(ids, want) << "step " << step << " " << p.to_string();
                EXPECT_EQ(got->ecmp_count, e.ecmp);
                EXPECT_EQ(got->next_hops, e.next_hops);
            }
            if (flaky) {
                // Deltas of earlier refused steps arrive with this step's: only the FIB state is exact.
            } else if (e.next_hops != before[p]) {
                ASSERT_EQ(step_deltas.count(p), 1U) << "step " << step << " missing delta " << p.to_string();
                EXPECT_EQ(step_deltas[p], e.next_hops);
            } else {
                EXPECT_EQ(step_deltas.count(p), 0U) << "step " << step << " spurious delta " << p.to_string();
            }
            auto fit = sink.fib.find(p);
            EXPECT_EQ(fit == sink.fib.end() ? std::vector<net::IpAddress>{} : fit->second, e.next_hops);
        }
        // What every peer holds, from the bytes it was sent.
        for (const auto& [pid, view] : views) {
            const auto expect = model.expected_out(pid, prefixes);
            std::multiset<std::tuple<net::Prefix, bgp::AsPath, net::IpAddress>> got;
            for (const auto& [nlri, r] : view.paths) {
                ASSERT_FALSE(r.next_hops.empty());
                got.emplace(nlri.prefix, r.attributes.as_path.value_or(bgp::AsPath{}), r.next_hops.front());
            }
            if (got != expect) {
                ADD_FAILURE() << "step " << step << " peer " << pid << ": holds " << got.size()
                              << " routes, expected " << expect.size();
                for (const auto& [p, path, nh] : expect) {
                    if (got.count({p, path, nh}) == 0) {
                        ADD_FAILURE() << "  lacks " << p.to_string() << " via " << nh.to_string();
                    }
                }
                for (const auto& [p, path, nh] : got) {
                    if (expect.count({p, path, nh}) == 0) {
                        ADD_FAILURE() << "  has extra " << p.to_string() << " via " << nh.to_string();
                    }
                }
                return;
            }
            // And the query API agrees with the wire.
            const auto adv = rib.adj_rib_out(pid);
            EXPECT_EQ(adv.size(), expect.size());
            // Each session's Adj-RIB-In as learned (path ids included), and its distinct-prefix count.
            std::vector<RouteKey> learned;
            for (const auto& r : rib.adj_rib_in(pid)) {
                learned.emplace_back(r.prefix, r.path_id);
            }
            std::vector<RouteKey> want;
            std::set<net::Prefix> distinct;
            for (const auto& [key, r] : model.adj_in.at(pid)) {
                want.push_back(key);
                distinct.insert(key.first);
            }
            EXPECT_EQ(learned, want) << "step " << step << " peer " << pid;
            EXPECT_EQ(rib.route_count(pid), distinct.size()) << "step " << step << " peer " << pid;
        }
    }
    EXPECT_EQ(rib.stats().pending_deltas, 0U);
    if (flaky) {
        EXPECT_GT(rib.stats().delta_refusals, 10U);
    }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RibProperty, ::testing::Range(1U, 21U));

}  // namespace
}  // namespace rf::rib::test
