// One test per error path of the codec: each malformed input yields the NOTIFICATION code/subcode/data
// of RFC 4271 §6 or the RFC 7606 action, and decoding goes on where RFC 7606 says it should.
#include <gtest/gtest.h>

#include "tests/control/codec/test_util.hpp"

namespace rf::bgp {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

constexpr auto kReset = Rfc7606Action::SessionReset;
constexpr auto kWithdraw = Rfc7606Action::TreatAsWithdraw;
constexpr auto kDiscard = Rfc7606Action::AttributeDiscard;

std::uint8_t sub(HeaderSubcode s) {
    return static_cast<std::uint8_t>(s);
}
std::uint8_t sub(OpenSubcode s) {
    return static_cast<std::uint8_t>(s);
}
std::uint8_t sub(UpdateSubcode s) {
    return static_cast<std::uint8_t>(s);
}

WireError header_err(const ByteVec& m, CodecOptions o = {}) {
    auto r = decode_header(view(m), o);
    EXPECT_FALSE(r.has_value());
    return r ? WireError{} : r.error();
}

WireError message_err(const ByteVec& m, CodecOptions o = {}) {
    auto r = decode_message(view(m), o);
    EXPECT_FALSE(r.has_value());
    return r ? WireError{} : r.error();
}

WireError open_err(const ByteVec& m) {
    auto r = decode_open(view(m));
    EXPECT_FALSE(r.has_value());
    return r ? WireError{} : r.error();
}

// A session-resetting UPDATE error.
WireError reset_err(const ByteVec& m, CodecOptions o = {}) {
    auto r = decode_update(view(m), o);
    EXPECT_FALSE(r.has_value());
    if (r) {
        return {};
    }
    EXPECT_EQ(r.error().action, kReset);
    EXPECT_EQ(r.error().code, ErrorCode::UpdateMessage);
    return r.error();
}

// A milder RFC 7606 outcome: the UPDATE decodes with `action`; returns it for further checks.
DecodedUpdate mild(const ByteVec& m, Rfc7606Action action, UpdateSubcode subcode, CodecOptions o = {}) {
    auto r = decode_update(view(m), o);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
    if (!r) {
        return {};
    }
    EXPECT_EQ(r->action, action);
    EXPECT_FALSE(r->problems.empty());
    bool found = false;
    for (const auto& p : r->problems) {
        found = found || p.subcode == sub(subcode);
    }
    EXPECT_TRUE(found) << "subcode " << static_cast<int>(subcode) << " not reported";
    return *r;
}

// ----------------------------------------------------------------------------------- header

TEST(HeaderErrors, TruncatedHeaderIsBadLength) {
    const ByteVec m(18, 0xFF);
    const auto e = header_err(m);
    EXPECT_EQ(e.code, ErrorCode::MessageHeader);
    EXPECT_EQ(e.subcode, sub(HeaderSubcode::BadMessageLength));
}

TEST(HeaderErrors, BadMarkerIsConnectionNotSynchronized) {
    ByteVec m = message(4, {});
    m[7] = 0xFE;
    const auto e = header_err(m);
    EXPECT_EQ(e.subcode, sub(HeaderSubcode::ConnectionNotSynchronized));
    EXPECT_EQ(e.offset, 7U);
}

TEST(HeaderErrors, LengthBelowMinimumCarriesLengthField) {
    ByteVec m = message(4, {});
    m[17] = 18;
    const auto e = header_err(m);
    EXPECT_EQ(e.subcode, sub(HeaderSubcode::BadMessageLength));
    EXPECT_EQ(e.data, (ByteVec{0, 18}));
}

TEST(HeaderErrors, LengthAbove4096UnlessExtendedMessage) {
    ByteVec m = message(2, ByteVec(4097 - 19, 0));
    EXPECT_EQ(header_err(m).subcode, sub(HeaderSubcode::BadMessageLength));
    CodecOptions ext;
    ext.extended_message = true;
    EXPECT_TRUE(decode_header(view(m), ext).has_value());
    // OPEN and KEEPALIVE never exceed 4,096 octets, even with extended message (RFC 8654 §4).
    ByteVec big_open = message(1, ByteVec(4097 - 19, 0));
    EXPECT_EQ(header_err(big_open, ext).subcode, sub(HeaderSubcode::BadMessageLength));
}

TEST(HeaderErrors, ExtendedMessageAppliesToAllButOpenAndKeepalive) {
    // RFC 8654 §3: UPDATE, NOTIFICATION and ROUTE-REFRESH may be up to 65,535 octets once negotiated;
    // without it, 4,097 is Bad Message Length carrying the length field (RFC 4271 §6.1).
    CodecOptions ext;
    ext.extended_message = true;
    for (std::uint8_t type : {2, 3, 5}) {
        const ByteVec at_limit = message(type, ByteVec(4096 - 19, 0));
        EXPECT_TRUE(decode_header(view(at_limit), CodecOptions{}).has_value()) << int{type};
        const ByteVec big = message(type, ByteVec(65535 - 19, 0));
        EXPECT_TRUE(decode_header(view(big), ext).has_value()) << int{type};
        const ByteVec over = message(type, ByteVec(4097 - 19, 0));
        const auto e = header_err(over);
        EXPECT_EQ(e.code, ErrorCode::MessageHeader);
        EXPECT_EQ(e.subcode, sub(HeaderSubcode::BadMessageLength)) << int{type};
        EXPECT_EQ(e.data, (ByteVec{0x10, 0x01})) << int{type};  // 4,097
    }
    EXPECT_EQ(header_err(message(4, ByteVec(1, 0)), ext).subcode, sub(HeaderSubcode::BadMessageLength));
}

TEST(HeaderErrors, PerTypeMinimumLengths) {
    EXPECT_EQ(header_err(message(1, ByteVec(9, 0))).subcode,
              sub(HeaderSubcode::BadMessageLength));  // OPEN < 29
    EXPECT_EQ(header_err(message(2, ByteVec(3, 0))).subcode,
              sub(HeaderSubcode::BadMessageLength));  // UPDATE < 23
    EXPECT_EQ(header_err(message(3, ByteVec(1, 0))).subcode,
              sub(HeaderSubcode::BadMessageLength));  // NOTIF < 21
    EXPECT_EQ(header_err(message(4, ByteVec(1, 0))).subcode,
              sub(HeaderSubcode::BadMessageLength));  // KEEPALIVE 19
    EXPECT_EQ(header_err(message(5, ByteVec(3, 0))).subcode,
              sub(HeaderSubcode::BadMessageLength));  // RR < 23
}

TEST(HeaderErrors, BadTypeCarriesType) {
    for (std::uint8_t t : {0, 6, 255}) {
        const auto e = header_err(message(t, {}));
        EXPECT_EQ(e.subcode, sub(HeaderSubcode::BadMessageType));
        EXPECT_EQ(e.data, (ByteVec{t}));
    }
}

TEST(HeaderErrors, BufferLongerOrShorterThanLength) {
    ByteVec m = message(4, {});
    m.push_back(0);
    EXPECT_EQ(message_err(m).subcode, sub(HeaderSubcode::BadMessageLength));
    ByteVec u = update_msg({}, {}, {});
    u.pop_back();
    EXPECT_EQ(message_err(u).subcode, sub(HeaderSubcode::BadMessageLength));
}

// ------------------------------------------------------------------------------------- OPEN

ByteVec open_body(std::uint8_t version, unsigned hold, std::uint32_t id, const ByteVec& params) {
    return cat(
        {{version}, u16(65001), u16(hold), u32(id), {static_cast<std::uint8_t>(params.size())}, params});
}
ByteVec caps_param(const ByteVec& caps) {
    return cat({{2, static_cast<std::uint8_t>(caps.size())}, caps});
}

TEST(OpenErrors, UnsupportedVersionSaysWeSpeakFour) {
    const auto e = open_err(message(1, open_body(3, 90, 1, {})));
    EXPECT_EQ(e.code, ErrorCode::OpenMessage);
    EXPECT_EQ(e.subcode, sub(OpenSubcode::UnsupportedVersionNumber));
    EXPECT_EQ(e.data, (ByteVec{0, 4}));
}

TEST(OpenErrors, HoldTimeOneOrTwoIsUnacceptableZeroIsFine) {
    EXPECT_EQ(open_err(message(1, open_body(4, 1, 1, {}))).subcode, sub(OpenSubcode::UnacceptableHoldTime));
    EXPECT_EQ(open_err(message(1, open_body(4, 2, 1, {}))).subcode, sub(OpenSubcode::UnacceptableHoldTime));
    EXPECT_TRUE(decode_open(view(message(1, open_body(4, 0, 1, {})))).has_value());
    EXPECT_TRUE(decode_open(view(message(1, open_body(4, 3, 1, {})))).has_value());
}

TEST(OpenErrors, ZeroBgpIdentifier) {
    EXPECT_EQ(open_err(message(1, open_body(4, 90, 0, {}))).subcode, sub(OpenSubcode::BadBgpIdentifier));
}

TEST(OpenErrors, UnsupportedOptionalParameter) {
    const auto e = open_err(message(1, open_body(4, 90, 1, {1, 2, 0xAA, 0xBB})));
    EXPECT_EQ(e.subcode, sub(OpenSubcode::UnsupportedOptionalParameter));
}

TEST(OpenErrors, OptionalParameterLengthsMustAddUp) {
    ByteVec body = open_body(4, 90, 1, caps_param({2, 0}));
    body[9] = 5;  // optional parameters length too long
    EXPECT_EQ(open_err(message(1, body)).subcode, 0);
    EXPECT_EQ(open_err(message(1, open_body(4, 90, 1, {2, 9, 2, 0}))).subcode, 0);     // parameter overruns
    EXPECT_EQ(open_err(message(1, open_body(4, 90, 1, {2}))).subcode, 0);              // header truncated
    EXPECT_EQ(open_err(message(1, open_body(4, 90, 1, caps_param({2})))).subcode, 0);  // capability header
    EXPECT_EQ(open_err(message(1, open_body(4, 90, 1, caps_param({2, 5, 0})))).subcode, 0);  // capability len
}

TEST(OpenErrors, KnownCapabilitiesWithWrongLength) {
    for (const ByteVec& cap :
         {ByteVec{1, 3, 0, 1, 0}, ByteVec{2, 1, 0}, ByteVec{6, 1, 0}, ByteVec{65, 2, 0, 1},
          ByteVec{64, 3, 0, 0, 0}, ByteVec{69, 3, 0, 1, 1}, ByteVec{70, 1, 0}, ByteVec{69, 4, 0, 1, 1, 0}}) {
        const auto e = open_err(message(1, open_body(4, 90, 1, caps_param(cap))));
        EXPECT_EQ(e.code, ErrorCode::OpenMessage) << static_cast<int>(cap[0]);
        EXPECT_EQ(e.subcode, 0) << static_cast<int>(cap[0]);
    }
}

TEST(OpenDecode, ExtendedOptionalParametersRfc9072) {
    Open o;
    o.my_as = 65001;
    o.bgp_identifier = Ipv4Address{1};
    for (std::uint8_t i = 0; i < 40; ++i) {
        o.capabilities.unknown.push_back(
            UnknownCapability{static_cast<std::uint8_t>(100 + i), ByteVec(8, i)});
    }
    std::vector<std::uint8_t> out;
    encode_open(o, out);
    EXPECT_EQ(out[28], 255);
    EXPECT_EQ(out[29], 255);
    auto r = decode_open(view(out));
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    EXPECT_EQ(*r, o);
}

TEST(OpenErrors, NotAnOpenMessage) {
    const auto e = open_err(message(4, {}));
    EXPECT_EQ(e.code, ErrorCode::MessageHeader);
    EXPECT_EQ(e.subcode, sub(HeaderSubcode::BadMessageType));
}

TEST(OpenErrors, TruncatedExtendedOptionalParameters) {
    // Optional Parameters Length 255 and type 255 announce RFC 9072 lengths, but no room for them.
    const ByteVec body = cat({{4}, u16(65001), u16(90), u32(1), {255, 255, 0}});
    EXPECT_EQ(open_err(message(1, body)).subcode, 0);
}

// ----------------------------------------------------------------------------- UPDATE: reset

TEST(UpdateErrors, WithdrawnLengthOverrunsMessage) {
    ByteVec m = update_msg({}, {}, {});
    m[20] = 5;
    EXPECT_EQ(reset_err(m).subcode, sub(UpdateSubcode::MalformedAttributeList));
}

TEST(UpdateErrors, TotalAttributeLengthOverrunsMessage) {
    ByteVec m = update_msg({}, basic_attrs(), nlri_10_0_0());
    m[22] = static_cast<std::uint8_t>(m[22] + 10);
    EXPECT_EQ(reset_err(m).subcode, sub(UpdateSubcode::MalformedAttributeList));
}

TEST(UpdateErrors, BadPrefixLengthInWithdrawnOrNlri) {
    EXPECT_EQ(reset_err(update_msg({33, 10, 0, 0, 0, 0}, {}, {})).subcode,
              sub(UpdateSubcode::InvalidNetworkField));
    EXPECT_EQ(reset_err(update_msg({}, basic_attrs(), {33, 10, 0, 0, 0, 0})).subcode,
              sub(UpdateSubcode::InvalidNetworkField));
    EXPECT_EQ(reset_err(update_msg({}, basic_attrs(), {24, 10, 0})).subcode,  // truncated prefix
              sub(UpdateSubcode::InvalidNetworkField));
    // With ADD-PATH a path identifier shorter than four octets is as bad.
    EXPECT_EQ(reset_err(update_msg({}, basic_attrs(), {0, 0, 1}), options_with_add_path()).subcode,
              sub(UpdateSubcode::InvalidNetworkField));
}

TEST(UpdateErrors, UnrecognizedWellKnownAttributeCarriesAttribute) {
    const ByteVec unknown = attr(0x40, 99, {1, 2});
    const auto e = reset_err(update_msg({}, cat({basic_attrs(), unknown}), nlri_10_0_0()));
    EXPECT_EQ(e.subcode, sub(UpdateSubcode::UnrecognizedWellKnownAttribute));
    EXPECT_EQ(e.data, unknown);
}

TEST(UpdateErrors, RepeatedMpReachResetsSession) {
    const ByteVec mp = attr(0x80, 14, cat({u16(2), {1, 16}, ByteVec(16, 0x20), {0}}));
    EXPECT_EQ(reset_err(update_msg({}, cat({mp, mp, origin_igp(), as_path_seq({1})}), {})).subcode,
              sub(UpdateSubcode::MalformedAttributeList));
}

TEST(UpdateErrors, MpReachMalformedResetsSession) {
    const ByteVec base = cat({origin_igp(), as_path_seq({1})});
    // shorter than AFI/SAFI/next hop length/reserved
    EXPECT_EQ(reset_err(update_msg({}, cat({attr(0x80, 14, {0, 2, 1, 16}), base}), {})).subcode,
              sub(UpdateSubcode::OptionalAttributeError));
    // next hop length 5, and IPv6 with a 4-octet next hop
    EXPECT_EQ(
        reset_err(update_msg({}, cat({attr(0x80, 14, cat({u16(1), {1, 5}, ByteVec(5, 1), {0}})), base}), {}))
            .subcode,
        sub(UpdateSubcode::OptionalAttributeError));
    EXPECT_EQ(
        reset_err(update_msg({}, cat({attr(0x80, 14, cat({u16(2), {1, 4}, ByteVec(4, 1), {0}})), base}), {}))
            .subcode,
        sub(UpdateSubcode::OptionalAttributeError));
    // next hop length beyond the attribute
    EXPECT_EQ(reset_err(update_msg(
                            {}, cat({attr(0x80, 14, cat({u16(2), {1, 32}, ByteVec(16, 1), {0}})), base}), {}))
                  .subcode,
              sub(UpdateSubcode::OptionalAttributeError));
    // IPv6 prefix length 129
    EXPECT_EQ(
        reset_err(
            update_msg(
                {},
                cat({attr(0x80, 14, cat({u16(2), {1, 16}, ByteVec(16, 1), {0, 129}, ByteVec(16, 0)})), base}),
                {}))
            .subcode,
        sub(UpdateSubcode::OptionalAttributeError));
    // wrong flags (transitive) on MP_REACH
    EXPECT_EQ(reset_err(update_msg(
                            {}, cat({attr(0xC0, 14, cat({u16(2), {1, 16}, ByteVec(16, 1), {0}})), base}), {}))
                  .subcode,
              sub(UpdateSubcode::AttributeFlagsError));
}

TEST(UpdateErrors, MpUnreachMalformedResetsSession) {
    EXPECT_EQ(reset_err(update_msg({}, attr(0x80, 15, {0, 2}), {})).subcode,
              sub(UpdateSubcode::OptionalAttributeError));
    EXPECT_EQ(reset_err(update_msg({}, attr(0x80, 15, {0, 1, 1, 40, 1, 2, 3, 4, 5}), {})).subcode,
              sub(UpdateSubcode::OptionalAttributeError));
}

TEST(UpdateErrors, RepeatedMpUnreachResetsSession) {
    const ByteVec mp = attr(0x80, 15, {0, 2, 1});
    EXPECT_EQ(reset_err(update_msg({}, cat({mp, mp}), {})).subcode,
              sub(UpdateSubcode::MalformedAttributeList));
}

TEST(UpdateErrors, MpUnreachOfUnsupportedFamilyIsDiscarded) {
    const auto d = mild(update_msg({}, attr(0x80, 15, cat({u16(25), {70, 1, 2, 3}})), {}), kDiscard,
                        UpdateSubcode::OptionalAttributeError);
    EXPECT_FALSE(d.update.mp_unreach.has_value());
}

TEST(UpdateErrors, MpOfUnsupportedFamilyIsDiscarded) {
    const auto d = mild(update_msg({},
                                   cat({attr(0x80, 14, cat({u16(25), {70, 4}, ByteVec(4, 1), {0, 1, 2}})),
                                        origin_igp(), as_path_seq({1})}),
                                   {}),
                        kDiscard, UpdateSubcode::OptionalAttributeError);
    EXPECT_FALSE(d.update.mp_reach.has_value());
}

// ------------------------------------------------------------------ UPDATE: treat-as-withdraw

TEST(UpdateErrors, AttributeHeaderTruncatedIsTreatAsWithdrawAndNlriStillFound) {
    const auto d = mild(update_msg({}, cat({basic_attrs(), {0x40, 1}}), nlri_10_0_0()), kWithdraw,
                        UpdateSubcode::MalformedAttributeList);
    ASSERT_EQ(d.update.nlri.size(), 1U);
    EXPECT_EQ(d.update.nlri[0].prefix.to_string(), "10.0.0.0/24");
}

TEST(UpdateErrors, AttributeLengthOverrunsAttributeArea) {
    ByteVec attrs = cat({basic_attrs(), attr(0xC0, 8, u32(1))});
    attrs[attrs.size() - 5] = 9;  // COMMUNITIES length 9 > 4 left
    const auto d =
        mild(update_msg({}, attrs, nlri_10_0_0()), kWithdraw, UpdateSubcode::MalformedAttributeList);
    EXPECT_EQ(d.update.nlri.size(), 1U);
}

TEST(UpdateErrors, FlagErrorsFollowEachAttributesAction) {
    // ORIGIN marked optional: treat-as-withdraw, data = the attribute
    const ByteVec bad_origin = attr(0xC0, 1, {0});
    auto d = mild(update_msg({}, cat({bad_origin, as_path_seq({1}), next_hop()}), nlri_10_0_0()), kWithdraw,
                  UpdateSubcode::AttributeFlagsError);
    EXPECT_EQ(d.problems[0].data, bad_origin);
    // AGGREGATOR marked non-transitive: attribute discard
    d = mild(update_msg({}, cat({basic_attrs(), attr(0x80, 7, cat({u32(1), u32(2)}))}), nlri_10_0_0()),
             kDiscard, UpdateSubcode::AttributeFlagsError);
    EXPECT_FALSE(d.update.attributes.aggregator.has_value());
    // COMMUNITIES marked well-known
    mild(update_msg({}, cat({basic_attrs(), attr(0x40, 8, u32(1))}), nlri_10_0_0()), kWithdraw,
         UpdateSubcode::AttributeFlagsError);
    // MED marked transitive
    mild(update_msg({}, cat({basic_attrs(), attr(0xC0, 4, u32(1))}), nlri_10_0_0()), kWithdraw,
         UpdateSubcode::AttributeFlagsError);
}

TEST(UpdateErrors, LengthErrorsOfEachAttribute) {
    struct Case {
        ByteVec attribute;
        Rfc7606Action action;
    };
    const std::vector<Case> cases = {
        {attr(0x40, 1, {0, 0}), kWithdraw},                  // ORIGIN
        {attr(0x40, 3, {1, 2, 3}), kWithdraw},               // NEXT_HOP
        {attr(0x80, 4, {1, 2, 3}), kWithdraw},               // MED
        {attr(0x40, 5, {1, 2, 3, 4, 5}), kWithdraw},         // LOCAL_PREF
        {attr(0x40, 6, {1}), kDiscard},                      // ATOMIC_AGGREGATE
        {attr(0xC0, 7, {1, 2, 3, 4, 5, 6, 7}), kDiscard},    // AGGREGATOR
        {attr(0xC0, 8, {1, 2, 3, 4, 5}), kWithdraw},         // COMMUNITIES
        {attr(0xC0, 8, {}), kWithdraw},                      // COMMUNITIES empty
        {attr(0x80, 9, {1, 2, 3}), kWithdraw},               // ORIGINATOR_ID
        {attr(0x80, 10, {1, 2, 3, 4, 5, 6}), kWithdraw},     // CLUSTER_LIST
        {attr(0xC0, 16, {1, 2, 3, 4, 5, 6, 7}), kWithdraw},  // EXTENDED_COMMUNITIES
        {attr(0xC0, 32, ByteVec(13, 1)), kWithdraw},         // LARGE_COMMUNITIES
    };
    for (const auto& c : cases) {
        ByteVec attrs = basic_attrs();
        if (c.attribute[1] == 1 || c.attribute[1] == 3) {  // replace the well-formed one
            attrs = cat({c.attribute[1] == 1 ? as_path_seq({1}) : origin_igp(),
                         c.attribute[1] == 1 ? next_hop() : as_path_seq({1}), c.attribute});
        } else {
            attrs = cat({attrs, c.attribute});
        }
        auto r = decode_update(view(update_msg({}, attrs, nlri_10_0_0())), CodecOptions{});
        ASSERT_TRUE(r.has_value()) << "type " << static_cast<int>(c.attribute[1]);
        EXPECT_EQ(r->action, c.action) << "type " << static_cast<int>(c.attribute[1]);
        ASSERT_EQ(r->problems.size(), 1U) << "type " << static_cast<int>(c.attribute[1]);
        EXPECT_EQ(r->problems[0].subcode, sub(UpdateSubcode::AttributeLengthError));
        EXPECT_EQ(r->problems[0].data, c.attribute);
    }
    // On a 2-octet session AGGREGATOR is 6 octets and AS4_AGGREGATOR 8.
    CodecOptions two;
    two.four_octet_as = false;
    const ByteVec two_attrs = cat({origin_igp(), as_path_seq({1}, false), next_hop()});
    mild(update_msg({}, cat({two_attrs, attr(0xC0, 7, cat({u32(1), u32(2)}))}), nlri_10_0_0()), kDiscard,
         UpdateSubcode::AttributeLengthError, two);
    mild(update_msg({}, cat({two_attrs, attr(0xC0, 18, {1, 2, 3})}), nlri_10_0_0()), kDiscard,
         UpdateSubcode::AttributeLengthError, two);
}

TEST(UpdateErrors, BadOriginValue) {
    mild(update_msg({}, cat({attr(0x40, 1, {3}), as_path_seq({1}), next_hop()}), nlri_10_0_0()), kWithdraw,
         UpdateSubcode::InvalidOriginAttribute);
}

TEST(UpdateErrors, MalformedAsPath) {
    const ByteVec rest = cat({origin_igp(), next_hop()});
    for (const ByteVec& value : {ByteVec{5, 1, 0, 0, 0, 1},        // segment type 5
                                 ByteVec{2, 0},                    // empty segment
                                 ByteVec{2, 2, 0, 0, 0, 1},        // segment runs past the attribute
                                 ByteVec{2, 1, 0, 0, 0, 1, 2}}) {  // trailing half header
        mild(update_msg({}, cat({rest, attr(0x40, 2, value)}), nlri_10_0_0()), kWithdraw,
             UpdateSubcode::MalformedAsPath);
    }
}

TEST(UpdateErrors, MalformedAs4PathIsDiscarded) {
    CodecOptions two;
    two.four_octet_as = false;
    const auto d = mild(update_msg({},
                                   cat({origin_igp(), as_path_seq({kAsTrans, 2}, false), next_hop(),
                                        attr(0xC0, 17, {2, 3, 0, 0, 0, 1})}),
                                   nlri_10_0_0()),
                        kDiscard, UpdateSubcode::MalformedAsPath, two);
    EXPECT_EQ(d.update.attributes.as_path->to_string(), "23456 2");
}

TEST(UpdateErrors, MissingWellKnownAttributesWhenAnnouncing) {
    auto d = mild(update_msg({}, cat({as_path_seq({1}), next_hop()}), nlri_10_0_0()), kWithdraw,
                  UpdateSubcode::MissingWellKnownAttribute);
    EXPECT_EQ(d.problems[0].data, (ByteVec{1}));
    d = mild(update_msg({}, cat({origin_igp(), next_hop()}), nlri_10_0_0()), kWithdraw,
             UpdateSubcode::MissingWellKnownAttribute);
    EXPECT_EQ(d.problems[0].data, (ByteVec{2}));
    d = mild(update_msg({}, cat({origin_igp(), as_path_seq({1})}), nlri_10_0_0()), kWithdraw,
             UpdateSubcode::MissingWellKnownAttribute);
    EXPECT_EQ(d.problems[0].data, (ByteVec{3}));
    // MP_REACH announcements need no NEXT_HOP; withdrawals need nothing.
    const ByteVec mp =
        attr(0x80, 14, cat({u16(2), {1, 16}, ByteVec(16, 0x20), {0, 32, 0x20, 1, 0x0d, 0xb8}}));
    auto r =
        decode_update(view(update_msg({}, cat({mp, origin_igp(), as_path_seq({1})}), {})), CodecOptions{});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->action, Rfc7606Action::None);
    r = decode_update(view(update_msg({24, 10, 0, 0}, {}, {})), CodecOptions{});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->action, Rfc7606Action::None);
}

TEST(UpdateErrors, RepeatedAttributeKeepsFirst) {
    const auto d = mild(update_msg({}, cat({basic_attrs(), attr(0x40, 1, {2})}), nlri_10_0_0()), kDiscard,
                        UpdateSubcode::MalformedAttributeList);
    EXPECT_EQ(d.update.attributes.origin, Origin::Igp);
}

TEST(UpdateErrors, StrongestActionWinsAndAllProblemsKept) {
    const auto d =
        mild(update_msg({}, cat({basic_attrs(), attr(0x40, 6, {1}), attr(0xC0, 8, {1})}), nlri_10_0_0()),
             kWithdraw, UpdateSubcode::AttributeLengthError);
    ASSERT_EQ(d.problems.size(), 2U);
    EXPECT_EQ(d.problems[0].action, kDiscard);
    EXPECT_EQ(d.problems[1].action, kWithdraw);
    EXPECT_FALSE(d.update.attributes.atomic_aggregate);
}

TEST(UpdateDecode, UnknownOptionalAttributesKept) {
    auto r =
        decode_update(view(update_msg({}, cat({basic_attrs(), attr(0xC0, 0xF1, {9}), attr(0x80, 0xF0, {8})}),
                                      nlri_10_0_0())),
                      CodecOptions{});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->action, Rfc7606Action::None);
    const auto& u = r->update.attributes.unknown;
    ASSERT_EQ(u.size(), 2U);
    EXPECT_EQ(u[0].type, 0xF0);  // sorted by type code
    EXPECT_EQ(u[0].flags, attr_flag::Optional);
    EXPECT_EQ(u[1].flags, attr_flag::Optional | attr_flag::Transitive | attr_flag::Partial);
}

// --------------------------------------------------------------------------- AS4 (RFC 6793)

TEST(As4Path, LeadingAsnsOfAsPathArePrependedToAs4Path) {
    CodecOptions two;
    two.four_octet_as = false;
    const ByteVec as4 = attr(0xC0, 17, cat({{2, 2}, u32(4200000001), u32(65002)}));
    auto r = decode_update(
        view(update_msg({},
                        cat({origin_igp(), as_path_seq({65010, kAsTrans, 65002}, false), next_hop(), as4}),
                        nlri_10_0_0())),
        two);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->update.attributes.as_path->to_string(), "65010 4200000001 65002");
    ASSERT_EQ(r->update.attributes.as_path->segments.size(), 1U);
}

TEST(As4Path, LongerAs4PathIsIgnored) {
    CodecOptions two;
    two.four_octet_as = false;
    const ByteVec as4 = attr(0xC0, 17, cat({{2, 3}, u32(1), u32(2), u32(3)}));
    auto r = decode_update(
        view(update_msg({}, cat({origin_igp(), as_path_seq({kAsTrans, 2}, false), next_hop(), as4}),
                        nlri_10_0_0())),
        two);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->update.attributes.as_path->to_string(), "23456 2");
}

TEST(As4Path, AggregatorFromOldSpeakerMakesAs4AttributesIgnored) {
    CodecOptions two;
    two.four_octet_as = false;
    const ByteVec as4 = attr(0xC0, 17, cat({{2, 1}, u32(4200000001)}));
    const ByteVec agg = attr(0xC0, 7, cat({u16(65005), u32(1)}));
    auto r = decode_update(
        view(update_msg({}, cat({origin_igp(), as_path_seq({kAsTrans}, false), next_hop(), agg, as4}),
                        nlri_10_0_0())),
        two);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->update.attributes.as_path->to_string(), "23456");
    EXPECT_EQ(r->update.attributes.aggregator->asn, 65005U);
}

TEST(As4Path, As4AttributesFromNewSpeakerAreDropped) {
    const ByteVec as4 = attr(0xC0, 17, cat({{2, 1}, u32(7)}));
    auto r = decode_update(view(update_msg({}, cat({basic_attrs(), as4}), nlri_10_0_0())), CodecOptions{});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->update.attributes.as_path->to_string(), "65001");
    EXPECT_TRUE(r->update.attributes.unknown.empty());
}

// ---------------------------------------------------------------------------------- ROUTE-REFRESH

TEST(RouteRefreshErrors, WrongLengthIsRfc7313ErrorWithWholeMessage) {
    const ByteVec m = message(5, {0, 1, 0, 1, 0});
    const auto e = message_err(m);
    EXPECT_EQ(e.code, ErrorCode::RouteRefreshMessage);
    EXPECT_EQ(e.subcode, static_cast<std::uint8_t>(RouteRefreshSubcode::InvalidMessageLength));
    EXPECT_EQ(e.data, m);
}

TEST(RouteRefreshErrors, BorrAndEorrWithWrongLengthAreRfc7313Errors) {
    // RFC 7313 §5: subtypes 1 and 2 with a length other than 4 after the header.
    for (std::uint8_t subtype : {1, 2}) {
        for (const ByteVec& body : {ByteVec{0, 1, subtype, 1, 0}, ByteVec{0, 1, subtype, 1, 0, 0, 0, 0}}) {
            const ByteVec m = message(5, body);
            const auto e = message_err(m);
            EXPECT_EQ(e.code, ErrorCode::RouteRefreshMessage);
            EXPECT_EQ(e.subcode, static_cast<std::uint8_t>(RouteRefreshSubcode::InvalidMessageLength));
            EXPECT_EQ(e.data, m);
        }
    }
}

TEST(RouteRefreshErrors, UnknownSubtypeDecodesForTheSessionToIgnore) {
    // RFC 7313 §5: not an error of the message; the session ignores subtypes other than 0, 1, 2.
    auto r = decode_message(view(message(5, {0, 2, 7, 1})), CodecOptions{});
    ASSERT_TRUE(r.has_value());
    const auto& rr = std::get<RouteRefresh>(*r);
    EXPECT_EQ(rr.subtype, 7);
    EXPECT_EQ(rr.family, (AfiSafi{Afi::Ipv6, Safi::Unicast}));
}

}  // namespace
}  // namespace rf::bgp
