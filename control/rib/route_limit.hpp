// The route limit (design §2). A peer's route count is the number of distinct prefixes in its
// Adj-RIB-In: re-advertising a prefix does not count twice, and with ADD-PATH a prefix counts once
// however many paths it has. RouteCounting::AzureStrict counts like Azure: the routes held after the
// withdrawals plus every NLRI of the incoming UPDATE (each path id once), so a peer holding 501 routes
// that re-advertises all of them counts 1,002.
//
// Two warnings watch the count (RouteLimitWatch): the threshold (a percentage of the limit, FRR's
// `maximum-prefix N 80`) and, when the peer's action is Warn, the limit itself. Each fires once when the
// count crosses it upwards and is re-armed when the count falls back below.
#pragma once

#include <cstddef>
#include <cstdint>

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

// The count at which the threshold warning fires: `percent` % of `limit`, rounded up, at least 1. 0 when
// there is no limit or no threshold (percent 0).
std::size_t warning_threshold(std::size_t limit, std::uint8_t percent);

// What one new count crossed upwards.
struct RouteLimitCrossing {
    bool threshold = false;  // the count reached the warning threshold
    bool limit = false;      // the count went past the limit (only reported with the Warn action)
};

// Where a peer stands against its threshold and limit, kept between UPDATEs.
struct RouteLimitWatch {
    bool above_threshold = false;  // count >= warning_threshold()
    bool above_limit = false;      // count > limit
    // Records `count`; returns what it crossed upwards. Falling back below re-arms a warning.
    RouteLimitCrossing observe(std::size_t count, std::size_t limit, std::uint8_t warning_percent);
};

}  // namespace rf::rib
