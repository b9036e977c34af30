#include "control/codec/errors.hpp"

namespace rf::bgp {

std::string_view error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::MessageHeader:
            return "Message Header Error";
        case ErrorCode::OpenMessage:
            return "OPEN Message Error";
        case ErrorCode::UpdateMessage:
            return "UPDATE Message Error";
        case ErrorCode::HoldTimerExpired:
            return "Hold Timer Expired";
        case ErrorCode::FiniteStateMachine:
            return "Finite State Machine Error";
        case ErrorCode::Cease:
            return "Cease";
        case ErrorCode::RouteRefreshMessage:
            return "ROUTE-REFRESH Message Error";
    }
    return "Unknown Error Code";
}

std::string_view error_subcode_name(ErrorCode code, std::uint8_t subcode) {
    switch (code) {
        case ErrorCode::MessageHeader:
            switch (static_cast<HeaderSubcode>(subcode)) {
                case HeaderSubcode::ConnectionNotSynchronized:
                    return "Connection Not Synchronized";
                case HeaderSubcode::BadMessageLength:
                    return "Bad Message Length";
                case HeaderSubcode::BadMessageType:
                    return "Bad Message Type";
            }
            break;
        case ErrorCode::OpenMessage:
            if (subcode == 0) {
                return "Unspecific";
            }
            switch (static_cast<OpenSubcode>(subcode)) {
                case OpenSubcode::UnsupportedVersionNumber:
                    return "Unsupported Version Number";
                case OpenSubcode::BadPeerAs:
                    return "Bad Peer AS";
                case OpenSubcode::BadBgpIdentifier:
                    return "Bad BGP Identifier";
                case OpenSubcode::UnsupportedOptionalParameter:
                    return "Unsupported Optional Parameter";
                case OpenSubcode::UnacceptableHoldTime:
                    return "Unacceptable Hold Time";
                case OpenSubcode::UnsupportedCapability:
                    return "Unsupported Capability";
                case OpenSubcode::RoleMismatch:
                    return "Role Mismatch";
            }
            break;
        case ErrorCode::UpdateMessage:
            switch (static_cast<UpdateSubcode>(subcode)) {
                case UpdateSubcode::MalformedAttributeList:
                    return "Malformed Attribute List";
                case UpdateSubcode::UnrecognizedWellKnownAttribute:
                    return "Unrecognized Well-known Attribute";
                case UpdateSubcode::MissingWellKnownAttribute:
                    return "Missing Well-known Attribute";
                case UpdateSubcode::AttributeFlagsError:
                    return "Attribute Flags Error";
                case UpdateSubcode::AttributeLengthError:
                    return "Attribute Length Error";
                case UpdateSubcode::InvalidOriginAttribute:
                    return "Invalid ORIGIN Attribute";
                case UpdateSubcode::InvalidNextHopAttribute:
                    return "Invalid NEXT_HOP Attribute";
                case UpdateSubcode::OptionalAttributeError:
                    return "Optional Attribute Error";
                case UpdateSubcode::InvalidNetworkField:
                    return "Invalid Network Field";
                case UpdateSubcode::MalformedAsPath:
                    return "Malformed AS_PATH";
            }
            break;
        case ErrorCode::HoldTimerExpired:
            return subcode == 0 ? "Unspecific" : "Unknown Subcode";
        case ErrorCode::FiniteStateMachine:
            switch (static_cast<FsmSubcode>(subcode)) {
                case FsmSubcode::Unspecified:
                    return "Unspecified";
                case FsmSubcode::UnexpectedInOpenSent:
                    return "Unexpected Message in OpenSent";
                case FsmSubcode::UnexpectedInOpenConfirm:
                    return "Unexpected Message in OpenConfirm";
                case FsmSubcode::UnexpectedInEstablished:
                    return "Unexpected Message in Established";
            }
            break;
        case ErrorCode::Cease:
            switch (static_cast<CeaseSubcode>(subcode)) {
                case CeaseSubcode::MaximumPrefixesReached:
                    return "Maximum Number of Prefixes Reached";
                case CeaseSubcode::AdministrativeShutdown:
                    return "Administrative Shutdown";
                case CeaseSubcode::PeerDeconfigured:
                    return "Peer De-configured";
                case CeaseSubcode::AdministrativeReset:
                    return "Administrative Reset";
                case CeaseSubcode::ConnectionRejected:
                    return "Connection Rejected";
                case CeaseSubcode::OtherConfigurationChange:
                    return "Other Configuration Change";
                case CeaseSubcode::ConnectionCollisionResolution:
                    return "Connection Collision Resolution";
                case CeaseSubcode::OutOfResources:
                    return "Out of Resources";
                case CeaseSubcode::HardReset:
                    return "Hard Reset";
            }
            break;
        case ErrorCode::RouteRefreshMessage:
            if (static_cast<RouteRefreshSubcode>(subcode) == RouteRefreshSubcode::InvalidMessageLength) {
                return "Invalid Message Length";
            }
            break;
    }
    return subcode == 0 ? "Unspecific" : "Unknown Subcode";
}

std::string_view rfc7606_action_name(Rfc7606Action action) {
    switch (action) {
        case Rfc7606Action::None:
            return "none";
        case Rfc7606Action::AttributeDiscard:
            return "attribute-discard";
        case Rfc7606Action::TreatAsWithdraw:
            return "treat-as-withdraw";
        case Rfc7606Action::AfiSafiDisable:
            return "afi-safi-disable";
        case Rfc7606Action::SessionReset:
            return "session-reset";
    }
    return "unknown";
}

std::string WireError::to_string() const {
    std::string s(error_code_name(code));
    s += " / ";
    s += error_subcode_name(code, subcode);
    s += " at ";
    s += std::to_string(offset);
    if (!field.empty()) {
        s += ": ";
        s += field;
    }
    s += " (";
    s += rfc7606_action_name(action);
    s += ")";
    return s;
}

}  // namespace rf::bgp
