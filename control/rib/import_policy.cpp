#include "control/rib/import_policy.hpp"

#include <algorithm>

namespace rf::rib {

PrePolicyPath& PrePolicyIn::store(const net::Prefix& p, std::uint32_t rx, AttrRef attrs) {
    Paths& v = *paths_.try_emplace(p).first;
    for (PrePolicyPath& x : v) {
        if (x.rx == rx) {
            x.attrs = std::move(attrs);
            x.note = ImportNote{};
            return x;
        }
    }
    v.push_back(PrePolicyPath{rx, std::move(attrs), ImportNote{}});
    ++count_;
    return v.back();
}

void PrePolicyIn::erase(const net::Prefix& p, std::uint32_t rx) {
    Paths* v = paths_.find(p);
    if (v == nullptr) {
        return;
    }
    const auto it = std::find_if(v->begin(), v->end(), [&](const PrePolicyPath& x) { return x.rx == rx; });
    if (it == v->end()) {
        return;
    }
    v->erase(it);
    --count_;
    if (v->empty()) {
        paths_.erase(p);
    }
}

const PrePolicyPath* PrePolicyIn::find(const net::Prefix& p, std::uint32_t rx) const {
    const Paths* v = paths_.find(p);
    if (v == nullptr) {
        return nullptr;
    }
    const auto it = std::find_if(v->begin(), v->end(), [&](const PrePolicyPath& x) { return x.rx == rx; });
    return it == v->end() ? nullptr : &*it;
}

ImportResult evaluate_import(const ImportPolicy& import, const net::Prefix& p, const AttrNode& received,
                             rpki::Validity validity, std::uint32_t local_asn) {
    ImportResult r;
    if (import.chain.empty()) {
        // RFC 8212 §3: no import policy configured, nothing is accepted.
        r.note.accepted = !import.required;
        r.note.required_policy_missing = import.required;
        r.verdict.accepted = r.note.accepted;
        return r;
    }
    const net::IpAddress& nh = received.forwarding_next_hop;
    r.verdict = policy::evaluate(
        import.chain, policy::RouteView{p, received.attrs, std::span<const net::IpAddress>(&nh, 1), validity},
        policy::Context{local_asn});
    r.note.accepted = r.verdict.accepted;
    r.note.decided_by = r.verdict.decided_by;
    r.note.decision = r.verdict.decision;
    if (r.verdict.accepted && !r.verdict.rewritten_by.empty()) {
        r.note.rewritten_by = r.verdict.rewritten_by.back();
    }
    return r;
}

}  // namespace rf::rib
