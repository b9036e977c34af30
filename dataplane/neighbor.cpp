#include "dataplane/neighbor.hpp"

#include <bit>

#include "dataplane/ecmp.hpp"

namespace rf::dataplane {

NeighborTable::NeighborTable(std::uint32_t capacity)
    : mask_(std::bit_ceil(std::max<std::uint32_t>(capacity, 8) * 2) - 1), limit_(std::max<std::uint32_t>(capacity, 8)) {
    entries_ = std::make_unique<Entry[]>(mask_ + 1);
}

std::uint32_t NeighborTable::find(std::uint32_t ip) const {
    if (ip == 0) return kNotFound;
    for (std::uint32_t i = static_cast<std::uint32_t>(mix64(ip)) & mask_, n = 0; n <= mask_; ++n, i = (i + 1) & mask_) {
        const std::uint32_t cur = entries_[i].ip.load(std::memory_order_acquire);
        if (cur == ip) return i;
        if (cur == 0) return kNotFound;
    }
    return kNotFound;
}

std::uint32_t NeighborTable::find_or_insert(std::uint32_t ip) {
    if (ip == 0) return kNotFound;
    for (std::uint32_t i = static_cast<std::uint32_t>(mix64(ip)) & mask_, n = 0; n <= mask_; ++n, i = (i + 1) & mask_) {
        std::uint32_t cur = entries_[i].ip.load(std::memory_order_acquire);
        if (cur == ip) return i;
        if (cur == 0) {
            if (size_.fetch_add(1, std::memory_order_relaxed) >= limit_) {
                size_.fetch_sub(1, std::memory_order_relaxed);
                return kNotFound;
            }
            if (entries_[i].ip.compare_exchange_strong(cur, ip, std::memory_order_acq_rel)) return i;
            size_.fetch_sub(1, std::memory_order_relaxed);
            if (cur == ip) return i;  // another thread inserted the same address
        }
    }
    return kNotFound;
}

void NeighborTable::resolve(std::uint32_t slot, std::uint16_t port, const MacAddress& mac) {
    std::uint64_t word = kValid | (std::uint64_t{port & 0xFFU} << 48);
    for (int b = 0; b < 6; ++b) word |= std::uint64_t{mac[static_cast<std::size_t>(b)]} << (40 - 8 * b);
    entries_[slot].resolution.store(word, std::memory_order_release);
}

MacAddress NeighborTable::mac_of(std::uint64_t resolution) {
    MacAddress mac{};
    for (int b = 0; b < 6; ++b) mac[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(resolution >> (40 - 8 * b));
    return mac;
}

std::vector<std::uint32_t> NeighborTable::incomplete() const {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i <= mask_; ++i)
        if (entries_[i].ip.load(std::memory_order_acquire) != 0 &&
            (entries_[i].resolution.load(std::memory_order_acquire) & kValid) == 0)
            out.push_back(i);
    return out;
}

}  // namespace rf::dataplane
