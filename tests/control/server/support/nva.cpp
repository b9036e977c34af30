#include "tests/control/server/support/nva.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <sstream>

namespace rf::testing {

namespace {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string out;
    for (const auto& s : v) {
        out += (out.empty() ? "" : sep) + s;
    }
    return out;
}

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

bool is_v6(const std::string& address_or_prefix) {
    return contains(address_or_prefix, ":");
}

// ------------------------------------------------------------------------------------------ FRR
// bgpd standalone: -Z (no zebra) -n (no kernel) -S (stay root), no listen (-p 0: it connects to us),
// its own vty socket dir. `no bgp ebgp-requires-policy` or nothing passes (RFC 8212).
class FrrNva final : public Nva {
public:
    explicit FrrNva(NvaSpec spec) : Nva(std::move(spec)) {}
    [[nodiscard]] std::string kind() const override { return "frr"; }

    bool start(const std::string& dir) override {
        dir_ = dir;
        std::ostringstream c;
        c << "frr defaults traditional\nhostname " << spec_.name << "\nlog stdout debugging\n";
        c << "debug bgp neighbor-events\n!\n";  // BoRR/EoRR received are logged (enhanced refresh)
        c << "router bgp " << spec_.asn << "\n bgp router-id " << spec_.router_id << "\n";
        c << " no bgp ebgp-requires-policy\n no bgp network import-check\n";
        c << " no bgp default ipv4-unicast\n";
        if (spec_.graceful_restart_time > 0) {
            c << " bgp graceful-restart\n bgp graceful-restart restart-time " << spec_.graceful_restart_time
              << "\n bgp graceful-restart preserve-fw-state\n";
            c << (spec_.gr_notification ? "" : " no") << " bgp graceful-restart notification\n";
            c << (spec_.hard_admin_reset ? "" : " no") << " bgp hard-administrative-reset\n";
            if (spec_.long_lived_stale_time > 0) {
                c << " bgp long-lived-graceful-restart stale-time " << spec_.long_lived_stale_time << "\n";
            }
        }
        for (const auto& rs : spec_.rs_addresses) {
            c << " neighbor " << rs << " remote-as 65515\n";
            c << " neighbor " << rs << " port " << spec_.rs_port << "\n";
            c << " neighbor " << rs << " update-source " << spec_.address << "\n";
            c << " neighbor " << rs << " ebgp-multihop 255\n";
            c << " neighbor " << rs << " timers connect 1\n";
            if (spec_.hold_time > 0) {
                c << " neighbor " << rs << " timers " << std::max(1, spec_.hold_time / 3) << " "
                  << spec_.hold_time << "\n";
            }
            if (!spec_.md5_password.empty()) {
                c << " neighbor " << rs << " password " << spec_.md5_password << "\n";
            }
        }
        // IPv4 unicast over IPv4 sessions; IPv6 unicast (MP-BGP, RFC 4760) over IPv6 sessions, or over
        // every session when spec_.ipv6_over_ipv4 is set.
        for (const bool v6 : {false, true}) {
            c << " address-family " << (v6 ? "ipv6" : "ipv4") << " unicast\n";
            for (const auto& r : spec_.routes) {
                if (is_v6(r.prefix) == v6) {
                    c << "  network " << r.prefix << " route-map R-" << safe(r.prefix) << "\n";
                }
            }
            for (const auto& rs : spec_.rs_addresses) {
                if (is_v6(rs) == v6 || (v6 && spec_.ipv6_over_ipv4)) {
                    c << "  neighbor " << rs << " activate\n";
                    c << "  neighbor " << rs << " route-map NH" << (v6 ? "6" : "") << " out\n";
                    if (spec_.add_path_tx && v6 == is_v6(rs)) {
                        c << "  neighbor " << rs << " addpath-tx-all-paths\n";
                    }
                }
            }
            c << " exit-address-family\n";
        }
        c << "!\n";
        // The next hop is set on the way out (eBGP would otherwise use the session address). IPv4: the
        // one the network's route-map set; IPv6 has no "unchanged", so the NVA's first IPv6 next hop.
        c << "route-map NH permit 10\n";
        c << " set ip next-hop unchanged\n!\n";
        c << "route-map NH6 permit 10\n";
        for (const auto& r : spec_.routes) {
            if (is_v6(r.prefix)) {
                c << " set ipv6 next-hop global " << r.next_hop << "\n";
                break;
            }
        }
        c << "!\n";
        // Communities in chunks of kChunk per route-map entry, added up across entries (`on-match next`,
        // `additive`): a config line must stay under FRR's 4,096-character line buffer, and a route with
        // more than 4,096 octets of attributes (extended messages, RFC 8654) needs more than one line.
        constexpr std::size_t kChunk = 100;
        for (const auto& r : spec_.routes) {
            const std::size_t chunks =
                std::max<std::size_t>({1, (r.communities.size() + kChunk - 1) / kChunk,
                                       (r.large_communities.size() + kChunk - 1) / kChunk});
            for (std::size_t k = 0; k < chunks; ++k) {
                c << "route-map R-" << safe(r.prefix) << " permit " << 10 * (k + 1) << "\n";
                if (k == 0) {
                    c << (is_v6(r.prefix) ? " set ipv6 next-hop global " : " set ip next-hop ") << r.next_hop
                      << "\n";
                    if (r.prepend > 0) {
                        c << " set as-path prepend";
                        for (int i = 0; i < r.prepend; ++i) {
                            c << " " << spec_.asn;
                        }
                        c << "\n";
                    }
                }
                const auto chunk = [&](const std::vector<std::string>& all) {
                    const std::size_t from = std::min(all.size(), k * kChunk);
                    const std::size_t to = std::min(all.size(), from + kChunk);
                    return std::vector<std::string>(all.begin() + static_cast<std::ptrdiff_t>(from),
                                                    all.begin() + static_cast<std::ptrdiff_t>(to));
                };
                const std::string additive = k == 0 ? "" : " additive";
                if (const auto cs = chunk(r.communities); !cs.empty()) {
                    c << " set community " << join(cs, " ") << additive << "\n";
                }
                if (const auto ls = chunk(r.large_communities); !ls.empty()) {
                    c << " set large-community " << join(ls, " ") << additive << "\n";
                }
                if (k + 1 < chunks) {
                    c << " on-match next\n";
                }
                c << "!\n";
            }
        }
        const std::string conf = dir + "/bgpd.conf";
        write_file(conf, c.str());
        ::mkdir((dir + "/vty").c_str(), 0755);
        return process_.start(
            {frr_bgpd(), "-Z", "-n", "-S", "-p", "0", "-A", "127.0.0.1", "-P", "0", "-f", conf, "-i",
             dir + "/bgpd.pid", "--vty_socket", dir + "/vty", "--log", "stdout"},
            dir + "/bgpd.log");
    }

    std::string show_route(const std::string& prefix) override {
        return run_capture(
            {"/usr/bin/vtysh", "--vty_socket", dir_ + "/vty", "-c",
             std::string("show bgp ") + (is_v6(prefix) ? "ipv6" : "ipv4") + " unicast " + prefix});
    }
    bool has_route(const std::string& prefix) override {
        const auto out = show_route(prefix);
        return contains(out, "BGP routing table entry for " + prefix) && contains(out, "65515");
    }
    std::string command(const std::string& text) override {
        return run_capture({"/usr/bin/vtysh", "--vty_socket", dir_ + "/vty", "-c", text});
    }

private:
    static std::string safe(const std::string& p) {
        std::string s = p;
        for (char& ch : s) {
            if (ch == '/' || ch == '.' || ch == ':') {
                ch = '-';
            }
        }
        return s;
    }
};

// ----------------------------------------------------------------------------------------- BIRD
// Loopback neighbours need `multihop`; next hops 100.64.0.0/10 are made resolvable by a static route
// in a private IGP table, or the routes would be unreachable.
class BirdNva final : public Nva {
public:
    explicit BirdNva(NvaSpec spec) : Nva(std::move(spec)) {}
    [[nodiscard]] std::string kind() const override { return "bird"; }

    bool start(const std::string& dir) override {
        dir_ = dir;
        std::ostringstream c;
        c << "router id " << spec_.router_id << ";\n";
        c << "log stderr all;\n";
        c << "ipv4 table igp4;\nipv6 table igp6;\n";
        c << "protocol device {}\n";
        c << "protocol static nexthops { ipv4 { table igp4; }; route 100.64.0.0/10 via \"lo\"; }\n";
        c << "protocol static nexthops6 { ipv6 { table igp6; }; route 2001:db8:64::/48 via \"lo\"; }\n";
        for (std::size_t i = 0; i < spec_.routes.size(); ++i) {
            const auto& r = spec_.routes[i];
            c << "protocol static s" << i << " { " << (is_v6(r.prefix) ? "ipv6" : "ipv4")
              << " { import filter { ";
            for (const auto& comm : r.communities) {
                const auto colon = comm.find(':');
                c << "bgp_community.add((" << comm.substr(0, colon) << "," << comm.substr(colon + 1)
                  << ")); ";
            }
            for (int k = 0; k < r.prepend; ++k) {
                c << "bgp_path.prepend(" << spec_.asn << "); ";
            }
            c << "bgp_next_hop = " << r.next_hop << "; accept; }; }; route " << r.prefix
              << " unreachable; }\n";
        }
        int n = 0;
        for (const auto& rs : spec_.rs_addresses) {
            c << "protocol bgp rs" << n++ << " {\n";
            c << "  local " << spec_.address << " as " << spec_.asn << ";\n";
            c << "  neighbor " << rs << " port " << spec_.rs_port << " as 65515;\n";
            c << "  multihop;\n  connect delay time 1;\n  start delay time 1;\n  error wait time 1, 4;\n";
            // Listen on its own address only: BIRD's default listener on *:179 collides with any other
            // BIRD on the machine (another test's), and the session then never starts.
            c << "  strict bind on;\n";
            if (spec_.graceful_restart_time > 0) {
                c << "  graceful restart on;\n  graceful restart time " << spec_.graceful_restart_time
                  << ";\n";
            }
            if (spec_.hold_time > 0) {
                c << "  hold time " << spec_.hold_time << ";\n";
            }
            if (!spec_.md5_password.empty()) {
                c << "  password \"" << spec_.md5_password << "\";\n";
            }
            const std::string add_paths = spec_.add_path_tx ? " add paths on;" : "";  // tx and rx
            if (!is_v6(rs)) {
                c << "  ipv4 { igp table igp4; import all; export where source = RTS_STATIC; next hop keep;"
                  << add_paths << " };\n";
            }
            if (is_v6(rs) || spec_.ipv6_over_ipv4) {
                c << "  ipv6 { igp table igp6; import all; export where source = RTS_STATIC; next hop keep;"
                  << add_paths << " };\n";
            }
            c << "}\n";
        }
        const std::string conf = dir + "/bird.conf";
        write_file(conf, c.str());
        return process_.start(restarted_ && spec_.graceful_restart_time > 0
                                  ? std::vector<std::string>{bird_binary(), "-R", "-f", "-c", conf, "-s",
                                                             dir + "/bird.ctl", "-P", dir + "/bird.pid"}
                                  : std::vector<std::string>{bird_binary(), "-f", "-c", conf, "-s",
                                                             dir + "/bird.ctl", "-P", dir + "/bird.pid"},
                              dir + "/bird.log");
    }

    std::string show_route(const std::string& prefix) override {
        return run_capture({"/usr/sbin/birdc", "-s", dir_ + "/bird.ctl", "show", "route", prefix, "all"});
    }
    bool has_route(const std::string& prefix) override {
        const auto out = show_route(prefix);
        return contains(out, prefix) && contains(out, "BGP.as_path: 65515");
    }
};

// --------------------------------------------------------------------------------------- ExaBGP
// A scripted NVA: static routes from the config; what it receives is written as JSON lines by an API
// process into received.json.
class ExabgpNva final : public Nva {
public:
    explicit ExabgpNva(NvaSpec spec) : Nva(std::move(spec)) {}
    [[nodiscard]] std::string kind() const override { return "exabgp"; }

    bool start(const std::string& dir) override {
        dir_ = dir;
        // ExaBGP hands its API processes a non-blocking pipe: `cat` would die on EAGAIN, so poll.
        const std::string recv = dir + "/recv.py";
        write_file(recv,
                   "#!/usr/bin/env python3\n"
                   "import os, select\n"
                   "out = open('" +
                       dir +
                       "/received.json', 'ab', buffering=0)\n"
                       "while True:\n"
                       "    r, _, _ = select.select([0], [], [], 1.0)\n"
                       "    if not r:\n"
                       "        continue\n"
                       "    try:\n"
                       "        data = os.read(0, 65536)\n"
                       "    except BlockingIOError:\n"
                       "        continue\n"
                       "    if not data:\n"
                       "        break\n"
                       "    out.write(data)\n");
        ::chmod(recv.c_str(), 0755);
        std::ostringstream c;
        c << "process recv {\n  run " << recv << ";\n  encoder json;\n}\n";
        for (const auto& rs : spec_.rs_addresses) {
            c << "neighbor " << rs << " {\n";
            c << "  router-id " << spec_.router_id << ";\n  local-address " << spec_.address << ";\n";
            c << "  local-as " << spec_.asn << ";\n  peer-as 65515;\n";
            if (spec_.hold_time > 0) {
                c << "  hold-time " << spec_.hold_time << ";\n";
            }
            if (!spec_.md5_password.empty()) {
                c << "  md5-password " << spec_.md5_password << ";\n";
            }
            c << "  family { ipv4 unicast; }\n";
            c << "  api { processes [ recv ]; receive { parsed; update; } }\n";
            c << "  static {\n";
            for (const auto& r : spec_.routes) {
                c << "    route " << r.prefix << " next-hop " << r.next_hop;
                if (!r.communities.empty()) {
                    c << " community [ " << join(r.communities, " ") << " ]";
                }
                if (r.prepend > 0) {
                    c << " as-path [";
                    for (int k = 0; k < r.prepend; ++k) {
                        c << " " << spec_.asn;
                    }
                    c << " ]";
                }
                c << ";\n";
            }
            c << "  }\n}\n";
        }
        const std::string conf = dir + "/exabgp.conf";
        write_file(conf, c.str());
        std::map<std::string, std::string> env{{"exabgp.tcp.port", std::to_string(spec_.rs_port)},
                                               {"exabgp.tcp.bind", ""},
                                               {"exabgp.daemon.user", "root"},
                                               {"exabgp.daemon.drop", "false"},
                                               {"exabgp.log.destination", "stdout"},
                                               {"exabgp.api.cli", "false"},
                                               {"exabgp.daemon.pid", dir + "/exabgp.pid"}};
        return process_.start({exabgp_binary(), conf}, dir + "/exabgp.log", env, dir);
    }

    // The last JSON line that mentions the prefix says whether it is announced or withdrawn.
    bool has_route(const std::string& prefix) override {
        const std::string all = read_file(dir_ + "/received.json");
        bool present = false;
        std::istringstream in(all);
        std::string line;
        const std::string key = "\"" + prefix + "\"";
        for (int guard = 0; guard < 1000000 && std::getline(in, line); ++guard) {
            const auto at = line.find(key);
            if (at == std::string::npos) {
                continue;
            }
            const auto ann = line.rfind("\"announce\"", at);
            const auto wd = line.rfind("\"withdraw\"", at);
            present = ann != std::string::npos && (wd == std::string::npos || ann > wd);
        }
        return present;
    }
    std::string show_route(const std::string& prefix) override {
        std::string out;
        std::istringstream in(read_file(dir_ + "/received.json"));
        std::string line;
        for (int guard = 0; guard < 1000000 && std::getline(in, line); ++guard) {
            if (line.find("\"" + prefix + "\"") != std::string::npos) {
                out = line;
            }
        }
        return out;
    }
};

// ------------------------------------------------------------------------------------- OpenBGPD
// OpenBGPD 7.x (Debian `openbgpd`): `bgpd -d -f CONF` in the foreground, as root (it refuses otherwise),
// its unprivileged processes chrooted into /run/openbgpd (compiled in; created here when missing). The
// config file must not be readable by others. `fib-update no`: nothing touches the kernel; its default
// filter denies everything, hence `allow from any` / `allow to any`. It listens on its own address and a
// free port only (another bgpd's *:179 would collide); `port` in the neighbor block reaches the route
// server's test port. Routes: `network PREFIX set { community A:B nexthop NH }`. Queried through its
// control socket in the temp dir (`bgpctl -s DIR/bgpd.sock show rib PREFIX`).
class OpenbgpdNva final : public Nva {
public:
    explicit OpenbgpdNva(NvaSpec spec) : Nva(std::move(spec)) {}
    [[nodiscard]] std::string kind() const override { return "openbgpd"; }

    bool start(const std::string& dir) override {
        dir_ = dir;
        std::ostringstream c;
        c << "AS " << spec_.asn << "\n";
        c << "router-id " << spec_.router_id << "\n";
        c << "listen on " << spec_.address << " port " << free_port(spec_.address) << "\n";
        c << "socket \"" << dir << "/bgpd.sock\"\n";
        c << "fib-update no\n";
        if (spec_.hold_time >= 3) {
            c << "holdtime " << spec_.hold_time << "\n";
        }
        for (const auto& r : spec_.routes) {
            c << "network " << r.prefix << " set { nexthop " << r.next_hop;
            for (const auto& comm : r.communities) {
                c << " community " << comm;
            }
            for (const auto& comm : r.large_communities) {
                c << " large-community " << comm;
            }
            if (r.prepend > 0) {
                c << " prepend-self " << r.prepend;
            }
            c << " }\n";
        }
        for (const auto& rs : spec_.rs_addresses) {
            c << "neighbor " << rs << " {\n";
            c << "\tremote-as 65515\n\tlocal-address " << spec_.address << "\n\tport " << spec_.rs_port
              << "\n\tmultihop 255\n\tset nexthop no-modify\n";
            if (!spec_.md5_password.empty()) {
                c << "\ttcp md5sig password " << spec_.md5_password << "\n";
            }
            c << "}\n";
        }
        c << "allow from any\nallow to any\n";
        const std::string conf = dir + "/bgpd.conf";
        write_file(conf, c.str());
        ::chmod(conf.c_str(), 0600);
        ::mkdir("/run/openbgpd", 0755);  // bgpd says why it cannot start when this fails
        return process_.start({openbgpd_binary(), "-d", "-f", conf}, dir + "/bgpd.log");
    }

    std::string show_route(const std::string& prefix) override {
        return run_capture({"/usr/sbin/bgpctl", "-s", dir_ + "/bgpd.sock", "show", "rib", "detail", prefix});
    }
    bool has_route(const std::string& prefix) override {
        const auto out = show_route(prefix);
        return contains(out, prefix) && contains(out, "65515");
    }
};

}  // namespace

std::string frr_bgpd() {
    return find_executable({"/usr/lib/frr/bgpd", "/usr/sbin/bgpd"});
}
std::string bird_binary() {
    return find_executable({"/usr/sbin/bird", "/usr/bin/bird"});
}
std::string gobgpd_binary() {
    return find_executable({"/usr/bin/gobgpd", "/usr/sbin/gobgpd"});
}
std::string openbgpd_binary() {
    // /usr/sbin/bgpd is OpenBGPD's on Debian (FRR's lives in /usr/lib/frr); -V says which.
    const std::string b = find_executable({"/usr/sbin/bgpd"});
    return ::geteuid() == 0 && !b.empty() && contains(run_capture({b, "-V"}), "OpenBGPD") ? b : std::string{};
}
std::string exabgp_binary() {
    return find_executable({"/usr/sbin/exabgp", "/usr/bin/exabgp"});
}

bool shows_next_hops(Nva& n, const std::string& prefix, const std::vector<std::string>& next_hops,
                     std::chrono::milliseconds timeout, std::string* last) {
    return wait_until(
        [&] {
            *last = n.show_route(prefix);
            return std::all_of(next_hops.begin(), next_hops.end(),
                               [&](const std::string& h) { return last->find(h) != std::string::npos; });
        },
        timeout, std::chrono::milliseconds(200));
}

std::unique_ptr<Nva> make_frr(NvaSpec spec) {
    return std::make_unique<FrrNva>(std::move(spec));
}
std::unique_ptr<Nva> make_bird(NvaSpec spec) {
    return std::make_unique<BirdNva>(std::move(spec));
}
std::unique_ptr<Nva> make_openbgpd(NvaSpec spec) {
    return std::make_unique<OpenbgpdNva>(std::move(spec));
}
std::unique_ptr<Nva> make_exabgp(NvaSpec spec) {
    return std::make_unique<ExabgpNva>(std::move(spec));
}

// ---------------------------------------------------------------------------------------- GoBGP
// Its gRPC API is pinned to 127.0.0.1:<free port>, pprof off. It listens on its own address and the
// route server connects to it (passive-mode on GoBGP's side, so no collision).
bool GobgpNva::start(const std::string& dir) {
    dir_ = dir;
    api_port_ = free_port("127.0.0.1");
    std::ostringstream c;
    c << "[global.config]\n  as = " << spec_.asn << "\n  router-id = \"" << spec_.router_id << "\"\n";
    c << "  port = " << (spec_.listen_port > 0 ? static_cast<int>(spec_.listen_port) : -1) << "\n";
    c << "  local-address-list = [\"" << spec_.address << "\"]\n";
    for (const auto& rs : spec_.rs_addresses) {
        c << "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"" << rs
          << "\"\n    peer-as = 65515\n";
        if (!spec_.md5_password.empty()) {
            c << "    auth-password = \"" << spec_.md5_password << "\"\n";
        }
        c << "  [neighbors.transport.config]\n    local-address = \"" << spec_.address << "\"\n";
        if (spec_.listen_port > 0) {
            c << "    passive-mode = true\n";
        } else {
            c << "    remote-port = " << spec_.rs_port << "\n";
        }
        c << "  [neighbors.ebgp-multihop.config]\n    enabled = true\n    multihop-ttl = 255\n";
        c << "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \""
          << (is_v6(rs) ? "ipv6" : "ipv4") << "-unicast\"\n";
        if (spec_.add_path_tx) {
            c << "    [neighbors.afi-safis.add-paths.config]\n      send-max = 8\n      receive = true\n";
        }
        c << "  [neighbors.timers.config]\n    connect-retry = 1\n";
        if (spec_.hold_time > 0) {
            c << "    hold-time = " << spec_.hold_time
              << "\n    keepalive-interval = " << std::max(1, spec_.hold_time / 3) << "\n";
        }
    }
    const std::string conf = dir + "/gobgpd.toml";
    write_file(conf, c.str());
    if (!process_.start({gobgpd_binary(), "-f", conf, "--api-hosts", "127.0.0.1:" + std::to_string(api_port_),
                         "--pprof-disable"},
                        dir + "/gobgpd.log")) {
        return false;
    }
    if (!wait_until([this] { return contains(cli({"global"}), "AS:"); }, 10s, 100ms)) {
        return false;
    }
    for (const auto& r : spec_.routes) {
        if (!add_route(r)) {
            return false;
        }
    }
    return true;
}

std::string GobgpNva::cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/gobgp", "-u", "127.0.0.1", "-p", std::to_string(api_port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_capture(argv);
}

bool GobgpNva::add_route(const NvaRoute& r) {
    std::vector<std::string> args{"global", "rib",     "add",     "-a", is_v6(r.prefix) ? "ipv6" : "ipv4",
                                  r.prefix, "nexthop", r.next_hop};
    if (!r.communities.empty()) {
        args.push_back("community");
        args.push_back(join(r.communities, ","));
    }
    if (!r.large_communities.empty()) {
        args.push_back("large-community");
        args.push_back(join(r.large_communities, ","));
    }
    if (r.prepend > 0) {
        std::string path;
        for (int k = 0; k < r.prepend; ++k) {
            path += (path.empty() ? "" : " ") + std::to_string(spec_.asn);
        }
        args.push_back("aspath");
        args.push_back(path);
    }
    const auto out = cli(args);
    return out.find("rror") == std::string::npos;
}

bool GobgpNva::del_route(const std::string& prefix) {
    const auto out = cli({"global", "rib", "del", "-a", is_v6(prefix) ? "ipv6" : "ipv4", prefix});
    return out.find("rror") == std::string::npos;
}

std::string GobgpNva::show_route(const std::string& prefix) {
    return cli({"global", "rib", "-a", is_v6(prefix) ? "ipv6" : "ipv4", prefix});
}

bool GobgpNva::has_route(const std::string& prefix) {
    const auto out = show_route(prefix);
    return contains(out, prefix) && contains(out, "65515");
}

}  // namespace rf::testing
