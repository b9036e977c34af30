// Import policy and the pre-policy Adj-RIB-In (soft reconfiguration inbound).
//
// A session whose peer has an import policy (or any session while RFC 8212's policy_required is on)
// keeps every route it received, as received, in a PrePolicyIn beside its Adj-RIB-In index: the
// interned attributes (shared with every identical set: one pointer per route) and the verdict's note
// (accepted or not, the policy and statement that decided, the last statement that rewrote it). The
// Adj-RIB-In (the paths in the Loc-RIB) holds only what the policy accepted, with the rewritten
// attributes. A changed policy is applied again to the pre-policy routes at once: no session reset, no
// ROUTE-REFRESH. Sessions without an import policy keep nothing more: their Adj-RIB-In is what they
// sent, and becomes the pre-policy state when a policy is given to them.
#pragma once

#include <cstdint>
#include <vector>

#include "control/policy/policy.hpp"
#include "control/rib/attr_store.hpp"
#include "net/prefix_map.hpp"
#include "net/small_vector.hpp"

namespace rf::rib {

// What the import policy said of one received route. The names point into the policies of the
// session's chain, which live as long as the chain (a new chain re-evaluates every note).
struct ImportNote {
    bool accepted = true;
    policy::DecidedBy decided_by = policy::DecidedBy::NoPolicy;
    policy::StatementRef decision;
    policy::StatementRef rewritten_by;     // the last statement that modified it; empty: unmodified
    bool required_policy_missing = false;  // rejected by RFC 8212: the peer has no import policy
};

struct PrePolicyPath {
    std::uint32_t rx = 0;  // received path identifier (ADD-PATH), else 0
    AttrRef attrs;         // as received
    ImportNote note;
};

class PrePolicyIn {
public:
    // Stores (or replaces) the route; returns its entry, valid until the next store/erase.
    PrePolicyPath& store(const net::Prefix& p, std::uint32_t rx, AttrRef attrs);
    void erase(const net::Prefix& p, std::uint32_t rx);
    [[nodiscard]] const PrePolicyPath* find(const net::Prefix& p, std::uint32_t rx) const;
    [[nodiscard]] std::size_t size() const { return count_; }

    template <typename F>  // f(const net::Prefix&, PrePolicyPath&)
    void for_each(F&& f) {
        paths_.for_each([&](const net::Prefix& p, Paths& v) {
            for (PrePolicyPath& x : v) {
                f(p, x);
            }
        });
    }
    template <typename F>  // f(const net::Prefix&, const PrePolicyPath&)
    void for_each(F&& f) const {
        paths_.for_each([&](const net::Prefix& p, const Paths& v) {
            for (const PrePolicyPath& x : v) {
                f(p, x);
            }
        });
    }

private:
    using Paths = net::SmallVector<PrePolicyPath, 1>;
    net::PrefixMap<Paths> paths_;
    std::size_t count_ = 0;
};

// The import side of a session: its chain, and whether a missing chain rejects (RFC 8212).
struct ImportPolicy {
    policy::Chain chain;
    bool required = false;
    // Routes pass untouched: no pre-policy state is kept and nothing is evaluated.
    [[nodiscard]] bool pass_through() const { return chain.empty() && !required; }
};

// Evaluates one received route. `next_hop` is its forwarding next hop (NEXT_HOP or the MP_REACH one).
struct ImportResult {
    ImportNote note;
    policy::Verdict verdict;
};
ImportResult evaluate_import(const ImportPolicy& import, const net::Prefix& p, const AttrNode& received,
                             rpki::Validity validity, std::uint32_t local_asn);

}  // namespace rf::rib
