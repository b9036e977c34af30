#include "control/server/route_server.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

#include "control/codec/text.hpp"
#include "control/server/peer_rules.hpp"
#include "control/session/asio_address.hpp"
#include "control/session/socket_options.hpp"

namespace rf::server {

namespace asio = boost::asio;
using session::PeerSettings;
using session::Session;

RouteServer::RouteServer(asio::io_context& io, ServerConfig config, fib::DeltaSink& sink)
    : io_(io),
      config_(std::move(config)),
      rib_(
          [this] {
              rib::RibConfig r = config_.rib;
              r.local_asn = config_.local_asn;
              // Import policy's `rpki` match: the validity against the current ROA table (Unknown without
              // an rpki section), computed when the policy asks (route_server_rpki.cpp).
              r.origin_validity = [this](const net::Prefix& p, const bgp::PathAttributes& a) {
                  return rpki_validity(p, a);
              };
              return r;
          }(),
          sink),
      graceful_restart_(
          io, rib_, [this](const std::string& line) { log(line); }, [this] { distribute(); }),
      refused_log_(config_.refused_log_burst, config_.refused_log_interval),
      refused_log_timer_(io) {
    local_open_ = session::make_local_open(config_.local_asn, config_.router_id, config_.hold_time);
    policy_.local_asn = config_.local_asn;
    policy_.local_id = config_.router_id;
    policy_.four_octet_mode = config_.four_octet_mode;
}

RouteServer::~RouteServer() {
    stopping_ = true;
    refused_log_timer_.cancel();
    for (auto& l : listeners_) {
        boost::system::error_code ec;
        l.acceptor->close(ec);
    }
    // Sessions withdraw from the RIB while it still exists. They report on_down as they go, which looks
    // peers_ up (counters_of): take the map apart outside peers_, never in the middle of its clear().
    auto peers = std::move(peers_);
    peers_.clear();
    peers.clear();
    retired_.clear();
}

session::FsmConfig RouteServer::fsm_config(const PeerSettings& peer) const {
    using session::Seconds;
    session::FsmConfig c;
    c.passive = peer.mode == session::PeerMode::Passive;
    c.hold_time = Seconds{peer.hold_time.value_or(config_.hold_time)};
    // keepalive 0 means "a third of the negotiated hold time" (negotiate_timers caps it there).
    c.keepalive = Seconds{config_.keepalive == 0 ? 0xFFFF : config_.keepalive};
    c.connect_retry = Seconds{std::max<std::uint16_t>(1, config_.connect_retry)};
    c.idle_hold = Seconds{peer.idle_hold.value_or(config_.idle_hold)};
    c.idle_hold_max = Seconds{std::max(config_.idle_hold_max, peer.idle_hold.value_or(config_.idle_hold))};
    return c;
}

std::optional<std::string> RouteServer::start() {
    if (config_.listen_addresses.empty()) {
        return std::string("no listen address configured");
    }
    for (const auto& addr : config_.listen_addresses) {
        Listener l;
        l.address = addr;
        l.acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
        boost::system::error_code ec;
        const asio::ip::tcp::endpoint ep(session::to_asio(addr), config_.port);
        l.acceptor->open(ep.protocol(), ec);
        if (!ec) {
            l.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
        }
        if (!ec) {
            l.acceptor->bind(ep, ec);
        }
        if (!ec) {
            l.acceptor->listen(asio::socket_base::max_listen_connections, ec);
        }
        if (ec) {
            return "cannot listen on " + addr.to_string() + " port " + std::to_string(config_.port) + ": " +
                   ec.message();
        }
        listeners_.push_back(std::move(l));
    }
    for (auto& l : listeners_) {
        accept_next(l);
    }
    if (auto rpki = std::exchange(config_.rpki, std::nullopt)) {
        if (auto err = set_rpki(std::move(rpki))) {
            return "rpki: " + *err;
        }
    }
    started_ = true;
    start_deferral();
    for (auto& [addr, peer] : peers_) {
        install_md5(*peer.settings, false);
        start_peer(peer);
    }
    return std::nullopt;
}

std::vector<std::string> RouteServer::listening() const {
    std::vector<std::string> out;
    for (const auto& l : listeners_) {
        boost::system::error_code ec;
        auto ep = l.acceptor->local_endpoint(ec);
        if (!ec) {
            out.push_back(ep.address().to_string() + ":" + std::to_string(ep.port()));
        }
    }
    return out;
}

void RouteServer::accept_next(Listener& l) {
    l.acceptor->async_accept([this, &l](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted || stopping_) {
            return;
        }
        if (!ec) {
            on_accept(std::move(socket));
        }
        accept_next(l);
    });
}

void RouteServer::on_accept(asio::ip::tcp::socket socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    const auto local = socket.local_endpoint(ec);
    if (ec) {
        return;
    }
    const net::IpAddress remote_addr = session::from_asio(remote.address());
    const auto it = peers_.find(remote_addr);
    if (it == peers_.end()) {
        // Unknown address: refuse at once, without a word (design §2: peers are configured).
        socket.close(ec);
        refuse_unknown(remote);
        return;
    }
    const net::IpAddress local_addr = session::from_asio(local.address());
    auto& sessions = it->second.sessions;
    auto s = sessions.find(local_addr);
    std::shared_ptr<Session> session;
    if (s == sessions.end()) {
        session = make_session(it->second, local_addr, false);
        session->start();
    } else {
        session = s->second;
    }
    session->accept(std::move(socket));
}

void RouteServer::refuse_unknown(const asio::ip::tcp::endpoint& remote) {
    ++refused_connections_;
    if (refused_log_.admit(std::chrono::steady_clock::now())) {
        log("connection from " + remote.address().to_string() + ":" + std::to_string(remote.port()) +
            " refused: not a configured peer");
        return;
    }
    if (refused_log_armed_) {
        return;  // the count goes out when the interval ends
    }
    refused_log_armed_ = true;
    refused_log_timer_.expires_at(refused_log_.window_end().value_or(std::chrono::steady_clock::now()));
    refused_log_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            log_refused_count();
        }
    });
}

void RouteServer::log_refused_count() {
    refused_log_armed_ = false;
    if (const std::uint64_t n = refused_log_.take_suppressed(); n > 0) {
        log(std::to_string(n) + " more connection(s) from addresses that are not configured peers refused (" +
            std::to_string(refused_connections_) + " since start; not logged one by one)");
    }
}

std::shared_ptr<Session> RouteServer::make_session(Peer& peer, const net::IpAddress& local,
                                                   bool connects_out) {
    session::SessionConfig c;
    c.local = local;
    c.fsm = fsm_config(*peer.settings);
    c.connects_out = connects_out;
    c.local_open = local_open_;
    c.restart_state = config_.restarting;
    c.forwarding_preserved = config_.forwarding_preserved;
    c.open_policy = policy_;
    c.max_output_bytes = config_.max_output_bytes;
    c.max_extra_connections = config_.max_extra_connections;
    c.extra_open_wait = session::Seconds{std::max<std::uint16_t>(1, config_.extra_open_wait)};
    c.refresh_stale_time = session::Seconds{std::max<std::uint16_t>(1, config_.refresh_stale_time)};
    c.id = next_rib_id_++;
    c.neighbor = peer.neighbor;
    auto s = std::make_shared<Session>(io_, static_cast<SessionOwner&>(*this), peer.settings, std::move(c));
    peer.sessions[local] = s;
    return s;
}

void RouteServer::start_peer(Peer& peer) {
    const PeerSettings& s = *peer.settings;
    // One session per listen address of the peer's family; an active peer connects out from one of them.
    std::optional<net::IpAddress> active_local;
    if (s.mode == session::PeerMode::Active) {
        if (s.local_address) {
            active_local = *s.local_address;
        } else {
            for (const auto& a : config_.listen_addresses) {
                if (a.afi == s.address.afi) {
                    active_local = a;
                    break;
                }
            }
        }
    }
    for (const auto& a : config_.listen_addresses) {
        if (a.afi != s.address.afi || peer.sessions.count(a) != 0) {
            continue;
        }
        make_session(peer, a, active_local && *active_local == a)->start();
    }
    if (active_local && peer.sessions.count(*active_local) == 0) {
        make_session(peer, *active_local, true)->start();
    }
}

void RouteServer::install_md5(const PeerSettings& peer, bool remove) {
    if (peer.md5_password.empty()) {
        return;
    }
    for (auto& l : listeners_) {
        if (l.address.afi != peer.address.afi) {
            continue;
        }
        int err = 0;
        if (auto e = session::set_tcp_md5(l.acceptor->native_handle(), peer.address,
                                          remove ? "" : peer.md5_password, &err)) {
            if (err == EPERM) {
                md5_eperm_ = true;
            }
            log("peer " + peer.name + ": cannot " + (remove ? "remove" : "install") + " TCP-MD5 key on " +
                l.address.to_string() + ": " + *e);
        }
    }
}

std::optional<std::string> RouteServer::add_peer(PeerSettings peer) {
    if (peer.name.empty()) {
        peer.name = peer.address.to_string();
    }
    PeeringLimits limits;
    limits.local_asn = config_.local_asn;
    limits.four_octet_mode = config_.four_octet_mode;
    limits.max_peers = config_.max_peers;
    if (auto err = check_peer(peer, peers(), limits)) {
        return err;
    }
    Peer p;
    p.settings = std::make_shared<const PeerSettings>(std::move(peer));
    p.neighbor = next_neighbor_++;
    p.counters = &stats_.of(p.settings->name);
    auto [it, inserted] = peers_.emplace(p.settings->address, std::move(p));
    if (started_) {
        install_md5(*it->second.settings, false);
        start_peer(it->second);
    }
    return std::nullopt;
}

bool RouteServer::remove_peer(const net::IpAddress& address) {
    auto it = peers_.find(address);
    if (it == peers_.end()) {
        return false;
    }
    const auto cease =
        session::admin_cease(bgp::CeaseSubcode::PeerDeconfigured, "peer removed from the route server");
    for (auto& [local, session] : it->second.sessions) {
        session->stop(cease);
        graceful_restart_.forget(session->id());  // kept routes go with the peer
        retired_.push_back(session);
    }
    install_md5(*it->second.settings, true);
    stats_.removed(it->second.settings->name);  // after the sessions' on_down: their flaps are counted
    peers_.erase(it);
    check_deferral();  // our own restart may have been waiting for this peer only
    // Drop retired sessions once their connections have flushed (they hold no RIB state any more).
    retired_.erase(std::remove_if(retired_.begin(), retired_.end(),
                                  [](const auto& s) { return !s->has_open_connection(); }),
                   retired_.end());
    distribute();
    return true;
}

std::vector<PeerSettings> RouteServer::peers() const {
    std::vector<PeerSettings> out;
    out.reserve(peers_.size());
    for (const auto& [addr, p] : peers_) {
        out.push_back(*p.settings);
    }
    return out;
}

bool RouteServer::update_route_limits(PeerSettings settings) {
    auto it = peers_.find(settings.address);
    if (it == peers_.end()) {
        return false;
    }
    Peer& peer = it->second;
    if (settings.name.empty()) {
        settings.name = settings.address.to_string();
    }
    peer.settings = std::make_shared<const PeerSettings>(std::move(settings));
    const PeerSettings& s = *peer.settings;
    for (auto& [local, session] : peer.sessions) {
        session->update_settings(peer.settings);
        if (!rib_.is_up(session->id())) {
            continue;  // the new values reach the RIB when it comes up
        }
        const rib::UpdateResult r = rib_.set_route_limit(session->id(), s.route_limit, s.route_limit_action,
                                                         s.route_limit_warning_percent);
        if (r.status == rib::UpdateStatus::RouteLimitExceeded) {
            // The NOTIFICATION names a family (RFC 4486 §4): unicast of the peer address's family.
            session->drop_for_route_limit(bgp::AfiSafi{s.address.afi, net::Safi::Unicast}, r.route_count,
                                          r.route_limit);
        } else {
            log_route_limit(*session, r);
        }
    }
    distribute();
    return true;
}

std::optional<RouteServer::ResetResult> RouteServer::reset_peer(const std::string& name,
                                                                const std::string& message) {
    auto it = std::find_if(peers_.begin(), peers_.end(),
                           [&](const auto& p) { return p.second.settings->name == name; });
    if (it == peers_.end()) {
        return std::nullopt;
    }
    ResetResult result;
    const auto cease = session::admin_cease(bgp::CeaseSubcode::AdministrativeReset, message);
    for (auto& [local, session] : it->second.sessions) {
        switch (session->admin_reset(cease)) {
            case Session::AdminReset::Reset:
                ++result.reset;
                break;
            case Session::AdminReset::Restarted:
                ++result.restarted;
                break;
            case Session::AdminReset::Nothing:
                break;
        }
    }
    log("peer " + name + ": reset by the operator: " + std::to_string(result.reset) +
        " established session(s) reset (Cease / Administrative Reset), " + std::to_string(result.restarted) +
        " idle session(s) started again");
    distribute();
    return result;
}

RouteServer::VnetUpdate RouteServer::set_vnet_prefixes(std::vector<net::Prefix> prefixes) {
    VnetUpdate result;
    std::sort(prefixes.begin(), prefixes.end());
    prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
    auto before = config_.rib.vnet_prefixes;
    std::sort(before.begin(), before.end());
    before.erase(std::unique(before.begin(), before.end()), before.end());
    result.changed = before != prefixes;
    config_.rib.vnet_prefixes = prefixes;
    const rib::VnetChange change = rib_.set_vnet_prefixes(std::move(prefixes));
    distribute();  // the new address spaces go out before the peers are asked for their routes
    for (const rib::PeerId id : change.refresh) {
        auto it = established_.find(id);
        if (it != established_.end() && it->second->request_route_refresh()) {
            ++result.refreshed;
        }
    }
    // Reset after the loop over established_: a reset takes the session out of it.
    std::vector<Session*> to_reset;
    for (const rib::PeerId id : change.reset) {
        auto it = established_.find(id);
        if (it != established_.end()) {
            to_reset.push_back(it->second);
        }
    }
    // No data: the RFC 8203 shutdown communication is defined for subcodes 2 and 4 only.
    const bgp::Notification cease{static_cast<std::uint8_t>(bgp::ErrorCode::Cease),
                                  static_cast<std::uint8_t>(bgp::CeaseSubcode::OtherConfigurationChange),
                                  {}};
    for (Session* s : to_reset) {
        result.reset += s->reset(cease, "VNet address spaces changed; the peer has no route refresh") ? 1 : 0;
    }
    if (result.changed) {
        log("VNet address spaces changed: " + std::to_string(result.refreshed) +
            " session(s) sent ROUTE-REFRESH, " + std::to_string(result.reset) + " reset (no route refresh)");
    }
    distribute();
    return result;
}

void RouteServer::shutdown(const std::string& message, std::function<void()> done) {
    stopping_ = true;
    refused_log_timer_.cancel();
    log_refused_count();
    for (auto& l : listeners_) {
        boost::system::error_code ec;
        l.acceptor->close(ec);
    }
    const auto cease = session::admin_cease(bgp::CeaseSubcode::AdministrativeShutdown, message);
    for (auto& [addr, peer] : peers_) {
        for (auto& [local, session] : peer.sessions) {
            session->stop(cease);
        }
    }
    distribute();
    // Wait (bounded) until the NOTIFICATIONs are flushed: connections close themselves after sending.
    shutdown_done_ = std::move(done);
    shutdown_polls_ = 0;
    shutdown_timer_ = std::make_unique<asio::steady_timer>(io_);
    poll_shutdown();
}

void RouteServer::poll_shutdown() {
    bool open = false;
    for (auto& [addr, peer] : peers_) {
        for (auto& [local, session] : peer.sessions) {
            open = open || session->has_open_connection();
        }
    }
    if (!open || ++shutdown_polls_ > 60) {  // at most ~3 s
        if (shutdown_done_) {
            asio::post(io_, std::move(shutdown_done_));
            shutdown_done_ = nullptr;
        }
        return;
    }
    shutdown_timer_->expires_after(std::chrono::milliseconds(50));
    shutdown_timer_->async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            poll_shutdown();
        }
    });
}

std::vector<session::SessionStatus> RouteServer::sessions() const {
    std::vector<session::SessionStatus> out;
    for (const auto& [addr, peer] : peers_) {
        for (const auto& [local, session] : peer.sessions) {
            out.push_back(session->status());
        }
    }
    return out;
}

void RouteServer::on_transition(const session::TransitionRecord& record) {
    if (observer_) {
        observer_(record);
    }
}

void RouteServer::log(const std::string& line) {
    if (log_) {
        log_(line);
    }
}

// ---------------------------------------------------------------------- what the sessions report

void RouteServer::on_established(Session& session, const session::EstablishedSession& negotiated) {
    const PeerSettings& peer = session.peer();
    rib::PeerConfig cfg;
    cfg.id = session.id();
    cfg.neighbor = session.neighbor();
    cfg.address = peer.address;
    cfg.asn = negotiated.peer_asn;
    cfg.bgp_identifier = negotiated.peer_id;
    cfg.route_limit = peer.route_limit;
    cfg.counting = peer.counting;
    cfg.limit_action = peer.route_limit_action;
    cfg.warning_percent = peer.route_limit_warning_percent;
    cfg.route_refresh = negotiated.route_refresh;
    cfg.enhanced_route_refresh = negotiated.enhanced_route_refresh;
    cfg.long_lived_graceful_restart =
        negotiated.graceful_restart && !negotiated.graceful_restart->long_lived.empty();
    cfg.codec = negotiated.codec;
    cfg.families = negotiated.families;
    if (negotiated.local_address.is_v4()) {
        cfg.local_address_v4 = negotiated.local_address;
    } else {
        cfg.local_address_v6 = negotiated.local_address;
    }
    if (auto p = peers_.find(peer.address); p != peers_.end()) {
        cfg.import_policy = p->second.import_policy;
        cfg.export_policy = p->second.export_policy;
        cfg.policy_required = p->second.policy_required;
    }
    established_[cfg.id] = &session;
    if (PeerCounters* c = counters_of(session)) {
        c->up_since[cfg.id] = std::chrono::steady_clock::now();
    }
    const UpInfo& info = up_info_[cfg.id] =
        UpInfo{negotiated.local_port, negotiated.remote_port, negotiated.peer_asn,
               negotiated.peer_id,    negotiated.codec,       negotiated.received_open};
    for (Observer* o : observers_) {
        report_peer_up(*o, session, info);
    }
    graceful_restart_.established(session, negotiated);  // before peer_up: may purge what cannot wait
    auto table = rib_.peer_up(cfg);
    if (!deferring_) {
        session.send_messages(table);  // deferring: every peer gets its table when the deferral ends
    }                                  // the initial table, then End-of-RIB
    distribute();
}

std::size_t RouteServer::on_updates(Session& session, session::UpdateBatch& batch) {
    const rib::PeerId id = session.id();
    PeerCounters* counters = counters_of(session);
    for (std::size_t i = 0; i < batch.updates.size(); ++i) {
        const bgp::DecodedUpdate& update = batch.updates[i];
        if (update.action != bgp::Rfc7606Action::None) {
            std::string what;
            for (const auto& p : update.problems) {
                what += (what.empty() ? "" : "; ") + p.to_string();
            }
            log("peer " + session.peer().name + ": RFC 7606 " +
                std::string(bgp::rfc7606_action_name(update.action)) + ": " + what);
        }
        if (input_observer_) {
            input_observer_(batch.read_at);
        }
        const rib::UpdateResult r = rib_.apply_update(id, update);
        if (counters != nullptr) {
            counters->prefixes += r.prefixes;
        }
        if (update.update.is_end_of_rib()) {  // RFC 4724 §4.2: a restarted peer's stale routes end here
            graceful_restart_.end_of_rib(session, update.update.mp_unreach
                                                      ? update.update.mp_unreach->family
                                                      : bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast});
            check_deferral();  // our own restart may be waiting for this End-of-RIB (the session
                               // records it before handing the UPDATE over)
        }
        if (r.status == rib::UpdateStatus::RouteLimitExceeded) {
            // The RIB has already withdrawn the peer's routes; the session sends the Cease and closes.
            const bgp::AfiSafi family = update.update.mp_reach
                                            ? update.update.mp_reach->family
                                            : bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast};
            session.drop_for_route_limit(family, r.route_count, r.route_limit);
            return i + 1;
        }
        log_route_limit(session, r);
        for (Observer* o : observers_) {
            o->on_update_accepted(id, update);
        }
    }
    return batch.updates.size();
}

void RouteServer::log_route_limit(const Session& session, const rib::UpdateResult& r) {
    const PeerSettings& peer = session.peer();
    const std::string who = "peer " + peer.name + " (via " + session.local().to_string() + "): ";
    if (r.threshold_crossed) {
        log(who + std::to_string(r.route_count) + " routes reached " +
            std::to_string(peer.route_limit_warning_percent) + "% of its route limit " +
            std::to_string(r.route_limit) + " (route_limit_warning_percent)");
    }
    if (r.limit_crossed) {
        log(who + std::to_string(r.route_count) + " routes exceed its route limit " +
            std::to_string(r.route_limit) +
            "; route_limit_action warn: the session is kept and the routes are accepted");
    }
}

void RouteServer::on_route_refresh(Session& session, bgp::AfiSafi family) {
    if (deferring_) {
        return;  // the whole table goes out when our deferral ends
    }
    distribute();  // pending outbound first: the refresh is the last word
    session.send_messages(rib_.route_refresh(session.id(), family));
}

void RouteServer::on_refresh_begin(Session& session, bgp::AfiSafi family) {
    const std::size_t stale = rib_.mark_stale(session.id(), family);
    log("peer " + session.peer().name + ": BoRR for " + bgp::family_name(family) + ": " +
        std::to_string(stale) + " route(s) stale until re-advertised");
}

void RouteServer::on_refresh_end(Session& session, bgp::AfiSafi family, bool timed_out) {
    const std::size_t purged = rib_.purge_stale(session.id(), family);
    log("peer " + session.peer().name + ": " + (timed_out ? "no EoRR in time" : "EoRR") + " for " +
        bgp::family_name(family) + ": " + std::to_string(purged) + " stale route(s) withdrawn");
    distribute();
}

void RouteServer::on_down(Session& session, session::TimePoint at, const session::DownCause& cause) {
    if (input_observer_) {
        input_observer_(at);
    }
    if (!observers_.empty()) {
        report_peer_down(session);
    }
    if (!graceful_restart_.down(session, cause)) {
        rib_.peer_down(session.id());
    }
    established_.erase(session.id());
    up_info_.erase(session.id());
    if (PeerCounters* c = counters_of(session)) {
        ++c->flaps;  // on_down follows on_established exactly once: one Established → down transition
        c->up_since.erase(session.id());
    }
    distribute();
}

void RouteServer::on_input_handled(Session& /*session*/) {
    distribute();
}

PeerCounters* RouteServer::counters_of(const session::Session& session) {
    const auto it = peers_.find(session.peer().address);
    return it == peers_.end() ? nullptr : it->second.counters;
}

void RouteServer::on_notification(session::Session& session, const bgp::Notification& n, bool sent) {
    if (PeerCounters* c = counters_of(session)) {
        ++c->notifications[NotificationKey{sent, n.code, n.subcode}];
    }
}

void RouteServer::on_message_received(session::Session& session, std::span<const std::uint8_t> message,
                                      bool four_octet_as) {
    // The header's type octet (RFC 4271 §4.1): every UPDATE the peer sent, whatever the session does
    // with it.
    if (message.size() >= bgp::kHeaderSize &&
        message[bgp::kHeaderSize - 1] == static_cast<std::uint8_t>(bgp::MessageType::Update)) {
        if (PeerCounters* c = counters_of(session)) {
            ++c->updates_received;
        }
    }
    if (observers_.empty()) {
        return;
    }
    const ReceivedMessage m{session.peer(), session.local(), config_.local_asn,
                            four_octet_as,  message,         session.id()};
    for (Observer* o : observers_) {
        o->on_message_received(m);
    }
}

void RouteServer::on_log(const std::string& line) {
    log(line);
}

void RouteServer::distribute() {
    if (!retired_.empty()) {  // removed peers' sessions, kept until their last NOTIFICATION is flushed
        retired_.erase(std::remove_if(retired_.begin(), retired_.end(),
                                      [](const auto& s) { return !s->has_open_connection(); }),
                       retired_.end());
    }
    if (!rib_.has_outbound()) {
        return;
    }
    if (deferring_) {
        rib_.drain_outbound();  // superseded by the whole table each peer gets when the deferral ends
        return;
    }
    for (auto& out : rib_.drain_outbound()) {
        auto it = established_.find(out.peer);
        if (it != established_.end()) {
            it->second->send_messages(out.messages);
        }
    }
}

}  // namespace rf::server
