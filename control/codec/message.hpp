// BGP messages as plain values (RFC 4271 and extensions). The codec (codec.hpp) turns bytes into these
// and back; nothing here knows about sockets or sessions.
//
// The lists an UPDATE usually carries few of (NLRI, AS_PATH segments and their ASNs, communities, MP
// next hops) are SmallVectors: the common sizes live inside the value, so that decoding a one-prefix
// UPDATE allocates nothing (codec_allocation_test proves it). A value owns all it holds: nothing points
// into the buffer it was decoded from.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "net/ip.hpp"
#include "net/small_vector.hpp"

namespace rf::bgp {

using net::Afi;
using net::IpAddress;
using net::Ipv4Address;
using net::Prefix;
using net::Safi;
using net::SmallVector;

inline constexpr std::size_t kHeaderSize = 19;
inline constexpr std::size_t kMaxMessageSize = 4096;           // RFC 4271
inline constexpr std::size_t kMaxExtendedMessageSize = 65535;  // RFC 8654
inline constexpr std::uint16_t kAsTrans = 23456;               // RFC 6793

enum class MessageType : std::uint8_t {
    Open = 1,
    Update = 2,
    Notification = 3,
    Keepalive = 4,
    RouteRefresh = 5,
};

// ---------------------------------------------------------------------------------------------- OPEN

enum class CapabilityCode : std::uint8_t {
    Multiprotocol = 1,              // RFC 4760
    RouteRefresh = 2,               // RFC 2918
    ExtendedMessage = 6,            // RFC 8654
    GracefulRestart = 64,           // RFC 4724
    FourOctetAs = 65,               // RFC 6793
    AddPath = 69,                   // RFC 7911
    EnhancedRouteRefresh = 70,      // RFC 7313
    LongLivedGracefulRestart = 71,  // RFC 9494
};

struct AfiSafi {
    Afi afi = Afi::Ipv4;
    Safi safi = Safi::Unicast;
    auto operator<=>(const AfiSafi&) const = default;
};

enum class AddPathMode : std::uint8_t { Receive = 1, Send = 2, Both = 3 };

struct AddPathEntry {
    AfiSafi family;
    AddPathMode mode = AddPathMode::Receive;
    auto operator<=>(const AddPathEntry&) const = default;
};

struct GracefulRestartFamily {
    AfiSafi family;
    bool forwarding_preserved = false;
    auto operator<=>(const GracefulRestartFamily&) const = default;
};

struct GracefulRestart {
    bool restart_state = false;      // R bit
    bool notification = false;       // N bit (RFC 8538)
    std::uint16_t restart_time = 0;  // seconds, 12 bits
    std::vector<GracefulRestartFamily> families;
    auto operator<=>(const GracefulRestart&) const = default;
};

// One family of the long-lived graceful restart capability (RFC 9494 §3): AFI, SAFI, flags (the F bit),
// and the Long-lived Stale Time, 24 bits of seconds.
struct LongLivedGracefulRestartFamily {
    AfiSafi family;
    bool forwarding_preserved = false;  // F bit
    std::uint32_t stale_time = 0;       // seconds, 24 bits
    auto operator<=>(const LongLivedGracefulRestartFamily&) const = default;
};

struct LongLivedGracefulRestart {
    std::vector<LongLivedGracefulRestartFamily> families;  // may be empty (RFC 9494 §3)
    auto operator<=>(const LongLivedGracefulRestart&) const = default;
};

struct UnknownCapability {
    std::uint8_t code = 0;
    std::vector<std::uint8_t> value;
    auto operator<=>(const UnknownCapability&) const = default;
};

// Capabilities as advertised in one OPEN (all capability optional parameters merged).
struct Capabilities {
    std::vector<AfiSafi> multiprotocol;
    bool route_refresh = false;
    bool enhanced_route_refresh = false;
    bool extended_message = false;
    std::optional<std::uint32_t> four_octet_as;  // the speaker's real ASN
    std::optional<GracefulRestart> graceful_restart;
    std::optional<LongLivedGracefulRestart> long_lived_graceful_restart;
    std::vector<AddPathEntry> add_path;
    std::vector<UnknownCapability> unknown;  // kept, in order of appearance
    auto operator<=>(const Capabilities&) const = default;
};

struct UnknownOptionalParameter {
    std::uint8_t type = 0;
    std::vector<std::uint8_t> value;
    auto operator<=>(const UnknownOptionalParameter&) const = default;
};

struct Open {
    std::uint8_t version = 4;
    std::uint16_t my_as = 0;  // as on the wire: AS_TRANS when the real ASN needs four octets
    std::uint16_t hold_time = 180;
    Ipv4Address bgp_identifier;
    Capabilities capabilities;
    // Encode only (e.g. to test a peer): decode_open() refuses optional parameters other than
    // Capabilities with "Unsupported Optional Parameter" (RFC 4271 §6.2), so it never fills this.
    std::vector<UnknownOptionalParameter> unknown_parameters;
    auto operator<=>(const Open&) const = default;

    // The speaker's real ASN: the 4-octet AS capability when present, else My AS.
    [[nodiscard]] std::uint32_t asn() const { return capabilities.four_octet_as.value_or(my_as); }
};

// -------------------------------------------------------------------------------- path attributes

enum class AttrType : std::uint8_t {
    Origin = 1,
    AsPath = 2,
    NextHop = 3,
    MultiExitDisc = 4,
    LocalPref = 5,
    AtomicAggregate = 6,
    Aggregator = 7,
    Communities = 8,
    OriginatorId = 9,
    ClusterList = 10,
    MpReachNlri = 14,
    MpUnreachNlri = 15,
    ExtendedCommunities = 16,
    As4Path = 17,
    As4Aggregator = 18,
    LargeCommunities = 32,
};

namespace attr_flag {
inline constexpr std::uint8_t Optional = 0x80;
inline constexpr std::uint8_t Transitive = 0x40;
inline constexpr std::uint8_t Partial = 0x20;
inline constexpr std::uint8_t ExtendedLength = 0x10;
}  // namespace attr_flag

enum class Origin : std::uint8_t { Igp = 0, Egp = 1, Incomplete = 2 };

enum class AsSegmentType : std::uint8_t {
    Set = 1,
    Sequence = 2,
    ConfedSequence = 3,  // RFC 5065
    ConfedSet = 4,
};

// ASNs of one segment kept inline: a route server's paths are a few ASNs long (longer ones, prepends,
// go to the heap).
inline constexpr std::size_t kInlineSegmentAsns = 8;

struct AsSegment {
    AsSegmentType type = AsSegmentType::Sequence;
    SmallVector<std::uint32_t, kInlineSegmentAsns> asns;
    auto operator<=>(const AsSegment&) const = default;
};

// Always held with 4-octet ASNs: a 2-octet AS_PATH is widened and merged with AS4_PATH on decode
// (RFC 6793 §4.2.3) and narrowed (AS_TRANS + AS4_PATH) on encode for peers without the capability.
struct AsPath {
    SmallVector<AsSegment, 1> segments;  // one AS_SEQUENCE is the common path
    auto operator<=>(const AsPath&) const = default;

    // Path length for best-path selection (RFC 4271 §9.1.2.2 a): an AS_SET counts as one, confederation
    // segments count zero.
    [[nodiscard]] std::size_t length() const;
    [[nodiscard]] std::optional<std::uint32_t> first_as() const;  // leftmost AS of a leading AS_SEQUENCE
    [[nodiscard]] bool contains(std::uint32_t asn) const;
    // A copy with `asn` prepended `count` times to the leading AS_SEQUENCE (a new one if needed; a
    // segment holds at most 255 ASNs).
    [[nodiscard]] AsPath prepended(std::uint32_t asn, std::size_t count = 1) const;
    [[nodiscard]] std::string to_string() const;  // "65001 65002 {65003,65004}"
};

struct Aggregator {
    std::uint32_t asn = 0;
    Ipv4Address address;
    auto operator<=>(const Aggregator&) const = default;
};

struct LargeCommunity {
    std::uint32_t global_admin = 0;
    std::uint32_t local_data1 = 0;
    std::uint32_t local_data2 = 0;
    auto operator<=>(const LargeCommunity&) const = default;
};

namespace community {
inline constexpr std::uint32_t NoExport = 0xFFFFFF01;
inline constexpr std::uint32_t NoAdvertise = 0xFFFFFF02;
inline constexpr std::uint32_t NoExportSubconfed = 0xFFFFFF03;
inline constexpr std::uint32_t LlgrStale = 0xFFFF0006;  // 65535:6, RFC 9494 §4.1
inline constexpr std::uint32_t NoLlgr = 0xFFFF0007;     // 65535:7, RFC 9494 §4.2
}  // namespace community

// An attribute this codec does not interpret. Optional transitive ones are passed on with the Partial
// bit set (RFC 4271 §5); optional non-transitive ones are dropped by the speaker, not by the codec.
struct UnknownAttribute {
    std::uint8_t flags = 0;  // without ExtendedLength (the encoder chooses the length width)
    std::uint8_t type = 0;
    std::vector<std::uint8_t> value;
    auto operator<=>(const UnknownAttribute&) const = default;
};

// Every path attribute except MP_REACH/MP_UNREACH (those carry NLRI and live in Update). This is the
// unit the RIB interns: identical sets are stored once.
struct PathAttributes {
    std::optional<Origin> origin;
    std::optional<AsPath> as_path;
    std::optional<Ipv4Address> next_hop;
    std::optional<std::uint32_t> med;
    std::optional<std::uint32_t> local_pref;
    bool atomic_aggregate = false;
    std::optional<Aggregator> aggregator;  // 4-octet ASN, merged with AS4_AGGREGATOR on decode
    SmallVector<std::uint32_t, 4> communities;
    std::vector<std::uint64_t> extended_communities;
    std::vector<LargeCommunity> large_communities;
    std::optional<Ipv4Address> originator_id;
    std::vector<Ipv4Address> cluster_list;
    std::vector<UnknownAttribute> unknown;  // sorted by type code
    auto operator<=>(const PathAttributes&) const = default;

    [[nodiscard]] bool has_community(std::uint32_t c) const;
};

struct PathAttributesHash {
    std::size_t operator()(const PathAttributes& a) const noexcept;
};

// ------------------------------------------------------------------------------------------ UPDATE

// One NLRI entry. `path_id` is meaningful only when ADD-PATH receive/send was negotiated for its family.
struct Nlri {
    Prefix prefix;
    std::uint32_t path_id = 0;
    auto operator<=>(const Nlri&) const = default;
};

// The NLRI of one field; one prefix is kept inline (small UPDATEs are one prefix each).
using NlriList = SmallVector<Nlri, 1>;

struct MpReach {
    AfiSafi family;
    SmallVector<IpAddress, 2> next_hops;  // one, or global + link-local for IPv6 (RFC 2545)
    NlriList nlri;
    auto operator<=>(const MpReach&) const = default;
};

struct MpUnreach {
    AfiSafi family;
    NlriList withdrawn;
    auto operator<=>(const MpUnreach&) const = default;
};

struct Update {
    NlriList withdrawn;  // IPv4 unicast, in the Withdrawn Routes field
    PathAttributes attributes;
    std::optional<MpReach> mp_reach;
    std::optional<MpUnreach> mp_unreach;
    NlriList nlri;  // IPv4 unicast, after the attributes
    auto operator<=>(const Update&) const = default;

    // End-of-RIB marker (RFC 4724 §2): an empty UPDATE (IPv4) or one holding only an empty MP_UNREACH.
    [[nodiscard]] bool is_end_of_rib() const;
};

// ------------------------------------------------------------------- NOTIFICATION, ROUTE-REFRESH

struct Notification {
    std::uint8_t code = 0;
    std::uint8_t subcode = 0;
    std::vector<std::uint8_t> data;
    auto operator<=>(const Notification&) const = default;
    [[nodiscard]] std::string to_string() const;  // names, and the RFC 8203 shutdown message if any
};

struct Keepalive {
    auto operator<=>(const Keepalive&) const = default;
};

// The Message Subtype of a ROUTE-REFRESH (RFC 7313 §3.2; RFC 2918 called the octet Reserved). Other
// values are kept as received: RFC 7313 §5 says to ignore such a message, which is the session's call.
namespace refresh_subtype {
inline constexpr std::uint8_t Normal = 0;  // a route refresh request
inline constexpr std::uint8_t Begin = 1;   // BoRR: the demarcation before the re-advertisement
inline constexpr std::uint8_t End = 2;     // EoRR: the demarcation after it
}  // namespace refresh_subtype

struct RouteRefresh {
    AfiSafi family;
    std::uint8_t subtype = refresh_subtype::Normal;
    auto operator<=>(const RouteRefresh&) const = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

}  // namespace rf::bgp
