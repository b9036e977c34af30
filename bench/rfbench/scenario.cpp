#include "bench/rfbench/scenario.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

#include "bench/rfbench/harness.hpp"
#include "bench/rfbench/preencode.hpp"
#include "bench/rfbench/replay_scenario.hpp"

namespace rf::bench {

std::vector<std::string> scenario_names() {
    return {"bringup", "ingest", "failover", "churn", "route-limit", "peer-count"};
}

std::string failover_mode_name(FailoverMode m) {
    switch (m) {
        case FailoverMode::Abort:
            return "abort";
        case FailoverMode::Notification:
            return "notification";
        case FailoverMode::HoldExpiry:
            return "hold";
    }
    return "?";
}

namespace {

std::string notification_text(const std::optional<NotificationRecord>& n) {
    if (!n)
        return "none";
    return std::to_string(n->code) + "/" + std::to_string(n->subcode) + " " +
           std::string(bgp::error_code_name(static_cast<bgp::ErrorCode>(n->code))) + " / " +
           std::string(bgp::error_subcode_name(static_cast<bgp::ErrorCode>(n->code), n->subcode));
}

// Expected owner of every universe prefix when the peers in `alive` announce per `plan`.
void expect_plan(Tracker& t, const LoadPlan& plan, const std::vector<bool>& alive) {
    for (std::uint32_t p = 0; p < plan.peers; ++p)
        t.set_eligible(p, alive[p]);
    if (plan.overlap == Overlap::Disjoint) {
        for (std::uint32_t p = 0; p < plan.peers; ++p)
            t.expect_range(plan.first_index(p), plan.prefixes_per_peer,
                           alive[p] ? Tracker::peer_value(p) : Tracker::kAbsent);
        return;
    }
    std::uint32_t best_len = 0xFFFFFFFF;
    std::uint32_t best_count = 0;
    std::uint32_t best_peer = 0;
    for (std::uint32_t p = 0; p < plan.peers; ++p) {
        if (!alive[p])
            continue;
        const auto len = plan.path_length(p);
        if (len < best_len) {
            best_len = len;
            best_count = 1;
            best_peer = p;
        } else if (len == best_len) {
            ++best_count;
        }
    }
    for (std::uint32_t p = 0; p < plan.peers; ++p)
        t.set_eligible(p, alive[p] && plan.path_length(p) == best_len);
    const std::uint16_t value = best_count == 0   ? Tracker::kAbsent
                                : best_count == 1 ? Tracker::peer_value(best_peer)
                                                  : Tracker::kAnyEligible;
    t.expect_range(0, plan.prefixes_per_peer, value);
}

std::vector<PackedUpdates> encode_plan(const LoadPlan& plan) {
    std::vector<PackedUpdates> loads;
    for (std::uint32_t p = 0; p < plan.peers; ++p)
        loads.push_back(encode_announce_range(peer_identity(p), plan.path_length(p), plan.first_index(p),
                                              plan.prefixes_per_peer));
    return loads;
}

// Everything is encoded before the clock starts: all peers start sending in one loop iteration.
void send_loads(Harness& h, const std::vector<PackedUpdates>& loads) {
    for (std::size_t p = 0; p < loads.size(); ++p)
        h.peers[p]->send(loads[p].bytes);
}

void send_plan(Harness& h, const LoadPlan& plan) {
    send_loads(h, encode_plan(plan));
}

// ------------------------------------------------------------------------------------------ scenarios

void scenario_bringup(const ScenarioOptions& o, Harness& h, Measurement& m) {
    h.setup(o.plan.peers, 0, 0, 0, o.hold_time);
    h.sample_start();
    const Nanos t0 = h.bring_up(o.plan.peers);
    h.set_active(o.plan.peers);
    record_bringup(m, h, t0, o.plan.peers);
    m.headline_name = "bringup_all_ms";
    m.headline = m.number("bringup_all_ms");
    // Sessions stay up through a keepalive exchange or two.
    h.loop.run_for(seconds(std::min(2.0, o.settle_s + 1.0)));
    h.check_sessions({});
    m.ok = true;
}

void scenario_ingest(const ScenarioOptions& o, Harness& h, Measurement& m) {
    const LoadPlan& plan = o.plan;
    h.setup(plan.peers, 0, plan.universe_size(), 0, o.hold_time);
    const Nanos tb = h.bring_up(plan.peers);
    h.set_active(plan.peers);
    record_bringup(m, h, tb, plan.peers);
    h.settle();
    expect_plan(*h.tracker, plan, std::vector<bool>(plan.peers, true));
    const auto loads = encode_plan(plan);
    h.tracker->reset_timing();
    h.sample_start();
    const Nanos t0 = now_ns();
    send_loads(h, loads);
    const bool done = h.wait_converged(h.deadline());
    const Nanos monitor_done = now_ns();
    if (done) {
        // Reflection to every peer (N x (N-1) x K prefixes) goes on after the monitor has its copy.
        const Nanos all_done = h.wait_quiet(300 * kMilli, monitor_done + seconds(o.phase_timeout_s));
        m.num("all_peers_done_ms", to_ms(all_done - t0));
    }
    h.record_target();
    Nanos sent_done = 0;
    for (std::uint32_t p = 0; p < plan.peers; ++p)
        sent_done = std::max(sent_done, h.peers[p]->last_update_write_at());
    m.num("generator_done_ms", to_ms(sent_done - t0));
    m.integer("universe", plan.universe_size());
    m.integer("announcements", static_cast<std::int64_t>(plan.total_announcements()));
    m.integer("monitor_updates", static_cast<std::int64_t>(h.tracker->updates()));
    m.text("overlap", overlap_name(plan.overlap));
    m.text("path_lengths", plan.path_lengths_text());
    if (!done)
        throw ScenarioFailure{h.not_converged("ingest")};
    const double last_ms = to_ms(h.tracker->last_match_at() - t0);
    m.num("first_prefix_ms", to_ms(h.tracker->first_change_at() - t0));
    m.num("last_prefix_ms", last_ms);
    m.num("prefixes_per_s", last_ms > 0 ? plan.universe_size() / (last_ms / 1e3) : 0);
    m.num("announcements_per_s",
          last_ms > 0 ? static_cast<double>(plan.total_announcements()) / (last_ms / 1e3) : 0);
    m.integer("foreign_prefixes", static_cast<std::int64_t>(h.tracker->foreign_present()));
    m.convergence = h.tracker->match_times_since(t0);
    m.headline_name = "last_prefix_ms";
    m.headline = last_ms;
    m.ok = true;
}

void scenario_failover(const ScenarioOptions& o, Harness& h, Measurement& m) {
    LoadPlan plan = o.plan;
    plan.overlap = Overlap::Shared;
    if (plan.peers < 2)
        plan.peers = 2;
    if (plan.path_lengths.empty())
        plan.path_lengths = {1, 2};
    h.setup(plan.peers, 0, plan.universe_size(), 0, o.failover_hold);
    h.bring_up(plan.peers);
    h.set_active(plan.peers);
    h.settle();
    std::vector<bool> alive(plan.peers, true);
    expect_plan(*h.tracker, plan, alive);
    send_plan(h, plan);
    if (!h.wait_converged(h.deadline()))
        throw ScenarioFailure{h.not_converged("failover: initial load")};
    // With ECMP any path converges: let the target finish its tie-breaks (OpenBGPD still replaces paths
    // for a while) so that nothing of the initial load arrives after the failure and counts against it.
    h.wait_quiet(300 * kMilli, h.deadline());

    // The victim: the unique best peer, or (ECMP) the peer the monitor sees for most prefixes.
    std::vector<std::uint32_t> seen(plan.peers, 0);
    for (std::uint32_t i = 0; i < h.tracker->size(); ++i) {
        const auto ow = h.tracker->owner(i);
        if (ow != Tracker::kAbsent && ow != Tracker::kUnknownPeer && ow - 1u < plan.peers)
            ++seen[ow - 1u];
    }
    const auto victim = static_cast<std::uint32_t>(std::max_element(seen.begin(), seen.end()) - seen.begin());
    Session& v = *h.peers[victim];
    m.integer("victim", victim);
    m.text("mode", failover_mode_name(o.failover_mode));
    std::uint32_t shortest = 0xFFFFFFFF;
    std::uint32_t ties = 0;
    for (std::uint32_t p = 0; p < plan.peers; ++p)
        shortest = std::min(shortest, plan.path_length(p));
    for (std::uint32_t p = 0; p < plan.peers; ++p)
        ties += plan.path_length(p) == shortest ? 1 : 0;
    m.text("case", ties > 1 ? "ecmp" : "best-path");
    m.variant = failover_mode_name(o.failover_mode) + "/" + (ties > 1 ? "ecmp" : "best-path");

    h.tracker->reset_timing();
    h.sample_start();
    alive[victim] = false;
    const Nanos t0 = now_ns();
    switch (o.failover_mode) {
        case FailoverMode::Abort:
            v.abort();
            break;
        case FailoverMode::Notification:
            v.close_with_notification(6, 2);
            break;  // Cease / Administrative Shutdown
        case FailoverMode::HoldExpiry:
            v.go_silent();
            break;
    }
    expect_plan(*h.tracker, plan, alive);
    const Nanos deadline = h.deadline() + static_cast<Nanos>(o.failover_hold) * kSecond;
    const bool done = h.wait_converged(deadline, {&v});
    h.record_target();
    if (o.failover_mode == FailoverMode::HoldExpiry) {
        // The target must have sent Hold Timer Expired to the silent peer.
        h.loop.run_until([&] { return !v.established(); }, now_ns() + 5 * kSecond);
        m.text("victim_notification", notification_text(v.last_received_notification()));
    }
    if (!done)
        throw ScenarioFailure{h.not_converged("failover")};
    const double ms = to_ms(h.tracker->last_match_at() - t0);
    m.num("first_change_ms", to_ms(h.tracker->first_change_at() - t0));
    m.num("failover_ms", ms);
    m.integer("regressions", static_cast<std::int64_t>(h.tracker->regressions()));
    m.convergence = h.tracker->match_times_since(t0);
    m.headline_name = "failover_ms";
    m.headline = ms;
    m.ok = h.tracker->regressions() == 0;
    if (o.failover_mode == FailoverMode::HoldExpiry) {
        const auto n = v.last_received_notification();
        if (!n || n->code != 4) {
            m.ok = false;
            m.error = "silent peer did not receive Hold Timer Expired";
        }
    }
}

void scenario_churn(const ScenarioOptions& o, Harness& h, Measurement& m) {
    LoadPlan plan = o.plan;
    plan.overlap = Overlap::Disjoint;
    const std::uint32_t total = plan.universe_size();
    const std::uint32_t churn = std::min(o.churn_prefixes, total);
    h.setup(plan.peers, 0, total, 0, o.hold_time);
    h.bring_up(plan.peers);
    h.set_active(plan.peers);
    h.settle();
    expect_plan(*h.tracker, plan, std::vector<bool>(plan.peers, true));
    send_plan(h, plan);
    if (!h.wait_converged(h.deadline()))
        throw ScenarioFailure{h.not_converged("churn: initial load")};

    // Churned prefixes spread round-robin over the peers; one pre-encoded UPDATE per (prefix, direction).
    struct Slot {
        std::uint32_t peer;
        std::uint32_t index;
        std::uint32_t pos;
        bool announced = true;
    };
    std::vector<Slot> slots;
    std::vector<std::vector<std::uint32_t>> per_peer(plan.peers);
    for (std::uint32_t j = 0; j < churn; ++j) {
        const std::uint32_t p = j % plan.peers;
        const std::uint32_t idx = plan.first_index(p) + j / plan.peers;
        slots.push_back(Slot{p, idx, static_cast<std::uint32_t>(per_peer[p].size())});
        per_peer[p].push_back(idx);
    }
    std::vector<SingleUpdates> announce;
    std::vector<SingleUpdates> withdraw;
    for (std::uint32_t p = 0; p < plan.peers; ++p) {
        announce.push_back(encode_single_announcements(peer_identity(p), plan.path_length(p), per_peer[p]));
        withdraw.push_back(encode_single_withdrawals(per_peer[p]));
    }

    const auto events = static_cast<std::uint64_t>(o.churn_rate * o.churn_seconds);
    const Nanos interval = static_cast<Nanos>(1e9 / o.churn_rate);
    h.tracker->reset_timing();
    h.sample_start();
    const Nanos t0 = now_ns();
    std::uint64_t sent = 0;
    const Nanos churn_deadline = t0 + seconds(o.churn_seconds) + seconds(o.phase_timeout_s);
    while (sent < events) {
        const Nanos now = now_ns();
        if (now > churn_deadline)
            throw ScenarioFailure{"churn: could not send events in time"};
        while (sent < events && t0 + static_cast<Nanos>(sent) * interval <= now) {
            Slot& s = slots[sent % slots.size()];
            const SingleUpdates& u = s.announced ? withdraw[s.peer] : announce[s.peer];
            s.announced = !s.announced;
            h.tracker->expect(s.index, s.announced ? Tracker::peer_value(s.peer) : Tracker::kAbsent);
            const Nanos at = now_ns();
            h.peers[s.peer]->send(u.bytes, u.offsets[s.pos], u.offsets[s.pos + 1]);
            h.tracker->mark_pending(s.index, at);
            ++sent;
        }
        h.check_sessions({});
        const Nanos next = t0 + static_cast<Nanos>(sent) * interval;
        h.loop.run_once(std::max<Nanos>(0, std::min(next - now_ns(), kMilli)));
    }
    const bool final_ok = h.wait_converged(h.deadline());
    h.record_target();
    std::vector<Nanos> lags;
    for (const auto& [at, lag] : h.tracker->lag_samples()) {
        lags.push_back(lag);
        m.lags.emplace_back(at - t0, lag);
    }
    const auto s = summarize(lags);
    m.integer("churn_prefixes", churn);
    m.num("rate_events_per_s", o.churn_rate);
    m.num("duration_s", o.churn_seconds);
    m.integer("events", static_cast<std::int64_t>(sent));
    m.integer("lag_samples", static_cast<std::int64_t>(s.count));
    m.integer("overruns", static_cast<std::int64_t>(h.tracker->overruns()));
    m.num("lag_p50_ms", to_ms(s.p50));
    m.num("lag_p90_ms", to_ms(s.p90));
    m.num("lag_p99_ms", to_ms(s.p99));
    m.num("lag_max_ms", to_ms(s.max));
    m.num("lag_mean_ms", s.mean / 1e6);
    m.flag("final_state_ok", final_ok && h.tracker->foreign_present() == 0);
    m.integer("stale_prefixes", h.tracker->mismatched());
    m.headline_name = "lag_p99_ms";
    m.headline = to_ms(s.p99);
    if (!final_ok)
        throw ScenarioFailure{h.not_converged("churn: final state")};
    m.ok = s.count > 0;
}

void scenario_route_limit(const ScenarioOptions& o, Harness& h, Measurement& m, const Target& target) {
    const std::uint32_t n = std::max<std::uint32_t>(2, o.plan.peers);
    const std::uint32_t limit = o.route_limit;
    const std::uint32_t block = limit + o.route_limit_excess;
    const std::uint32_t others_k = std::min(o.plan.prefixes_per_peer, limit);
    h.setup(n, 0, n * block, limit, o.hold_time);
    h.bring_up(n);
    h.set_active(n);
    h.settle();
    Session& victim = *h.peers[0];
    const PeerIdentity vid = peer_identity(0);

    // Phase A: everyone within the limit (the victim exactly at it).
    h.tracker->expect_range(0, limit, Tracker::peer_value(0));
    for (std::uint32_t p = 1; p < n; ++p)
        h.tracker->expect_range(p * block, others_k, Tracker::peer_value(p));
    victim.send(encode_announce_range(vid, 1, 0, limit).bytes);
    for (std::uint32_t p = 1; p < n; ++p)
        h.peers[p]->send(encode_announce_range(peer_identity(p), 1, p * block, others_k).bytes);
    if (!h.wait_converged(h.deadline()))
        throw ScenarioFailure{h.not_converged("route-limit: load within limit")};

    // Phase B: the victim goes over; its session must be torn down with Cease / Maximum Number of
    // Prefixes Reached and all its routes withdrawn at the monitor, nobody else touched.
    h.tracker->reset_timing();
    h.sample_start();
    h.tracker->expect_range(0, block, Tracker::kAbsent);
    const auto excess = encode_announce_range(vid, 1, limit, o.route_limit_excess);
    const Nanos t0 = now_ns();
    victim.send(excess.bytes);
    const bool withdrawn = h.loop.run_until(
        [&] {
            h.check_sessions({&victim});
            return !victim.established() && h.tracker->converged();
        },
        h.deadline());
    const auto note = victim.last_received_notification();
    m.integer("route_limit", limit);
    m.integer("sent_by_victim", block);
    m.text("notification", notification_text(note));
    m.text("victim_close", std::string(close_reason_name(victim.close_reason())));
    if (!victim.established())
        m.num("teardown_ms", to_ms(victim.closed_at() - t0));
    if (!withdrawn)
        throw ScenarioFailure{h.not_converged("route-limit: teardown")};
    m.num("withdrawn_ms", to_ms(h.tracker->last_match_at() - t0));
    const bool right_notification = note && note->code == 6 && note->subcode == 1;
    m.flag("cease_max_prefixes", right_notification);

    // Phase C: the victim comes back after the idle-hold and announces within the limit again.
    bool came_back = false;
    const std::string no_comeback = target.no_comeback_reason();
    const bool try_comeback = o.comeback_timeout_s > 0 && no_comeback.empty();
    if (!no_comeback.empty())
        m.text("comeback", "not attempted: " + no_comeback);
    if (try_comeback) {
        const Nanos closed = victim.closed_at();
        const double wait_s = std::max(o.comeback_timeout_s, target.min_comeback_seconds() + 15.0);
        const Nanos give_up = now_ns() + seconds(wait_s);
        Nanos next_try = now_ns() + kSecond / 2;
        while (now_ns() < give_up && !victim.established()) {
            if (victim.state() == SessionState::Idle && now_ns() >= next_try) {
                victim.connect(now_ns());
                next_try = now_ns() + kSecond;
            }
            h.check_sessions({&victim});
            h.loop.run_once(10 * kMilli);
        }
        if (victim.established()) {
            m.num("comeback_ms", to_ms(victim.established_at() - closed));
            h.tracker->expect_range(0, limit, Tracker::peer_value(0));
            victim.send(encode_announce_range(vid, 1, 0, limit).bytes);
            came_back = h.wait_converged(h.deadline());
            m.flag("restored", came_back);
        } else {
            m.flag("restored", false);
            m.error = "victim did not come back within " + std::to_string(static_cast<int>(wait_s)) + " s";
        }
    }
    h.record_target();
    bool others_ok = true;
    for (std::uint32_t p = 1; p < n; ++p)
        others_ok = others_ok && h.peers[p]->established() && h.peers[p]->establishments() == 1;
    m.integer("regressions", static_cast<std::int64_t>(h.tracker->regressions()));
    m.flag("others_undisturbed", others_ok && h.tracker->regressions() == 0);
    m.headline_name = "withdrawn_ms";
    m.headline = m.number("withdrawn_ms");
    m.ok = right_notification && others_ok && h.tracker->regressions() == 0 && (!try_comeback || came_back);
    if (!right_notification && m.error.empty())
        m.error = "expected NOTIFICATION 6/1, got " + notification_text(note);
}

void scenario_peer_count(const ScenarioOptions& o, Harness& h, Measurement& m) {
    const std::uint32_t configured = o.peer_limit;
    const std::uint32_t extra = o.extra_peers;
    const std::uint32_t k = o.plan.prefixes_per_peer;
    h.setup(configured, extra, (configured + extra) * k, 0, o.hold_time);
    h.bring_up(configured);
    h.set_active(configured);
    h.settle();
    for (std::uint32_t p = 0; p < configured; ++p) {
        h.tracker->expect_range(p * k, k, Tracker::peer_value(p));
        h.peers[p]->send(encode_announce_range(peer_identity(p), 1, p * k, k).bytes);
    }
    if (!h.wait_converged(h.deadline()))
        throw ScenarioFailure{h.not_converged("peer-count: load")};

    h.sample_start();
    const Nanos t0 = now_ns();
    for (std::uint32_t e = 0; e < extra; ++e)
        h.peers[configured + e]->connect(t0);
    // Each extra session either reaches Established (wrong) or is closed/refused/ignored, bounded.
    h.loop.run_until(
        [&] {
            h.check_sessions({});
            for (std::uint32_t e = 0; e < extra; ++e) {
                const auto st = h.peers[configured + e]->state();
                if (st != SessionState::Idle && st != SessionState::Established)
                    return false;
            }
            return true;
        },
        now_ns() + 15 * kSecond);
    std::uint32_t refused = 0;
    std::map<std::string, int> outcomes;
    for (std::uint32_t e = 0; e < extra; ++e) {
        Session& s = *h.peers[configured + e];
        std::string outcome;
        if (s.established()) {
            outcome = "established";
            // Announce: a refused peer must not get routes in either.
            h.tracker->expect_range((configured + e) * k, k, Tracker::kAbsent);
            s.send(encode_announce_range(peer_identity(configured + e), 1, (configured + e) * k, k).bytes);
        } else {
            ++refused;
            outcome = std::string(close_reason_name(s.close_reason()));
            if (s.close_reason() == CloseReason::PeerNotification)
                outcome += " " + notification_text(s.last_received_notification());
        }
        ++outcomes[outcome];
    }
    h.loop.run_for(kSecond);
    h.check_sessions({});
    h.record_target();
    std::string summary;
    for (const auto& [what, count] : outcomes)
        summary += (summary.empty() ? "" : ", ") + std::to_string(count) + "x " + what;
    m.integer("configured_peers", configured);
    m.integer("extra_peers", extra);
    m.integer("refused", refused);
    m.text("refusal", summary);
    m.num("refusal_ms", to_ms(now_ns() - t0 - kSecond));
    bool others_ok = true;
    for (std::uint32_t p = 0; p < configured; ++p)
        others_ok = others_ok && h.peers[p]->established() && h.peers[p]->establishments() == 1;
    m.flag("others_undisturbed", others_ok && h.tracker->converged() && h.tracker->regressions() == 0);
    m.headline_name = "refused";
    m.headline = refused;
    m.ok = refused == extra && others_ok && h.tracker->converged() && h.tracker->regressions() == 0;
}

}  // namespace

Measurement run_scenario(const std::string& scenario, const ScenarioOptions& options, Target& target) {
    Measurement m;
    m.scenario = scenario;
    m.target = target.name();
    m.target_version = target.spawns() ? target.version() : "remote";
    m.peers = options.plan.peers;
    m.prefixes_per_peer = options.plan.prefixes_per_peer;
    if (scenario == "failover") {
        m.peers = std::max<std::uint32_t>(2, options.plan.peers);
    } else if (scenario == "route-limit") {
        m.peers = std::max<std::uint32_t>(2, options.plan.peers);
        m.prefixes_per_peer = options.route_limit;
    } else if (scenario == "peer-count") {
        m.peers = options.peer_limit;
    } else if (scenario == "replay" && options.replay_file) {
        // Size label: the file's peers x its average table per peer.
        const auto& f = *options.replay_file;
        m.peers = static_cast<std::uint32_t>(f.peers.size());
        m.prefixes_per_peer =
            static_cast<std::uint32_t>(f.total_routes() / std::max<std::size_t>(1, f.peers.size()));
    }
    // Wall-clock figures depend on what else runs on the machine; CPU seconds do not.
    double load[1] = {0};
    if (::getloadavg(load, 1) == 1)
        m.num("host_load_1m", load[0]);
    try {
        std::string error;
        if (!options.plan.validate(error))
            throw ScenarioFailure{error};
        Harness h(options, target, m);
        if (scenario == "bringup") {
            scenario_bringup(options, h, m);
        } else if (scenario == "ingest") {
            scenario_ingest(options, h, m);
        } else if (scenario == "failover") {
            scenario_failover(options, h, m);
        } else if (scenario == "churn") {
            scenario_churn(options, h, m);
        } else if (scenario == "route-limit") {
            scenario_route_limit(options, h, m, target);
        } else if (scenario == "peer-count") {
            scenario_peer_count(options, h, m);
        } else if (scenario == "replay") {
            scenario_replay(options, h, m);
        } else {
            throw ScenarioFailure{"unknown scenario " + scenario};
        }
    } catch (const ScenarioFailure& f) {
        m.ok = false;
        m.error = f.what;
    } catch (const std::exception& e) {
        m.ok = false;
        m.error = std::string("exception: ") + e.what();
    }
    return m;
}

}  // namespace rf::bench
