// The route server as a restarting speaker (RFC 4724 §4.1): after a restart of routefabricd
// (ServerConfig::restarting) our OPENs carry the R bit and nothing is advertised until the peers have
// sent us their routes and End-of-RIB, so that no peer is sent a half-learned table (and the withdrawals
// that would follow it); then every established peer gets its whole table and End-of-RIB at once.
#include <algorithm>

#include "control/server/route_server.hpp"

namespace rf::server {

void RouteServer::start_deferral() {
    if (!config_.restarting) {
        return;
    }
    deferring_ = true;
    deferral_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
    deferral_timer_->expires_after(std::chrono::seconds(config_.selection_deferral_time));
    deferral_timer_->async_wait([this](const boost::system::error_code& ec) {
        if (!ec && deferring_) {
            end_deferral("selection deferral time (" + std::to_string(config_.selection_deferral_time) +
                         " s) expired");
        }
    });
    log("graceful restart: restarting (R bit set); advertisements deferred until every peer sent End-of-RIB, "
        "at most " +
        std::to_string(config_.selection_deferral_time) + " s");
}

void RouteServer::check_deferral() {
    if (!deferring_) {
        return;
    }
    for (const auto& [addr, peer] : peers_) {
        for (const auto& [local, s] : peer.sessions) {
            if (s->state() != session::State::Established) {
                return;  // not back yet: waited for until the deferral time
            }
            const session::SessionStatus st = s->status();
            // RFC 4724 §4.1: peers without the capability, and peers restarting themselves (their R
            // bit), are not waited for: they may be waiting for our End-of-RIB.
            if (!st.graceful_restart || st.graceful_restart->restart_state) {
                continue;
            }
            const auto& eor = st.end_of_rib_received;
            const auto families = rib_.peer_config(s->id());
            if (!families) {
                return;
            }
            for (const auto& f : families->families) {
                if (std::find(eor.begin(), eor.end(), f) == eor.end()) {
                    return;
                }
            }
        }
    }
    end_deferral("every peer sent End-of-RIB");
}

void RouteServer::end_deferral(const std::string& why) {
    deferring_ = false;
    if (deferral_timer_) {
        deferral_timer_->cancel();
    }
    rib_.drain_outbound();  // what piled up meanwhile: each peer's whole table replaces it
    std::size_t sent = 0;
    for (auto& [addr, peer] : peers_) {
        for (auto& [local, s] : peer.sessions) {
            s->clear_restart_state();
            if (established_.count(s->id()) != 0) {
                s->send_messages(rib_.full_table(s->id()));
                ++sent;
            }
        }
    }
    log("graceful restart: restart complete (" + why + "); whole table and End-of-RIB sent to " +
        std::to_string(sent) + " session(s)");
}

}  // namespace rf::server
