#include "control/mrt/mrt.hpp"

#include <algorithm>

#include "control/codec/codec.hpp"

namespace rf::mrt {

namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void patch16(std::vector<std::uint8_t>& out, std::size_t at, std::uint16_t v) {
    out[at] = static_cast<std::uint8_t>(v >> 8);
    out[at + 1] = static_cast<std::uint8_t>(v);
}

void patch32(std::vector<std::uint8_t>& out, std::size_t at, std::uint32_t v) {
    out[at] = static_cast<std::uint8_t>(v >> 24);
    out[at + 1] = static_cast<std::uint8_t>(v >> 16);
    out[at + 2] = static_cast<std::uint8_t>(v >> 8);
    out[at + 3] = static_cast<std::uint8_t>(v);
}

void put_address(std::vector<std::uint8_t>& out, const net::IpAddress& a) {
    out.insert(out.end(), a.bytes.begin(), a.bytes.begin() + (a.is_v4() ? 4 : 16));
}

// Writes the common header with a zero length; returns where the record starts (finish_record fills the
// length from there).
std::size_t begin_record(std::vector<std::uint8_t>& out, std::uint32_t timestamp, Type type,
                         std::uint16_t subtype) {
    const std::size_t at = out.size();
    put32(out, timestamp);
    put16(out, static_cast<std::uint16_t>(type));
    put16(out, subtype);
    put32(out, 0);
    return at;
}

void finish_record(std::vector<std::uint8_t>& out, std::size_t at) {
    patch32(out, at + 8, static_cast<std::uint32_t>(out.size() - at - kCommonHeaderSize));
}

constexpr std::uint8_t kPeerTypeIpv6 = 0x01;
constexpr std::uint8_t kPeerTypeAs4 = 0x02;
constexpr std::uint16_t kAfiIpv4 = 1;
constexpr std::uint16_t kAfiIpv6 = 2;

}  // namespace

Timestamp timestamp_of(std::chrono::system_clock::time_point t) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    const auto clamped = std::max<std::int64_t>(us, 0);
    return Timestamp{static_cast<std::uint32_t>(clamped / 1000000),
                     static_cast<std::uint32_t>(clamped % 1000000)};
}

void encode_peer_index_table(const PeerIndexTable& table, std::uint32_t timestamp,
                             std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_record(out, timestamp, Type::TableDumpV2,
                                        static_cast<std::uint16_t>(TableDumpV2Subtype::PeerIndexTable));
    put32(out, table.collector_id.value);
    const std::size_t name_len = std::min<std::size_t>(table.view_name.size(), 0xFFFF);
    put16(out, static_cast<std::uint16_t>(name_len));
    out.insert(out.end(), table.view_name.begin(),
               table.view_name.begin() + static_cast<std::ptrdiff_t>(name_len));
    const std::size_t count = std::min<std::size_t>(table.peers.size(), 0xFFFF);
    put16(out, static_cast<std::uint16_t>(count));
    for (std::size_t i = 0; i < count; ++i) {
        const PeerEntry& p = table.peers[i];
        // Always four-octet AS numbers: one width for every peer keeps the table simple to read.
        out.push_back(static_cast<std::uint8_t>(kPeerTypeAs4 | (p.address.is_v4() ? 0 : kPeerTypeIpv6)));
        put32(out, p.bgp_id.value);
        put_address(out, p.address);
        put32(out, p.asn);
    }
    finish_record(out, at);
}

void encode_rib(std::uint32_t sequence, const net::Prefix& prefix, std::span<const RibEntry> entries,
                std::uint32_t timestamp, std::vector<std::uint8_t>& out) {
    const bool v4 = prefix.is_v4();
    const auto subtype = v4 ? TableDumpV2Subtype::RibIpv4Unicast : TableDumpV2Subtype::RibIpv6Unicast;
    const std::size_t at =
        begin_record(out, timestamp, Type::TableDumpV2, static_cast<std::uint16_t>(subtype));
    put32(out, sequence);
    out.push_back(prefix.length);
    const std::size_t prefix_bytes = (prefix.length + 7U) / 8U;
    out.insert(out.end(), prefix.bytes.begin(),
               prefix.bytes.begin() + static_cast<std::ptrdiff_t>(prefix_bytes));
    const std::size_t count = std::min<std::size_t>(entries.size(), 0xFFFF);
    put16(out, static_cast<std::uint16_t>(count));
    bgp::CodecOptions as4;  // RFC 6396 §4.3.4: AS numbers in RIB entries are four octets
    as4.four_octet_as = true;
    for (std::size_t i = 0; i < count; ++i) {
        const RibEntry& e = entries[i];
        put16(out, e.peer_index);
        put32(out, e.originated);
        const std::size_t len_at = out.size();
        put16(out, 0);
        // The abbreviated MP_REACH_NLRI (§4.3.4): next-hop length and next hops only. IPv6 routes always;
        // an IPv4 route only when its next hop is not a NEXT_HOP attribute (RFC 8950).
        const bool mp = !v4 || (!e.attributes->next_hop && !e.next_hops.empty());
        if (mp && !e.next_hops.empty()) {
            std::size_t nh_len = 0;
            for (const auto& a : e.next_hops) {
                nh_len += a.is_v4() ? 4 : 16;
            }
            nh_len = std::min<std::size_t>(nh_len, 255);
            out.push_back(bgp::attr_flag::Optional);
            out.push_back(static_cast<std::uint8_t>(bgp::AttrType::MpReachNlri));
            out.push_back(static_cast<std::uint8_t>(nh_len + 1));
            out.push_back(static_cast<std::uint8_t>(nh_len));
            std::size_t written = 0;
            for (const auto& a : e.next_hops) {
                const std::size_t n = a.is_v4() ? 4 : 16;
                if (written + n > nh_len) {
                    break;
                }
                put_address(out, a);
                written += n;
            }
        }
        bgp::encode_path_attributes(*e.attributes, as4, v4, out);
        patch16(out, len_at,
                static_cast<std::uint16_t>(std::min<std::size_t>(out.size() - len_at - 2, 0xFFFF)));
    }
    finish_record(out, at);
}

Bgp4mpSubtype bgp4mp_subtype(const Bgp4mpMessage& m) {
    const bool update =
        m.message.size() > 18 && m.message[18] == static_cast<std::uint8_t>(bgp::MessageType::Update);
    return update && !m.four_octet_as ? Bgp4mpSubtype::Message : Bgp4mpSubtype::MessageAs4;
}

void encode_bgp4mp_et(const Bgp4mpMessage& m, std::vector<std::uint8_t>& out) {
    const Bgp4mpSubtype subtype = bgp4mp_subtype(m);
    const std::size_t at =
        begin_record(out, m.time.seconds, Type::Bgp4mpEt, static_cast<std::uint16_t>(subtype));
    put32(out, m.time.microseconds);  // RFC 6396 §3: counted in the record's length
    if (subtype == Bgp4mpSubtype::MessageAs4) {
        put32(out, m.peer_asn);
        put32(out, m.local_asn);
    } else {
        put16(out, m.peer_asn > 0xFFFF ? bgp::kAsTrans : static_cast<std::uint16_t>(m.peer_asn));
        put16(out, m.local_asn > 0xFFFF ? bgp::kAsTrans : static_cast<std::uint16_t>(m.local_asn));
    }
    put16(out, m.interface_index);
    put16(out, m.peer.is_v4() ? kAfiIpv4 : kAfiIpv6);
    put_address(out, m.peer);
    if (m.local.afi == m.peer.afi) {
        put_address(out, m.local);
    } else {
        out.insert(out.end(), m.peer.is_v4() ? 4 : 16, std::uint8_t{0});
    }
    out.insert(out.end(), m.message.begin(), m.message.end());
    finish_record(out, at);
}

}  // namespace rf::mrt
