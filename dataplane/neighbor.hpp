// Next-hop IPv4 address → (port, MAC). Workers read and insert without locks: an entry's address is
// claimed by compare-and-swap, its resolution (port + MAC) is published as one 64-bit word. In virtual
// mode a next hop resolves at once to a synthetic MAC; in lab mode the entry stays incomplete until the
// resolver (the emulator's service thread: ARP, and NDP for NeighborTable6) sees a reply, and packets
// to it are dropped and counted meanwhile. The resolver also withdraws a resolution (invalidate()) when
// the neighbour stops answering its reachability probes; the entry is then incomplete again.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace rf::dataplane {

using MacAddress = std::array<std::uint8_t, 6>;

// 02:00:<ipv4> — locally administered, derived from the address (virtual mode).
constexpr MacAddress synthetic_mac(std::uint32_t ip) {
    return MacAddress{0x02,
                      0x00,
                      static_cast<std::uint8_t>(ip >> 24),
                      static_cast<std::uint8_t>(ip >> 16),
                      static_cast<std::uint8_t>(ip >> 8),
                      static_cast<std::uint8_t>(ip)};
}

class NeighborTable {
public:
    static constexpr std::uint32_t kNotFound = ~0U;

    // capacity: maximum distinct next hops (the table is sized 2x, power of two).
    explicit NeighborTable(std::uint32_t capacity = 4096);

    // Slot of `ip`, inserting an incomplete entry if absent; kNotFound when full.
    std::uint32_t find_or_insert(std::uint32_t ip);
    [[nodiscard]] std::uint32_t find(std::uint32_t ip) const;

    // Resolution word: bit 63 valid, bit 62 static (never probed nor expired), bits 48..55 port,
    // bits 0..47 MAC (byte 0 in bits 40..47).
    static constexpr std::uint64_t kValid = 1ULL << 63;
    static constexpr std::uint64_t kStatic = 1ULL << 62;
    static std::uint64_t resolution_word(std::uint16_t port, const MacAddress& mac, bool is_static);
    [[nodiscard]] std::uint64_t resolution(std::uint32_t slot) const {
        return entries_[slot].resolution.load(std::memory_order_acquire);
    }
    void resolve(std::uint32_t slot, std::uint16_t port, const MacAddress& mac, bool is_static = false) {
        entries_[slot].resolution.store(resolution_word(port, mac, is_static), std::memory_order_release);
    }
    // Back to incomplete (the neighbour stopped answering): packets to it are dropped until resolved.
    void invalidate(std::uint32_t slot) { entries_[slot].resolution.store(0, std::memory_order_release); }
    static MacAddress mac_of(std::uint64_t resolution);
    static std::uint16_t port_of(std::uint64_t resolution) {
        return static_cast<std::uint16_t>((resolution >> 48) & 0xFF);
    }

    // Marks a next hop as withdrawn (its peer went down) from `tsc` on; 0 clears it.
    void set_withdrawn(std::uint32_t slot, std::uint64_t tsc) {
        entries_[slot].withdrawn_tsc.store(tsc, std::memory_order_release);
    }
    [[nodiscard]] std::uint64_t withdrawn_tsc(std::uint32_t slot) const {
        return entries_[slot].withdrawn_tsc.load(std::memory_order_relaxed);
    }

    [[nodiscard]] std::uint32_t ip_of(std::uint32_t slot) const {
        return entries_[slot].ip.load(std::memory_order_acquire);
    }
    [[nodiscard]] std::uint32_t slots() const { return mask_ + 1; }
    // Slots that hold an address but no resolution yet (for the ARP resolver).
    [[nodiscard]] std::vector<std::uint32_t> incomplete() const;
    [[nodiscard]] std::uint32_t size() const { return size_.load(std::memory_order_relaxed); }

private:
    struct alignas(32) Entry {
        std::atomic<std::uint32_t> ip{0};  // 0 = free (0.0.0.0 is never a next hop)
        std::atomic<std::uint64_t> resolution{0};
        std::atomic<std::uint64_t> withdrawn_tsc{0};
    };
    std::unique_ptr<Entry[]> entries_;
    std::uint32_t mask_;
    std::uint32_t limit_;
    std::atomic<std::uint32_t> size_{0};
};

// 02:00:<last four bytes of the IPv6 address> (virtual mode).
inline MacAddress synthetic_mac6(const std::uint8_t* ip16) {
    return MacAddress{0x02, 0x00, ip16[12], ip16[13], ip16[14], ip16[15]};
}

// IPv6 next hops → (port, MAC), same lock-free scheme and resolution word as NeighborTable. An entry is
// claimed by compare-and-swap on its state (free → claiming), its 16-byte key written, then published
// (→ ready); a reader that meets a claiming entry waits the few stores it takes. In virtual mode next
// hops resolve at once to synthetic MACs; in lab mode by Neighbor Discovery (ndp.hpp), or statically.
class NeighborTable6 {
public:
    static constexpr std::uint32_t kNotFound = NeighborTable::kNotFound;
    explicit NeighborTable6(std::uint32_t capacity = 1024);

    std::uint32_t find_or_insert(const std::uint8_t* ip16);
    [[nodiscard]] std::uint32_t find(const std::uint8_t* ip16) const;
    [[nodiscard]] std::uint64_t resolution(std::uint32_t slot) const {
        return entries_[slot].resolution.load(std::memory_order_acquire);
    }
    void resolve(std::uint32_t slot, std::uint16_t port, const MacAddress& mac, bool is_static = false) {
        entries_[slot].resolution.store(NeighborTable::resolution_word(port, mac, is_static),
                                        std::memory_order_release);
    }
    void invalidate(std::uint32_t slot) { entries_[slot].resolution.store(0, std::memory_order_release); }
    // The address of `slot` (16 bytes, network order); false for a free slot.
    bool ip_of(std::uint32_t slot, std::uint8_t* ip16) const;
    [[nodiscard]] std::uint32_t slots() const { return mask_ + 1; }

private:
    enum : std::uint32_t { kFree = 0, kClaiming = 1, kReady = 2 };
    struct alignas(32) Entry {
        std::atomic<std::uint32_t> state{kFree};
        std::atomic<std::uint64_t> hi{0}, lo{0};
        std::atomic<std::uint64_t> resolution{0};
    };
    [[nodiscard]] bool wait_ready(const Entry& e) const;
    std::unique_ptr<Entry[]> entries_;
    std::uint32_t mask_;
    std::uint32_t limit_;
    std::atomic<std::uint32_t> size_{0};
};

}  // namespace rf::dataplane
