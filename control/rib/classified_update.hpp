// An UPDATE as the RIB applies it: the NLRI to withdraw and to announce, per family, after the RFC 7606
// action and what was negotiated with the peer (families, ADD-PATH receive). Classifying changes
// nothing; the route limit counts the result (route_limit.hpp) and the Adj-RIB-In applies it
// (adj_rib_in.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "control/codec/codec.hpp"
#include "control/rib/rib.hpp"
#include "net/ip.hpp"

namespace rf::rib {

struct RibPeer;

// Where an announced NLRI came from; the two sources carry different next hops.
enum class NlriSource : std::uint8_t {
    NlriField,  // the UPDATE's NLRI field (IPv4): NEXT_HOP
    MpReach,    // MP_REACH_NLRI: its own next hops
};

struct ReceivedNlri {
    net::Prefix prefix;
    std::uint32_t rx = 0;  // the received path identifier where ADD-PATH receive was negotiated, else 0
    NlriSource source = NlriSource::NlriField;
};

struct ClassifiedUpdate {
    std::vector<ReceivedNlri> withdrawals;    // applied first
    std::vector<ReceivedNlri> announcements;  // then these
    // MP_REACH announces IPv4 NLRI with an IPv4 next hop: it becomes their NEXT_HOP.
    bool mp_v4_next_hop = false;
    // Every NLRI the UPDATE announced counted as received, those classifying drops counted as filtered
    // (RFC 7606, family, next hop); the Adj-RIB-In counts the rest as accepted or filtered.
    PrefixCounts counts;
};

// RFC 7606: TreatAsWithdraw (and the stronger AfiSafiDisable) withdraw every NLRI of the UPDATE,
// announced ones included; AttributeDiscard applies the UPDATE as decoded. Announcements of a family the
// peer did not negotiate are ignored; MP_REACH NLRI without a usable next hop are withdrawn. Each such
// announcement is counted as filtered, with its reason.
ClassifiedUpdate classify_update(const RibPeer& peer, const bgp::DecodedUpdate& decoded);

}  // namespace rf::rib
