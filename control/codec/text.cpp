// Text rendering: what rf-decode and the logs print for messages, attributes and wire errors. Nothing
// here is on the decode or encode path.
#include "control/codec/text.hpp"

#include <array>
#include <span>

#include "control/codec/errors.hpp"

namespace rf::bgp {

namespace {

// Lower-case hex digits of the first `max` octets, "..." when there are more.
std::string hex(std::span<const std::uint8_t> v, std::size_t max = 32) {
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

// Route targets ("rt") and sites of origin ("soo") of the AS and IPv4 address specific types (RFC 4360,
// RFC 5668) as "kind global:local"; any other as 16 hex digits.
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
    std::array<std::uint8_t, 8> octets{};
    for (std::size_t i = 0; i < octets.size(); ++i) {
        octets[i] = static_cast<std::uint8_t>(c >> (56 - 8 * i));
    }
    return "0x" + hex(octets);
}

void append_nlri(std::string& s, const char* label, std::span<const Nlri> v) {
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

void append_capabilities(std::string& s, const Capabilities& c) {
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
    if (c.long_lived_graceful_restart) {
        s += "  capability long-lived-graceful-restart";
        for (const auto& f : c.long_lived_graceful_restart->families) {
            s += " " + family_name(f.family) + (f.forwarding_preserved ? "(F)" : "") + " " +
                 std::to_string(f.stale_time) + "s";
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
}

std::string describe_open(const Open& o) {
    std::string s = "OPEN version " + std::to_string(o.version) + ", my AS " + std::to_string(o.my_as) +
                    ", hold time " + std::to_string(o.hold_time) + "s, BGP identifier " +
                    o.bgp_identifier.to_string() + "\n";
    append_capabilities(s, o.capabilities);
    for (const auto& p : o.unknown_parameters) {
        s += "  optional parameter " + std::to_string(p.type) + " " + hex(p.value) + "\n";
    }
    return s;
}

// The communities, one line per kind.
void append_communities(std::string& s, const PathAttributes& a) {
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
}

// Every path attribute present, one line each.
void append_attributes(std::string& s, const PathAttributes& a) {
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
    append_communities(s, a);
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
        const std::uint8_t flags[] = {x.flags};
        s += "  attribute " + std::to_string(x.type) + " flags 0x" + hex(flags) + " (unknown, kept) " +
             hex(x.value) + "\n";
    }
}

std::string describe_update(const Update& u) {
    if (u.is_end_of_rib()) {
        return "UPDATE End-of-RIB " + family_name(u.mp_unreach ? u.mp_unreach->family : AfiSafi{}) + "\n";
    }
    std::string s = "UPDATE\n";
    append_nlri(s, "withdrawn", u.withdrawn);
    append_attributes(s, u.attributes);
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

std::string describe(const Message& message) {
    struct Describe {
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
    return std::visit(Describe{}, message);
}

// ------------------------------------------------------------------------------- single values

std::string AsPath::to_string() const {
    std::string s;
    for (const auto& seg : segments) {
        if (!s.empty()) {
            s += ' ';
        }
        const char* open = "";
        const char* close = "";
        const char* sep = " ";
        switch (seg.type) {
            case AsSegmentType::Sequence:
                break;
            case AsSegmentType::Set:
                open = "{";
                close = "}";
                sep = ",";
                break;
            case AsSegmentType::ConfedSequence:
                open = "(";
                close = ")";
                break;
            case AsSegmentType::ConfedSet:
                open = "[";
                close = "]";
                sep = ",";
                break;
        }
        s += open;
        for (std::size_t i = 0; i < seg.asns.size(); ++i) {
            if (i > 0) {
                s += sep;
            }
            s += std::to_string(seg.asns[i]);
        }
        s += close;
    }
    return s;
}

std::string Notification::to_string() const {
    const auto c = static_cast<ErrorCode>(code);
    std::string s(error_code_name(c));
    s += " / ";
    s += error_subcode_name(c, subcode);
    s += " (" + std::to_string(code) + "/" + std::to_string(subcode) + ")";
    // RFC 8203 / RFC 9003: Administrative Shutdown and Reset may carry a UTF-8 message after a length
    // octet.
    const bool shutdown = c == ErrorCode::Cease &&
                          (subcode == static_cast<std::uint8_t>(CeaseSubcode::AdministrativeShutdown) ||
                           subcode == static_cast<std::uint8_t>(CeaseSubcode::AdministrativeReset));
    if (shutdown && !data.empty() && data[0] > 0 && data[0] <= data.size() - 1) {
        s += ", shutdown message \"";
        for (std::size_t i = 1; i <= data[0]; ++i) {
            const char ch = static_cast<char>(data[i]);
            if (ch == '"' || ch == '\\') {
                s += '\\';
            }
            s += (data[i] < 0x20 || data[i] == 0x7F) ? '?' : ch;
        }
        s += "\"";
    } else if (!data.empty()) {
        s += ", data " + hex(data, 64);
    }
    return s;
}

std::string WireError::to_string() const {
    std::string s(error_code_name(code));
    s += " / ";
    s += error_subcode_name(code, subcode);
    s += " at ";
    s += std::to_string(offset);
    if (!field.empty()) {
        s += ": ";
        s += field;
    }
    s += " (";
    s += rfc7606_action_name(action);
    s += ")";
    return s;
}

// --------------------------------------------------------------------------------------- names

std::string_view error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::MessageHeader:
            return "Message Header Error";
        case ErrorCode::OpenMessage:
            return "OPEN Message Error";
        case ErrorCode::UpdateMessage:
            return "UPDATE Message Error";
        case ErrorCode::HoldTimerExpired:
            return "Hold Timer Expired";
        case ErrorCode::FiniteStateMachine:
            return "Finite State Machine Error";
        case ErrorCode::Cease:
            return "Cease";
        case ErrorCode::RouteRefreshMessage:
            return "ROUTE-REFRESH Message Error";
    }
    return "Unknown Error Code";
}

std::string_view error_subcode_name(ErrorCode code, std::uint8_t subcode) {
    switch (code) {
        case ErrorCode::MessageHeader:
            switch (static_cast<HeaderSubcode>(subcode)) {
                case HeaderSubcode::ConnectionNotSynchronized:
                    return "Connection Not Synchronized";
                case HeaderSubcode::BadMessageLength:
                    return "Bad Message Length";
                case HeaderSubcode::BadMessageType:
                    return "Bad Message Type";
            }
            break;
        case ErrorCode::OpenMessage:
            if (subcode == 0) {
                return "Unspecific";
            }
            switch (static_cast<OpenSubcode>(subcode)) {
                case OpenSubcode::UnsupportedVersionNumber:
                    return "Unsupported Version Number";
                case OpenSubcode::BadPeerAs:
                    return "Bad Peer AS";
                case OpenSubcode::BadBgpIdentifier:
                    return "Bad BGP Identifier";
                case OpenSubcode::UnsupportedOptionalParameter:
                    return "Unsupported Optional Parameter";
                case OpenSubcode::UnacceptableHoldTime:
                    return "Unacceptable Hold Time";
                case OpenSubcode::UnsupportedCapability:
                    return "Unsupported Capability";
                case OpenSubcode::RoleMismatch:
                    return "Role Mismatch";
            }
            break;
        case ErrorCode::UpdateMessage:
            switch (static_cast<UpdateSubcode>(subcode)) {
                case UpdateSubcode::MalformedAttributeList:
                    return "Malformed Attribute List";
                case UpdateSubcode::UnrecognizedWellKnownAttribute:
                    return "Unrecognized Well-known Attribute";
                case UpdateSubcode::MissingWellKnownAttribute:
                    return "Missing Well-known Attribute";
                case UpdateSubcode::AttributeFlagsError:
                    return "Attribute Flags Error";
                case UpdateSubcode::AttributeLengthError:
                    return "Attribute Length Error";
                case UpdateSubcode::InvalidOriginAttribute:
                    return "Invalid ORIGIN Attribute";
                case UpdateSubcode::InvalidNextHopAttribute:
                    return "Invalid NEXT_HOP Attribute";
                case UpdateSubcode::OptionalAttributeError:
                    return "Optional Attribute Error";
                case UpdateSubcode::InvalidNetworkField:
                    return "Invalid Network Field";
                case UpdateSubcode::MalformedAsPath:
                    return "Malformed AS_PATH";
            }
            break;
        case ErrorCode::HoldTimerExpired:
            return subcode == 0 ? "Unspecific" : "Unknown Subcode";
        case ErrorCode::FiniteStateMachine:
            switch (static_cast<FsmSubcode>(subcode)) {
                case FsmSubcode::Unspecified:
                    return "Unspecified";
                case FsmSubcode::UnexpectedInOpenSent:
                    return "Unexpected Message in OpenSent";
                case FsmSubcode::UnexpectedInOpenConfirm:
                    return "Unexpected Message in OpenConfirm";
                case FsmSubcode::UnexpectedInEstablished:
                    return "Unexpected Message in Established";
            }
            break;
        case ErrorCode::Cease:
            switch (static_cast<CeaseSubcode>(subcode)) {
                case CeaseSubcode::MaximumPrefixesReached:
                    return "Maximum Number of Prefixes Reached";
                case CeaseSubcode::AdministrativeShutdown:
                    return "Administrative Shutdown";
                case CeaseSubcode::PeerDeconfigured:
                    return "Peer De-configured";
                case CeaseSubcode::AdministrativeReset:
                    return "Administrative Reset";
                case CeaseSubcode::ConnectionRejected:
                    return "Connection Rejected";
                case CeaseSubcode::OtherConfigurationChange:
                    return "Other Configuration Change";
                case CeaseSubcode::ConnectionCollisionResolution:
                    return "Connection Collision Resolution";
                case CeaseSubcode::OutOfResources:
                    return "Out of Resources";
                case CeaseSubcode::HardReset:
                    return "Hard Reset";
            }
            break;
        case ErrorCode::RouteRefreshMessage:
            if (static_cast<RouteRefreshSubcode>(subcode) == RouteRefreshSubcode::InvalidMessageLength) {
                return "Invalid Message Length";
            }
            break;
    }
    return subcode == 0 ? "Unspecific" : "Unknown Subcode";
}

std::string_view rfc7606_action_name(Rfc7606Action action) {
    switch (action) {
        case Rfc7606Action::None:
            return "none";
        case Rfc7606Action::AttributeDiscard:
            return "attribute-discard";
        case Rfc7606Action::TreatAsWithdraw:
            return "treat-as-withdraw";
        case Rfc7606Action::AfiSafiDisable:
            return "afi-safi-disable";
        case Rfc7606Action::SessionReset:
            return "session-reset";
    }
    return "unknown";
}

}  // namespace rf::bgp
