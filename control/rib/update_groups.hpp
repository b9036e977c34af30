// Update groups: established peers whose Adj-RIB-Out bytes are identical (same negotiated codec options,
// families, ADD-PATH send families and next hop for originated routes) share one encoding. Within a
// group, the members of one neighbor may need other bytes (path hiding, RFC 7947 §2.3): every encoded
// segment names its receivers (a Target).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "control/codec/codec.hpp"
#include "control/codec/shared_message.hpp"
#include "control/rib/families.hpp"
#include "control/rib/peers.hpp"
#include "control/rib/rib.hpp"

namespace rf::rib {

// Everything that makes two peers' Adj-RIB-Out bytes identical.
struct GroupKey {
    bool four_octet_as = true;
    bool extended_message = false;
    std::vector<bgp::AfiSafi> add_path_send;
    unsigned families = 0;
    std::optional<net::IpAddress> nh_v4;  // next hop of originated routes
    std::optional<net::IpAddress> nh_v6;
    std::uint32_t asn = 0;  // only with suppress_peer_as_in_path
    // The members' export policies (PeerConfig::export_policy); empty: every route as today.
    policy::Chain export_chain;
    bool export_blocked = false;  // RFC 8212: policy required and no export chain, no learned route sent
    [[nodiscard]] bool exports_all() const { return export_chain.empty() && !export_blocked; }
    bool long_lived = false;  // receives LLGR_STALE paths (RFC 9494 §4.5)
    bool operator==(const GroupKey&) const = default;
};

// Who in a group receives a segment: the members of one neighbor (`only`), or every member except the
// neighbors listed (those get their own, path-hidden, segments).
struct Target {
    NeighborKey only = 0;
    std::vector<NeighborKey> except;  // sorted
    bool operator==(const Target&) const = default;
    [[nodiscard]] bool matches(NeighborKey nb) const {
        if (only != 0) {
            return only == nb;
        }
        return std::find(except.begin(), except.end(), nb) == except.end();
    }
};

// One encoded UPDATE (or withdrawal) message of a group, for one family and one target.
struct Segment {
    bgp::SharedMessage bytes;
    int family = 0;            // families.hpp index
    std::uint32_t target = 0;  // index into the targets that came with the segments
};

struct UpdateGroup {
    GroupKey key;
    bgp::CodecOptions codec;
    unsigned add_path = 0;       // families sent with path identifiers
    bool export_policy = false;  // !key.exports_all(): routes_for() ends with the export step
    std::vector<RibPeer*> members;
    std::vector<NeighborKey> member_neighbors;     // sorted, one entry per member
    bgp::PathAttributes originated[kFamilyCount];  // the VNet route's attributes per family
    // Full Adj-RIB-Out (initial table / route refresh), valid while table_generation matches
    // AdjRibOut's generation.
    std::uint64_t table_generation = ~std::uint64_t{0};
    std::vector<Segment> table;
    std::vector<Target> table_targets;

    [[nodiscard]] bool has_member(NeighborKey nb) const {
        return std::binary_search(member_neighbors.begin(), member_neighbors.end(), nb);
    }
    // The next hop of originated routes of family `fi`, if the group has one.
    [[nodiscard]] const std::optional<net::IpAddress>& originated_next_hop(int fi) const {
        return fi == 0 ? key.nh_v4 : key.nh_v6;
    }
};

class UpdateGroups {
public:
    explicit UpdateGroups(const RibConfig& config) : config_(config) {}

    // Puts the peer into the group of its key (a new one if none matches) and sets peer.group.
    UpdateGroup& join(RibPeer& peer);
    // Takes the peer out of its group (nothing more is encoded for it); an empty group goes, handed
    // back to a caller that still needs it (AdjRibOut::regroup), else destroyed.
    std::unique_ptr<UpdateGroup> leave(RibPeer& peer);
    // The key of the group the peer belongs in now.
    [[nodiscard]] GroupKey key_for(const RibPeer& peer) const { return key_for(peer.cfg, peer.families); }

    [[nodiscard]] std::size_t size() const { return groups_.size(); }
    template <typename F>  // f(UpdateGroup&)
    void for_each(F&& f) const {
        for (const auto& g : groups_) {
            f(*g);
        }
    }

private:
    [[nodiscard]] GroupKey key_for(const PeerConfig& c, unsigned families) const;

    const RibConfig& config_;
    std::vector<std::unique_ptr<UpdateGroup>> groups_;
};

}  // namespace rf::rib
