#include "control/rib/route_limit.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "control/rib/classified_update.hpp"
#include "control/rib/loc_rib.hpp"
#include "control/rib/peers.hpp"
#include "control/rib/prefix_key_hash.hpp"

namespace rf::rib {
namespace {

// What a session holds per prefix while an UPDATE is counted, one NLRI at a time. withdraw() is true
// when the withdrawal takes the prefix's last path away; announce() is true when the announcement
// brings a prefix the session does not hold at that point.

// Without ADD-PATH receive a session holds at most one path per prefix: its prefix index says it all.
class HeldPrefixes {
public:
    explicit HeldPrefixes(const AdjRibInIndex& index) : index_(index) {}
    bool withdraw(const ReceivedNlri& w) {
        return index_.prefixes.contains(w.prefix) && gone_.insert(w.prefix).second;
    }
    bool announce(const ReceivedNlri& a) {
        return (!index_.prefixes.contains(a.prefix) || gone_.count(a.prefix) != 0) &&
               added_.insert(a.prefix).second;
    }

private:
    const AdjRibInIndex& index_;
    std::unordered_set<net::Prefix, PrefixKeyHash> gone_;
    std::unordered_set<net::Prefix, PrefixKeyHash> added_;
};

// With ADD-PATH receive: the path identifiers the session holds per prefix, read from the Loc-RIB on
// first use and changed as the NLRI are counted.
class HeldPathIds {
public:
    HeldPathIds(const RibPeer& peer, const LocRib& loc_rib) : peer_(peer), loc_rib_(loc_rib) {}
    bool withdraw(const ReceivedNlri& w) {
        auto& ids = ids_of(w.prefix);
        const bool had = !ids.empty();
        std::erase(ids, w.rx);
        return had && ids.empty();
    }
    bool announce(const ReceivedNlri& a) {
        auto& ids = ids_of(a.prefix);
        if (std::find(ids.begin(), ids.end(), a.rx) != ids.end()) {
            return false;
        }
        const bool first = ids.empty();
        ids.push_back(a.rx);
        return first;
    }

private:
    std::vector<std::uint32_t>& ids_of(const net::Prefix& p) {
        auto [it, inserted] = ids_.try_emplace(p);
        if (inserted) {
            if (const PrefixPaths* paths = loc_rib_.find(p)) {
                for (std::size_t i = 0; i < paths->size(); ++i) {
                    if ((*paths)[i].session == peer_.session) {
                        it->second.push_back((*paths)[i].rx_id);
                    }
                }
            }
        }
        return it->second;
    }

    const RibPeer& peer_;
    const LocRib& loc_rib_;
    std::unordered_map<net::Prefix, std::vector<std::uint32_t>, PrefixKeyHash> ids_;
};

// The one count, for both counting modes.
template <typename Held>
std::size_t count_after(std::size_t held_now, const ClassifiedUpdate& update, azure::RouteCounting counting,
                        Held&& held) {
    std::size_t count = held_now;
    for (const auto& w : update.withdrawals) {
        count -= held.withdraw(w) ? 1 : 0;
    }
    if (counting == azure::RouteCounting::AzureStrict) {
        return count + update.announcements.size();
    }
    for (const auto& a : update.announcements) {
        count += held.announce(a) ? 1 : 0;
    }
    return count;
}

}  // namespace

std::size_t route_count_after(const RibPeer& peer, const LocRib& loc_rib, const ClassifiedUpdate& update) {
    const std::size_t held_now = peer.adj_rib_in.prefixes.size();
    if (peer.add_path_rx == 0) {
        return count_after(held_now, update, peer.cfg.counting, HeldPrefixes{peer.adj_rib_in});
    }
    return count_after(held_now, update, peer.cfg.counting, HeldPathIds{peer, loc_rib});
}

RouteLimitCheck check_route_limit(const RibPeer& peer, const LocRib& loc_rib,
                                  const ClassifiedUpdate& update) {
    const std::size_t limit = peer.cfg.route_limit;
    if (limit == 0) {
        return RouteLimitCheck{};
    }
    return RouteLimitCheck{limit, route_count_after(peer, loc_rib, update)};
}

std::size_t warning_threshold(std::size_t limit, std::uint8_t percent) {
    if (limit == 0 || percent == 0) {
        return 0;
    }
    // In 64 bits with rounding up: 75 % of 1,000 is 750, 80 % of 3 is 3 (2.4 routes cannot be reached).
    const std::uint64_t scaled = static_cast<std::uint64_t>(limit) * std::min<std::uint8_t>(percent, 100);
    return std::max<std::size_t>(1, static_cast<std::size_t>((scaled + 99) / 100));
}

RouteLimitCrossing RouteLimitWatch::observe(std::size_t count, std::size_t limit,
                                            std::uint8_t warning_percent) {
    RouteLimitCrossing crossed;
    const std::size_t threshold = warning_threshold(limit, warning_percent);
    const bool at_threshold = threshold != 0 && count >= threshold;
    const bool past_limit = limit != 0 && count > limit;
    crossed.threshold = at_threshold && !above_threshold;
    crossed.limit = past_limit && !above_limit;
    above_threshold = at_threshold;
    above_limit = past_limit;
    return crossed;
}

}  // namespace rf::rib
