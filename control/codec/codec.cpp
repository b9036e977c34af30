// Message framing (RFC 4271 §4.1) and the messages other than OPEN: UPDATE with its packers,
// NOTIFICATION, KEEPALIVE, ROUTE-REFRESH (RFC 2918, RFC 7313). The header check, the UPDATE walk and the
// packers stay in this one file so that the per-message and per-prefix paths inline into each other.
// OPEN is open.cpp's, path attributes attributes.cpp's.
#include "control/codec/codec.hpp"

#include <algorithm>
#include <cstring>

#include "control/codec/attributes.hpp"

namespace rf::bgp {

using detail::header_error;
using detail::load16;
using detail::Writer;

namespace {

constexpr AfiSafi kIpv4Unicast{Afi::Ipv4, Safi::Unicast};

WireError update_error(UpdateSubcode s, std::size_t offset, std::string_view field,
                       std::vector<std::uint8_t> data = {}) {
    return detail::wire_error(ErrorCode::UpdateMessage, static_cast<std::uint8_t>(s), offset, field,
                              std::move(data));
}

// RFC 7606 §3 d: well-known mandatory attributes missing from an UPDATE that announces routes make it
// treat-as-withdraw. `apos` is the offset of the Total Path Attribute Length field.
void report_missing_well_known(detail::UpdateDecodeState& st, std::size_t apos) {
    const Update& u = st.result.update;
    const bool announces = !u.nlri.empty() || (u.mp_reach && !u.mp_reach->nlri.empty());
    if (!announces) {
        return;
    }
    const auto missing = [&](AttrType t, std::string_view field) {
        WireError e = update_error(UpdateSubcode::MissingWellKnownAttribute, apos, field,
                                   {static_cast<std::uint8_t>(t)});
        e.action = Rfc7606Action::TreatAsWithdraw;
        detail::report(st, std::move(e));
    };
    const auto& a = u.attributes;
    if (!a.origin && !st.seen_type(AttrType::Origin)) {
        missing(AttrType::Origin, "ORIGIN missing");
    }
    if (!a.as_path && !st.seen_type(AttrType::AsPath)) {
        missing(AttrType::AsPath, "AS_PATH missing");
    }
    if (!u.nlri.empty() && !a.next_hop && !st.seen_type(AttrType::NextHop)) {
        missing(AttrType::NextHop, "NEXT_HOP missing");
    }
}

// An UPDATE whose header decode_header() accepted and whose buffer is exactly Length long: Withdrawn
// Routes, the path attributes, the NLRI, then the mandatory attribute check.
Result<DecodedUpdate, WireError> decode_update_body(Bytes message, const CodecOptions& options) {
    const std::uint8_t* p = message.data();
    const std::size_t n = message.size();
    DecodedUpdate out;
    Update& u = out.update;

    // Withdrawn Routes (RFC 4271 §4.3); lengths that overrun the message reset the session (RFC 7606 §4).
    const std::size_t wlen = load16(p + 19);
    if (wlen > n - 23) {
        return unexpected(update_error(UpdateSubcode::MalformedAttributeList, 19, "withdrawn routes length"));
    }
    const std::uint8_t* wp = p + 21;
    const bool v4_path_id = options.receives_path_id(kIpv4Unicast);
    std::size_t count = 0;
    std::size_t bad = 0;
    if (!detail::scan_nlri(wp, wlen, Afi::Ipv4, v4_path_id, count, bad)) {
        return unexpected(
            update_error(UpdateSubcode::InvalidNetworkField, 21 + bad, "withdrawn routes prefix"));
    }
    detail::read_nlri(wp, wlen, Afi::Ipv4, v4_path_id, count, u.withdrawn);

    const std::size_t apos = 21 + wlen;
    const std::size_t alen = load16(p + apos);
    if (alen > n - apos - 2) {
        return unexpected(
            update_error(UpdateSubcode::MalformedAttributeList, apos, "total path attribute length"));
    }
    detail::UpdateDecodeState st{options, out, apos + 2};
    detail::decode_attributes(p + apos + 2, alen, st);
    if (st.fatal) {
        return unexpected(std::move(st.fatal_error));
    }

    const std::size_t npos = apos + 2 + alen;
    if (!detail::scan_nlri(p + npos, n - npos, Afi::Ipv4, v4_path_id, count, bad)) {
        return unexpected(update_error(UpdateSubcode::InvalidNetworkField, npos + bad, "NLRI prefix"));
    }
    detail::read_nlri(p + npos, n - npos, Afi::Ipv4, v4_path_id, count, u.nlri);

    report_missing_well_known(st, apos);
    return out;
}

Result<Notification, WireError> decode_notification(Bytes m) {
    Notification nf;
    nf.code = m[19];
    nf.subcode = m[20];
    nf.data.assign(m.begin() + 21, m.end());
    return nf;
}

Result<RouteRefresh, WireError> decode_route_refresh(Bytes m) {
    // RFC 7313 §5: a ROUTE-REFRESH of any length but 4 (after the header) is an error of its own; the
    // NOTIFICATION carries the whole message.
    if (m.size() != kHeaderSize + 4) {
        return unexpected(
            detail::wire_error(ErrorCode::RouteRefreshMessage,
                               static_cast<std::uint8_t>(RouteRefreshSubcode::InvalidMessageLength), 16,
                               "ROUTE-REFRESH length", {m.begin(), m.end()}));
    }
    RouteRefresh r;
    r.family.afi = static_cast<Afi>(load16(m.data() + 19));
    r.subtype = m[21];
    r.family.safi = static_cast<Safi>(m[22]);
    return r;
}

// The end of the run of NLRI from `from` that fits in one message of at most `limit` octets whose other
// fields take `fixed` octets; `size` receives the message size with them.
inline std::size_t fit_nlri(std::span<const Nlri> nlri, std::size_t from, std::size_t fixed,
                            std::size_t limit, bool path_id, std::size_t& size) {
    size = fixed;
    std::size_t j = from;
    while (j < nlri.size() && size + detail::nlri_size(nlri[j], path_id) <= limit) {
        size += detail::nlri_size(nlri[j], path_id);
        ++j;
    }
    return j;
}

}  // namespace

// ------------------------------------------------------------------------------------ decoding

Result<Header, WireError> decode_header(Bytes bytes, const CodecOptions& options) {
    if (bytes.size() < kHeaderSize) {
        return unexpected(header_error(HeaderSubcode::BadMessageLength, bytes.size(), "header truncated"));
    }
    std::uint64_t marker[2];
    std::memcpy(marker, bytes.data(), 16);
    if ((marker[0] & marker[1]) != ~std::uint64_t{0}) {
        std::size_t i = 0;
        while (bytes[i] == 0xFF) {
            ++i;
        }
        return unexpected(header_error(HeaderSubcode::ConnectionNotSynchronized, i, "marker"));
    }
    const std::uint16_t length = load16(bytes.data() + 16);
    const std::uint8_t type = bytes[18];
    if (type < 1 || type > 5) {
        return unexpected(header_error(HeaderSubcode::BadMessageType, 18, "message type", {type}));
    }
    // RFC 4271 §6.1 minimums; RFC 8654 §3: with the extended message capability negotiated every message
    // but OPEN and KEEPALIVE may be up to 65,535 octets.
    std::size_t min = kHeaderSize;
    std::size_t max = kMaxMessageSize;
    switch (static_cast<MessageType>(type)) {
        case MessageType::Open:
            min = 29;
            break;
        case MessageType::Update:
            min = 23;
            max = options.max_message_size();
            break;
        case MessageType::Notification:
            min = 21;
            max = options.max_message_size();
            break;
        case MessageType::Keepalive:
            max = kHeaderSize;
            break;
        case MessageType::RouteRefresh:
            min = 23;
            max = options.max_message_size();
            break;
    }
    if (length < min || length > max) {
        return unexpected(
            header_error(HeaderSubcode::BadMessageLength, 16, "message length", {bytes[16], bytes[17]}));
    }
    return Header{length, static_cast<MessageType>(type)};
}

Result<DecodedUpdate, WireError> decode_update(Bytes message, const CodecOptions& options) {
    auto h = detail::check_whole(message, options, MessageType::Update);
    if (!h) {
        return unexpected(std::move(h).error());
    }
    return decode_update_body(message, options);
}

Result<Message, WireError> decode_message(Bytes message, const CodecOptions& options) {
    auto h = detail::decode_whole_header(message, options);
    if (!h) {
        return unexpected(std::move(h).error());
    }
    switch (h->type) {
        case MessageType::Open: {
            auto r = decode_open(message);
            if (!r) {
                return unexpected(std::move(r).error());
            }
            return Message{std::move(r).value()};
        }
        case MessageType::Update: {
            auto r = decode_update_body(message, options);
            if (!r) {
                return unexpected(std::move(r).error());
            }
            return Message{std::in_place_type<Update>, std::move(r.value().update)};
        }
        case MessageType::Notification: {
            auto r = decode_notification(message);
            return Message{std::move(r).value()};
        }
        case MessageType::Keepalive:
            return Message{Keepalive{}};
        case MessageType::RouteRefresh: {
            auto r = decode_route_refresh(message);
            if (!r) {
                return unexpected(std::move(r).error());
            }
            return Message{r.value()};
        }
    }
    return unexpected(header_error(HeaderSubcode::BadMessageType, 18, "message type", {message[18]}));
}

// ------------------------------------------------------------------------------------ encoding

void detail::write_header(std::size_t at, MessageType type, std::vector<std::uint8_t>& out) {
    std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(at), 16, std::uint8_t{0xFF});
    const std::size_t len = out.size() - at;
    out[at + 16] = static_cast<std::uint8_t>(len >> 8);
    out[at + 17] = static_cast<std::uint8_t>(len);
    out[at + 18] = static_cast<std::uint8_t>(type);
}

void encode_keepalive(std::vector<std::uint8_t>& out) {
    const std::size_t at = detail::begin_message(out);
    detail::write_header(at, MessageType::Keepalive, out);
}

void encode_notification(const Notification& n, std::vector<std::uint8_t>& out) {
    const std::size_t at = detail::begin_message(out);
    Writer w(out);
    w.u8(n.code);
    w.u8(n.subcode);
    // A NOTIFICATION is never longer than 4,096 octets: excess data is cut.
    w.bytes(n.data.data(), std::min<std::size_t>(n.data.size(), kMaxMessageSize - kHeaderSize - 2));
    detail::write_header(at, MessageType::Notification, out);
}

void encode_route_refresh(const RouteRefresh& r, std::vector<std::uint8_t>& out) {
    const std::size_t at = detail::begin_message(out);
    Writer w(out);
    w.u16(static_cast<std::uint16_t>(r.family.afi));
    w.u8(r.subtype);
    w.u8(static_cast<std::uint8_t>(r.family.safi));
    detail::write_header(at, MessageType::RouteRefresh, out);
}

bool encode_update(const Update& update, const CodecOptions& options, std::vector<std::uint8_t>& out) {
    const std::size_t at = detail::begin_message(out);
    Writer w(out);
    const bool v4_path_id = options.sends_path_id(kIpv4Unicast);
    w.u16(0);
    for (const auto& e : update.withdrawn) {
        detail::write_nlri(e, v4_path_id, w);
    }
    const std::size_t wlen = w.size() - at - kHeaderSize - 2;
    if (wlen > 0xFFFF) {
        out.resize(at);
        return false;
    }
    w.patch16(at + kHeaderSize, static_cast<std::uint16_t>(wlen));
    const std::size_t alen_at = w.size();
    w.u16(0);
    const detail::MpAttributes mp{update.mp_reach ? &*update.mp_reach : nullptr,
                                  update.mp_unreach ? &*update.mp_unreach : nullptr, &options};
    detail::encode_attributes(update.attributes, options, true, w, mp);
    const std::size_t alen = w.size() - alen_at - 2;
    if (alen > 0xFFFF) {
        out.resize(at);
        return false;
    }
    w.patch16(alen_at, static_cast<std::uint16_t>(alen));
    for (const auto& e : update.nlri) {
        detail::write_nlri(e, v4_path_id, w);
    }
    if (out.size() - at > options.max_message_size()) {
        out.resize(at);
        return false;
    }
    detail::write_header(at, MessageType::Update, out);
    return true;
}

void encode_path_attributes(const PathAttributes& attributes, const CodecOptions& options, bool with_next_hop,
                            std::vector<std::uint8_t>& out) {
    Writer w(out);
    detail::encode_attributes(attributes, options, with_next_hop, w);
}

std::size_t encode_announcements(const PathAttributes& attributes, AfiSafi family,
                                 std::span<const IpAddress> mp_next_hops, std::span<const Nlri> nlri,
                                 const CodecOptions& options, std::vector<std::uint8_t>& out) {
    const bool in_nlri_field = family == kIpv4Unicast;
    const bool path_id = options.sends_path_id(family);
    std::vector<std::uint8_t> attrs;
    Writer aw(attrs);
    std::size_t mp_at = 0;
    detail::encode_attributes(attributes, options, in_nlri_field, aw, {}, &mp_at);
    const std::size_t limit = options.max_message_size();
    // Fixed part: header, withdrawn length, attribute length, attributes, and for MP families the
    // MP_REACH_NLRI header (counted with a two-octet length) with AFI/SAFI, next hops and reserved octet.
    const std::size_t mp_fixed = in_nlri_field ? 0 : 4 + 3 + 1 + detail::mp_next_hop_size(mp_next_hops) + 1;
    const std::size_t fixed = kHeaderSize + 2 + 2 + attrs.size() + mp_fixed;
    std::size_t messages = 0;
    std::size_t i = 0;
    out.reserve(out.size() + fixed + nlri.size() * (path_id ? 9 : 5));
    while (i < nlri.size()) {
        std::size_t size = 0;
        const std::size_t j = fit_nlri(nlri, i, fixed, limit, path_id, size);
        if (j == i) {
            break;  // the attributes leave no room for even one NLRI
        }
        const std::size_t at = detail::begin_message(out);
        Writer w(out);
        w.u16(0);
        const std::size_t alen_at = w.size();
        w.u16(0);
        if (in_nlri_field) {
            w.bytes(attrs.data(), attrs.size());
        } else {
            w.bytes(attrs.data(), mp_at);
            detail::encode_mp_reach(family, mp_next_hops, nlri.subspan(i, j - i), path_id, w);
            w.bytes(attrs.data() + mp_at, attrs.size() - mp_at);
        }
        w.patch16(alen_at, static_cast<std::uint16_t>(w.size() - alen_at - 2));
        if (in_nlri_field) {
            for (std::size_t k = i; k < j; ++k) {
                detail::write_nlri(nlri[k], path_id, w);
            }
        }
        detail::write_header(at, MessageType::Update, out);
        ++messages;
        i = j;
    }
    return messages;
}

std::size_t encode_withdrawals(AfiSafi family, std::span<const Nlri> nlri, const CodecOptions& options,
                               std::vector<std::uint8_t>& out) {
    const bool in_field = family == kIpv4Unicast;
    const bool path_id = options.sends_path_id(family);
    const std::size_t limit = options.max_message_size();
    const std::size_t fixed = kHeaderSize + 2 + 2 + (in_field ? 0 : 4 + 3);
    std::size_t messages = 0;
    std::size_t i = 0;
    while (i < nlri.size()) {
        std::size_t size = 0;
        const std::size_t j = fit_nlri(nlri, i, fixed, limit, path_id, size);
        const std::size_t at = detail::begin_message(out);
        Writer w(out);
        if (in_field) {
            w.u16(static_cast<std::uint16_t>(size - fixed));
            for (std::size_t k = i; k < j; ++k) {
                detail::write_nlri(nlri[k], path_id, w);
            }
            w.u16(0);
        } else {
            w.u16(0);
            const std::size_t alen_at = w.size();
            w.u16(0);
            detail::encode_mp_unreach(family, nlri.subspan(i, j - i), path_id, w);
            w.patch16(alen_at, static_cast<std::uint16_t>(w.size() - alen_at - 2));
        }
        detail::write_header(at, MessageType::Update, out);
        ++messages;
        i = j;
    }
    return messages;
}

void encode_end_of_rib(AfiSafi family, std::vector<std::uint8_t>& out) {
    Update u;
    if (family != kIpv4Unicast) {
        u.mp_unreach = MpUnreach{family, {}};
    }
    [[maybe_unused]] const bool ok = encode_update(u, CodecOptions{}, out);
}

}  // namespace rf::bgp
