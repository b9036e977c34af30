// Property test: random routes through random policies give the verdict of a small reference evaluator
// written straight from the rules (linear scans, the AS path as a list of ASNs), so that the engine's
// per-length prefix tables, compiled regexes and copy-on-write attributes are checked against the plain
// reading of docs/configuration.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "policy_test_util.hpp"

namespace rf::policy {
namespace {

using namespace rf::policy::test;

// The reference's view of a policy: the same definitions, read naively.
struct RefRoute {
    net::Prefix prefix;
    std::vector<std::uint32_t> asns;
    std::vector<std::uint32_t> communities;
    std::optional<std::uint32_t> med;
};

// AS-path patterns the reference understands: ^N_ (first), _N$ (last), _N_ (anywhere).
bool ref_path_match(const std::string& pattern, const std::vector<std::uint32_t>& asns) {
    const bool first = pattern.front() == '^';
    const bool last = pattern.back() == '$';
    const std::uint32_t n = static_cast<std::uint32_t>(std::stoul(pattern.substr(1, pattern.size() - 2)));
    if (first) {
        return !asns.empty() && asns.front() == n;
    }
    if (last) {
        return !asns.empty() && asns.back() == n;
    }
    return std::find(asns.begin(), asns.end(), n) != asns.end();
}

bool ref_community_match(const std::string& pattern, std::uint32_t c) {
    const auto colon = pattern.find(':');
    const std::string hi = pattern.substr(0, colon);
    const std::string lo = pattern.substr(colon + 1);
    return (hi == "*" || std::stoul(hi) == (c >> 16)) && (lo == "*" || std::stoul(lo) == (c & 0xFFFF));
}

template <typename Pred, typename Range>
bool ref_by(const std::string& match, const Range& elements, Pred pred) {
    std::size_t hits = 0;
    for (const auto& e : elements) {
        hits += pred(e) ? 1 : 0;
    }
    if (match == "any") {
        return hits > 0;
    }
    if (match == "all") {
        return hits == elements.size();
    }
    return hits == 0;
}

struct RefVerdict {
    bool accepted = true;
    std::string policy;
    std::string statement;
    RefRoute route;
};

RefVerdict reference(const Definitions& d, const std::vector<std::string>& chain, RefRoute r) {
    auto find = [](const auto& v, const std::string& name) {
        return &*std::find_if(v.begin(), v.end(), [&](const auto& x) { return x.name == name; });
    };
    RefVerdict out;
    if (chain.empty()) {
        out.route = r;
        return out;
    }
    for (const std::string& pname : chain) {
        const PolicyDef& p = *find(d.policies, pname);
        for (const StatementDef& s : p.statements) {
            bool ok = true;
            if (s.match.prefix_set) {
                const PrefixSetDef& ps = *find(d.prefix_sets, s.match.prefix_set->set);
                bool in = false;
                for (const auto& e : ps.prefixes) {
                    const std::uint8_t ge = e.ge.value_or(e.prefix.length);
                    const std::uint8_t le = e.le.value_or(e.ge ? e.prefix.max_length() : ge);
                    in = in || (e.prefix.afi == r.prefix.afi && e.prefix.contains(r.prefix) &&
                                r.prefix.length >= ge && r.prefix.length <= le);
                }
                ok = ok && (s.match.prefix_set->match == "invert" ? !in : in);
            }
            if (s.match.as_path_set) {
                const AsPathSetDef& as = *find(d.as_path_sets, s.match.as_path_set->set);
                ok = ok && ref_by(s.match.as_path_set->match, as.patterns,
                                  [&](const std::string& pat) { return ref_path_match(pat, r.asns); });
            }
            if (s.match.community_set) {
                const CommunitySetDef& cs = *find(d.community_sets, s.match.community_set->set);
                ok = ok && ref_by(s.match.community_set->match, cs.communities, [&](const std::string& pat) {
                         return std::any_of(r.communities.begin(), r.communities.end(),
                                            [&](std::uint32_t c) { return ref_community_match(pat, c); });
                     });
            }
            if (!ok) {
                continue;
            }
            for (const std::string& rem : s.modify.remove_communities) {
                std::erase_if(r.communities, [&](std::uint32_t c) { return ref_community_match(rem, c); });
            }
            for (const std::string& add : s.modify.add_communities) {
                const std::uint32_t c =
                    static_cast<std::uint32_t>((std::stoul(add.substr(0, add.find(':'))) << 16) |
                                               std::stoul(add.substr(add.find(':') + 1)));
                if (std::find(r.communities.begin(), r.communities.end(), c) == r.communities.end()) {
                    r.communities.push_back(c);
                }
            }
            if (s.modify.prepend) {
                r.asns.insert(r.asns.begin(), s.modify.prepend->count, s.modify.prepend->asn.value_or(65515));
            }
            if (s.modify.med) {
                r.med = s.modify.med;
            }
            if (s.action != "continue") {
                out.accepted = s.action == "accept";
                out.policy = p.name;
                out.statement = s.name;
                out.route = r;
                return out;
            }
        }
        if (p.default_action != "next-policy") {
            out.accepted = p.default_action == "accept";
            out.policy = p.name;
            out.route = r;
            return out;
        }
    }
    out.accepted = false;
    out.policy = chain.back();
    return out;
}

struct Generator {
    std::mt19937 rng;
    std::uint32_t pick(std::uint32_t n) {
        return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
    }
    std::uint32_t asn() { return 65001 + pick(4); }
    std::string community_pattern(bool wildcards) {
        const std::string hi = wildcards && pick(4) == 0 ? "*" : std::to_string(asn());
        const std::string lo = wildcards && pick(4) == 0 ? "*" : std::to_string(pick(3));
        return hi + ":" + lo;
    }
    net::Prefix prefix(std::uint8_t min_len, std::uint8_t max_len) {
        const auto len = static_cast<std::uint8_t>(min_len + pick(max_len - min_len + 1));
        // Few distinct high bits, so that sets and routes overlap often.
        const std::uint32_t addr = (10U << 24) | (pick(4) << 22) | (pick(4) << 14) | (pick(4) << 6);
        return net::Prefix::v4(net::Ipv4Address{addr}, len);
    }
    std::string match(bool all_allowed) {
        static const char* kAll[] = {"any", "all", "invert"};
        static const char* kTwo[] = {"any", "invert"};
        return all_allowed ? kAll[pick(3)] : kTwo[pick(2)];
    }

    Definitions definitions() {
        Definitions d;
        for (int i = 0; i < 3; ++i) {
            PrefixSetDef ps{"p" + std::to_string(i), {}};
            for (std::uint32_t k = 0, n = 1 + pick(4); k < n; ++k) {
                PrefixEntryDef e{prefix(8, 24), std::nullopt, std::nullopt};
                switch (pick(4)) {
                    case 0:
                        break;
                    case 1:
                        e.ge = static_cast<std::uint8_t>(e.prefix.length + pick(4));
                        break;
                    case 2:
                        e.le = static_cast<std::uint8_t>(std::min<std::uint32_t>(32, e.prefix.length + pick(8)));
                        break;
                    default:
                        e.ge = static_cast<std::uint8_t>(e.prefix.length + pick(3));
                        e.le = static_cast<std::uint8_t>(std::min<std::uint32_t>(32, *e.ge + pick(8)));
                }
                ps.prefixes.push_back(e);
            }
            d.prefix_sets.push_back(ps);
            AsPathSetDef as{"a" + std::to_string(i), {}};
            for (std::uint32_t k = 0, n = 1 + pick(2); k < n; ++k) {
                static const char* kForms[][2] = {{"^", "_"}, {"_", "$"}, {"_", "_"}};
                const auto f = pick(3);
                as.patterns.push_back(kForms[f][0] + std::to_string(asn()) + kForms[f][1]);
            }
            d.as_path_sets.push_back(as);
            CommunitySetDef cs{"c" + std::to_string(i), {}};
            for (std::uint32_t k = 0, n = 1 + pick(2); k < n; ++k) {
                cs.communities.push_back(community_pattern(true));
            }
            d.community_sets.push_back(cs);
        }
        static const char* kActions[] = {"accept", "reject", "continue", "continue"};
        static const char* kDefaults[] = {"accept", "reject", "next-policy"};
        for (int i = 0; i < 3; ++i) {
            PolicyDef p{"pol" + std::to_string(i), {}, kDefaults[pick(3)]};
            for (std::uint32_t k = 0, n = pick(4); k < n; ++k) {
                StatementDef s{"s" + std::to_string(k), {}, {}, kActions[pick(4)]};
                if (pick(2) == 0) {
                    s.match.prefix_set = SetMatchDef{"p" + std::to_string(pick(3)), match(false)};
                }
                if (pick(3) == 0) {
                    s.match.as_path_set = SetMatchDef{"a" + std::to_string(pick(3)), match(true)};
                }
                if (pick(3) == 0) {
                    s.match.community_set = SetMatchDef{"c" + std::to_string(pick(3)), match(true)};
                }
                if (pick(3) == 0) {
                    s.modify.add_communities.push_back(community_pattern(false));
                }
                if (pick(4) == 0) {
                    s.modify.remove_communities.push_back(community_pattern(true));
                }
                if (pick(5) == 0) {
                    s.modify.prepend = PrependDef{pick(2) == 0 ? std::nullopt : std::optional(asn()),
                                                  static_cast<std::uint8_t>(1 + pick(2))};
                }
                if (pick(5) == 0) {
                    s.modify.med = pick(100);
                }
                p.statements.push_back(s);
            }
            d.policies.push_back(p);
        }
        return d;
    }

    RefRoute route() {
        RefRoute r{prefix(8, 28), {}, {}, std::nullopt};
        for (std::uint32_t k = 0, n = 1 + pick(4); k < n; ++k) {
            r.asns.push_back(asn());
        }
        for (std::uint32_t k = 0, n = pick(3); k < n; ++k) {
            const std::uint32_t c = (asn() << 16) | pick(3);
            if (std::find(r.communities.begin(), r.communities.end(), c) == r.communities.end()) {
                r.communities.push_back(c);
            }
        }
        return r;
    }
};

TEST(PolicyProperty, EngineAgreesWithTheReferenceEvaluator) {
    Generator g{std::mt19937(20)};
    std::size_t accepted = 0;
    std::size_t rejected = 0;
    std::size_t rewritten = 0;
    for (int round = 0; round < 200; ++round) {
        const Definitions d = g.definitions();
        auto lib = library(d);
        std::vector<std::string> names;
        for (std::uint32_t k = 0, n = g.pick(4); k < n; ++k) {
            names.push_back("pol" + std::to_string(g.pick(3)));
        }
        const Chain chain = lib->chain(names);
        for (int i = 0; i < 50; ++i) {
            const RefRoute r = g.route();
            bgp::PathAttributes attrs;
            attrs.origin = bgp::Origin::Igp;
            attrs.as_path = bgp::AsPath{};
            attrs.as_path->segments.push_back(bgp::AsSegment{bgp::AsSegmentType::Sequence, {}});
            for (auto a : r.asns) {
                attrs.as_path->segments[0].asns.push_back(a);
            }
            for (auto c : r.communities) {
                attrs.communities.push_back(c);
            }
            const std::vector<net::IpAddress> nh{A("10.255.0.1")};
            const Verdict v =
                evaluate(chain, RouteView{r.prefix, attrs, nh, rpki::Validity::Unknown}, Context{65515});
            const RefVerdict want = reference(d, names, r);
            ASSERT_EQ(v.accepted, want.accepted) << "round " << round << " route " << r.prefix.to_string();
            ASSERT_EQ(std::string(v.decision.policy), want.policy);
            ASSERT_EQ(std::string(v.decision.statement), want.statement);
            if (!v.accepted) {
                ++rejected;
                continue;
            }
            ++accepted;
            const bgp::PathAttributes& got = v.attributes ? *v.attributes : attrs;
            rewritten += v.attributes ? 1 : 0;
            std::vector<std::uint32_t> got_asns(got.as_path->segments[0].asns.begin(),
                                                got.as_path->segments[0].asns.end());
            ASSERT_EQ(got_asns, want.route.asns);
            ASSERT_EQ(std::vector<std::uint32_t>(got.communities.begin(), got.communities.end()),
                      want.route.communities);
            ASSERT_EQ(got.med, want.route.med);
        }
    }
    // The generator exercises every outcome, so that agreement is not agreement on one answer.
    EXPECT_GT(accepted, 1000U);
    EXPECT_GT(rejected, 1000U);
    EXPECT_GT(rewritten, 200U);
}

}  // namespace
}  // namespace rf::policy
