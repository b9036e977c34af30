#include "dataplane/probe_checks.hpp"

#include <algorithm>
#include <cstring>

namespace rf::dataplane {

// A pending host pays one small lookup per burst until the change is visible, instead of one per probe
// address (up to 2 x 64), which would stretch the very pass whose length the last host's convergence
// time measures. The host's convergence instant is its burst's (`now`, before this check ran): the
// lookups that decide it are the ones this burst's packets were forwarded with.
//
// Once one host of this worker has found every probe address switched in a table, a later host reading
// only verified tables is stamped at its burst without repeating the lookups: within one measurement the
// FIB only moves forward (a prefix that switched stays switched; readers see states in the writer's
// order), and this worker's later bursts start after that verification. So the check costs one full set
// of lookups per table and measurement, not per host.
std::uint64_t HostConvergenceCheck::check(ConvergenceProbe::Run& run, std::uint32_t h, const Host& host,
                                          std::uint64_t now) {
    if (verified_run_ != &run) {
        verified_run_ = &run;
        verified_tables_.clear();
    }
    const auto verified = [&](TableId t) {
        return std::find(verified_tables_.begin(), verified_tables_.end(), t) != verified_tables_.end();
    };
    if (!host.tables.empty() && std::all_of(host.tables.begin(), host.tables.end(), verified)) {
        stamp(run, h, now);
        return 0;
    }
    std::uint64_t lookups = 0;
    if (probe_addresses_switched(run, h, host, lookups)) {
        stamp(run, h, now);
        for (TableId t : host.tables)
            if (!verified(t))
                verified_tables_.push_back(t);
    }
    return lookups;
}

void HostConvergenceCheck::stamp(ConvergenceProbe::Run& run, std::uint32_t h, std::uint64_t now) {
    run.converged_tsc[h].store(now, std::memory_order_release);
    run.converged_hosts.fetch_add(1, std::memory_order_acq_rel);
}

bool HostConvergenceCheck::probe_addresses_switched(ConvergenceProbe::Run& run, std::uint32_t h,
                                                    const Host& host, std::uint64_t& lookups) {
    constexpr unsigned kStep = 8;
    const auto& addrs = run.spec.probe_addrs;
    const auto& addrs6 = run.spec.probe_addrs6;
    const std::size_t n4 = addrs.size();
    const std::size_t total = n4 + addrs6.size();
    // An address that gave the new path once counts as switched (`done`, per host and address).
    std::uint8_t* done = run.done.get() + std::size_t{h} * std::max<std::size_t>(1, run.probe_count());
    std::size_t next = 0;  // probe index to look at next
    for (;;) {
        std::uint32_t addr[kStep];
        std::uint8_t addr6[kStep][16];
        std::uint32_t idx[kStep];
        std::uint32_t idx6[kStep];
        unsigned k = 0, k6 = 0;
        for (; next < total && k + k6 < kStep; ++next) {
            if (done[next] != 0)
                continue;
            if (next < n4) {
                addr[k] = addrs[next];
                idx[k++] = static_cast<std::uint32_t>(next);
            } else {
                std::memcpy(addr6[k6], addrs6[next - n4].data(), 16);
                idx6[k6++] = static_cast<std::uint32_t>(next);
            }
        }
        if (k + k6 == 0)
            return true;
        bool ok[kStep], ok6[kStep];
        std::fill(ok, ok + k, true);
        std::fill(ok6, ok6 + k6, true);
        GroupView views[kStep];
        // Probe addresses mostly share a few groups: judge each distinct group once.
        std::uint64_t memo_id = ~std::uint64_t{0};
        bool memo_ok = false;
        auto judge = [&](const GroupView& v) {
            if (v.id != memo_id || v.id == 0) {
                memo_id = v.id;
                memo_ok = run.satisfied(v);
            }
            return memo_ok;
        };
        for (TableId t : host.tables) {
            if (k != 0) {
                source_.lookup_bulk(t, addr, views, k);
                for (unsigned i = 0; i < k; ++i)
                    ok[i] = ok[i] && judge(views[i]);
            }
            if (k6 != 0) {
                source_.lookup_bulk6(t, addr6, views, k6);
                for (unsigned i = 0; i < k6; ++i)
                    ok6[i] = ok6[i] && judge(views[i]);
            }
        }
        lookups += std::uint64_t{k + k6} * host.tables.size();
        bool blocked = false;
        for (unsigned i = 0; i < k; ++i) {
            if (ok[i])
                done[idx[i]] = 1;
            else
                blocked = true;
        }
        for (unsigned i = 0; i < k6; ++i) {
            if (ok6[i])
                done[idx6[i]] = 1;
            else
                blocked = true;
        }
        if (blocked)
            return false;
    }
}

}  // namespace rf::dataplane
