#include "dataplane/ndp.hpp"

#include <algorithm>
#include <cstring>

namespace rf::dataplane::ndp {

namespace {

constexpr std::size_t kEth = 14;
constexpr std::size_t kIp6 = 40;
constexpr std::size_t kNdBody = 24;  // type, code, checksum, flags/reserved, target
constexpr std::uint8_t kIcmp6 = 58;
constexpr std::uint8_t kOptSourceLl = 1;
constexpr std::uint8_t kOptTargetLl = 2;
constexpr std::uint8_t kFlagRouter = 0x80, kFlagSolicited = 0x40, kFlagOverride = 0x20;

void put16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint32_t sum16(const std::uint8_t* p, std::size_t len, std::uint32_t sum) {
    for (std::size_t i = 0; i + 1 < len; i += 2)
        sum += get16(p + i);
    if (len % 2 != 0)
        sum += static_cast<std::uint32_t>(p[len - 1]) << 8;
    return sum;
}

// Ethernet + IPv6 header for an ICMPv6 message of `payload` bytes; returns the message's start.
std::uint8_t* headers(std::uint8_t* frame, const MacAddress& dst_mac, const MacAddress& src_mac,
                      const Ipv6Bytes& src, const Ipv6Bytes& dst, std::size_t payload) {
    std::memcpy(frame, dst_mac.data(), 6);
    std::memcpy(frame + 6, src_mac.data(), 6);
    put16(frame + 12, 0x86DD);
    std::uint8_t* ip = frame + kEth;
    std::memset(ip, 0, kIp6);
    ip[0] = 0x60;  // version 6, traffic class 0, flow label 0
    put16(ip + 4, static_cast<std::uint16_t>(payload));
    ip[6] = kIcmp6;
    ip[7] = 255;  // hop limit: a receiver drops ND messages that crossed a router (RFC 4861 7.1)
    std::memcpy(ip + 8, src.data(), 16);
    std::memcpy(ip + 24, dst.data(), 16);
    return ip + kIp6;
}

// The checksum field: the one's complement of the sum with the field zero.
void finish(std::uint8_t* msg, std::size_t len, const Ipv6Bytes& src, const Ipv6Bytes& dst) {
    put16(msg + 2, 0);
    put16(msg + 2, icmp6_checksum(src, dst, msg, len));
}

}  // namespace

bool is_unspecified(const Ipv6Bytes& a) {
    return std::all_of(a.begin(), a.end(), [](std::uint8_t b) { return b == 0; });
}

bool is_multicast(const Ipv6Bytes& a) {
    return a[0] == 0xFF;
}

bool is_link_local(const Ipv6Bytes& a) {
    return a[0] == 0xFE && (a[1] & 0xC0) == 0x80;
}

Ipv6Bytes solicited_node(const Ipv6Bytes& target) {
    return Ipv6Bytes{0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xFF, target[13], target[14], target[15]};
}

MacAddress multicast_mac(const Ipv6Bytes& group) {
    return MacAddress{0x33, 0x33, group[12], group[13], group[14], group[15]};
}

Ipv6Bytes link_local(const MacAddress& mac) {
    return Ipv6Bytes{
        0xFE,   0x80,   0,    0,    0,      0,      0,     0, static_cast<std::uint8_t>(mac[0] ^ 0x02),
        mac[1], mac[2], 0xFF, 0xFE, mac[3], mac[4], mac[5]};
}

Ipv6Bytes all_nodes() {
    return Ipv6Bytes{0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
}

std::uint16_t icmp6_checksum(const Ipv6Bytes& src, const Ipv6Bytes& dst, const std::uint8_t* msg,
                             std::size_t len) {
    std::uint32_t sum = sum16(src.data(), 16, 0);
    sum = sum16(dst.data(), 16, sum);
    sum += static_cast<std::uint32_t>(len >> 16) + static_cast<std::uint32_t>(len & 0xFFFF);
    sum += kIcmp6;
    sum = sum16(msg, len, sum);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::size_t build_solicitation(std::uint8_t* frame, const MacAddress& our_mac, const Ipv6Bytes& source,
                               const Ipv6Bytes& target, const MacAddress* unicast_mac) {
    const bool probe = is_unspecified(source);  // no source link-layer option from :: (RFC 4861 4.3)
    const std::size_t len = kNdBody + (probe ? 0 : 8);
    const Ipv6Bytes dst = unicast_mac != nullptr ? target : solicited_node(target);
    const MacAddress dst_mac = unicast_mac != nullptr ? *unicast_mac : multicast_mac(dst);
    std::uint8_t* msg = headers(frame, dst_mac, our_mac, source, dst, len);
    std::memset(msg, 0, len);
    msg[0] = kSolicitation;
    std::memcpy(msg + 8, target.data(), 16);
    if (!probe) {
        msg[24] = kOptSourceLl;
        msg[25] = 1;  // in units of 8 bytes
        std::memcpy(msg + 26, our_mac.data(), 6);
    }
    finish(msg, len, source, dst);
    return kEth + kIp6 + len;
}

std::size_t build_advertisement(std::uint8_t* frame, const MacAddress& our_mac, const MacAddress& dest_mac,
                                const Ipv6Bytes& target, const Ipv6Bytes& dest, bool solicited) {
    const std::size_t len = kNdBody + 8;
    std::uint8_t* msg = headers(frame, dest_mac, our_mac, target, dest, len);
    std::memset(msg, 0, len);
    msg[0] = kAdvertisement;
    msg[4] = static_cast<std::uint8_t>(kFlagOverride | (solicited ? kFlagSolicited : 0));
    std::memcpy(msg + 8, target.data(), 16);
    msg[24] = kOptTargetLl;
    msg[25] = 1;
    std::memcpy(msg + 26, our_mac.data(), 6);
    finish(msg, len, target, dest);
    return kEth + kIp6 + len;
}

std::optional<Message> parse(const std::uint8_t* frame, std::size_t len) {
    if (len < kEth + kIp6 + kNdBody || get16(frame + 12) != 0x86DD)
        return std::nullopt;
    const std::uint8_t* ip = frame + kEth;
    if ((ip[0] >> 4) != 6 || ip[6] != kIcmp6 || ip[7] != 255)
        return std::nullopt;
    const std::size_t payload = get16(ip + 4);
    if (payload < kNdBody || kEth + kIp6 + payload > len)
        return std::nullopt;
    const std::uint8_t* msg = ip + kIp6;
    if ((msg[0] != kSolicitation && msg[0] != kAdvertisement) || msg[1] != 0)
        return std::nullopt;
    Message m;
    m.type = msg[0];
    std::memcpy(m.eth_src.data(), frame + 6, 6);
    std::memcpy(m.src.data(), ip + 8, 16);
    std::memcpy(m.dst.data(), ip + 24, 16);
    std::memcpy(m.target.data(), msg + 8, 16);
    if (icmp6_checksum(m.src, m.dst, msg, payload) != 0 || is_multicast(m.target))
        return std::nullopt;
    const std::uint8_t wanted = m.type == kSolicitation ? kOptSourceLl : kOptTargetLl;
    for (std::size_t off = kNdBody; off < payload;) {
        if (payload - off < 2 || msg[off + 1] == 0 || off + std::size_t{msg[off + 1]} * 8 > payload)
            return std::nullopt;
        if (msg[off] == wanted && msg[off + 1] == 1) {
            m.has_lladdr = true;
            std::memcpy(m.lladdr.data(), msg + off + 2, 6);
        }
        off += std::size_t{msg[off + 1]} * 8;
    }
    if (m.type == kSolicitation) {
        if (is_unspecified(m.src) && (m.dst != solicited_node(m.target) || m.has_lladdr))
            return std::nullopt;
    } else {
        m.router = (msg[4] & kFlagRouter) != 0;
        m.solicited = (msg[4] & kFlagSolicited) != 0;
        m.override_flag = (msg[4] & kFlagOverride) != 0;
        if (is_multicast(m.dst) && m.solicited)
            return std::nullopt;
    }
    return m;
}

}  // namespace rf::dataplane::ndp
