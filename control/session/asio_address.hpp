// Conversions between rf::net::IpAddress and Boost.Asio addresses, shared by the session and the peer
// manager. An IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4 peer) becomes IPv4.
#pragma once

#include <algorithm>
#include <boost/asio/ip/address.hpp>

#include "net/ip.hpp"

namespace rf::session {

inline boost::asio::ip::address to_asio(const net::IpAddress& a) {
    if (a.is_v4()) {
        boost::asio::ip::address_v4::bytes_type b;
        std::copy_n(a.bytes.begin(), 4, b.begin());
        return boost::asio::ip::address_v4(b);
    }
    boost::asio::ip::address_v6::bytes_type b;
    std::copy_n(a.bytes.begin(), 16, b.begin());
    return boost::asio::ip::address_v6(b);
}

inline net::IpAddress from_asio(const boost::asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        return from_asio(a.to_v6().to_v4());
    }
    net::IpAddress r;
    if (a.is_v4()) {
        const auto b = a.to_v4().to_bytes();
        r.afi = net::Afi::Ipv4;
        std::copy(b.begin(), b.end(), r.bytes.begin());
    } else {
        const auto b = a.to_v6().to_bytes();
        r.afi = net::Afi::Ipv6;
        std::copy(b.begin(), b.end(), r.bytes.begin());
    }
    return r;
}

}  // namespace rf::session
