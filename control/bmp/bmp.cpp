#include "control/bmp/bmp.hpp"

#include <algorithm>

#include "control/codec/codec.hpp"

namespace rf::bmp {

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

void put64(std::vector<std::uint8_t>& out, std::uint64_t v) {
    put32(out, static_cast<std::uint32_t>(v >> 32));
    put32(out, static_cast<std::uint32_t>(v));
}

// Addresses take 16 octets; an IPv4 address sits in the last four, the rest zero (RFC 7854 §4.2).
void put_address16(std::vector<std::uint8_t>& out, const net::IpAddress& a) {
    if (a.is_v4()) {
        out.insert(out.end(), 12, 0);
        out.insert(out.end(), a.bytes.begin(), a.bytes.begin() + 4);
    } else {
        out.insert(out.end(), a.bytes.begin(), a.bytes.end());
    }
}

std::size_t begin_message(std::vector<std::uint8_t>& out, MessageType type) {
    const std::size_t at = out.size();
    out.push_back(kVersion);
    put32(out, 0);  // length, patched by finish_message
    out.push_back(static_cast<std::uint8_t>(type));
    return at;
}

void finish_message(std::vector<std::uint8_t>& out, std::size_t at) {
    const auto len = static_cast<std::uint32_t>(out.size() - at);
    out[at + 1] = static_cast<std::uint8_t>(len >> 24);
    out[at + 2] = static_cast<std::uint8_t>(len >> 16);
    out[at + 3] = static_cast<std::uint8_t>(len >> 8);
    out[at + 4] = static_cast<std::uint8_t>(len);
}

void put_peer_header(std::vector<std::uint8_t>& out, const Peer& p) {
    const bool loc_rib = p.table == Table::LocRib;
    out.push_back(static_cast<std::uint8_t>(loc_rib ? PeerType::LocRib : PeerType::Global));
    std::uint8_t flags = 0;
    if (!loc_rib) {
        flags |= p.address.is_v4() ? 0 : kFlagIpv6;
        flags |= p.table == Table::PostPolicy ? kFlagPostPolicy : 0;
        flags |= p.two_octet_as ? kFlagAs2 : 0;
    }
    out.push_back(flags);
    put64(out, p.distinguisher);
    if (loc_rib) {
        out.insert(out.end(), 16, 0);  // RFC 9069 §4.1: zero-filled
    } else {
        put_address16(out, p.address);
    }
    put32(out, p.asn);
    put32(out, p.bgp_id.value);
    put32(out, p.seconds);
    put32(out, p.microseconds);
}

void put_tlv(std::vector<std::uint8_t>& out, std::uint16_t type, const std::string& value) {
    const std::size_t len = std::min<std::size_t>(value.size(), 0xFFFF);
    put16(out, type);
    put16(out, static_cast<std::uint16_t>(len));
    out.insert(out.end(), value.begin(), value.begin() + static_cast<std::ptrdiff_t>(len));
}

bool is_gauge(StatType t) {
    return t == StatType::AdjRibInRoutes || t == StatType::LocRibRoutes || t == StatType::AdjRibInRoutesAfi ||
           t == StatType::LocRibRoutesAfi;
}

}  // namespace

void encode_initiation(std::span<const InformationTlv> tlvs, std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out, MessageType::Initiation);
    for (const auto& t : tlvs) {
        put_tlv(out, t.type, t.value);
    }
    finish_message(out, at);
}

void encode_peer_up(const Peer& peer, const PeerUp& up, std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out, MessageType::PeerUp);
    put_peer_header(out, peer);
    if (peer.table == Table::LocRib) {
        out.insert(out.end(), 16, 0);
    } else {
        put_address16(out, up.local_address);
    }
    put16(out, up.local_port);
    put16(out, up.remote_port);
    out.insert(out.end(), up.sent_open.begin(), up.sent_open.end());
    out.insert(out.end(), up.received_open.begin(), up.received_open.end());
    for (const auto& t : up.information) {
        put_tlv(out, t.type, t.value);
    }
    finish_message(out, at);
}

void encode_peer_down(const Peer& peer, const PeerDown& down, std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out, MessageType::PeerDown);
    put_peer_header(out, peer);
    out.push_back(static_cast<std::uint8_t>(down.reason));
    switch (down.reason) {
        case PeerDownReason::LocalNotification:
        case PeerDownReason::RemoteNotification:
            bgp::encode_notification(down.notification.value_or(bgp::Notification{}), out);
            break;
        case PeerDownReason::LocalNoNotification:
            put16(out, down.fsm_event);
            break;
        case PeerDownReason::RemoteNoData:
        case PeerDownReason::Deconfigured:
            break;
    }
    finish_message(out, at);
}

void encode_route_monitoring(const Peer& peer, std::span<const std::uint8_t> update,
                             std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out, MessageType::RouteMonitoring);
    put_peer_header(out, peer);
    out.insert(out.end(), update.begin(), update.end());
    finish_message(out, at);
}

void encode_statistics(const Peer& peer, std::span<const Statistic> stats, std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out, MessageType::StatisticsReport);
    put_peer_header(out, peer);
    put32(out, static_cast<std::uint32_t>(stats.size()));
    for (const auto& s : stats) {
        put16(out, static_cast<std::uint16_t>(s.type));
        const bool per_family = s.type == StatType::AdjRibInRoutesAfi || s.type == StatType::LocRibRoutesAfi;
        if (per_family) {
            put16(out, 11);
            const bgp::AfiSafi f = s.family.value_or(bgp::AfiSafi{});
            put16(out, static_cast<std::uint16_t>(f.afi));
            out.push_back(static_cast<std::uint8_t>(f.safi));
            put64(out, s.value);
        } else if (is_gauge(s.type)) {
            put16(out, 8);
            put64(out, s.value);
        } else {
            put16(out, 4);
            put32(out, static_cast<std::uint32_t>(std::min<std::uint64_t>(s.value, 0xFFFFFFFFU)));
        }
    }
    finish_message(out, at);
}

void encode_termination(TerminationReason reason, const std::string& text, std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out, MessageType::Termination);
    if (!text.empty()) {
        put_tlv(out, 0, text);
    }
    put16(out, 1);  // reason TLV
    put16(out, 2);
    put16(out, static_cast<std::uint16_t>(reason));
    finish_message(out, at);
}

std::optional<Header> decode_header(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < kCommonHeaderSize || bytes[0] != kVersion) {
        return std::nullopt;
    }
    Header h;
    h.length = (std::uint32_t{bytes[1]} << 24) | (std::uint32_t{bytes[2]} << 16) |
               (std::uint32_t{bytes[3]} << 8) | bytes[4];
    h.type = static_cast<MessageType>(bytes[5]);
    return h;
}

}  // namespace rf::bmp
