// The forwarding path of one host burst, written once for both address families (l3fwd's shape): read
// each packet's 5-tuple, bulk-look the destinations up in the VMs' route tables (one lookup per run of
// packets sharing a table), then per packet either drop and count it (no route, next hop None, an empty
// ECMP set, an unresolved next hop) or pick the ECMP member by the flow hash, resolve it to (port, MAC),
// rewrite the Ethernet header and queue the packet on the port facing the next hop.
//
// `Family` says how the family's packets and addresses look (Ipv4Packets, Ipv6Packets below); `Probe` is
// the convergence probe's policy (probe_checks.hpp) — with NoProbe the loop carries no probe code.
// Internal to the emulator's workers (worker.cpp); header-only so that it is inlined there.
#pragma once

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <cstdint>
#include <cstring>

#include "dataplane/counters.hpp"
#include "dataplane/flowgen.hpp"
#include "dataplane/neighbor_lookup.hpp"
#include "dataplane/port_io.hpp"
#include "dataplane/route_source.hpp"

namespace rf::dataplane {

constexpr unsigned kMaxBurst = 64;  // packets per host burst, at most
constexpr MacAddress kInternetGatewayMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

struct Ipv4Packets {
    using Tuple = FiveTuple;
    using Address = std::uint32_t;  // host byte order

    static bool read(const rte_mbuf* m, Tuple* t) { return read_five_tuple(m, t); }
    static void copy_destination(const Tuple& t, Address& dst) { dst = t.dst; }
    static void lookup(RouteSource& source, TableId table, const Address* dst, GroupView* out, unsigned n) {
        source.lookup_bulk(table, dst, out, n);
    }
    static MacAddress vnet_local_mac(const Address& dst) { return synthetic_mac(dst); }
};

struct Ipv6Packets {
    using Tuple = FiveTuple6;
    using Address = std::uint8_t[16];  // network byte order

    static bool read(const rte_mbuf* m, Tuple* t) { return read_five_tuple6(m, t); }
    static void copy_destination(const Tuple& t, Address& dst) { std::memcpy(dst, t.dst.data(), 16); }
    static void lookup(RouteSource& source, TableId table, const Address* dst, GroupView* out, unsigned n) {
        source.lookup_bulk6(table, dst, out, n);
    }
    static MacAddress vnet_local_mac(const Address& dst) { return synthetic_mac6(dst); }
};

// What a worker forwards with: its route source reader, neighbour lookup and transmit buffers.
struct ForwardingPath {
    RouteSource& source;
    NeighborLookup& neighbors;
    TxBuffers& tx;
    const PortSet& ports;
    std::uint16_t fabric_port;
    std::uint16_t internet_port;

    template <class Family, class Probe>
    void forward(HostCounters& hc, Probe& probe, rte_mbuf** pkts, const TableId* tables, unsigned n);

private:
    static void set_mac(rte_ether_addr* dst, const MacAddress& mac) {
        std::memcpy(dst->addr_bytes, mac.data(), 6);
    }
    // The resolution word of the ECMP member the flow picks, given to `probe`; not kValid: unresolved.
    template <class Address, class Probe>
    std::uint64_t resolve_member(const GroupView& v, std::uint64_t hash, const Address& dst, Probe& probe) {
        const std::uint32_t k = v.pick(hash);
        if (v.v6) {
            const std::uint8_t* next_hop = v.member6(k);
            const std::uint64_t res = neighbors.resolve6(next_hop);
            if ((res & NeighborTable::kValid) != 0)
                probe.sent_to6(next_hop, dst);
            return res;
        }
        const std::uint32_t next_hop = v.member(k);
        const std::uint64_t res = neighbors.resolve(next_hop);
        if ((res & NeighborTable::kValid) != 0)
            probe.sent_to(next_hop, dst);
        return res;
    }
};

template <class Family, class Probe>
void ForwardingPath::forward(HostCounters& hc, Probe& probe, rte_mbuf** pkts, const TableId* tables,
                             unsigned n) {
    typename Family::Address dst[kMaxBurst];
    std::uint64_t hash[kMaxBurst];
    GroupView views[kMaxBurst];
    for (unsigned i = 0; i < n; ++i) {
        typename Family::Tuple t;
        if (!Family::read(pkts[i], &t))
            t = typename Family::Tuple{};
        Family::copy_destination(t, dst[i]);
        hash[i] = flow_hash(t);
    }
    for (unsigned i = 0; i < n;) {
        unsigned j = i + 1;
        while (j < n && tables[j] == tables[i])
            ++j;
        Family::lookup(source, tables[i], dst + i, views + i, j - i);
        i = j;
    }
    std::uint64_t sent = 0;
    for (unsigned i = 0; i < n; ++i) {
        if (i + 4 < n)
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void*));
        const GroupView& v = views[i];
        auto* eth = rte_pktmbuf_mtod(pkts[i], rte_ether_hdr*);
        std::uint16_t port;
        if (v.kind == NextHopKind::Ip && v.count != 0) {
            const std::uint64_t res = resolve_member(v, hash[i], dst[i], probe);
            if ((res & NeighborTable::kValid) == 0) {
                bump(hc.drop_unresolved);
                rte_pktmbuf_free(pkts[i]);
                continue;
            }
            port = NeighborTable::port_of(res);
            set_mac(&eth->dst_addr, NeighborTable::mac_of(res));
        } else if (v.kind == NextHopKind::VnetLocal) {
            port = fabric_port;
            set_mac(&eth->dst_addr, Family::vnet_local_mac(dst[i]));
        } else if (v.kind == NextHopKind::Internet) {
            port = internet_port;
            set_mac(&eth->dst_addr, kInternetGatewayMac);
        } else {  // no route, next hop None, or an empty ECMP set (which forwards nowhere)
            bump(v.kind == NextHopKind::NoRoute ? hc.drop_no_route : hc.drop_none);
            probe.dropped(dst[i]);
            rte_pktmbuf_free(pkts[i]);
            continue;
        }
        set_mac(&eth->src_addr, ports.mac(port));
        ++sent;
        tx.enqueue(port, pkts[i]);
    }
    if (sent != 0)
        bump(hc.tx, sent);
}

}  // namespace rf::dataplane
