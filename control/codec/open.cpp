// The OPEN message (RFC 4271 §4.2, §6.2): fixed fields and optional parameters, in the one-octet form or
// RFC 9072's extended form. The capabilities inside a Capabilities parameter are capabilities.cpp's.
#include <algorithm>

#include "control/codec/capabilities.hpp"

namespace rf::bgp {

using detail::load16;
using detail::load32;
using detail::Writer;

namespace {

constexpr std::uint8_t kCapabilitiesParameter = 2;  // RFC 5492
constexpr std::uint8_t kExtendedParameters = 255;   // RFC 9072: the length octet and first type of the form
constexpr std::size_t kMaxParameterLength = 255;    // one-octet form

WireError open_error(OpenSubcode s, std::size_t offset, std::string_view field,
                     std::vector<std::uint8_t> data = {}) {
    return detail::wire_error(ErrorCode::OpenMessage, static_cast<std::uint8_t>(s), offset, field,
                              std::move(data));
}
WireError open_unspecific(std::size_t offset, std::string_view field) {
    return detail::wire_error(ErrorCode::OpenMessage, 0, offset, field);
}

// Writes the optional parameters: the capabilities in Capabilities parameters of at most 255 octets, then
// the unknown parameters. RFC 9072's extended form is used only when they would not fit the one-octet
// lengths.
void write_optional_parameters(const Open& open, Writer& w) {
    std::vector<std::vector<std::uint8_t>> params;  // Capabilities parameter values
    bool needs_extended = false;
    for (const auto& c : detail::encode_capabilities(open.capabilities)) {
        if (c.size() - 2 > kMaxParameterLength) {
            needs_extended = true;
        }
        if (params.empty() || params.back().size() + c.size() > kMaxParameterLength) {
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
        needs_extended = needs_extended || u.value.size() > kMaxParameterLength;
    }
    if (total > kMaxParameterLength) {
        needs_extended = true;
    }
    const auto write_parameter = [&](std::uint8_t type, const std::vector<std::uint8_t>& value) {
        w.u8(type);
        if (needs_extended) {
            w.u16(static_cast<std::uint16_t>(value.size()));
        } else {
            w.u8(static_cast<std::uint8_t>(value.size()));
        }
        w.bytes(value.data(), value.size());
    };
    std::size_t len_at = 0;
    if (needs_extended) {
        w.u8(kExtendedParameters);
        w.u8(kExtendedParameters);
        len_at = w.size();
        w.u16(0);
    } else {
        w.u8(static_cast<std::uint8_t>(total));
    }
    for (const auto& pr : params) {
        write_parameter(kCapabilitiesParameter, pr);
    }
    for (const auto& u : open.unknown_parameters) {
        write_parameter(u.type, u.value);
    }
    if (needs_extended) {
        w.patch16(len_at, static_cast<std::uint16_t>(w.size() - len_at - 2));
    }
}

}  // namespace

Result<Open, WireError> decode_open(Bytes message) {
    auto h = detail::check_whole(message, CodecOptions{}, MessageType::Open);
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
    if (opt_len == kExtendedParameters && n > 29 && p[29] == kExtendedParameters) {
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
        if (type != kCapabilitiesParameter) {  // the only optional parameter supported
            return unexpected(
                open_error(OpenSubcode::UnsupportedOptionalParameter, pos, "optional parameter type"));
        }
        auto r = detail::decode_capabilities(p + vpos, len, vpos, o.capabilities);
        if (!r) {
            return unexpected(std::move(r).error());
        }
        pos = vpos + len;
    }
    return o;
}

void encode_open(const Open& open, std::vector<std::uint8_t>& out) {
    const std::size_t at = detail::begin_message(out);
    Writer w(out);
    w.u8(open.version);
    w.u16(open.my_as);
    w.u16(open.hold_time);
    w.u32(open.bgp_identifier.value);
    write_optional_parameters(open, w);
    detail::write_header(at, MessageType::Open, out);
}

}  // namespace rf::bgp
