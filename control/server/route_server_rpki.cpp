// The route server's RPKI origin validation: the validity it gives every route, and the re-validation of
// the held routes when the ROA table changes.
//
// Validity is computed when asked (import policy, queries), not stored with the path: a path is 16 bytes
// in the Loc-RIB and a validity byte would make it 24 (8 MB more per million paths), while computing it is
// a handful of hash lookups in the ROA table (roa_table.hpp). A stored value would also have to be
// rewritten for every covered path on every ROA change; computed, it is always that of the current table.
// Re-validation therefore only has to find the paths whose validity changed (for the counters and the
// log, and for the import policy to be applied to them again), and compares before and after.
#include <map>
#include <optional>
#include <set>

#include "control/server/route_server.hpp"

namespace rf::server {

std::optional<std::string> RouteServer::set_rpki(std::optional<rpki::RtrConfig> config) {
    if (rpki_ && config && rpki_->config() == *config) {
        return std::nullopt;
    }
    const bool had = rpki_ && rpki_->usable();
    std::unique_ptr<rpki::OriginValidation> next;
    if (config) {
        next = std::make_unique<rpki::OriginValidation>(
            io_, *config, [this](const rpki::RtrBatch& b) { on_rpki_batch(b); });
        if (auto err = next->start()) {
            return err;
        }
    }
    rpki_ = std::move(next);  // the old client stops here (joins rtrlib's threads)
    config_.rpki = std::move(config);
    if (!rpki_) {
        log("RPKI: origin validation off; every route's validity is unknown");
    } else if (had) {
        // Every route is Unknown until the new table arrives.
        log("RPKI: caches changed; routes are not validated until a cache has synchronised");
    }
    return std::nullopt;
}

rpki::Validity RouteServer::rpki_validity(const net::Prefix& prefix, const bgp::PathAttributes& attrs) const {
    if (!rpki_) {
        return rpki::Validity::Unknown;
    }
    const bgp::AsPath* path = attrs.as_path ? &*attrs.as_path : nullptr;
    return rpki_->validity(prefix, rpki::origin_as(path, config_.local_asn));
}

std::optional<rpki::RpkiStatus> RouteServer::rpki_status() const {
    if (!rpki_) {
        return std::nullopt;
    }
    return rpki_->status();
}

RpkiRouteCounts RouteServer::rpki_route_counts() const {
    RpkiRouteCounts c;
    rib_.for_each_path([&](const net::Prefix& p, rib::PeerId, const bgp::PathAttributes& a) {
        switch (rpki_validity(p, a)) {
            case rpki::Validity::NotFound:
                ++c.not_found;
                break;
            case rpki::Validity::Valid:
                ++c.valid;
                break;
            case rpki::Validity::Invalid:
                ++c.invalid;
                break;
            case rpki::Validity::Unknown:
                ++c.unknown;
                break;
        }
    });
    return c;
}

void RouteServer::on_rpki_batch(const rpki::RtrBatch& batch) {
    if (!rpki_) {
        return;
    }
    const rpki::OriginValidation::Plan plan = rpki_->prepare(batch);
    // The held paths the batch can change: all when the table becomes usable or unusable, else those
    // a ROA that comes or goes covers. Their validity before the batch is recorded.
    // Validity depends on the prefix and the origin AS only: that is all a path leaves here (about 28
    // bytes, not its attributes), so re-validating a million paths holds tens of MB, not hundreds.
    struct Affected {
        net::Prefix prefix;
        std::optional<std::uint32_t> origin;
        rpki::Validity before;
    };
    auto validity_of = [&](const net::Prefix& p, std::optional<std::uint32_t> origin) {
        return rpki_->validity(p, origin);
    };
    std::vector<Affected> affected;
    if (plan.everything() || plan.changed.size() > 0) {
        rib_.for_each_path([&](const net::Prefix& p, rib::PeerId, const bgp::PathAttributes& a) {
            if (plan.everything() || plan.changed.covers(p)) {
                const auto origin = rpki::origin_as(a.as_path ? &*a.as_path : nullptr, config_.local_asn);
                affected.push_back(Affected{p, origin, validity_of(p, origin)});
            }
        });
    }
    rpki_->commit(batch);
    ++rpki_counters_.batches;
    std::set<net::Prefix> changed_prefixes;
    std::map<std::pair<rpki::Validity, rpki::Validity>, std::size_t> transitions;
    for (const Affected& x : affected) {
        const rpki::Validity after = validity_of(x.prefix, x.origin);
        ++rpki_counters_.revalidated_by_validity[static_cast<std::size_t>(after)];
        if (after != x.before) {
            changed_prefixes.insert(x.prefix);
            ++transitions[{x.before, after}];
            ++rpki_counters_.validity_changes;
        }
    }
    rpki_counters_.paths_revalidated += affected.size();
    // Validity is an input of import policy: the routes a changed ROA covers go through their peer's
    // policy again, rejected ones included (they are kept pre-policy), and what changes is sent.
    if (plan.everything() || plan.changed.size() > 0) {
        const rib::ImportReapply r = rib_.reapply_import_where(
            [&](const net::Prefix& p) { return plan.everything() || plan.changed.covers(p); });
        if (r.evaluated > 0) {
            log("RPKI: import policy applied again to " + std::to_string(r.evaluated) + " route(s); " +
                std::to_string(r.rejected) + " rejected");
            distribute();
        }
    }
    rpki_counters_.last_changed_prefixes = changed_prefixes.size();
    if (plan.everything()) {
        log(std::string("RPKI: ") +
            (plan.usable_after ? "a cache has synchronised: routes are validated"
                               : "no cache synchronised within the expire interval: routes are not validated "
                                 "(validity unknown)"));
    }
    if (!transitions.empty()) {
        std::string what;
        for (const auto& [t, n] : transitions) {
            what += (what.empty() ? "" : ", ") + std::to_string(n) + " " +
                    std::string(rpki::to_string(t.first)) + " -> " + std::string(rpki::to_string(t.second));
        }
        log("RPKI: " + std::to_string(plan.changed.size()) + " ROA(s) changed; " +
            std::to_string(affected.size()) + " held path(s) re-validated: " + what);
    }
}

}  // namespace rf::server
