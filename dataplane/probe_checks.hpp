// The convergence probe (probe.hpp) as a worker applies it, kept out of the forwarding loop itself.
//
// Per packet, the loop calls the hooks of a probe policy it is instantiated with (forwarding_loop.hpp):
// NoProbe, whose hooks are empty, when no measurement is armed — the loop then has no probe code at all —
// and ArmedProbe, which counts the armed measurement's affected packets that a host dropped before it
// converged (lost) or sent to a withdrawn next hop (before and after the FIB published the change). The
// worker chooses the policy once per host burst.
//
// Per host burst, while the host is pending, HostConvergenceCheck looks the probe addresses up in the
// host's tables and stamps the host converged when all give the new path.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "dataplane/counters.hpp"
#include "dataplane/probe.hpp"
#include "dataplane/route_source.hpp"
#include "dataplane/topology.hpp"

namespace rf::dataplane {

// No measurement armed: nothing to count.
struct NoProbe {
    template <class Address>
    void dropped(const Address& /*dst*/) {}
    template <class Address>
    void sent_to(std::uint32_t /*next_hop*/, const Address& /*dst*/) {}
    template <class Address>
    void sent_to6(const std::uint8_t* /*next_hop16*/, const Address& /*dst*/) {}
};

// The armed measurement `run`, as seen by host `host`'s burst at `now` (TSC).
class ArmedProbe {
public:
    ArmedProbe(ConvergenceProbe::Run& run, std::uint32_t host, std::uint64_t now)
        : run_(run),
          host_(host),
          now_(now),
          pending_(run.converged_tsc[host].load(std::memory_order_relaxed) == 0) {}

    // A packet for `dst` was dropped (no route, next hop None, an empty ECMP set).
    void dropped(std::uint32_t dst) {
        if (pending_ && run_.affects(dst))
            bump(run_.lost[host_]);
    }
    void dropped(const std::uint8_t (&dst)[16]) {
        if (pending_ && run_.affects6(dst))
            bump(run_.lost[host_]);
    }

    // A packet for `dst` was sent to IPv4 next hop `next_hop` (host order) / IPv6 next hop `next_hop16`.
    template <class Address>
    void sent_to(std::uint32_t next_hop, const Address& dst) {
        if (run_.excluded(next_hop) && affects(dst))
            count_withdrawn();
    }
    template <class Address>
    void sent_to6(const std::uint8_t* next_hop16, const Address& dst) {
        if (run_.excluded6(next_hop16) && affects(dst))
            count_withdrawn();
    }

private:
    [[nodiscard]] bool affects(std::uint32_t dst) const { return run_.affects(dst); }
    [[nodiscard]] bool affects(const std::uint8_t (&dst)[16]) const { return run_.affects6(dst); }

    // A packet for an affected destination went to a withdrawn (excluded) next hop.
    void count_withdrawn() {
        bump(run_.to_withdrawn[host_]);
        const std::uint64_t published = run_.publish_tsc.load(std::memory_order_acquire);
        if (published != 0 && now_ > published)
            bump(run_.after_publish[host_]);
    }

    ConvergenceProbe::Run& run_;
    std::uint32_t host_;
    std::uint64_t now_;
    bool pending_;
};

// One worker's convergence checks (single-threaded: the worker's own).
class HostConvergenceCheck {
public:
    explicit HostConvergenceCheck(RouteSource& source) : source_(source) {}

    // Host `host` (id `h`) is pending in `run`: stamps it converged at `now` when every probe address
    // gives the new path in every table of the host. Returns the lookups it made.
    std::uint64_t check(ConvergenceProbe::Run& run, std::uint32_t h, const Host& host, std::uint64_t now);

private:
    // Looks the host's not yet switched probe addresses up, a few at a time; false at the first few
    // that do not all give the new path yet.
    bool probe_addresses_switched(ConvergenceProbe::Run& run, std::uint32_t h, const Host& host,
                                  std::uint64_t& lookups);
    void stamp(ConvergenceProbe::Run& run, std::uint32_t h, std::uint64_t now);

    RouteSource& source_;
    // The measurement whose probe addresses were found switched in these tables.
    const ConvergenceProbe::Run* verified_run_ = nullptr;
    std::vector<TableId> verified_tables_;
};

}  // namespace rf::dataplane
