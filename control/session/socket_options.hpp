// Per-peer socket options: TCP-MD5 (RFC 2385, Linux TCP_MD5SIG), IP TTL for eBGP multihop and GTSM
// (RFC 5082, IP_MINTTL). Thin wrappers over setsockopt that return an error text instead of throwing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "net/ip.hpp"

namespace rf::session {

// Installs (or, with an empty key, removes) the MD5 key for `peer` on socket `fd`. On a listening socket
// the key applies to connections from that peer; on a connecting socket, to the connection. Returns an
// error text on failure ("TCP_MD5SIG: Operation not permitted"); `errno_out` receives errno.
std::optional<std::string> set_tcp_md5(int fd, const net::IpAddress& peer, std::string_view key,
                                       int* errno_out = nullptr);

// Sets the TTL (IPv4) / hop limit (IPv6) of packets we send.
std::optional<std::string> set_ttl(int fd, bool ipv6, int ttl);

// GTSM: only accept packets whose TTL is at least `min_ttl` (255 - hops + 1).
std::optional<std::string> set_min_ttl(int fd, bool ipv6, int min_ttl);

}  // namespace rf::session
