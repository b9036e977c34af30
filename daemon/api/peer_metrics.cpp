#include "daemon/api/peer_metrics.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "control/codec/errors.hpp"
#include "control/server/route_server.hpp"
#include "daemon/api/metrics.hpp"

namespace rf::api {

namespace {

constexpr session::State kStates[] = {session::State::Idle,        session::State::Connect,
                                      session::State::Active,      session::State::OpenSent,
                                      session::State::OpenConfirm, session::State::Established};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

constexpr std::string_view kStateHelp =
    "1 for the peer's BGP state (Established if any of its sessions is, else the most advanced), 0 for the "
    "others.";
constexpr std::string_view kSessionsHelp =
    "The peer's sessions in Established (one per route-server instance).";
constexpr std::string_view kUptimeHelp =
    "Seconds since the peer's longest-established session reached Established; 0 when none is.";
constexpr std::string_view kBestHelp =
    "Prefixes for which the peer's path is in the Loc-RIB's best/ECMP set now.";
constexpr std::string_view kFlapsHelp = "Times a session of the peer left Established.";
constexpr std::string_view kNotificationsHelp =
    "BGP NOTIFICATION messages sent to and received from the peer, by error code and subcode (other: not "
    "a registered value).";
constexpr std::string_view kUpdatesHelp = "BGP UPDATE messages received from the peer.";
constexpr std::string_view kReceivedHelp = "Prefixes the peer announced (NLRI of its UPDATEs, every family).";
constexpr std::string_view kAcceptedHelp = "Announced prefixes accepted into the decision process.";
constexpr std::string_view kFilteredHelp =
    "Announced prefixes not accepted, by reason (received = accepted + filtered).";
constexpr std::string_view kWithdrawnHelp = "Prefixes the peer withdrew (withdrawn NLRI of its UPDATEs).";

struct Family {
    const char* name;
    bool counter;
    std::string_view help;
};
// Every family this file sets, declared at each render so that a scrape shows them before their first
// sample (a NOTIFICATION family before any NOTIFICATION), and cleared before they are set afresh.
const Family kFamilies[] = {
    {"routefabric_peer_state", false, kStateHelp},
    {"routefabric_peer_established_sessions", false, kSessionsHelp},
    {"routefabric_peer_uptime_seconds", false, kUptimeHelp},
    {"routefabric_peer_best_prefixes", false, kBestHelp},
    {"routefabric_peer_flaps_total", true, kFlapsHelp},
    {"routefabric_peer_notifications_total", true, kNotificationsHelp},
    {"routefabric_peer_updates_received_total", true, kUpdatesHelp},
    {"routefabric_peer_prefixes_received_total", true, kReceivedHelp},
    {"routefabric_peer_prefixes_accepted_total", true, kAcceptedHelp},
    {"routefabric_peer_prefixes_filtered_total", true, kFilteredHelp},
    {"routefabric_peer_prefixes_withdrawn_total", true, kWithdrawnHelp},
};

}  // namespace

std::pair<std::string, std::string> notification_labels(std::uint8_t code, std::uint8_t subcode) {
    const auto c = static_cast<bgp::ErrorCode>(code);
    if (bgp::error_code_name(c) == "Unknown Error Code") {
        return {"other", "other"};
    }
    const bool known = bgp::error_subcode_name(c, subcode) != "Unknown Subcode";
    return {std::to_string(code), known ? std::to_string(subcode) : "other"};
}

std::vector<PeerMetricsRow> peer_metrics_rows(const server::RouteServer& server,
                                              std::chrono::steady_clock::time_point now) {
    std::map<std::string, PeerMetricsRow> rows;
    for (const auto& [name, counters] : server.peer_stats().all()) {
        PeerMetricsRow& row = rows[name];
        row.peer = name;
        row.configured = counters.configured;
        row.counters = counters;
        row.counters.up_since.clear();
        for (const auto& [id, since] : counters.up_since) {
            row.uptime_seconds =
                std::max(row.uptime_seconds, std::chrono::duration<double>(now - since).count());
        }
    }
    for (const session::SessionStatus& s : server.sessions()) {
        PeerMetricsRow& row = rows[s.peer];
        row.peer = s.peer;
        row.state = std::max(row.state, s.state);  // the enum is in the order a session advances
        if (s.state == session::State::Established) {
            ++row.established_sessions;
        }
        if (s.rib_id != 0) {
            row.best_prefixes += server.rib().ecmp_prefix_count(s.rib_id);
        }
    }
    std::vector<PeerMetricsRow> out;
    out.reserve(rows.size());
    for (auto& [name, row] : rows) {
        out.push_back(std::move(row));
    }
    return out;
}

void set_peer_metrics(metrics::Registry& r, const std::vector<PeerMetricsRow>& rows) {
    for (const Family& f : kFamilies) {
        if (f.counter) {
            r.declare_counter(f.name, f.help);
        } else {
            r.declare_gauge(f.name, f.help);
        }
        r.clear_mirrored_family(f.name);
    }
    for (const PeerMetricsRow& row : rows) {
        const metrics::Labels peer{{"peer", row.peer}};
        if (row.configured) {
            for (const session::State s : kStates) {
                r.gauge("routefabric_peer_state", kStateHelp,
                        {{"peer", row.peer}, {"state", lower(session::state_name(s))}})
                    .set(s == row.state ? 1.0 : 0.0);
            }
            r.gauge("routefabric_peer_established_sessions", kSessionsHelp, peer)
                .set(static_cast<double>(row.established_sessions));
            r.gauge("routefabric_peer_uptime_seconds", kUptimeHelp, peer).set(row.uptime_seconds);
            r.gauge("routefabric_peer_best_prefixes", kBestHelp, peer)
                .set(static_cast<double>(row.best_prefixes));
        }
        const server::PeerCounters& c = row.counters;
        r.counter("routefabric_peer_flaps_total", kFlapsHelp, peer).set(c.flaps);
        // Codes and subcodes outside the registry fold into "other": sum them per label set.
        std::map<metrics::Labels, std::uint64_t> notifications;
        for (const auto& [key, n] : c.notifications) {
            auto [code, subcode] = notification_labels(key.code, key.subcode);
            notifications[{{"peer", row.peer},
                           {"direction", key.sent ? "sent" : "received"},
                           {"code", std::move(code)},
                           {"subcode", std::move(subcode)}}] += n;
        }
        for (const auto& [labels, n] : notifications) {
            r.counter("routefabric_peer_notifications_total", kNotificationsHelp, labels).set(n);
        }
        r.counter("routefabric_peer_updates_received_total", kUpdatesHelp, peer).set(c.updates_received);
        r.counter("routefabric_peer_prefixes_received_total", kReceivedHelp, peer).set(c.prefixes.received);
        r.counter("routefabric_peer_prefixes_accepted_total", kAcceptedHelp, peer).set(c.prefixes.accepted);
        for (std::size_t i = 0; i < rib::kFilterReasonCount; ++i) {
            const auto reason = static_cast<rib::FilterReason>(i);
            r.counter("routefabric_peer_prefixes_filtered_total", kFilteredHelp,
                      {{"peer", row.peer}, {"reason", std::string(rib::filter_reason_name(reason))}})
                .set(c.prefixes.filtered[i]);
        }
        r.counter("routefabric_peer_prefixes_withdrawn_total", kWithdrawnHelp, peer)
            .set(c.prefixes.withdrawn);
    }
}

}  // namespace rf::api
