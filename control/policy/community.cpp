// Community patterns: their text (standard, large, extended; `*` wildcards; well-known names) and
// their match against the three community attributes.
#include <algorithm>
#include <charconv>

#include "control/policy/sets.hpp"

namespace rf::policy {
namespace {

using Kind = CommunityPattern::Kind;

// Extended community type octets (RFC 4360, RFC 5668): transitive AS2, IPv4 and AS4 specific.
constexpr std::uint8_t kTypeAs2 = 0x00;
constexpr std::uint8_t kTypeIpv4 = 0x01;
constexpr std::uint8_t kTypeAs4 = 0x02;
constexpr std::uint8_t kSubRouteTarget = 0x02;
constexpr std::uint8_t kSubSiteOfOrigin = 0x03;

struct WellKnown {
    std::string_view name;
    std::uint32_t value;
};
constexpr WellKnown kWellKnown[] = {
    {"no-export", bgp::community::NoExport},
    {"no-advertise", bgp::community::NoAdvertise},
    {"no-export-subconfed", bgp::community::NoExportSubconfed},
    {"blackhole", 0xFFFF029AU},          // RFC 7999
    {"graceful-shutdown", 0xFFFF0000U},  // RFC 8326
};

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

// A field: a number up to `max`, or `*` (nullopt). False when it is neither.
bool field(std::string_view s, std::uint64_t max, std::optional<std::uint32_t>& out) {
    if (s == "*") {
        out.reset();
        return true;
    }
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > max) {
        return false;
    }
    out = static_cast<std::uint32_t>(v);
    return true;
}

bool eq(const std::optional<std::uint32_t>& pattern, std::uint64_t value) {
    return !pattern || *pattern == value;
}

}  // namespace

bool CommunityPattern::wildcard() const {
    const std::size_t n = kind == Kind::Large ? 3 : 2;
    return std::any_of(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(n),
                       [](const auto& f) { return !f.has_value(); });
}

bool CommunityPattern::matches_standard(std::uint32_t c) const {
    return kind == Kind::Standard && eq(fields[0], c >> 16) && eq(fields[1], c & 0xFFFF);
}

bool CommunityPattern::matches_large(const bgp::LargeCommunity& c) const {
    return kind == Kind::Large && eq(fields[0], c.global_admin) && eq(fields[1], c.local_data1) &&
           eq(fields[2], c.local_data2);
}

bool CommunityPattern::matches_extended(std::uint64_t c) const {
    if (kind != Kind::Extended) {
        return false;
    }
    const auto type = static_cast<std::uint8_t>(c >> 56);
    const auto sub = static_cast<std::uint8_t>(c >> 48);
    if (sub != (ext == ExtKind::RouteTarget ? kSubRouteTarget : kSubSiteOfOrigin)) {
        return false;
    }
    switch (type) {
        case kTypeAs2:
            return !ext_ipv4 && eq(fields[0], (c >> 32) & 0xFFFF) && eq(fields[1], c & 0xFFFFFFFF);
        case kTypeAs4:
            return !ext_ipv4 && eq(fields[0], (c >> 16) & 0xFFFFFFFF) && eq(fields[1], c & 0xFFFF);
        case kTypeIpv4:
            return (ext_ipv4 || !fields[0]) && eq(fields[0], (c >> 16) & 0xFFFFFFFF) &&
                   eq(fields[1], c & 0xFFFF);
        default:
            return false;
    }
}

bool CommunityPattern::matches_any_of(const bgp::PathAttributes& a) const {
    switch (kind) {
        case Kind::Standard:
            return std::any_of(a.communities.begin(), a.communities.end(),
                               [&](std::uint32_t c) { return matches_standard(c); });
        case Kind::Extended:
            return std::any_of(a.extended_communities.begin(), a.extended_communities.end(),
                               [&](std::uint64_t c) { return matches_extended(c); });
        case Kind::Large:
            return std::any_of(a.large_communities.begin(), a.large_communities.end(),
                               [&](const bgp::LargeCommunity& c) { return matches_large(c); });
    }
    return false;
}

std::uint32_t CommunityPattern::standard() const {
    return (fields[0].value_or(0) << 16) | fields[1].value_or(0);
}

bgp::LargeCommunity CommunityPattern::large() const {
    return bgp::LargeCommunity{fields[0].value_or(0), fields[1].value_or(0), fields[2].value_or(0)};
}

std::uint64_t CommunityPattern::extended() const {
    const std::uint64_t sub = ext == ExtKind::RouteTarget ? kSubRouteTarget : kSubSiteOfOrigin;
    const std::uint64_t global = fields[0].value_or(0);
    const std::uint64_t local = fields[1].value_or(0);
    if (ext_ipv4) {
        return (std::uint64_t{kTypeIpv4} << 56) | (sub << 48) | (global << 16) | (local & 0xFFFF);
    }
    if (global > 0xFFFF) {
        return (std::uint64_t{kTypeAs4} << 56) | (sub << 48) | (global << 16) | (local & 0xFFFF);
    }
    return (std::uint64_t{kTypeAs2} << 56) | (sub << 48) | (global << 32) | (local & 0xFFFFFFFF);
}

CommunityParse parse_community(std::string_view text) {
    for (const WellKnown& w : kWellKnown) {
        if (text == w.name) {
            CommunityPattern p;
            p.fields[0] = w.value >> 16;
            p.fields[1] = w.value & 0xFFFF;
            return {p, {}};
        }
    }
    const auto parts = split(text, ':');
    CommunityPattern p;
    const std::string quoted = "'" + std::string(text) + "'";
    if (parts.size() == 3 && (parts[0] == "rt" || parts[0] == "soo")) {
        p.kind = Kind::Extended;
        p.ext = parts[0] == "rt" ? CommunityPattern::ExtKind::RouteTarget
                                 : CommunityPattern::ExtKind::SiteOfOrigin;
        if (auto a = net::Ipv4Address::parse(parts[1])) {
            p.ext_ipv4 = true;
            p.fields[0] = a->value;
            if (!field(parts[2], 0xFFFF, p.fields[1])) {
                return {std::nullopt, quoted + ": the local part after an IPv4 address is 0-65535 or *"};
            }
            return {p, {}};
        }
        if (!field(parts[1], 0xFFFFFFFF, p.fields[0])) {
            return {std::nullopt, quoted + ": the global part is an ASN, an IPv4 address or *"};
        }
        const std::uint64_t local_max = p.fields[0] && *p.fields[0] > 0xFFFF ? 0xFFFF : 0xFFFFFFFF;
        if (!field(parts[2], local_max, p.fields[1])) {
            return {std::nullopt, quoted + ": the local part is 0-" + std::to_string(local_max) +
                                      " (0-65535 after a 4-byte ASN) or *"};
        }
        return {p, {}};
    }
    if (parts.size() == 2) {
        if (!field(parts[0], 0xFFFF, p.fields[0]) || !field(parts[1], 0xFFFF, p.fields[1])) {
            return {std::nullopt, quoted + ": a standard community is ASN:VALUE, each 0-65535 or *"};
        }
        return {p, {}};
    }
    if (parts.size() == 3) {
        p.kind = Kind::Large;
        for (std::size_t i = 0; i < 3; ++i) {
            if (!field(parts[i], 0xFFFFFFFF, p.fields[i])) {
                return {std::nullopt,
                        quoted + ": a large community is GLOBAL:DATA1:DATA2, each 0-4294967295 or *"};
            }
        }
        return {p, {}};
    }
    return {std::nullopt,
            quoted + " is not a community (65001:100, 65001:1:2, rt:65001:100, no-export, ...)"};
}

}  // namespace rf::policy
