#include "control/session/socket_options.hpp"

#include <arpa/inet.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace rf::session {
namespace {

std::optional<std::string> fail(const char* what, int* errno_out = nullptr) {
    const int e = errno;
    if (errno_out != nullptr) {
        *errno_out = e;
    }
    return std::string(what) + ": " + std::strerror(e);
}

}  // namespace

std::optional<std::string> set_tcp_md5(int fd, const net::IpAddress& peer, std::string_view key,
                                       int* errno_out) {
    if (key.size() > TCP_MD5SIG_MAXKEYLEN) {
        return std::string("TCP_MD5SIG: key longer than ") + std::to_string(TCP_MD5SIG_MAXKEYLEN) + " bytes";
    }
    struct tcp_md5sig sig {};
    if (peer.is_v4()) {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        std::memcpy(&sin.sin_addr, peer.bytes.data(), 4);
        std::memcpy(&sig.tcpm_addr, &sin, sizeof sin);
    } else {
        sockaddr_in6 sin6{};
        sin6.sin6_family = AF_INET6;
        std::memcpy(&sin6.sin6_addr, peer.bytes.data(), 16);
        std::memcpy(&sig.tcpm_addr, &sin6, sizeof sin6);
    }
    sig.tcpm_keylen = static_cast<std::uint16_t>(key.size());
    std::memcpy(sig.tcpm_key, key.data(), key.size());
    if (::setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig) != 0) {
        // Removing a key that was never installed is not an error worth reporting.
        if (key.empty() && errno == ENOENT) {
            return std::nullopt;
        }
        return fail("TCP_MD5SIG", errno_out);
    }
    return std::nullopt;
}

std::optional<std::string> set_ttl(int fd, bool ipv6, int ttl) {
    const int rc = ipv6 ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl)
                        : ::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
    return rc == 0 ? std::nullopt : fail(ipv6 ? "IPV6_UNICAST_HOPS" : "IP_TTL");
}

std::optional<std::string> set_min_ttl(int fd, bool ipv6, int min_ttl) {
#ifdef IPV6_MINHOPCOUNT
    const int rc = ipv6 ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min_ttl, sizeof min_ttl)
                        : ::setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min_ttl, sizeof min_ttl);
#else
    if (ipv6) {
        return std::string("GTSM for IPv6 not supported by this platform");
    }
    const int rc = ::setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min_ttl, sizeof min_ttl);
#endif
    return rc == 0 ? std::nullopt : fail("IP_MINTTL");
}

}  // namespace rf::session
