#include "dataplane/lab_port.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <rte_ethdev.h>

#include <cstring>

namespace rf::dataplane {

std::uint32_t interface_ipv4(const std::string& ifname) {
    ifaddrs* list = nullptr;
    if (ifname.empty() || ::getifaddrs(&list) != 0)
        return 0;
    std::uint32_t found = 0;
    for (const ifaddrs* a = list; a != nullptr && found == 0; a = a->ifa_next) {
        if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET || ifname != a->ifa_name)
            continue;
        sockaddr_in sin{};
        std::memcpy(&sin, a->ifa_addr, sizeof sin);
        found = ntohl(sin.sin_addr.s_addr);
    }
    ::freeifaddrs(list);
    return found;
}

Ipv6Bytes interface_ipv6(const std::string& ifname) {
    ifaddrs* list = nullptr;
    Ipv6Bytes found{};
    if (ifname.empty() || ::getifaddrs(&list) != 0)
        return found;
    bool have = false, link_local = false;
    for (const ifaddrs* a = list; a != nullptr && !link_local; a = a->ifa_next) {
        if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET6 || ifname != a->ifa_name)
            continue;
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, a->ifa_addr, sizeof sin6);
        const bool ll = sin6.sin6_addr.s6_addr[0] == 0xFE && (sin6.sin6_addr.s6_addr[1] & 0xC0) == 0x80;
        if (!have || ll) {
            std::memcpy(found.data(), sin6.sin6_addr.s6_addr, 16);
            have = true;
            link_local = ll;
        }
    }
    ::freeifaddrs(list);
    return found;
}

LabPort describe_lab_port(std::uint16_t port) {
    LabPort lp;
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port, &info) != 0 || info.driver_name == nullptr)
        return lp;
    lp.driver = info.driver_name;
    lp.tap = lp.driver == "net_tap";
    lp.linux_bound = lp.tap || lp.driver == "net_af_packet";
    if (lp.linux_bound && info.if_index != 0) {
        char name[IF_NAMESIZE] = {};
        if (::if_indextoname(info.if_index, name) != nullptr)
            lp.ifname = name;
    }
    if (lp.linux_bound && !lp.tap) {
        lp.kernel_ipv4 = interface_ipv4(lp.ifname);
        lp.kernel_ipv6 = interface_ipv6(lp.ifname);
    }
    return lp;
}

}  // namespace rf::dataplane
