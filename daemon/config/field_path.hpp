// Field paths of configuration errors ("peers[2].asn"), shared by the parser and the validator so that
// both name a field the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rf::config {

// "peers" + 2 -> "peers[2]"
[[nodiscard]] inline std::string at(std::string_view base, std::size_t i) {
    return std::string(base) + "[" + std::to_string(i) + "]";
}
// "route_server" + "asn" -> "route_server.asn"; a key at the root is its own path.
[[nodiscard]] inline std::string join(std::string_view base, std::string_view key) {
    return base.empty() ? std::string(key) : std::string(base) + "." + std::string(key);
}

}  // namespace rf::config
