// Interned route attributes: identical (PathAttributes, MP next hops) sets are stored once and shared
// by a refcounted handle (Tungsten's BgpAttrDB::Locate). Single-threaded, like the RIB that owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "control/codec/message.hpp"

namespace rf::rib {

// RFC 4271 §9.1.2.2 a path length: an AS_SET counts one, confederation segments zero.
std::size_t as_path_length(const bgp::AsPath& path);
bool as_path_contains(const bgp::AsPath& path, std::uint32_t asn);
// `asn` prepended once to the leading AS_SEQUENCE (a new segment if none or the first is full).
bgp::AsPath as_path_prepended(const bgp::AsPath& path, std::uint32_t asn);

// Hash of everything that makes two routes' attributes identical. Our own (the codec's
// PathAttributesHash may not be implemented yet); any good mix works since equality is checked too.
std::size_t hash_route_attributes(const bgp::PathAttributes& a, std::span<const net::IpAddress> nh);

class AttrStore;

struct AttrNode {
    bgp::PathAttributes attrs;                 // as received (IPv4 routes carry their NEXT_HOP here)
    std::vector<net::IpAddress> mp_next_hops;  // MP_REACH next hops (IPv6 routes); empty for IPv4
    std::size_t hash = 0;
    std::uint32_t refs = 0;
    AttrStore* store = nullptr;

    // Derived once, at interning.
    std::size_t as_path_length = 0;
    bgp::Origin origin = bgp::Origin::Incomplete;  // missing ORIGIN counts as the worst
    bool loops = false;                  // AS_PATH holds the RS ASN: not eligible (RFC 4271 §9.1.2)
    bool not_advertised = false;         // NO_ADVERTISE, NO_EXPORT or NO_EXPORT_SUBCONFED
    bool llgr_stale = false;             // LLGR_STALE (RFC 9494 §4.3): below every path without it
    bool no_llgr = false;                // NO_LLGR (RFC 9494 §4.2): never kept long-lived stale
    net::IpAddress forwarding_next_hop;  // what the FIB programs

    // The attributes as every peer receives them (see RouteServerRib), built on first use.
    std::unique_ptr<bgp::PathAttributes> outbound;
};

// Intrusive refcounted handle; the node leaves the store when the last handle goes.
class AttrRef {
public:
    AttrRef() = default;
    explicit AttrRef(AttrNode* n);
    AttrRef(const AttrRef& o);
    AttrRef(AttrRef&& o) noexcept : node_(o.node_) { o.node_ = nullptr; }
    AttrRef& operator=(AttrRef o) noexcept {
        std::swap(node_, o.node_);
        return *this;
    }
    ~AttrRef();

    [[nodiscard]] AttrNode* get() const { return node_; }
    AttrNode* operator->() const { return node_; }
    AttrNode& operator*() const { return *node_; }
    explicit operator bool() const { return node_ != nullptr; }
    friend bool operator==(const AttrRef& a, const AttrRef& b) { return a.node_ == b.node_; }

private:
    AttrNode* node_ = nullptr;
};

class AttrStore {
public:
    explicit AttrStore(std::uint32_t local_asn) : local_asn_(local_asn) {}
    ~AttrStore();
    AttrStore(const AttrStore&) = delete;
    AttrStore& operator=(const AttrStore&) = delete;

    AttrRef intern(const bgp::PathAttributes& attrs, std::span<const net::IpAddress> mp_next_hops);
    [[nodiscard]] std::size_t size() const { return nodes_.size(); }

private:
    friend class AttrRef;
    void release(AttrNode* n);

    std::uint32_t local_asn_;
    std::unordered_multimap<std::size_t, AttrNode*> nodes_;  // by hash; equality checked on lookup
};

}  // namespace rf::rib
