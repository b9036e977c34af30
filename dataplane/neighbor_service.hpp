// The neighbour service: resolution of next hops on the NVA port in lab mode, run on the main lcore or
// the emulator's service thread. It owns the neighbour tables the workers read (neighbor.hpp) and:
//   - sends ARP requests (IPv4) and Neighbor Solicitations (IPv6, ndp.hpp) for incomplete next hops,
//     every `retry_ms`;
//   - learns resolutions from ARP replies and Neighbor Advertisements (and from ARP requests and
//     solicitations of neighbours it already has), and answers for its own port addresses;
//   - probes a resolved next hop not confirmed for `reachable_ms` unicast, up to `probes` times
//     `probe_ms` apart, while it keeps forwarding (RFC 4861 7.3 PROBE), and withdraws the resolution when
//     none is answered (the entry is solicited again from scratch). Static entries never expire.
// Outside lab mode next hops resolve at once to synthetic MACs (resolve_all) and nothing is sent.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "dataplane/flow_hash.hpp"
#include "dataplane/neighbor.hpp"
#include "dataplane/port_io.hpp"

struct rte_mbuf;

namespace rf::dataplane {

struct NeighborServiceConfig {
    bool lab = false;         // resolve by ARP and NDP on `port`
    std::uint16_t port = 0;   // the NVA port
    std::uint32_t ipv4 = 0;   // ARP sender address, host order (0: ARP probes, RFC 5227)
    Ipv6Bytes ipv6{};         // Neighbor Solicitation source (unspecified: DAD-style solicitations)
    bool answer_arp = false;  // `ipv4` is ours alone (not the kernel interface's): answer ARP for it
    bool answer_ndp = false;  // `ipv6` likewise, for Neighbor Solicitations
    unsigned retry_ms = 50;
    unsigned reachable_ms = 30000;
    unsigned probe_ms = 1000;
    unsigned probes = 3;
};

class NeighborService {
public:
    NeighborService(const NeighborServiceConfig& config, const PortSet& ports);

    [[nodiscard]] NeighborTable& table() { return table_; }
    [[nodiscard]] NeighborTable6& table6() { return table6_; }
    [[nodiscard]] const NeighborTable& table() const { return table_; }
    [[nodiscard]] const NeighborTable6& table6() const { return table6_; }
    [[nodiscard]] const NeighborServiceConfig& config() const { return config_; }

    // One round: frames received on the NVA port, then the timers when `retry_ms` has passed. Lab mode
    // only (a no-op otherwise).
    void poll();
    // Makes the next round run the timers at once (a caller waiting for resolutions).
    void expedite() { last_tick_tsc_ = 0; }

    // Inserts the next hops (resolving them at once outside lab mode) and polls until all are resolved
    // or `timeout_s` passed, running poll() itself when `run_poll` (no service thread does). False when
    // one is missing at the end or a table is full.
    bool resolve_all(std::span<const std::uint32_t> next_hops, double timeout_s, bool run_poll);
    bool resolve_all6(std::span<const Ipv6Bytes> next_hops, double timeout_s, bool run_poll);
    // A static IPv6 neighbour on the NVA port (never solicited, probed or expired).
    bool add_static6(const Ipv6Bytes& ip, const MacAddress& mac);

    [[nodiscard]] std::size_t memory_bytes() const;

private:
    // Resolver state per neighbour slot: last confirmation, last probe, probes sent.
    struct ReachabilityTimer {
        std::uint64_t confirmed_tsc = 0;
        std::uint64_t probe_tsc = 0;
        unsigned probes = 0;
    };
    enum class TimerAction { None, Solicit, Probe, ExpireAndSolicit };
    struct TimerClock {
        std::uint64_t now = 0;        // TSC
        std::uint64_t reachable = 0;  // reachable_ms in TSC ticks
        std::uint64_t probe_gap = 0;  // probe_ms in TSC ticks
    };

    void handle_frame(const rte_mbuf* m, std::uint16_t port);
    void handle_arp(const std::uint8_t* frame, std::uint16_t port);
    void handle_ndp(const rte_mbuf* m, std::uint16_t port);
    void run_timers(std::uint64_t now);
    template <class Table, class Address, class AddressOf, class Send>
    void run_timers(Table& table, std::vector<ReachabilityTimer>& timers, const TimerClock& clock,
                    AddressOf address_of, Send send);
    TimerAction next_action(ReachabilityTimer& t, std::uint64_t resolution, const TimerClock& clock) const;
    template <class Table>
    bool wait_resolved(const Table& table, const std::vector<std::uint32_t>& slots, double timeout_s,
                       bool run_poll);
    void send_arp_request(std::uint32_t target, const MacAddress* unicast_mac);
    void send_solicitation(const Ipv6Bytes& target, const MacAddress* unicast_mac);

    NeighborServiceConfig config_;
    const PortSet& ports_;
    NeighborTable table_;
    NeighborTable6 table6_;
    std::vector<ReachabilityTimer> timers_, timers6_;  // by slot
    std::uint64_t last_tick_tsc_ = 0;
};

}  // namespace rf::dataplane
