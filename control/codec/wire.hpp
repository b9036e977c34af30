// Internal to the codec: bounds-checked big-endian reading, appending writers, NLRI field codecs and
// the path attribute table interface. Not part of the public API (include codec.hpp instead).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "control/codec/codec.hpp"

namespace rf::bgp::detail {

inline std::uint16_t load16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((std::uint16_t{p[0]} << 8) | p[1]);
}
inline std::uint32_t load32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
inline std::uint64_t load64(const std::uint8_t* p) {
    return (std::uint64_t{load32(p)} << 32) | load32(p + 4);
}

// Appends big-endian fields to a byte vector.
class Writer {
public:
    explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) {
        const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
        out_.insert(out_.end(), b, b + 2);
    }
    void u32(std::uint32_t v) {
        const std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                                   static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
        out_.insert(out_.end(), b, b + 4);
    }
    void u64(std::uint64_t v) {
        u32(static_cast<std::uint32_t>(v >> 32));
        u32(static_cast<std::uint32_t>(v));
    }
    void bytes(const std::uint8_t* p, std::size_t n) { out_.insert(out_.end(), p, p + n); }
    [[nodiscard]] std::size_t size() const { return out_.size(); }
    void patch16(std::size_t at, std::uint16_t v) {
        out_[at] = static_cast<std::uint8_t>(v >> 8);
        out_[at + 1] = static_cast<std::uint8_t>(v);
    }
    std::vector<std::uint8_t>& buffer() { return out_; }

private:
    std::vector<std::uint8_t>& out_;
};

// Starts a path attribute: writes flags and type and reserves a two-octet length. end_attribute()
// fills the length and, when the value fits in one octet, drops the Extended Length bit and the spare
// octet, so the encoder always uses the shortest form.
inline std::size_t begin_attribute(Writer& w, std::uint8_t flags, std::uint8_t type) {
    const std::size_t at = w.size();
    w.u8(static_cast<std::uint8_t>(flags | attr_flag::ExtendedLength));
    w.u8(type);
    w.u16(0);
    return at;
}
inline void end_attribute(Writer& w, std::size_t at) {
    auto& out = w.buffer();
    const std::size_t len = out.size() - at - 4;
    if (len <= 255) {
        out[at] = static_cast<std::uint8_t>(out[at] & ~attr_flag::ExtendedLength);
        out[at + 2] = static_cast<std::uint8_t>(len);
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(at) + 3);
    } else {
        w.patch16(at + 2, static_cast<std::uint16_t>(len));
    }
}

// ------------------------------------------------------------------------------------------ NLRI

inline std::size_t max_prefix_bits(Afi afi) {
    return afi == Afi::Ipv4 ? 32 : 128;
}

// Checks an NLRI field (RFC 4271 §4.3, RFC 7911 §3) and counts its entries. Returns false on a length
// octet beyond the family maximum or an entry running past the end; `bad_at` is then its offset.
inline bool scan_nlri(const std::uint8_t* p, std::size_t n, Afi afi, bool path_id, std::size_t& count,
                      std::size_t& bad_at) {
    const std::size_t max_bits = max_prefix_bits(afi);
    const std::size_t head = path_id ? 5 : 1;
    std::size_t pos = 0;
    std::size_t c = 0;
    while (pos < n) {
        if (n - pos < head) {
            bad_at = pos;
            return false;
        }
        const std::size_t bits = p[pos + head - 1];
        const std::size_t bytes = (bits + 7) / 8;
        if (bits > max_bits || n - pos - head < bytes) {
            bad_at = pos;
            return false;
        }
        pos += head + bytes;
        ++c;
    }
    count = c;
    return true;
}

// Appends the entries of an NLRI field that scan_nlri() accepted. One resize, then each entry is
// written in place: no per-prefix allocation.
inline void read_nlri(const std::uint8_t* p, std::size_t n, Afi afi, bool path_id, std::size_t count,
                      std::vector<Nlri>& out) {
    const std::size_t base = out.size();
    out.resize(base + count);
    Nlri* dst = out.data() + base;
    const std::uint8_t* const end = p + n;
    while (p < end) {
        Nlri& e = *dst++;
        if (path_id) {
            e.path_id = load32(p);
            p += 4;
        }
        const unsigned bits = *p++;
        const unsigned bytes = (bits + 7) / 8;
        e.prefix.afi = afi;
        e.prefix.length = static_cast<std::uint8_t>(bits);
        if (afi == Afi::Ipv4 && end - p >= 4) {
            // Fast path: read four octets at once (in bounds) and mask to the prefix length.
            std::uint32_t v = load32(p);
            v &= bits == 0 ? 0U : ~std::uint32_t{0} << (32 - bits);
            e.prefix.bytes[0] = static_cast<std::uint8_t>(v >> 24);
            e.prefix.bytes[1] = static_cast<std::uint8_t>(v >> 16);
            e.prefix.bytes[2] = static_cast<std::uint8_t>(v >> 8);
            e.prefix.bytes[3] = static_cast<std::uint8_t>(v);
        } else if (bytes > 0) {
            std::memcpy(e.prefix.bytes.data(), p, bytes);
            if (bits % 8 != 0) {
                e.prefix.bytes[bytes - 1] &= static_cast<std::uint8_t>(0xFFU << (8 - bits % 8));
            }
        }
        p += bytes;
    }
}

// Size on the wire of one NLRI entry.
inline std::size_t nlri_size(const Nlri& e, bool path_id) {
    return (path_id ? 5U : 1U) + (e.prefix.length + 7U) / 8U;
}
inline void write_nlri(const Nlri& e, bool path_id, Writer& w) {
    if (path_id) {
        w.u32(e.path_id);
    }
    w.u8(e.prefix.length);
    w.bytes(e.prefix.bytes.data(), (e.prefix.length + 7U) / 8U);
}

// ----------------------------------------------------------------------------- path attributes

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

    [[nodiscard]] bool seen_type(AttrType t) const {
        const auto v = static_cast<std::uint8_t>(t);
        return ((seen[v / 32] >> (v % 32)) & 1U) != 0;
    }
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

std::string_view attribute_name(std::uint8_t type);

}  // namespace rf::bgp::detail
