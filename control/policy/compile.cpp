// Definitions → Library: each set compiled once (prefix tables, regexes, community patterns), each
// statement's references resolved, every error reported with its path.
#include "control/policy/compile.hpp"

#include <set>

namespace rf::policy {

struct LibraryBuilder {
    std::string base;
    std::vector<CompileError> errors;
    std::map<std::string, std::shared_ptr<const PrefixSet>, std::less<>> prefix_sets;
    std::map<std::string, std::shared_ptr<const AsPathSet>, std::less<>> as_path_sets;
    std::map<std::string, std::shared_ptr<const CommunitySet>, std::less<>> community_sets;
    std::map<std::string, std::shared_ptr<const PrefixSet>, std::less<>> next_hop_sets;
    std::shared_ptr<Library> library = std::make_shared<Library>();

    static std::string at(const std::string& p, std::size_t i) { return p + "[" + std::to_string(i) + "]"; }
    void error(std::string path, std::string message) {
        errors.push_back(CompileError{std::move(path), std::move(message)});
    }

    // A set's name: not empty, not used twice in its kind, not a built-in one.
    template <typename Map>
    bool name_ok(const Map& seen, const std::string& name, const std::string& path) {
        if (name.empty()) {
            error(path + ".name", "a set needs a name");
            return false;
        }
        if (seen.contains(name)) {
            error(path + ".name", "'" + name + "' is defined twice");
            return false;
        }
        return true;
    }

    void prefix_set(const PrefixSetDef& d, const std::string& p) {
        if (!name_ok(prefix_sets, d.name, p)) {
            return;
        }
        if (builtin_prefix_set(d.name) != nullptr) {
            error(p + ".name", "'" + d.name + "' is a built-in prefix set; choose another name");
            return;
        }
        auto set = std::make_shared<PrefixSet>(d.name);
        for (std::size_t i = 0; i < d.prefixes.size(); ++i) {
            const PrefixEntryDef& e = d.prefixes[i];
            const std::string ep = at(p + ".prefixes", i);
            const std::uint8_t len = e.prefix.length;
            const std::uint8_t max = e.prefix.max_length();
            const std::uint8_t ge = e.ge.value_or(len);
            const std::uint8_t le = e.le.value_or(e.ge ? max : ge);
            bool ok = true;
            if (e.ge && (*e.ge < len || *e.ge > max)) {
                error(ep + ".ge", "ge " + std::to_string(*e.ge) + " must lie between the prefix length " +
                                      std::to_string(len) + " and " + std::to_string(max));
                ok = false;
            }
            if (e.le && (*e.le < len || *e.le > max)) {
                error(ep + ".le", "le " + std::to_string(*e.le) + " must lie between the prefix length " +
                                      std::to_string(len) + " and " + std::to_string(max));
                ok = false;
            }
            if (ok && le < ge) {
                error(ep + ".le", "le " + std::to_string(le) + " is less than ge " + std::to_string(ge));
                ok = false;
            }
            if (ok) {
                set->add(PrefixRange{e.prefix, ge, le});
            }
        }
        prefix_sets.emplace(d.name, std::move(set));
    }

    void as_path_set(const AsPathSetDef& d, const std::string& p) {
        if (!name_ok(as_path_sets, d.name, p)) {
            return;
        }
        auto set = std::make_shared<AsPathSet>();
        set->name = d.name;
        for (std::size_t i = 0; i < d.patterns.size(); ++i) {
            auto r = AsPathRegex::compile(d.patterns[i]);
            if (auto* e = std::get_if<std::string>(&r)) {
                error(at(p + ".patterns", i), *e);
            } else {
                set->regexes.push_back(std::move(std::get<AsPathRegex>(r)));
            }
        }
        as_path_sets.emplace(d.name, std::move(set));
    }

    std::optional<CommunityPattern> community(const std::string& text, const std::string& path,
                                              bool wildcards) {
        CommunityParse c = parse_community(text);
        if (!c.pattern) {
            error(path, c.error);
            return std::nullopt;
        }
        if (!wildcards && c.pattern->wildcard()) {
            error(path, "'" + text + "': a community to add or replace cannot hold a wildcard");
            return std::nullopt;
        }
        return c.pattern;
    }

    std::vector<CommunityPattern> communities(const std::vector<std::string>& v, const std::string& p,
                                              bool wildcards) {
        std::vector<CommunityPattern> out;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (auto c = community(v[i], at(p, i), wildcards)) {
                out.push_back(*c);
            }
        }
        return out;
    }

    void community_set(const CommunitySetDef& d, const std::string& p) {
        if (!name_ok(community_sets, d.name, p)) {
            return;
        }
        auto set = std::make_shared<CommunitySet>();
        set->name = d.name;
        set->patterns = communities(d.communities, p + ".communities", true);
        community_sets.emplace(d.name, std::move(set));
    }

    void next_hop_set(const NextHopSetDef& d, const std::string& p) {
        if (!name_ok(next_hop_sets, d.name, p)) {
            return;
        }
        auto set = std::make_shared<PrefixSet>(d.name);
        for (const net::Prefix& nh : d.next_hops) {
            set->add(PrefixRange{nh, nh.length, nh.max_length()});
        }
        next_hop_sets.emplace(d.name, std::move(set));
    }

    template <typename Map, typename T>
    void reference(const SetMatchDef& d, const std::string& p, const Map& sets, std::string_view kind,
                   bool all_allowed, std::shared_ptr<const T>& out, SetMatch& match) {
        const auto m = parse_set_match(d.match);
        if (!m || (*m == SetMatch::All && !all_allowed)) {
            error(p + ".match",
                  "'" + d.match + "' is not one of: " + (all_allowed ? "any, all, invert" : "any, invert"));
        } else {
            match = *m;
        }
        if (auto it = sets.find(d.set); it != sets.end()) {
            out = it->second;
            return;
        }
        if constexpr (std::is_same_v<T, PrefixSet>) {
            if (kind == "prefix" && builtin_prefix_set(d.set) != nullptr) {
                // Built-ins live for the whole program: an aliasing pointer that owns nothing.
                out = std::shared_ptr<const PrefixSet>(std::shared_ptr<const PrefixSet>{},
                                                       builtin_prefix_set(d.set));
                return;
            }
        }
        error(p + ".set", "no " + std::string(kind) + " set named '" + d.set + "'");
    }

    Conditions conditions(const ConditionsDef& d, const std::string& p) {
        Conditions c;
        if (d.prefix_set) {
            reference(*d.prefix_set, p + ".prefix_set", prefix_sets, "prefix", false, c.prefix_set,
                      c.prefix_match);
        }
        if (d.as_path_set) {
            reference(*d.as_path_set, p + ".as_path_set", as_path_sets, "AS-path", true, c.as_path_set,
                      c.as_path_match);
        }
        if (d.community_set) {
            reference(*d.community_set, p + ".community_set", community_sets, "community", true,
                      c.community_set, c.community_match);
        }
        if (d.next_hop_set) {
            reference(*d.next_hop_set, p + ".next_hop_set", next_hop_sets, "next-hop", false, c.next_hop_set,
                      c.next_hop_match);
        }
        for (std::size_t i = 0; i < d.rpki.size(); ++i) {
            if (auto v = rpki::parse_validity(d.rpki[i])) {
                c.rpki.push_back(*v);
            } else {
                error(at(p + ".rpki", i),
                      "'" + d.rpki[i] + "' is not one of: valid, invalid, not-found, unknown");
            }
        }
        return c;
    }

    Modifications modifications(const ModificationsDef& d, const std::string& p) {
        Modifications m;
        if (d.replace_communities) {
            m.replace_communities = communities(*d.replace_communities, p + ".replace_communities", false);
        }
        m.remove_communities = communities(d.remove_communities, p + ".remove_communities", true);
        m.add_communities = communities(d.add_communities, p + ".add_communities", false);
        if (d.prepend) {
            if (d.prepend->count == 0 || d.prepend->count > kMaxPrepend) {
                error(p + ".prepend.count", "must be 1-" + std::to_string(kMaxPrepend));
            } else {
                m.prepend_count = d.prepend->count;
            }
            if (d.prepend->asn && *d.prepend->asn == 0) {
                error(p + ".prepend.asn", "AS 0 cannot be prepended (RFC 7607)");
            }
            m.prepend_asn = d.prepend->asn;
        }
        m.med = d.med;
        m.next_hop = d.next_hop;
        return m;
    }

    void policy(const PolicyDef& d, const std::string& p) {
        if (d.name.empty()) {
            error(p + ".name", "a policy needs a name");
            return;
        }
        if (library->policies_.contains(d.name)) {
            error(p + ".name", "'" + d.name + "' is defined twice");
            return;
        }
        auto policy = std::make_shared<Policy>();
        policy->name = d.name;
        if (auto a = parse_default_action(d.default_action)) {
            policy->default_action = *a;
        } else {
            error(p + ".default_action",
                  "'" + d.default_action + "' is not one of: accept, reject, next-policy");
        }
        std::set<std::string, std::less<>> names;
        for (std::size_t i = 0; i < d.statements.size(); ++i) {
            const StatementDef& sd = d.statements[i];
            const std::string sp = at(p + ".statements", i);
            Statement s;
            s.name = sd.name;
            if (sd.name.empty()) {
                error(sp + ".name", "a statement needs a name (rfctl and the API show it)");
            } else if (!names.insert(sd.name).second) {
                error(sp + ".name", "'" + sd.name + "' is used twice in policy '" + d.name + "'");
            }
            s.conditions = conditions(sd.match, sp + ".match");
            s.modifications = modifications(sd.modify, sp + ".modify");
            if (auto a = parse_action(sd.action)) {
                s.action = *a;
            } else {
                error(sp + ".action", "'" + sd.action + "' is not one of: accept, reject, continue");
            }
            policy->statements.push_back(std::move(s));
        }
        library->policies_.emplace(d.name, std::move(policy));
    }
};

std::shared_ptr<const Policy> Library::find(std::string_view name) const {
    auto it = policies_.find(name);
    return it == policies_.end() ? nullptr : it->second;
}

Chain Library::chain(const std::vector<std::string>& names) const {
    Chain c;
    for (const std::string& n : names) {
        if (auto p = find(n)) {
            c.push_back(std::move(p));
        }
    }
    return c;
}

std::variant<std::shared_ptr<const Library>, std::vector<CompileError>> compile(const Definitions& defs,
                                                                                std::string_view base) {
    LibraryBuilder b;
    b.base = std::string(base);
    const auto path = [&](std::string_view key) {
        return b.base.empty() ? std::string(key) : b.base + "." + std::string(key);
    };
    for (std::size_t i = 0; i < defs.prefix_sets.size(); ++i) {
        b.prefix_set(defs.prefix_sets[i], LibraryBuilder::at(path("prefix_sets"), i));
    }
    for (std::size_t i = 0; i < defs.as_path_sets.size(); ++i) {
        b.as_path_set(defs.as_path_sets[i], LibraryBuilder::at(path("as_path_sets"), i));
    }
    for (std::size_t i = 0; i < defs.community_sets.size(); ++i) {
        b.community_set(defs.community_sets[i], LibraryBuilder::at(path("community_sets"), i));
    }
    for (std::size_t i = 0; i < defs.next_hop_sets.size(); ++i) {
        b.next_hop_set(defs.next_hop_sets[i], LibraryBuilder::at(path("next_hop_sets"), i));
    }
    for (std::size_t i = 0; i < defs.policies.size(); ++i) {
        b.policy(defs.policies[i], LibraryBuilder::at(path("policies"), i));
    }
    if (!b.errors.empty()) {
        return std::move(b.errors);
    }
    return std::shared_ptr<const Library>(std::move(b.library));
}

}  // namespace rf::policy
