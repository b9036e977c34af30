#include "control/rib/stale_paths.hpp"

#include <algorithm>

#include "control/rib/loc_rib.hpp"
#include "control/rib/peers.hpp"

namespace rf::rib {

std::size_t StalePaths::mark(const RibPeer& peer, int fi, const LocRib& loc_rib) {
    auto& set = stale_[fi];
    count_ -= set.size();
    set.clear();
    peer.adj_rib_in.prefixes.for_each([&](const net::Prefix& p, const net::PrefixMapEmpty&) {
        if (family_index(p.afi) != fi) {
            return;
        }
        const PrefixPaths* paths = loc_rib.find(p);
        if (paths == nullptr) {
            return;
        }
        for (std::size_t i = 0; i < paths->size(); ++i) {
            if ((*paths)[i].session == peer.session) {
                set.insert(StaleKey{p, (*paths)[i].rx_id});
            }
        }
    });
    count_ += set.size();
    return set.size();
}

std::vector<StaleKey> StalePaths::take(int fi) {
    auto& set = stale_[fi];
    std::vector<StaleKey> out(set.begin(), set.end());
    count_ -= set.size();
    set.clear();
    // Withdrawn in a fixed order, so that the UPDATE stream the other peers receive does not depend on
    // the hash table's.
    std::sort(out.begin(), out.end(), [](const StaleKey& a, const StaleKey& b) {
        return a.prefix < b.prefix || (a.prefix == b.prefix && a.rx < b.rx);
    });
    return out;
}

}  // namespace rf::rib
