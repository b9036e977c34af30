#include "control/rib/attr_store.hpp"

#include <algorithm>

#include "net/hash.hpp"

namespace rf::rib {
namespace {

// Folds one 64-bit word into the hash, then mixes (splitmix64 finaliser).
std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + net::kGolden + (h << 6) + (h >> 2);
    return net::mix64(h);
}

std::uint64_t mix_address(std::uint64_t h, const net::IpAddress& a) {
    h = mix(h, static_cast<std::uint64_t>(a.afi));
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        lo = (lo << 8) | a.bytes[i];
        hi = (hi << 8) | a.bytes[8 + i];
    }
    return mix(mix(h, lo), hi);
}

bool has_community(const bgp::PathAttributes& a, std::uint32_t c) {
    return std::find(a.communities.begin(), a.communities.end(), c) != a.communities.end();
}

}  // namespace

std::size_t as_path_length(const bgp::AsPath& path) {
    std::size_t n = 0;
    for (const auto& seg : path.segments) {
        switch (seg.type) {
            case bgp::AsSegmentType::Sequence:
                n += seg.asns.size();
                break;
            case bgp::AsSegmentType::Set:
                n += seg.asns.empty() ? 0 : 1;
                break;
            case bgp::AsSegmentType::ConfedSequence:
            case bgp::AsSegmentType::ConfedSet:
                break;
        }
    }
    return n;
}

bool as_path_contains(const bgp::AsPath& path, std::uint32_t asn) {
    return std::any_of(path.segments.begin(), path.segments.end(), [asn](const bgp::AsSegment& s) {
        return std::find(s.asns.begin(), s.asns.end(), asn) != s.asns.end();
    });
}

bgp::AsPath as_path_prepended(const bgp::AsPath& path, std::uint32_t asn) {
    bgp::AsPath out = path;
    if (!out.segments.empty() && out.segments.front().type == bgp::AsSegmentType::Sequence &&
        out.segments.front().asns.size() < 255) {
        auto& asns = out.segments.front().asns;
        asns.insert(asns.begin(), asn);
    } else {
        out.segments.insert(out.segments.begin(), bgp::AsSegment{bgp::AsSegmentType::Sequence, {asn}});
    }
    return out;
}

std::size_t hash_route_attributes(const bgp::PathAttributes& a, std::span<const net::IpAddress> nh) {
    std::uint64_t h = 0x5EED;
    h = mix(h, a.origin ? 1 + static_cast<std::uint64_t>(*a.origin) : 0);
    if (a.as_path) {
        for (const auto& seg : a.as_path->segments) {
            h = mix(h, 0x100 + static_cast<std::uint64_t>(seg.type));
            for (auto asn : seg.asns) {
                h = mix(h, asn);
            }
        }
    } else {
        h = mix(h, 0xA5);
    }
    h = mix(h, a.next_hop ? 0x1'0000'0000ULL | a.next_hop->value : 0);
    h = mix(h, a.med ? 0x1'0000'0000ULL | *a.med : 0);
    h = mix(h, a.local_pref ? 0x1'0000'0000ULL | *a.local_pref : 0);
    h = mix(h, a.atomic_aggregate ? 1 : 0);
    if (a.aggregator) {
        h = mix(mix(h, a.aggregator->asn), a.aggregator->address.value);
    }
    h = mix(h, a.communities.size());
    for (auto c : a.communities) {
        h = mix(h, c);
    }
    h = mix(h, a.extended_communities.size());
    for (auto c : a.extended_communities) {
        h = mix(h, c);
    }
    h = mix(h, a.large_communities.size());
    for (const auto& c : a.large_communities) {
        h = mix(mix(mix(h, c.global_admin), c.local_data1), c.local_data2);
    }
    h = mix(h, a.originator_id ? 0x1'0000'0000ULL | a.originator_id->value : 0);
    for (auto c : a.cluster_list) {
        h = mix(h, c.value);
    }
    for (const auto& u : a.unknown) {
        h = mix(mix(mix(h, u.flags), u.type), u.value.size());
        for (auto b : u.value) {
            h = mix(h, b);
        }
    }
    for (const auto& n : nh) {
        h = mix_address(h, n);
    }
    return static_cast<std::size_t>(h);
}

AttrRef::AttrRef(AttrNode* n) : node_(n) {
    if (node_ != nullptr) {
        ++node_->refs;
    }
}

AttrRef::AttrRef(const AttrRef& o) : node_(o.node_) {
    if (node_ != nullptr) {
        ++node_->refs;
    }
}

AttrRef::~AttrRef() {
    if (node_ != nullptr && --node_->refs == 0) {
        node_->store->release(node_);
    }
}

AttrStore::~AttrStore() {
    // Handles must not outlive the store; whatever is left is freed here.
    for (auto& [h, n] : nodes_) {
        delete n;
    }
}

AttrRef AttrStore::intern(const bgp::PathAttributes& attrs, std::span<const net::IpAddress> mp_next_hops) {
    const std::size_t h = hash_route_attributes(attrs, mp_next_hops);
    auto [first, last] = nodes_.equal_range(h);
    for (auto it = first; it != last; ++it) {
        if (it->second->attrs == attrs && std::ranges::equal(it->second->mp_next_hops, mp_next_hops)) {
            return AttrRef(it->second);
        }
    }
    auto node = std::make_unique<AttrNode>();
    node->attrs = attrs;
    node->mp_next_hops.assign(mp_next_hops.begin(), mp_next_hops.end());
    node->hash = h;
    node->store = this;
    node->as_path_length = attrs.as_path ? as_path_length(*attrs.as_path) : 0;
    node->origin = attrs.origin.value_or(bgp::Origin::Incomplete);
    node->loops = attrs.as_path && as_path_contains(*attrs.as_path, local_asn_);
    node->not_advertised = has_community(attrs, bgp::community::NoAdvertise) ||
                           has_community(attrs, bgp::community::NoExport) ||
                           has_community(attrs, bgp::community::NoExportSubconfed);
    node->llgr_stale = has_community(attrs, bgp::community::LlgrStale);
    node->no_llgr = has_community(attrs, bgp::community::NoLlgr);
    if (!mp_next_hops.empty()) {
        node->forwarding_next_hop = mp_next_hops.front();
    } else if (attrs.next_hop) {
        node->forwarding_next_hop = net::IpAddress::v4(*attrs.next_hop);
    }
    AttrNode* raw = node.release();
    nodes_.emplace(h, raw);
    return AttrRef(raw);
}

void AttrStore::release(AttrNode* n) {
    auto [first, last] = nodes_.equal_range(n->hash);
    for (auto it = first; it != last; ++it) {
        if (it->second == n) {
            nodes_.erase(it);
            break;
        }
    }
    delete n;
}

}  // namespace rf::rib
