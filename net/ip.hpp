// IP addresses and prefixes shared by the codec, the RIB, the FIB and the data plane.
// Plain values: no sockets, no allocation. IPv4 addresses are kept in host byte order so that
// comparisons, masks and LPM keys need no conversion; IPv6 addresses are 16 bytes in network order.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace rf::net {

enum class Afi : std::uint16_t { Ipv4 = 1, Ipv6 = 2 };
enum class Safi : std::uint8_t { Unicast = 1, Multicast = 2 };

struct Ipv4Address {
    std::uint32_t value = 0;  // host byte order

    constexpr auto operator<=>(const Ipv4Address&) const = default;
    [[nodiscard]] std::string to_string() const;
    static std::optional<Ipv4Address> parse(std::string_view text);
};

struct Ipv6Address {
    std::array<std::uint8_t, 16> bytes{};  // network byte order

    constexpr auto operator<=>(const Ipv6Address&) const = default;
    [[nodiscard]] std::string to_string() const;
    static std::optional<Ipv6Address> parse(std::string_view text);
};

// Either family. The unused bytes are zero so that equality and hashing work on the whole value.
struct IpAddress {
    Afi afi = Afi::Ipv4;
    std::array<std::uint8_t, 16> bytes{};  // network byte order; IPv4 uses bytes[0..3]

    constexpr auto operator<=>(const IpAddress&) const = default;

    static IpAddress v4(Ipv4Address a);
    static IpAddress v6(const Ipv6Address& a);
    [[nodiscard]] bool is_v4() const { return afi == Afi::Ipv4; }
    [[nodiscard]] Ipv4Address as_v4() const;
    [[nodiscard]] Ipv6Address as_v6() const;
    [[nodiscard]] std::string to_string() const;
    static std::optional<IpAddress> parse(std::string_view text);
};

// A prefix of either family. Host bits beyond `length` are always zero (the constructors mask them),
// so two prefixes are equal exactly when they cover the same addresses.
struct Prefix {
    Afi afi = Afi::Ipv4;
    std::uint8_t length = 0;
    std::array<std::uint8_t, 16> bytes{};  // network byte order, masked to `length`

    constexpr auto operator<=>(const Prefix&) const = default;

    static Prefix v4(Ipv4Address addr, std::uint8_t length);
    static Prefix v6(const Ipv6Address& addr, std::uint8_t length);
    // Builds a prefix from raw (possibly unmasked) bytes; `length` must not exceed the family maximum.
    static Prefix make(Afi afi, std::uint8_t length, const std::uint8_t* bytes, std::size_t byte_count);

    [[nodiscard]] bool is_v4() const { return afi == Afi::Ipv4; }
    [[nodiscard]] std::uint8_t max_length() const { return afi == Afi::Ipv4 ? 32 : 128; }
    [[nodiscard]] Ipv4Address v4_address() const;  // valid when is_v4()
    [[nodiscard]] IpAddress address() const;
    [[nodiscard]] bool contains(const IpAddress& addr) const;
    [[nodiscard]] bool contains(const Prefix& other) const;     // other is equal or more specific
    [[nodiscard]] std::string to_string() const;                // "10.0.0.0/8", "2001:db8::/32"
    static std::optional<Prefix> parse(std::string_view text);  // rejects host bits set
};

struct PrefixHash {
    std::size_t operator()(const Prefix& p) const noexcept;
};
struct IpAddressHash {
    std::size_t operator()(const IpAddress& a) const noexcept;
};

}  // namespace rf::net
