// Path attributes (RFC 4271 §4.3, §5; RFC 7606): one constexpr row per type code with its flags, decode
// and encode hooks and the RFC 7606 action a malformed instance calls for. The UPDATE decoder walks the
// attribute area and dispatches through the table; the encoder walks the table in type code order.
#include "control/codec/attributes.hpp"

#include <algorithm>
#include <array>

namespace rf::bgp::detail {
namespace {

using Subcode = UpdateSubcode;

// One attribute as found on the wire.
struct WireAttribute {
    std::uint8_t flags;
    std::uint8_t type;
    const std::uint8_t* value;
    std::size_t length;
};

// What a decode hook found wrong: subcode 0 means nothing. `action` None means the row's RFC 7606
// action applies; a hook sets it only when a case calls for another (an MP attribute of a family we do
// not carry is discarded, not a reason to reset the session).
struct Fault {
    std::uint8_t subcode = 0;
    std::string_view field;
    Rfc7606Action action = Rfc7606Action::None;
};
constexpr Fault ok() {
    return {};
}
constexpr Fault fault(Subcode s, std::string_view field, Rfc7606Action action = Rfc7606Action::None) {
    return {static_cast<std::uint8_t>(s), field, action};
}

using DecodeFn = Fault (*)(UpdateDecodeState&, const WireAttribute&);
using EncodeFn = void (*)(const PathAttributes&, const CodecOptions&, bool with_next_hop, Writer&);

struct AttributeRow {
    std::uint8_t type = 0;
    std::string_view name;
    std::uint8_t flags = 0;  // expected Optional|Transitive bits
    Rfc7606Action on_error = Rfc7606Action::SessionReset;
    DecodeFn decode = nullptr;  // nullptr: not a known attribute
    EncodeFn encode = nullptr;  // nullptr: encoded elsewhere (MP_REACH/MP_UNREACH) or never sent
};

constexpr std::uint8_t kWellKnown = attr_flag::Transitive;
constexpr std::uint8_t kOptTrans = attr_flag::Optional | attr_flag::Transitive;
constexpr std::uint8_t kOptNonTrans = attr_flag::Optional;

// Starts a path attribute: writes flags and type and reserves a two-octet length. end_attribute()
// fills the length and, when the value fits in one octet, drops the Extended Length bit and the spare
// octet, so the encoder always uses the shortest form.
inline std::size_t begin_attribute(Writer& w, std::uint8_t flags, std::uint8_t type) {
    const std::size_t at = w.size();
    w.u8(static_cast<std::uint8_t>(flags | attr_flag::ExtendedLength));
    w.u8(type);
    w.u16(0);
    return at;
}
inline void end_attribute(Writer& w, std::size_t at) {
    auto& out = w.buffer();
    const std::size_t len = out.size() - at - 4;
    if (len <= 255) {
        out[at] = static_cast<std::uint8_t>(out[at] & ~attr_flag::ExtendedLength);
        out[at + 2] = static_cast<std::uint8_t>(len);
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(at) + 3);
    } else {
        w.patch16(at + 2, static_cast<std::uint16_t>(len));
    }
}

// ------------------------------------------------------------------------------ decode hooks

bool parse_as_path(const std::uint8_t* p, std::size_t n, std::size_t width, AsPath& out,
                   std::string_view& why) {
    std::size_t pos = 0;
    while (pos < n) {
        if (n - pos < 2) {
            why = "AS_PATH segment header truncated";
            return false;
        }
        const std::uint8_t type = p[pos];
        const std::size_t count = p[pos + 1];
        if (type < 1 || type > 4) {
            why = "AS_PATH segment type";
            return false;
        }
        if (count == 0) {
            why = "AS_PATH empty segment";  // RFC 7606 §7.2
            return false;
        }
        if (n - pos - 2 < count * width) {
            why = "AS_PATH segment length";
            return false;
        }
        AsSegment& seg = out.segments.emplace_back();
        seg.type = static_cast<AsSegmentType>(type);
        seg.asns.resize(count);
        const std::uint8_t* q = p + pos + 2;
        if (width == 4) {
            for (std::size_t i = 0; i < count; ++i) {
                seg.asns[i] = load32(q + 4 * i);
            }
        } else {
            for (std::size_t i = 0; i < count; ++i) {
                seg.asns[i] = load16(q + 2 * i);
            }
        }
        pos += 2 + count * width;
    }
    return true;
}

// A four-octet value (NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF, ORIGINATOR_ID).
template <typename T>
Fault decode_four_octets(const WireAttribute& a, std::optional<T>& out, std::string_view length_field) {
    if (a.length != 4) {
        return fault(Subcode::AttributeLengthError, length_field);
    }
    out = T{load32(a.value)};
    return ok();
}

// A non-empty list of `Width`-octet values (the communities, CLUSTER_LIST); a length of zero or not a
// multiple of the width is an attribute length error (RFC 7606 §7.8, §7.10, §7.14; RFC 8092 §5).
template <std::size_t Width, typename List, typename Load>
Fault decode_list(const WireAttribute& a, List& out, std::string_view length_field, Load load) {
    if (a.length == 0 || a.length % Width != 0) {
        return fault(Subcode::AttributeLengthError, length_field);
    }
    out.resize(a.length / Width);
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = load(a.value + Width * i);
    }
    return ok();
}

Fault decode_origin(UpdateDecodeState& st, const WireAttribute& a) {
    if (a.length != 1) {
        return fault(Subcode::AttributeLengthError, "ORIGIN length");
    }
    if (a.value[0] > 2) {
        return fault(Subcode::InvalidOriginAttribute, "ORIGIN value");
    }
    st.result.update.attributes.origin = static_cast<Origin>(a.value[0]);
    return ok();
}

Fault decode_as_path(UpdateDecodeState& st, const WireAttribute& a) {
    // Parsed in place: the inline segments would be copied by a move (a duplicate AS_PATH never gets
    // here, so there is no earlier value to lose).
    auto& as_path = st.result.update.attributes.as_path;
    std::string_view why;
    if (!parse_as_path(a.value, a.length, st.options.four_octet_as ? 4 : 2, as_path.emplace(), why)) {
        as_path.reset();
        return fault(Subcode::MalformedAsPath, why);
    }
    return ok();
}

Fault decode_next_hop(UpdateDecodeState& st, const WireAttribute& a) {
    return decode_four_octets(a, st.result.update.attributes.next_hop, "NEXT_HOP length");
}

Fault decode_med(UpdateDecodeState& st, const WireAttribute& a) {
    return decode_four_octets(a, st.result.update.attributes.med, "MULTI_EXIT_DISC length");
}

Fault decode_local_pref(UpdateDecodeState& st, const WireAttribute& a) {
    return decode_four_octets(a, st.result.update.attributes.local_pref, "LOCAL_PREF length");
}

Fault decode_atomic_aggregate(UpdateDecodeState& st, const WireAttribute& a) {
    if (a.length != 0) {
        return fault(Subcode::AttributeLengthError, "ATOMIC_AGGREGATE length");
    }
    st.result.update.attributes.atomic_aggregate = true;
    return ok();
}

Fault decode_aggregator(UpdateDecodeState& st, const WireAttribute& a) {
    const std::size_t width = st.options.four_octet_as ? 4 : 2;
    if (a.length != width + 4) {
        return fault(Subcode::AttributeLengthError, "AGGREGATOR length");
    }
    Aggregator agg;
    agg.asn = width == 4 ? load32(a.value) : load16(a.value);
    agg.address = Ipv4Address{load32(a.value + width)};
    st.result.update.attributes.aggregator = agg;
    return ok();
}

Fault decode_communities(UpdateDecodeState& st, const WireAttribute& a) {
    return decode_list<4>(a, st.result.update.attributes.communities, "COMMUNITIES length",
                          [](const std::uint8_t* p) { return load32(p); });
}

Fault decode_originator_id(UpdateDecodeState& st, const WireAttribute& a) {
    return decode_four_octets(a, st.result.update.attributes.originator_id, "ORIGINATOR_ID length");
}

Fault decode_cluster_list(UpdateDecodeState& st, const WireAttribute& a) {
    return decode_list<4>(a, st.result.update.attributes.cluster_list, "CLUSTER_LIST length",
                          [](const std::uint8_t* p) { return Ipv4Address{load32(p)}; });
}

// Reads a family's NLRI field; a malformed field is a session reset (RFC 7606 §5.3, §7.11).
Fault read_mp_nlri(UpdateDecodeState& st, AfiSafi family, const std::uint8_t* p, std::size_t n,
                   NlriList& out) {
    std::size_t count = 0;
    std::size_t bad = 0;
    const bool path_id = st.options.receives_path_id(family);
    if (!scan_nlri(p, n, family.afi, path_id, count, bad)) {
        return fault(Subcode::OptionalAttributeError, "MP NLRI prefix length");
    }
    read_nlri(p, n, family.afi, path_id, count, out);
    return ok();
}

// The AFI/SAFI that opens an MP attribute at least `min_length` long. An MP attribute of a family this
// codec does not carry is discarded, not an error of the session (RFC 4760 §7 only asks to act on
// families in use).
Fault read_mp_family(const WireAttribute& a, std::size_t min_length, std::string_view length_field,
                     AfiSafi& family) {
    if (a.length < min_length) {
        return fault(Subcode::OptionalAttributeError, length_field);
    }
    family = load_afi_safi(a.value);
    const bool supported =
        (family.afi == Afi::Ipv4 || family.afi == Afi::Ipv6) && family.safi == Safi::Unicast;
    if (!supported) {
        return fault(Subcode::OptionalAttributeError, "MP attribute of an unsupported AFI/SAFI",
                     Rfc7606Action::AttributeDiscard);
    }
    return ok();
}

Fault decode_mp_reach(UpdateDecodeState& st, const WireAttribute& a) {
    AfiSafi family;
    if (Fault f = read_mp_family(a, 5, "MP_REACH_NLRI length", family); f.subcode) {
        return f;
    }
    const std::size_t nh_len = a.value[3];
    if (a.length < 5 + nh_len) {
        return fault(Subcode::OptionalAttributeError, "MP_REACH_NLRI next hop length");
    }
    // Built in place, as AS_PATH is; reset if the attribute turns out malformed.
    auto& reach = st.result.update.mp_reach;
    MpReach& mp = reach.emplace();
    mp.family = family;
    const std::uint8_t* nh = a.value + 4;
    // IPv4: 4 octets, or an IPv6 next hop (RFC 8950) of 16/32; IPv6: global [+ link-local] (RFC 2545).
    if (nh_len == 4 && family.afi == Afi::Ipv4) {
        mp.next_hops.push_back(IpAddress::v4(Ipv4Address{load32(nh)}));
    } else if (nh_len == 16 || nh_len == 32) {
        for (std::size_t off = 0; off < nh_len; off += 16) {
            IpAddress addr;
            addr.afi = Afi::Ipv6;
            std::memcpy(addr.bytes.data(), nh + off, 16);
            mp.next_hops.push_back(addr);
        }
    } else {
        reach.reset();
        return fault(Subcode::OptionalAttributeError, "MP_REACH_NLRI next hop length");
    }
    // One reserved octet (formerly the SNPA count) follows the next hop.
    const std::size_t nlri_at = 4 + nh_len + 1;
    if (Fault f = read_mp_nlri(st, family, a.value + nlri_at, a.length - nlri_at, mp.nlri); f.subcode) {
        reach.reset();
        return f;
    }
    return ok();
}

Fault decode_mp_unreach(UpdateDecodeState& st, const WireAttribute& a) {
    AfiSafi family;
    if (Fault f = read_mp_family(a, 3, "MP_UNREACH_NLRI length", family); f.subcode) {
        return f;
    }
    auto& unreach = st.result.update.mp_unreach;
    MpUnreach& mp = unreach.emplace();
    mp.family = family;
    if (Fault f = read_mp_nlri(st, family, a.value + 3, a.length - 3, mp.withdrawn); f.subcode) {
        unreach.reset();
        return f;
    }
    return ok();
}

Fault decode_ext_communities(UpdateDecodeState& st, const WireAttribute& a) {
    return decode_list<8>(a, st.result.update.attributes.extended_communities, "EXTENDED_COMMUNITIES length",
                          [](const std::uint8_t* p) { return load64(p); });
}

Fault decode_as4_path(UpdateDecodeState& st, const WireAttribute& a) {
    AsPath path;
    std::string_view why;
    if (!parse_as_path(a.value, a.length, 4, path, why)) {
        return fault(Subcode::MalformedAsPath, why);  // attribute discard (RFC 6793 §6)
    }
    // Confederation segments must not appear in AS4_PATH; they are dropped (RFC 6793 §6).
    erase_if(path.segments, [](const AsSegment& s) {
        return s.type == AsSegmentType::ConfedSequence || s.type == AsSegmentType::ConfedSet;
    });
    st.as4_path = std::move(path);
    return ok();
}

Fault decode_as4_aggregator(UpdateDecodeState& st, const WireAttribute& a) {
    if (a.length != 8) {
        return fault(Subcode::AttributeLengthError, "AS4_AGGREGATOR length");
    }
    st.as4_aggregator = Aggregator{load32(a.value), Ipv4Address{load32(a.value + 4)}};
    return ok();
}

Fault decode_large_communities(UpdateDecodeState& st, const WireAttribute& a) {
    return decode_list<12>(a, st.result.update.attributes.large_communities, "LARGE_COMMUNITIES length",
                           [](const std::uint8_t* p) {
                               return LargeCommunity{load32(p), load32(p + 4), load32(p + 8)};
                           });
}

// ------------------------------------------------------------------------------ encode hooks

bool needs_four_octets(const AsPath& path) {
    for (const auto& s : path.segments) {
        for (std::uint32_t asn : s.asns) {
            if (asn > 0xFFFF) {
                return true;
            }
        }
    }
    return false;
}

// Writes segments (at most 255 ASNs each; longer ones are split, empty ones skipped).
void write_as_path(const AsPath& path, bool four, bool skip_confed, Writer& w) {
    for (const auto& s : path.segments) {
        if (skip_confed && (s.type == AsSegmentType::ConfedSequence || s.type == AsSegmentType::ConfedSet)) {
            continue;
        }
        for (std::size_t at = 0; at < s.asns.size(); at += 255) {
            const std::size_t count = std::min<std::size_t>(255, s.asns.size() - at);
            w.u8(static_cast<std::uint8_t>(s.type));
            w.u8(static_cast<std::uint8_t>(count));
            for (std::size_t i = at; i < at + count; ++i) {
                const std::uint32_t asn = s.asns[i];
                if (four) {
                    w.u32(asn);
                } else {
                    w.u16(asn > 0xFFFF ? kAsTrans : static_cast<std::uint16_t>(asn));
                }
            }
        }
    }
}

void encode_origin(const PathAttributes& a, const CodecOptions&, bool, Writer& w) {
    if (a.origin) {
        w.u8(kWellKnown);
        w.u8(static_cast<std::uint8_t>(AttrType::Origin));
        w.u8(1);
        w.u8(static_cast<std::uint8_t>(*a.origin));
    }
}

void encode_as_path(const PathAttributes& a, const CodecOptions& o, bool, Writer& w) {
    if (a.as_path) {
        const std::size_t at = begin_attribute(w, kWellKnown, static_cast<std::uint8_t>(AttrType::AsPath));
        write_as_path(*a.as_path, o.four_octet_as, false, w);
        end_attribute(w, at);
    }
}

void encode_u32_attr(std::uint8_t flags, AttrType type, std::uint32_t v, Writer& w) {
    w.u8(flags);
    w.u8(static_cast<std::uint8_t>(type));
    w.u8(4);
    w.u32(v);
}

void encode_next_hop(const PathAttributes& a, const CodecOptions&, bool with_next_hop, Writer& w) {
    if (a.next_hop && with_next_hop) {
        encode_u32_attr(kWellKnown, AttrType::NextHop, a.next_hop->value, w);
    }
}

void encode_med(const PathAttributes& a, const CodecOptions&, bool, Writer& w) {
    if (a.med) {
        encode_u32_attr(kOptNonTrans, AttrType::MultiExitDisc, *a.med, w);
    }
}

void encode_local_pref(const PathAttributes& a, const CodecOptions&, bool, Writer& w) {
    if (a.local_pref) {
        encode_u32_attr(kWellKnown, AttrType::LocalPref, *a.local_pref, w);
    }
}

void encode_atomic_aggregate(const PathAttributes& a, const CodecOptions&, bool, Writer& w) {
    if (a.atomic_aggregate) {
        w.u8(kWellKnown);
        w.u8(static_cast<std::uint8_t>(AttrType::AtomicAggregate));
        w.u8(0);
    }
}

void encode_aggregator(const PathAttributes& a, const CodecOptions& o, bool, Writer& w) {
    if (a.aggregator) {
        w.u8(kOptTrans);
        w.u8(static_cast<std::uint8_t>(AttrType::Aggregator));
        if (o.four_octet_as) {
            w.u8(8);
            w.u32(a.aggregator->asn);
        } else {
            w.u8(6);
            w.u16(a.aggregator->asn > 0xFFFF ? kAsTrans : static_cast<std::uint16_t>(a.aggregator->asn));
        }
        w.u32(a.aggregator->address.value);
    }
}

// A list attribute (the communities, CLUSTER_LIST), written only when the list is not empty.
template <typename List, typename WriteOne>
void encode_list(std::uint8_t flags, AttrType type, const List& list, Writer& w, WriteOne write_one) {
    if (!list.empty()) {
        const std::size_t at = begin_attribute(w, flags, static_cast<std::uint8_t>(type));
        for (const auto& v : list) {
            write_one(v, w);
        }
        end_attribute(w, at);
    }
}

void encode_communities(const PathAttributes& a, const CodecOptions&, bool, Writer& w) {
    encode_list(kOptTrans, AttrType::Communities, a.communities, w,
                [](std::uint32_t c, Writer& out) { out.u32(c); });
}

void encode_originator_id(const PathAttributes& a, const CodecOptions&, bool, Writer& w) {
    if (a.originator_id) {
        encode_u32_attr(kOptNonTrans, AttrType::OriginatorId, a.originator_id->value, w);
    }
}

void encode_cluster_list(const PathAttributes& a, const CodecOptions&, bool, Writer& w) {
    encode_list(kOptNonTrans, AttrType::ClusterList, a.cluster_list, w,
                [](Ipv4Address id, Writer& out) { out.u32(id.value); });
}

void encode_ext_communities(const PathAttributes& a, const CodecOptions&, bool, Writer& w) {
    encode_list(kOptTrans, AttrType::ExtendedCommunities, a.extended_communities, w,
                [](std::uint64_t c, Writer& out) { out.u64(c); });
}

// AS4_PATH / AS4_AGGREGATOR go only to a peer without the 4-octet AS capability, and only when the
// 2-octet form lost information (RFC 6793 §4.2.2).
void encode_as4_path(const PathAttributes& a, const CodecOptions& o, bool, Writer& w) {
    if (!o.four_octet_as && a.as_path && needs_four_octets(*a.as_path)) {
        const std::size_t at = begin_attribute(w, kOptTrans, static_cast<std::uint8_t>(AttrType::As4Path));
        write_as_path(*a.as_path, true, true, w);
        end_attribute(w, at);
    }
}

void encode_as4_aggregator(const PathAttributes& a, const CodecOptions& o, bool, Writer& w) {
    if (!o.four_octet_as && a.aggregator && a.aggregator->asn > 0xFFFF) {
        w.u8(kOptTrans);
        w.u8(static_cast<std::uint8_t>(AttrType::As4Aggregator));
        w.u8(8);
        w.u32(a.aggregator->asn);
        w.u32(a.aggregator->address.value);
    }
}

void encode_large_communities(const PathAttributes& a, const CodecOptions&, bool, Writer& w) {
    encode_list(kOptTrans, AttrType::LargeCommunities, a.large_communities, w,
                [](const LargeCommunity& c, Writer& out) {
                    out.u32(c.global_admin);
                    out.u32(c.local_data1);
                    out.u32(c.local_data2);
                });
}

// -------------------------------------------------------------------------------------- table

using enum Rfc7606Action;

// RFC 7606 §7 gives each attribute's action; MP_REACH/MP_UNREACH errors reset the session (§7.11, we
// do not implement AFI/SAFI disable), AS4_* errors discard the attribute (RFC 6793 §6).
constexpr AttributeRow kAttributeRows[] = {
    {1, "ORIGIN", kWellKnown, TreatAsWithdraw, decode_origin, encode_origin},
    {2, "AS_PATH", kWellKnown, TreatAsWithdraw, decode_as_path, encode_as_path},
    {3, "NEXT_HOP", kWellKnown, TreatAsWithdraw, decode_next_hop, encode_next_hop},
    {4, "MULTI_EXIT_DISC", kOptNonTrans, TreatAsWithdraw, decode_med, encode_med},
    {5, "LOCAL_PREF", kWellKnown, TreatAsWithdraw, decode_local_pref, encode_local_pref},
    {6, "ATOMIC_AGGREGATE", kWellKnown, AttributeDiscard, decode_atomic_aggregate, encode_atomic_aggregate},
    {7, "AGGREGATOR", kOptTrans, AttributeDiscard, decode_aggregator, encode_aggregator},
    {8, "COMMUNITIES", kOptTrans, TreatAsWithdraw, decode_communities, encode_communities},
    {9, "ORIGINATOR_ID", kOptNonTrans, TreatAsWithdraw, decode_originator_id, encode_originator_id},
    {10, "CLUSTER_LIST", kOptNonTrans, TreatAsWithdraw, decode_cluster_list, encode_cluster_list},
    {14, "MP_REACH_NLRI", kOptNonTrans, SessionReset, decode_mp_reach, nullptr},
    {15, "MP_UNREACH_NLRI", kOptNonTrans, SessionReset, decode_mp_unreach, nullptr},
    {16, "EXTENDED_COMMUNITIES", kOptTrans, TreatAsWithdraw, decode_ext_communities, encode_ext_communities},
    {17, "AS4_PATH", kOptTrans, AttributeDiscard, decode_as4_path, encode_as4_path},
    {18, "AS4_AGGREGATOR", kOptTrans, AttributeDiscard, decode_as4_aggregator, encode_as4_aggregator},
    {32, "LARGE_COMMUNITIES", kOptTrans, TreatAsWithdraw, decode_large_communities, encode_large_communities},
};

constexpr std::array<AttributeRow, 256> attributes_by_type() {
    std::array<AttributeRow, 256> t{};
    for (const auto& r : kAttributeRows) {
        t[r.type] = r;
    }
    return t;
}
constexpr std::array<AttributeRow, 256> kAttributeByType = attributes_by_type();

static_assert(kAttributeByType[2].decode == decode_as_path);
static_assert(kAttributeByType[11].decode == nullptr);

// An UPDATE Message Error found in the attribute area; `data` is the offending attribute, if any.
WireError attribute_error(Subcode subcode, Rfc7606Action action, std::size_t offset, std::string_view field,
                          const std::uint8_t* data = nullptr, std::size_t data_len = 0) {
    std::vector<std::uint8_t> bytes;
    if (data != nullptr) {
        bytes.assign(data, data + data_len);
    }
    return wire_error(ErrorCode::UpdateMessage, static_cast<std::uint8_t>(subcode), offset, field,
                      std::move(bytes), action);
}

// RFC 6793 §4.2.3: rebuild the 4-octet path from AS_PATH and AS4_PATH sent by an OLD speaker.
void merge_as4(UpdateDecodeState& st) {
    auto& attrs = st.result.update.attributes;
    if (attrs.aggregator && attrs.aggregator->asn != kAsTrans) {
        return;  // the aggregating speaker was OLD: AS4_AGGREGATOR and AS4_PATH are ignored
    }
    if (attrs.aggregator && st.as4_aggregator) {
        attrs.aggregator = *st.as4_aggregator;
    }
    if (!st.as4_path || !attrs.as_path) {
        return;
    }
    const AsPath& two = *attrs.as_path;
    const AsPath& four = *st.as4_path;
    // RFC 6793 §4.2.3 counts as the decision process does: an AS_SET is one, confederation segments none.
    const std::size_t n2 = two.length();
    const std::size_t n4 = four.length();
    if (n2 < n4) {
        return;  // AS4_PATH is ignored, AS_PATH stands
    }
    std::size_t need = n2 - n4;
    AsPath merged;
    for (const auto& s : two.segments) {
        if (need == 0) {
            break;
        }
        if (s.type == AsSegmentType::Sequence) {
            const std::size_t k = std::min(need, s.asns.size());
            merged.segments.push_back(
                AsSegment{s.type, {s.asns.begin(), s.asns.begin() + static_cast<std::ptrdiff_t>(k)}});
            need -= k;
        } else {
            merged.segments.push_back(s);
            if (s.type == AsSegmentType::Set) {
                need -= 1;
            }
        }
    }
    for (const auto& s : four.segments) {
        if (!merged.segments.empty() && merged.segments.back().type == AsSegmentType::Sequence &&
            s.type == AsSegmentType::Sequence && merged.segments.back().asns.size() + s.asns.size() <= 255 &&
            &s == &four.segments.front()) {
            auto& back = merged.segments.back().asns;
            back.insert(back.end(), s.asns.begin(), s.asns.end());
        } else {
            merged.segments.push_back(s);
        }
    }
    attrs.as_path = std::move(merged);
}

}  // namespace

void report(UpdateDecodeState& st, WireError error) {
    if (error.action == Rfc7606Action::SessionReset) {
        if (!st.fatal) {
            st.fatal = true;
            st.fatal_error = std::move(error);
        }
        return;
    }
    st.result.action = stronger(st.result.action, error.action);
    st.result.problems.push_back(std::move(error));
}

void decode_attributes(const std::uint8_t* p, std::size_t n, UpdateDecodeState& st) {
    std::size_t pos = 0;
    while (pos < n && !st.fatal) {
        // RFC 7606 §4: a truncated attribute header or an attribute running past the attribute area is
        // treat-as-withdraw; the Total Path Attribute Length still locates the NLRI.
        const std::size_t left = n - pos;
        const std::uint8_t flags = p[pos];
        const std::size_t head = (flags & attr_flag::ExtendedLength) != 0 ? 4 : 3;
        if (left < head) {
            report(st, attribute_error(Subcode::MalformedAttributeList, Rfc7606Action::TreatAsWithdraw,
                                       st.base_offset + pos, "attribute header truncated"));
            break;
        }
        const std::uint8_t type = p[pos + 1];
        const std::size_t len = head == 4 ? load16(p + pos + 2) : p[pos + 2];
        if (left - head < len) {
            report(st, attribute_error(Subcode::MalformedAttributeList, Rfc7606Action::TreatAsWithdraw,
                                       st.base_offset + pos, "attribute length exceeds the attribute area"));
            break;
        }
        const std::uint8_t* attr = p + pos;
        const std::size_t attr_len = head + len;
        const std::size_t offset = st.base_offset + pos;
        pos += attr_len;

        // RFC 7606 §3 g: a repeated MP_REACH/MP_UNREACH resets the session, other repeats are dropped.
        if (st.seen_type(type)) {
            const bool mp = type == static_cast<std::uint8_t>(AttrType::MpReachNlri) ||
                            type == static_cast<std::uint8_t>(AttrType::MpUnreachNlri);
            report(st,
                   attribute_error(Subcode::MalformedAttributeList,
                                   mp ? Rfc7606Action::SessionReset : Rfc7606Action::AttributeDiscard, offset,
                                   mp ? "repeated MP_REACH_NLRI/MP_UNREACH_NLRI" : "repeated attribute"));
            continue;
        }
        st.mark_seen(type);

        const AttributeRow& row = kAttributeByType[type];
        if (row.decode == nullptr) {
            if ((flags & attr_flag::Optional) == 0) {
                report(st,
                       attribute_error(Subcode::UnrecognizedWellKnownAttribute, Rfc7606Action::SessionReset,
                                       offset, "unrecognized well-known attribute", attr, attr_len));
                continue;
            }
            // Unknown optional attribute: kept; a transitive one is passed on marked Partial.
            UnknownAttribute u;
            u.flags = static_cast<std::uint8_t>(flags & ~attr_flag::ExtendedLength);
            if ((flags & attr_flag::Transitive) != 0) {
                u.flags |= attr_flag::Partial;
            }
            u.type = type;
            u.value.assign(attr + head, attr + attr_len);
            st.result.update.attributes.unknown.push_back(std::move(u));
            continue;
        }
        if ((flags & kOptTrans) != row.flags) {  // RFC 7606 §3 c
            report(st, attribute_error(Subcode::AttributeFlagsError, row.on_error, offset, row.name, attr,
                                       attr_len));
            continue;
        }
        const Fault f = row.decode(st, WireAttribute{flags, type, attr + head, len});
        if (f.subcode != 0) {
            const Rfc7606Action action = f.action != Rfc7606Action::None ? f.action : row.on_error;
            report(st,
                   attribute_error(static_cast<Subcode>(f.subcode), action, offset, f.field, attr, attr_len));
        }
    }
    if (!st.options.four_octet_as && !st.fatal) {
        merge_as4(st);
    }
    auto& unknown = st.result.update.attributes.unknown;
    if (unknown.size() > 1) {
        std::stable_sort(
            unknown.begin(), unknown.end(),
            [](const UnknownAttribute& a, const UnknownAttribute& b) { return a.type < b.type; });
    }
}

void encode_attributes(const PathAttributes& attributes, const CodecOptions& options, bool with_next_hop,
                       Writer& w, const MpAttributes& mp, std::size_t* mp_offset) {
    auto unknown = attributes.unknown.begin();
    const auto write_unknown_below = [&](unsigned type) {
        for (; unknown != attributes.unknown.end() && unknown->type < type; ++unknown) {
            std::uint8_t flags = static_cast<std::uint8_t>(unknown->flags & ~attr_flag::ExtendedLength);
            if ((flags & kOptTrans) == kOptTrans) {
                flags |= attr_flag::Partial;
            }
            const std::size_t at = begin_attribute(w, flags, unknown->type);
            w.bytes(unknown->value.data(), unknown->value.size());
            end_attribute(w, at);
        }
    };
    // RFC 7606 §5.1: MP_REACH_NLRI / MP_UNREACH_NLRI go first, so that a receiver that meets a malformed
    // attribute has already found the NLRI it must withdraw. The rest follow in type code order.
    if (mp_offset != nullptr) {
        *mp_offset = w.size();
    }
    if (mp.reach != nullptr) {
        encode_mp_reach(mp.reach->family, mp.reach->next_hops, mp.reach->nlri,
                        mp.options->sends_path_id(mp.reach->family), w);
    }
    if (mp.unreach != nullptr) {
        encode_mp_unreach(mp.unreach->family, mp.unreach->withdrawn,
                          mp.options->sends_path_id(mp.unreach->family), w);
    }
    for (const auto& row : kAttributeRows) {
        write_unknown_below(row.type);
        if (row.encode != nullptr) {
            row.encode(attributes, options, with_next_hop, w);
        }
    }
    write_unknown_below(256);
}

void encode_mp_reach(AfiSafi family, std::span<const IpAddress> next_hops, std::span<const Nlri> nlri,
                     bool path_id, Writer& w) {
    const std::size_t at = begin_attribute(w, kOptNonTrans, static_cast<std::uint8_t>(AttrType::MpReachNlri));
    write_afi_safi(family, w);
    w.u8(static_cast<std::uint8_t>(mp_next_hop_size(next_hops)));
    for (const auto& a : next_hops) {
        w.bytes(a.bytes.data(), a.is_v4() ? 4 : 16);
    }
    w.u8(0);  // reserved
    for (const auto& e : nlri) {
        write_nlri(e, path_id, w);
    }
    end_attribute(w, at);
}

void encode_mp_unreach(AfiSafi family, std::span<const Nlri> nlri, bool path_id, Writer& w) {
    const std::size_t at =
        begin_attribute(w, kOptNonTrans, static_cast<std::uint8_t>(AttrType::MpUnreachNlri));
    write_afi_safi(family, w);
    for (const auto& e : nlri) {
        write_nlri(e, path_id, w);
    }
    end_attribute(w, at);
}

}  // namespace rf::bgp::detail
