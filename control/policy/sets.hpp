// The named sets a policy matches on, compiled once from their text (compile.hpp) and read by every
// evaluation (evaluate.hpp): prefix sets with ge/le ranges, AS-path regular expressions, community
// patterns (standard, extended, large, with wildcards) and next-hop sets. The built-in prefix sets
// (`bogons`, `martians`) are here too.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "control/codec/message.hpp"
#include "net/ip.hpp"

namespace rf::policy {

// One prefix-set entry: routes inside `prefix` whose length lies in [ge, le]. Written without ge/le the
// entry matches the prefix exactly; with ge only, le is the family's maximum; with le only, ge is the
// prefix's own length (the usual prefix-list / route-filter rules).
struct PrefixRange {
    net::Prefix prefix;
    std::uint8_t ge = 0;
    std::uint8_t le = 0;
    bool operator==(const PrefixRange&) const = default;
};

class PrefixSet {
public:
    PrefixSet() = default;
    explicit PrefixSet(std::string name) : name_(std::move(name)) {}

    void add(const PrefixRange& range);
    // True when some entry covers `p` with `p`'s length inside the entry's range.
    [[nodiscard]] bool matches(const net::Prefix& p) const;
    // True when some entry's prefix contains the address (next-hop sets; ge/le do not apply).
    [[nodiscard]] bool contains(const net::IpAddress& a) const;
    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] const std::vector<PrefixRange>& entries() const { return entries_; }

private:
    // Entries keyed by their prefix, one table per distinct entry length and family: a route is looked
    // up once per length present (a handful), not once per entry.
    struct LengthTable {
        std::uint8_t length = 0;
        std::unordered_map<net::Prefix, std::vector<std::pair<std::uint8_t, std::uint8_t>>, net::PrefixHash>
            ranges;
    };
    std::string name_;
    std::vector<PrefixRange> entries_;
    std::array<std::vector<LengthTable>, 2> by_family_;  // [0] IPv4, [1] IPv6
};

// The built-in prefix sets: `bogons` (RFC 6890 special-purpose space and the usual bogon list, private
// space included) and `martians` (the same without RFC 1918, shared address space 100.64.0.0/10 and
// IPv6 unique local addresses, which are normal inside a VNet). Each entry covers every more specific.
[[nodiscard]] const PrefixSet& builtin_bogons();
[[nodiscard]] const PrefixSet& builtin_martians();
// The set of that name, or nullptr.
[[nodiscard]] const PrefixSet* builtin_prefix_set(std::string_view name);

// A community as a pattern: each field a value or a wildcard (nullopt).
struct CommunityPattern {
    enum class Kind : std::uint8_t { Standard, Extended, Large };
    // Extended communities: the route target and site of origin of the AS and IPv4 specific types.
    enum class ExtKind : std::uint8_t { RouteTarget, SiteOfOrigin };
    Kind kind = Kind::Standard;
    ExtKind ext = ExtKind::RouteTarget;
    bool ext_ipv4 = false;  // the global administrator is an IPv4 address (held in fields[0])
    std::array<std::optional<std::uint32_t>, 3> fields;  // standard: 2, large: 3, extended: 2 used

    [[nodiscard]] bool wildcard() const;
    [[nodiscard]] bool matches_standard(std::uint32_t c) const;
    [[nodiscard]] bool matches_extended(std::uint64_t c) const;
    [[nodiscard]] bool matches_large(const bgp::LargeCommunity& c) const;
    // True when the route carries a community this pattern matches.
    [[nodiscard]] bool matches_any_of(const bgp::PathAttributes& a) const;
    // The value of a pattern without wildcards (for add/replace).
    [[nodiscard]] std::uint32_t standard() const;
    [[nodiscard]] std::uint64_t extended() const;
    [[nodiscard]] bgp::LargeCommunity large() const;
};

// Parses "65001:100", "65001:*", "*:100", the well-known names (no-export, no-advertise,
// no-export-subconfed, blackhole, graceful-shutdown), large "65001:1:2" (each field may be `*`) and
// extended "rt:65001:100", "soo:192.0.2.1:7". Returns an error text on failure.
struct CommunityParse {
    std::optional<CommunityPattern> pattern;
    std::string error;
};
[[nodiscard]] CommunityParse parse_community(std::string_view text);

struct CommunitySet {
    std::string name;
    std::vector<CommunityPattern> patterns;
};

// An AS-path regular expression in the dialect network engineers write (docs/configuration.md): the
// path is matched as text, "65001 65002 {65003,65004}", and `_` matches a delimiter: the start, the
// end, a space, a brace or a comma. The rest is ECMAScript (digits, `.`, `*`, `+`, `?`, `|`, `()`, `[]`,
// `^`, `$`, `{m,n}`); letters and backslashes are refused.
class AsPathRegex {
public:
    // The regex or an error text.
    static std::variant<AsPathRegex, std::string> compile(std::string_view text);
    [[nodiscard]] bool matches(std::string_view path_text) const;
    [[nodiscard]] const std::string& text() const { return text_; }

private:
    std::string text_;
    std::regex regex_;
};

struct AsPathSet {
    std::string name;
    std::vector<AsPathRegex> regexes;
};

}  // namespace rf::policy
