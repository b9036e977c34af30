// The route server's observers (route_server.hpp, Observer): the MRT message log and the BMP exporter
// subscribe here; peers up and down, received messages and best-path changes are reported to each, and
// only while someone listens (the RIB compares best paths only while an observer wants them).
#include <algorithm>

#include "control/server/route_server.hpp"

namespace rf::server {

using session::Session;

void RouteServer::add_observer(Observer& o) {
    observers_.push_back(&o);
    watch_best_paths();
    for (const auto& [id, session] : established_) {
        if (auto it = up_info_.find(id); it != up_info_.end()) {
            report_peer_up(o, *session, it->second);
        }
    }
}

void RouteServer::report_peer_up(Observer& o, const Session& session, const UpInfo& info) const {
    o.on_peer_up(PeerUp{session.id(), session.peer(), session.local(), info.local_port, info.remote_port,
                        info.peer_asn, info.peer_id, info.codec, session.local_open(), info.received_open});
}

void RouteServer::remove_observer(Observer& o) {
    observers_.erase(std::remove(observers_.begin(), observers_.end(), &o), observers_.end());
    watch_best_paths();
}

// The RIB compares best paths only while an observer wants them.
void RouteServer::watch_best_paths() {
    const bool wanted = std::any_of(observers_.begin(), observers_.end(),
                                    [](const Observer* o) { return o->wants_best_paths(); });
    if (!wanted) {
        rib_.set_best_path_observer(nullptr);
        return;
    }
    rib_.set_best_path_observer([this](std::span<const rib::BestPathChange> changes) {
        for (Observer* o : observers_) {
            if (o->wants_best_paths()) {
                o->on_best_paths(changes);
            }
        }
    });
}

void RouteServer::report_peer_down(const Session& session) {
    const session::SessionStatus st = session.status();
    PeerDown down{session.id(), session.peer(), st.last_reason, std::nullopt, std::nullopt};
    using R = session::Reason;
    switch (st.last_reason) {
        case R::NotificationReceived:
        case R::NotificationVersionError:
            down.received = st.last_received;
            break;
        case R::HoldTimerExpired:
        case R::UpdateError:
        case R::HeaderError:
        case R::UnexpectedMessage:
        case R::RouteLimitExceeded:
        case R::OutOfResources:
        case R::ConfigurationChange:
        case R::AdminStop:
        case R::CollisionLost:
        case R::OpenRejected:
            down.sent = st.last_sent;  // these transitions send a NOTIFICATION (fsm.cpp's table)
            break;
        default:
            break;
    }
    for (Observer* o : observers_) {
        o->on_peer_down(down);
    }
}

}  // namespace rf::server
