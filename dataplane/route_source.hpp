// What a host's forwarding path needs from the FIB: bulk IPv4 and IPv6 lookups in an effective route table,
// answered with the next-hop group to use, under the FIB's RCU discipline. The emulator is written
// against this interface; `FibRouteSource` adapts the FIB's reader API to it and `LpmRouteSource` is a
// self-contained implementation for tests and the stand-alone emulator.
//
// Reader contract (DPDK QSBR): a worker calls reader_online(id) once, then loops { lookups ...;
// quiescent(id) } and finally reader_offline(id). A GroupView obtained from lookup_bulk stays valid
// until the same reader's next quiescent() call; the writer frees a group only after every online
// reader has reported quiescent state since the group was unpublished.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fib/ecmp.hpp"

namespace rf::dataplane {

using TableId = std::uint32_t;  // one effective route table (the VMs of a subnet share it)

enum class NextHopKind : std::uint8_t {
    NoRoute,    // no matching route: drop, counted as "no route"
    None,       // next hop type None (a UDR that black-holes): drop, counted as "next hop None"
    Ip,         // VirtualAppliance / VirtualNetworkGateway (BGP): forward to one of `addrs` (ECMP)
    VnetLocal,  // the destination VM's host, across the fabric
    Internet,   // the Internet gateway
};

// One next-hop group as the data plane sees it: immutable while published. Members are read in place
// from the source's own storage (no copy per lookup): member i's address is the 4 (IPv4) or 16 (IPv6,
// `v6`) bytes, network byte order, at members + i * stride. A group's members share one family; it
// need not be the destination's (an IPv4 route may have IPv6 next hops, RFC 8950, and vice versa).
struct GroupView {
    NextHopKind kind = NextHopKind::NoRoute;
    std::uint32_t count = 0;  // members (kind Ip)
    const std::uint8_t* members = nullptr;
    std::uint32_t stride = 4;
    bool v6 = false;       // members are IPv6 addresses
    std::uint64_t id = 0;  // stable identity while published (same set → same id)
    // The members' rendezvous seeds (fib/ecmp.hpp), precomputed by the source (the FIB's
    // NextHopGroup::seeds()); nullptr: derived from the addresses per selection.
    const std::uint64_t* seeds = nullptr;

    // Member i of an IPv6 group: 16 bytes, network byte order.
    [[nodiscard]] const std::uint8_t* member6(std::uint32_t i) const {
        return members + std::size_t{i} * stride;
    }
    // Member i of an IPv4 group, host byte order.
    [[nodiscard]] std::uint32_t member(std::uint32_t i) const {
        const std::uint8_t* p = members + std::size_t{i} * stride;
        return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    }
    // Index of the member that carries a flow (count > 0): the FIB's rendezvous selection, the same
    // function NextHopGroup::pick() runs.
    [[nodiscard]] std::uint32_t pick(std::uint64_t flow_hash) const {
        if (seeds != nullptr)
            return fib::ecmp::select(flow_hash, seeds, count);
        if (count == 1)
            return 0;
        if (v6) {
            return fib::ecmp::select(flow_hash, count, [this](std::uint32_t i) {
                std::array<std::uint8_t, 16> a{};
                std::memcpy(a.data(), member6(i), 16);
                return fib::ecmp::seed_v6(a);
            });
        }
        return fib::ecmp::select(flow_hash, count,
                                 [this](std::uint32_t i) { return fib::ecmp::seed_v4(member(i)); });
    }
};

class RouteSource {
public:
    virtual ~RouteSource() = default;

    // Highest reader id + 1 that reader_online accepts.
    [[nodiscard]] virtual unsigned max_readers() const = 0;
    virtual void reader_online(unsigned reader) = 0;
    virtual void reader_offline(unsigned reader) = 0;
    virtual void quiescent(unsigned reader) = 0;

    // dst: IPv4 destinations in host byte order.
    virtual void lookup_bulk(TableId table, const std::uint32_t* dst, GroupView* out, unsigned n) = 0;
    // dst: IPv6 destinations, 16 bytes each in network byte order. Sources without IPv6 tables answer
    // NoRoute for every destination.
    virtual void lookup_bulk6(TableId table, const std::uint8_t (*dst)[16], GroupView* out, unsigned n) {
        (void)table;
        (void)dst;
        for (unsigned i = 0; i < n; ++i)
            out[i] = GroupView{};
    }
};

}  // namespace rf::dataplane
