#include "daemon/api/daemon_backend.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cctype>
#include <future>
#include <set>

#include "control/codec/text.hpp"
#include "daemon/api/graceful_restart_status.hpp"
#include "daemon/api/metrics.hpp"
#include "daemon/api/peer_metrics.hpp"
#include "daemon/api/rib_decision.hpp"
#include "daemon/api/rpki_backend.hpp"
#include "daemon/mrt/rib_dump.hpp"

namespace rf::api {

// ------------------------------------------------------------------------------------------ helpers

namespace {

std::string format_as_path(const bgp::PathAttributes& a) {
    if (!a.as_path) {
        return "";
    }
    std::string out;
    for (const bgp::AsSegment& seg : a.as_path->segments) {
        const bool set = seg.type == bgp::AsSegmentType::Set || seg.type == bgp::AsSegmentType::ConfedSet;
        std::string part;
        for (const std::uint32_t asn : seg.asns) {
            part += (part.empty() ? "" : (set ? "," : " ")) + std::to_string(asn);
        }
        if (set) {
            part = "{" + part + "}";
        }
        if (seg.type == bgp::AsSegmentType::ConfedSequence) {
            part = "(" + part + ")";
        }
        out += (out.empty() ? "" : " ") + part;
    }
    return out;
}

std::string origin_name(const bgp::PathAttributes& a) {
    if (!a.origin) {
        return "";
    }
    switch (*a.origin) {
        case bgp::Origin::Igp:
            return "IGP";
        case bgp::Origin::Egp:
            return "EGP";
        case bgp::Origin::Incomplete:
            break;
    }
    return "INCOMPLETE";
}

// az's capitalisation of the ORIGIN attribute in advertised routes.
std::string az_origin(const bgp::PathAttributes& a) {
    const std::string o = origin_name(a);
    if (o.empty()) {
        return "";
    }
    std::string out(1, o[0]);
    for (std::size_t i = 1; i < o.size(); ++i) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(o[i])));
    }
    return out;
}

std::vector<std::string> communities(const bgp::PathAttributes& a) {
    std::vector<std::string> out;
    for (const std::uint32_t c : a.communities) {
        out.push_back(std::to_string(c >> 16) + ":" + std::to_string(c & 0xFFFFU));
    }
    for (const bgp::LargeCommunity& l : a.large_communities) {
        out.push_back(std::to_string(l.global_admin) + ":" + std::to_string(l.local_data1) + ":" +
                      std::to_string(l.local_data2));
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

// Orders FSM states by how far a session got (for a peering's summary state).
int progress(session::State s) {
    return static_cast<int>(s);
}

ApiError peering_not_found(std::string_view name) {
    return ApiError{ErrorCode::PeeringNotFound,
                    "no peering named '" + std::string(name) + "'; list them with rfctl peering list", ""};
}

}  // namespace

// ------------------------------------------------------------------------------------------
// DaemonBackend

namespace {

ApiError no_vnet_model() {
    return ApiError{ErrorCode::NotAvailable,
                    "no virtual network model: routefabricd runs as a route server only; configure "
                    "virtual_network (or run with --fib)",
                    ""};
}

}  // namespace

DaemonBackend::DaemonBackend(boost::asio::io_context& io, server::RouteServer& server,
                             const config::Config& config, std::chrono::milliseconds timeout)
    : io_(io),
      server_(server),
      changes_(io, server, config, timeout),
      timeout_(timeout),
      started_(std::chrono::steady_clock::now()) {
    // Deleted peers' UPDATEs stay in routefabric_updates_total.
    changes_.set_before_remove([this] { fold_update_counters(server_.sessions()); });
}

DaemonBackend::~DaemonBackend() = default;

void DaemonBackend::set_vnet_model(fib::VnetModel model) {
    plan_ = fib::plan_tables(model);
    model_ = std::move(model);
    has_model_.store(true, std::memory_order_release);
}

void DaemonBackend::clear_vnet_model() {
    has_model_.store(false, std::memory_order_release);
    plan_.reset();
    model_.reset();
}

void DaemonBackend::set_fib_queue_depth(std::function<std::uint64_t()> source) {
    fib_queue_depth_ = std::move(source);
}

void DaemonBackend::set_emulator_stats(std::function<EmulatorStats()> source) {
    emulator_ = std::move(source);
}

void DaemonBackend::set_convergence_history(std::function<ConvergenceHistory()> source) {
    convergence_history_ = std::move(source);
}

template <typename T>
Result<T, ApiError> DaemonBackend::on_io(std::function<Result<T, ApiError>()> f) {
    if (io_.get_executor().running_in_this_thread()) {
        return f();
    }
    auto promise = std::make_shared<std::promise<Result<T, ApiError>>>();
    auto future = promise->get_future();
    boost::asio::post(io_, [promise, f = std::move(f)]() mutable {
        try {
            promise->set_value(f());
        } catch (const std::exception& e) {
            promise->set_value(unexpected(ApiError{ErrorCode::Internal, e.what(), ""}));
        }
    });
    if (future.wait_for(timeout_) != std::future_status::ready) {
        return unexpected(ApiError{ErrorCode::NotAvailable,
                                   "the route server did not answer within " +
                                       std::to_string(timeout_.count()) +
                                       " ms (shutting down or overloaded); retry",
                                   ""});
    }
    return future.get();
}

const config::PeerConfig* DaemonBackend::find(std::string_view name) const {
    return running().find_peer(name);
}

PeeringInfo DaemonBackend::peering_info(const config::PeerConfig& p) const {
    PeeringInfo info;
    info.config = p;
    info.route_limit = changes_.started().route_limit_of(p);
    session::State best = session::State::Idle;
    for (const session::SessionStatus& s : server_.sessions()) {
        if (s.peer_address != p.address) {
            continue;
        }
        SessionInfo si;
        si.local_address = s.local_address.to_string();
        si.state = std::string(session::state_name(s.state));
        si.last_reason = std::string(session::reason_name(s.last_reason));
        si.established_count = s.established_count;
        si.route_limit_trips = s.route_limit_trips;
        si.updates_received = s.updates_received;
        si.admin_resets = s.admin_resets;
        if (s.rib_id != 0) {
            if (const auto usage = server_.rib().route_limit_usage(s.rib_id)) {
                si.routes = usage->routes;
                si.above_warning_threshold = usage->above_threshold;
                si.above_route_limit = usage->above_limit;
                info.warning_threshold = usage->warning_threshold;
            }
        }
        const auto families = [](const std::vector<bgp::AfiSafi>& fs) {
            std::vector<std::string> out;
            for (const bgp::AfiSafi& f : fs) {
                out.push_back(bgp::family_name(f));
            }
            return out;
        };
        si.capabilities = {s.route_refresh,    s.enhanced_route_refresh,     s.extended_message,
                           s.max_message_size, families(s.add_path_receive), families(s.add_path_send)};
        si.refresh = {s.route_refreshes_received,
                      s.route_refreshes_sent,
                      s.borr_received,
                      s.eorr_received,
                      s.borr_sent,
                      s.eorr_sent,
                      s.refresh_timeouts,
                      s.route_refreshes_ignored,
                      families(s.refreshing),
                      s.rib_id != 0 ? server_.rib().stale_count(s.rib_id) : 0};
        si.graceful_restart = graceful_restart_info(s, server_);
        info.sessions.push_back(std::move(si));
        if (progress(s.state) > progress(best)) {
            best = s.state;
        }
        if (s.rib_id != 0 && server_.rib().is_up(s.rib_id)) {
            info.routes_received = std::max(info.routes_received, server_.rib().route_count(s.rib_id));
        }
    }
    info.state = std::string(session::state_name(best));
    return info;
}

RouteServerInfo DaemonBackend::info() {
    auto r = on_io<RouteServerInfo>([this]() -> Result<RouteServerInfo, ApiError> {
        const config::Config& started = changes_.started();
        const config::RouteServerConfig& rs = started.route_server;
        RouteServerInfo i;
        i.asn = rs.asn;
        i.router_id = started.effective_router_id() ? started.effective_router_id()->to_string() : "";
        for (const net::IpAddress& a : rs.listen) {
            i.listen.push_back(a.to_string());
        }
        i.port = rs.port;
        i.keepalive = rs.keepalive;
        i.hold_time = rs.hold_time;
        i.mode = std::string(config::to_string(rs.mode));
        i.route_counting = std::string(config::to_string(rs.route_counting));
        i.branch_to_branch = rs.branch_to_branch;
        i.four_byte_asn = rs.four_byte_asn;
        i.max_peers = rs.max_peers;
        i.route_limit = rs.route_limit;
        i.peers = running().peers.size();
        for (const session::SessionStatus& s : server_.sessions()) {
            i.established_sessions += s.state == session::State::Established ? 1 : 0;
        }
        i.loc_rib_prefixes = server_.rib().stats().loc_rib_prefixes;
        i.uptime_seconds = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
                .count());
        return i;
    });
    return r ? *r : RouteServerInfo{};
}

std::vector<PeeringInfo> DaemonBackend::peerings() {
    auto r = on_io<std::vector<PeeringInfo>>([this]() -> Result<std::vector<PeeringInfo>, ApiError> {
        std::vector<PeeringInfo> out;
        for (const config::PeerConfig& p : running().peers) {
            out.push_back(peering_info(p));
        }
        return out;
    });
    return r ? *r : std::vector<PeeringInfo>{};
}

Result<PeeringInfo, ApiError> DaemonBackend::peering(std::string_view name) {
    const std::string n(name);
    return on_io<PeeringInfo>([this, n]() -> Result<PeeringInfo, ApiError> {
        const config::PeerConfig* p = find(n);
        if (p == nullptr) {
            return unexpected(peering_not_found(n));
        }
        return peering_info(*p);
    });
}

Result<PeeringInfo, ApiError> DaemonBackend::add_peer(const config::PeerConfig& peer) {
    return create(peer, nullptr);
}

Result<Unit, ApiError> DaemonBackend::remove_peer(std::string_view name) {
    return remove(std::string(name), nullptr);
}

Result<PeeringInfo, ApiError> DaemonBackend::create_peering(const config::PeerConfig& peer,
                                                            config::ConfigStore& store) {
    return create(peer, &store);
}

Result<Unit, ApiError> DaemonBackend::delete_peering(const std::string& name, config::ConfigStore& store) {
    return remove(name, &store);
}

Result<PeeringInfo, ApiError> DaemonBackend::create(const config::PeerConfig& peer,
                                                    config::ConfigStore* store) {
    // The answer is read on the io thread inside the change, so it shows the peering as it was created.
    std::optional<PeeringInfo> created;
    auto r = changes_.apply(
        "peering not created",
        [&](config::Config& desired) -> std::optional<ChangeError> {
            if (desired.find_peer(peer.name) != nullptr) {
                return ChangeError{ApiError{ErrorCode::DuplicatePeering,
                                            "a peering named '" + peer.name + "' exists", "name"},
                                   {}};
            }
            const std::uint32_t max = desired.route_server.max_peers;
            if (max != 0 && desired.peers.size() >= max) {
                return ChangeError{
                    ApiError{ErrorCode::PeerLimitReached,
                             "the route server already has " + std::to_string(desired.peers.size()) + " of " +
                                 std::to_string(max) +
                                 " peerings; delete one (rfctl peering delete NAME) or raise "
                                 "route_server.max_peers in the configuration and restart",
                             ""},
                    {}};
            }
            desired.peers.push_back(peer);
            return std::nullopt;
        },
        Persist::Write, store, [&] { created = peering_info(*find(peer.name)); });
    if (!r) {
        return unexpected(std::move(r.error().api));
    }
    return std::move(*created);
}

Result<PeeringReset, ApiError> DaemonBackend::reset_peering(std::string_view name) {
    const std::string n(name);
    std::optional<PeeringReset> done;
    auto r = changes_.apply(
        "peering not reset",
        [&](config::Config& desired) -> std::optional<ChangeError> {
            if (desired.find_peer(n) == nullptr) {
                return ChangeError{peering_not_found(n), {}};
            }
            return std::nullopt;  // the configuration stays as it is
        },
        Persist::Write, nullptr,
        [&] {
            const auto result = server_.reset_peer(n, "reset by the operator (rfctl peering reset)");
            done = PeeringReset{n, result ? result->reset : 0, result ? result->restarted : 0};
        });
    if (!r) {
        return unexpected(std::move(r.error().api));
    }
    return std::move(*done);
}

Result<Unit, ApiError> DaemonBackend::remove(const std::string& name, config::ConfigStore* store) {
    auto r = changes_.apply(
        "peering not deleted",
        [&](config::Config& desired) -> std::optional<ChangeError> {
            const auto it = std::find_if(desired.peers.begin(), desired.peers.end(),
                                         [&](const config::PeerConfig& p) { return p.name == name; });
            if (it == desired.peers.end()) {
                return ChangeError{peering_not_found(name), {}};
            }
            desired.peers.erase(it);
            return std::nullopt;
        },
        Persist::Write, store);
    if (!r) {
        return unexpected(std::move(r.error().api));
    }
    return Unit{};
}

Result<RoutesByInstance, ApiError> DaemonBackend::routes(std::string_view name, RouteView view) const {
    const config::PeerConfig* p = find(name);
    if (p == nullptr) {
        return unexpected(peering_not_found(name));
    }
    const std::vector<session::SessionStatus> sessions = server_.sessions();
    std::map<rib::PeerId, std::string> source_of;  // rib id → the peer address it stands for
    for (const session::SessionStatus& s : sessions) {
        if (s.rib_id != 0) {
            source_of[s.rib_id] = s.peer_address.to_string();
        }
    }
    RoutesByInstance out;
    const std::vector<net::IpAddress>& listen = changes_.started().route_server.listen;
    for (std::size_t i = 0; i < listen.size(); ++i) {
        std::vector<RouteRow> rows;
        for (const session::SessionStatus& s : sessions) {
            if (s.peer_address != p->address || s.local_address != listen[i] || s.rib_id == 0 ||
                (!server_.rib().is_up(s.rib_id) && !server_.rib().is_restarting(s.rib_id))) {
                continue;
            }
            const std::string local = listen[i].to_string();
            if (view == RouteView::Filtered) {
                for (const rib::LearnedRoute& r : server_.rib().adj_rib_in_received(s.rib_id)) {
                    if (r.accepted) {
                        continue;
                    }
                    RouteRow row{local,
                                 r.prefix.to_string(),
                                 r.next_hops.empty() ? "" : r.next_hops.front().to_string(),
                                 p->address.to_string(),
                                 format_as_path(r.attributes),
                                 "EBgp",
                                 32768,
                                 r.policy,
                                 r.statement,
                                 r.decided_by};
                    rows.push_back(std::move(row));
                }
            } else if (view == RouteView::Learned) {
                for (const rib::LearnedRoute& r : server_.rib().adj_rib_in(s.rib_id)) {
                    rows.push_back(RouteRow{local,
                                            r.prefix.to_string(),
                                            r.next_hops.empty() ? "" : r.next_hops.front().to_string(),
                                            p->address.to_string(),
                                            format_as_path(r.attributes),
                                            "EBgp",
                                            32768,
                                            {},
                                            {},
                                            {},
                                            r.stale});
                    rows.back().rpki =
                        std::string(rpki::to_string(server_.rpki_validity(r.prefix, r.attributes)));
                }
            } else {
                for (const rib::AdvertisedRoute& r : server_.rib().adj_rib_out(s.rib_id)) {
                    const auto src = source_of.find(r.source);
                    rows.push_back(RouteRow{
                        local,
                        r.prefix.to_string(),
                        r.next_hops.empty() ? "" : r.next_hops.front().to_string(),
                        r.source == rib::kLocalPeer ? local : (src == source_of.end() ? "" : src->second),
                        format_as_path(r.attributes),
                        az_origin(r.attributes),
                        0,
                        {},
                        {},
                        {}});
                }
            }
        }
        out.emplace_back(instance_key(i), std::move(rows));
    }
    return out;
}

Result<RoutesByInstance, ApiError> DaemonBackend::learned_routes(std::string_view peering) {
    const std::string n(peering);
    return on_io<RoutesByInstance>([this, n] { return routes(n, RouteView::Learned); });
}

Result<RoutesByInstance, ApiError> DaemonBackend::filtered_routes(std::string_view peering) {
    const std::string n(peering);
    return on_io<RoutesByInstance>([this, n] { return routes(n, RouteView::Filtered); });
}

Result<RoutesByInstance, ApiError> DaemonBackend::advertised_routes(std::string_view peering) {
    const std::string n(peering);
    return on_io<RoutesByInstance>([this, n] { return routes(n, RouteView::Advertised); });
}

Result<std::string, ApiError> DaemonBackend::rib_dump_mrt() {
    return on_io<std::string>([this]() -> Result<std::string, ApiError> {
        const auto bytes = mrt_files::dump_rib(server_, std::chrono::system_clock::now());
        return std::string(bytes.begin(), bytes.end());
    });
}

Result<RibEntryInfo, ApiError> DaemonBackend::rib_entry(const net::Prefix& prefix) {
    return on_io<RibEntryInfo>([this, prefix]() -> Result<RibEntryInfo, ApiError> {
        const auto entry = server_.rib().lookup(prefix);
        if (!entry) {
            return unexpected(ApiError{ErrorCode::RouteNotFound,
                                       "the Loc-RIB has no route for exactly " + prefix.to_string(), ""});
        }
        std::map<rib::PeerId, std::string> name_of;
        for (const session::SessionStatus& s : server_.sessions()) {
            if (s.rib_id != 0) {
                name_of[s.rib_id] = s.peer;
            }
        }
        RibEntryInfo out;
        out.prefix = entry->prefix.to_string();
        out.decided_by = std::string(decision_step_id(entry->decided_by));
        for (const net::IpAddress& nh : entry->next_hops) {
            out.ecmp_next_hops.push_back(nh.to_string());
        }
        for (std::size_t i = 0; i < entry->paths.size(); ++i) {
            const rib::LocRibPath& path = entry->paths[i];
            RibPath rp;
            const auto n = name_of.find(path.peer);
            rp.peer = path.peer == rib::kLocalPeer ? "local" : (n == name_of.end() ? "" : n->second);
            rp.peer_address = path.peer_address.to_string();
            for (const net::IpAddress& nh : path.next_hops) {
                rp.next_hops.push_back(nh.to_string());
            }
            rp.as_path = format_as_path(path.attributes);
            rp.as_path_length = path.as_path_length;
            rp.origin = origin_name(path.attributes);
            rp.communities = communities(path.attributes);
            rp.best = i == 0;
            rp.ecmp = i < entry->ecmp_count;
            describe_decision(path, rp);
            rp.rewritten_by = path.rewritten_by;
            rp.stale = path.stale;
            rp.rpki = std::string(rpki::to_string(server_.rpki_validity(entry->prefix, path.attributes)));
            out.paths.push_back(std::move(rp));
        }
        return out;
    });
}

Result<EffectiveRoutes, ApiError> DaemonBackend::effective(std::optional<fib::TableId> table,
                                                           std::string name) const {
    std::map<net::Prefix, std::vector<net::IpAddress>> bgp;
    for (const net::Prefix& p : server_.rib().loc_rib_prefixes()) {
        if (auto e = server_.rib().lookup(p); e && !e->next_hops.empty()) {
            bgp.emplace(p, e->next_hops);
        }
    }
    const fib::TableSpec& spec = plan_->tables[*table];
    EffectiveRoutes out;
    out.name = std::move(name);
    out.table = spec.name;
    for (const fib::EffectiveRoute& r : fib::effective_routes(spec, bgp)) {
        EffectiveRouteRow row;
        row.source = std::string(fib::to_string(r.source));
        row.state = std::string(fib::to_string(r.state));
        row.address_prefix.push_back(r.prefix.to_string());
        row.next_hop_type = std::string(fib::to_string(r.next_hop_type));
        for (const net::IpAddress& a : r.next_hops) {
            row.next_hop_ip.push_back(a.to_string());
        }
        row.reason = r.reason;
        out.routes.push_back(std::move(row));
    }
    return out;
}

Result<EffectiveRoutes, ApiError> DaemonBackend::vm_effective_routes(std::string_view vm) {
    if (!has_model_.load(std::memory_order_acquire)) {
        return unexpected(no_vnet_model());
    }
    const std::string n(vm);
    return on_io<EffectiveRoutes>([this, n]() -> Result<EffectiveRoutes, ApiError> {
        if (!plan_) {  // cleared by a reload meanwhile
            return unexpected(no_vnet_model());
        }
        const auto table = plan_->table_for_vm(*model_, n);
        if (!table) {
            return unexpected(
                ApiError{ErrorCode::VmNotFound, "no VM named '" + n + "' in the virtual network model", ""});
        }
        return effective(table, n);
    });
}

Result<EffectiveRoutes, ApiError> DaemonBackend::subnet_effective_routes(std::string_view subnet) {
    if (!has_model_.load(std::memory_order_acquire)) {
        return unexpected(no_vnet_model());
    }
    const std::string n(subnet);
    return on_io<EffectiveRoutes>([this, n]() -> Result<EffectiveRoutes, ApiError> {
        if (!plan_) {  // cleared by a reload meanwhile
            return unexpected(no_vnet_model());
        }
        std::optional<fib::TableId> table;
        const auto slash = n.find('/');
        if (slash != std::string::npos) {
            table = plan_->table_for_subnet(n.substr(0, slash), n.substr(slash + 1));
        } else {  // a bare subnet name, if exactly one VNet has it
            int matches = 0;
            for (const auto& [key, id] : plan_->by_subnet) {
                if (key.second == n) {
                    table = id;
                    ++matches;
                }
            }
            if (matches > 1) {
                return unexpected(
                    ApiError{ErrorCode::SubnetNotFound,
                             "subnet name '" + n + "' is used in several VNets; write VNET/SUBNET", ""});
            }
        }
        if (!table) {
            return unexpected(
                ApiError{ErrorCode::SubnetNotFound, "no subnet '" + n + "'; write it as VNET/SUBNET", ""});
        }
        return effective(table, n);
    });
}

Result<EmulatorStats, ApiError> DaemonBackend::emulator_stats() {
    if (!emulator_) {
        return unexpected(ApiError{ErrorCode::NotAvailable,
                                   "the emulator is not running; set emulator.enabled: true and restart",
                                   ""});
    }
    return emulator_();
}

Result<ConvergenceHistory, ApiError> DaemonBackend::convergence_history() {
    if (!convergence_history_) {
        return Backend::convergence_history();
    }
    return convergence_history_();
}

void DaemonBackend::fold_update_counters(const std::vector<session::SessionStatus>& sessions) {
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> now;
    for (const session::SessionStatus& st : sessions) {
        const std::string key = st.peer_address.to_string() + "|" + st.local_address.to_string();
        const auto before = update_counts_seen_.find(key);
        const std::uint64_t in0 = before == update_counts_seen_.end() ? 0 : before->second.first;
        const std::uint64_t out0 = before == update_counts_seen_.end() ? 0 : before->second.second;
        // A session's counters only grow; if one ever restarts from zero (a new session object for the
        // same addresses), everything it reports is new.
        updates_in_total_ += st.updates_received >= in0 ? st.updates_received - in0 : st.updates_received;
        updates_out_total_ += st.updates_sent >= out0 ? st.updates_sent - out0 : st.updates_sent;
        now[key] = {st.updates_received, st.updates_sent};
    }
    update_counts_seen_ = std::move(now);  // sessions gone: their counts stay in the totals
}

void DaemonBackend::collect_metrics(metrics::Registry& registry) {
    struct Snapshot {
        std::map<std::string, std::size_t> sessions;
        std::map<std::string, std::size_t> peer_routes;
        std::map<std::string, double> peer_usage;  // routes / limit, peers with a limit
        rib::RibStats stats;
        std::uint64_t updates = 0;
        std::uint64_t updates_sent = 0;
        std::size_t ecmp = 0;
        bool ecmp_counted = false;
        std::vector<PeerMetricsRow> peers;
        std::size_t stale_routes = 0;
        server::GracefulRestartCounters graceful_restart;
    };
    auto r = on_io<Snapshot>([this]() -> Result<Snapshot, ApiError> {
        Snapshot s;
        for (const config::PeerConfig& p : running().peers) {
            s.peer_routes[p.name] = 0;
        }
        const std::vector<session::SessionStatus> sessions = server_.sessions();
        fold_update_counters(sessions);
        s.updates = updates_in_total_;
        s.updates_sent = updates_out_total_;
        for (const session::SessionStatus& st : sessions) {
            ++s.sessions[lower(session::state_name(st.state))];
            s.stale_routes += st.rib_id != 0 ? server_.rib().stale_count(st.rib_id) : 0;
            if (st.rib_id != 0 && server_.rib().is_up(st.rib_id)) {
                auto& n = s.peer_routes[st.peer];
                n = std::max(n, server_.rib().route_count(st.rib_id));
                if (const auto u = server_.rib().route_limit_usage(st.rib_id); u && u->limit != 0) {
                    auto& ratio = s.peer_usage[st.peer];
                    ratio = std::max(ratio, static_cast<double>(u->routes) / static_cast<double>(u->limit));
                }
            }
        }
        s.stats = server_.rib().stats();
        s.peers = peer_metrics_rows(server_, std::chrono::steady_clock::now());
        s.graceful_restart = server_.graceful_restart_counters();
        // Counting ECMP groups walks the Loc-RIB; skip it for very large tables (scrapes stay cheap).
        if (s.stats.loc_rib_prefixes <= 100000) {
            for (const net::Prefix& p : server_.rib().loc_rib_prefixes()) {
                // Distinct next hops: one NVA seen through both instances is one path for the FIB.
                if (auto e = server_.rib().lookup(p); e && e->next_hops.size() >= 2) {
                    ++s.ecmp;
                }
            }
            s.ecmp_counted = true;
        }
        return s;
    });
    if (!r) {
        return;
    }
    metrics::StandardMetrics m(registry);
    m.set_sessions(r->sessions);
    m.set_peer_routes(r->peer_routes);
    m.set_peer_route_limit_usage(r->peer_usage);
    set_peer_metrics(registry, r->peers);
    m.locrib_prefixes.set(static_cast<double>(r->stats.loc_rib_prefixes));
    if (r->ecmp_counted) {
        m.ecmp_groups.set(static_cast<double>(r->ecmp));
    }
    m.updates_in.set(r->updates);
    m.updates_out.set(r->updates_sent);
    m.route_limit_trips.set(r->stats.route_limit_trips);
    m.route_limit_threshold_warnings.set(r->stats.route_limit_threshold_warnings);
    m.route_limit_warnings.set(r->stats.route_limit_warnings);
    const std::uint64_t queued = fib_queue_depth_ ? fib_queue_depth_() : 0;
    m.fib_queue_depth.set(static_cast<double>(r->stats.pending_deltas + queued));
    set_graceful_restart_metrics(registry, r->stale_routes, r->graceful_restart);
    auto rpki_now =
        on_io<RpkiInfo>([this]() -> Result<RpkiInfo, ApiError> { return rpki_info(server_, false); });
    if (rpki_now && rpki_now->enabled) {
        publish_rpki_metrics(registry, *rpki_now);
    }
}

Result<RpkiInfo, ApiError> DaemonBackend::rpki() {
    return on_io<RpkiInfo>([this]() -> Result<RpkiInfo, ApiError> { return rpki_info(server_, true); });
}

}  // namespace rf::api
