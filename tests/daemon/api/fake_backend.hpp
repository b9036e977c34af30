// A Backend for the API tests: peers in a list, canned routes, an optional refusal. Thread-safe
// (the API server calls it from its thread, the test inspects it from another).
#pragma once

#include <algorithm>
#include <mutex>

#include "daemon/api/backend.hpp"
#include "daemon/api/metrics.hpp"

namespace rf::api::testing {

// One route row; the filtered-route fields stay empty.
inline RouteRow row(std::string local, std::string network, std::string next_hop, std::string source,
                    std::string as_path, std::string origin, std::int32_t weight) {
    RouteRow r;
    r.local_address = std::move(local);
    r.network = std::move(network);
    r.next_hop = std::move(next_hop);
    r.source_peer = std::move(source);
    r.as_path = std::move(as_path);
    r.origin = std::move(origin);
    r.weight = weight;
    return r;
}

class FakeBackend final : public Backend {
public:
    explicit FakeBackend(const config::Config& c) : config_(c) {
        for (const config::PeerConfig& p : c.peers) {
            peers_.push_back(p);
        }
    }

    // The next add_peer fails with this error (the peer manager refusing).
    void refuse_next_add(ApiError e) {
        std::lock_guard<std::mutex> lock(mutex_);
        refusal_ = std::move(e);
    }
    [[nodiscard]] std::size_t peer_count() {
        std::lock_guard<std::mutex> lock(mutex_);
        return peers_.size();
    }

    RouteServerInfo info() override {
        std::lock_guard<std::mutex> lock(mutex_);
        RouteServerInfo i;
        i.asn = config_.route_server.asn;
        i.router_id = config_.effective_router_id() ? config_.effective_router_id()->to_string() : "";
        for (const auto& a : config_.route_server.listen) {
            i.listen.push_back(a.to_string());
        }
        i.port = config_.route_server.port;
        i.keepalive = config_.route_server.keepalive;
        i.hold_time = config_.route_server.hold_time;
        i.mode = std::string(config::to_string(config_.route_server.mode));
        i.route_counting = std::string(config::to_string(config_.route_server.route_counting));
        i.max_peers = config_.route_server.max_peers;
        i.route_limit = config_.route_server.route_limit;
        i.peers = peers_.size();
        i.loc_rib_prefixes = 2;
        return i;
    }

    std::vector<PeeringInfo> peerings() override {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<PeeringInfo> out;
        for (const auto& p : peers_) {
            out.push_back(info_of(p));
        }
        return out;
    }

    Result<PeeringInfo, ApiError> peering(std::string_view name) override {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const auto& p : peers_) {
            if (p.name == name) {
                return info_of(p);
            }
        }
        return not_found(name);
    }

    Result<PeeringInfo, ApiError> add_peer(const config::PeerConfig& peer) override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (refusal_) {
            ApiError e = std::move(*refusal_);
            refusal_.reset();
            return unexpected(std::move(e));
        }
        peers_.push_back(peer);
        return info_of(peer);
    }

    Result<Unit, ApiError> remove_peer(std::string_view name) override {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto it =
            std::find_if(peers_.begin(), peers_.end(), [&](const auto& p) { return p.name == name; });
        if (it == peers_.end()) {
            return not_found(name);
        }
        peers_.erase(it);
        return Unit{};
    }

    Result<PeeringReset, ApiError> reset_peering(std::string_view name) override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (find(name) == nullptr) {
            return not_found(name);
        }
        resets_.emplace_back(name);
        return PeeringReset{std::string(name), 1, 0};  // as if its one established session was reset
    }

    Result<RoutesByInstance, ApiError> learned_routes(std::string_view name) override {
        std::lock_guard<std::mutex> lock(mutex_);
        const config::PeerConfig* p = find(name);
        if (p == nullptr) {
            return not_found(name);
        }
        RoutesByInstance out;
        for (std::size_t i = 0; i < config_.route_server.listen.size(); ++i) {
            const std::string local = config_.route_server.listen[i].to_string();
            out.emplace_back(
                instance_key(i),
                std::vector<RouteRow>{row(local, "10.250.0.0/16", p->address.to_string(),
                                          p->address.to_string(), std::to_string(p->asn), "EBgp", 32768),
                                      row(local, "0.0.0.0/0", p->address.to_string(), p->address.to_string(),
                                          std::to_string(p->asn) + " 65100", "EBgp", 32768)});
        }
        return out;
    }

    Result<RoutesByInstance, ApiError> filtered_routes(std::string_view name) override {
        std::lock_guard<std::mutex> lock(mutex_);
        const config::PeerConfig* p = find(name);
        if (p == nullptr) {
            return not_found(name);
        }
        RoutesByInstance out;
        for (std::size_t i = 0; i < config_.route_server.listen.size(); ++i) {
            const std::string local = config_.route_server.listen[i].to_string();
            RouteRow r = row(local, "192.168.0.0/16", p->address.to_string(), p->address.to_string(),
                             std::to_string(p->asn), "EBgp", 32768);
            r.policy = "no-bogons";
            r.statement = "bogons";
            r.decided_by = "statement";
            out.emplace_back(instance_key(i), std::vector<RouteRow>{r});
        }
        return out;
    }

    Result<RoutesByInstance, ApiError> advertised_routes(std::string_view name) override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (find(name) == nullptr) {
            return not_found(name);
        }
        RoutesByInstance out;
        for (std::size_t i = 0; i < config_.route_server.listen.size(); ++i) {
            const std::string local = config_.route_server.listen[i].to_string();
            out.emplace_back(instance_key(i),
                             std::vector<RouteRow>{row(local, "10.1.0.0/16", local, "", "65515", "Igp", 0)});
        }
        return out;
    }

    Result<RibEntryInfo, ApiError> rib_entry(const net::Prefix& prefix) override {
        if (prefix.to_string() != "10.250.0.0/16") {
            return unexpected(ApiError{ErrorCode::RouteNotFound, "no route for " + prefix.to_string(), ""});
        }
        RibEntryInfo e;
        e.prefix = prefix.to_string();
        e.decided_by = "PeerBgpId";
        e.ecmp_next_hops = {"10.1.1.4", "10.1.1.5"};
        e.paths.push_back({"nva1", "10.1.1.4", {"10.1.1.4"}, "65001", 1, "IGP", {"65001:100"}, true, true});
        e.paths.push_back({"nva2", "10.1.1.5", {"10.1.1.5"}, "65002", 1, "IGP", {}, false, true});
        for (RibPath& p : e.paths) {  // why each path ranks where it does
            p.peer_bgp_id = p.peer_address;
            p.decided_by = p.best ? "OnlyPath" : "PeerBgpId";
            p.ecmp_status = "Member";
        }
        e.paths.front().rewritten_by = "from-nva1/tag";
        return e;
    }

    Result<EffectiveRoutes, ApiError> vm_effective_routes(std::string_view vm) override {
        if (vm != "vm1") {
            return unexpected(ApiError{ErrorCode::VmNotFound, "no VM named '" + std::string(vm) + "'", ""});
        }
        EffectiveRoutes r{"vm1", "hub", {}};
        r.routes.push_back({"Default", "Active", {"10.1.0.0/16"}, "VnetLocal", {}, ""});
        r.routes.push_back({"VirtualNetworkGateway",
                            "Active",
                            {"10.250.0.0/16"},
                            "VirtualNetworkGateway",
                            {"10.1.1.4", "10.1.1.5"},
                            ""});
        return r;
    }

    Result<EffectiveRoutes, ApiError> subnet_effective_routes(std::string_view subnet) override {
        if (subnet != "hub/workload") {
            return unexpected(
                ApiError{ErrorCode::SubnetNotFound, "no subnet '" + std::string(subnet) + "'", ""});
        }
        return EffectiveRoutes{
            "hub/workload", "hub", {{"Default", "Active", {"10.1.0.0/16"}, "VnetLocal", {}, ""}}};
    }

    Result<RpkiInfo, ApiError> rpki() override {
        RpkiInfo r;
        r.enabled = true;
        r.state = "stale";
        r.usable = true;
        r.roas_v4 = 3;
        r.roas_v6 = 1;
        r.refresh_interval = 3600;
        r.retry_interval = 600;
        r.expire_interval = 7200;
        r.caches.push_back({"192.0.2.10", 8282, 1, "error", "RTR_ERROR_TRANSPORT", 7, 4242, 4, 95});
        r.caches.push_back({"192.0.2.11", 323, 2, "standby", "", 0, 0, 0, std::nullopt});
        r.routes_valid = 2;
        r.routes_invalid = 1;
        r.routes_not_found = 5;
        r.validity_changes = 3;
        r.paths_revalidated = 8;
        return r;
    }

    Result<EmulatorStats, ApiError> emulator_stats() override {
        EmulatorStats s;
        s.running = true;
        s.hosts = 8;
        s.vms = 6000;
        s.workers = 1;
        s.counters = {{"packets_forwarded", 1000}, {"packets_dropped", 0}};
        s.convergence = EmulatorStats::Convergence{3, 0.002, 0.0015, 0.003, 0.003};
        return s;
    }

    // Two measurements: one complete, one that timed out (no seconds).
    Result<ConvergenceHistory, ApiError> convergence_history() override {
        ConvergenceHistory h;
        h.capacity = 256;
        h.recorded = 2;
        h.events = {{"2026-12-07T18:40:01.123Z", "update 10.250.0.0/16", true, 0.0021, 8, 8, false},
                    {"2026-12-07T18:40:02.456Z", "next hop 10.1.1.4 down", false, 0, 8, 7, true}};
        return h;
    }

    void collect_metrics(metrics::Registry& registry) override {
        metrics::StandardMetrics m(registry);
        std::lock_guard<std::mutex> lock(mutex_);
        m.set_sessions({{"established", peers_.size() * 2}});
        std::map<std::string, std::size_t> routes;
        for (const auto& p : peers_) {
            routes[p.name] = 2;
        }
        m.set_peer_routes(routes);
        m.locrib_prefixes.set(2);
    }

    // The peerings reset_peering was called for, in order.
    std::vector<std::string> resets() {
        std::lock_guard<std::mutex> lock(mutex_);
        return resets_;
    }

private:
    const config::PeerConfig* find(std::string_view name) const {
        for (const auto& p : peers_) {
            if (p.name == name) {
                return &p;
            }
        }
        return nullptr;
    }
    static Unexpected<ApiError> not_found(std::string_view name) {
        return unexpected(
            ApiError{ErrorCode::PeeringNotFound, "no peering named '" + std::string(name) + "'", ""});
    }
    PeeringInfo info_of(const config::PeerConfig& p) const {
        PeeringInfo i;
        i.config = p;
        i.route_limit = p.route_limit.value_or(config_.route_server.route_limit);
        i.routes_received = 2;
        i.state = "Established";
        for (const auto& a : config_.route_server.listen) {
            SessionInfo s;
            s.local_address = a.to_string();
            s.state = "Established";
            s.last_reason = "OpenConfirmed";
            s.established_count = 1;
            s.updates_received = 3;
            s.capabilities = NegotiatedInfo{true, true, true, 65535, {}, {}};
            s.refresh = RefreshInfo{1, 0, 2, 2, 1, 1, 0, 0, {}, 0};
            i.sessions.push_back(std::move(s));
        }
        return i;
    }

    std::mutex mutex_;
    config::Config config_;
    std::vector<config::PeerConfig> peers_;
    std::optional<ApiError> refusal_;
    std::vector<std::string> resets_;
};

}  // namespace rf::api::testing
