// Internal to the codec: the path attribute area of an UPDATE, decoded and encoded through the attribute
// table in attributes.cpp. codec.cpp drives it for whole UPDATEs. Not part of the public API.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "control/codec/wire.hpp"

namespace rf::bgp::detail {

// Everything one UPDATE decode accumulates (attributes.cpp fills it, codec.cpp drives it).
struct UpdateDecodeState {
    UpdateDecodeState(const CodecOptions& o, DecodedUpdate& r, std::size_t base)
        : options(o), result(r), base_offset(base) {}

    const CodecOptions& options;
    DecodedUpdate& result;
    std::size_t base_offset = 0;  // offset of the attribute area in the message
    std::uint32_t seen[8] = {};   // attribute type codes met so far (bitset)
    bool fatal = false;
    WireError fatal_error;
    // RFC 6793 §4.2.3 inputs, merged after all attributes are read.
    std::optional<AsPath> as4_path;
    std::optional<Aggregator> as4_aggregator;

    [[nodiscard]] bool seen_type(std::uint8_t type) const {
        return ((seen[type / 32] >> (type % 32)) & 1U) != 0;
    }
    [[nodiscard]] bool seen_type(AttrType t) const { return seen_type(static_cast<std::uint8_t>(t)); }
    void mark_seen(std::uint8_t type) { seen[type / 32] |= 1U << (type % 32); }
};

// Records a problem: the first SessionReset ends decoding, milder ones are collected.
void report(UpdateDecodeState& st, WireError error);

// Decodes the path attribute area of an UPDATE into st.result (RFC 4271 §4.3, RFC 7606).
void decode_attributes(const std::uint8_t* p, std::size_t n, UpdateDecodeState& st);

// MP_REACH_NLRI / MP_UNREACH_NLRI to write with the attributes (first, RFC 7606 §5.1).
struct MpAttributes {
    const MpReach* reach = nullptr;
    const MpUnreach* unreach = nullptr;
    const CodecOptions* options = nullptr;
};

// Encodes `mp` first (RFC 7606 §5.1), then `attributes` in ascending type code order (RFC 4271 §5),
// each in its shortest length form. With `with_next_hop` false the NEXT_HOP attribute is left out
// (UPDATEs that carry only MP_REACH NLRI, RFC 4760 §3). `mp_offset`, if given, receives the output size
// at the point where MP_REACH_NLRI goes, so that a packer can splice one in per message.
void encode_attributes(const PathAttributes& attributes, const CodecOptions& options, bool with_next_hop,
                       Writer& w, const MpAttributes& mp = {}, std::size_t* mp_offset = nullptr);

// Encodes MP_REACH_NLRI / MP_UNREACH_NLRI around the given NLRI.
void encode_mp_reach(AfiSafi family, std::span<const IpAddress> next_hops, std::span<const Nlri> nlri,
                     bool path_id, Writer& w);
void encode_mp_unreach(AfiSafi family, std::span<const Nlri> nlri, bool path_id, Writer& w);
inline std::size_t mp_next_hop_size(std::span<const IpAddress> next_hops) {
    std::size_t n = 0;
    for (const auto& a : next_hops) {
        n += a.is_v4() ? 4 : 16;
    }
    return n;
}

}  // namespace rf::bgp::detail
