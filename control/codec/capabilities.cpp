// OPEN capabilities (RFC 5492): each capability read and written, and what two OPENs negotiate. The
// optional parameters around them are the OPEN codec's (open.cpp).
#include "control/codec/capabilities.hpp"

#include <algorithm>

namespace rf::bgp {

using detail::load16;
using detail::load32;
using detail::load_afi_safi;
using detail::write_afi_safi;
using detail::Writer;

namespace {

WireError capability_error(std::size_t offset, std::string_view field) {
    return detail::wire_error(ErrorCode::OpenMessage, 0, offset, field);
}

// One capability's value (`len` octets at `v`); `offset` is where the capability starts in the message.
Result<bool, WireError> decode_capability(std::uint8_t code, const std::uint8_t* v, std::size_t len,
                                          std::size_t offset, Capabilities& caps) {
    const auto bad = [&](std::string_view what) { return unexpected(capability_error(offset, what)); };
    // A capability without a value: its presence is the whole message.
    const auto flag = [&](bool& field, std::string_view what) -> Result<bool, WireError> {
        if (len != 0) {
            return bad(what);
        }
        field = true;
        return true;
    };
    switch (static_cast<CapabilityCode>(code)) {
        case CapabilityCode::Multiprotocol:  // AFI, reserved octet, SAFI
            if (len != 4) {
                return bad("multiprotocol capability length");
            }
            caps.multiprotocol.push_back(AfiSafi{static_cast<Afi>(load16(v)), static_cast<Safi>(v[3])});
            return true;
        case CapabilityCode::RouteRefresh:
            return flag(caps.route_refresh, "route refresh capability length");
        case CapabilityCode::EnhancedRouteRefresh:
            return flag(caps.enhanced_route_refresh, "enhanced route refresh capability length");
        case CapabilityCode::ExtendedMessage:
            return flag(caps.extended_message, "extended message capability length");
        case CapabilityCode::FourOctetAs:
            if (len != 4) {
                return bad("4-octet AS capability length");
            }
            caps.four_octet_as = load32(v);
            return true;
        case CapabilityCode::GracefulRestart: {  // flags and time, then AFI, SAFI, flags per family
            if (len < 2 || (len - 2) % 4 != 0) {
                return bad("graceful restart capability length");
            }
            GracefulRestart gr;
            gr.restart_state = (v[0] & 0x80) != 0;
            gr.notification = (v[0] & 0x40) != 0;
            gr.restart_time = static_cast<std::uint16_t>(load16(v) & 0x0FFF);
            for (std::size_t i = 2; i < len; i += 4) {
                gr.families.push_back(GracefulRestartFamily{load_afi_safi(v + i), (v[i + 3] & 0x80) != 0});
            }
            caps.graceful_restart = std::move(gr);
            return true;
        }
        case CapabilityCode::LongLivedGracefulRestart: {  // AFI, SAFI, flags, 24-bit stale time per family
            // A length that is not a whole number of 7-octet tuples is malformed, like any capability
            // of a bad length here.
            if (len % 7 != 0) {
                return bad("long-lived graceful restart capability length");
            }
            LongLivedGracefulRestart llgr;
            for (std::size_t i = 0; i < len; i += 7) {
                const std::uint32_t stale =
                    (std::uint32_t{v[i + 4]} << 16) | (std::uint32_t{v[i + 5]} << 8) | v[i + 6];
                llgr.families.push_back(
                    LongLivedGracefulRestartFamily{load_afi_safi(v + i), (v[i + 3] & 0x80) != 0, stale});
            }
            caps.long_lived_graceful_restart = std::move(llgr);
            return true;
        }
        case CapabilityCode::AddPath:  // AFI, SAFI, send/receive per family
            if (len % 4 != 0) {
                return bad("ADD-PATH capability length");
            }
            for (std::size_t i = 0; i < len; i += 4) {
                const std::uint8_t mode = v[i + 3];
                if (mode < 1 || mode > 3) {
                    return bad("ADD-PATH send/receive value");
                }
                caps.add_path.push_back(AddPathEntry{load_afi_safi(v + i), static_cast<AddPathMode>(mode)});
            }
            return true;
    }
    caps.unknown.push_back(UnknownCapability{code, {v, v + len}});
    return true;
}

bool contains(const std::vector<AfiSafi>& v, AfiSafi f) {
    return std::find(v.begin(), v.end(), f) != v.end();
}

// The ADD-PATH modes `caps` advertises for `family`, as the bits of AddPathMode (receive 1, send 2).
unsigned add_path_mode(const Capabilities& caps, AfiSafi family) {
    unsigned m = 0;
    for (const auto& e : caps.add_path) {
        if (e.family == family) {
            m |= static_cast<unsigned>(e.mode);
        }
    }
    return m;
}

}  // namespace

namespace detail {

Result<bool, WireError> decode_capabilities(const std::uint8_t* p, std::size_t n, std::size_t offset,
                                            Capabilities& caps) {
    std::size_t pos = 0;
    while (pos < n) {
        if (n - pos < 2) {
            return unexpected(capability_error(offset + pos, "capability header truncated"));
        }
        const std::uint8_t code = p[pos];
        const std::size_t len = p[pos + 1];
        if (n - pos - 2 < len) {
            return unexpected(capability_error(offset + pos, "capability length"));
        }
        auto r = decode_capability(code, p + pos + 2, len, offset + pos, caps);
        if (!r) {
            return unexpected(std::move(r).error());
        }
        pos += 2 + len;
    }
    return true;
}

std::vector<std::vector<std::uint8_t>> encode_capabilities(const Capabilities& caps) {
    std::vector<std::vector<std::uint8_t>> out;
    // Each capability is written into its own buffer and its length octet filled at the end.
    const auto write = [&out](std::uint8_t code, const auto& value) {
        auto& c = out.emplace_back();
        Writer w(c);
        w.u8(code);
        w.u8(0);
        value(w);
        c[1] = static_cast<std::uint8_t>(std::min<std::size_t>(c.size() - 2, 255));
    };
    const auto code = [](CapabilityCode c) { return static_cast<std::uint8_t>(c); };
    const auto empty = [](Writer&) {};
    for (const auto& f : caps.multiprotocol) {
        write(code(CapabilityCode::Multiprotocol), [&](Writer& w) {
            w.u16(static_cast<std::uint16_t>(f.afi));
            w.u8(0);
            w.u8(static_cast<std::uint8_t>(f.safi));
        });
    }
    if (caps.route_refresh) {
        write(code(CapabilityCode::RouteRefresh), empty);
    }
    if (caps.enhanced_route_refresh) {
        write(code(CapabilityCode::EnhancedRouteRefresh), empty);
    }
    if (caps.extended_message) {
        write(code(CapabilityCode::ExtendedMessage), empty);
    }
    if (caps.four_octet_as) {
        write(code(CapabilityCode::FourOctetAs), [&](Writer& w) { w.u32(*caps.four_octet_as); });
    }
    if (caps.graceful_restart) {
        const auto& gr = *caps.graceful_restart;
        write(code(CapabilityCode::GracefulRestart), [&](Writer& w) {
            w.u16(static_cast<std::uint16_t>((gr.restart_state ? 0x8000 : 0) |
                                             (gr.notification ? 0x4000 : 0) | (gr.restart_time & 0x0FFF)));
            for (const auto& f : gr.families) {
                write_afi_safi(f.family, w);
                w.u8(f.forwarding_preserved ? 0x80 : 0);
            }
        });
    }
    if (caps.long_lived_graceful_restart) {
        write(code(CapabilityCode::LongLivedGracefulRestart), [&](Writer& w) {
            for (const auto& f : caps.long_lived_graceful_restart->families) {
                write_afi_safi(f.family, w);
                w.u8(f.forwarding_preserved ? 0x80 : 0);
                const std::uint32_t t = std::min<std::uint32_t>(f.stale_time, 0xFFFFFF);
                w.u8(static_cast<std::uint8_t>(t >> 16));
                w.u8(static_cast<std::uint8_t>(t >> 8));
                w.u8(static_cast<std::uint8_t>(t));
            }
        });
    }
    if (!caps.add_path.empty()) {
        write(code(CapabilityCode::AddPath), [&](Writer& w) {
            for (const auto& e : caps.add_path) {
                write_afi_safi(e.family, w);
                w.u8(static_cast<std::uint8_t>(e.mode));
            }
        });
    }
    for (const auto& u : caps.unknown) {
        write(u.code, [&](Writer& w) { w.bytes(u.value.data(), u.value.size()); });
    }
    return out;
}

}  // namespace detail

CodecOptions negotiate(const Open& local, const Open& remote) {
    CodecOptions o;
    const auto& l = local.capabilities;
    const auto& r = remote.capabilities;
    o.four_octet_as = l.four_octet_as.has_value() && r.four_octet_as.has_value();
    o.extended_message = l.extended_message && r.extended_message;
    // RFC 7911 §4: we receive path ids where we said "receive" and the peer said "send", and vice versa.
    std::vector<AfiSafi> families;
    for (const auto& e : l.add_path) {
        if (!contains(families, e.family)) {
            families.push_back(e.family);
        }
    }
    constexpr auto kReceive = static_cast<unsigned>(AddPathMode::Receive);
    constexpr auto kSend = static_cast<unsigned>(AddPathMode::Send);
    for (const auto& f : families) {
        const unsigned lm = add_path_mode(l, f);
        const unsigned rm = add_path_mode(r, f);
        if ((lm & kReceive) != 0 && (rm & kSend) != 0) {
            o.add_path_receive.push_back(f);
        }
        if ((lm & kSend) != 0 && (rm & kReceive) != 0) {
            o.add_path_send.push_back(f);
        }
    }
    return o;
}

}  // namespace rf::bgp
