#include "bench/rfbench/replay_scenario.hpp"

#include <algorithm>
#include <fstream>

#include "bench/rfbench/replay.hpp"

namespace rf::bench {

namespace {

// What the file says each emulated peer holds at this point of the replay, per tracked prefix; the
// monitor must hold a prefix exactly when some peer does, with the path of one of those peers.
class Holdings {
public:
    Holdings(std::size_t peers, std::size_t prefixes)
        : held_(peers, std::vector<bool>(prefixes, false)), count_(prefixes, 0) {}

    // Returns true when the prefix's presence changed.
    bool set(std::uint32_t peer, std::uint32_t index, bool holds) {
        if (held_[peer][index] == holds)
            return false;
        held_[peer][index] = holds;
        const bool was = count_[index] > 0;
        count_[index] += holds ? 1 : -1;
        return was != (count_[index] > 0);
    }
    [[nodiscard]] bool present(std::uint32_t index) const { return count_[index] > 0; }
    [[nodiscard]] bool holds(std::uint32_t peer, std::uint32_t index) const { return held_[peer][index]; }
    [[nodiscard]] std::uint16_t expected(std::uint32_t index) const {
        return present(index) ? Tracker::kAnyEligible : Tracker::kAbsent;
    }

private:
    std::vector<std::vector<bool>> held_;
    std::vector<std::int32_t> count_;
};

// Prefixes the monitor holds from a peer that, by the file, does not hold them (now).
std::uint32_t wrong_peer_prefixes(const Tracker& t, const Holdings& held) {
    std::uint32_t wrong = 0;
    for (std::uint32_t i = 0; i < t.size(); ++i) {
        const auto ow = t.owner(i);
        if (ow == Tracker::kAbsent)
            continue;
        if (ow == Tracker::kUnknownPeer || !held.holds(ow - 1u, i))
            ++wrong;
    }
    return wrong;
}

void write_monitor_table(const std::string& path, const Tracker& t, const ReplayFile& f) {
    std::vector<std::pair<net::Prefix, std::uint16_t>> rows;
    for (std::uint32_t i = 0; i < t.size(); ++i)
        if (t.owner(i) != Tracker::kAbsent)
            rows.emplace_back(t.prefix_at(i), t.owner(i));
    std::sort(rows.begin(), rows.end());
    std::ofstream out(path);
    for (const auto& [prefix, owner] : rows) {
        out << prefix.to_string();
        if (owner == Tracker::kUnknownPeer || owner - 1u >= f.peers.size()) {
            out << " unknown-next-hop\n";
        } else {
            const ReplayPeer& p = f.peers[owner - 1u];
            out << " " << p.address.to_string() << " " << p.asn << "\n";
        }
    }
    if (!out)
        throw ScenarioFailure{"cannot write the monitor table to " + path};
}

}  // namespace

void scenario_replay(const ScenarioOptions& o, Harness& h, Measurement& m) {
    if (!o.replay_file)
        throw ScenarioFailure{"replay: no MRT file (--replay FILE)"};
    const ReplayFile& f = *o.replay_file;
    const auto n = static_cast<std::uint32_t>(f.peers.size());
    std::vector<PeerIdentity> ids;
    std::vector<net::Ipv4Address> next_hops;
    for (std::uint32_t i = 0; i < n; ++i) {
        PeerIdentity id = peer_identity(i);  // router id and next hop of emulated peer i
        id.asn = f.peers[i].asn;
        if (id.asn == o.target_asn)
            throw ScenarioFailure{"replay: file peer " + f.peers[i].address.to_string() +
                                  " has the target's ASN " + std::to_string(id.asn)};
        ids.push_back(id);
        next_hops.push_back(id.next_hop);
    }
    h.use_identities(ids);
    const std::vector<net::Prefix> prefixes = f.prefixes();
    // Sessions carry IPv6 unicast when the file has IPv6 routes (targets without it stay as they were).
    h.use_ipv6_unicast(
        std::any_of(prefixes.begin(), prefixes.end(), [](const net::Prefix& p) { return !p.is_v4(); }));
    h.setup(n, 0, 0, 0, o.hold_time);
    h.tracker = std::make_unique<Tracker>(prefixes, next_hops);
    const Tracker& tracker = *h.tracker;
    Holdings held(n, prefixes.size());

    const Nanos tb = h.bring_up(n);
    h.set_active(n);
    record_bringup(m, h, tb, n);
    h.settle();

    m.variant = replay_pace_name(o.replay.pace);
    m.integer("file_records", static_cast<std::int64_t>(f.records));
    m.integer("file_peers", n);
    m.integer("table_routes", static_cast<std::int64_t>(f.total_routes()));
    m.integer("updates", static_cast<std::int64_t>(f.events.size()));
    m.integer("ipv4_routes", static_cast<std::int64_t>(f.ipv4_routes));
    m.integer("ipv6_routes", static_cast<std::int64_t>(f.ipv6_routes));
    m.integer("other_family_routes_skipped", static_cast<std::int64_t>(f.other_family_routes));
    m.integer("skipped_records", static_cast<std::int64_t>(f.skipped_records));
    m.integer("peer_downs", static_cast<std::int64_t>(f.peer_downs));

    // Phase 1: the initial tables.
    std::vector<PackedUpdates> loads;
    for (std::uint32_t p = 0; p < n; ++p) {
        for (const auto& r : f.tables[p])
            held.set(p, *tracker.index_of(r.prefix), true);
        loads.push_back(encode_replay_table(f, p, ids[p].next_hop));
    }
    std::uint32_t table_prefixes = 0;
    for (std::uint32_t i = 0; i < prefixes.size(); ++i) {
        h.tracker->expect(i, held.expected(i));
        table_prefixes += held.present(i) ? 1 : 0;
    }
    m.integer("table_prefixes", table_prefixes);
    h.tracker->reset_timing();
    h.sample_start();
    const Nanos t0 = now_ns();
    for (std::uint32_t p = 0; p < n; ++p)
        if (loads[p].prefixes > 0)
            h.peers[p]->send(loads[p].bytes);
    if (!h.wait_converged(h.deadline()))
        throw ScenarioFailure{h.not_converged("replay: initial table")};
    const double table_ms = to_ms(tracker.last_match_at() - t0);
    m.num("first_prefix_ms", to_ms(tracker.first_change_at() - t0));
    m.num("table_ms", table_ms);
    m.num("prefixes_per_s", table_ms > 0 ? table_prefixes / (table_ms / 1e3) : 0);
    m.convergence = tracker.match_times_since(t0);
    m.headline_name = "table_ms";
    m.headline = table_ms;

    // Phase 2: the UPDATEs, in file order.
    if (!f.events.empty()) {
        const SingleUpdates events = encode_replay_events(f, ids);
        const double speed = o.replay.speed > 0 ? o.replay.speed : 1.0;
        const bool recorded = o.replay.pace == ReplayPace::Recorded;
        const Nanos span = static_cast<Nanos>(static_cast<double>(f.events.back().at) / speed);
        h.tracker->reset_timing();
        const Nanos t1 = now_ns();
        const Nanos send_deadline = t1 + span + seconds(o.phase_timeout_s);
        std::size_t sent = 0;
        while (sent < f.events.size()) {
            const Nanos now = now_ns();
            if (now > send_deadline)
                throw ScenarioFailure{"replay: could not send the UPDATEs in time"};
            while (sent < f.events.size() &&
                   (!recorded ||
                    t1 + static_cast<Nanos>(static_cast<double>(f.events[sent].at) / speed) <= now)) {
                const ReplayEvent& e = f.events[sent];
                std::vector<std::uint32_t> touched;
                for (const auto& p : e.withdrawn) {
                    const auto i = *tracker.index_of(p);
                    held.set(e.peer, i, false);
                    touched.push_back(i);
                }
                for (const auto& p : e.announced) {
                    const auto i = *tracker.index_of(p);
                    held.set(e.peer, i, true);
                    touched.push_back(i);
                }
                for (auto i : touched)
                    h.tracker->expect(i, held.expected(i));
                const Nanos at = now_ns();
                h.peers[e.peer]->send(events.bytes, events.offsets[sent], events.offsets[sent + 1]);
                for (auto i : touched)
                    h.tracker->mark_pending(i, at);
                ++sent;
            }
            h.check_sessions({});
            const Nanos next = sent < f.events.size() && recorded
                                   ? t1 + static_cast<Nanos>(static_cast<double>(f.events[sent].at) / speed)
                                   : now_ns();
            h.loop.run_once(std::max<Nanos>(0, std::min(next - now_ns(), kMilli)));
        }
        const bool final_ok = h.wait_converged(h.deadline());
        std::vector<Nanos> lags;
        for (const auto& [at, lag] : tracker.lag_samples()) {
            lags.push_back(lag);
            m.lags.emplace_back(at - t1, lag);
        }
        const auto s = summarize(lags);
        m.num("updates_ms", to_ms(now_ns() - t1));
        m.integer("lag_samples", static_cast<std::int64_t>(s.count));
        m.num("lag_p50_ms", to_ms(s.p50));
        m.num("lag_p99_ms", to_ms(s.p99));
        m.num("lag_max_ms", to_ms(s.max));
        m.flag("final_state_ok", final_ok);
        if (!final_ok)
            throw ScenarioFailure{h.not_converged("replay: after the UPDATEs")};
    }
    h.record_target();
    // The monitor holds each prefix from a peer that holds it by the file, and nothing else.
    const std::uint32_t wrong = wrong_peer_prefixes(tracker, held);
    m.integer("monitor_prefixes", tracker.present());
    m.integer("wrong_peer_prefixes", wrong);
    m.integer("foreign_prefixes", static_cast<std::int64_t>(tracker.foreign_present()));
    if (!o.replay.monitor_table.empty())
        write_monitor_table(o.replay.monitor_table, tracker, f);
    m.ok = wrong == 0 && tracker.foreign_present() == 0;
    if (!m.ok)
        m.error = std::to_string(wrong) + " prefixes from a peer that does not hold them, " +
                  std::to_string(tracker.foreign_present()) + " prefixes the file does not hold";
}

}  // namespace rf::bench
