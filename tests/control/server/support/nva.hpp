// Real BGP daemons as NVAs for interop tests: FRR bgpd, BIRD 2, GoBGP, ExaBGP and OpenBGPD, each started in
// the foreground with a generated config in a temp dir, on its own 127.x address, stopped by PID. Facts
// behind the configs: what the interop notes say about each daemon, distilled into comments here.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {

struct NvaRoute {
    std::string prefix;                          // "10.11.0.0/24"
    std::string next_hop;                        // 100.64.0.x: FRR and GoBGP treat 127.x next hops as martian
    std::vector<std::string> communities;        // "65011:1"
    std::vector<std::string> large_communities;  // "65011:1:1"
    int prepend = 0;                             // extra copies of the NVA's ASN in the AS_PATH (longer path)
};

struct NvaSpec {
    std::string name;
    std::string address;  // the NVA's own 127.x address (source of its sessions)
    std::string router_id;
    std::uint32_t asn = 0;
    std::vector<std::string> rs_addresses;  // route server listen addresses to peer with
    std::uint16_t rs_port = 179;
    std::vector<NvaRoute> routes;
    std::string md5_password;
    std::uint16_t listen_port = 0;  // > 0: the NVA listens (passive) and the route server connects
    std::uint16_t hold_time = 0;    // 0: daemon default
    // Addresses and prefixes may be IPv6: an IPv6 route server address gives an IPv6 session carrying
    // IPv6 unicast (MP-BGP); IPv4 sessions carry IPv4 unicast, and IPv6 unicast too when this is set.
    bool ipv6_over_ipv4 = false;
    // Offer ADD-PATH (RFC 7911): send every path (FRR addpath-tx-all-paths; BIRD `add paths on`, GoBGP
    // send-max 8: both also receive several paths).
    bool add_path_tx = false;
    // > 0: graceful restart (RFC 4724) with this Restart Time, forwarding state kept across a restart
    // (FRR `bgp graceful-restart preserve-fw-state`; BIRD restarted with -R, graceful recovery).
    std::uint16_t graceful_restart_time = 0;
    // FRR only, with graceful restart: the N bit (RFC 8538, `bgp graceful-restart notification`) and
    // whether its `clear bgp` sends Cease / Hard Reset (`bgp hard-administrative-reset`, FRR's default).
    bool gr_notification = true;
    bool hard_admin_reset = true;
    // FRR only, with graceful restart: > 0 adds long-lived graceful restart (RFC 9494) with this
    // Long-lived Stale Time (`bgp long-lived-graceful-restart stale-time`, FRR >= 8.2).
    std::uint32_t long_lived_stale_time = 0;
};

class Nva {
public:
    explicit Nva(NvaSpec spec) : spec_(std::move(spec)) {}
    virtual ~Nva() = default;
    Nva(const Nva&) = delete;
    Nva& operator=(const Nva&) = delete;

    virtual bool start(const std::string& dir) = 0;
    // True when the NVA's table holds `prefix` learned from the route server.
    virtual bool has_route(const std::string& prefix) = 0;
    // The daemon's own text for `prefix` (communities, AS path …), for assertions on attributes.
    virtual std::string show_route(const std::string& prefix) = 0;
    [[nodiscard]] virtual std::string kind() const = 0;
    // A command for the daemon's own CLI and its output (FRR: vtysh -c); empty where there is none.
    virtual std::string command(const std::string& text) {
        (void)text;
        return {};
    }

    void stop() { process_.stop(); }
    // kill -9: the daemon dies without a NOTIFICATION (the kernel closes its sockets); start() runs it
    // again with the same (or changed) spec.
    void kill() {
        process_.signal(SIGKILL);
        process_.stop();
        restarted_ = true;
    }
    void set_routes(std::vector<NvaRoute> routes) { spec_.routes = std::move(routes); }
    void freeze() const { process_.signal(SIGSTOP); }
    void thaw() const { process_.signal(SIGCONT); }
    [[nodiscard]] bool running() { return process_.running(); }
    [[nodiscard]] const NvaSpec& spec() const { return spec_; }
    [[nodiscard]] std::string log() const { return read_file(process_.log_path()); }

protected:
    NvaSpec spec_;
    Process process_;
    std::string dir_;
    bool restarted_ = false;  // started again after kill(): BIRD recovers gracefully (-R)
};

// Polls n.show_route(prefix) until its text names every one of `next_hops` (every path of an ECMP set
// arrived, e.g. with ADD-PATH); false on timeout. `last` gets the last text, for the failure message.
bool shows_next_hops(Nva& n, const std::string& prefix, const std::vector<std::string>& next_hops,
                     std::chrono::milliseconds timeout, std::string* last);

// Executables; empty when the daemon is not installed (tests skip with a message).
std::string frr_bgpd();
std::string bird_binary();
std::string gobgpd_binary();
std::string exabgp_binary();
std::string openbgpd_binary();  // empty also when not root: bgpd needs root

std::unique_ptr<Nva> make_frr(NvaSpec spec);
std::unique_ptr<Nva> make_bird(NvaSpec spec);
std::unique_ptr<Nva> make_exabgp(NvaSpec spec);
std::unique_ptr<Nva> make_openbgpd(NvaSpec spec);

class GobgpNva final : public Nva {
public:
    explicit GobgpNva(NvaSpec spec) : Nva(std::move(spec)) {}
    bool start(const std::string& dir) override;
    bool has_route(const std::string& prefix) override;
    std::string show_route(const std::string& prefix) override;
    [[nodiscard]] std::string kind() const override { return "gobgp"; }
    // Runtime changes through the gobgp CLI.
    bool add_route(const NvaRoute& r);
    bool del_route(const std::string& prefix);
    std::string cli(const std::vector<std::string>& args);

private:
    std::uint16_t api_port_ = 0;
};

}  // namespace rf::testing
