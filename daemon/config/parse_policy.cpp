// YAML → policy::Definitions: the sets, the policies and their statements (policy_yaml.hpp).
#include <string>

#include "daemon/config/field_path.hpp"
#include "daemon/config/policy_yaml.hpp"

namespace rf::config {
namespace {

void strings(YamlReader& r, const YAML::Node& n, const std::string& path, std::vector<std::string>& out) {
    if (!r.list(n, path)) {
        return;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
        std::string s;
        r.string(n[i], at(path, i), s);
        out.push_back(std::move(s));
    }
}

void name(YamlReader& r, const YAML::Node& n, const std::string& p, std::string& out) {
    r.required(n, "name", p);
    if (auto v = n["name"]) {
        r.string(v, p + ".name", out);
    }
}

void prefix_entry(YamlReader& r, const YAML::Node& n, const std::string& p, policy::PrefixEntryDef& e) {
    if (n.IsScalar()) {  // "10.0.0.0/8": that prefix exactly
        r.prefix(n, p, e.prefix);
        return;
    }
    if (!r.map(n, p, "policy.prefix_sets[].prefixes[]")) {
        return;
    }
    r.required(n, "prefix", p);
    if (auto v = n["prefix"]) {
        r.prefix(v, p + ".prefix", e.prefix);
    }
    if (auto v = n["ge"]) {
        r.number(v, p + ".ge", e.ge);
    }
    if (auto v = n["le"]) {
        r.number(v, p + ".le", e.le);
    }
}

void next_hop(YamlReader& r, const YAML::Node& n, const std::string& p, net::Prefix& out) {
    if (!r.scalar(n, p, "an IP address or prefix")) {
        return;
    }
    if (auto a = net::IpAddress::parse(n.Scalar())) {
        out = a->is_v4() ? net::Prefix::v4(a->as_v4(), 32) : net::Prefix::v6(a->as_v6(), 128);
        return;
    }
    r.prefix(n, p, out);
}

// A set reference: "NAME" (match any) or {set: NAME, match: any|all|invert}.
void set_match(YamlReader& r, const YAML::Node& n, const std::string& p, std::string_view schema,
               std::optional<policy::SetMatchDef>& out) {
    out.emplace();
    if (n.IsScalar()) {
        r.string(n, p, out->set);
        return;
    }
    if (!r.map(n, p, schema)) {
        return;
    }
    r.required(n, "set", p);
    if (auto v = n["set"]) {
        r.string(v, p + ".set", out->set);
    }
    if (auto v = n["match"]) {
        r.string(v, p + ".match", out->match);
    }
}

void conditions(YamlReader& r, const YAML::Node& n, const std::string& p, policy::ConditionsDef& c) {
    const std::string s = "policy.policies[].statements[].match";
    if (!r.map(n, p, s)) {
        return;
    }
    if (auto v = n["prefix_set"]) {
        set_match(r, v, p + ".prefix_set", s + ".prefix_set", c.prefix_set);
    }
    if (auto v = n["as_path_set"]) {
        set_match(r, v, p + ".as_path_set", s + ".as_path_set", c.as_path_set);
    }
    if (auto v = n["community_set"]) {
        set_match(r, v, p + ".community_set", s + ".community_set", c.community_set);
    }
    if (auto v = n["next_hop_set"]) {
        set_match(r, v, p + ".next_hop_set", s + ".next_hop_set", c.next_hop_set);
    }
    if (auto v = n["rpki"]) {
        if (v.IsScalar()) {
            c.rpki.push_back(v.Scalar());
        } else {
            strings(r, v, p + ".rpki", c.rpki);
        }
    }
}

void modifications(YamlReader& r, const YAML::Node& n, const std::string& p, policy::ModificationsDef& m) {
    if (!r.map(n, p, "policy.policies[].statements[].modify")) {
        return;
    }
    if (auto v = n["replace_communities"]) {
        m.replace_communities.emplace();
        strings(r, v, p + ".replace_communities", *m.replace_communities);
    }
    if (auto v = n["remove_communities"]) {
        strings(r, v, p + ".remove_communities", m.remove_communities);
    }
    if (auto v = n["add_communities"]) {
        strings(r, v, p + ".add_communities", m.add_communities);
    }
    if (auto v = n["prepend"];
        v && r.map(v, p + ".prepend", "policy.policies[].statements[].modify.prepend")) {
        m.prepend.emplace();
        if (auto x = v["asn"]) {
            r.number(x, p + ".prepend.asn", m.prepend->asn);
        }
        if (auto x = v["count"]) {
            r.number(x, p + ".prepend.count", m.prepend->count);
        }
    }
    if (auto v = n["med"]) {
        r.number(v, p + ".med", m.med);
    }
    if (auto v = n["next_hop"]) {
        r.address(v, p + ".next_hop", m.next_hop);
    }
}

void statement(YamlReader& r, const YAML::Node& n, const std::string& p, policy::StatementDef& s) {
    if (!r.map(n, p, "policy.policies[].statements[]")) {
        return;
    }
    name(r, n, p, s.name);
    if (auto v = n["match"]) {
        conditions(r, v, p + ".match", s.match);
    }
    if (auto v = n["modify"]) {
        modifications(r, v, p + ".modify", s.modify);
    }
    if (auto v = n["action"]) {
        r.string(v, p + ".action", s.action);
    }
}

template <typename T, typename F>
void each(YamlReader& r, const YAML::Node& n, const std::string& path, std::vector<T>& out, F read) {
    if (!r.list(n, path)) {
        return;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
        out.emplace_back();
        read(n[i], at(path, i), out.back());
    }
}

}  // namespace

void read_policy_names(YamlReader& r, const YAML::Node& n, const std::string& path,
                       std::vector<std::string>& out) {
    if (n.IsScalar()) {
        out.push_back(n.Scalar());
        return;
    }
    strings(r, n, path, out);
}

void read_policy(YamlReader& r, const YAML::Node& n, policy::Definitions& d) {
    const std::string p = "policy";
    if (!r.map(n, p, p)) {
        return;
    }
    if (auto v = n["prefix_sets"]) {
        each(r, v, p + ".prefix_sets", d.prefix_sets,
             [&](const YAML::Node& x, const std::string& q, auto& s) {
                 if (!r.map(x, q, "policy.prefix_sets[]")) {
                     return;
                 }
                 name(r, x, q, s.name);
                 if (auto e = x["prefixes"]) {
                     each(r, e, q + ".prefixes", s.prefixes,
                          [&](const YAML::Node& y, const std::string& yp, auto& entry) {
                              prefix_entry(r, y, yp, entry);
                          });
                 }
             });
    }
    if (auto v = n["as_path_sets"]) {
        each(r, v, p + ".as_path_sets", d.as_path_sets,
             [&](const YAML::Node& x, const std::string& q, auto& s) {
                 if (!r.map(x, q, "policy.as_path_sets[]")) {
                     return;
                 }
                 name(r, x, q, s.name);
                 if (auto e = x["patterns"]) {
                     strings(r, e, q + ".patterns", s.patterns);
                 }
             });
    }
    if (auto v = n["community_sets"]) {
        each(r, v, p + ".community_sets", d.community_sets,
             [&](const YAML::Node& x, const std::string& q, auto& s) {
                 if (!r.map(x, q, "policy.community_sets[]")) {
                     return;
                 }
                 name(r, x, q, s.name);
                 if (auto e = x["communities"]) {
                     strings(r, e, q + ".communities", s.communities);
                 }
             });
    }
    if (auto v = n["next_hop_sets"]) {
        each(r, v, p + ".next_hop_sets", d.next_hop_sets,
             [&](const YAML::Node& x, const std::string& q, auto& s) {
                 if (!r.map(x, q, "policy.next_hop_sets[]")) {
                     return;
                 }
                 name(r, x, q, s.name);
                 if (auto e = x["next_hops"]) {
                     each(r, e, q + ".next_hops", s.next_hops,
                          [&](const YAML::Node& y, const std::string& yp, net::Prefix& nh) {
                              next_hop(r, y, yp, nh);
                          });
                 }
             });
    }
    if (auto v = n["policies"]) {
        each(r, v, p + ".policies", d.policies, [&](const YAML::Node& x, const std::string& q, auto& pol) {
            if (!r.map(x, q, "policy.policies[]")) {
                return;
            }
            name(r, x, q, pol.name);
            if (auto e = x["default_action"]) {
                r.string(e, q + ".default_action", pol.default_action);
            }
            if (auto e = x["statements"]) {
                each(r, e, q + ".statements", pol.statements,
                     [&](const YAML::Node& y, const std::string& yp, auto& s) { statement(r, y, yp, s); });
            }
        });
    }
}

}  // namespace rf::config
