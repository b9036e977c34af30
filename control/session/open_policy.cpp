#include "control/session/open_policy.hpp"

#include <algorithm>

#include "control/codec/errors.hpp"

namespace rf::session {
namespace {

constexpr std::uint8_t u8(bgp::ErrorCode c) {
    return static_cast<std::uint8_t>(c);
}
constexpr std::uint8_t u8(bgp::OpenSubcode c) {
    return static_cast<std::uint8_t>(c);
}
constexpr std::uint8_t u8(bgp::CeaseSubcode c) {
    return static_cast<std::uint8_t>(c);
}

OpenRejected open_error(bgp::OpenSubcode sub, std::vector<std::uint8_t> data, std::string reason) {
    return {bgp::Notification{u8(bgp::ErrorCode::OpenMessage), u8(sub), std::move(data)}, std::move(reason)};
}

std::vector<std::uint8_t> be16(std::uint16_t v) {
    return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v & 0xFF)};
}

}  // namespace

Result<OpenAccepted, OpenRejected> validate_open(const bgp::Open& remote, const OpenPolicy& policy) {
    // Version (RFC 4271 §6.2): the data is the largest version we support, as two octets.
    if (remote.version != 4) {
        return unexpected(open_error(bgp::OpenSubcode::UnsupportedVersionNumber, be16(4),
                                     "unsupported BGP version " + std::to_string(remote.version)));
    }
    // ASN (RFC 6793 §4.1): with the capability the real ASN is in it and My AS is that ASN or AS_TRANS.
    const auto& cap = remote.capabilities.four_octet_as;
    std::uint32_t asn = remote.my_as;
    if (cap) {
        asn = *cap;
        const bool two_octet = asn <= 0xFFFF;
        if (asn == 0 || (two_octet && remote.my_as != asn) || (!two_octet && remote.my_as != bgp::kAsTrans)) {
            return unexpected(open_error(bgp::OpenSubcode::BadPeerAs, be16(remote.my_as),
                                         "My AS " + std::to_string(remote.my_as) +
                                             " inconsistent with 4-octet AS capability " +
                                             std::to_string(asn)));
        }
    } else if (remote.my_as == bgp::kAsTrans) {
        return unexpected(open_error(bgp::OpenSubcode::BadPeerAs, be16(remote.my_as),
                                     "AS_TRANS without the 4-octet AS capability"));
    }
    if (asn > 0xFFFF && !policy.four_octet_mode) {
        return unexpected(open_error(bgp::OpenSubcode::BadPeerAs, be16(remote.my_as),
                                     "4-byte ASN " + std::to_string(asn) + " refused (4-byte mode is off)"));
    }
    if (asn != policy.peer_asn) {
        return unexpected(open_error(bgp::OpenSubcode::BadPeerAs, be16(remote.my_as),
                                     "peer ASN " + std::to_string(asn) + " differs from configured " +
                                         std::to_string(policy.peer_asn)));
    }
    // Hold time: 0 (no keepalives) or at least 3 seconds (RFC 4271 §4.2, §6.2).
    if (remote.hold_time == 1 || remote.hold_time == 2) {
        return unexpected(open_error(bgp::OpenSubcode::UnacceptableHoldTime, {},
                                     "unacceptable hold time " + std::to_string(remote.hold_time)));
    }
    // Identifier: a valid non-zero unicast value, different from ours (RFC 6286 §2.2).
    if (remote.bgp_identifier.value == 0) {
        return unexpected(open_error(bgp::OpenSubcode::BadBgpIdentifier, {}, "BGP identifier 0.0.0.0"));
    }
    if (remote.bgp_identifier == policy.local_id) {
        return unexpected(open_error(bgp::OpenSubcode::BadBgpIdentifier, {},
                                     "BGP identifier " + remote.bgp_identifier.to_string() + " equals ours"));
    }
    return OpenAccepted{asn, remote.bgp_identifier, remote.hold_time};
}

bgp::Open make_local_open(std::uint32_t local_asn, net::Ipv4Address router_id, std::uint16_t hold_time,
                          bool ipv6) {
    bgp::Open open;
    open.version = 4;
    open.my_as = local_asn > 0xFFFF ? bgp::kAsTrans : static_cast<std::uint16_t>(local_asn);
    open.hold_time = hold_time;
    open.bgp_identifier = router_id;
    open.capabilities.multiprotocol.push_back({net::Afi::Ipv4, net::Safi::Unicast});
    if (ipv6) {
        open.capabilities.multiprotocol.push_back({net::Afi::Ipv6, net::Safi::Unicast});
    }
    open.capabilities.route_refresh = true;
    open.capabilities.enhanced_route_refresh = true;
    open.capabilities.extended_message = true;
    open.capabilities.four_octet_as = local_asn;
    return open;
}

bgp::Open open_for_peer(const bgp::Open& base, const PeerOpenOptions& options) {
    bgp::Open open = base;
    if (options.add_path) {
        for (const auto& f : base.capabilities.multiprotocol) {
            open.capabilities.add_path.push_back({f, *options.add_path});
        }
    }
    open.capabilities.extended_message = base.capabilities.extended_message && options.extended_messages;
    // RFC 7313 §3.1: enhanced route refresh is meaningful only beside route refresh.
    open.capabilities.enhanced_route_refresh = base.capabilities.enhanced_route_refresh &&
                                               base.capabilities.route_refresh &&
                                               options.enhanced_route_refresh;
    if (options.graceful_restart) {
        const auto& o = *options.graceful_restart;
        bgp::GracefulRestart gr;
        gr.restart_state = o.restart_state;
        gr.notification = o.notification;
        gr.restart_time = std::min<std::uint16_t>(o.restart_time, 0x0FFF);
        for (const auto& f : base.capabilities.multiprotocol) {
            gr.families.push_back({f, o.forwarding_preserved});
        }
        open.capabilities.graceful_restart = std::move(gr);
        if (o.long_lived_stale_time != 0) {
            bgp::LongLivedGracefulRestart llgr;
            const std::uint32_t stale = std::min<std::uint32_t>(o.long_lived_stale_time, 0xFFFFFF);
            for (const auto& f : base.capabilities.multiprotocol) {
                llgr.families.push_back({f, o.forwarding_preserved, stale});
            }
            open.capabilities.long_lived_graceful_restart = std::move(llgr);
        }
    }
    return open;
}

std::vector<bgp::LongLivedGracefulRestartFamily> negotiate_long_lived(
    const bgp::Open& local, const bgp::Open& remote, const std::vector<bgp::AfiSafi>& families) {
    const auto& l = local.capabilities;
    const auto& r = remote.capabilities;
    std::vector<bgp::LongLivedGracefulRestartFamily> out;
    if (!l.graceful_restart || !r.graceful_restart || !l.long_lived_graceful_restart ||
        !r.long_lived_graceful_restart) {
        return out;
    }
    for (const auto& f : r.long_lived_graceful_restart->families) {
        if (std::find(families.begin(), families.end(), f.family) != families.end()) {
            out.push_back(f);
        }
    }
    return out;
}

bool keep_locally_initiated(net::Ipv4Address local_id, net::Ipv4Address remote_id) {
    // RFC 4271 §6.8: compare as 4-octet unsigned integers in host byte order; if ours is lower, close
    // the connection we initiated (keep the peer's); otherwise close the peer's.
    return local_id.value > remote_id.value;
}

bgp::Notification max_prefix_notification(bgp::AfiSafi family, std::uint32_t limit) {
    const auto afi = static_cast<std::uint16_t>(family.afi);
    return bgp::Notification{
        u8(bgp::ErrorCode::Cease),
        static_cast<std::uint8_t>(bgp::CeaseSubcode::MaximumPrefixesReached),
        {static_cast<std::uint8_t>(afi >> 8), static_cast<std::uint8_t>(afi & 0xFF),
         static_cast<std::uint8_t>(family.safi), static_cast<std::uint8_t>(limit >> 24),
         static_cast<std::uint8_t>((limit >> 16) & 0xFF), static_cast<std::uint8_t>((limit >> 8) & 0xFF),
         static_cast<std::uint8_t>(limit & 0xFF)}};
}

bgp::Notification admin_cease(bgp::CeaseSubcode subcode, std::string_view message) {
    // RFC 8203 (updated by RFC 9003): length octet then UTF-8, at most 128 (RFC 8203) octets here, cut
    // before a UTF-8 continuation byte so the text stays valid.
    std::size_t n = std::min<std::size_t>(message.size(), 128);
    while (n > 0 && n < message.size() && (static_cast<unsigned char>(message[n]) & 0xC0) == 0x80) {
        --n;
    }
    std::vector<std::uint8_t> data;
    if (n > 0) {
        data.resize(n + 1);
        data[0] = static_cast<std::uint8_t>(n);
        for (std::size_t i = 0; i < n; ++i) {
            data[i + 1] = static_cast<std::uint8_t>(message[i]);
        }
    }
    return bgp::Notification{u8(bgp::ErrorCode::Cease), static_cast<std::uint8_t>(subcode), std::move(data)};
}

bgp::Notification hard_reset(const bgp::Notification& cease) {
    std::vector<std::uint8_t> data;
    data.reserve(cease.data.size() + 2);
    data.push_back(cease.code);
    data.push_back(cease.subcode);
    data.insert(data.end(), cease.data.begin(), cease.data.end());
    return bgp::Notification{u8(bgp::ErrorCode::Cease), u8(bgp::CeaseSubcode::HardReset), std::move(data)};
}

bool wants_hard_reset(const bgp::Notification& n) {
    if (n.code != u8(bgp::ErrorCode::Cease)) {
        return false;
    }
    switch (static_cast<bgp::CeaseSubcode>(n.subcode)) {
        case bgp::CeaseSubcode::MaximumPrefixesReached:
        case bgp::CeaseSubcode::AdministrativeShutdown:
        case bgp::CeaseSubcode::PeerDeconfigured:
        case bgp::CeaseSubcode::AdministrativeReset:
            return true;
        default:
            return false;
    }
}

bgp::Notification to_notification(const bgp::WireError& error) {
    return bgp::Notification{u8(error.code), error.subcode, error.data};
}

}  // namespace rf::session
