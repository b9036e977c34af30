// Compiled routing policy and its evaluation: statements (conditions → modifications → action), policies
// (statements in order, then a default action) and a chain (a peer's import or export policies, in
// order). Evaluation is a pure function of the route, the chain and the context: no state, no I/O, safe
// to call from any thread on a chain nobody modifies (chains are immutable once compiled; a new policy
// is a new chain).
//
// How a chain decides (docs/configuration.md, "Routing policy"):
//   - a statement applies when every condition it has holds (no condition: it always applies); its
//     modifications are made, then its action: accept or reject end the evaluation, continue goes on
//     with the next statement, modifications kept;
//   - when no statement accepts or rejects, the policy's default action decides: accept, reject, or
//     next-policy (the next policy of the chain goes on with the route as modified so far);
//   - past the last policy (every one said next-policy) the route is rejected;
//   - an empty chain accepts the route as it is (Azure's behaviour: no policy, no filter).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "control/codec/message.hpp"
#include "control/policy/sets.hpp"
#include "control/rpki/validity.hpp"
#include "net/ip.hpp"

namespace rf::policy {

enum class SetMatch : std::uint8_t {
    Any,     // one element of the set matches (prefix, next hop: the route's is in the set)
    All,     // every element of the set matches (AS-path and community sets)
    Invert,  // no element matches
};
[[nodiscard]] std::string_view to_string(SetMatch m);
[[nodiscard]] std::optional<SetMatch> parse_set_match(std::string_view s);

enum class Action : std::uint8_t { Continue, Accept, Reject };
enum class DefaultAction : std::uint8_t { Reject, Accept, NextPolicy };
[[nodiscard]] std::string_view to_string(Action a);
[[nodiscard]] std::string_view to_string(DefaultAction a);
[[nodiscard]] std::optional<Action> parse_action(std::string_view s);
[[nodiscard]] std::optional<DefaultAction> parse_default_action(std::string_view s);

struct Conditions {
    // Sets are shared with the library that compiled them (a chain keeps them alive).
    std::shared_ptr<const PrefixSet> prefix_set;
    SetMatch prefix_match = SetMatch::Any;
    std::shared_ptr<const AsPathSet> as_path_set;
    SetMatch as_path_match = SetMatch::Any;
    std::shared_ptr<const CommunitySet> community_set;
    SetMatch community_match = SetMatch::Any;
    std::shared_ptr<const PrefixSet> next_hop_set;
    SetMatch next_hop_match = SetMatch::Any;
    std::vector<rpki::Validity> rpki;  // empty: any state
};

struct Modifications {
    std::optional<std::vector<CommunityPattern>> replace_communities;  // no wildcards
    std::vector<CommunityPattern> remove_communities;                  // wildcards allowed
    std::vector<CommunityPattern> add_communities;                     // no wildcards
    std::optional<std::uint32_t> prepend_asn;  // unset with prepend_count > 0: the local ASN
    std::uint8_t prepend_count = 0;
    std::optional<std::uint32_t> med;
    std::optional<net::IpAddress> next_hop;
    [[nodiscard]] bool empty() const {
        return !replace_communities && remove_communities.empty() && add_communities.empty() &&
               prepend_count == 0 && !med && !next_hop;
    }
};

struct Statement {
    std::string name;
    Conditions conditions;
    Modifications modifications;
    Action action = Action::Continue;
};

struct Policy {
    std::string name;
    std::vector<Statement> statements;
    DefaultAction default_action = DefaultAction::Reject;
};

// A peer's import or export policies, evaluated in order.
using Chain = std::vector<std::shared_ptr<const Policy>>;

// The route as a policy sees it. RPKI's seam: the route server sets `validity` before import policy
// (Unknown when RPKI is off).
struct RouteView {
    const net::Prefix& prefix;
    const bgp::PathAttributes& attributes;
    std::span<const net::IpAddress> next_hops;  // NEXT_HOP (IPv4) or the MP_REACH next hops
    rpki::Validity validity = rpki::Validity::Unknown;
};

struct Context {
    std::uint32_t local_asn = 0;  // the route server's: the default AS to prepend
};

// Who decided: a statement's action, a policy's default action, the end of the chain, or no policy.
enum class DecidedBy : std::uint8_t { NoPolicy, Statement, PolicyDefault, EndOfChain };
[[nodiscard]] std::string_view to_string(DecidedBy d);

struct StatementRef {
    std::string_view policy;     // names owned by the chain's policies
    std::string_view statement;  // empty for a default action / the end of the chain
    bool operator==(const StatementRef&) const = default;
};

struct Verdict {
    bool accepted = true;
    DecidedBy decided_by = DecidedBy::NoPolicy;
    StatementRef decision;                   // the policy (and statement) that decided
    std::vector<StatementRef> rewritten_by;  // statements that modified the route, in order
    // Set when a statement modified the route: its attributes after every modification (NEXT_HOP
    // included for an IPv4 route).
    std::optional<bgp::PathAttributes> attributes;
    // Set by a set-next-hop of the route's family: its forwarding next hop from now on.
    std::optional<net::IpAddress> next_hop;
    [[nodiscard]] bool modified() const { return attributes.has_value() || next_hop.has_value(); }
};

[[nodiscard]] Verdict evaluate(const Chain& chain, const RouteView& route, const Context& context);

// The parts of evaluate(), for tests and for a reader of the rules.
[[nodiscard]] bool conditions_hold(const Conditions& c, const RouteView& route,
                                   const bgp::PathAttributes& attrs,
                                   std::span<const net::IpAddress> next_hops);
// Applies `m` to `attrs` (and `next_hop` for the route's family); true when anything changed.
bool apply_modifications(const Modifications& m, const net::Prefix& prefix, const Context& context,
                         bgp::PathAttributes& attrs, std::optional<net::IpAddress>& next_hop);

}  // namespace rf::policy
