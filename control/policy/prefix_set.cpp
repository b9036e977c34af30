// Prefix sets: the ge/le match over per-length tables, and the built-in bogon and martian sets.
#include <algorithm>

#include "control/policy/sets.hpp"

namespace rf::policy {
namespace {

std::size_t family_slot(net::Afi afi) {
    return afi == net::Afi::Ipv4 ? 0 : 1;
}

net::Prefix truncated(const net::Prefix& p, std::uint8_t length) {
    return net::Prefix::make(p.afi, length, p.bytes.data(), p.bytes.size());
}

PrefixSet make_set(std::string name, std::initializer_list<std::string_view> prefixes) {
    PrefixSet s(std::move(name));
    for (std::string_view text : prefixes) {
        const auto p = net::Prefix::parse(text);
        s.add(PrefixRange{*p, p->length, p->max_length()});  // the prefix and every more specific
    }
    return s;
}

}  // namespace

void PrefixSet::add(const PrefixRange& range) {
    entries_.push_back(range);
    auto& tables = by_family_[family_slot(range.prefix.afi)];
    auto it = std::find_if(tables.begin(), tables.end(),
                           [&](const LengthTable& t) { return t.length == range.prefix.length; });
    if (it == tables.end()) {
        tables.push_back(LengthTable{range.prefix.length, {}});
        it = tables.end() - 1;
    }
    it->ranges[range.prefix].emplace_back(range.ge, range.le);
}

bool PrefixSet::matches(const net::Prefix& p) const {
    for (const LengthTable& t : by_family_[family_slot(p.afi)]) {
        if (t.length > p.length) {
            continue;
        }
        const auto it = t.ranges.find(truncated(p, t.length));
        if (it == t.ranges.end()) {
            continue;
        }
        for (const auto& [ge, le] : it->second) {
            if (p.length >= ge && p.length <= le) {
                return true;
            }
        }
    }
    return false;
}

bool PrefixSet::contains(const net::IpAddress& a) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const PrefixRange& r) { return r.prefix.contains(a); });
}

const PrefixSet& builtin_martians() {
    // RFC 6890 special-purpose space that is never routed between networks, and multicast/reserved.
    static const PrefixSet set = make_set(
        "martians", {
                        "0.0.0.0/8",     "127.0.0.0/8",     "169.254.0.0/16", "192.0.0.0/24", "192.0.2.0/24",
                        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",  "240.0.0.0/4",
                        "::/8",          "100::/64",        "2001:2::/48",    "2001:10::/28", "2001:db8::/32",
                        "3ffe::/16",     "fe80::/10",       "fec0::/10",      "ff00::/8",
                    });
    return set;
}

const PrefixSet& builtin_bogons() {
    // The martians plus the private and shared space of the usual bogon lists (Team Cymru's).
    static const PrefixSet set = [] {
        PrefixSet s("bogons");
        for (const PrefixRange& r : builtin_martians().entries()) {
            s.add(r);
        }
        for (std::string_view text : {"10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16",
                                      "192.88.99.0/24", "2002::/16", "fc00::/7"}) {
            const auto p = net::Prefix::parse(text);
            s.add(PrefixRange{*p, p->length, p->max_length()});
        }
        return s;
    }();
    return set;
}

const PrefixSet* builtin_prefix_set(std::string_view name) {
    if (name == "bogons") {
        return &builtin_bogons();
    }
    if (name == "martians") {
        return &builtin_martians();
    }
    return nullptr;
}

}  // namespace rf::policy
