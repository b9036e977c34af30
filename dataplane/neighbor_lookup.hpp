// The forwarding path's side of neighbour resolution: the (port, MAC) of the ECMP member a packet goes
// to, from the member's family's neighbour table — whatever the destination's family (an IPv4 route may
// have IPv6 next hops, RFC 8950, and the reverse). In virtual mode a next hop resolves at its first
// packet to its synthetic MAC; in lab mode its entry waits for the neighbour service (ARP, NDP:
// neighbor_service.hpp) and the caller drops packets to it meanwhile. Counts the packets each next hop
// was given. One object per worker: single writer of its counters, read by any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "dataplane/counters.hpp"
#include "dataplane/neighbor.hpp"

namespace rf::dataplane {

class NeighborLookup {
public:
    // `lab`: resolution is the neighbour service's; else next hops resolve to synthetic MACs on `nva_port`.
    NeighborLookup(NeighborTable& table, NeighborTable6& table6, bool lab, std::uint16_t nva_port)
        : table_(table),
          table6_(table6),
          lab_(lab),
          nva_port_(nva_port),
          packets_(std::make_unique<std::atomic<std::uint64_t>[]>(table.slots())),
          packets6_(std::make_unique<std::atomic<std::uint64_t>[]>(table6.slots())) {}

    // The resolution word (NeighborTable) of IPv4 next hop `ip` (host order), counting the packet; 0
    // (not kValid) when it has none yet. Consecutive packets mostly share a next hop: the last slot is
    // remembered (slots are never reused for another address).
    std::uint64_t resolve(std::uint32_t ip) {
        if (ip != last_ip_ || last_slot_ == NeighborTable::kNotFound) {
            last_slot_ = table_.find_or_insert(ip);
            last_ip_ = ip;
        }
        return resolution_of(table_, last_slot_, packets_.get(), [ip] { return synthetic_mac(ip); });
    }

    // The same for IPv6 next hop `ip16` (16 bytes, network order).
    std::uint64_t resolve6(const std::uint8_t* ip16) {
        return resolution_of(table6_, table6_.find_or_insert(ip16), packets6_.get(),
                             [ip16] { return synthetic_mac6(ip16); });
    }

    // Packets given to the next hop in `slot` of the IPv4 / IPv6 table.
    [[nodiscard]] std::uint64_t packets(std::uint32_t slot) const {
        return packets_[slot].load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t packets6(std::uint32_t slot) const {
        return packets6_[slot].load(std::memory_order_relaxed);
    }

private:
    // Slot `slot`'s resolution; in virtual mode an incomplete entry is resolved to `synthetic()` first.
    template <class Table, class SyntheticMac>
    std::uint64_t resolution_of(Table& table, std::uint32_t slot, std::atomic<std::uint64_t>* packets,
                                SyntheticMac synthetic) {
        if (slot == NeighborTable::kNotFound)
            return 0;
        std::uint64_t res = table.resolution(slot);
        if ((res & NeighborTable::kValid) == 0 && !lab_) {
            table.resolve(slot, nva_port_, synthetic());
            res = table.resolution(slot);
        }
        if ((res & NeighborTable::kValid) != 0)
            bump(packets[slot]);
        return res;
    }

    NeighborTable& table_;
    NeighborTable6& table6_;
    bool lab_;
    std::uint16_t nva_port_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> packets_, packets6_;
    std::uint32_t last_ip_ = 0;
    std::uint32_t last_slot_ = NeighborTable::kNotFound;
};

}  // namespace rf::dataplane
