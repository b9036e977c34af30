// The FIB as the emulator's scenarios drive it: FibProducer owns a Fib built from a virtual network model
// and feeds it through the FIB's own bounded delta queue and writer thread (FibUpdater), exactly as the
// route server's RIB does, so convergence is measured over the real pipeline; the hosts read it through
// dataplane::FibRouteSource. make_lab_model() is the VNet the scenarios run on.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "bench/emulator/route_producer.hpp"
#include "dataplane/fib_route_source.hpp"
#include "fib/fib.hpp"
#include "fib/updater.hpp"
#include "fib/vnet/vnet_model.hpp"

namespace rf::bench {

// The lab model: a hub VNet 10.1.0.0/16 (RouteServerSubnet 10.1.0.0/27, NVA subnet 10.1.1.0/24) with the
// VMs in 10.1.128.0/17 up to 32,000 VMs; above that the VMs live in a peered spoke VNet (10.64.0.0/10,
// "use remote route server"). VMs are placed vms_per_host at a time on consecutive hosts.
[[nodiscard]] fib::VnetModel make_lab_model(std::uint32_t vms, std::uint32_t vms_per_host);

class FibProducer final : public RouteProducer {
public:
    // `repoint_groups`: fib::FibConfig::repoint_groups (prefix-independent convergence; off to compare).
    static std::unique_ptr<FibProducer> create(const fib::VnetModel& model, std::uint32_t max_routes,
                                               std::string* error, bool repoint_groups = true);
    ~FibProducer() override;
    RouteSource& source() override { return *source_; }
    const Topology& topology() const override { return topo_; }
    std::vector<std::vector<Destination>> destinations() const override;
    std::uint64_t inject(std::span<const RouteUpdate> batch) override;
    std::uint64_t inject6(std::span<const RouteUpdate6> batch) override;
    std::vector<std::vector<Destination6>> destinations6() const override;
    bool visible(std::uint64_t ticket) const override { return fib_->visible_sequence() >= ticket; }
    // From the FibUpdater's visibility observer (the writer thread), as routefabricd does.
    void watch_visibility(ConvergenceProbe& probe, std::uint64_t ticket) override;
    // FibUpdater::next_hops_down, reported from the writer's next-hop-down observer as routefabricd does.
    bool next_hops_down(std::span<const std::uint32_t> v4, std::span<const Ipv6Bytes> v6,
                        ConvergenceProbe& probe) override;
    std::size_t memory_bytes() const override;
    std::string describe() const override;
    std::string stats() const override;
    fib::Fib& fib() { return *fib_; }
    fib::FibUpdater& updater() { return *updater_; }

private:
    std::unique_ptr<fib::Fib> fib_;
    std::unique_ptr<fib::FibUpdater> updater_;
    std::unique_ptr<dataplane::FibRouteSource> source_;
    Topology topo_;
    std::uint64_t sequence_ = 0;
    std::vector<fib::RouteDelta> scratch_;
    void on_visible(std::uint64_t sequence);
    template <class Update>
    std::uint64_t publish(std::span<const Update> batch);
    std::atomic<ConvergenceProbe*> watch_probe_{nullptr};
    std::atomic<std::uint64_t> watch_ticket_{0};          // 0: nothing watched
    std::atomic<ConvergenceProbe*> down_probe_{nullptr};  // a hint's probe, until the writer applied it
};

}  // namespace rf::bench
