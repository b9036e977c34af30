#include "dataplane/flowgen.hpp"

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include <cstddef>
#include <cstring>
#include <unordered_map>

namespace rf::dataplane {

namespace {

Flow draw_flow(const Vm& vm, const std::vector<Destination>* dests, std::mt19937_64& rng) {
    Flow flow;
    flow.table = vm.table;
    flow.tuple.src = vm.ip;
    flow.tuple.proto = 17;
    flow.tuple.sport = static_cast<std::uint16_t>(1024 + rng() % 60000);
    flow.tuple.dport = static_cast<std::uint16_t>(1024 + rng() % 60000);
    if (dests != nullptr && !dests->empty()) {
        const Destination& d = (*dests)[rng() % dests->size()];
        const std::uint32_t host_mask = d.length >= 32 ? 0 : (0xFFFFFFFFU >> d.length);
        flow.tuple.dst = d.prefix | (static_cast<std::uint32_t>(rng()) & host_mask);
    }
    return flow;
}

Flow6 draw_flow6(const Vm& vm, const std::vector<Destination6>* dests, std::mt19937_64& rng) {
    Flow6 flow;
    flow.table = vm.table;
    flow.tuple.src = vm_ipv6(vm.ip);
    flow.tuple.proto = 17;
    flow.tuple.sport = static_cast<std::uint16_t>(1024 + rng() % 60000);
    flow.tuple.dport = static_cast<std::uint16_t>(1024 + rng() % 60000);
    if (dests != nullptr && !dests->empty()) {
        const Destination6& d = (*dests)[rng() % dests->size()];
        // Random host bits below the prefix length.
        for (std::size_t i = 0; i < 16; ++i) {
            const unsigned bit = static_cast<unsigned>(i) * 8;
            const auto r = static_cast<std::uint8_t>(rng());
            std::uint8_t keep = 0;
            if (d.length >= bit + 8) {
                keep = 0xFF;
            } else if (d.length > bit) {
                keep = static_cast<std::uint8_t>(0xFF << (8 - (d.length - bit)));
            }
            flow.tuple.dst[i] = static_cast<std::uint8_t>((d.prefix[i] & keep) | (r & ~keep));
        }
    }
    return flow;
}

template <class D>
const std::vector<D>* dests_of(const std::vector<std::vector<D>>& destinations, TableId table) {
    return table < destinations.size() ? &destinations[table] : nullptr;
}

}  // namespace

FlowTable make_flows(const Topology& topo, std::uint32_t flows_per_vm,
                     const std::vector<std::vector<Destination>>& destinations, std::uint64_t seed) {
    FlowTable t;
    t.flows_per_vm = flows_per_vm;
    t.flows.reserve(topo.vms.size() * flows_per_vm);
    std::mt19937_64 rng(seed);
    for (const auto& vm : topo.vms) {
        const auto* dests = dests_of(destinations, vm.table);
        for (std::uint32_t f = 0; f < flows_per_vm; ++f)
            t.flows.push_back(draw_flow(vm, dests, rng));
    }
    return t;
}

CarriedFlows carry_flows(const Topology& prev, const FlowTable& prev_flows, const Topology& next,
                         const std::vector<std::vector<Destination>>& destinations,
                         const std::vector<std::vector<Destination6>>& destinations6, std::uint64_t seed) {
    CarriedFlows out;
    FlowTable& t = out.flows;
    const std::uint32_t per_vm = prev_flows.flows_per_vm, per_vm6 = prev_flows.flows6_per_vm;
    t.flows_per_vm = per_vm;
    t.flows6_per_vm = per_vm6;
    t.flows.reserve(next.vms.size() * per_vm);
    t.flows6.reserve(next.vms.size() * per_vm6);
    std::unordered_map<std::uint32_t, std::size_t> before;  // address → index in prev.vms (= flow order)
    before.reserve(prev.vms.size());
    for (std::size_t i = 0; i < prev.vms.size(); ++i)
        before.emplace(prev.vms[i].ip, i);
    std::uint32_t matched = 0;
    for (const auto& vm : next.vms) {
        const auto it = before.find(vm.ip);
        if (it != before.end())
            ++matched;
        if (it != before.end() && prev.vms[it->second].table == vm.table) {
            const std::size_t i = it->second;
            t.flows.insert(t.flows.end(), prev_flows.flows.begin() + static_cast<std::ptrdiff_t>(i * per_vm),
                           prev_flows.flows.begin() + static_cast<std::ptrdiff_t>((i + 1) * per_vm));
            t.flows6.insert(t.flows6.end(),
                            prev_flows.flows6.begin() + static_cast<std::ptrdiff_t>(i * per_vm6),
                            prev_flows.flows6.begin() + static_cast<std::ptrdiff_t>((i + 1) * per_vm6));
            ++out.kept;
            continue;
        }
        std::mt19937_64 rng(seed ^ mix64(vm.ip));
        const auto* dests = dests_of(destinations, vm.table);
        for (std::uint32_t f = 0; f < per_vm; ++f)
            t.flows.push_back(draw_flow(vm, dests, rng));
        const auto* dests6 = dests_of(destinations6, vm.table);
        for (std::uint32_t f = 0; f < per_vm6; ++f)
            t.flows6.push_back(draw_flow6(vm, dests6, rng));
        ++out.fresh;
    }
    out.removed = static_cast<std::uint32_t>(prev.vms.size()) - matched;
    return out;
}

Ipv6Bytes vm_ipv6(std::uint32_t ipv4) {
    Ipv6Bytes a{};
    a[0] = 0xfd;
    a[12] = static_cast<std::uint8_t>(ipv4 >> 24);
    a[13] = static_cast<std::uint8_t>(ipv4 >> 16);
    a[14] = static_cast<std::uint8_t>(ipv4 >> 8);
    a[15] = static_cast<std::uint8_t>(ipv4);
    return a;
}

void add_flows6(FlowTable& t, const Topology& topo, std::uint32_t flows6_per_vm,
                const std::vector<std::vector<Destination6>>& destinations6, std::uint64_t seed) {
    t.flows6_per_vm = flows6_per_vm;
    t.flows6.clear();
    t.flows6.reserve(topo.vms.size() * flows6_per_vm);
    std::mt19937_64 rng(seed);
    for (const auto& vm : topo.vms) {
        const auto* dests = dests_of(destinations6, vm.table);
        for (std::uint32_t f = 0; f < flows6_per_vm; ++f)
            t.flows6.push_back(draw_flow6(vm, dests, rng));
    }
}

namespace {
struct Frame6 {
    rte_ether_hdr eth;
    rte_ipv6_hdr ip;
    rte_udp_hdr udp;
};
static_assert(offsetof(Frame6, ip) == 14 && offsetof(Frame6, udp) == 54, "wire layout");

struct Frame {
    rte_ether_hdr eth;
    rte_ipv4_hdr ip;
    rte_udp_hdr udp;
};
static_assert(offsetof(Frame, ip) == 14 && offsetof(Frame, udp) == 34, "wire layout");
}  // namespace

void write_packet(rte_mbuf* m, const FiveTuple& flow) {
    auto* f = rte_pktmbuf_mtod(m, Frame*);
    std::memset(f, 0, kFrameBytes);
    f->eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    f->ip.version_ihl = RTE_IPV4_VHL_DEF;
    f->ip.total_length = rte_cpu_to_be_16(kFrameBytes - sizeof(rte_ether_hdr));
    f->ip.time_to_live = 64;
    f->ip.next_proto_id = flow.proto;
    f->ip.src_addr = rte_cpu_to_be_32(flow.src);
    f->ip.dst_addr = rte_cpu_to_be_32(flow.dst);
    f->ip.hdr_checksum = rte_ipv4_cksum(&f->ip);
    f->udp.src_port = rte_cpu_to_be_16(flow.sport);
    f->udp.dst_port = rte_cpu_to_be_16(flow.dport);
    f->udp.dgram_len = rte_cpu_to_be_16(kFrameBytes - sizeof(rte_ether_hdr) - sizeof(rte_ipv4_hdr));
    m->data_len = kFrameBytes;
    m->pkt_len = kFrameBytes;
    m->l2_len = sizeof(rte_ether_hdr);
    m->l3_len = sizeof(rte_ipv4_hdr);
}

void write_packet6(rte_mbuf* m, const FiveTuple6& flow) {
    auto* f = rte_pktmbuf_mtod(m, Frame6*);
    std::memset(f, 0, kFrameBytes6);
    f->eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
    f->ip.vtc_flow = rte_cpu_to_be_32(6U << 28);
    f->ip.payload_len = rte_cpu_to_be_16(kFrameBytes6 - sizeof(rte_ether_hdr) - sizeof(rte_ipv6_hdr));
    f->ip.proto = flow.proto;
    f->ip.hop_limits = 64;
    std::memcpy(f->ip.src_addr, flow.src.data(), 16);
    std::memcpy(f->ip.dst_addr, flow.dst.data(), 16);
    f->udp.src_port = rte_cpu_to_be_16(flow.sport);
    f->udp.dst_port = rte_cpu_to_be_16(flow.dport);
    f->udp.dgram_len = f->ip.payload_len;
    m->data_len = kFrameBytes6;
    m->pkt_len = kFrameBytes6;
    m->l2_len = sizeof(rte_ether_hdr);
    m->l3_len = sizeof(rte_ipv6_hdr);
}

bool read_five_tuple6(const rte_mbuf* m, FiveTuple6* out) {
    if (m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr))
        return false;
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
        return false;
    const auto* ip = reinterpret_cast<const rte_ipv6_hdr*>(eth + 1);
    std::memcpy(out->src.data(), ip->src_addr, 16);
    std::memcpy(out->dst.data(), ip->dst_addr, 16);
    out->proto = ip->proto;
    out->sport = out->dport = 0;
    if ((ip->proto == 17 || ip->proto == 6) &&
        m->data_len >= sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr) + 4) {
        const auto* ports = reinterpret_cast<const std::uint8_t*>(ip + 1);
        out->sport = static_cast<std::uint16_t>((ports[0] << 8) | ports[1]);
        out->dport = static_cast<std::uint16_t>((ports[2] << 8) | ports[3]);
    }
    return true;
}

bool read_five_tuple(const rte_mbuf* m, FiveTuple* out) {
    if (m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr))
        return false;
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
        return false;
    const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
    out->src = rte_be_to_cpu_32(ip->src_addr);
    out->dst = rte_be_to_cpu_32(ip->dst_addr);
    out->proto = ip->next_proto_id;
    out->sport = out->dport = 0;
    const std::size_t ihl = static_cast<std::size_t>(ip->version_ihl & 0x0F) * 4;
    if ((ip->next_proto_id == 17 || ip->next_proto_id == 6) &&
        m->data_len >= sizeof(rte_ether_hdr) + ihl + 4) {
        const auto* ports = reinterpret_cast<const std::uint8_t*>(ip) + ihl;
        out->sport = static_cast<std::uint16_t>((ports[0] << 8) | ports[1]);
        out->dport = static_cast<std::uint16_t>((ports[2] << 8) | ports[3]);
    }
    return true;
}

}  // namespace rf::dataplane
