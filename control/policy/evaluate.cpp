// The evaluation of a chain over one route (policy.hpp has the rules), and the names of its enums.
#include <algorithm>

#include "control/policy/policy.hpp"

namespace rf::policy {
namespace {

// The AS path as text, made at most once per evaluation and again only after a prepend.
class PathText {
public:
    const std::string& of(const bgp::PathAttributes& a) {
        if (!text_) {
            text_ = a.as_path ? a.as_path->to_string() : std::string();
        }
        return *text_;
    }
    void invalidate() { text_.reset(); }

private:
    std::optional<std::string> text_;
};

template <typename Range, typename Pred>
bool by_match(SetMatch m, const Range& elements, Pred pred) {
    switch (m) {
        case SetMatch::Any:
            return std::any_of(elements.begin(), elements.end(), pred);
        case SetMatch::All:
            return std::all_of(elements.begin(), elements.end(), pred);
        case SetMatch::Invert:
            return std::none_of(elements.begin(), elements.end(), pred);
    }
    return false;
}

bool holds(const Conditions& c, const RouteView& route, const bgp::PathAttributes& attrs,
           std::span<const net::IpAddress> next_hops, PathText& path) {
    if (c.prefix_set && c.prefix_set->matches(route.prefix) == (c.prefix_match == SetMatch::Invert)) {
        return false;
    }
    if (c.next_hop_set) {
        const bool in = std::any_of(next_hops.begin(), next_hops.end(),
                                    [&](const net::IpAddress& a) { return c.next_hop_set->contains(a); });
        if (in == (c.next_hop_match == SetMatch::Invert)) {
            return false;
        }
    }
    if (!c.rpki.empty() && std::find(c.rpki.begin(), c.rpki.end(), route.validity) == c.rpki.end()) {
        return false;
    }
    if (c.community_set && !by_match(c.community_match, c.community_set->patterns,
                                     [&](const CommunityPattern& p) { return p.matches_any_of(attrs); })) {
        return false;
    }
    if (c.as_path_set) {
        const std::string& text = path.of(attrs);
        if (!by_match(c.as_path_match, c.as_path_set->regexes,
                      [&](const AsPathRegex& r) { return r.matches(text); })) {
            return false;
        }
    }
    return true;
}

template <typename T, typename Pred>
void erase_if(T& v, Pred pred) {
    v.erase(std::remove_if(v.begin(), v.end(), pred), v.end());
}

void add_community(bgp::PathAttributes& a, const CommunityPattern& p) {
    switch (p.kind) {
        case CommunityPattern::Kind::Standard:
            if (!a.has_community(p.standard())) {
                a.communities.push_back(p.standard());
            }
            return;
        case CommunityPattern::Kind::Extended:
            if (std::find(a.extended_communities.begin(), a.extended_communities.end(), p.extended()) ==
                a.extended_communities.end()) {
                a.extended_communities.push_back(p.extended());
            }
            return;
        case CommunityPattern::Kind::Large:
            if (std::find(a.large_communities.begin(), a.large_communities.end(), p.large()) ==
                a.large_communities.end()) {
                a.large_communities.push_back(p.large());
            }
            return;
    }
}

void remove_communities(bgp::PathAttributes& a, const std::vector<CommunityPattern>& patterns) {
    const auto any = [&](auto pred) { return std::any_of(patterns.begin(), patterns.end(), pred); };
    erase_if(a.communities, [&](std::uint32_t c) {
        return any([&](const CommunityPattern& p) { return p.matches_standard(c); });
    });
    erase_if(a.extended_communities, [&](std::uint64_t c) {
        return any([&](const CommunityPattern& p) { return p.matches_extended(c); });
    });
    erase_if(a.large_communities, [&](const bgp::LargeCommunity& c) {
        return any([&](const CommunityPattern& p) { return p.matches_large(c); });
    });
}

}  // namespace

bool conditions_hold(const Conditions& c, const RouteView& route, const bgp::PathAttributes& attrs,
                     std::span<const net::IpAddress> next_hops) {
    PathText path;
    return holds(c, route, attrs, next_hops, path);
}

bool apply_modifications(const Modifications& m, const net::Prefix& prefix, const Context& context,
                         bgp::PathAttributes& attrs, std::optional<net::IpAddress>& next_hop) {
    if (m.empty()) {
        return false;
    }
    if (m.replace_communities) {
        attrs.communities.clear();
        attrs.extended_communities.clear();
        attrs.large_communities.clear();
        for (const CommunityPattern& p : *m.replace_communities) {
            add_community(attrs, p);
        }
    }
    if (!m.remove_communities.empty()) {
        remove_communities(attrs, m.remove_communities);
    }
    for (const CommunityPattern& p : m.add_communities) {
        add_community(attrs, p);
    }
    if (m.prepend_count > 0) {
        const bgp::AsPath base = attrs.as_path.value_or(bgp::AsPath{});
        attrs.as_path = base.prepended(m.prepend_asn.value_or(context.local_asn), m.prepend_count);
    }
    if (m.med) {
        attrs.med = m.med;
    }
    // A next hop of the other family cannot forward this route: such a set-next-hop does nothing.
    if (m.next_hop && m.next_hop->afi == prefix.afi) {
        next_hop = m.next_hop;
        if (m.next_hop->is_v4()) {
            attrs.next_hop = m.next_hop->as_v4();
        }
    }
    return true;
}

Verdict evaluate(const Chain& chain, const RouteView& route, const Context& context) {
    Verdict v;
    if (chain.empty()) {
        return v;
    }
    std::optional<bgp::PathAttributes> working;
    std::optional<net::IpAddress> next_hop;
    PathText path;
    const auto finish = [&](bool accepted, DecidedBy by, StatementRef ref) {
        v.accepted = accepted;
        v.decided_by = by;
        v.decision = ref;
        if (accepted) {
            v.attributes = std::move(working);
            v.next_hop = next_hop;
        } else {
            v.rewritten_by.clear();  // a rejected route is not rewritten into anything
        }
        return v;
    };
    for (const auto& policy : chain) {
        for (const Statement& s : policy->statements) {
            const bgp::PathAttributes& attrs = working ? *working : route.attributes;
            const std::span<const net::IpAddress> hops =
                next_hop ? std::span<const net::IpAddress>(&*next_hop, 1) : route.next_hops;
            if (!holds(s.conditions, route, attrs, hops, path)) {
                continue;
            }
            if (!s.modifications.empty()) {
                if (!working) {
                    working = route.attributes;
                }
                apply_modifications(s.modifications, route.prefix, context, *working, next_hop);
                if (s.modifications.prepend_count > 0) {
                    path.invalidate();
                }
                v.rewritten_by.push_back(StatementRef{policy->name, s.name});
            }
            if (s.action != Action::Continue) {
                return finish(s.action == Action::Accept, DecidedBy::Statement,
                              StatementRef{policy->name, s.name});
            }
        }
        if (policy->default_action != DefaultAction::NextPolicy) {
            return finish(policy->default_action == DefaultAction::Accept, DecidedBy::PolicyDefault,
                          StatementRef{policy->name, {}});
        }
    }
    return finish(false, DecidedBy::EndOfChain, StatementRef{chain.back()->name, {}});
}

std::string_view to_string(SetMatch m) {
    switch (m) {
        case SetMatch::Any:
            return "any";
        case SetMatch::All:
            return "all";
        case SetMatch::Invert:
            return "invert";
    }
    return "any";
}

std::optional<SetMatch> parse_set_match(std::string_view s) {
    for (SetMatch m : {SetMatch::Any, SetMatch::All, SetMatch::Invert}) {
        if (to_string(m) == s) {
            return m;
        }
    }
    return std::nullopt;
}

std::string_view to_string(Action a) {
    switch (a) {
        case Action::Continue:
            return "continue";
        case Action::Accept:
            return "accept";
        case Action::Reject:
            return "reject";
    }
    return "continue";
}

std::string_view to_string(DefaultAction a) {
    switch (a) {
        case DefaultAction::Reject:
            return "reject";
        case DefaultAction::Accept:
            return "accept";
        case DefaultAction::NextPolicy:
            return "next-policy";
    }
    return "reject";
}

std::optional<Action> parse_action(std::string_view s) {
    for (Action a : {Action::Continue, Action::Accept, Action::Reject}) {
        if (to_string(a) == s) {
            return a;
        }
    }
    return std::nullopt;
}

std::optional<DefaultAction> parse_default_action(std::string_view s) {
    for (DefaultAction a : {DefaultAction::Reject, DefaultAction::Accept, DefaultAction::NextPolicy}) {
        if (to_string(a) == s) {
            return a;
        }
    }
    return std::nullopt;
}

std::string_view to_string(DecidedBy d) {
    switch (d) {
        case DecidedBy::NoPolicy:
            return "no-policy";
        case DecidedBy::Statement:
            return "statement";
        case DecidedBy::PolicyDefault:
            return "default-action";
        case DecidedBy::EndOfChain:
            return "end-of-policies";
    }
    return "no-policy";
}

}  // namespace rf::policy
