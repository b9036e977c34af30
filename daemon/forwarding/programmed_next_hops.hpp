// The next hops the FIB was last given for each prefix: the RIB's deltas as published, kept by the
// convergence observer (convergence_observer.hpp) and by nothing else. A measurement needs to know which
// next hops a change takes away from the probed hosts, and which prefixes a dead next hop carried. The
// FIB's own tables cannot answer on the io thread: they lag behind the updater's queue and sit behind
// its writer's lock.
//
// Memory: one flat-map slot per prefix (net::PrefixMap) holding the index of its next-hop set; the
// distinct sets are stored once each, with the number of prefixes using them. Most prefixes share a few
// sets (every route of an NVA has its address), so a route costs about a map slot. memory_bytes()
// reports it (docs/benchmarks.md has the figure per route).
//
// io thread only (the RIB's strand); no DPDK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "fib/delta/delta.hpp"
#include "net/ip.hpp"
#include "net/prefix_map.hpp"

namespace rf::daemon {

class ProgrammedNextHops {
public:
    // A published batch: withdrawals drop their prefix, other deltas replace its next hops.
    void apply(std::span<const fib::RouteDelta> batch);

    // The next hops `prefix` was last given (in the RIB's order); empty when it has none.
    [[nodiscard]] std::span<const net::IpAddress> find(const net::Prefix& prefix) const;

    // f(prefix) for every prefix whose next hops include one of `next_hops`, in the map's order.
    template <typename F>
    void for_each_using(std::span<const net::IpAddress> next_hops, F&& f) const {
        std::vector<bool> hit(sets_.size(), false);
        bool any = false;
        for (std::size_t id = 0; id < sets_.size(); ++id) {
            if (users_[id] == 0) {
                continue;
            }
            for (const net::IpAddress& h : sets_[id]) {
                for (const net::IpAddress& dead : next_hops) {
                    if (h == dead) {
                        hit[id] = true;
                        any = true;
                    }
                }
            }
        }
        if (!any) {
            return;
        }
        prefixes_.for_each([&](const net::Prefix& p, const SetId& id) {
            if (hit[id]) {
                f(p);
            }
        });
    }

    [[nodiscard]] std::size_t size() const { return prefixes_.size(); }
    [[nodiscard]] std::size_t distinct_sets() const { return ids_.size(); }
    // Heap bytes held: the map's slot arrays, the sets and their index (allocator overhead estimated).
    [[nodiscard]] std::size_t memory_bytes() const;

private:
    using SetId = std::uint32_t;
    using NextHops = std::vector<net::IpAddress>;

    SetId acquire(std::span<const net::IpAddress> next_hops);  // the set's id, one more user
    void release(SetId id);                                    // one user less; freed at none

    net::PrefixMap<SetId> prefixes_;
    std::vector<NextHops> sets_;      // by SetId
    std::vector<std::size_t> users_;  // prefixes per set; 0 = a free id
    std::vector<SetId> free_ids_;
    std::map<NextHops, SetId> ids_;
    SetId last_ = 0;  // the set acquired last: consecutive deltas of a bulk change share it
    bool has_last_ = false;
};

}  // namespace rf::daemon
