// Routing policy as the operator writes it (the `policy:` section of the configuration): names and
// texts, compared and written back as they were read. compile.hpp turns them into the values the
// evaluation reads, and reports what does not compile with its field path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/ip.hpp"

namespace rf::policy {

struct PrefixEntryDef {
    net::Prefix prefix;
    std::optional<std::uint8_t> ge;
    std::optional<std::uint8_t> le;
    bool operator==(const PrefixEntryDef&) const = default;
};
struct PrefixSetDef {
    std::string name;
    std::vector<PrefixEntryDef> prefixes;
    bool operator==(const PrefixSetDef&) const = default;
};
struct AsPathSetDef {
    std::string name;
    std::vector<std::string> patterns;
    bool operator==(const AsPathSetDef&) const = default;
};
struct CommunitySetDef {
    std::string name;
    std::vector<std::string> communities;
    bool operator==(const CommunitySetDef&) const = default;
};
struct NextHopSetDef {
    std::string name;
    std::vector<net::Prefix> next_hops;  // an address is its host prefix
    bool operator==(const NextHopSetDef&) const = default;
};

// A reference to a named set in a statement: `match` is any, all or invert.
struct SetMatchDef {
    std::string set;
    std::string match = "any";
    bool operator==(const SetMatchDef&) const = default;
};

struct ConditionsDef {
    std::optional<SetMatchDef> prefix_set;
    std::optional<SetMatchDef> as_path_set;
    std::optional<SetMatchDef> community_set;
    std::optional<SetMatchDef> next_hop_set;
    std::vector<std::string> rpki;  // validity states, any of them (rpki::to_string spellings)
    bool operator==(const ConditionsDef&) const = default;
};

struct PrependDef {
    std::optional<std::uint32_t> asn;  // unset: the route server's own ASN
    std::uint8_t count = 1;
    bool operator==(const PrependDef&) const = default;
};

struct ModificationsDef {
    std::optional<std::vector<std::string>> replace_communities;
    std::vector<std::string> remove_communities;  // patterns: wildcards allowed
    std::vector<std::string> add_communities;
    std::optional<PrependDef> prepend;
    std::optional<std::uint32_t> med;
    std::optional<net::IpAddress> next_hop;
    bool operator==(const ModificationsDef&) const = default;
};

struct StatementDef {
    std::string name;
    ConditionsDef match;
    ModificationsDef modify;
    std::string action = "continue";  // accept | reject | continue
    bool operator==(const StatementDef&) const = default;
};

struct PolicyDef {
    std::string name;
    std::vector<StatementDef> statements;
    std::string default_action = "reject";  // accept | reject | next-policy
    bool operator==(const PolicyDef&) const = default;
};

struct Definitions {
    std::vector<PrefixSetDef> prefix_sets;
    std::vector<AsPathSetDef> as_path_sets;
    std::vector<CommunitySetDef> community_sets;
    std::vector<NextHopSetDef> next_hop_sets;
    std::vector<PolicyDef> policies;
    bool operator==(const Definitions&) const = default;
    [[nodiscard]] bool empty() const { return *this == Definitions{}; }
};

}  // namespace rf::policy
