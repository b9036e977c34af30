#include "net/ip.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace rf::net {
namespace {

void mask_bytes(std::array<std::uint8_t, 16>& bytes, std::uint8_t length) {
    const std::size_t full = length / 8;
    const unsigned rem = length % 8;
    if (full < bytes.size()) {
        if (rem != 0) {
            bytes[full] &= static_cast<std::uint8_t>(0xFFU << (8U - rem));
            std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(full) + 1, bytes.end(), 0);
        } else {
            std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(full), bytes.end(), 0);
        }
    }
}

std::size_t hash_bytes(std::uint64_t seed, const std::array<std::uint8_t, 16>& bytes) {
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::memcpy(&a, bytes.data(), 8);
    std::memcpy(&b, bytes.data() + 8, 8);
    // 64-bit mix (splitmix64 finaliser) over the two halves and the seed.
    std::uint64_t h = seed * 0x9E3779B97F4A7C15ULL ^ a;
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= b + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2);
    h ^= h >> 27;
    h *= 0x94D049BB133111EBULL;
    h ^= h >> 31;
    return static_cast<std::size_t>(h);
}

}  // namespace

std::string Ipv4Address::to_string() const {
    char buf[INET_ADDRSTRLEN];
    const std::uint32_t be = htonl(value);
    inet_ntop(AF_INET, &be, buf, sizeof buf);
    return buf;
}

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) {
        return std::nullopt;  // inet_pton would stop at the NUL and accept what precedes it
    }
    std::string s(text);
    std::uint32_t be = 0;
    if (inet_pton(AF_INET, s.c_str(), &be) != 1) {
        return std::nullopt;
    }
    return Ipv4Address{ntohl(be)};
}

std::string Ipv6Address::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

std::optional<Ipv6Address> Ipv6Address::parse(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) {
        return std::nullopt;  // inet_pton would stop at the NUL and accept what precedes it
    }
    std::string s(text);
    Ipv6Address a;
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) {
        return std::nullopt;
    }
    return a;
}

IpAddress IpAddress::v4(Ipv4Address a) {
    IpAddress r;
    r.afi = Afi::Ipv4;
    r.bytes[0] = static_cast<std::uint8_t>(a.value >> 24);
    r.bytes[1] = static_cast<std::uint8_t>(a.value >> 16);
    r.bytes[2] = static_cast<std::uint8_t>(a.value >> 8);
    r.bytes[3] = static_cast<std::uint8_t>(a.value);
    return r;
}

IpAddress IpAddress::v6(const Ipv6Address& a) {
    IpAddress r;
    r.afi = Afi::Ipv6;
    r.bytes = a.bytes;
    return r;
}

Ipv4Address IpAddress::as_v4() const {
    return Ipv4Address{(std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                       (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]}};
}

Ipv6Address IpAddress::as_v6() const {
    return Ipv6Address{bytes};
}

std::string IpAddress::to_string() const {
    return is_v4() ? as_v4().to_string() : as_v6().to_string();
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.find(':') != std::string_view::npos) {
        if (auto a = Ipv6Address::parse(text)) {
            return v6(*a);
        }
        return std::nullopt;
    }
    if (auto a = Ipv4Address::parse(text)) {
        return v4(*a);
    }
    return std::nullopt;
}

Prefix Prefix::v4(Ipv4Address addr, std::uint8_t length) {
    const IpAddress a = IpAddress::v4(addr);
    return make(Afi::Ipv4, length, a.bytes.data(), 4);
}

Prefix Prefix::v6(const Ipv6Address& addr, std::uint8_t length) {
    return make(Afi::Ipv6, length, addr.bytes.data(), 16);
}

Prefix Prefix::make(Afi afi, std::uint8_t length, const std::uint8_t* src, std::size_t byte_count) {
    Prefix p;
    p.afi = afi;
    const std::uint8_t max = afi == Afi::Ipv4 ? 32 : 128;
    p.length = std::min(length, max);
    std::memcpy(p.bytes.data(), src, std::min<std::size_t>(byte_count, afi == Afi::Ipv4 ? 4 : 16));
    mask_bytes(p.bytes, p.length);
    return p;
}

Ipv4Address Prefix::v4_address() const {
    return address().as_v4();
}

IpAddress Prefix::address() const {
    IpAddress a;
    a.afi = afi;
    a.bytes = bytes;
    return a;
}

bool Prefix::contains(const IpAddress& addr) const {
    if (addr.afi != afi) {
        return false;
    }
    auto masked = addr.bytes;
    mask_bytes(masked, length);
    return masked == bytes;
}

bool Prefix::contains(const Prefix& other) const {
    if (other.afi != afi || other.length < length) {
        return false;
    }
    auto masked = other.bytes;
    mask_bytes(masked, length);
    return masked == bytes;
}

std::string Prefix::to_string() const {
    return address().to_string() + "/" + std::to_string(length);
}

std::optional<Prefix> Prefix::parse(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        return std::nullopt;
    }
    const auto addr = IpAddress::parse(text.substr(0, slash));
    if (!addr) {
        return std::nullopt;
    }
    const auto len_text = text.substr(slash + 1);
    unsigned len = 0;
    const auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc{} || ptr != len_text.data() + len_text.size() || len_text.empty()) {
        return std::nullopt;
    }
    const unsigned max = addr->is_v4() ? 32 : 128;
    if (len > max) {
        return std::nullopt;
    }
    Prefix p = make(addr->afi, static_cast<std::uint8_t>(len), addr->bytes.data(), 16);
    if (p.bytes != addr->bytes) {
        return std::nullopt;  // host bits set: "10.0.0.1/8" is not a prefix
    }
    return p;
}

std::size_t PrefixHash::operator()(const Prefix& p) const noexcept {
    return hash_bytes((static_cast<std::uint64_t>(p.afi) << 8) | p.length, p.bytes);
}

std::size_t IpAddressHash::operator()(const IpAddress& a) const noexcept {
    return hash_bytes(static_cast<std::uint64_t>(a.afi), a.bytes);
}

}  // namespace rf::net
