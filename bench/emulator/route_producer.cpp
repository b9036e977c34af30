#include "bench/emulator/route_producer.hpp"

#include <string>

namespace rf::bench {

using dataplane::NextHopKind;
using dataplane::TableId;

std::unique_ptr<LpmProducer> LpmProducer::create(const LabSpec& lab, std::uint32_t vnet_prefix,
                                                 std::uint8_t vnet_length, unsigned max_routes,
                                                 std::string* error) {
    auto p = std::unique_ptr<LpmProducer>(new LpmProducer());
    p->topo_ = make_lab_topology(lab);
    LpmRouteSource::Config cfg;
    cfg.tables = p->topo_.tables;
    cfg.max_routes = max_routes + 16;
    static int instance = 0;
    static std::string name;
    name = "rf-lpm" + std::to_string(instance++);
    cfg.name = name.c_str();
    p->source_ = LpmRouteSource::create(cfg, error);
    if (!p->source_)
        return nullptr;
    std::vector<RouteChange> sys;
    for (TableId t = 0; t < p->topo_.tables; ++t) {
        sys.push_back(RouteChange{t, vnet_prefix, vnet_length, false, NextHopKind::VnetLocal, {}});
        // rte_lpm has no depth 0: the default route is two /1s.
        sys.push_back(RouteChange{t, 0, 1, false, NextHopKind::Internet, {}});
        sys.push_back(RouteChange{t, 0x80000000U, 1, false, NextHopKind::Internet, {}});
    }
    if (!p->source_->apply(sys, error))
        return nullptr;
    return p;
}

std::vector<std::vector<Destination>> LpmProducer::destinations() const {
    std::vector<std::vector<Destination>> out(topo_.tables);
    for (TableId t = 0; t < topo_.tables; ++t)
        for (const auto& r : source_->routes(t))
            if (r.length > 0)
                out[t].push_back(Destination{r.prefix, r.length});
    return out;
}

std::uint64_t LpmProducer::inject(std::span<const RouteUpdate> batch) {
    scratch_.clear();
    for (TableId t = 0; t < topo_.tables; ++t)
        for (const auto& u : batch)
            scratch_.push_back(
                RouteChange{t, u.prefix, u.length, u.next_hops.empty(), NextHopKind::Ip, u.next_hops});
    if (!source_->apply(scratch_))
        return 0;
    return ++applied_;
}

}  // namespace rf::bench
