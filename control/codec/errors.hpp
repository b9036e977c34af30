// Wire errors as data: which NOTIFICATION to send (RFC 4271 §4.5, §6) or which RFC 7606 action applies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rf::bgp {

// NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313 for ROUTE-REFRESH).
enum class ErrorCode : std::uint8_t {
    MessageHeader = 1,
    OpenMessage = 2,
    UpdateMessage = 3,
    HoldTimerExpired = 4,
    FiniteStateMachine = 5,
    Cease = 6,
    RouteRefreshMessage = 7,
};

enum class HeaderSubcode : std::uint8_t {
    ConnectionNotSynchronized = 1,
    BadMessageLength = 2,
    BadMessageType = 3,
};

enum class OpenSubcode : std::uint8_t {
    UnsupportedVersionNumber = 1,
    BadPeerAs = 2,
    BadBgpIdentifier = 3,
    UnsupportedOptionalParameter = 4,
    UnacceptableHoldTime = 6,
    UnsupportedCapability = 7,  // RFC 5492
    RoleMismatch = 11,          // RFC 9234
};

enum class UpdateSubcode : std::uint8_t {
    MalformedAttributeList = 1,
    UnrecognizedWellKnownAttribute = 2,
    MissingWellKnownAttribute = 3,
    AttributeFlagsError = 4,
    AttributeLengthError = 5,
    InvalidOriginAttribute = 6,
    InvalidNextHopAttribute = 8,
    OptionalAttributeError = 9,
    InvalidNetworkField = 10,
    MalformedAsPath = 11,
};

enum class FsmSubcode : std::uint8_t {  // RFC 6608
    Unspecified = 0,
    UnexpectedInOpenSent = 1,
    UnexpectedInOpenConfirm = 2,
    UnexpectedInEstablished = 3,
};

enum class CeaseSubcode : std::uint8_t {  // RFC 4486
    MaximumPrefixesReached = 1,
    AdministrativeShutdown = 2,
    PeerDeconfigured = 3,
    AdministrativeReset = 4,
    ConnectionRejected = 5,
    OtherConfigurationChange = 6,
    ConnectionCollisionResolution = 7,
    OutOfResources = 8,
    HardReset = 9,  // RFC 8538
};

enum class RouteRefreshSubcode : std::uint8_t {  // RFC 7313
    InvalidMessageLength = 1,
};

// RFC 7606 error handling, weakest to strongest. An UPDATE parser that meets several problems keeps the
// strongest; only SessionReset sends a NOTIFICATION.
enum class Rfc7606Action : std::uint8_t {
    None = 0,
    AttributeDiscard = 1,
    TreatAsWithdraw = 2,
    AfiSafiDisable = 3,
    SessionReset = 4,
};

constexpr Rfc7606Action stronger(Rfc7606Action a, Rfc7606Action b) {
    return a < b ? b : a;
}

// One problem found on the wire. `code`/`subcode`/`data` are exactly what a NOTIFICATION would carry;
// `action` says whether the session must be reset (SessionReset) or a milder RFC 7606 action applies.
struct WireError {
    ErrorCode code = ErrorCode::MessageHeader;
    std::uint8_t subcode = 0;
    std::vector<std::uint8_t> data;  // NOTIFICATION data (e.g. the offending attribute, RFC 4271 §6.3)
    std::size_t offset = 0;          // byte offset in the message where the problem was found
    std::string_view field;          // static description of the field ("AS_PATH segment length")
    Rfc7606Action action = Rfc7606Action::SessionReset;

    [[nodiscard]] std::string to_string() const;  // "UPDATE Message Error / Malformed AS_PATH at 23: ..."
};

// Names as RFC 4271 and its successors spell them, for logs and rf-decode (written in text.cpp).
std::string_view error_code_name(ErrorCode code);
std::string_view error_subcode_name(ErrorCode code, std::uint8_t subcode);
std::string_view rfc7606_action_name(Rfc7606Action action);

}  // namespace rf::bgp
