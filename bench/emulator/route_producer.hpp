// The control-plane stand-in the emulator's scenarios measure against (rf-emulator, dataplane_bench and
// the data-plane tests): injects route changes (the Loc-RIB's view: prefix → complete new ECMP set) and
// tells when a change is visible to the readers. Two implementations: LpmProducer (LpmRouteSource,
// stand-alone) and FibProducer (the FIB through its bounded delta queue and writer thread,
// fib_producer.hpp).
#pragma once

#include <rte_cycles.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dataplane/flowgen.hpp"
#include "dataplane/lpm_route_source.hpp"
#include "dataplane/probe.hpp"
#include "dataplane/route_source.hpp"
#include "dataplane/topology.hpp"

namespace rf::bench {

using dataplane::ConvergenceProbe;
using dataplane::Destination;
using dataplane::Destination6;
using dataplane::Ipv6Bytes;
using dataplane::LabSpec;
using dataplane::LpmRouteSource;
using dataplane::RouteChange;
using dataplane::RouteSource;
using dataplane::Topology;

struct RouteUpdate {
    std::uint32_t prefix = 0;  // host byte order
    std::uint8_t length = 0;
    std::vector<std::uint32_t> next_hops;  // empty = withdrawn
};

struct RouteUpdate6 {
    Ipv6Bytes prefix{};  // network byte order
    std::uint8_t length = 0;
    std::vector<Ipv6Bytes> next_hops;  // empty = withdrawn
};

class RouteProducer {
public:
    virtual ~RouteProducer() = default;
    [[nodiscard]] virtual RouteSource& source() = 0;
    [[nodiscard]] virtual const Topology& topology() const = 0;
    // Destination prefixes per table, for the flow generator.
    [[nodiscard]] virtual std::vector<std::vector<Destination>> destinations() const = 0;
    // Injects a batch at the control plane's entry; returns a ticket for visible(), or 0 if refused.
    virtual std::uint64_t inject(std::span<const RouteUpdate> batch) = 0;
    // IPv6 changes (same tickets as inject()); 0 if refused or the source has no IPv6 tables.
    virtual std::uint64_t inject6(std::span<const RouteUpdate6> batch) {
        (void)batch;
        return 0;
    }
    // The control plane's next-hop-down hint (a peer went down; its withdrawals follow): a source that
    // can repoints its ECMP groups at once and reports the instant to `probe` (published()) when that
    // switched anything. IPv4 next hops in host order, IPv6 in network order. False: not supported.
    virtual bool next_hops_down(std::span<const std::uint32_t> v4, std::span<const Ipv6Bytes> v6,
                                ConvergenceProbe& probe) {
        (void)v4;
        (void)v6;
        (void)probe;
        return false;
    }
    // IPv6 destination prefixes per table, for add_flows6().
    [[nodiscard]] virtual std::vector<std::vector<Destination6>> destinations6() const { return {}; }
    // Non-blocking: is everything up to `ticket` visible to readers?
    [[nodiscard]] virtual bool visible(std::uint64_t ticket) const = 0;
    virtual void housekeeping() {}  // writer-side reclamation when the producer has no thread of its own
    // Reports the instant everything up to `ticket` becomes visible to `probe` (published()): from the
    // writer's own visibility hook where there is one, so the caller need not poll (and can sleep).
    virtual void watch_visibility(ConvergenceProbe& probe, std::uint64_t ticket) {
        if (visible(ticket))
            probe.published(rte_rdtsc());
    }
    [[nodiscard]] virtual std::size_t memory_bytes() const = 0;
    [[nodiscard]] virtual std::string describe() const = 0;
    [[nodiscard]] virtual std::string stats() const { return {}; }
};

// Stand-alone: one rte_lpm table per table id of the lab topology, each with the VNet's system routes
// (VNet space → VnetLocal, 0.0.0.0/0 → Internet); BGP-like updates go to every table, applied
// synchronously by inject().
class LpmProducer final : public RouteProducer {
public:
    static std::unique_ptr<LpmProducer> create(const LabSpec& lab, std::uint32_t vnet_prefix,
                                               std::uint8_t vnet_length, unsigned max_routes,
                                               std::string* error);
    RouteSource& source() override { return *source_; }
    const Topology& topology() const override { return topo_; }
    std::vector<std::vector<Destination>> destinations() const override;
    std::uint64_t inject(std::span<const RouteUpdate> batch) override;
    bool visible(std::uint64_t ticket) const override { return ticket <= applied_; }
    void housekeeping() override { source_->reclaim(); }
    std::size_t memory_bytes() const override { return source_->memory_bytes(); }
    std::string describe() const override { return "rte_lpm reference source (no FIB)"; }
    LpmRouteSource& lpm() { return *source_; }

private:
    std::unique_ptr<LpmRouteSource> source_;
    Topology topo_;
    std::uint64_t applied_ = 0;
    std::vector<RouteChange> scratch_;
};

}  // namespace rf::bench
