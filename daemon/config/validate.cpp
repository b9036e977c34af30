// The rules between configuration values (docs/configuration.md "Validation rules"): every problem is
// reported with its field path, in document order. The ASN rules are Azure's (control/azure/asn.hpp).
#include <algorithm>
#include <cctype>
#include <limits>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "control/azure/asn.hpp"
#include "control/policy/compile.hpp"
#include "daemon/config/bmp_section.hpp"
#include "daemon/config/config.hpp"
#include "daemon/config/field_path.hpp"
#include "daemon/config/rpki_config.hpp"
#include "daemon/config/yaml_text.hpp"

namespace rf::config {

namespace {

bool is_loopback(const net::IpAddress& a) {
    if (a.is_v4()) {
        return (a.as_v4().value >> 24) == 127;
    }
    const auto loop = net::IpAddress::parse("::1");
    return loop && a == *loop;
}

// Addresses a host may use as its own on a link: not unspecified, loopback, multicast, broadcast or
// (IPv4) reserved class E.
bool is_unicast(net::Ipv4Address a) {
    const std::uint32_t v = a.value;
    return v != 0 && (v >> 24) != 127 && (v >> 28) != 0xE && (v >> 28) != 0xF;
}
bool is_unicast(const net::Ipv6Address& a) {
    static const net::Ipv6Address loopback = *net::Ipv6Address::parse("::1");
    return a != net::Ipv6Address{} && a != loopback && a.bytes[0] != 0xFF;
}

bool valid_name(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
    });
}

// Appends errors in the order the checks run; a rule breach is ErrorKind::Invalid unless said otherwise.
class ErrorList {
public:
    explicit ErrorList(Errors& errors) : errors_(errors) {}
    void operator()(std::string path, std::string message, ErrorKind kind = ErrorKind::Invalid) {
        errors_.push_back(ConfigError{std::move(path), std::move(message), kind});
    }

private:
    Errors& errors_;
};

void validate_route_server(const Config& config, ErrorList& error) {
    const RouteServerConfig& rs = config.route_server;
    if (rs.asn == 0) {
        error("route_server.asn", "ASN 0 is invalid");
    } else if (azure::is_four_byte(rs.asn) && !rs.four_byte_asn) {
        error("route_server.asn",
              std::to_string(rs.asn) + " is a 4-byte ASN; set route_server.four_byte_asn: true");
    } else if (rs.asn == 23456 || rs.asn == std::numeric_limits<std::uint32_t>::max()) {
        error("route_server.asn", std::to_string(rs.asn) + " is reserved by IANA");
    }
    if (rs.listen.empty()) {
        error("route_server.listen", "at least one listen address is required (Azure runs two)",
              ErrorKind::Missing);
    }
    // First position of each address: one pass, so that long lists stay linear.
    std::unordered_map<net::IpAddress, std::size_t, net::IpAddressHash> first_listed;
    first_listed.reserve(rs.listen.size());
    for (std::size_t i = 0; i < rs.listen.size(); ++i) {
        const auto [first, inserted] = first_listed.try_emplace(rs.listen[i], i);
        if (!inserted) {
            error(at("route_server.listen", i),
                  rs.listen[i].to_string() + " is listed twice (also route_server.listen[" +
                      std::to_string(first->second) + "])",
                  ErrorKind::Duplicate);
        }
    }
    if (!rs.router_id && !rs.listen.empty() && !config.effective_router_id()) {
        error("route_server.router_id", "is required when no listen address is IPv4", ErrorKind::Missing);
    }
    if (rs.router_id && rs.router_id->value == 0) {
        error("route_server.router_id", "0.0.0.0 is not a valid BGP identifier");
    }
    if (rs.hold_time == 1 || rs.hold_time == 2) {
        error("route_server.hold_time", "must be 0 or at least 3 seconds (RFC 4271)");
    }
    if (rs.hold_time != 0 && rs.keepalive == 0) {
        error("route_server.keepalive", "must be at least 1 second when hold_time is not 0");
    } else if (rs.hold_time != 0 && rs.keepalive >= rs.hold_time) {
        error("route_server.keepalive", std::to_string(rs.keepalive) + " must be less than hold_time (" +
                                            std::to_string(rs.hold_time) + "); a third of it is usual");
    }
    if (rs.idle_hold_max < rs.idle_hold) {
        error("route_server.idle_hold_max",
              "must be at least idle_hold (" + std::to_string(rs.idle_hold) + ")");
    }
    if (rs.max_peers == 0) {
        error("route_server.max_peers", "must be at least 1");
    }
    if (rs.max_output_mib == 0 || rs.max_output_mib > 65536) {
        error("route_server.max_output_mib", std::to_string(rs.max_output_mib) + " is not in 1-65536 (MiB)");
    }
    if (rs.refresh_stale_time == 0 || rs.refresh_stale_time > 3600) {
        error("route_server.refresh_stale_time",
              std::to_string(rs.refresh_stale_time) + " is not in 1-3600 (seconds)");
    }
}

void validate_emulator(const EmulatorConfig& em, ErrorList& error) {
    if (em.vms_per_host == 0) {
        error("emulator.vms_per_host", "must be at least 1");
    }
    if (em.enabled && em.workers == 0) {
        error("emulator.workers", "must be at least 1 when the emulator is enabled");
    }
    for (const auto& [field, flows] : {std::pair{"emulator.flows_per_vm", em.flows_per_vm},
                                       std::pair{"emulator.flows6_per_vm", em.flows6_per_vm}}) {
        if (flows > kMaxFlowsPerVm) {
            error(field, std::to_string(flows) + " is not in 0-" + std::to_string(kMaxFlowsPerVm));
        }
    }
    if (em.flows_per_vm == 0 && em.flows6_per_vm == 0) {
        error("emulator.flows_per_vm", "0, and flows6_per_vm is 0 too: the VMs would send nothing");
    }
    if (em.burst == 0 || em.burst > kMaxBurst) {
        error("emulator.burst", std::to_string(em.burst) + " is not in 1-" + std::to_string(kMaxBurst) +
                                    " (packets per host burst)");
    } else if (em.pass_target_us != 0 && em.burst < kMinAdaptiveBurst) {
        error("emulator.burst",
              std::to_string(em.burst) + " is below " + std::to_string(kMinAdaptiveBurst) +
                  ", the smallest burst a pass target sets; with pass_target_us: 0 bursts are "
                  "fixed and may be smaller");
    } else if (em.burst == 1 && em.flows_per_vm != 0 && em.flows6_per_vm != 0) {
        error("emulator.burst",
              "1 leaves no room for IPv4 packets next to the IPv6 one; at least 2 with both "
              "flows_per_vm and flows6_per_vm");
    }
    if (em.pass_target_us > kMaxPassTargetUs) {
        error("emulator.pass_target_us", std::to_string(em.pass_target_us) + " is not in 0-" +
                                             std::to_string(kMaxPassTargetUs) +
                                             " (microseconds; 0 = fixed bursts)");
    }
    if (em.lab_address && !is_unicast(*em.lab_address)) {
        error("emulator.lab_address", em.lab_address->to_string() + " is not an IPv4 unicast address");
    }
    if (em.lab_address6 && !is_unicast(*em.lab_address6)) {
        error("emulator.lab_address6", em.lab_address6->to_string() + " is not an IPv6 unicast address");
    }
    if (em.neighbor_retry_ms == 0 || em.neighbor_retry_ms > kMaxNeighborRetryMs) {
        error("emulator.neighbor_retry_ms", std::to_string(em.neighbor_retry_ms) + " is not in 1-" +
                                                std::to_string(kMaxNeighborRetryMs) + " (milliseconds)");
    }
    if (em.neighbor_reachable_ms < kMinNeighborReachableMs ||
        em.neighbor_reachable_ms > kMaxNeighborReachableMs) {
        error("emulator.neighbor_reachable_ms", std::to_string(em.neighbor_reachable_ms) + " is not in " +
                                                    std::to_string(kMinNeighborReachableMs) + "-" +
                                                    std::to_string(kMaxNeighborReachableMs) +
                                                    " (milliseconds)");
    }
}

void validate_api(const ApiConfig& api, ErrorList& error) {
    if (api.enabled && !is_loopback(api.listen) && api.token.empty()) {
        error("api.token", "is required when api.listen (" + api.listen.to_string() +
                               ") is not a loopback address; set a long random token");
    }
    if (api.max_connections < 1 || api.max_connections > kMaxApiMaxConnections) {
        error("api.max_connections",
              std::to_string(api.max_connections) + " is not in 1-" + std::to_string(kMaxApiMaxConnections));
    }
}

}  // namespace

std::vector<net::Prefix> modelled_address_spaces(const Config& config) {
    std::vector<net::Prefix> spaces;
    if (config.virtual_network) {
        for (const Vnet& v : config.virtual_network->vnets) {
            spaces.insert(spaces.end(), v.address_spaces.begin(), v.address_spaces.end());
        }
    }
    return spaces;
}

std::vector<net::IpAddress> listen_outside(const RouteServerConfig& rs,
                                           const std::vector<net::Prefix>& address_spaces) {
    std::vector<net::IpAddress> outside;
    for (const net::IpAddress& a : rs.listen) {
        if (std::none_of(address_spaces.begin(), address_spaces.end(),
                         [&](const net::Prefix& p) { return p.contains(a); })) {
            outside.push_back(a);
        }
    }
    return outside;
}

// Azure's rule is the default wherever it can hold: a route server with an address inside the model
// must sit in RouteServerSubnet. Only a route server wholly outside the model (a lab on its own
// addresses, where no RouteServerSubnet could hold them) is exempt without saying so.
Placement effective_placement(const Config& config) {
    const RouteServerConfig& rs = config.route_server;
    if (rs.placement != Placement::Auto) {
        return rs.placement;
    }
    if (!config.virtual_network) {
        return Placement::Lab;
    }
    const bool all_outside = listen_outside(rs, modelled_address_spaces(config)).size() == rs.listen.size();
    return all_outside ? Placement::Lab : Placement::Azure;
}

namespace {

// What a peer is checked against: the listen addresses, and the names and addresses of the peers before
// it (each with its first position). Hash sets, so that validating n peers is linear in n.
struct PeerIndex {
    std::unordered_set<net::IpAddress, net::IpAddressHash> listen;
    std::unordered_map<std::string_view, std::size_t> names;
    std::unordered_map<net::IpAddress, std::size_t, net::IpAddressHash> addresses;

    explicit PeerIndex(const Config& config)
        : listen(config.route_server.listen.begin(), config.route_server.listen.end()) {}
    // Records peers[index] after it was checked; an earlier peer keeps its name and address.
    void add(const Config& config, std::size_t index) {
        const PeerConfig& peer = config.peers[index];
        if (!peer.name.empty()) {
            names.try_emplace(peer.name, index);
        }
        addresses.try_emplace(peer.address, index);
    }
};

Errors check_peer(const Config& config, std::size_t index, const PeerIndex& seen) {
    Errors errors;
    const PeerConfig& peer = config.peers[index];
    const RouteServerConfig& rs = config.route_server;
    const std::string p = at("peers", index);
    auto error = [&](std::string_view field, std::string message, ErrorKind kind = ErrorKind::Invalid) {
        errors.push_back(ConfigError{p + "." + std::string(field), std::move(message), kind});
    };

    if (peer.name.empty()) {
        error("name", "is required", ErrorKind::Missing);
    } else if (!valid_name(peer.name)) {
        error("name", quoted(peer.name) + " may hold only letters, digits, '.', '_' and '-' (at most 64)");
    }
    if (peer.address == net::IpAddress{} || peer.address == net::IpAddress{net::Afi::Ipv6, {}}) {
        error("address", "must be the peer's unicast address, not " + peer.address.to_string());
    }
    if (seen.listen.count(peer.address) != 0) {
        error("address", peer.address.to_string() + " is one of the route server's listen addresses");
    }
    if (const auto other = seen.names.find(peer.name); !peer.name.empty() && other != seen.names.end()) {
        error("name", quoted(peer.name) + " is already used by " + at("peers", other->second),
              ErrorKind::Duplicate);
    }
    if (const auto other = seen.addresses.find(peer.address); other != seen.addresses.end()) {
        error("address",
              peer.address.to_string() + " is already used by " + at("peers", other->second) + " (" +
                  printable(config.peers[other->second].name) + ")",
              ErrorKind::Duplicate);
    }

    const std::string asn = std::to_string(peer.asn);
    if (peer.asn == 0) {
        error("asn", "is required (ASN 0 is invalid)", ErrorKind::Missing);
    } else if (peer.asn == rs.asn) {
        error("asn", asn + " is the route server's own ASN; the peer needs a different ASN (eBGP)");
    } else if (const auto who = azure::reserved_by(peer.asn); who != azure::AsnReservation::None) {
        error("asn", asn + " is reserved by " + std::string(azure::to_string(who)));
    } else if (azure::is_four_byte(peer.asn) && !rs.four_byte_asn) {
        error("asn", asn +
                         " is a 4-byte ASN; only 2-byte ASNs (1-65535) are accepted unless "
                         "route_server.four_byte_asn is true");
    }
    if (peer.port == 0) {
        error("port", "must be 1-65535");
    }
    if (peer.ttl == 0) {
        error("ttl", "must be 1-255 (1: directly connected, more: eBGP multihop)");
    }
    if (peer.route_limit_warning_percent < 1 || peer.route_limit_warning_percent > 100) {
        error("route_limit_warning_percent",
              "must be 1..100 (the share of the route limit that logs a warning), not " +
                  std::to_string(peer.route_limit_warning_percent));
    }
    if (peer.md5_password.size() > 80) {
        error("md5_password",
              "is " + std::to_string(peer.md5_password.size()) + " bytes; TCP-MD5 keys are at most 80 bytes");
    }
    if (peer.graceful_restart.restart_time > 4095) {
        error("graceful_restart.restart_time", std::to_string(peer.graceful_restart.restart_time) +
                                                   " is not in 0-4095 (seconds; 12 bits in the capability)");
    }
    if (peer.graceful_restart.stale_path_time == 0 || peer.graceful_restart.stale_path_time > 3600) {
        error("graceful_restart.stale_path_time",
              std::to_string(peer.graceful_restart.stale_path_time) + " is not in 1-3600 (seconds)");
    }
    if (peer.graceful_restart.long_lived_stale_time > 0xFFFFFF) {
        error("graceful_restart.long_lived_stale_time",
              std::to_string(peer.graceful_restart.long_lived_stale_time) +
                  " is not in 0-16777215 (seconds; 24 bits in the capability)");
    }
    if (peer.hold_time && (*peer.hold_time == 1 || *peer.hold_time == 2)) {
        error("hold_time", "must be 0 or at least 3 seconds");
    }
    if (peer.local_address && seen.listen.count(*peer.local_address) == 0) {
        error("local_address", peer.local_address->to_string() + " is not one of route_server.listen");
    }
    const auto& defs = config.policy.policies;
    for (const auto& [field, names] :
         {std::pair{"import_policy", &peer.import_policy}, std::pair{"export_policy", &peer.export_policy}}) {
        for (std::size_t i = 0; i < names->size(); ++i) {
            const std::string& n = (*names)[i];
            if (std::none_of(defs.begin(), defs.end(),
                             [&](const policy::PolicyDef& d) { return d.name == n; })) {
                error(at(field, i), "no policy named " + quoted(n) + " in policy.policies");
            }
        }
    }
    return errors;
}

}  // namespace

Errors validate_peer(const Config& config, std::size_t index) {
    PeerIndex seen(config);
    for (std::size_t j = 0; j < index; ++j) {
        seen.add(config, j);
    }
    return check_peer(config, index, seen);
}

// A file name pattern: a name in mrt.directory, never a path out of it.
void validate_mrt_file(const std::string& field, const std::string& pattern, ErrorList& error) {
    if (pattern.empty()) {
        error(field, "is empty; give a file name such as rib.%Y%m%d.%H%M%S.mrt");
    } else if (pattern.find('/') != std::string::npos || pattern == "." || pattern == "..") {
        error(field, "'" + pattern + "' is not a file name: no '/', the file goes in mrt.directory");
    }
}

void validate_mrt(const MrtConfig& m, ErrorList& error) {
    if (m.any() && m.directory.empty()) {
        error("mrt.directory", "is required when mrt.rib_dump.interval or mrt.updates.enabled is set");
    }
    validate_mrt_file("mrt.rib_dump.file", m.rib_dump.file, error);
    validate_mrt_file("mrt.updates.file", m.updates.file, error);
    if (m.updates.buffer_bytes < 65536) {
        error("mrt.updates.buffer_bytes", std::to_string(m.updates.buffer_bytes) +
                                              " is too small: at least 65536 (one BGP message is up "
                                              "to 65,535 octets)");
    }
}

Errors validate(const Config& config) {
    Errors errors;
    ErrorList error(errors);
    const RouteServerConfig& rs = config.route_server;
    validate_route_server(config, error);
    PeerIndex seen(config);
    for (std::size_t i = 0; i < config.peers.size(); ++i) {
        Errors pe = check_peer(config, i, seen);
        errors.insert(errors.end(), pe.begin(), pe.end());
        seen.add(config, i);
    }
    if (rs.max_peers != 0 && config.peers.size() > rs.max_peers) {
        error(at("peers", rs.max_peers),
              std::to_string(config.peers.size()) + " peers configured but route_server.max_peers is " +
                  std::to_string(rs.max_peers) + "; remove a peer or raise route_server.max_peers",
              ErrorKind::LimitExceeded);
    }
    validate_emulator(config.emulator, error);
    validate_api(config.api, error);
    validate_mrt(config.mrt, error);
    if (auto compiled = policy::compile(config.policy, "policy");
        auto* policy_errors = std::get_if<std::vector<policy::CompileError>>(&compiled)) {
        for (auto& e : *policy_errors) {
            error(std::move(e.path), std::move(e.message), ErrorKind::Invalid);
        }
    }
    validate_bmp(config.bmp, errors);
    if (config.rpki) {
        Errors re = validate_rpki(*config.rpki);
        errors.insert(errors.end(), re.begin(), re.end());
    }
    return errors;
}

}  // namespace rf::config
