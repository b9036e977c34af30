#include "fib/bgp_routes.hpp"

namespace rf::fib {

BgpRoutes::Copy BgpRoutes::copy(const GroupTable& groups) const {
    Copy c;
    c.v4.reserve(map_.size(net::Afi::Ipv4));
    c.v6.reserve(map_.size(net::Afi::Ipv6));
    map_.for_each([&c](const net::Prefix& p, GroupId g) {
        if (p.is_v4()) {
            c.v4.emplace_back(net::PackedV4Prefix::of(p), g);
        } else {
            c.v6.emplace_back(p, g);
        }
    });
    auto note = [&](GroupId g) {
        if (c.addresses.find(g) == c.addresses.end()) {
            c.addresses.emplace(g, groups.value_of(g).addresses);
        }
    };
    for (const auto& e : c.v4) {
        note(e.second);
    }
    for (const auto& e : c.v6) {
        note(e.second);
    }
    return c;
}

std::map<net::Prefix, std::vector<net::IpAddress>> BgpRoutes::Copy::by_prefix() const {
    std::map<net::Prefix, std::vector<net::IpAddress>> out;
    for (const auto& [k, g] : v4) {
        out.emplace(k.prefix(), addresses.at(g));
    }
    for (const auto& [p, g] : v6) {
        out.emplace(p, addresses.at(g));
    }
    return out;
}

}  // namespace rf::fib
