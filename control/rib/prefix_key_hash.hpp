// The hash of a Prefix for the RIB's std::unordered containers.
#pragma once

#include <cstddef>

#include "net/ip.hpp"

namespace rf::rib {

// net::PrefixHash is noexcept, so libstdc++ would not cache it in hash-table nodes and would hash again
// on every bucket walk and rehash. This wrapper is not noexcept, which makes the tables cache the hash.
struct PrefixKeyHash {
    std::size_t operator()(const net::Prefix& p) const { return net::PrefixHash{}(p); }  // NOLINT
};

}  // namespace rf::rib
