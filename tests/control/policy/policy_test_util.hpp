// Shared by the policy tests: routes and chains from a few lines.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "control/policy/compile.hpp"

namespace rf::policy::test {

inline net::Prefix P(std::string_view s) {
    return *net::Prefix::parse(s);
}
inline net::IpAddress A(std::string_view s) {
    return *net::IpAddress::parse(s);
}

inline bgp::AsPath path(std::initializer_list<std::uint32_t> asns) {
    bgp::AsPath p;
    bgp::AsSegment s;
    for (auto a : asns) {
        s.asns.push_back(a);
    }
    p.segments.push_back(std::move(s));
    return p;
}

// A route with its own storage for the view.
struct TestRoute {
    net::Prefix prefix;
    bgp::PathAttributes attributes;
    std::vector<net::IpAddress> next_hops;
    rpki::Validity validity = rpki::Validity::Unknown;

    TestRoute(std::string_view p, std::initializer_list<std::uint32_t> asns, std::string_view nh)
        : prefix(P(p)) {
        attributes.origin = bgp::Origin::Igp;
        attributes.as_path = path(asns);
        next_hops.push_back(A(nh));
        if (next_hops[0].is_v4()) {
            attributes.next_hop = next_hops[0].as_v4();
        }
    }
    [[nodiscard]] RouteView view() const { return RouteView{prefix, attributes, next_hops, validity}; }
};

inline std::shared_ptr<const Library> library(const Definitions& d) {
    auto r = compile(d);
    if (auto* e = std::get_if<std::vector<CompileError>>(&r)) {
        ADD_FAILURE() << (e->empty() ? std::string() : e->front().path + ": " + e->front().message);
        return std::make_shared<Library>();
    }
    return std::get<std::shared_ptr<const Library>>(r);
}

inline std::vector<CompileError> errors_of(const Definitions& d) {
    auto r = compile(d);
    if (auto* e = std::get_if<std::vector<CompileError>>(&r)) {
        return *e;
    }
    return {};
}

}  // namespace rf::policy::test
