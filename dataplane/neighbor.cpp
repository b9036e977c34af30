#include "dataplane/neighbor.hpp"

#include <bit>

#include "dataplane/flow_hash.hpp"

namespace rf::dataplane {

NeighborTable::NeighborTable(std::uint32_t capacity)
    : mask_(std::bit_ceil(std::max<std::uint32_t>(capacity, 8) * 2) - 1),
      limit_(std::max<std::uint32_t>(capacity, 8)) {
    entries_ = std::make_unique<Entry[]>(mask_ + 1);
}

std::uint32_t NeighborTable::find(std::uint32_t ip) const {
    if (ip == 0)
        return kNotFound;
    for (std::uint32_t i = static_cast<std::uint32_t>(mix64(ip)) & mask_, n = 0; n <= mask_;
         ++n, i = (i + 1) & mask_) {
        const std::uint32_t cur = entries_[i].ip.load(std::memory_order_acquire);
        if (cur == ip)
            return i;
        if (cur == 0)
            return kNotFound;
    }
    return kNotFound;
}

std::uint32_t NeighborTable::find_or_insert(std::uint32_t ip) {
    if (ip == 0)
        return kNotFound;
    for (std::uint32_t i = static_cast<std::uint32_t>(mix64(ip)) & mask_, n = 0; n <= mask_;
         ++n, i = (i + 1) & mask_) {
        std::uint32_t cur = entries_[i].ip.load(std::memory_order_acquire);
        if (cur == ip)
            return i;
        if (cur == 0) {
            if (size_.fetch_add(1, std::memory_order_relaxed) >= limit_) {
                size_.fetch_sub(1, std::memory_order_relaxed);
                return kNotFound;
            }
            if (entries_[i].ip.compare_exchange_strong(cur, ip, std::memory_order_acq_rel))
                return i;
            size_.fetch_sub(1, std::memory_order_relaxed);
            if (cur == ip)
                return i;  // another thread inserted the same address
        }
    }
    return kNotFound;
}

std::uint64_t NeighborTable::resolution_word(std::uint16_t port, const MacAddress& mac, bool is_static) {
    std::uint64_t word = kValid | (is_static ? kStatic : 0) | (std::uint64_t{port & 0xFFU} << 48);
    for (int b = 0; b < 6; ++b)
        word |= std::uint64_t{mac[static_cast<std::size_t>(b)]} << (40 - 8 * b);
    return word;
}

MacAddress NeighborTable::mac_of(std::uint64_t resolution) {
    MacAddress mac{};
    for (int b = 0; b < 6; ++b)
        mac[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(resolution >> (40 - 8 * b));
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

namespace {
std::uint64_t load64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | p[i];
    return v;
}
}  // namespace

NeighborTable6::NeighborTable6(std::uint32_t capacity)
    : mask_(std::bit_ceil(std::max<std::uint32_t>(capacity, 8) * 2) - 1),
      limit_(std::max<std::uint32_t>(capacity, 8)) {
    entries_ = std::make_unique<Entry[]>(mask_ + 1);
}

bool NeighborTable6::wait_ready(const Entry& e) const {
    for (int spin = 0; spin < 1000000; ++spin) {
        if (e.state.load(std::memory_order_acquire) == kReady)
            return true;
    }
    return false;  // a claimer that never finished: treat the slot as someone else's
}

std::uint32_t NeighborTable6::find(const std::uint8_t* ip16) const {
    const std::uint64_t hi = load64(ip16), lo = load64(ip16 + 8);
    for (std::uint32_t i = static_cast<std::uint32_t>(mix64(hi ^ mix64(lo))) & mask_, n = 0; n <= mask_;
         ++n, i = (i + 1) & mask_) {
        const Entry& e = entries_[i];
        const std::uint32_t st = e.state.load(std::memory_order_acquire);
        if (st == kFree)
            return kNotFound;
        if (st == kClaiming && !wait_ready(e))
            continue;
        if (e.hi.load(std::memory_order_relaxed) == hi && e.lo.load(std::memory_order_relaxed) == lo)
            return i;
    }
    return kNotFound;
}

std::uint32_t NeighborTable6::find_or_insert(const std::uint8_t* ip16) {
    const std::uint64_t hi = load64(ip16), lo = load64(ip16 + 8);
    if (hi == 0 && lo == 0)
        return kNotFound;
    for (std::uint32_t i = static_cast<std::uint32_t>(mix64(hi ^ mix64(lo))) & mask_, n = 0; n <= mask_;
         ++n, i = (i + 1) & mask_) {
        Entry& e = entries_[i];
        std::uint32_t st = e.state.load(std::memory_order_acquire);
        if (st == kFree) {
            if (size_.fetch_add(1, std::memory_order_relaxed) >= limit_) {
                size_.fetch_sub(1, std::memory_order_relaxed);
                return kNotFound;
            }
            if (e.state.compare_exchange_strong(st, kClaiming, std::memory_order_acq_rel)) {
                e.hi.store(hi, std::memory_order_relaxed);
                e.lo.store(lo, std::memory_order_relaxed);
                e.state.store(kReady, std::memory_order_release);
                return i;
            }
            size_.fetch_sub(1, std::memory_order_relaxed);  // lost the race: `st` is the winner's state
        }
        if (st == kClaiming && !wait_ready(e))
            continue;
        if (e.hi.load(std::memory_order_relaxed) == hi && e.lo.load(std::memory_order_relaxed) == lo)
            return i;
    }
    return kNotFound;
}

bool NeighborTable6::ip_of(std::uint32_t slot, std::uint8_t* ip16) const {
    const Entry& e = entries_[slot];
    if (e.state.load(std::memory_order_acquire) != kReady)
        return false;
    const std::uint64_t hi = e.hi.load(std::memory_order_relaxed), lo = e.lo.load(std::memory_order_relaxed);
    for (int i = 0; i < 8; ++i) {
        ip16[i] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
        ip16[8 + i] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
    }
    return true;
}

}  // namespace rf::dataplane
