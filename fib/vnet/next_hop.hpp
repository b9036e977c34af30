// The value of an effective route's next hop: its type (Azure's names) and, for the types that have
// members, the set of addresses. The FIB interns these values as next-hop groups (fib/nexthop_group.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "net/ip.hpp"

namespace rf::fib {

// Next hop types of an effective route (Azure's names).
enum class NextHopType : std::uint8_t {
    VnetLocal,
    VNetPeering,
    Internet,
    None,  // drop
    VirtualAppliance,
    VirtualNetworkGateway,  // BGP routes learned by the route server; members are the NVAs
};
[[nodiscard]] std::string_view to_string(NextHopType t);

// The value a group stands for. Addresses form a set: sorted and without duplicates (normalise()).
struct NextHop {
    NextHopType type = NextHopType::None;
    std::vector<net::IpAddress> addresses;

    bool operator==(const NextHop&) const = default;
    void normalise();
};
struct NextHopHash {
    std::size_t operator()(const NextHop& n) const noexcept;
};

}  // namespace rf::fib
