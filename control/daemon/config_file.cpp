#include "control/daemon/config_file.hpp"

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

namespace rf::daemon {
namespace {

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::vector<std::string_view> split_words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
            ++i;
        }
        const std::size_t b = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') {
            ++i;
        }
        if (i > b) {
            out.push_back(s.substr(b, i - b));
        }
    }
    return out;
}

class Parser {
public:
    Parser(std::string_view origin) : origin_(origin) {}

    std::optional<ConfigError> error;

    void fail(std::size_t line, std::string_view field, const std::string& what) {
        if (!error) {
            error = ConfigError{std::string(origin_) + ":" + std::to_string(line) + ": " +
                                std::string(field) + ": " + what};
        }
    }

    template <typename T>
    bool number(std::size_t line, std::string_view field, std::string_view v, T& out, std::uint64_t min = 0,
                std::uint64_t max = std::numeric_limits<T>::max()) {
        std::uint64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc{} || p != v.data() + v.size() || n < min || n > max) {
            fail(line, field,
                 "expected a number " + std::to_string(min) + "-" + std::to_string(max) + ", got '" +
                     std::string(v) + "'");
            return false;
        }
        out = static_cast<T>(n);
        return true;
    }

    bool boolean(std::size_t line, std::string_view field, std::string_view v, bool& out) {
        if (v == "on" || v == "yes" || v == "true" || v == "1") {
            out = true;
        } else if (v == "off" || v == "no" || v == "false" || v == "0") {
            out = false;
        } else {
            fail(line, field, "expected on/off, got '" + std::string(v) + "'");
            return false;
        }
        return true;
    }

    bool address(std::size_t line, std::string_view field, std::string_view v, net::IpAddress& out) {
        auto a = net::IpAddress::parse(v);
        if (!a) {
            fail(line, field, "expected an IP address, got '" + std::string(v) + "'");
            return false;
        }
        out = *a;
        return true;
    }

private:
    std::string_view origin_;
};

}  // namespace

Result<DaemonConfig, ConfigError> parse_config(std::string_view text, std::string_view origin) {
    DaemonConfig cfg;
    Parser p(origin);
    auto& s = cfg.server;
    bool have_router_id = false;
    session::PeerSettings* peer = nullptr;
    std::vector<std::size_t> peer_lines;
    std::vector<bool> peer_has_asn;
    std::vector<bool> peer_has_address;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size() && !p.error) {
        const std::size_t nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++line_no;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) {
            line = line.substr(0, hash);
        }
        line = trim(line);
        if (line.empty()) {
            continue;
        }
        if (line.front() == '[') {
            if (line.back() != ']') {
                p.fail(line_no, "section", "expected '[peer NAME]'");
                break;
            }
            auto words = split_words(line.substr(1, line.size() - 2));
            if (words.size() != 2 || words[0] != "peer") {
                p.fail(line_no, "section", "expected '[peer NAME]', got '" + std::string(line) + "'");
                break;
            }
            cfg.peers.emplace_back();
            peer = &cfg.peers.back();
            peer->name = std::string(words[1]);
            peer_lines.push_back(line_no);
            peer_has_asn.push_back(false);
            peer_has_address.push_back(false);
            continue;
        }
        auto words = split_words(line);
        const std::string_view key = words[0];
        if (words.size() < 2) {
            p.fail(line_no, key, "missing value");
            break;
        }
        const std::string_view v = words[1];
        auto single = [&]() {
            if (words.size() != 2) {
                p.fail(line_no, key, "expected one value");
                return false;
            }
            return true;
        };
        if (peer == nullptr) {
            if (key == "listen") {
                for (std::size_t i = 1; i < words.size(); ++i) {
                    net::IpAddress a;
                    if (p.address(line_no, key, words[i], a)) {
                        s.listen_addresses.push_back(a);
                    }
                }
                continue;
            }
            if (!single()) {
                break;
            }
            if (key == "local-asn") {
                p.number(line_no, key, v, s.local_asn, 1, 4294967294ULL);
            } else if (key == "router-id") {
                auto id = net::Ipv4Address::parse(v);
                if (!id || id->value == 0) {
                    p.fail(line_no, key, "expected a non-zero IPv4 address, got '" + std::string(v) + "'");
                } else {
                    s.router_id = *id;
                    have_router_id = true;
                }
            } else if (key == "port") {
                p.number(line_no, key, v, s.port, 0, 65535);
            } else if (key == "hold-time") {
                if (p.number(line_no, key, v, s.hold_time) && (s.hold_time == 1 || s.hold_time == 2)) {
                    p.fail(line_no, key, "must be 0 or at least 3 seconds");
                }
            } else if (key == "keepalive") {
                p.number(line_no, key, v, s.keepalive, 0, 65535);  // 0: a third of the hold time
            } else if (key == "connect-retry") {
                p.number(line_no, key, v, s.connect_retry, 1, 65535);
            } else if (key == "idle-hold") {
                p.number(line_no, key, v, s.idle_hold, 0, 65535);
            } else if (key == "idle-hold-max") {
                p.number(line_no, key, v, s.idle_hold_max, 0, 65535);
            } else if (key == "max-peers") {
                p.number(line_no, key, v, s.max_peers, 1, 1000000);
            } else if (key == "four-byte-asn") {
                p.boolean(line_no, key, v, s.four_octet_mode);
            } else if (key == "mode") {
                if (v == "azure") {
                    s.rib.as_path_mode = rib::AsPathMode::Prepend;
                } else if (v == "transparent") {
                    s.rib.as_path_mode = rib::AsPathMode::Transparent;
                } else {
                    p.fail(line_no, key, "expected azure or transparent, got '" + std::string(v) + "'");
                }
            } else if (key == "branch-to-branch") {
                p.boolean(line_no, key, v, s.rib.branch_to_branch);
            } else if (key == "vnet-prefix") {
                auto pre = net::Prefix::parse(v);
                if (!pre) {
                    p.fail(line_no, key, "expected a prefix like 10.1.0.0/16, got '" + std::string(v) + "'");
                } else {
                    s.rib.vnet_prefixes.push_back(*pre);
                }
            } else if (key == "vnet-next-hop") {
                net::IpAddress a;
                if (p.address(line_no, key, v, a)) {
                    (a.is_v4() ? s.rib.vnet_next_hop_v4 : s.rib.vnet_next_hop_v6) = a;
                }
            } else if (key == "max-ecmp-paths") {
                p.number(line_no, key, v, s.rib.max_ecmp_paths, 1, 1024);
            } else if (key == "max-output-bytes") {
                p.number(line_no, key, v, s.max_output_bytes, 65536);
            } else if (key == "log-level") {
                if (v != "trace" && v != "debug" && v != "info" && v != "warn" && v != "error") {
                    p.fail(line_no, key, "expected trace, debug, info, warn or error");
                } else {
                    cfg.log_level = std::string(v);
                }
            } else {
                p.fail(line_no, key, "unknown setting");
            }
            continue;
        }
        // [peer NAME] settings
        if (!single()) {
            break;
        }
        const std::size_t idx = cfg.peers.size() - 1;
        if (key == "address") {
            peer_has_address[idx] = p.address(line_no, key, v, peer->address);
        } else if (key == "asn") {
            peer_has_asn[idx] = p.number(line_no, key, v, peer->asn, 1, 4294967295ULL);
        } else if (key == "route-limit") {
            p.number(line_no, key, v, peer->route_limit);
        } else if (key == "route-counting") {
            if (v == "distinct") {
                peer->azure_strict_counting = false;
            } else if (v == "azure-strict") {
                peer->azure_strict_counting = true;
            } else {
                p.fail(line_no, key, "expected distinct or azure-strict, got '" + std::string(v) + "'");
            }
        } else if (key == "multihop") {
            p.number(line_no, key, v, peer->ttl, 1, 255);
        } else if (key == "gtsm") {
            p.boolean(line_no, key, v, peer->gtsm);
        } else if (key == "md5-password") {
            peer->md5_password = std::string(v);
            if (peer->md5_password.size() > 80) {
                p.fail(line_no, key, "at most 80 bytes");
            }
        } else if (key == "mode") {
            if (v == "passive") {
                peer->mode = session::PeerMode::Passive;
            } else if (v == "active") {
                peer->mode = session::PeerMode::Active;
            } else {
                p.fail(line_no, key, "expected passive or active, got '" + std::string(v) + "'");
            }
        } else if (key == "port") {
            p.number(line_no, key, v, peer->port, 1, 65535);
        } else if (key == "local-address") {
            net::IpAddress a;
            if (p.address(line_no, key, v, a)) {
                peer->local_address = a;
            }
        } else if (key == "hold-time") {
            std::uint16_t h = 0;
            if (p.number(line_no, key, v, h)) {
                if (h == 1 || h == 2) {
                    p.fail(line_no, key, "must be 0 or at least 3 seconds");
                }
                peer->hold_time = h;
            }
        } else if (key == "idle-hold") {
            std::uint16_t h = 0;
            if (p.number(line_no, key, v, h)) {
                peer->idle_hold = h;
            }
        } else {
            p.fail(line_no, key, "unknown peer setting");
        }
    }
    if (p.error) {
        return unexpected(*p.error);
    }
    const std::string o(origin);
    if (!have_router_id) {
        return unexpected(ConfigError{o + ": router-id: missing (required)"});
    }
    if (s.listen_addresses.empty()) {
        return unexpected(ConfigError{o + ": listen: missing (at least one address)"});
    }
    // Peering rules, in file order, so the error names the first offending peer and its line.
    session::PeeringLimits limits;
    limits.local_asn = s.local_asn;
    limits.four_octet_mode = s.four_octet_mode;
    limits.max_peers = s.max_peers;
    std::vector<session::PeerSettings> accepted;
    for (std::size_t i = 0; i < cfg.peers.size(); ++i) {
        const std::string at = o + ":" + std::to_string(peer_lines[i]) + ": ";
        if (!peer_has_address[i]) {
            return unexpected(ConfigError{at + "peer " + cfg.peers[i].name + ": address: missing"});
        }
        if (!peer_has_asn[i]) {
            return unexpected(ConfigError{at + "peer " + cfg.peers[i].name + ": asn: missing"});
        }
        if (auto err = session::check_peer(cfg.peers[i], accepted, limits)) {
            return unexpected(ConfigError{at + *err});
        }
        accepted.push_back(cfg.peers[i]);
    }
    return cfg;
}

Result<DaemonConfig, ConfigError> load_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return unexpected(ConfigError{path + ": cannot open"});
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), path);
}

}  // namespace rf::daemon
