#include "bench/rfbench/prefix_set.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <sstream>

namespace rf::bench {

Prefix universe_prefix(std::uint32_t index) {
    return Prefix::v4(Ipv4Address{kUniverseBase + (index << 8)}, 24);
}

std::optional<std::uint32_t> universe_index(const Prefix& p) {
    if (!p.is_v4() || p.length != 24)
        return std::nullopt;
    const std::uint32_t a = p.v4_address().value;
    if (a < kUniverseBase)
        return std::nullopt;
    const std::uint32_t idx = (a - kUniverseBase) >> 8;
    if (idx >= kMaxUniverse)
        return std::nullopt;
    return idx;
}

PeerIdentity peer_identity(std::uint32_t i) {
    PeerIdentity id;
    id.asn = 64513 + i;  // private 2-byte range, below the reserved 65515 for up to 1,000 peers
    id.router_id = Ipv4Address{(10u << 24) | (255u << 16) | (i + 1)};
    id.next_hop = Ipv4Address{(100u << 24) | (64u << 16) | (((i / 250) + 1) << 8) | (i % 250 + 1)};
    return id;
}

namespace {
// kIpv6NextHopPrefix's first 12 bytes.
constexpr std::array<std::uint8_t, 12> kNextHop6Base{0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64, 0, 0, 0, 0, 0, 0};
}  // namespace

net::Ipv6Address ipv6_next_hop(Ipv4Address next_hop) {
    net::Ipv6Address a;
    std::copy(kNextHop6Base.begin(), kNextHop6Base.end(), a.bytes.begin());
    for (int i = 0; i < 4; ++i)
        a.bytes[12 + i] = static_cast<std::uint8_t>(next_hop.value >> (24 - 8 * i));
    return a;
}

std::optional<Ipv4Address> embedded_next_hop(const net::Ipv6Address& a) {
    if (!std::equal(kNextHop6Base.begin(), kNextHop6Base.end(), a.bytes.begin()))
        return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v = (v << 8) | a.bytes[12 + i];
    return Ipv4Address{v};
}

PeerIdentity monitor_identity() {
    PeerIdentity id;
    id.asn = 64512;
    id.router_id = Ipv4Address{(10u << 24) | (254u << 16) | 1};
    id.next_hop = Ipv4Address{(100u << 24) | (64u << 16) | 1};
    return id;
}

Ipv4Address default_peer_address(std::uint32_t i) {
    const std::uint32_t per_block = 240;  // .10 .. .249
    return Ipv4Address{(127u << 24) | ((i / per_block) << 8) | (i % per_block + 10)};
}

Ipv4Address default_monitor_address() {
    return Ipv4Address{(127u << 24) | 2};
}

std::optional<std::vector<Ipv4Address>> parse_address_list(const std::string& text, std::string& error) {
    std::vector<Ipv4Address> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (item.empty())
            continue;
        const auto dash = item.find('-');
        const auto first = Ipv4Address::parse(item.substr(0, dash));
        if (!first) {
            error = "bad address '" + item + "'";
            return std::nullopt;
        }
        if (dash == std::string::npos) {
            out.push_back(*first);
            continue;
        }
        const auto last = Ipv4Address::parse(item.substr(dash + 1));
        if (!last || last->value < first->value || last->value - first->value > 65535) {
            error = "bad address range '" + item + "'";
            return std::nullopt;
        }
        for (std::uint32_t a = first->value; a <= last->value; ++a)
            out.push_back(Ipv4Address{a});
    }
    return out;
}

const char* overlap_name(Overlap o) {
    return o == Overlap::Shared ? "shared" : "disjoint";
}

std::string LoadPlan::path_lengths_text() const {
    std::string out;
    for (const auto l : path_lengths)
        out += (out.empty() ? "" : ",") + std::to_string(l);
    return out;
}

std::uint32_t LoadPlan::universe_size() const {
    return overlap == Overlap::Disjoint ? peers * prefixes_per_peer : prefixes_per_peer;
}

std::uint32_t LoadPlan::first_index(std::uint32_t peer) const {
    return overlap == Overlap::Disjoint ? peer * prefixes_per_peer : 0;
}

std::uint32_t LoadPlan::path_length(std::uint32_t peer) const {
    if (path_lengths.empty())
        return 1;
    return path_lengths[peer % path_lengths.size()];
}

std::vector<std::uint32_t> LoadPlan::origins(std::uint32_t index) const {
    std::vector<std::uint32_t> out;
    if (overlap == Overlap::Disjoint) {
        if (prefixes_per_peer != 0 && index < universe_size())
            out.push_back(index / prefixes_per_peer);
    } else if (index < prefixes_per_peer) {
        for (std::uint32_t p = 0; p < peers; ++p)
            out.push_back(p);
    }
    return out;
}

bool LoadPlan::validate(std::string& error) const {
    if (peers == 0 || peers > 1000) {
        error = "peers must be 1..1000";
        return false;
    }
    if (static_cast<std::uint64_t>(universe_size()) > kMaxUniverse ||
        (overlap == Overlap::Disjoint && total_announcements() > kMaxUniverse)) {
        error = "too many prefixes: at most " + std::to_string(kMaxUniverse) + " distinct /24s";
        return false;
    }
    for (auto l : path_lengths) {
        if (l == 0 || l > 255) {
            error = "AS-path lengths must be 1..255";
            return false;
        }
    }
    return true;
}

}  // namespace rf::bench
