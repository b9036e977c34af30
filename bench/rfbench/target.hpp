// The BGP speaker under test ("target"), configured as a route server from the scenario: every emulated
// peer and the monitor are route-server clients, passive on the target's side (rfbench connects).
// One driver per daemon writes its config (a pure function, unit-tested), builds its command line, and
// knows how to tell it is ready; the base class starts it in a temp dir, stops it by PID and samples
// /proc (the process and every process below it: OpenBGPD runs as four). `remote` drives nothing: it points
// rfbench at a route server that is already running.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/rfbench/process.hpp"
#include "net/ip.hpp"

namespace rf::bench {

using net::Ipv4Address;

struct NeighborSpec {
    std::string name;  // "peer0", "monitor"
    Ipv4Address address;
    std::uint32_t asn = 0;
    std::uint32_t route_limit = 0;  // 0: none configured beyond the daemon's default
};

struct TargetSpec {
    Ipv4Address listen_address{(127u << 24) | 1};
    std::uint16_t port = 179;
    std::uint16_t api_port = 0;  // GoBGP gRPC, routefabricd API if any
    std::uint32_t asn = 65515;
    Ipv4Address router_id{(10u << 24) | 254};
    std::vector<NeighborSpec> neighbors;
    std::uint32_t max_peers = 0;            // routefabricd peer limit (0: number of neighbours)
    std::uint32_t default_route_limit = 0;  // routefabricd: limit for every peer (0: raised out of the way)
    std::uint16_t hold_time = 90;
    std::uint32_t idle_hold_seconds = 2;  // restart delay after a route-limit teardown
    // Carry IPv6 unicast too (the MRT replay): next hops in kIpv6NextHopPrefix, sessions on IPv4.
    bool ipv6_unicast = false;
};

class Target {
public:
    virtual ~Target();

    [[nodiscard]] virtual std::string name() const = 0;
    // Candidate executables, first found wins.
    [[nodiscard]] virtual std::vector<std::string> binaries() const = 0;
    // Config file text for `spec`, the daemon writing its runtime files under `dir`.
    [[nodiscard]] virtual std::string config_text(const TargetSpec& spec, const std::string& dir) const = 0;
    [[nodiscard]] virtual std::string config_file_name() const = 0;
    [[nodiscard]] virtual std::vector<std::string> command(const TargetSpec& spec, const std::string& dir,
                                                           const std::string& binary) const = 0;
    [[nodiscard]] virtual std::vector<std::string> version_command(const std::string& binary) const = 0;
    // What the daemon needs to act as a route server here (for the docs and --list-targets).
    [[nodiscard]] virtual std::string notes() const = 0;
    [[nodiscard]] virtual bool spawns() const { return true; }
    // Seconds the target needs after the sessions come up before it forwards UPDATEs promptly
    // (FRR batches the first updates); scenarios settle at least this long.
    [[nodiscard]] virtual double settle_seconds() const { return 0.5; }
    // Comeback after a route-limit teardown that the daemon cannot do faster (FRR: minutes).
    [[nodiscard]] virtual double min_comeback_seconds() const { return 0; }
    // Non-empty when the daemon never lets a peer back on its own after a route-limit teardown.
    [[nodiscard]] virtual std::string no_comeback_reason() const { return {}; }
    // Called on the temp dir once the config is written, before the daemon starts (e.g. hand the dir to
    // the daemon's user, make the config private).
    virtual void prepare_dir(const std::string& /*dir*/) const {}

    // Explicit binary (--bird PATH etc.); otherwise binaries() is searched.
    void set_binary(std::string path) { binary_override_ = std::move(path); }
    [[nodiscard]] std::optional<std::string> binary() const;
    [[nodiscard]] std::string version() const;

    // Writes the config into a fresh temp dir and starts the daemon; waits (bounded) until it listens.
    virtual bool start(const TargetSpec& spec, Nanos ready_timeout, std::string& error);
    virtual void stop();
    virtual bool running();
    [[nodiscard]] virtual ProcSample sample();
    [[nodiscard]] const std::string& dir() const { return dir_; }
    [[nodiscard]] std::string log_tail(std::size_t bytes = 2000) const;
    void keep_dir(bool keep) { keep_dir_ = keep; }

protected:
    ChildProcess process_;
    std::string dir_;
    std::string log_path_;
    std::string binary_override_;
    bool keep_dir_ = false;
};

// "bird", "frr", "gobgp", "openbgpd", "routefabricd", "remote"; nullptr for an unknown name.
std::unique_ptr<Target> make_target(const std::string& name);
std::vector<std::string> known_targets();

}  // namespace rf::bench
