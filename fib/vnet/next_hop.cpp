#include "fib/vnet/next_hop.hpp"

#include <algorithm>

#include "net/hash.hpp"

namespace rf::fib {

std::string_view to_string(NextHopType t) {
    switch (t) {
        case NextHopType::VnetLocal:
            return "VnetLocal";
        case NextHopType::VNetPeering:
            return "VNetPeering";
        case NextHopType::Internet:
            return "Internet";
        case NextHopType::None:
            return "None";
        case NextHopType::VirtualAppliance:
            return "VirtualAppliance";
        case NextHopType::VirtualNetworkGateway:
            return "VirtualNetworkGateway";
    }
    return "?";
}

void NextHop::normalise() {
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
}

std::size_t NextHopHash::operator()(const NextHop& n) const noexcept {
    std::size_t h = static_cast<std::size_t>(n.type) * net::kGolden;
    const net::IpAddressHash ah;
    for (const net::IpAddress& a : n.addresses) {
        h ^= ah(a) + net::kGolden + (h << 6) + (h >> 2);
    }
    return h;
}

}  // namespace rf::fib
