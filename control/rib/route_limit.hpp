// The route limit (design §2). A peer's route count is the number of distinct prefixes in its
// Adj-RIB-In: re-advertising a prefix does not count twice, and with ADD-PATH a prefix counts once
// however many paths it has. RouteCounting::AzureStrict counts like Azure: the routes held after the
// withdrawals plus every NLRI of the incoming UPDATE (each path id once), so a peer holding 501 routes
// that re-advertises all of them counts 1,002.
#pragma once

#include <cstddef>

namespace rf::rib {

class LocRib;
struct ClassifiedUpdate;
struct RibPeer;

// The peer's route count once the UPDATE is applied (withdrawals first, as they are applied first), in
// the peer's counting mode. Checked before anything changes: an UPDATE that takes the count past the
// limit is not applied.
std::size_t route_count_after(const RibPeer& peer, const LocRib& loc_rib, const ClassifiedUpdate& update);

// An UPDATE checked against the peer's route limit.
struct RouteLimitCheck {
    std::size_t limit = 0;  // the peer's limit; 0: it has none, and nothing was counted
    std::size_t count = 0;  // with a limit: route_count_after()
    [[nodiscard]] bool exceeded() const { return limit != 0 && count > limit; }
};
RouteLimitCheck check_route_limit(const RibPeer& peer, const LocRib& loc_rib, const ClassifiedUpdate& update);

}  // namespace rf::rib
