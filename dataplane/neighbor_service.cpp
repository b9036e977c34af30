#include "dataplane/neighbor_service.hpp"

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cstring>

#include "dataplane/ndp.hpp"

namespace rf::dataplane {

namespace {

constexpr std::size_t kArpFrame = sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr);

void set_mac(rte_ether_addr* dst, const MacAddress& mac) {
    std::memcpy(dst->addr_bytes, mac.data(), 6);
}

std::uint64_t ms_to_tsc(unsigned ms) {
    return rte_get_tsc_hz() * ms / 1000;
}

// Polls (calling `poll` when the caller must run the resolver itself) until `done` or the timeout.
template <class Done, class Poll>
bool poll_until(Done done, Poll poll, double timeout_s) {
    const std::uint64_t deadline =
        rte_rdtsc() + static_cast<std::uint64_t>(timeout_s * static_cast<double>(rte_get_tsc_hz()));
    while (!done()) {
        if (rte_rdtsc() > deadline)
            return false;
        poll();
        rte_delay_us_sleep(1000);
    }
    return true;
}

}  // namespace

NeighborService::NeighborService(const NeighborServiceConfig& config, const PortSet& ports)
    : config_(config), ports_(ports) {
    timers_.resize(table_.slots());
    timers6_.resize(table6_.slots());
}

void NeighborService::poll() {
    if (!config_.lab)
        return;
    const std::uint16_t port = config_.port;
    rte_mbuf* pkts[32];
    // Every receive queue is polled (workers never receive): net_af_packet spreads received frames over
    // its queues (PACKET_FANOUT), so a reply may arrive on any of them.
    for (std::uint16_t q = 0; q < ports_.rx_queues(port); ++q) {
        for (int round = 0; round < 8; ++round) {
            const std::uint16_t n = ports_.receive(port, q, pkts, 32);
            for (std::uint16_t i = 0; i < n; ++i) {
                handle_frame(pkts[i], port);
                rte_pktmbuf_free(pkts[i]);
            }
            if (n < 32)
                break;
        }
    }
    const std::uint64_t now = rte_rdtsc();
    if (now - last_tick_tsc_ > ms_to_tsc(config_.retry_ms)) {
        last_tick_tsc_ = now;
        run_timers(now);
    }
}

void NeighborService::handle_frame(const rte_mbuf* m, std::uint16_t port) {
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    if (m->data_len >= sizeof(rte_ether_hdr) && eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
        handle_ndp(m, port);
    else if (m->data_len >= kArpFrame && eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
        handle_arp(rte_pktmbuf_mtod(m, const std::uint8_t*), port);
}

void NeighborService::handle_arp(const std::uint8_t* frame, std::uint16_t port) {
    const auto* eth = reinterpret_cast<const rte_ether_hdr*>(frame);
    const auto* arp = reinterpret_cast<const rte_arp_hdr*>(eth + 1);
    const std::uint32_t sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
    const std::uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
    if (op == RTE_ARP_OP_REPLY || op == RTE_ARP_OP_REQUEST) {
        // Learn from replies, and from requests of neighbours we already want (RFC 826 merge); a reply
        // also confirms the neighbour (reachability, run_timers()).
        const std::uint32_t slot = op == RTE_ARP_OP_REPLY ? table_.find_or_insert(sip) : table_.find(sip);
        if (slot != NeighborTable::kNotFound && (table_.resolution(slot) & NeighborTable::kStatic) == 0) {
            MacAddress mac{};
            std::memcpy(mac.data(), arp->arp_data.arp_sha.addr_bytes, 6);
            table_.resolve(slot, port, mac);
            if (op == RTE_ARP_OP_REPLY)
                timers_[slot] = ReachabilityTimer{rte_rdtsc(), 0, 0};
        }
    }
    if (op != RTE_ARP_OP_REQUEST || !config_.answer_arp ||
        rte_be_to_cpu_32(arp->arp_data.arp_tip) != config_.ipv4)
        return;
    // Answer for our own address, so the lab router can reach the emulated hosts' port.
    alignas(8) std::uint8_t reply[kArpFrame];
    auto* reth = reinterpret_cast<rte_ether_hdr*>(reply);
    auto* rarp = reinterpret_cast<rte_arp_hdr*>(reth + 1);
    *rarp = *arp;
    reth->dst_addr = eth->src_addr;
    set_mac(&reth->src_addr, ports_.mac(port));
    reth->ether_type = eth->ether_type;
    rarp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
    rarp->arp_data.arp_tha = arp->arp_data.arp_sha;
    rarp->arp_data.arp_tip = arp->arp_data.arp_sip;
    set_mac(&rarp->arp_data.arp_sha, ports_.mac(port));
    rarp->arp_data.arp_sip = arp->arp_data.arp_tip;
    ports_.send_frame(port, reply, kArpFrame);
}

void NeighborService::handle_ndp(const rte_mbuf* m, std::uint16_t port) {
    const auto msg = ndp::parse(rte_pktmbuf_mtod(m, const std::uint8_t*), m->data_len);
    if (!msg)
        return;
    if (msg->type == ndp::kAdvertisement) {
        // RFC 4861 7.2.5: only for a next hop we have an entry for. A new link-layer address replaces a
        // known one only with the Override flag; any accepted advertisement confirms the neighbour (the
        // answer to a DAD-style solicitation comes unsolicited, to all nodes).
        const std::uint32_t slot = table6_.find(msg->target.data());
        if (slot == NeighborTable6::kNotFound)
            return;
        const std::uint64_t res = table6_.resolution(slot);
        if ((res & NeighborTable::kStatic) != 0)
            return;
        const bool valid = (res & NeighborTable::kValid) != 0;
        if (msg->has_lladdr && (!valid || msg->override_flag || NeighborTable::mac_of(res) == msg->lladdr)) {
            table6_.resolve(slot, port, msg->lladdr);
        } else if (!valid || msg->has_lladdr) {
            return;  // nothing to learn (no address for an incomplete entry, or a non-override change)
        }
        timers6_[slot] = ReachabilityTimer{rte_rdtsc(), 0, 0};
        return;
    }
    // A solicitation: its source link-layer address updates a next hop we already have (RFC 4861 7.2.3,
    // as ARP requests do), then we answer if it asks for our own address.
    if (!ndp::is_unspecified(msg->src) && msg->has_lladdr) {
        const std::uint32_t slot = table6_.find(msg->src.data());
        if (slot != NeighborTable6::kNotFound && (table6_.resolution(slot) & NeighborTable::kStatic) == 0)
            table6_.resolve(slot, port, msg->lladdr);
    }
    if (!config_.answer_ndp || msg->target != config_.ipv6)
        return;
    const bool dad = ndp::is_unspecified(msg->src);  // answered to all nodes, unsolicited (7.2.4)
    const Ipv6Bytes dest = dad ? ndp::all_nodes() : msg->src;
    const MacAddress dest_mac = dad ? ndp::multicast_mac(dest) : msg->has_lladdr ? msg->lladdr : msg->eth_src;
    std::uint8_t frame[ndp::kMaxFrame];
    const std::size_t len =
        ndp::build_advertisement(frame, ports_.mac(port), dest_mac, config_.ipv6, dest, !dad);
    ports_.send_frame(port, frame, len);
}

// What to do with one entry now: solicit an incomplete one; probe a resolved one whose last
// confirmation is older than reachable_ms (up to `probes` times, probe_ms apart); expire it (and solicit
// again) when none was answered.
NeighborService::TimerAction NeighborService::next_action(ReachabilityTimer& t, std::uint64_t resolution,
                                                          const TimerClock& clock) const {
    if ((resolution & NeighborTable::kValid) == 0) {
        t = ReachabilityTimer{};
        return TimerAction::Solicit;
    }
    if ((resolution & NeighborTable::kStatic) != 0)
        return TimerAction::None;
    if (t.confirmed_tsc == 0) {  // resolved without a reply (an NS or ARP request merge)
        t.confirmed_tsc = clock.now;
        return TimerAction::None;
    }
    if (clock.now - t.confirmed_tsc < clock.reachable ||
        (t.probes != 0 && clock.now - t.probe_tsc < clock.probe_gap))
        return TimerAction::None;
    if (t.probes >= config_.probes) {
        t = ReachabilityTimer{};
        return TimerAction::ExpireAndSolicit;
    }
    ++t.probes;
    t.probe_tsc = clock.now;
    return TimerAction::Probe;
}

// One family's entries: `address(slot, ip)` is false for a free slot, `send(ip, unicast_mac)` solicits.
template <class Table, class Address, class AddressOf, class Send>
void NeighborService::run_timers(Table& table, std::vector<ReachabilityTimer>& timers,
                                 const TimerClock& clock, AddressOf address_of, Send send) {
    for (std::uint32_t slot = 0; slot < table.slots(); ++slot) {
        Address ip{};
        if (!address_of(slot, ip))
            continue;
        const std::uint64_t res = table.resolution(slot);
        const TimerAction action = next_action(timers[slot], res, clock);
        if (action == TimerAction::ExpireAndSolicit)
            table.invalidate(slot);
        const MacAddress mac = NeighborTable::mac_of(res);
        if (action != TimerAction::None)
            send(ip, action == TimerAction::Probe ? &mac : nullptr);
    }
}

void NeighborService::run_timers(std::uint64_t now) {
    const TimerClock clock{now, ms_to_tsc(config_.reachable_ms), ms_to_tsc(config_.probe_ms)};
    run_timers<NeighborTable, std::uint32_t>(
        table_, timers_, clock,
        [this](std::uint32_t slot, std::uint32_t& ip) { return (ip = table_.ip_of(slot)) != 0; },
        [this](std::uint32_t ip, const MacAddress* mac) { send_arp_request(ip, mac); });
    run_timers<NeighborTable6, Ipv6Bytes>(
        table6_, timers6_, clock,
        [this](std::uint32_t slot, Ipv6Bytes& ip) { return table6_.ip_of(slot, ip.data()); },
        [this](const Ipv6Bytes& ip, const MacAddress* mac) { send_solicitation(ip, mac); });
}

void NeighborService::send_arp_request(std::uint32_t target, const MacAddress* unicast_mac) {
    alignas(8) std::uint8_t frame[kArpFrame];
    auto* eth = reinterpret_cast<rte_ether_hdr*>(frame);
    auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
    const MacAddress& ours = ports_.mac(config_.port);
    if (unicast_mac != nullptr)
        set_mac(&eth->dst_addr, *unicast_mac);  // a reachability probe (RFC 1122 2.3.2.1)
    else
        std::memset(eth->dst_addr.addr_bytes, 0xFF, 6);
    set_mac(&eth->src_addr, ours);
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
    arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
    arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    arp->arp_hlen = RTE_ETHER_ADDR_LEN;
    arp->arp_plen = 4;
    arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
    set_mac(&arp->arp_data.arp_sha, ours);
    arp->arp_data.arp_sip = rte_cpu_to_be_32(config_.ipv4);
    std::memset(arp->arp_data.arp_tha.addr_bytes, 0, 6);
    arp->arp_data.arp_tip = rte_cpu_to_be_32(target);
    ports_.send_frame(config_.port, frame, kArpFrame);
}

void NeighborService::send_solicitation(const Ipv6Bytes& target, const MacAddress* unicast_mac) {
    std::uint8_t frame[ndp::kMaxFrame];
    // From the unspecified address an NS must go to the solicited-node group (RFC 4861 7.1.1).
    if (ndp::is_unspecified(config_.ipv6))
        unicast_mac = nullptr;
    const std::size_t len =
        ndp::build_solicitation(frame, ports_.mac(config_.port), config_.ipv6, target, unicast_mac);
    ports_.send_frame(config_.port, frame, len);
}

template <class Table>
bool NeighborService::wait_resolved(const Table& table, const std::vector<std::uint32_t>& slots,
                                    double timeout_s, bool run_poll) {
    if (run_poll)
        expedite();
    return poll_until(
        [&] {
            return std::all_of(slots.begin(), slots.end(), [&](std::uint32_t s) {
                return (table.resolution(s) & NeighborTable::kValid) != 0;
            });
        },
        [&] {
            if (run_poll)
                poll();
        },
        timeout_s);
}

bool NeighborService::resolve_all(std::span<const std::uint32_t> next_hops, double timeout_s, bool run_poll) {
    std::vector<std::uint32_t> slots;
    for (std::uint32_t nh : next_hops) {
        const std::uint32_t s = table_.find_or_insert(nh);
        if (s == NeighborTable::kNotFound)
            return false;
        if (!config_.lab)
            table_.resolve(s, config_.port, synthetic_mac(nh));
        slots.push_back(s);
    }
    return wait_resolved(table_, slots, timeout_s, run_poll);
}

bool NeighborService::resolve_all6(std::span<const Ipv6Bytes> next_hops, double timeout_s, bool run_poll) {
    std::vector<std::uint32_t> slots;
    for (const Ipv6Bytes& nh : next_hops) {
        const std::uint32_t s = table6_.find_or_insert(nh.data());
        if (s == NeighborTable6::kNotFound)
            return false;
        if (!config_.lab)
            table6_.resolve(s, config_.port, synthetic_mac6(nh.data()));
        slots.push_back(s);
    }
    return wait_resolved(table6_, slots, timeout_s, run_poll);
}

bool NeighborService::add_static6(const Ipv6Bytes& ip, const MacAddress& mac) {
    const std::uint32_t slot = table6_.find_or_insert(ip.data());
    if (slot == NeighborTable6::kNotFound)
        return false;
    table6_.resolve(slot, config_.port, mac, /*is_static=*/true);
    return true;
}

std::size_t NeighborService::memory_bytes() const {
    return sizeof(*this) + table_.slots() * (32 + sizeof(ReachabilityTimer)) +
           table6_.slots() * (32 + sizeof(ReachabilityTimer));
}

}  // namespace rf::dataplane
