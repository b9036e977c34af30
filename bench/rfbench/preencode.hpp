// UPDATE pre-encoder: every byte a generator peer will send is encoded before the clock starts, so the
// generator is never the bottleneck. Bulk loads are packed (as many NLRI per UPDATE as fit, attributes
// encoded once); churn events are one UPDATE per prefix, addressed by offset into one shared buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "bench/rfbench/prefix_set.hpp"
#include "control/codec/shared_message.hpp"

namespace rf::bench {

struct PackedUpdates {
    bgp::SharedMessage bytes;
    std::size_t messages = 0;
    std::size_t prefixes = 0;
};

// The path peer `peer` announces: ORIGIN IGP, AS_PATH = its ASN `path_length` times, NEXT_HOP = its next hop.
// Packed UPDATEs announcing universe indexes [first, first + count) (4-octet AS encoding).
PackedUpdates encode_announce_range(const PeerIdentity& peer, std::uint32_t path_length, std::uint32_t first,
                                    std::uint32_t count);
PackedUpdates encode_withdraw_range(std::uint32_t first, std::uint32_t count);

// One UPDATE per index: message i is bytes [offsets[i], offsets[i+1]).
struct SingleUpdates {
    bgp::SharedMessage bytes;
    std::vector<std::size_t> offsets;
};
SingleUpdates encode_single_announcements(const PeerIdentity& peer, std::uint32_t path_length,
                                          const std::vector<std::uint32_t>& indexes);
SingleUpdates encode_single_withdrawals(const std::vector<std::uint32_t>& indexes);

}  // namespace rf::bench
