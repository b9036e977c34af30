#include "bench/rfbench/preencode.hpp"

#include "control/codec/codec.hpp"

namespace rf::bench {

namespace {

bgp::PathAttributes attributes_for(const PeerIdentity& peer, std::uint32_t path_length) {
    bgp::PathAttributes a;
    a.origin = bgp::Origin::Igp;
    auto& asns = a.as_path.emplace().segments.emplace_back().asns;  // one AS_SEQUENCE
    asns.insert(asns.end(), path_length, peer.asn);
    a.next_hop = peer.next_hop;
    return a;
}

bgp::CodecOptions wire_options() {
    bgp::CodecOptions o;
    o.four_octet_as = true;
    return o;
}

std::vector<bgp::Nlri> nlri_range(std::uint32_t first, std::uint32_t count) {
    std::vector<bgp::Nlri> nlri;
    nlri.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i)
        nlri.push_back(bgp::Nlri{universe_prefix(first + i), 0});
    return nlri;
}

}  // namespace

PackedUpdates encode_announce_range(const PeerIdentity& peer, std::uint32_t path_length, std::uint32_t first,
                                    std::uint32_t count) {
    auto bytes = std::make_shared<std::vector<std::uint8_t>>();
    PackedUpdates out;
    if (count > 0) {
        const auto nlri = nlri_range(first, count);
        out.messages = bgp::encode_announcements(attributes_for(peer, path_length),
                                                 bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast}, {}, nlri,
                                                 wire_options(), *bytes);
    }
    out.prefixes = count;
    out.bytes = std::move(bytes);
    return out;
}

PackedUpdates encode_withdraw_range(std::uint32_t first, std::uint32_t count) {
    auto bytes = std::make_shared<std::vector<std::uint8_t>>();
    PackedUpdates out;
    if (count > 0) {
        const auto nlri = nlri_range(first, count);
        out.messages = bgp::encode_withdrawals(bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast}, nlri,
                                               wire_options(), *bytes);
    }
    out.prefixes = count;
    out.bytes = std::move(bytes);
    return out;
}

SingleUpdates encode_single_announcements(const PeerIdentity& peer, std::uint32_t path_length,
                                          const std::vector<std::uint32_t>& indexes) {
    auto bytes = std::make_shared<std::vector<std::uint8_t>>();
    SingleUpdates out;
    const auto attrs = attributes_for(peer, path_length);
    out.offsets.push_back(0);
    for (auto idx : indexes) {
        const bgp::Nlri one{universe_prefix(idx), 0};
        bgp::encode_announcements(attrs, bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast}, {},
                                  std::span<const bgp::Nlri>(&one, 1), wire_options(), *bytes);
        out.offsets.push_back(bytes->size());
    }
    out.bytes = std::move(bytes);
    return out;
}

SingleUpdates encode_single_withdrawals(const std::vector<std::uint32_t>& indexes) {
    auto bytes = std::make_shared<std::vector<std::uint8_t>>();
    SingleUpdates out;
    out.offsets.push_back(0);
    for (auto idx : indexes) {
        const bgp::Nlri one{universe_prefix(idx), 0};
        bgp::encode_withdrawals(bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast},
                                std::span<const bgp::Nlri>(&one, 1), wire_options(), *bytes);
        out.offsets.push_back(bytes->size());
    }
    out.bytes = std::move(bytes);
    return out;
}

}  // namespace rf::bench
