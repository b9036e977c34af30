// Helpers for the codec tests: byte builders for hand-made messages and capture loading.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "control/codec/codec.hpp"
#include "control/codec/text.hpp"

namespace rf::bgp::test {

using ByteVec = std::vector<std::uint8_t>;

inline ByteVec cat(std::initializer_list<ByteVec> parts) {
    ByteVec out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

inline ByteVec u16(unsigned v) {
    return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}
inline ByteVec u32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

// A whole message: marker, length, type, body.
inline ByteVec message(std::uint8_t type, const ByteVec& body) {
    ByteVec m(16, 0xFF);
    const ByteVec len = u16(static_cast<unsigned>(19 + body.size()));
    m.insert(m.end(), len.begin(), len.end());
    m.push_back(type);
    m.insert(m.end(), body.begin(), body.end());
    return m;
}

// One path attribute; the length octet(s) follow the Extended Length flag.
inline ByteVec attr(std::uint8_t flags, std::uint8_t type, const ByteVec& value) {
    ByteVec a{flags, type};
    if ((flags & attr_flag::ExtendedLength) != 0) {
        const ByteVec l = u16(static_cast<unsigned>(value.size()));
        a.insert(a.end(), l.begin(), l.end());
    } else {
        a.push_back(static_cast<std::uint8_t>(value.size()));
    }
    a.insert(a.end(), value.begin(), value.end());
    return a;
}

inline ByteVec update_msg(const ByteVec& withdrawn, const ByteVec& attrs, const ByteVec& nlri) {
    return message(2, cat({u16(static_cast<unsigned>(withdrawn.size())), withdrawn,
                           u16(static_cast<unsigned>(attrs.size())), attrs, nlri}));
}

// Well-formed attributes for an IPv4 announcement (2-octet AS_PATH when !four).
inline ByteVec origin_igp() {
    return attr(0x40, 1, {0});
}
inline ByteVec as_path_seq(std::initializer_list<std::uint32_t> asns, bool four = true) {
    ByteVec v{2, static_cast<std::uint8_t>(asns.size())};
    for (auto a : asns) {
        const ByteVec b = four ? u32(a) : u16(a);
        v.insert(v.end(), b.begin(), b.end());
    }
    return attr(0x40, 2, v);
}
inline ByteVec next_hop(std::uint32_t a = 0x64400001) {
    return attr(0x40, 3, u32(a));
}
inline ByteVec basic_attrs() {
    return cat({origin_igp(), as_path_seq({65001}), next_hop()});
}
inline ByteVec nlri_10_0_0() {
    return {24, 10, 0, 0};
}

inline Bytes view(const ByteVec& v) {
    return Bytes(v.data(), v.size());
}

inline std::string source_dir() {
    const char* d = std::getenv("RF_SOURCE_DIR");
    return d != nullptr ? d : ".";
}

inline ByteVec read_file(const std::string& rel) {
    std::ifstream in(source_dir() + "/" + rel, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Splits a byte stream into whole messages by their Length field.
inline std::vector<ByteVec> split_messages(const ByteVec& data) {
    std::vector<ByteVec> out;
    std::size_t pos = 0;
    while (data.size() - pos >= 19) {
        const std::size_t len = (std::size_t{data[pos + 16]} << 8) | data[pos + 17];
        if (len < 19 || pos + len > data.size()) {
            break;
        }
        out.emplace_back(data.begin() + static_cast<std::ptrdiff_t>(pos),
                         data.begin() + static_cast<std::ptrdiff_t>(pos + len));
        pos += len;
    }
    return out;
}

inline CodecOptions options_with_add_path(bool four = true) {
    CodecOptions o;
    o.four_octet_as = four;
    o.add_path_receive = {AfiSafi{Afi::Ipv4, Safi::Unicast}, AfiSafi{Afi::Ipv6, Safi::Unicast}};
    o.add_path_send = o.add_path_receive;
    return o;
}

}  // namespace rf::bgp::test
