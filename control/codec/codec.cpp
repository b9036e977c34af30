// Message framing and the five message types (RFC 4271 §4, RFC 2918, RFC 7313); path attributes live
// in attributes.cpp.
#include "control/codec/codec.hpp"

#include <algorithm>
#include <cstring>

#include "control/codec/wire.hpp"

namespace rf::bgp {

using detail::load16;
using detail::load32;
using detail::Writer;

namespace {

WireError error(ErrorCode code, std::uint8_t subcode, std::size_t offset, std::string_view field,
                std::vector<std::uint8_t> data = {}) {
    WireError e;
    e.code = code;
    e.subcode = subcode;
    e.offset = offset;
    e.field = field;
    e.data = std::move(data);
    e.action = Rfc7606Action::SessionReset;
    return e;
}
WireError header_error(HeaderSubcode s, std::size_t offset, std::string_view field,
                       std::vector<std::uint8_t> data = {}) {
    return error(ErrorCode::MessageHeader, static_cast<std::uint8_t>(s), offset, field, std::move(data));
}
WireError open_error(OpenSubcode s, std::size_t offset, std::string_view field,
                     std::vector<std::uint8_t> data = {}) {
    return error(ErrorCode::OpenMessage, static_cast<std::uint8_t>(s), offset, field, std::move(data));
}
WireError open_unspecific(std::size_t offset, std::string_view field) {
    return error(ErrorCode::OpenMessage, 0, offset, field);
}

bool contains(const std::vector<AfiSafi>& v, AfiSafi f) {
    return std::find(v.begin(), v.end(), f) != v.end();
}

// Header of a complete message buffer: the header must be valid, of `type`, and the buffer exactly as
// long as the Length field says.
Result<Header, WireError> check_whole(Bytes message, const CodecOptions& options, MessageType type) {
    auto h = decode_header(message, options);
    if (!h) {
        return unexpected(std::move(h).error());
    }
    if (h->length != message.size()) {
        return unexpected(header_error(HeaderSubcode::BadMessageLength, 16,
                                       "message length differs from buffer", {message[16], message[17]}));
    }
    if (h->type != type) {
        return unexpected(
            header_error(HeaderSubcode::BadMessageType, 18, "unexpected message type", {message[18]}));
    }
    return h;
}

void write_header(std::size_t at, MessageType type, std::vector<std::uint8_t>& out) {
    std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(at), 16, std::uint8_t{0xFF});
    const std::size_t len = out.size() - at;
    out[at + 16] = static_cast<std::uint8_t>(len >> 8);
    out[at + 17] = static_cast<std::uint8_t>(len);
    out[at + 18] = static_cast<std::uint8_t>(type);
}
std::size_t begin_message(std::vector<std::uint8_t>& out) {
    const std::size_t at = out.size();
    out.resize(at + kHeaderSize);
    return at;
}

// ------------------------------------------------------------------------------ OPEN capabilities

Result<bool, WireError> decode_capability(std::uint8_t code, const std::uint8_t* v, std::size_t len,
                                          std::size_t offset, Capabilities& caps) {
    const auto bad = [&](std::string_view what) { return unexpected(open_unspecific(offset, what)); };
    switch (static_cast<CapabilityCode>(code)) {
        case CapabilityCode::Multiprotocol:
            if (len != 4) {
                return bad("multiprotocol capability length");
            }
            caps.multiprotocol.push_back(AfiSafi{static_cast<Afi>(load16(v)), static_cast<Safi>(v[3])});
            return true;
        case CapabilityCode::RouteRefresh:
            if (len != 0) {
                return bad("route refresh capability length");
            }
            caps.route_refresh = true;
            return true;
        case CapabilityCode::EnhancedRouteRefresh:
            if (len != 0) {
                return bad("enhanced route refresh capability length");
            }
            caps.enhanced_route_refresh = true;
            return true;
        case CapabilityCode::ExtendedMessage:
            if (len != 0) {
                return bad("extended message capability length");
            }
            caps.extended_message = true;
            return true;
        case CapabilityCode::FourOctetAs:
            if (len != 4) {
                return bad("4-octet AS capability length");
            }
            caps.four_octet_as = load32(v);
            return true;
        case CapabilityCode::GracefulRestart: {
            if (len < 2 || (len - 2) % 4 != 0) {
                return bad("graceful restart capability length");
            }
            GracefulRestart gr;
            gr.restart_state = (v[0] & 0x80) != 0;
            gr.notification = (v[0] & 0x40) != 0;
            gr.restart_time = static_cast<std::uint16_t>(load16(v) & 0x0FFF);
            for (std::size_t i = 2; i < len; i += 4) {
                gr.families.push_back(GracefulRestartFamily{
                    AfiSafi{static_cast<Afi>(load16(v + i)), static_cast<Safi>(v[i + 2])},
                    (v[i + 3] & 0x80) != 0});
            }
            caps.graceful_restart = std::move(gr);
            return true;
        }
        case CapabilityCode::AddPath:
            if (len % 4 != 0) {
                return bad("ADD-PATH capability length");
            }
            for (std::size_t i = 0; i < len; i += 4) {
                const std::uint8_t mode = v[i + 3];
                if (mode < 1 || mode > 3) {
                    return bad("ADD-PATH send/receive value");
                }
                caps.add_path.push_back(
                    AddPathEntry{AfiSafi{static_cast<Afi>(load16(v + i)), static_cast<Safi>(v[i + 2])},
                                 static_cast<AddPathMode>(mode)});
            }
            return true;
    }
    caps.unknown.push_back(UnknownCapability{code, {v, v + len}});
    return true;
}

void encode_capabilities(const Capabilities& caps, std::vector<std::vector<std::uint8_t>>& out) {
    const auto cap = [&](CapabilityCode code) -> std::vector<std::uint8_t>& {
        auto& c = out.emplace_back();
        c.push_back(static_cast<std::uint8_t>(code));
        c.push_back(0);
        return c;
    };
    const auto put16 = [](std::vector<std::uint8_t>& c, std::uint16_t v) {
        c.push_back(static_cast<std::uint8_t>(v >> 8));
        c.push_back(static_cast<std::uint8_t>(v));
    };
    for (const auto& f : caps.multiprotocol) {
        auto& c = cap(CapabilityCode::Multiprotocol);
        put16(c, static_cast<std::uint16_t>(f.afi));
        c.push_back(0);
        c.push_back(static_cast<std::uint8_t>(f.safi));
    }
    if (caps.route_refresh) {
        cap(CapabilityCode::RouteRefresh);
    }
    if (caps.enhanced_route_refresh) {
        cap(CapabilityCode::EnhancedRouteRefresh);
    }
    if (caps.extended_message) {
        cap(CapabilityCode::ExtendedMessage);
    }
    if (caps.four_octet_as) {
        auto& c = cap(CapabilityCode::FourOctetAs);
        put16(c, static_cast<std::uint16_t>(*caps.four_octet_as >> 16));
        put16(c, static_cast<std::uint16_t>(*caps.four_octet_as));
    }
    if (caps.graceful_restart) {
        const auto& gr = *caps.graceful_restart;
        auto& c = cap(CapabilityCode::GracefulRestart);
        put16(c, static_cast<std::uint16_t>((gr.restart_state ? 0x8000 : 0) | (gr.notification ? 0x4000 : 0) |
                                            (gr.restart_time & 0x0FFF)));
        for (const auto& f : gr.families) {
            put16(c, static_cast<std::uint16_t>(f.family.afi));
            c.push_back(static_cast<std::uint8_t>(f.family.safi));
            c.push_back(f.forwarding_preserved ? 0x80 : 0);
        }
    }
    if (!caps.add_path.empty()) {
        auto& c = cap(CapabilityCode::AddPath);
        for (const auto& e : caps.add_path) {
            put16(c, static_cast<std::uint16_t>(e.family.afi));
            c.push_back(static_cast<std::uint8_t>(e.family.safi));
            c.push_back(static_cast<std::uint8_t>(e.mode));
        }
    }
    for (const auto& u : caps.unknown) {
        auto& c = out.emplace_back();
        c.push_back(u.code);
        c.push_back(0);
        c.insert(c.end(), u.value.begin(), u.value.end());
    }
}

// ------------------------------------------------------------------------------------ describe

std::string family_name(AfiSafi f) {
    std::string s;
    switch (f.afi) {
        case Afi::Ipv4:
            s = "ipv4";
            break;
        case Afi::Ipv6:
            s = "ipv6";
            break;
        default:
            s = "afi" + std::to_string(static_cast<unsigned>(f.afi));
            break;
    }
    switch (f.safi) {
        case Safi::Unicast:
            s += "-unicast";
            break;
        case Safi::Multicast:
            s += "-multicast";
            break;
        default:
            s += "-safi" + std::to_string(static_cast<unsigned>(f.safi));
            break;
    }
    return s;
}

std::string hex(const std::vector<std::uint8_t>& v, std::size_t max = 32) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < v.size() && i < max; ++i) {
        s += kDigits[v[i] >> 4];
        s += kDigits[v[i] & 15];
    }
    if (v.size() > max) {
        s += "...";
    }
    return s;
}

std::string community_string(std::uint32_t c) {
    switch (c) {
        case community::NoExport:
            return "no-export";
        case community::NoAdvertise:
            return "no-advertise";
        case community::NoExportSubconfed:
            return "no-export-subconfed";
        case 0xFFFF029AU:
            return "blackhole";  // RFC 7999
        default:
            return std::to_string(c >> 16) + ":" + std::to_string(c & 0xFFFF);
    }
}

std::string ext_community_string(std::uint64_t c) {
    const auto type = static_cast<std::uint8_t>(c >> 56);
    const auto sub = static_cast<std::uint8_t>(c >> 48);
    const char* kind = sub == 0x02 ? "rt" : sub == 0x03 ? "soo" : nullptr;
    if (kind != nullptr && (type == 0x00 || type == 0x40)) {  // 2-octet AS specific
        return std::string(kind) + " " + std::to_string((c >> 32) & 0xFFFF) + ":" +
               std::to_string(c & 0xFFFFFFFF);
    }
    if (kind != nullptr && (type == 0x02 || type == 0x42)) {  // 4-octet AS specific
        return std::string(kind) + " " + std::to_string((c >> 16) & 0xFFFFFFFF) + ":" +
               std::to_string(c & 0xFFFF);
    }
    if (kind != nullptr && (type == 0x01 || type == 0x41)) {  // IPv4 address specific
        return std::string(kind) + " " + Ipv4Address{static_cast<std::uint32_t>(c >> 16)}.to_string() + ":" +
               std::to_string(c & 0xFFFF);
    }
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s = "0x";
    for (int shift = 60; shift >= 0; shift -= 4) {
        s += kDigits[(c >> shift) & 15];
    }
    return s;
}

void append_nlri(std::string& s, const char* label, const std::vector<Nlri>& v) {
    if (v.empty()) {
        return;
    }
    s += "  ";
    s += label;
    s += " (" + std::to_string(v.size()) + "):";
    constexpr std::size_t kShown = 64;
    for (std::size_t i = 0; i < v.size() && i < kShown; ++i) {
        s += " " + v[i].prefix.to_string();
        if (v[i].path_id != 0) {
            s += "#" + std::to_string(v[i].path_id);
        }
    }
    if (v.size() > kShown) {
        s += " ... (" + std::to_string(v.size() - kShown) + " more)";
    }
    s += "\n";
}

// Names of capabilities this codec keeps as unknown, for the logs.
std::string unknown_capability_name(std::uint8_t code) {
    switch (code) {
        case 5:
            return "extended next hop";
        case 9:
            return "BGP role";
        case 71:
            return "long-lived graceful restart";
        case 73:
            return "FQDN";
        case 128:
            return "route refresh, pre-standard";
        default:
            return "unknown";
    }
}

std::string describe_open(const Open& o) {
    std::string s = "OPEN version " + std::to_string(o.version) + ", my AS " + std::to_string(o.my_as) +
                    ", hold time " + std::to_string(o.hold_time) + "s, BGP identifier " +
                    o.bgp_identifier.to_string() + "\n";
    const auto& c = o.capabilities;
    for (const auto& f : c.multiprotocol) {
        s += "  capability multiprotocol " + family_name(f) + "\n";
    }
    if (c.route_refresh) {
        s += "  capability route-refresh\n";
    }
    if (c.enhanced_route_refresh) {
        s += "  capability enhanced-route-refresh\n";
    }
    if (c.extended_message) {
        s += "  capability extended-message\n";
    }
    if (c.four_octet_as) {
        s += "  capability 4-octet-as " + std::to_string(*c.four_octet_as) + "\n";
    }
    if (c.graceful_restart) {
        const auto& gr = *c.graceful_restart;
        s += "  capability graceful-restart time " + std::to_string(gr.restart_time) + "s" +
             (gr.restart_state ? " restarting" : "") + (gr.notification ? " notification" : "");
        for (const auto& f : gr.families) {
            s += " " + family_name(f.family) + (f.forwarding_preserved ? "(F)" : "");
        }
        s += "\n";
    }
    for (const auto& e : c.add_path) {
        static constexpr const char* kModes[] = {"", "receive", "send", "send/receive"};
        s += "  capability add-path " + family_name(e.family) + " " +
             kModes[static_cast<unsigned>(e.mode) & 3] + "\n";
    }
    for (const auto& u : c.unknown) {
        s += "  capability " + std::to_string(u.code) + " (" + unknown_capability_name(u.code) + ", kept) " +
             hex(u.value) + "\n";
    }
    for (const auto& p : o.unknown_parameters) {
        s += "  optional parameter " + std::to_string(p.type) + " " + hex(p.value) + "\n";
    }
    return s;
}

std::string describe_update(const Update& u) {
    if (u.is_end_of_rib()) {
        return "UPDATE End-of-RIB " + family_name(u.mp_unreach ? u.mp_unreach->family : AfiSafi{}) + "\n";
    }
    std::string s = "UPDATE\n";
    append_nlri(s, "withdrawn", u.withdrawn);
    const auto& a = u.attributes;
    if (a.origin) {
        static constexpr const char* kOrigins[] = {"IGP", "EGP", "incomplete"};
        s += std::string("  origin ") + kOrigins[static_cast<unsigned>(*a.origin) % 3] + "\n";
    }
    if (a.as_path) {
        s += "  as-path " + (a.as_path->segments.empty() ? std::string("(empty)") : a.as_path->to_string()) +
             "\n";
    }
    if (a.next_hop) {
        s += "  next-hop " + a.next_hop->to_string() + "\n";
    }
    if (a.med) {
        s += "  med " + std::to_string(*a.med) + "\n";
    }
    if (a.local_pref) {
        s += "  local-pref " + std::to_string(*a.local_pref) + "\n";
    }
    if (a.atomic_aggregate) {
        s += "  atomic-aggregate\n";
    }
    if (a.aggregator) {
        s += "  aggregator " + std::to_string(a.aggregator->asn) + " " + a.aggregator->address.to_string() +
             "\n";
    }
    if (!a.communities.empty()) {
        s += "  communities";
        for (auto c : a.communities) {
            s += " " + community_string(c);
        }
        s += "\n";
    }
    if (!a.extended_communities.empty()) {
        s += "  extended-communities";
        for (auto c : a.extended_communities) {
            s += " [" + ext_community_string(c) + "]";
        }
        s += "\n";
    }
    if (!a.large_communities.empty()) {
        s += "  large-communities";
        for (const auto& c : a.large_communities) {
            s += " " + std::to_string(c.global_admin) + ":" + std::to_string(c.local_data1) + ":" +
                 std::to_string(c.local_data2);
        }
        s += "\n";
    }
    if (a.originator_id) {
        s += "  originator-id " + a.originator_id->to_string() + "\n";
    }
    if (!a.cluster_list.empty()) {
        s += "  cluster-list";
        for (auto id : a.cluster_list) {
            s += " " + id.to_string();
        }
        s += "\n";
    }
    for (const auto& x : a.unknown) {
        s += "  attribute " + std::to_string(x.type) + " flags 0x" + hex({x.flags}) + " (unknown, kept) " +
             hex(x.value) + "\n";
    }
    if (u.mp_reach) {
        s += "  mp-reach " + family_name(u.mp_reach->family) + " next-hop";
        for (const auto& nh : u.mp_reach->next_hops) {
            s += " " + nh.to_string();
        }
        s += "\n";
        append_nlri(s, "  announced", u.mp_reach->nlri);
    }
    if (u.mp_unreach) {
        s += "  mp-unreach " + family_name(u.mp_unreach->family) + "\n";
        append_nlri(s, "  withdrawn", u.mp_unreach->withdrawn);
    }
    append_nlri(s, "announced", u.nlri);
    return s;
}

}  // namespace

// ----------------------------------------------------------------------------------- options

bool CodecOptions::receives_path_id(AfiSafi f) const {
    return contains(add_path_receive, f);
}
bool CodecOptions::sends_path_id(AfiSafi f) const {
    return contains(add_path_send, f);
}

CodecOptions negotiate(const Open& local, const Open& remote) {
    CodecOptions o;
    const auto& l = local.capabilities;
    const auto& r = remote.capabilities;
    o.four_octet_as = l.four_octet_as.has_value() && r.four_octet_as.has_value();
    o.extended_message = l.extended_message && r.extended_message;
    const auto mode_of = [](const Capabilities& c, AfiSafi f) -> unsigned {
        unsigned m = 0;
        for (const auto& e : c.add_path) {
            if (e.family == f) {
                m |= static_cast<unsigned>(e.mode);
            }
        }
        return m;
    };
    // RFC 7911 §4: we receive path ids where we said "receive" and the peer said "send", and vice versa.
    std::vector<AfiSafi> families;
    for (const auto& e : l.add_path) {
        if (!contains(families, e.family)) {
            families.push_back(e.family);
        }
    }
    for (const auto& f : families) {
        const unsigned lm = mode_of(l, f);
        const unsigned rm = mode_of(r, f);
        if ((lm & 1U) != 0 && (rm & 2U) != 0) {
            o.add_path_receive.push_back(f);
        }
        if ((lm & 2U) != 0 && (rm & 1U) != 0) {
            o.add_path_send.push_back(f);
        }
    }
    return o;
}

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
    std::vector<std::uint8_t> len_data{bytes[16], bytes[17]};
    if (type < 1 || type > 5) {
        return unexpected(header_error(HeaderSubcode::BadMessageType, 18, "message type", {type}));
    }
    // RFC 4271 §6.1 minimums; RFC 8654: only UPDATE (and ROUTE-REFRESH) may exceed 4,096 octets.
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
            header_error(HeaderSubcode::BadMessageLength, 16, "message length", std::move(len_data)));
    }
    return Header{length, static_cast<MessageType>(type)};
}

Result<Open, WireError> decode_open(Bytes message) {
    auto h = check_whole(message, CodecOptions{}, MessageType::Open);
    if (!h) {
        return unexpected(std::move(h).error());
    }
    const std::uint8_t* p = message.data();
    const std::size_t n = message.size();
    Open o;
    o.version = p[19];
    if (o.version != 4) {
        return unexpected(open_error(OpenSubcode::UnsupportedVersionNumber, 19, "version", {0, 4}));
    }
    o.my_as = load16(p + 20);
    o.hold_time = load16(p + 22);
    if (o.hold_time == 1 || o.hold_time == 2) {
        return unexpected(open_error(OpenSubcode::UnacceptableHoldTime, 22, "hold time"));
    }
    o.bgp_identifier = Ipv4Address{load32(p + 24)};
    if (o.bgp_identifier.value == 0) {
        return unexpected(open_error(OpenSubcode::BadBgpIdentifier, 24, "BGP identifier"));
    }
    std::size_t opt_len = p[28];
    std::size_t pos = 29;
    // RFC 9072 extended optional parameters: length 255 and a first parameter type 255.
    bool extended = false;
    if (opt_len == 255 && n > 29 && p[29] == 255) {
        if (n < 32) {
            return unexpected(open_unspecific(29, "extended optional parameters length"));
        }
        extended = true;
        opt_len = load16(p + 30);
        pos = 32;
    }
    if (n - pos != opt_len) {
        return unexpected(open_unspecific(28, "optional parameters length"));
    }
    const std::size_t param_head = extended ? 3 : 2;
    while (pos < n) {
        if (n - pos < param_head) {
            return unexpected(open_unspecific(pos, "optional parameter header truncated"));
        }
        const std::uint8_t type = p[pos];
        const std::size_t len = extended ? load16(p + pos + 1) : p[pos + 1];
        if (n - pos - param_head < len) {
            return unexpected(open_unspecific(pos, "optional parameter length"));
        }
        const std::size_t vpos = pos + param_head;
        if (type != 2) {  // only Capabilities (RFC 5492) are supported
            return unexpected(
                open_error(OpenSubcode::UnsupportedOptionalParameter, pos, "optional parameter type"));
        }
        std::size_t cpos = vpos;
        while (cpos < vpos + len) {
            if (vpos + len - cpos < 2) {
                return unexpected(open_unspecific(cpos, "capability header truncated"));
            }
            const std::uint8_t code = p[cpos];
            const std::size_t clen = p[cpos + 1];
            if (vpos + len - cpos - 2 < clen) {
                return unexpected(open_unspecific(cpos, "capability length"));
            }
            auto r = decode_capability(code, p + cpos + 2, clen, cpos, o.capabilities);
            if (!r) {
                return unexpected(std::move(r).error());
            }
            cpos += 2 + clen;
        }
        pos = vpos + len;
    }
    return o;
}

namespace {
Result<DecodedUpdate, WireError> decode_update_body(Bytes message, const CodecOptions& options);
}  // namespace

Result<DecodedUpdate, WireError> decode_update(Bytes message, const CodecOptions& options) {
    auto h = check_whole(message, options, MessageType::Update);
    if (!h) {
        return unexpected(std::move(h).error());
    }
    return decode_update_body(message, options);
}

namespace {

// An UPDATE whose header decode_header() accepted and whose buffer is exactly Length long.
Result<DecodedUpdate, WireError> decode_update_body(Bytes message, const CodecOptions& options) {
    const std::uint8_t* p = message.data();
    const std::size_t n = message.size();
    DecodedUpdate out;
    Update& u = out.update;
    const auto malformed_list = [](std::size_t at, std::string_view field) {
        return error(ErrorCode::UpdateMessage,
                     static_cast<std::uint8_t>(UpdateSubcode::MalformedAttributeList), at, field);
    };
    const auto bad_network = [](std::size_t at, std::string_view field) {
        return error(ErrorCode::UpdateMessage, static_cast<std::uint8_t>(UpdateSubcode::InvalidNetworkField),
                     at, field);
    };

    // Withdrawn Routes (RFC 4271 §4.3); lengths that overrun the message reset the session (RFC 7606 §4).
    const std::size_t wlen = load16(p + 19);
    if (wlen > n - 23) {
        return unexpected(malformed_list(19, "withdrawn routes length"));
    }
    const std::uint8_t* wp = p + 21;
    const AfiSafi v4u{Afi::Ipv4, Safi::Unicast};
    const bool v4_path_id = options.receives_path_id(v4u);
    std::size_t count = 0;
    std::size_t bad = 0;
    if (!detail::scan_nlri(wp, wlen, Afi::Ipv4, v4_path_id, count, bad)) {
        return unexpected(bad_network(21 + bad, "withdrawn routes prefix"));
    }
    detail::read_nlri(wp, wlen, Afi::Ipv4, v4_path_id, count, u.withdrawn);

    const std::size_t apos = 21 + wlen;
    const std::size_t alen = load16(p + apos);
    if (alen > n - apos - 2) {
        return unexpected(malformed_list(apos, "total path attribute length"));
    }
    detail::UpdateDecodeState st{options, out, apos + 2};
    detail::decode_attributes(p + apos + 2, alen, st);
    if (st.fatal) {
        return unexpected(std::move(st.fatal_error));
    }

    const std::size_t npos = apos + 2 + alen;
    if (!detail::scan_nlri(p + npos, n - npos, Afi::Ipv4, v4_path_id, count, bad)) {
        return unexpected(bad_network(npos + bad, "NLRI prefix"));
    }
    detail::read_nlri(p + npos, n - npos, Afi::Ipv4, v4_path_id, count, u.nlri);

    // RFC 7606 §3 d: well-known mandatory attributes missing from an UPDATE that announces routes.
    const bool announces = !u.nlri.empty() || (u.mp_reach && !u.mp_reach->nlri.empty());
    if (announces) {
        const auto missing = [&](AttrType t, std::string_view field) {
            WireError e = error(ErrorCode::UpdateMessage,
                                static_cast<std::uint8_t>(UpdateSubcode::MissingWellKnownAttribute), apos,
                                field, {static_cast<std::uint8_t>(t)});
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
        return unexpected(error(ErrorCode::RouteRefreshMessage,
                                static_cast<std::uint8_t>(RouteRefreshSubcode::InvalidMessageLength), 16,
                                "ROUTE-REFRESH length", {m.begin(), m.end()}));
    }
    RouteRefresh r;
    r.family.afi = static_cast<Afi>(load16(m.data() + 19));
    r.subtype = m[21];
    r.family.safi = static_cast<Safi>(m[22]);
    return r;
}

}  // namespace

Result<Message, WireError> decode_message(Bytes message, const CodecOptions& options) {
    auto h = decode_header(message, options);
    if (!h) {
        return unexpected(std::move(h).error());
    }
    if (h->length != message.size()) {
        return unexpected(header_error(HeaderSubcode::BadMessageLength, 16,
                                       "message length differs from buffer", {message[16], message[17]}));
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

void encode_open(const Open& open, std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out);
    Writer w(out);
    w.u8(open.version);
    w.u16(open.my_as);
    w.u16(open.hold_time);
    w.u32(open.bgp_identifier.value);

    std::vector<std::vector<std::uint8_t>> caps;
    encode_capabilities(open.capabilities, caps);
    // Capabilities go into parameters of at most 255 octets; RFC 9072's extended form is used only when
    // the parameters would not fit in the one-octet length.
    std::vector<std::vector<std::uint8_t>> params;  // type, value
    bool needs_extended = false;
    for (auto& c : caps) {
        c[1] = static_cast<std::uint8_t>(std::min<std::size_t>(c.size() - 2, 255));
        if (c.size() - 2 > 255) {
            needs_extended = true;
        }
        if (params.empty() || params.back().size() + c.size() > 255) {
            params.emplace_back();
        }
        params.back().insert(params.back().end(), c.begin(), c.end());
    }
    std::size_t total = 0;
    for (const auto& pr : params) {
        total += 2 + pr.size();
    }
    for (const auto& u : open.unknown_parameters) {
        total += 2 + u.value.size();
        needs_extended = needs_extended || u.value.size() > 255;
    }
    if (total > 255) {
        needs_extended = true;
    }
    if (needs_extended) {
        w.u8(255);
        w.u8(255);
        const std::size_t len_at = w.size();
        w.u16(0);
        for (const auto& pr : params) {
            w.u8(2);
            w.u16(static_cast<std::uint16_t>(pr.size()));
            w.bytes(pr.data(), pr.size());
        }
        for (const auto& u : open.unknown_parameters) {
            w.u8(u.type);
            w.u16(static_cast<std::uint16_t>(u.value.size()));
            w.bytes(u.value.data(), u.value.size());
        }
        w.patch16(len_at, static_cast<std::uint16_t>(w.size() - len_at - 2));
    } else {
        w.u8(static_cast<std::uint8_t>(total));
        for (const auto& pr : params) {
            w.u8(2);
            w.u8(static_cast<std::uint8_t>(pr.size()));
            w.bytes(pr.data(), pr.size());
        }
        for (const auto& u : open.unknown_parameters) {
            w.u8(u.type);
            w.u8(static_cast<std::uint8_t>(u.value.size()));
            w.bytes(u.value.data(), u.value.size());
        }
    }
    write_header(at, MessageType::Open, out);
}

void encode_keepalive(std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out);
    write_header(at, MessageType::Keepalive, out);
}

void encode_notification(const Notification& n, std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out);
    Writer w(out);
    w.u8(n.code);
    w.u8(n.subcode);
    // A NOTIFICATION is never longer than 4,096 octets: excess data is cut.
    w.bytes(n.data.data(), std::min<std::size_t>(n.data.size(), kMaxMessageSize - kHeaderSize - 2));
    write_header(at, MessageType::Notification, out);
}

void encode_route_refresh(const RouteRefresh& r, std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out);
    Writer w(out);
    w.u16(static_cast<std::uint16_t>(r.family.afi));
    w.u8(r.subtype);
    w.u8(static_cast<std::uint8_t>(r.family.safi));
    write_header(at, MessageType::RouteRefresh, out);
}

bool encode_update(const Update& update, const CodecOptions& options, std::vector<std::uint8_t>& out) {
    const std::size_t at = begin_message(out);
    Writer w(out);
    const AfiSafi v4u{Afi::Ipv4, Safi::Unicast};
    const bool v4_path_id = options.sends_path_id(v4u);
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
    write_header(at, MessageType::Update, out);
    return true;
}

std::size_t encode_announcements(const PathAttributes& attributes, AfiSafi family,
                                 std::span<const IpAddress> mp_next_hops, std::span<const Nlri> nlri,
                                 const CodecOptions& options, std::vector<std::uint8_t>& out) {
    const bool in_nlri_field = family == AfiSafi{Afi::Ipv4, Safi::Unicast};
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
        // Take as many NLRI as fit.
        std::size_t size = fixed;
        std::size_t j = i;
        while (j < nlri.size() && size + detail::nlri_size(nlri[j], path_id) <= limit) {
            size += detail::nlri_size(nlri[j], path_id);
            ++j;
        }
        if (j == i) {
            break;  // the attributes leave no room for even one NLRI
        }
        const std::size_t at = begin_message(out);
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
        write_header(at, MessageType::Update, out);
        ++messages;
        i = j;
    }
    return messages;
}

std::size_t encode_withdrawals(AfiSafi family, std::span<const Nlri> nlri, const CodecOptions& options,
                               std::vector<std::uint8_t>& out) {
    const bool in_field = family == AfiSafi{Afi::Ipv4, Safi::Unicast};
    const bool path_id = options.sends_path_id(family);
    const std::size_t limit = options.max_message_size();
    const std::size_t fixed = kHeaderSize + 2 + 2 + (in_field ? 0 : 4 + 3);
    std::size_t messages = 0;
    std::size_t i = 0;
    while (i < nlri.size()) {
        std::size_t size = fixed;
        std::size_t j = i;
        while (j < nlri.size() && size + detail::nlri_size(nlri[j], path_id) <= limit) {
            size += detail::nlri_size(nlri[j], path_id);
            ++j;
        }
        const std::size_t at = begin_message(out);
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
        write_header(at, MessageType::Update, out);
        ++messages;
        i = j;
    }
    return messages;
}

void encode_end_of_rib(AfiSafi family, std::vector<std::uint8_t>& out) {
    Update u;
    if (family != AfiSafi{Afi::Ipv4, Safi::Unicast}) {
        u.mp_unreach = MpUnreach{family, {}};
    }
    [[maybe_unused]] const bool ok = encode_update(u, CodecOptions{}, out);
}

std::string describe(const Message& message) {
    struct Visitor {
        std::string operator()(const Open& o) const { return describe_open(o); }
        std::string operator()(const Update& u) const { return describe_update(u); }
        std::string operator()(const Notification& n) const { return "NOTIFICATION " + n.to_string() + "\n"; }
        std::string operator()(const Keepalive&) const { return "KEEPALIVE\n"; }
        std::string operator()(const RouteRefresh& r) const {
            static constexpr const char* kSub[] = {"", " (BoRR)", " (EoRR)"};
            return "ROUTE-REFRESH " + family_name(r.family) +
                   (r.subtype < 3 ? kSub[r.subtype] : " (reserved subtype)") + "\n";
        }
    };
    return std::visit(Visitor{}, message);
}

}  // namespace rf::bgp
