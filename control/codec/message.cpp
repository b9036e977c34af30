// The few computations on message values (AS path length and prepending, the attribute set hash, the
// End-of-RIB test). Their text forms are in text.cpp.
#include "control/codec/message.hpp"

#include <algorithm>

namespace rf::bgp {

std::size_t AsPath::length() const {
    std::size_t n = 0;
    for (const auto& s : segments) {
        if (s.type == AsSegmentType::Sequence) {
            n += s.asns.size();
        } else if (s.type == AsSegmentType::Set) {
            n += 1;
        }
    }
    return n;
}

std::optional<std::uint32_t> AsPath::first_as() const {
    if (segments.empty() || segments.front().type != AsSegmentType::Sequence ||
        segments.front().asns.empty()) {
        return std::nullopt;
    }
    return segments.front().asns.front();
}

bool AsPath::contains(std::uint32_t asn) const {
    return std::any_of(segments.begin(), segments.end(), [asn](const AsSegment& s) {
        return std::find(s.asns.begin(), s.asns.end(), asn) != s.asns.end();
    });
}

AsPath AsPath::prepended(std::uint32_t asn, std::size_t count) const {
    AsPath p = *this;
    while (count > 0) {
        if (p.segments.empty() || p.segments.front().type != AsSegmentType::Sequence ||
            p.segments.front().asns.size() >= 255) {
            p.segments.insert(p.segments.begin(), AsSegment{AsSegmentType::Sequence, {}});
        }
        auto& asns = p.segments.front().asns;
        const std::size_t k = std::min(count, 255 - asns.size());
        asns.insert(asns.begin(), k, asn);
        count -= k;
    }
    return p;
}

bool PathAttributes::has_community(std::uint32_t c) const {
    return std::find(communities.begin(), communities.end(), c) != communities.end();
}

namespace {
struct Hasher {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    void add(std::uint64_t v) {
        h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
        h *= 0x100000001B3ULL;
    }
};
}  // namespace

std::size_t PathAttributesHash::operator()(const PathAttributes& a) const noexcept {
    Hasher x;
    x.add(a.origin ? 1 + static_cast<unsigned>(*a.origin) : 0);
    if (a.as_path) {
        for (const auto& s : a.as_path->segments) {
            x.add(0x100 + static_cast<unsigned>(s.type));
            for (auto asn : s.asns) {
                x.add(asn);
            }
        }
    }
    x.add(a.next_hop ? (std::uint64_t{1} << 32) | a.next_hop->value : 0);
    x.add(a.med ? (std::uint64_t{1} << 32) | *a.med : 0);
    x.add(a.local_pref ? (std::uint64_t{1} << 32) | *a.local_pref : 0);
    x.add(a.atomic_aggregate ? 1 : 0);
    if (a.aggregator) {
        x.add((std::uint64_t{a.aggregator->asn} << 32) | a.aggregator->address.value);
    }
    for (auto c : a.communities) {
        x.add(c);
    }
    x.add(0xC0);
    for (auto c : a.extended_communities) {
        x.add(c);
    }
    x.add(0xC1);
    for (const auto& c : a.large_communities) {
        x.add((std::uint64_t{c.global_admin} << 32) | c.local_data1);
        x.add(c.local_data2);
    }
    x.add(a.originator_id ? (std::uint64_t{1} << 32) | a.originator_id->value : 0);
    for (auto id : a.cluster_list) {
        x.add(id.value);
    }
    for (const auto& u : a.unknown) {
        x.add((std::uint64_t{u.flags} << 8) | u.type);
        for (auto b : u.value) {
            x.add(b);
        }
    }
    return static_cast<std::size_t>(x.h);
}

bool Update::is_end_of_rib() const {
    if (!withdrawn.empty() || !nlri.empty() || mp_reach || !(attributes == PathAttributes{})) {
        return false;
    }
    return !mp_unreach || mp_unreach->withdrawn.empty();
}

}  // namespace rf::bgp
