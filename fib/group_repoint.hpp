// Prefix-independent convergence (BGP PIC edge): changing the forwarding of every prefix of a next-hop
// group with one store to the group, instead of one lookup-table operation per prefix.
//
//   - WholeGroupRepoint: inside a batch, a group whose every reference moves to one and the same other
//     group is repointed to that group's value before the batch is programmed (Fib::apply).
//   - repoint_around_down_next_hops: ahead of the batch, the RIB's hint that some next hops are gone
//     takes them out of every BGP group that has other members (Fib::next_hops_down).
//
// Writer side only (under the FIB's control mutex).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "fib/nexthop_group.hpp"
#include "net/ip.hpp"

namespace rf::fib {

// How one prefix of a batch changes group, as apply() computes it before programming anything.
struct GroupMove {
    // `to` when no group id was left for the prefix's new set: the prefix keeps `from`.
    static constexpr GroupId kNoGroupLeft = ~GroupId{0};
    GroupId from;
    GroupId to;
};

class WholeGroupRepoint {
public:
    // Repoints in place each group of several prefixes whose every reference moves in `moves` to one
    // same other group, when no move of the batch points to it. Returns the groups repointed.
    std::size_t run(std::span<const GroupMove> moves, GroupTable& groups);

private:
    // Per group id, reset after each run: moves out of it, where they go, whether a move goes into it,
    // whether it is listed in touched_.
    std::vector<std::uint32_t> moves_out_;
    std::vector<GroupId> target_;
    std::vector<std::uint8_t> incoming_;
    std::vector<std::uint8_t> listed_;
    std::vector<GroupId> touched_;
};

// Every BGP next-hop group holding one of `down` and at least one other member takes its other members
// in place. Returns the groups repointed.
std::size_t repoint_around_down_next_hops(std::span<const net::IpAddress> down, GroupTable& groups);

}  // namespace rf::fib
