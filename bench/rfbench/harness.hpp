// The target, the emulated peers and the monitor of one scenario run, shared by the scenarios
// (scenario.cpp) and the MRT replay (replay_scenario.cpp). A phase that cannot finish throws
// ScenarioFailure with the reason; run_scenario reports it as ok=false.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/rfbench/loop.hpp"
#include "bench/rfbench/measurement.hpp"
#include "bench/rfbench/scenario.hpp"
#include "bench/rfbench/session.hpp"
#include "bench/rfbench/stats.hpp"
#include "bench/rfbench/tracker.hpp"

namespace rf::bench {

struct ScenarioFailure {
    std::string what;
};

class Harness {
public:
    Harness(const ScenarioOptions& opts, Target& target, Measurement& m)
        : opts_(opts), target_(target), m_(m) {}
    // Sessions end with Cease / Administrative Shutdown, as an operator would end them: a target that
    // keeps running (--no-spawn) then accepts the next scenario's sessions without an error back-off.
    ~Harness() {
        if (monitor && monitor->established())
            monitor->close_with_notification(6, 2);
        for (auto& p : peers)
            if (p->established())
                p->close_with_notification(6, 2);
        target_.stop();
    }
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    EventLoop loop;
    std::vector<std::unique_ptr<Session>> peers;
    std::unique_ptr<Session> monitor;
    std::unique_ptr<Tracker> tracker;

    Ipv4Address peer_address(std::uint32_t i) const {
        return i < opts_.local_addresses.size() ? opts_.local_addresses[i] : default_peer_address(i);
    }
    // Peer i's ASN, router id and next hop: peer_identity(i) unless the scenario set its own (the MRT
    // replay gives each emulated peer the ASN of the file's peer it stands for).
    PeerIdentity identity(std::uint32_t i) const {
        return i < identities_.size() ? identities_[i] : peer_identity(i);
    }
    void use_identities(std::vector<PeerIdentity> ids) { identities_ = std::move(ids); }
    // Every session (peers and monitor) and the target carry IPv6 unicast beside IPv4 (before setup()).
    void use_ipv6_unicast(bool on) { ipv6_unicast_ = on; }

    // Starts the target with `configured` peers (their route limit) + the monitor, creates sessions for
    // `configured + extra` peers, a tracker over `universe` prefixes.
    void setup(std::uint32_t configured, std::uint32_t extra, std::uint32_t universe,
               std::uint32_t route_limit, std::uint16_t peer_hold) {
        if (!opts_.local_addresses.empty() && opts_.local_addresses.size() < configured + extra)
            throw ScenarioFailure{"--local-addrs lists " + std::to_string(opts_.local_addresses.size()) +
                                  " addresses, the scenario needs " + std::to_string(configured + extra)};
        spec_.listen_address = opts_.target_address;
        spec_.asn = opts_.target_asn;
        spec_.hold_time = opts_.hold_time;
        spec_.idle_hold_seconds = opts_.idle_hold_s;
        spec_.port = opts_.target_port != 0 ? opts_.target_port : (target_.spawns() ? free_tcp_port() : 179);
        spec_.api_port = free_tcp_port();
        spec_.max_peers = configured + 1;
        spec_.default_route_limit = route_limit;
        spec_.ipv6_unicast = ipv6_unicast_;
        const auto mon = monitor_identity();
        spec_.neighbors.push_back(NeighborSpec{"monitor", opts_.monitor_address, mon.asn, 0});
        for (std::uint32_t i = 0; i < configured; ++i)
            spec_.neighbors.push_back(
                NeighborSpec{"peer" + std::to_string(i), peer_address(i), identity(i).asn, route_limit});

        std::vector<Ipv4Address> next_hops;
        for (std::uint32_t i = 0; i < configured + extra; ++i)
            next_hops.push_back(identity(i).next_hop);
        tracker = std::make_unique<Tracker>(universe, next_hops);

        if (target_.spawns()) {
            target_.keep_dir(opts_.keep_dirs);
            std::string error;
            bool started = target_.start(spec_, 20 * kSecond, error);
            // A port picked free may be taken by another process before the target binds it (tests run in
            // parallel): one more try on fresh ports, unless the port was given.
            if (!started && opts_.target_port == 0 &&
                error.find("Address already in use") != std::string::npos) {
                target_.stop();  // its folder goes
                spec_.port = free_tcp_port();
                spec_.api_port = free_tcp_port();
                started = target_.start(spec_, 20 * kSecond, error);
            }
            if (!started)
                throw ScenarioFailure{"target start: " + error};
            if (opts_.verbose)
                std::fprintf(stderr, "rfbench: %s started in %s\n", target_.name().c_str(),
                             target_.dir().c_str());
        }
        monitor = make_session("monitor", opts_.monitor_address, mon, opts_.hold_time);
        monitor->on_update = [this](Session& s, std::span<const std::uint8_t> msg, Nanos now) {
            tracker->apply_update(msg, s.codec_options(), now);
        };
        for (std::uint32_t i = 0; i < configured + extra; ++i)
            peers.push_back(
                make_session("peer" + std::to_string(i), peer_address(i), identity(i), peer_hold));
    }

    std::unique_ptr<Session> make_session(const std::string& name, Ipv4Address local, const PeerIdentity& id,
                                          std::uint16_t hold) {
        SessionConfig c;
        c.name = name;
        c.local_address = local;
        c.bind_device = opts_.bind_device;
        c.remote_address = opts_.target_address;
        c.remote_port = spec_.port;
        c.local_asn = id.asn;
        if (opts_.check_target_asn)
            c.expected_remote_asn = opts_.target_asn;
        c.router_id = id.router_id;
        c.hold_time = hold;
        c.connect_timeout = seconds(std::min(10.0, opts_.bringup_timeout_s));
        c.open_timeout = seconds(std::min(30.0, opts_.bringup_timeout_s));
        c.ipv6_unicast = ipv6_unicast_;
        return std::make_unique<Session>(loop, c);
    }

    // Connects the monitor and peers [0, count); waits until all are Established. Returns the start time.
    Nanos bring_up(std::uint32_t count) {
        const Nanos t0 = now_ns();
        monitor->connect(t0);
        for (std::uint32_t i = 0; i < count; ++i)
            peers[i]->connect(t0);
        const Nanos deadline = t0 + seconds(opts_.bringup_timeout_s);
        // A session the target refuses or resets during bring-up (e.g. the previous one of the same
        // peer is still closing on a target that keeps running) is retried after a ConnectRetry second.
        auto retry = [](Session& s) {
            if (s.state() == SessionState::Idle && s.close_reason() != CloseReason::None &&
                now_ns() - s.closed_at() >= kSecond)
                s.connect(now_ns());
        };
        const bool up = loop.run_until(
            [&] {
                bool all = monitor->established();
                retry(*monitor);
                for (std::uint32_t i = 0; i < count; ++i) {
                    all = all && peers[i]->established();
                    retry(*peers[i]);
                }
                return all;
            },
            deadline, 5 * kMilli);
        if (!up)
            throw ScenarioFailure{"bring-up: not every session Established within " +
                                  std::to_string(static_cast<int>(opts_.bringup_timeout_s)) +
                                  " s: " + session_report(count)};
        // The load is pre-encoded with 4-octet AS numbers (RFC 6793): every target must negotiate them.
        for (std::uint32_t i = 0; i < count; ++i)
            if (!peers[i]->codec_options().four_octet_as)
                throw ScenarioFailure{"the target did not negotiate 4-octet AS numbers with " +
                                      peers[i]->config().name};
        return t0;
    }

    std::string session_report(std::uint32_t count) const {
        std::ostringstream os;
        auto one = [&](const Session& s) {
            os << s.config().name << "=" << state_name(s.state());
            if (s.close_reason() != CloseReason::None)
                os << "(" << close_reason_name(s.close_reason()) << ": " << s.close_detail() << ")";
            os << " ";
        };
        one(*monitor);
        for (std::uint32_t i = 0; i < count && i < peers.size(); ++i)
            one(*peers[i]);
        if (target_.spawns() && !target_.running())
            os << "; target exited: " << target_.log_tail(600);
        return os.str();
    }

    void settle() {
        loop.run_for(seconds(std::max(opts_.settle_s, target_.spawns() ? target_.settle_seconds() : 0.0)));
    }

    // Waits until the monitor holds the expected state; `expected_down` sessions may drop meanwhile.
    bool wait_converged(Nanos deadline, const std::vector<const Session*>& allowed_down = {}) {
        return loop.run_until(
            [&] {
                check_sessions(allowed_down);
                return tracker->converged();
            },
            deadline, kMilli);
    }

    void check_sessions(const std::vector<const Session*>& allowed_down) const {
        if (!monitor->established())
            throw ScenarioFailure{"monitor session dropped: " + monitor->close_detail()};
        for (std::uint32_t i = 0; i < active_; ++i) {
            const Session* s = peers[i].get();
            if (s->established())
                continue;
            if (std::find(allowed_down.begin(), allowed_down.end(), s) != allowed_down.end())
                continue;
            throw ScenarioFailure{s->config().name +
                                  " dropped: " + std::string(close_reason_name(s->close_reason())) + " " +
                                  s->close_detail()};
        }
    }

    std::string not_converged(const std::string& phase) const {
        return phase + ": monitor did not reach the expected state (" +
               std::to_string(tracker->mismatched()) + " of " + std::to_string(tracker->size()) +
               " prefixes differ: " + tracker->describe_mismatches(5) + ")";
    }

    // Waits until no session has received an UPDATE for `quiet` (the target has finished reflecting to
    // every peer, not only to the monitor); returns the time of the last UPDATE received by anyone.
    Nanos wait_quiet(Nanos quiet, Nanos deadline) {
        auto last = [&] {
            Nanos t = monitor->last_update_in_at();
            for (const auto& p : peers)
                t = std::max(t, p->last_update_in_at());
            return t;
        };
        loop.run_until([&] { return now_ns() - last() >= quiet; }, deadline, 10 * kMilli);
        return last();
    }

    static double own_cpu_seconds() {
        rusage ru{};
        ::getrusage(RUSAGE_SELF, &ru);
        auto sec = [](const timeval& tv) {
            return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
        };
        return sec(ru.ru_utime) + sec(ru.ru_stime);
    }
    void sample_start() {
        cpu_start_ = target_.sample().cpu_seconds;
        own_cpu_start_ = own_cpu_seconds();
    }
    void record_target() {
        // rfbench's own CPU in the phase: shows the generator/monitor was not the bottleneck.
        m_.num("rfbench_cpu_phase_s", own_cpu_seconds() - own_cpu_start_);
        const auto s = target_.sample();
        if (!s.valid)
            return;
        m_.num("target_peak_rss_mib", static_cast<double>(s.peak_rss_kib) / 1024.0);
        m_.num("target_cpu_s", s.cpu_seconds);
        m_.num("target_cpu_phase_s", s.cpu_seconds - cpu_start_);
        m_.integer("target_processes", s.processes);  // the figures are sums over these (OpenBGPD: 4)
    }

    void set_active(std::uint32_t n) { active_ = n; }
    Nanos deadline() const { return now_ns() + seconds(opts_.phase_timeout_s); }
    const TargetSpec& spec() const { return spec_; }

private:
    const ScenarioOptions& opts_;
    Target& target_;
    Measurement& m_;
    TargetSpec spec_;
    std::vector<PeerIdentity> identities_;
    bool ipv6_unicast_ = false;
    double cpu_start_ = 0;
    double own_cpu_start_ = 0;
    std::uint32_t active_ = 0;
};

// Bring-up figures of the monitor and peers [0, count) since t0.
inline void record_bringup(Measurement& m, Harness& h, Nanos t0, std::uint32_t count) {
    std::vector<Nanos> up;
    up.push_back(h.monitor->established_at() - t0);
    for (std::uint32_t i = 0; i < count; ++i)
        up.push_back(h.peers[i]->established_at() - t0);
    const auto s = summarize(up);
    m.num("bringup_all_ms", to_ms(s.max));
    m.num("bringup_p50_ms", to_ms(s.p50));
    m.integer("sessions", static_cast<std::int64_t>(up.size()));
    if (m.scenario == "bringup")
        m.convergence = up;
}

}  // namespace rf::bench
