#include "control/mrt/mrt_reader.hpp"

#include <algorithm>

#include "control/codec/codec.hpp"

namespace rf::mrt {

namespace {

constexpr std::uint16_t kAfiIpv4 = 1;
constexpr std::uint16_t kAfiIpv6 = 2;
constexpr std::uint8_t kPeerTypeIpv6 = 0x01;
constexpr std::uint8_t kPeerTypeAs4 = 0x02;
constexpr std::uint8_t kAttrExtendedLength = 0x10;

// A bounds-checked cursor over one record's body; every read names its field and fails with the file
// offset instead of reading past the end.
class Cursor {
public:
    Cursor(std::span<const std::uint8_t> bytes, std::size_t base) : bytes_(bytes), base_(base) {}

    [[nodiscard]] std::size_t offset() const { return base_ + pos_; }
    [[nodiscard]] std::size_t left() const { return bytes_.size() - pos_; }

    bool need(std::size_t n, std::string_view field, ReadError& err) const {
        if (left() >= n)
            return true;
        err = ReadError{ReadErrorKind::Truncated, offset(), field,
                        "needs " + std::to_string(n) + " bytes, " + std::to_string(left()) + " left"};
        return false;
    }
    std::uint8_t u8() { return bytes_[pos_++]; }
    std::uint16_t u16() {
        const auto v = static_cast<std::uint16_t>((bytes_[pos_] << 8) | bytes_[pos_ + 1]);
        pos_ += 2;
        return v;
    }
    std::uint32_t u32() {
        const std::uint32_t v = (std::uint32_t{bytes_[pos_]} << 24) |
                                (std::uint32_t{bytes_[pos_ + 1]} << 16) |
                                (std::uint32_t{bytes_[pos_ + 2]} << 8) | std::uint32_t{bytes_[pos_ + 3]};
        pos_ += 4;
        return v;
    }
    std::span<const std::uint8_t> take(std::size_t n) {
        const auto s = bytes_.subspan(pos_, n);
        pos_ += n;
        return s;
    }

private:
    std::span<const std::uint8_t> bytes_;
    std::size_t base_;
    std::size_t pos_ = 0;
};

Unexpected<ReadError> fail(ReadError e) {
    return unexpected(std::move(e));
}

Unexpected<ReadError> fail(ReadErrorKind kind, std::size_t offset, std::string_view field,
                           std::string detail = {}) {
    return unexpected(ReadError{kind, offset, field, std::move(detail)});
}

net::IpAddress address_from(std::span<const std::uint8_t> b) {
    net::IpAddress a;
    a.afi = b.size() == 4 ? net::Afi::Ipv4 : net::Afi::Ipv6;
    std::copy(b.begin(), b.end(), a.bytes.begin());
    return a;
}

// Next hops of an MP_REACH_NLRI: one IPv4 or IPv6 address, or IPv6 global + link-local (RFC 2545).
bool next_hops_from(std::span<const std::uint8_t> b, std::vector<net::IpAddress>& out) {
    if (b.size() == 4 || b.size() == 16) {
        out.push_back(address_from(b));
        return true;
    }
    if (b.size() == 32) {
        out.push_back(address_from(b.first(16)));
        out.push_back(address_from(b.subspan(16)));
        return true;
    }
    return false;
}

// A RIB entry's attribute area: MP_REACH_NLRI taken out (its next hops into `entry`), the rest decoded by
// the BGP codec's UPDATE decoder (an UPDATE without NLRI around the attributes, four-octet AS numbers).
ReadResult<bool> decode_entry_attributes(std::span<const std::uint8_t> attrs, std::size_t base,
                                         DecodedRibEntry& entry) {
    std::vector<std::uint8_t> msg(bgp::kHeaderSize, 0xFF);
    msg.push_back(0);  // withdrawn routes length
    msg.push_back(0);
    const std::size_t attr_len_at = msg.size();
    msg.push_back(0);
    msg.push_back(0);
    Cursor c(attrs, base);
    ReadError err;
    while (c.left() > 0) {
        const std::size_t at = c.offset();
        if (!c.need(2, "RIB entry attribute flags and type", err))
            return fail(std::move(err));
        const std::uint8_t flags = c.u8();
        const std::uint8_t type = c.u8();
        const bool ext = (flags & kAttrExtendedLength) != 0;
        if (!c.need(ext ? 2 : 1, "RIB entry attribute length", err))
            return fail(std::move(err));
        const std::size_t len = ext ? c.u16() : c.u8();
        const std::size_t value_at = c.offset();
        if (!c.need(len, "RIB entry attribute value", err))
            return fail(std::move(err));
        const auto value = c.take(len);
        if (type != static_cast<std::uint8_t>(bgp::AttrType::MpReachNlri)) {
            const auto whole = attrs.subspan(at - base, value_at - at + len);
            msg.insert(msg.end(), whole.begin(), whole.end());
            continue;
        }
        // RFC 6396 §4.3.4: the abbreviated form (next-hop length, next hops). Some writers put the full
        // attribute (AFI, SAFI, next-hop length, next hops, reserved, NLRI) here instead; both are read.
        std::span<const std::uint8_t> hops;
        if (!value.empty() && std::size_t{value[0]} + 1 == value.size()) {
            hops = value.subspan(1);
        } else if (value.size() >= 4 && std::size_t{value[3]} + 4 <= value.size()) {
            hops = value.subspan(4, value[3]);
        } else {
            return fail(ReadErrorKind::BadLength, value_at, "RIB entry MP_REACH_NLRI next-hop length",
                        "attribute of " + std::to_string(len) + " bytes");
        }
        if (!next_hops_from(hops, entry.next_hops))
            return fail(ReadErrorKind::BadLength, value_at, "RIB entry MP_REACH_NLRI next-hop length",
                        std::to_string(hops.size()) + " bytes of next hops");
    }
    const std::size_t area = msg.size() - attr_len_at - 2;
    if (msg.size() > 0xFFFF)
        return fail(ReadErrorKind::BadLength, base, "RIB entry attribute length", "over 65,535 bytes");
    msg[attr_len_at] = static_cast<std::uint8_t>(area >> 8);
    msg[attr_len_at + 1] = static_cast<std::uint8_t>(area);
    msg[16] = static_cast<std::uint8_t>(msg.size() >> 8);
    msg[17] = static_cast<std::uint8_t>(msg.size());
    msg[18] = static_cast<std::uint8_t>(bgp::MessageType::Update);
    bgp::CodecOptions as4;
    as4.four_octet_as = true;
    as4.extended_message = true;  // a RIB entry may hold up to 65,535 bytes of attributes
    auto decoded = bgp::decode_update(msg, as4);
    if (!decoded || decoded->action >= bgp::Rfc7606Action::TreatAsWithdraw) {
        const bgp::WireError& w = decoded ? decoded->problems.back() : decoded.error();
        // Codec offsets count from the synthetic UPDATE's start; the attributes start 23 bytes in.
        const std::size_t in_area = w.offset > attr_len_at + 2 ? w.offset - attr_len_at - 2 : 0;
        return fail(ReadErrorKind::BadAttributes, base + std::min(in_area, attrs.size()),
                    "RIB entry attributes", w.to_string());
    }
    entry.attributes = std::move(decoded->update.attributes);
    return true;
}

}  // namespace

std::string_view read_error_kind_name(ReadErrorKind k) {
    switch (k) {
        case ReadErrorKind::Truncated:
            return "truncated";
        case ReadErrorKind::BadLength:
            return "bad length";
        case ReadErrorKind::UnsupportedRecord:
            return "unsupported record";
        case ReadErrorKind::BadAddressFamily:
            return "bad address family";
        case ReadErrorKind::BadPrefixLength:
            return "bad prefix length";
        case ReadErrorKind::BadAttributes:
            return "bad attributes";
    }
    return "?";
}

std::string ReadError::to_string() const {
    std::string s = std::string(read_error_kind_name(kind)) + ": " + std::string(field) + " at offset " +
                    std::to_string(offset);
    if (!detail.empty())
        s += " (" + detail + ")";
    return s;
}

bool is_peer_index_table(const Record& r) {
    return r.type == static_cast<std::uint16_t>(Type::TableDumpV2) &&
           r.subtype == static_cast<std::uint16_t>(TableDumpV2Subtype::PeerIndexTable);
}

bool is_rib(const Record& r) {
    return r.type == static_cast<std::uint16_t>(Type::TableDumpV2) &&
           (r.subtype == static_cast<std::uint16_t>(TableDumpV2Subtype::RibIpv4Unicast) ||
            r.subtype == static_cast<std::uint16_t>(TableDumpV2Subtype::RibIpv6Unicast));
}

bool is_bgp4mp_message(const Record& r) {
    return (r.type == static_cast<std::uint16_t>(Type::Bgp4mp) ||
            r.type == static_cast<std::uint16_t>(Type::Bgp4mpEt)) &&
           (r.subtype == static_cast<std::uint16_t>(Bgp4mpSubtype::Message) ||
            r.subtype == static_cast<std::uint16_t>(Bgp4mpSubtype::MessageAs4));
}

bool is_bgp4mp_state_change(const Record& r) {
    return (r.type == static_cast<std::uint16_t>(Type::Bgp4mp) ||
            r.type == static_cast<std::uint16_t>(Type::Bgp4mpEt)) &&
           (r.subtype == kBgp4mpStateChange || r.subtype == kBgp4mpStateChangeAs4);
}

ReadResult<Record> read_record(std::span<const std::uint8_t> file, std::size_t offset) {
    if (offset > file.size())
        return fail(ReadErrorKind::Truncated, offset, "MRT common header", "offset past the end");
    Cursor c(file.subspan(offset), offset);
    ReadError err;
    if (!c.need(kCommonHeaderSize, "MRT common header", err))
        return fail(std::move(err));
    Record r;
    r.offset = offset;
    r.time.seconds = c.u32();
    r.type = c.u16();
    r.subtype = c.u16();
    const std::uint32_t length = c.u32();
    std::size_t body_len = length;
    if (r.type == static_cast<std::uint16_t>(Type::Bgp4mpEt)) {
        // §3: the microsecond timestamp is counted in the length.
        if (length < 4)
            return fail(ReadErrorKind::BadLength, offset + 8, "MRT record length",
                        "BGP4MP_ET record of " + std::to_string(length) + " bytes has no microseconds");
        if (!c.need(4, "BGP4MP_ET microsecond timestamp", err))
            return fail(std::move(err));
        r.time.microseconds = c.u32();
        body_len -= 4;
    }
    if (c.left() < body_len)
        return fail(ReadErrorKind::Truncated, offset + 8, "MRT record length",
                    "record of " + std::to_string(length) + " bytes, " +
                        std::to_string(file.size() - offset - kCommonHeaderSize) + " left in the file");
    r.body_offset = c.offset();
    r.body = c.take(body_len);
    return r;
}

ReadResult<PeerIndexTable> decode_peer_index_table(const Record& r) {
    if (!is_peer_index_table(r))
        return fail(ReadErrorKind::UnsupportedRecord, r.offset, "MRT type/subtype", "not a PEER_INDEX_TABLE");
    Cursor c(r.body, r.body_offset);
    ReadError err;
    PeerIndexTable t;
    if (!c.need(6, "PEER_INDEX_TABLE collector id and view name length", err))
        return fail(std::move(err));
    t.collector_id = net::Ipv4Address{c.u32()};
    const std::uint16_t name_len = c.u16();
    if (!c.need(name_len, "PEER_INDEX_TABLE view name", err))
        return fail(std::move(err));
    const auto name = c.take(name_len);
    t.view_name.assign(name.begin(), name.end());
    if (!c.need(2, "PEER_INDEX_TABLE peer count", err))
        return fail(std::move(err));
    const std::uint16_t count = c.u16();
    t.peers.reserve(std::min<std::size_t>(count, c.left() / 9));  // the smallest entry is 9 bytes
    for (std::uint16_t i = 0; i < count; ++i) {
        if (!c.need(5, "PEER_INDEX_TABLE peer type and BGP id", err))
            return fail(std::move(err));
        const std::uint8_t type = c.u8();
        PeerEntry p;
        p.bgp_id = net::Ipv4Address{c.u32()};
        const std::size_t alen = (type & kPeerTypeIpv6) != 0 ? 16 : 4;
        if (!c.need(alen, "PEER_INDEX_TABLE peer address", err))
            return fail(std::move(err));
        p.address = address_from(c.take(alen));
        const bool as4 = (type & kPeerTypeAs4) != 0;
        if (!c.need(as4 ? 4 : 2, "PEER_INDEX_TABLE peer AS", err))
            return fail(std::move(err));
        p.asn = as4 ? c.u32() : c.u16();
        t.peers.push_back(p);
    }
    return t;
}

ReadResult<DecodedRib> decode_rib(const Record& r) {
    if (!is_rib(r))
        return fail(ReadErrorKind::UnsupportedRecord, r.offset, "MRT type/subtype",
                    "not a RIB_IPV4/6_UNICAST");
    const bool v4 = r.subtype == static_cast<std::uint16_t>(TableDumpV2Subtype::RibIpv4Unicast);
    Cursor c(r.body, r.body_offset);
    ReadError err;
    DecodedRib rib;
    if (!c.need(5, "RIB sequence number and prefix length", err))
        return fail(std::move(err));
    rib.sequence = c.u32();
    const std::size_t len_at = c.offset();
    const std::uint8_t plen = c.u8();
    if (plen > (v4 ? 32 : 128))
        return fail(ReadErrorKind::BadPrefixLength, len_at, "RIB prefix length",
                    std::to_string(plen) + (v4 ? " for IPv4" : " for IPv6"));
    const std::size_t pbytes = (plen + 7U) / 8U;
    if (!c.need(pbytes, "RIB prefix", err))
        return fail(std::move(err));
    const auto pb = c.take(pbytes);
    rib.prefix = net::Prefix::make(v4 ? net::Afi::Ipv4 : net::Afi::Ipv6, plen, pb.data(), pb.size());
    if (!c.need(2, "RIB entry count", err))
        return fail(std::move(err));
    const std::uint16_t count = c.u16();
    rib.entries.reserve(std::min<std::size_t>(count, c.left() / 8));  // the smallest entry is 8 bytes
    for (std::uint16_t i = 0; i < count; ++i) {
        if (!c.need(8, "RIB entry peer index, originated time and attribute length", err))
            return fail(std::move(err));
        DecodedRibEntry e;
        e.peer_index = c.u16();
        e.originated = c.u32();
        const std::uint16_t alen = c.u16();
        const std::size_t attrs_at = c.offset();
        if (!c.need(alen, "RIB entry attributes", err))
            return fail(std::move(err));
        auto ok = decode_entry_attributes(c.take(alen), attrs_at, e);
        if (!ok)
            return fail(std::move(ok).error());
        rib.entries.push_back(std::move(e));
    }
    if (c.left() != 0)
        return fail(ReadErrorKind::BadLength, c.offset(), "RIB record length",
                    std::to_string(c.left()) + " bytes after the last entry");
    return rib;
}

namespace {

// The fields every BGP4MP subtype starts with (§4.4): peer and local AS, interface index, AFI, peer and
// local addresses.
struct Bgp4mpFields {
    std::uint32_t peer_asn = 0;
    std::uint32_t local_asn = 0;
    std::uint16_t interface_index = 0;
    net::IpAddress peer;
    net::IpAddress local;
};

ReadResult<Bgp4mpFields> read_bgp4mp_fields(Cursor& c, bool as4) {
    ReadError err;
    Bgp4mpFields f;
    if (!c.need(as4 ? 12 : 8, "BGP4MP AS numbers, interface index and address family", err))
        return fail(std::move(err));
    f.peer_asn = as4 ? c.u32() : c.u16();
    f.local_asn = as4 ? c.u32() : c.u16();
    f.interface_index = c.u16();
    const std::size_t afi_at = c.offset();
    const std::uint16_t afi = c.u16();
    if (afi != kAfiIpv4 && afi != kAfiIpv6)
        return fail(ReadErrorKind::BadAddressFamily, afi_at, "BGP4MP address family", std::to_string(afi));
    const std::size_t alen = afi == kAfiIpv4 ? 4 : 16;
    if (!c.need(2 * alen, "BGP4MP peer and local addresses", err))
        return fail(std::move(err));
    f.peer = address_from(c.take(alen));
    f.local = address_from(c.take(alen));
    return f;
}

}  // namespace

ReadResult<Bgp4mpStateChange> decode_bgp4mp_state_change(const Record& r) {
    if (!is_bgp4mp_state_change(r))
        return fail(ReadErrorKind::UnsupportedRecord, r.offset, "MRT type/subtype",
                    "not a BGP4MP(_ET) STATE_CHANGE or STATE_CHANGE_AS4");
    Cursor c(r.body, r.body_offset);
    auto f = read_bgp4mp_fields(c, r.subtype == kBgp4mpStateChangeAs4);
    if (!f)
        return fail(std::move(f).error());
    ReadError err;
    if (!c.need(4, "BGP4MP old and new state", err))
        return fail(std::move(err));
    Bgp4mpStateChange s;
    s.time = r.time;
    s.peer_asn = f->peer_asn;
    s.local_asn = f->local_asn;
    s.interface_index = f->interface_index;
    s.peer = f->peer;
    s.local = f->local;
    s.old_state = c.u16();
    s.new_state = c.u16();
    if (c.left() != 0)
        return fail(ReadErrorKind::BadLength, c.offset(), "BGP4MP STATE_CHANGE length",
                    std::to_string(c.left()) + " bytes after the new state");
    return s;
}

ReadResult<Bgp4mpMessage> decode_bgp4mp_message(const Record& r) {
    if (!is_bgp4mp_message(r))
        return fail(ReadErrorKind::UnsupportedRecord, r.offset, "MRT type/subtype",
                    "not a BGP4MP(_ET) MESSAGE or MESSAGE_AS4");
    const bool as4 = r.subtype == static_cast<std::uint16_t>(Bgp4mpSubtype::MessageAs4);
    Cursor c(r.body, r.body_offset);
    auto f = read_bgp4mp_fields(c, as4);
    if (!f)
        return fail(std::move(f).error());
    ReadError err;
    Bgp4mpMessage m;
    m.time = r.time;
    m.four_octet_as = as4;
    m.peer_asn = f->peer_asn;
    m.local_asn = f->local_asn;
    m.interface_index = f->interface_index;
    m.peer = f->peer;
    m.local = f->local;
    if (!c.need(bgp::kHeaderSize, "BGP4MP BGP message header", err))
        return fail(std::move(err));
    const std::size_t msg_at = c.offset();
    const auto rest = c.take(c.left());
    const std::size_t mlen = (std::size_t{rest[16]} << 8) | rest[17];
    if (mlen != rest.size())
        return fail(
            ReadErrorKind::BadLength, msg_at + 16, "BGP4MP BGP message length",
            "message says " + std::to_string(mlen) + " bytes, record holds " + std::to_string(rest.size()));
    m.message = rest;
    return m;
}

}  // namespace rf::mrt
