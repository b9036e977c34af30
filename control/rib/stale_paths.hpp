// The paths of one session marked stale. Enhanced route refresh (RFC 7313 §4): at the peer's BoRR for a
// family every path it has of that family becomes stale; a path the peer announces or withdraws again
// is no longer stale; at its EoRR (or when the session gives up waiting for it) the paths still stale
// are withdrawn. Graceful restart (RFC 4724 §4.2, graceful_restart.cpp) marks the same way when the
// peer's session goes down, and purges at its End-of-RIB or when a restart or stale-path timer expires.
// Stale paths stay in use until then, like any other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "control/rib/families.hpp"
#include "control/rib/prefix_key_hash.hpp"
#include "net/ip.hpp"

namespace rf::rib {

class LocRib;
struct RibPeer;

struct StaleKey {
    net::Prefix prefix;
    std::uint32_t rx = 0;  // the received ADD-PATH path identifier (0 without ADD-PATH receive)
    bool operator==(const StaleKey&) const = default;
};

struct StaleKeyHash {
    std::size_t operator()(const StaleKey& k) const {
        return PrefixKeyHash{}(k.prefix) ^ (std::size_t{k.rx} * 0x9E3779B97F4A7C15ULL);
    }
};

class StalePaths {
public:
    // Every path `peer` has now of family `fi` (families.hpp index) becomes stale, those already stale
    // included. Returns how many are stale.
    std::size_t mark(const RibPeer& peer, int fi, const LocRib& loc_rib);
    // The peer announced or withdrew the path again.
    void refreshed(const net::Prefix& prefix, std::uint32_t rx) {
        if (count_ != 0 && stale_[family_index(prefix.afi)].erase(StaleKey{prefix, rx}) != 0) {
            --count_;
        }
    }
    [[nodiscard]] bool contains(const net::Prefix& prefix, std::uint32_t rx) const {
        return count_ != 0 && stale_[family_index(prefix.afi)].count(StaleKey{prefix, rx}) != 0;
    }
    // The stale paths of family `fi`, taken out (to be withdrawn), in prefix order.
    std::vector<StaleKey> take(int fi);
    [[nodiscard]] std::size_t size() const { return count_; }

private:
    std::unordered_set<StaleKey, StaleKeyHash> stale_[kFamilyCount];
    std::size_t count_ = 0;
};

}  // namespace rf::rib
