// The RTR client's configuration as values (the YAML `rpki:` section maps onto it): the caches and the
// intervals of RFC 8210 §6, with rtrlib's limits. No rtrlib or Asio here, so the configuration layer can
// hold it.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace rf::rpki {

inline constexpr std::uint16_t kRtrPort = 323;  // IANA "rpki-rtr" (RFC 6810 §7)

struct CacheConfig {
    std::string address;  // IP address or host name
    std::uint16_t port = kRtrPort;
    std::uint8_t preference = 1;  // lower is preferred (rtr_mgr's group preference)
    auto operator<=>(const CacheConfig&) const = default;
};

// Intervals in seconds (RFC 8210 §6). rtrlib's limits: refresh 1..86400, retry 1..7200, expire 600..172800.
struct RtrConfig {
    std::vector<CacheConfig> caches;
    std::uint32_t refresh_interval = 3600;
    std::uint32_t retry_interval = 600;
    std::uint32_t expire_interval = 7200;
    auto operator<=>(const RtrConfig&) const = default;
};
inline constexpr std::uint32_t kMinRefresh = 1, kMaxRefresh = 86400;
inline constexpr std::uint32_t kMinRetry = 1, kMaxRetry = 7200;
inline constexpr std::uint32_t kMinExpire = 600, kMaxExpire = 172800;

}  // namespace rf::rpki
