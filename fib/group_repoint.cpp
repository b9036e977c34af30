#include "fib/group_repoint.hpp"

#include <algorithm>

namespace rf::fib {

// When a batch moves *every* reference of a group to one and the same other group — an NVA going down
// takes its next hop out of each ECMP set it was in, for all of that set's prefixes at once — the group
// is repointed to the new value before the batch is programmed. The per-prefix operations that follow
// move the prefixes to the new group without changing how they forward. Only whole groups qualify (a
// prefix left behind on the old group would change with it), only groups that no move of this batch
// points to, and only groups of several prefixes (for one, the per-prefix operation is as quick and
// needs no new group object).
std::size_t WholeGroupRepoint::run(std::span<const GroupMove> moves, GroupTable& groups) {
    constexpr GroupId kMixed = GroupMove::kNoGroupLeft - 1;
    constexpr std::uint32_t kMinPrefixes = 2;
    const GroupId bound = groups.id_bound();
    if (moves_out_.size() < bound) {
        moves_out_.resize(bound, 0);
        target_.resize(bound, kNoGroup);
        incoming_.resize(bound, 0);
        listed_.resize(bound, 0);
    }
    touched_.clear();
    const auto touch = [this](GroupId g) {
        if (listed_[g] == 0) {
            listed_[g] = 1;
            touched_.push_back(g);
        }
    };
    for (const GroupMove& m : moves) {
        if (m.to == GroupMove::kNoGroupLeft || m.to == m.from) {
            continue;
        }
        if (m.to != kNoGroup) {
            touch(m.to);
            incoming_[m.to] = 1;
        }
        if (m.from == kNoGroup) {
            continue;
        }
        touch(m.from);
        if (moves_out_[m.from] == 0) {
            target_[m.from] = m.to == kNoGroup ? kMixed : m.to;  // a withdrawal falls back per prefix
        } else if (target_[m.from] != m.to) {
            target_[m.from] = kMixed;
        }
        ++moves_out_[m.from];
    }
    std::size_t repointed = 0;
    for (GroupId g : touched_) {
        const GroupId to = target_[g];
        // Every reference of g moves in this batch (the references counted are the BGP routes' own; a
        // static route holding g keeps refs above the count, and so keeps g as it is).
        if (moves_out_[g] >= kMinPrefixes && to != kMixed && incoming_[g] == 0 &&
            moves_out_[g] == groups.refs(g) && groups.repoint(g, to)) {
            ++repointed;
        }
    }
    for (GroupId g : touched_) {
        moves_out_[g] = 0;  // target_ is set afresh by the first move out of g
        incoming_[g] = 0;
        listed_[g] = 0;
    }
    return repointed;
}

// The peer that carried every path through `down` went down, and the RIB's batch withdrawing those
// paths follows. Groups with no other member are left to that batch: only the RIB knows what their
// prefixes fall back to.
std::size_t repoint_around_down_next_hops(std::span<const net::IpAddress> down, GroupTable& groups) {
    std::size_t repointed = 0;
    NextHop rest{NextHopType::VirtualNetworkGateway, {}};
    const GroupId bound = groups.id_bound();
    for (GroupId g = 1; g < bound; ++g) {
        if (groups.refs(g) == 0) {
            continue;  // free, or retired and waiting for its grace period
        }
        // Only the Loc-RIB's groups have this type with members (a UDR "VirtualNetworkGateway" has none),
        // so every reference to g is a BGP prefix that the RIB's batch will move.
        const NextHop& v = groups.value_of(g);
        if (v.type != NextHopType::VirtualNetworkGateway || v.addresses.empty()) {
            continue;
        }
        rest.addresses.clear();
        for (const net::IpAddress& a : v.addresses) {
            if (std::find(down.begin(), down.end(), a) == down.end()) {
                rest.addresses.push_back(a);
            }
        }
        if (rest.addresses.size() == v.addresses.size() || rest.addresses.empty()) {
            continue;
        }
        if (groups.repoint_to(g, rest)) {  // `rest` keeps v's order: sorted, no duplicates
            ++repointed;
        }
    }
    return repointed;
}

}  // namespace rf::fib
