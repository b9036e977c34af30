// One effective route table as the FIB keeps it (TableSpec, fib/vnet/effective_routes.hpp): the group
// of each static winner, the content key that tells identical tables apart, whether a lookup structure
// is wanted for it, the shared lookup structure it is published on, and its delta log once started.
//
// Writer side only (under the FIB's control mutex). target() is inline: apply() asks it once per
// changed prefix and table.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fib/bgp_routes.hpp"
#include "fib/delta_log.hpp"
#include "fib/nexthop_group.hpp"
#include "fib/vnet/effective_routes.hpp"
#include "fib/vnet/vnet_model.hpp"
#include "net/ip.hpp"

namespace rf::fib {

struct SharedLookup;

struct FibTable {
    TableSpec spec;
    std::map<net::Prefix, GroupId> static_groups;  // winner per static prefix (one reference each)
    std::string key;                               // content key (identical key → identical routes)
    bool wanted = false;                           // has VMs, or materialize() asked for it
    bool pinned = false;                           // materialize() asked for it
    SharedLookup* lookup = nullptr;                // its lookup structure, when materialized
    std::unique_ptr<DeltaLog> log;                 // started by Fib::log_snapshot()

    // The group this table programs for `p` when the Loc-RIB gives `p` the group `bgp` (kNoGroup: no
    // BGP route): a user-defined route beats BGP for the same prefix, BGP beats a system route unless
    // the prefix lies in a protected address space. kNoGroup when the table has no route for `p`.
    [[nodiscard]] GroupId target(const net::Prefix& p, GroupId bgp) const {
        auto st = static_groups.find(p);
        const StaticRoute* sw = st == static_groups.end() ? nullptr : spec.static_winner(p);
        if (sw != nullptr && sw->source == RouteSource::User) {
            return st->second;
        }
        if (spec.bgp && bgp != kNoGroup && spec.protecting_space(p) == nullptr) {
            return bgp;
        }
        return st == static_groups.end() ? kNoGroup : st->second;
    }

    // Every prefix of the table → the group programmed for it (prefixes without a route omitted).
    [[nodiscard]] std::map<net::Prefix, GroupId> content(const BgpRoutes& bgp) const;
};

// Which tables of `plan` some VM of `model` uses (those get a lookup structure with lazy tables).
std::vector<bool> tables_with_vms(const VnetModel& model, const TablePlan& plan);

// A group (one reference each) for every static winner of `spec`.
std::map<net::Prefix, GroupId> acquire_static_groups(const TableSpec& spec, GroupTable& groups);

// Everything target() reads, as a string: two tables with the same key have the same routes whatever
// the Loc-RIB holds, so they can share one lookup structure.
std::string content_key(const TableSpec& spec, const std::map<net::Prefix, GroupId>& static_groups);

}  // namespace rf::fib
