#include "daemon/bmp/exporter.hpp"

#include <algorithm>

#include "control/codec/codec.hpp"
#include "control/session/open_policy.hpp"

namespace rf::bmp_export {

namespace {

constexpr bgp::AfiSafi kIpv4{net::Afi::Ipv4, net::Safi::Unicast};

bool holds_asn(const bgp::PathAttributes& a, std::uint32_t asn) {
    if (!a.as_path) {
        return false;
    }
    for (const auto& seg : a.as_path->segments) {
        if (std::find(seg.asns.begin(), seg.asns.end(), asn) != seg.asns.end()) {
            return true;
        }
    }
    return false;
}

// The BGP messages of one UPDATE as the post-policy Adj-RIB-In took it: withdrawals, and the announcements
// unless the RIB does not use them (RFC 7606 treat-as-withdraw, an AS-path loop), which withdraw instead.
void encode_post_policy(const bgp::DecodedUpdate& d, bool withdraw_all, const bgp::CodecOptions& codec,
                        std::vector<std::uint8_t>& out) {
    const bgp::Update& u = d.update;
    if (!u.withdrawn.empty()) {
        bgp::encode_withdrawals(kIpv4, std::span(u.withdrawn.data(), u.withdrawn.size()), codec, out);
    }
    if (u.mp_unreach && !u.mp_unreach->withdrawn.empty()) {
        bgp::encode_withdrawals(u.mp_unreach->family,
                                std::span(u.mp_unreach->withdrawn.data(), u.mp_unreach->withdrawn.size()),
                                codec, out);
    }
    if (!u.nlri.empty()) {
        const std::span nlri(u.nlri.data(), u.nlri.size());
        if (withdraw_all) {
            bgp::encode_withdrawals(kIpv4, nlri, codec, out);
        } else {
            bgp::encode_announcements(u.attributes, kIpv4, {}, nlri, codec, out);
        }
    }
    if (u.mp_reach && !u.mp_reach->nlri.empty()) {
        const std::span nlri(u.mp_reach->nlri.data(), u.mp_reach->nlri.size());
        if (withdraw_all) {
            bgp::encode_withdrawals(u.mp_reach->family, nlri, codec, out);
        } else {
            bgp::encode_announcements(u.attributes, u.mp_reach->family,
                                      std::span(u.mp_reach->next_hops.data(), u.mp_reach->next_hops.size()),
                                      nlri, codec, out);
        }
    }
}

// The RFC 4271 §8.1 event behind a transition, for Peer Down reason 2 (closed without a NOTIFICATION).
std::uint16_t rfc4271_event(session::Reason r) {
    using R = session::Reason;
    switch (r) {
        case R::AdminStop:
            return 2;  // ManualStop
        case R::ConfigurationChange:
        case R::RouteLimitExceeded:
        case R::OutOfResources:
            return 8;  // AutomaticStop
        case R::HoldTimerExpired:
            return 10;
        case R::ConnectionLost:
            return 18;  // TcpConnectionFails
        case R::HeaderError:
            return 21;  // BGPHeaderErr
        case R::OpenRejected:
            return 22;  // BGPOpenMsgErr
        case R::CollisionLost:
            return 23;  // OpenCollisionDump
        case R::NotificationVersionError:
            return 24;
        case R::NotificationReceived:
            return 25;
        case R::UpdateError:
        case R::UnexpectedMessage:
            return 28;  // UpdateMsgErr
        default:
            return 0;
    }
}

std::size_t nlri_count(const bgp::Update& u) {
    return u.nlri.size() + (u.mp_reach ? u.mp_reach->nlri.size() : 0);
}

}  // namespace

void stamp_now(bmp::Peer& peer) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    peer.seconds = static_cast<std::uint32_t>(us / 1000000);
    peer.microseconds = static_cast<std::uint32_t>(us % 1000000);
}

Exporter::Exporter(boost::asio::io_context& io, server::RouteServer& server, std::string sys_name,
                   std::string sys_descr, Log log)
    : io_(io),
      server_(server),
      sys_name_(std::move(sys_name)),
      sys_descr_(std::move(sys_descr)),
      log_(std::move(log)) {}

Exporter::~Exporter() {
    if (observing_) {
        server_.remove_observer(*this);
    }
}

bool Exporter::wants(const CollectorConfig& c, Want what) {
    switch (what) {
        case Want::Any:
            return true;
        case Want::PrePolicy:
            return c.pre_policy;
        case Want::PostPolicy:
            return c.post_policy;
        case Want::LocRib:
            return c.loc_rib;
    }
    return false;
}

bool Exporter::anyone(Want what) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const Entry& e) { return e.collector->up() && wants(e.config, what); });
}

void Exporter::flush(Want what, std::uint64_t messages) {
    for (Entry& e : entries_) {
        if (e.collector->up() && wants(e.config, what)) {
            e.collector->send(out_, messages);
        }
    }
    out_.clear();
}

void Exporter::configure(const std::vector<CollectorConfig>& collectors) {
    std::vector<std::uint8_t> term;
    bmp::encode_termination(bmp::TerminationReason::PermanentlyClosed,
                            "collector removed from the configuration", term);
    {
        std::lock_guard lock(entries_mutex_);
        std::erase_if(entries_, [&](Entry& e) {
            const bool keep = std::find(collectors.begin(), collectors.end(), e.config) != collectors.end();
            if (!keep) {
                e.collector->terminate(term);
            }
            return !keep;
        });
        for (const CollectorConfig& c : collectors) {
            const bool running =
                std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.config == c; });
            if (!running) {
                add_collector(c);
            }
        }
    }
    refresh_wants();
    for (Entry& e : entries_) {
        if (!e.collector->up() && e.collector->stats().connects.load() == 0 &&
            e.collector->stats().connect_failures.load() == 0) {
            e.collector->start();
        }
    }
}

void Exporter::add_collector(const CollectorConfig& c) {
    Entry e;
    e.config = c;
    e.collector = std::make_unique<Collector>(
        io_, c.connection,
        [this](Collector& col) {
            for (Entry& x : entries_) {
                if (x.collector.get() == &col) {
                    resync(x);
                }
            }
        },
        log_);
    e.stats_timer = std::make_unique<boost::asio::steady_timer>(io_);
    entries_.push_back(std::move(e));
    arm_statistics(entries_.back());
}

// The route server is observed only while a collector is configured, and the RIB compares best paths
// only while one of them monitors the Loc-RIB.
void Exporter::refresh_wants() {
    const bool loc =
        std::any_of(entries_.begin(), entries_.end(), [](const Entry& e) { return e.config.loc_rib; });
    if (observing_ && (entries_.empty() || loc != wants_loc_rib_)) {
        server_.remove_observer(*this);
        observing_ = false;
        sessions_.clear();
    }
    wants_loc_rib_ = loc;
    if (!observing_ && !entries_.empty()) {
        observing_ = true;
        replaying_ = true;
        server_.add_observer(*this);  // tells on_peer_up of every session already up
        replaying_ = false;
    }
}

void Exporter::shutdown(const std::string& why) {
    std::vector<std::uint8_t> term;
    bmp::encode_termination(bmp::TerminationReason::AdministrativelyClosed, why, term);
    for (Entry& e : entries_) {
        e.stats_timer->cancel();
        e.collector->finish(term);
    }
}

void Exporter::terminate(const std::string& why) {
    std::vector<std::uint8_t> term;
    bmp::encode_termination(bmp::TerminationReason::AdministrativelyClosed, why, term);
    for (Entry& e : entries_) {
        e.stats_timer->cancel();
        e.collector->terminate(term);
    }
}

std::vector<CollectorStatus> Exporter::status() const {
    std::lock_guard lock(entries_mutex_);
    std::vector<CollectorStatus> out;
    for (const Entry& e : entries_) {
        const Collector::Options& o = e.config.connection;
        const CollectorStats& st = e.collector->stats();
        CollectorStatus s;
        s.name = o.name;
        s.address = (o.address.is_v4() ? o.address.to_string() : "[" + o.address.to_string() + "]") + ":" +
                    std::to_string(o.port);
        s.state = state_name(static_cast<CollectorState>(st.state.load(std::memory_order_relaxed)));
        if (e.config.pre_policy) {
            s.tables.emplace_back("pre-policy");
        }
        if (e.config.post_policy) {
            s.tables.emplace_back("post-policy");
        }
        if (e.config.loc_rib) {
            s.tables.emplace_back("loc-rib");
        }
        s.messages = st.messages.load(std::memory_order_relaxed);
        s.bytes = st.bytes.load(std::memory_order_relaxed);
        s.connects = st.connects.load(std::memory_order_relaxed);
        s.connect_failures = st.connect_failures.load(std::memory_order_relaxed);
        s.disconnects = st.disconnects.load(std::memory_order_relaxed);
        s.overflow_resets = st.overflow_resets.load(std::memory_order_relaxed);
        s.dropped_bytes = st.dropped_bytes.load(std::memory_order_relaxed);
        s.resyncs = st.resyncs.load(std::memory_order_relaxed);
        s.buffered = st.buffered.load(std::memory_order_relaxed);
        s.buffer_bytes = o.buffer_bytes;
        out.push_back(std::move(s));
    }
    return out;
}

// ------------------------------------------------------------------------------------ observer events

void Exporter::on_peer_up(const server::RouteServer::PeerUp& up) {
    Session s;
    s.peer.table = bmp::Table::PrePolicy;
    s.peer.address = up.peer.address;
    s.peer.asn = up.peer_asn;
    s.peer.bgp_id = up.peer_id;
    s.peer.two_octet_as = !up.codec.four_octet_as;
    s.local = up.local;
    s.local_port = up.local_port;
    s.remote_port = up.remote_port;
    bgp::encode_open(up.sent_open, s.sent_open);
    bgp::encode_open(up.received_open, s.received_open);
    s.post_codec.four_octet_as = true;
    s.post_codec.extended_message = true;  // room for a message that grew with four-octet AS numbers
    s.post_codec.add_path_send = up.codec.add_path_receive;
    Session& stored = sessions_[up.session] = std::move(s);
    if (!replaying_ && anyone(Want::Any)) {
        encode_peer_up(stored, out_);
        flush(Want::Any, 1);
    }
}

void Exporter::on_peer_down(const server::RouteServer::PeerDown& down) {
    auto it = sessions_.find(down.session);
    if (it == sessions_.end()) {
        return;
    }
    if (anyone(Want::Any)) {
        bmp::PeerDown d;
        if (down.received) {
            d.reason = bmp::PeerDownReason::RemoteNotification;
            d.notification = down.received;
        } else if (down.sent && down.sent->code == static_cast<std::uint8_t>(bgp::ErrorCode::Cease) &&
                   down.sent->subcode == static_cast<std::uint8_t>(bgp::CeaseSubcode::PeerDeconfigured)) {
            d.reason = bmp::PeerDownReason::Deconfigured;
        } else if (down.sent) {
            d.reason = bmp::PeerDownReason::LocalNotification;
            d.notification = down.sent;
        } else if (down.reason == session::Reason::ConnectionLost) {
            d.reason = bmp::PeerDownReason::RemoteNoData;
        } else {
            d.reason = bmp::PeerDownReason::LocalNoNotification;
            d.fsm_event = rfc4271_event(down.reason);
        }
        bmp::Peer peer = it->second.peer;
        stamp_now(peer);
        bmp::encode_peer_down(peer, d, out_);
        flush(Want::Any, 1);
    }
    sessions_.erase(it);
}

void Exporter::on_message_received(const server::RouteServer::ReceivedMessage& m) {
    if (m.message.size() <= 18 || m.message[18] != static_cast<std::uint8_t>(bgp::MessageType::Update) ||
        !anyone(Want::PrePolicy)) {
        return;
    }
    auto it = sessions_.find(m.session);
    if (it == sessions_.end()) {
        return;  // not up yet (no Peer Up sent): an UPDATE before Established ends the session anyway
    }
    bmp::Peer peer = it->second.peer;
    peer.two_octet_as = !m.four_octet_as;
    stamp_now(peer);
    bmp::encode_route_monitoring(peer, m.message, out_);
    flush(Want::PrePolicy, 1);
}

void Exporter::on_update_accepted(rib::PeerId session, const bgp::DecodedUpdate& update) {
    auto it = sessions_.find(session);
    if (it == sessions_.end()) {
        return;
    }
    Session& s = it->second;
    const bool treat_as_withdraw = update.action == bgp::Rfc7606Action::TreatAsWithdraw ||
                                   update.action == bgp::Rfc7606Action::AfiSafiDisable;
    const std::size_t announced = nlri_count(update.update);
    if (treat_as_withdraw) {
        ++s.updates_treat_as_withdraw;
        s.prefixes_treat_as_withdraw += announced;
    }
    const bool loop = !treat_as_withdraw && announced != 0 &&
                      holds_asn(update.update.attributes, server_.config().local_asn);
    s.as_path_loops += loop ? 1 : 0;
    if (!anyone(Want::PostPolicy)) {
        return;
    }
    scratch_.clear();
    encode_post_policy(update, treat_as_withdraw || loop, s.post_codec, scratch_);
    bmp::Peer peer = s.peer;
    peer.table = bmp::Table::PostPolicy;
    peer.two_octet_as = false;
    stamp_now(peer);
    flush(Want::PostPolicy, wrap(peer, scratch_, out_));
}

void Exporter::on_best_paths(std::span<const rib::BestPathChange> changes) {
    if (!anyone(Want::LocRib)) {
        return;
    }
    bgp::CodecOptions codec;
    codec.four_octet_as = true;
    codec.extended_message = true;
    scratch_.clear();
    std::vector<bgp::Nlri> run;
    // Consecutive changes with the same interned attributes and next hops share one UPDATE.
    for (std::size_t i = 0; i < changes.size();) {
        const rib::BestPathChange& first = changes[i];
        const bgp::AfiSafi family{first.prefix.afi, net::Safi::Unicast};
        run.clear();
        std::size_t j = i;
        for (; j < changes.size(); ++j) {
            const rib::BestPathChange& c = changes[j];
            if (c.attributes != first.attributes || c.prefix.afi != first.prefix.afi ||
                !std::equal(c.mp_next_hops.begin(), c.mp_next_hops.end(), first.mp_next_hops.begin(),
                            first.mp_next_hops.end())) {
                break;
            }
            run.push_back(bgp::Nlri{c.prefix, 0});
        }
        if (first.attributes == nullptr) {
            bgp::encode_withdrawals(family, run, codec, scratch_);
        } else {
            bgp::encode_announcements(*first.attributes, family, first.mp_next_hops, run, codec, scratch_);
        }
        i = j;
    }
    bmp::Peer peer = loc_rib_peer();
    stamp_now(peer);
    flush(Want::LocRib, wrap(peer, scratch_, out_));
}

// ------------------------------------------------------------------------------------------- helpers

std::uint64_t Exporter::wrap(const bmp::Peer& peer, std::span<const std::uint8_t> bgp,
                             std::vector<std::uint8_t>& out) {
    std::uint64_t n = 0;
    for (std::size_t at = 0; at + bgp::kHeaderSize <= bgp.size();) {
        const std::size_t len = (std::size_t{bgp[at + 16]} << 8) | bgp[at + 17];
        if (len < bgp::kHeaderSize || at + len > bgp.size()) {
            break;  // never produced by our encoder
        }
        bmp::encode_route_monitoring(peer, bgp.subspan(at, len), out);
        ++n;
        at += len;
    }
    return n;
}

bmp::Peer Exporter::loc_rib_peer() const {
    bmp::Peer p;
    p.table = bmp::Table::LocRib;
    p.asn = server_.config().local_asn;
    p.bgp_id = server_.config().router_id;
    return p;
}

void Exporter::encode_peer_up(const Session& s, std::vector<std::uint8_t>& out) const {
    bmp::Peer peer = s.peer;
    stamp_now(peer);
    bmp::PeerUp up;
    up.local_address = s.local;
    up.local_port = s.local_port;
    up.remote_port = s.remote_port;
    up.sent_open = s.sent_open;
    up.received_open = s.received_open;
    bmp::encode_peer_up(peer, up, out);
}

// RFC 9069 §5.3: the Loc-RIB instance's Peer Up carries a fabricated OPEN of the route server (sent and
// received alike) and the VRF/Table Name TLV.
void Exporter::encode_loc_rib_peer_up(std::vector<std::uint8_t>& out) const {
    const server::ServerConfig& c = server_.config();
    std::vector<std::uint8_t> open;
    bgp::encode_open(session::make_local_open(c.local_asn, c.router_id, c.hold_time), open);
    bmp::Peer peer = loc_rib_peer();
    stamp_now(peer);
    bmp::PeerUp up;
    up.sent_open = open;
    up.received_open = open;
    up.information.push_back({bmp::kInfoTableName, "global"});
    bmp::encode_peer_up(peer, up, out);
}

void Exporter::arm_statistics(Entry& e) {
    if (e.config.statistics_interval.count() == 0) {
        return;
    }
    e.stats_timer->expires_after(e.config.statistics_interval);
    Collector* col = e.collector.get();
    e.stats_timer->async_wait([this, col](const boost::system::error_code& ec) {
        if (ec) {
            return;
        }
        for (Entry& x : entries_) {
            if (x.collector.get() == col) {
                send_statistics(x);
                arm_statistics(x);
            }
        }
    });
}

void Exporter::send_statistics(Entry& e) {
    if (!e.collector->up()) {
        return;
    }
    std::vector<std::uint8_t> out;
    std::uint64_t n = 0;
    const rib::RouteServerRib& rib = server_.rib();
    for (const auto& [id, s] : sessions_) {
        bmp::Peer peer = s.peer;
        stamp_now(peer);
        const bmp::Statistic stats[] = {
            {bmp::StatType::AdjRibInRoutes, rib.route_count(id), std::nullopt},
            {bmp::StatType::AsPathLoop, s.as_path_loops, std::nullopt},
            {bmp::StatType::UpdatesTreatAsWithdraw, s.updates_treat_as_withdraw, std::nullopt},
            {bmp::StatType::PrefixesTreatAsWithdraw, s.prefixes_treat_as_withdraw, std::nullopt},
        };
        bmp::encode_statistics(peer, stats, out);
        ++n;
    }
    if (e.config.loc_rib) {
        bmp::Peer peer = loc_rib_peer();
        stamp_now(peer);
        const bmp::Statistic stats[] = {
            {bmp::StatType::LocRibRoutes, rib.stats().loc_rib_prefixes, std::nullopt}};
        bmp::encode_statistics(peer, stats, out);
        ++n;
    }
    if (n != 0) {
        e.collector->send(out, n);
    }
}

}  // namespace rf::bmp_export
