// Encoded BGP messages in shared, immutable buffers: the RIB encodes an update group's messages once and
// every session of the group sends the same buffer; a connection holds it until it is written.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace rf::bgp {

// Whole BGP messages, back to back, never modified once shared.
using SharedMessage = std::shared_ptr<const std::vector<std::uint8_t>>;

[[nodiscard]] inline SharedMessage share(std::vector<std::uint8_t>&& bytes) {
    return std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
}

}  // namespace rf::bgp
