// routefabricd's configuration file: a small INI dialect (a later issue moves to YAML).
//
//   # comment
//   local-asn 65515
//   router-id 10.1.0.4
//   listen 10.1.0.4 10.1.0.5      # one or more addresses (Azure: two instances)
//   port 179
//   hold-time 180
//   keepalive 60                  # 0: a third of the negotiated hold time
//   connect-retry 30
//   idle-hold 30                  # seconds before a peer may come back after an error
//   idle-hold-max 300
//   max-peers 8
//   four-byte-asn off             # on: 4-byte ASNs accepted (RFC 6793)
//   mode azure                    # azure (RS ASN prepended) | transparent (RFC 7947)
//   branch-to-branch on
//   vnet-prefix 10.1.0.0/16       # repeatable; advertised to every peer
//   vnet-next-hop 10.1.0.4        # default: our address of each session
//   max-ecmp-paths 8
//   log-level info                # trace | debug | info | warn | error
//
//   [peer nva1]
//   address 10.1.1.4
//   asn 65001
//   route-limit 1000              # 0 = unlimited
//   route-counting distinct       # distinct | azure-strict
//   multihop 255                  # TTL of our packets (1 = directly connected)
//   gtsm off                      # RFC 5082
//   md5-password secret           # RFC 2385
//   mode passive                  # passive | active
//   port 179                      # the peer's port, for active mode
//   local-address 10.1.0.4        # source for active connects
//   hold-time 180
//   idle-hold 30
//
// Every error names the line and the field: "routefabricd.conf:12: asn: expected a number, got 'x'".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/session/peer_rules.hpp"
#include "control/session/route_server.hpp"

namespace rf::daemon {

struct DaemonConfig {
    session::ServerConfig server;
    std::vector<session::PeerSettings> peers;
    std::string log_level = "info";
};

struct ConfigError {
    std::string message;
};

// Parses `text`; `origin` names the file in errors. Peering rules (reserved ASNs, max peers …) are
// checked too, so an accepted file starts cleanly.
Result<DaemonConfig, ConfigError> parse_config(std::string_view text, std::string_view origin = "config");
Result<DaemonConfig, ConfigError> load_config(const std::string& path);

}  // namespace rf::daemon
