// Internal to the codec: big-endian reading and an appending writer, error values, message framing and
// the NLRI field codec. Not part of the public API (include codec.hpp instead).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>
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

// --------------------------------------------------------------------------------------- errors

// A wire error; the RFC 7606 action defaults to a session reset (every OPEN and header problem is one).
inline WireError wire_error(ErrorCode code, std::uint8_t subcode, std::size_t offset, std::string_view field,
                            std::vector<std::uint8_t> data = {},
                            Rfc7606Action action = Rfc7606Action::SessionReset) {
    WireError e;
    e.code = code;
    e.subcode = subcode;
    e.offset = offset;
    e.field = field;
    e.data = std::move(data);
    e.action = action;
    return e;
}
inline WireError header_error(HeaderSubcode s, std::size_t offset, std::string_view field,
                              std::vector<std::uint8_t> data = {}) {
    return wire_error(ErrorCode::MessageHeader, static_cast<std::uint8_t>(s), offset, field, std::move(data));
}

// ------------------------------------------------------------------------------------ framing

// Header of a complete message buffer: the header must be valid and the buffer exactly as long as the
// Length field says.
inline Result<Header, WireError> decode_whole_header(Bytes message, const CodecOptions& options) {
    auto h = decode_header(message, options);
    if (h && h->length != message.size()) {
        return unexpected(header_error(HeaderSubcode::BadMessageLength, 16,
                                       "message length differs from buffer", {message[16], message[17]}));
    }
    return h;
}

// The same, for a message that must be of `type`.
inline Result<Header, WireError> check_whole(Bytes message, const CodecOptions& options, MessageType type) {
    auto h = decode_whole_header(message, options);
    if (h && h->type != type) {
        return unexpected(
            header_error(HeaderSubcode::BadMessageType, 18, "unexpected message type", {message[18]}));
    }
    return h;
}

// Reserves a header at the end of `out`; write_header() fills it once the body is written.
inline std::size_t begin_message(std::vector<std::uint8_t>& out) {
    const std::size_t at = out.size();
    out.resize(at + kHeaderSize);
    return at;
}
// Fills the header reserved by begin_message() for the bytes written since. Out of line (codec.cpp):
// inlined into every encoder it made encode_update slower in codec_bench.
void write_header(std::size_t at, MessageType type, std::vector<std::uint8_t>& out);

// One AFI (two octets) and SAFI (one octet) back to back, as in MP_REACH_NLRI, MP_UNREACH_NLRI and the
// ADD-PATH and graceful restart capabilities.
inline AfiSafi load_afi_safi(const std::uint8_t* p) {
    return AfiSafi{static_cast<Afi>(load16(p)), static_cast<Safi>(p[2])};
}
inline void write_afi_safi(AfiSafi family, Writer& w) {
    w.u16(static_cast<std::uint16_t>(family.afi));
    w.u8(static_cast<std::uint8_t>(family.safi));
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
                      NlriList& out) {
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

}  // namespace rf::bgp::detail
