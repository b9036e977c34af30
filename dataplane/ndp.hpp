// IPv6 Neighbor Discovery (RFC 4861) on lab ports: the frames the emulator sends — Neighbor
// Solicitations for its IPv6 next hops, Neighbor Advertisements for its own port address — and the
// validation of those it receives. Pure functions over Ethernet frames in byte buffers (no DPDK), so the
// wire format is tested on its own; the emulator's neighbour service (neighbor_service.hpp) drives them.
//
//   solicitation:  our MAC → 33:33:ff:xx:xx:xx, IPv6 source → ff02::1:ffxx:xxxx (solicited-node group of
//                  the target), hop limit 255, ICMPv6 135, target, source link-layer address option —
//                  or, from the unspecified address (a DAD-style probe, the IPv6 counterpart of an ARP
//                  probe), no option; the owner then answers to all nodes (ff02::1, RFC 4861 7.2.4).
//                  A reachability probe goes unicast to the neighbour's address and known MAC instead.
//   advertisement: ICMPv6 136 with the Solicited and Override flags and our MAC as target link-layer
//                  address option, to the solicitor (or to ff02::1 when it solicited from ::).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "dataplane/flow_hash.hpp"
#include "dataplane/neighbor.hpp"

namespace rf::dataplane::ndp {

// Ethernet + IPv6 + NS/NA (24 bytes) + one link-layer address option (8 bytes).
constexpr std::size_t kMaxFrame = 14 + 40 + 24 + 8;
constexpr std::uint8_t kSolicitation = 135;
constexpr std::uint8_t kAdvertisement = 136;

[[nodiscard]] bool is_unspecified(const Ipv6Bytes& a);
[[nodiscard]] bool is_multicast(const Ipv6Bytes& a);
[[nodiscard]] bool is_link_local(const Ipv6Bytes& a);
// ff02::1:ffXX:XXXX, the solicited-node multicast group of `target` (RFC 4291 2.7.1).
[[nodiscard]] Ipv6Bytes solicited_node(const Ipv6Bytes& target);
// 33:33 + the group's last four bytes (RFC 2464 7).
[[nodiscard]] MacAddress multicast_mac(const Ipv6Bytes& group);
// fe80::/64 with the modified EUI-64 interface identifier of `mac` (RFC 4291 appendix A).
[[nodiscard]] Ipv6Bytes link_local(const MacAddress& mac);
// ff02::1, all nodes.
[[nodiscard]] Ipv6Bytes all_nodes();

// Internet checksum of an ICMPv6 message with its IPv6 pseudo-header (RFC 8200 8.1); the message's
// own checksum field is summed as it stands, so a valid message gives 0.
[[nodiscard]] std::uint16_t icmp6_checksum(const Ipv6Bytes& src, const Ipv6Bytes& dst,
                                           const std::uint8_t* msg, std::size_t len);

// Writes a Neighbor Solicitation for `target` into `frame` (kMaxFrame bytes); returns its length. From
// `source` (the unspecified address: a DAD-style probe without source link-layer option); to the
// target's solicited-node group, or with `unicast_mac` to the target itself (reachability probe).
std::size_t build_solicitation(std::uint8_t* frame, const MacAddress& our_mac, const Ipv6Bytes& source,
                               const Ipv6Bytes& target, const MacAddress* unicast_mac = nullptr);

// Writes a Neighbor Advertisement of our address `target` (our MAC as target link-layer address,
// Override set) to `dest` at `dest_mac`; `solicited` sets the S flag (a unicast answer to an NS).
std::size_t build_advertisement(std::uint8_t* frame, const MacAddress& our_mac, const MacAddress& dest_mac,
                                const Ipv6Bytes& target, const Ipv6Bytes& dest, bool solicited);

struct Message {
    std::uint8_t type = 0;  // kSolicitation or kAdvertisement
    MacAddress eth_src{};
    Ipv6Bytes src{}, dst{}, target{};
    bool has_lladdr = false;  // source (NS) or target (NA) link-layer address option present
    MacAddress lladdr{};
    bool router = false, solicited = false, override_flag = false;  // NA flags
};

// A received Ethernet frame as an NS or NA, nullopt for anything else or anything RFC 4861 7.1.1/7.1.2
// says to discard silently: hop limit not 255, ICMP code not 0, short message, bad checksum, multicast
// target, an option of length 0, an NS from the unspecified address that is not for a solicited-node
// group or carries a source link-layer option, an NA to a multicast group with the S flag.
[[nodiscard]] std::optional<Message> parse(const std::uint8_t* frame, std::size_t len);

}  // namespace rf::dataplane::ndp
