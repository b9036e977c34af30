// JSON shapes of the REST API (docs/api.md). Field names follow the az CLI's output (camelCase:
// peerIp, peerAsn, localAddress, nextHop, sourcePeer, asPath, ...).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "daemon/api/backend.hpp"

namespace rf::api {

using Json = nlohmann::ordered_json;

[[nodiscard]] Json to_json(const RouteServerInfo& info);
[[nodiscard]] Json to_json(const PeeringInfo& peering);
[[nodiscard]] Json to_json(const RoutesByInstance& routes);
[[nodiscard]] Json to_json(const PeeringReset& reset);
[[nodiscard]] Json to_json(const RibEntryInfo& entry);
[[nodiscard]] Json to_json(const RpkiInfo& rpki);
[[nodiscard]] Json to_json(const EffectiveRoutes& routes);
[[nodiscard]] Json to_json(const EmulatorStats& stats);
[[nodiscard]] Json to_json(const ConvergenceHistory& history);
[[nodiscard]] Json to_json(const BmpCollectors& collectors);
[[nodiscard]] Json to_json(const ApiError& error);

// The body of POST /api/v1/peerings → a peer. Checks types and syntax only (the rules between values are
// config::validate_peer's); unknown fields are refused. The error's field is the JSON field name.
[[nodiscard]] Result<config::PeerConfig, ApiError> peer_from_json(const Json& body);

// The offset of the first byte of `text` that is not part of a well-formed UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF included), or nullopt when all of it is UTF-8.
[[nodiscard]] std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// The JSON field of POST /api/v1/peerings that a configuration path ("peers[3].asn") stands for.
[[nodiscard]] std::string json_field_of(std::string_view config_path);

}  // namespace rf::api
