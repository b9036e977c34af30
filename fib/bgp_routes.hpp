// The Loc-RIB's BGP routes as the FIB keeps them: prefix → the next-hop group of its ECMP set (type
// VirtualNetworkGateway), IPv4 and IPv6 in the flat prefix map the RIB uses (net/prefix_map.hpp). Each
// entry holds one reference to its group; the caller takes and drops those references.
//
// Writer side only: the FIB changes and reads it under its control mutex. Lookups and changes are
// inline, since apply() runs them once per prefix of a batch.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fib/nexthop_group.hpp"
#include "net/ip.hpp"
#include "net/prefix_map.hpp"

namespace rf::fib {

class BgpRoutes {
public:
    // The group of `p`, kNoGroup when the Loc-RIB has no route for exactly `p`.
    [[nodiscard]] GroupId group_of(const net::Prefix& p) const { return map_.value_or(p, kNoGroup); }
    [[nodiscard]] GroupId group_of(net::PackedV4Prefix p) const { return map_.value_or(p, kNoGroup); }

    // Gives `p` group `g`; kNoGroup removes `p`.
    template <typename Key>
    void set(const Key& p, GroupId g) {
        if (g == kNoGroup) {
            map_.erase(p);
        } else {
            map_.insert_or_assign(p, g);
        }
    }

    // Loads where a lookup of `p` starts: apply() visits prefixes in random order and prefetches ahead.
    template <typename Key>
    void prefetch(const Key& p) const {
        map_.prefetch(p);
    }

    // Room for `n` IPv4 routes in all (a bulk load then allocates once).
    void reserve_v4(std::size_t n) { map_.reserve(net::Afi::Ipv4, n); }

    [[nodiscard]] std::size_t size() const { return map_.size(); }
    [[nodiscard]] std::size_t size_v4() const { return map_.size(net::Afi::Ipv4); }
    [[nodiscard]] std::size_t size_v6() const { return map_.size(net::Afi::Ipv6); }
    [[nodiscard]] std::size_t memory_bytes() const { return map_.slot_bytes(); }

    // fn(const net::Prefix&, GroupId) for every route, in no particular order.
    template <typename Fn>
    void for_each(Fn&& fn) const {
        map_.for_each([&fn](const net::Prefix& p, GroupId g) { fn(p, g); });
    }

    // The routes with their next hops, as queries need them: taken under the control mutex as plain
    // (prefix, group) pairs plus each distinct group's addresses once, and turned into a sorted map
    // by by_prefix() after the mutex is released.
    struct Copy {
        std::vector<std::pair<net::PackedV4Prefix, GroupId>> v4;
        std::vector<std::pair<net::Prefix, GroupId>> v6;
        std::unordered_map<GroupId, std::vector<net::IpAddress>> addresses;
        [[nodiscard]] std::map<net::Prefix, std::vector<net::IpAddress>> by_prefix() const;
    };
    [[nodiscard]] Copy copy(const GroupTable& groups) const;

private:
    net::PrefixMap<GroupId, net::PrefixMapLayout::SingleArray> map_;
};

}  // namespace rf::fib
