// Messages as text, for the logs and rf-decode. The one-line renderings of single values are members
// (AsPath::to_string, Notification::to_string, WireError::to_string) and the error names are declared
// in errors.hpp; all of them are written in text.cpp, apart from the wire codec.
#pragma once

#include <string>

#include "control/codec/message.hpp"

namespace rf::bgp {

// Human-readable summary of one message, one line per field, each line ending in a newline.
std::string describe(const Message& message);

// "ipv4-unicast", "ipv6-unicast", "afi25-safi70" for others: families in logs, the API and rfctl.
std::string family_name(AfiSafi f);

}  // namespace rf::bgp
