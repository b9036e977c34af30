// policy::Definitions → YAML that parse_policy.cpp reads back to the same values (policy_yaml.hpp).
#include "daemon/config/policy_yaml.hpp"

namespace rf::config {
namespace {

void string_list(YAML::Emitter& out, const char* key, const std::vector<std::string>& v) {
    out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& s : v) {
        out << YAML::DoubleQuoted << s;
    }
    out << YAML::EndSeq;
}

void set_match(YAML::Emitter& out, const char* key, const std::optional<policy::SetMatchDef>& m) {
    if (!m) {
        return;
    }
    out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "set" << YAML::Value << YAML::DoubleQuoted << m->set;
    out << YAML::Key << "match" << YAML::Value << YAML::DoubleQuoted << m->match << YAML::EndMap;
}

void statement(YAML::Emitter& out, const policy::StatementDef& s) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << s.name;
    const policy::ConditionsDef& c = s.match;
    if (c != policy::ConditionsDef{}) {
        out << YAML::Key << "match" << YAML::Value << YAML::BeginMap;
        set_match(out, "prefix_set", c.prefix_set);
        set_match(out, "as_path_set", c.as_path_set);
        set_match(out, "community_set", c.community_set);
        set_match(out, "next_hop_set", c.next_hop_set);
        if (!c.rpki.empty()) {
            string_list(out, "rpki", c.rpki);
        }
        out << YAML::EndMap;
    }
    const policy::ModificationsDef& m = s.modify;
    if (m != policy::ModificationsDef{}) {
        out << YAML::Key << "modify" << YAML::Value << YAML::BeginMap;
        if (m.replace_communities) {
            string_list(out, "replace_communities", *m.replace_communities);
        }
        if (!m.remove_communities.empty()) {
            string_list(out, "remove_communities", m.remove_communities);
        }
        if (!m.add_communities.empty()) {
            string_list(out, "add_communities", m.add_communities);
        }
        if (m.prepend) {
            out << YAML::Key << "prepend" << YAML::Value << YAML::Flow << YAML::BeginMap;
            if (m.prepend->asn) {
                out << YAML::Key << "asn" << YAML::Value << *m.prepend->asn;
            }
            out << YAML::Key << "count" << YAML::Value << static_cast<unsigned>(m.prepend->count)
                << YAML::EndMap;
        }
        if (m.med) {
            out << YAML::Key << "med" << YAML::Value << *m.med;
        }
        if (m.next_hop) {
            out << YAML::Key << "next_hop" << YAML::Value << m.next_hop->to_string();
        }
        out << YAML::EndMap;
    }
    out << YAML::Key << "action" << YAML::Value << YAML::DoubleQuoted << s.action << YAML::EndMap;
}

}  // namespace

void emit_policy(YAML::Emitter& out, const policy::Definitions& d) {
    out << YAML::Key << "policy" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "prefix_sets" << YAML::Value << YAML::BeginSeq;
    for (const auto& s : d.prefix_sets) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << s.name;
        out << YAML::Key << "prefixes" << YAML::Value << YAML::BeginSeq;
        for (const auto& e : s.prefixes) {
            if (!e.ge && !e.le) {
                out << e.prefix.to_string();
                continue;
            }
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "prefix" << YAML::Value
                << e.prefix.to_string();
            if (e.ge) {
                out << YAML::Key << "ge" << YAML::Value << static_cast<unsigned>(*e.ge);
            }
            if (e.le) {
                out << YAML::Key << "le" << YAML::Value << static_cast<unsigned>(*e.le);
            }
            out << YAML::EndMap;
        }
        out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "as_path_sets" << YAML::Value << YAML::BeginSeq;
    for (const auto& s : d.as_path_sets) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << s.name;
        string_list(out, "patterns", s.patterns);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "community_sets" << YAML::Value << YAML::BeginSeq;
    for (const auto& s : d.community_sets) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << s.name;
        string_list(out, "communities", s.communities);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "next_hop_sets" << YAML::Value << YAML::BeginSeq;
    for (const auto& s : d.next_hop_sets) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << s.name;
        out << YAML::Key << "next_hops" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const auto& nh : s.next_hops) {
            out << nh.to_string();
        }
        out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "policies" << YAML::Value << YAML::BeginSeq;
    for (const auto& p : d.policies) {
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << p.name;
        out << YAML::Key << "default_action" << YAML::Value << YAML::DoubleQuoted << p.default_action;
        out << YAML::Key << "statements" << YAML::Value << YAML::BeginSeq;
        for (const auto& s : p.statements) {
            statement(out, s);
        }
        out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
}

}  // namespace rf::config
