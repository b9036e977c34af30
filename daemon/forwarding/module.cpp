#include <rte_cycles.h>
#include <rte_version.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "daemon/forwarding/forwarding.hpp"
#include "dataplane/eal.hpp"
#include "dataplane/emulator.hpp"
#include "dataplane/fib_route_source.hpp"
#include "dataplane/flowgen.hpp"
#include "dataplane/probe.hpp"
#include "dataplane/topology.hpp"
#include "fib/fib.hpp"
#include "fib/updater.hpp"

namespace rf::daemon {

namespace {

std::uint32_t host_order(const net::IpAddress& a) {
    return a.as_v4().value;
}

std::uint32_t last_address(std::uint32_t first, std::uint8_t length) {
    return length == 0 ? 0xFFFFFFFFU : first | (0xFFFFFFFFU >> length);
}

// An IPv6 prefix's first and last address, and the address probed inside it (first + 1 unless /127+).
dataplane::Ipv6Bytes last_address6(const net::Prefix& p) {
    dataplane::Ipv6Bytes a = p.bytes;
    for (unsigned bit = p.length; bit < 128; ++bit) {
        a[bit / 8] = static_cast<std::uint8_t>(a[bit / 8] | (0x80U >> (bit % 8)));
    }
    return a;
}

dataplane::Ipv6Bytes probe_address6(const net::Prefix& p) {
    dataplane::Ipv6Bytes a = p.bytes;
    if (p.length < 127) {
        a[15] = static_cast<std::uint8_t>(a[15] | 1U);
    }
    return a;
}

// The emulator's hosts and VMs for a VNet model: each IPv4 VM of the model on its host, in its subnet's
// effective route table (looked up through the FIB's locked query: safe while a model change runs).
dataplane::Topology topology_for(const fib::Fib& fib, const fib::VnetModel& model) {
    std::vector<dataplane::Vm> vms;
    vms.reserve(model.vms.size());
    for (const auto& vm : model.vms) {
        const auto t = fib.table_for_subnet(vm.vnet, vm.subnet);
        if (!t || !vm.nic_address.is_v4()) {
            continue;
        }
        vms.push_back(dataplane::Vm{vm.nic_address.as_v4().value, *t, vm.host});
    }
    auto topo = dataplane::Topology::from_vms(std::move(vms));
    topo.tables = std::max<std::uint32_t>(topo.tables, static_cast<std::uint32_t>(fib.table_count()));
    return topo;
}

// Traffic destinations per table, drawn from when a VM gets its flows (at start, and at a reload for the
// VMs added or moved): every prefix the table forwards then (VNet-local and user routes, BGP routes
// already learned) and, for what BGP brings later, ranges that a default route or a wide aggregate
// covers: the whole IPv4 space, and IPv6's global unicast (2000::/3) and unique local (fc00::/7)
// space rather than all of it (no multicast, link-local or reserved destinations). A prefix learned
// after the flows were drawn gets their traffic only if it covers their destinations.
struct Destinations {
    std::vector<std::vector<dataplane::Destination>> v4;
    std::vector<std::vector<dataplane::Destination6>> v6;  // empty without IPv6 flows
};

Destinations destinations_for(const fib::Fib& fib, bool ipv6) {
    Destinations d;
    d.v4.resize(fib.table_count());
    if (ipv6) {
        d.v6.resize(fib.table_count());
    }
    const dataplane::Destination6 global{{0x20}, 3}, unique_local{{0xfc}, 7};
    for (fib::TableId t = 0; t < d.v4.size(); ++t) {
        for (const auto& [prefix, nh] : fib.snapshot(t).routes) {
            if (prefix.length == 0 || nh.type == fib::NextHopType::None) {
                continue;
            }
            if (prefix.is_v4()) {
                d.v4[t].push_back(dataplane::Destination{prefix.v4_address().value, prefix.length});
            } else if (ipv6) {
                d.v6[t].push_back(dataplane::Destination6{prefix.bytes, prefix.length});
            }
        }
        d.v4[t].push_back(dataplane::Destination{0, 1});
        d.v4[t].push_back(dataplane::Destination{0x80000000U, 1});
        if (ipv6) {
            d.v6[t].push_back(global);
            d.v6[t].push_back(unique_local);
        }
    }
    return d;
}

}  // namespace

struct Plane {
    ForwardingOptions options;
    std::atomic<metrics::StandardMetrics*> metrics{nullptr};
    std::unique_ptr<fib::Fib> fib;
    std::unique_ptr<fib::FibUpdater> updater;
    std::unique_ptr<dataplane::FibRouteSource> source;
    dataplane::Topology topo;
    dataplane::FlowTable flows;
    std::unique_ptr<dataplane::Emulator> emulator;
    std::unique_ptr<fib::DeltaSink> sink;
    bool stopped = false;

    // Publish → visible timing: (highest sequence of a batch, tsc at publish), in sequence order.
    std::mutex publish_mu;
    std::deque<std::pair<std::uint64_t, std::uint64_t>> pending_publishes;

    // Convergence measurement (probe_mu guards everything below).
    mutable std::mutex probe_mu;
    bool armed = false;
    std::uint64_t armed_sequence = 0;
    std::atomic<std::uint64_t> armed_sequence_atomic{0};  // 0 = nothing armed; read by the FIB writer
    // A measurement armed by a next-hop-down hint waits for the hint's repoint (read by the FIB writer),
    // and the RIB batch that follows the hint belongs to the same event until this instant.
    std::atomic<bool> down_armed{false};
    std::atomic<std::uint64_t> hint_applied_tsc{0};  // when the last hint repointed something (0: not yet)
    std::optional<std::chrono::steady_clock::time_point> follow_up_until;
    bool armed_by_hint = false;  // the measurement running was started by a next-hop-down hint
    bool last_by_hint = false;   // ... and the last one closed
    std::chrono::steady_clock::time_point armed_at;
    std::uint64_t events = 0;
    std::uint64_t incomplete = 0;
    std::uint64_t not_measured = 0;  // changes published while a measurement was running (or past the cap)
    std::uint64_t armed_runs = 0;
    static constexpr std::uint64_t kMaxMeasurements = 20000;
    std::vector<double> last_host_seconds;  // per measurement: the last host's convergence
    std::optional<dataplane::ConvergenceReport> last_report;
    std::thread monitor;
    std::atomic<bool> monitor_stop{false};

    // io thread only, kept when the emulator runs: the next hops the FIB was last given per prefix, IPv4
    // and IPv6 (to know what a change removes from the probed hosts' paths).
    std::unordered_map<net::Prefix, std::vector<net::IpAddress>, net::PrefixHash> current;

    void on_visible(std::uint64_t sequence);
    void on_next_hops_down(std::size_t repointed);
    void arm(std::span<const fib::RouteDelta> batch, std::uint64_t t0_tsc);
    void arm_down(std::span<const net::IpAddress> dead, std::uint64_t t0_tsc);
    bool may_arm();            // takes probe_mu
    void close_measurement();  // probe_mu held
    void monitor_loop();
};

// The module's implementation of the daemon's Forwarding interface.
class DpdkForwarding final : public Forwarding {
public:
    explicit DpdkForwarding(std::unique_ptr<Plane> impl) : impl_(std::move(impl)) {}
    ~DpdkForwarding() override;
    DpdkForwarding(const DpdkForwarding&) = delete;
    DpdkForwarding& operator=(const DpdkForwarding&) = delete;

    fib::DeltaSink& sink() override;
    void input_received(std::chrono::steady_clock::time_point at) override;
    void set_metrics(metrics::StandardMetrics* metrics) override;
    bool update_model(const fib::VnetModel& model, std::string* detail) override;
    void stop() override;
    [[nodiscard]] bool emulator_running() const override;
    [[nodiscard]] api::EmulatorStats emulator_stats() const override;
    void collect() override;
    [[nodiscard]] std::uint64_t fib_queue_depth() const override;
    [[nodiscard]] std::string describe() const override;

    static std::unique_ptr<Forwarding> create(const fib::VnetModel& model, const ForwardingOptions& options,
                                              std::string* error);

private:
    std::unique_ptr<Plane> impl_;
};

namespace {

class ForwardingSink final : public fib::DeltaSink {
public:
    explicit ForwardingSink(Plane& impl) : impl_(impl) {}
    void input_received(std::chrono::steady_clock::time_point at) { input_at_ = at; }
    void next_hops_down(std::span<const net::IpAddress> next_hops) override {
        // The FIB first, then the probe: arming scans every prefix the FIB was given (O(table)), which
        // must not delay the switch itself. Hosts that switch before the probe is armed are stamped at
        // their first burst after it, so the measurement can only come out late, never early.
        const std::uint64_t t0 = t0_of(rte_rdtsc());
        impl_.hint_applied_tsc.store(0, std::memory_order_relaxed);
        impl_.updater->next_hops_down(next_hops);
        if (impl_.emulator) {
            impl_.arm_down(next_hops, t0);  // the batch that follows has the same cause
        }
    }
    bool publish(std::span<const fib::RouteDelta> batch) override {
        const std::uint64_t t = rte_rdtsc();
        const std::uint64_t t0 = t0_of(t);
        input_at_.reset();
        if (batch.empty()) {
            return true;
        }
        if (impl_.emulator) {
            impl_.arm(batch, t0);  // before publishing: T0 precedes the FIB's visibility
        }
        if (!impl_.updater->publish(batch)) {
            return false;  // the RIB keeps the batch and retries (back-pressure)
        }
        {
            std::lock_guard lock(impl_.publish_mu);
            if (impl_.pending_publishes.size() < 4096) {
                impl_.pending_publishes.emplace_back(batch.back().sequence, t);
            }
        }
        if (!impl_.emulator) {
            return true;  // `current` only serves the emulator's convergence probes
        }
        for (const fib::RouteDelta& d : batch) {
            if (d.is_withdrawal()) {
                impl_.current.erase(d.prefix);
            } else {
                std::vector<net::IpAddress>& hops = impl_.current[d.prefix];  // keeps its capacity
                hops.assign(d.next_hops.begin(), d.next_hops.end());
            }
        }
        return true;
    }

private:
    // T0 of a convergence measurement: when the UPDATE behind this call was read (or the peer was found
    // down), back-dated from `now_tsc` on the TSC; now when there is no such cause (a VNet change) or it
    // is stale (an input that published nothing, then something else did).
    [[nodiscard]] std::uint64_t t0_of(std::uint64_t now_tsc) const {
        if (!input_at_) {
            return now_tsc;
        }
        const auto age = std::chrono::steady_clock::now() - *input_at_;
        if (age < std::chrono::nanoseconds::zero() || age >= std::chrono::seconds(1)) {
            return now_tsc;
        }
        const double ticks =
            std::chrono::duration<double>(age).count() * static_cast<double>(rte_get_tsc_hz());
        return now_tsc - std::min(now_tsc, static_cast<std::uint64_t>(ticks));
    }

    Plane& impl_;
    std::optional<std::chrono::steady_clock::time_point> input_at_;  // io thread only
};

}  // namespace

void Plane::on_visible(std::uint64_t sequence) {
    const std::uint64_t now = rte_rdtsc();
    const double hz = static_cast<double>(rte_get_tsc_hz());
    {
        std::lock_guard lock(publish_mu);
        while (!pending_publishes.empty() && pending_publishes.front().first <= sequence) {
            if (auto* m = metrics.load(std::memory_order_acquire)) {
                m->fib_publish_latency.observe(static_cast<double>(now - pending_publishes.front().second) /
                                               hz);
            }
            pending_publishes.pop_front();
        }
    }
    const std::uint64_t armed_seq = armed_sequence_atomic.load(std::memory_order_acquire);
    if (emulator && armed_seq != 0 && sequence >= armed_seq) {
        armed_sequence_atomic.store(0, std::memory_order_release);
        emulator->probe().published(now);
    }
}

void Plane::on_next_hops_down(std::size_t repointed) {
    // A hint that repointed nothing (every group of those next hops had no other member) switches no
    // host: the publish of the batch that follows it is then the one to report (Plane::arm). One that
    // did is reported here, or by arm_down() when it was applied before the probe was armed.
    if (emulator == nullptr || repointed == 0) {
        return;
    }
    const std::uint64_t now = rte_rdtsc();
    hint_applied_tsc.store(now, std::memory_order_release);
    if (down_armed.exchange(false, std::memory_order_acq_rel)) {
        emulator->probe().published(now);
    }
}

bool Plane::may_arm() {
    // One measurement at a time (a change arriving meanwhile is not measured, only counted), and at most
    // kMaxMeasurements per process: the probe keeps every run's (small) state for its lifetime.
    std::lock_guard lock(probe_mu);
    if (armed || armed_runs >= kMaxMeasurements) {
        ++not_measured;
        return false;
    }
    return true;
}

namespace {

// One probe address inside `p` and its range of destinations (probe addresses: the first kMaxProbeAddrs).
void add_probed_prefix(dataplane::ProbeSpec& spec, const net::Prefix& p) {
    if (p.is_v4()) {
        const std::uint32_t first = p.v4_address().value;
        if (spec.probe_addrs.size() < dataplane::ConvergenceProbe::kMaxProbeAddrs) {
            spec.probe_addrs.push_back(p.length >= 31 ? first : first + 1);
        }
        spec.affected.emplace_back(first, last_address(first, p.length));
    } else {
        if (spec.probe_addrs6.size() < dataplane::ConvergenceProbe::kMaxProbeAddrs) {
            spec.probe_addrs6.push_back(probe_address6(p));
        }
        spec.affected6.emplace_back(p.bytes, last_address6(p));
    }
}

void add_excluded(dataplane::ProbeSpec& spec, const net::IpAddress& h) {
    if (h.is_v4()) {
        spec.exclude.push_back(host_order(h));
    } else {
        spec.exclude6.push_back(h.bytes);
    }
}

}  // namespace

// A next-hop-down hint (the peer behind every path through `dead` went down; its RIB batch follows):
// the measurement covers every prefix the FIB was last given with one of those next hops, and a host has
// converged when none of its probe addresses is forwarded to one of them. Prefixes with other members
// switch at the hint's group repoint; prefixes that had only dead next hops switch with the batch.
void Plane::arm_down(std::span<const net::IpAddress> dead, std::uint64_t t0_tsc) {
    if (!may_arm()) {
        return;
    }
    dataplane::ProbeSpec spec;
    std::size_t prefixes = 0;
    for (const auto& [prefix, hops] : current) {
        const bool uses = std::any_of(hops.begin(), hops.end(), [&](const net::IpAddress& h) {
            return std::find(dead.begin(), dead.end(), h) != dead.end();
        });
        if (uses) {
            add_probed_prefix(spec, prefix);
            ++prefixes;
        }
    }
    if (prefixes == 0) {
        return;  // nothing programmed through them: nothing to observe
    }
    for (const net::IpAddress& h : dead) {
        add_excluded(spec, h);
    }
    spec.name = "next hop " + dead.front().to_string() +
                (dead.size() > 1 ? " (+" + std::to_string(dead.size() - 1) + ")" : "") + " down (" +
                std::to_string(prefixes) + (prefixes == 1 ? " prefix)" : " prefixes)");
    std::lock_guard lock(probe_mu);
    ++armed_runs;
    emulator->probe().arm(std::move(spec), t0_tsc);
    armed = true;
    armed_at = std::chrono::steady_clock::now();
    armed_sequence = 0;
    armed_sequence_atomic.store(0, std::memory_order_release);
    down_armed.store(true, std::memory_order_release);
    follow_up_until = armed_at + std::chrono::seconds(1);
    armed_by_hint = true;
    // Applied (on this thread, or already by the writer) before the probe was armed: report it now.
    if (const std::uint64_t applied = hint_applied_tsc.exchange(0, std::memory_order_acq_rel);
        applied != 0 && down_armed.exchange(false, std::memory_order_acq_rel)) {
        emulator->probe().published(applied);
    }
}

// One probe per batch: the batch's changes, IPv4 and IPv6, grouped by their new next-hop set; the largest
// group is measured (a peer going down moves every prefix it carried to the same remaining set; a
// dual-stack NVA's IPv4 and IPv6 prefixes form two groups). T0 (`t0_tsc`) is when the UPDATE behind the
// batch was read, or the peer found down (ForwardingSink::publish).
void Plane::arm(std::span<const fib::RouteDelta> batch, std::uint64_t t0_tsc) {
    {
        std::lock_guard lock(probe_mu);
        if (follow_up_until) {
            const bool follows = std::chrono::steady_clock::now() <= *follow_up_until;
            follow_up_until.reset();
            if (follows) {
                // The RIB's batch behind a next-hop-down measurement: the same event. When the hint
                // switched no host, this batch's publish is the one the measurement waits for.
                if (armed && down_armed.load(std::memory_order_acquire)) {
                    armed_sequence = batch.back().sequence;
                    armed_sequence_atomic.store(armed_sequence, std::memory_order_release);
                }
                return;
            }
        }
    }
    if (!may_arm()) {
        return;
    }
    // This runs on the io thread before the FIB gets the batch: one scratch vector for the sets, and
    // consecutive deltas with the set of the one before (a peer-down, a bulk change) skip the map.
    std::map<std::vector<net::IpAddress>, std::vector<const fib::RouteDelta*>> groups;
    std::vector<net::IpAddress> hops;
    std::vector<const fib::RouteDelta*>* same = nullptr;  // the group of the delta before
    std::vector<net::IpAddress> same_hops;
    for (const fib::RouteDelta& d : batch) {
        hops.assign(d.next_hops.begin(), d.next_hops.end());
        std::sort(hops.begin(), hops.end());
        if (same == nullptr || hops != same_hops) {
            same = &groups[hops];
            same_hops = hops;
        }
        same->push_back(&d);
    }
    if (groups.empty()) {
        return;
    }
    auto best = groups.begin();
    for (auto it = groups.begin(); it != groups.end(); ++it) {
        if (it->second.size() > best->second.size()) {
            best = it;
        }
    }
    dataplane::ProbeSpec spec;
    std::set<net::IpAddress> removed;
    for (const fib::RouteDelta* d : best->second) {
        add_probed_prefix(spec, d->prefix);
        if (auto it = current.find(d->prefix); it != current.end()) {
            for (const net::IpAddress& h : it->second) {
                if (!std::binary_search(best->first.begin(), best->first.end(), h)) {
                    removed.insert(h);
                }
            }
        }
    }
    for (const net::IpAddress& h : best->first) {
        if (h.is_v4()) {
            spec.include.push_back(host_order(h));
        } else {
            spec.include6.push_back(h.bytes);
        }
    }
    for (const net::IpAddress& h : removed) {
        add_excluded(spec, h);
    }
    if (best->first.empty() && removed.empty()) {
        return;  // a withdrawal of something never programmed: nothing to observe
    }
    const std::string verb = best->first.empty() ? "withdraw" : "update";
    spec.name =
        verb + " " + best->second.front()->prefix.to_string() +
        (best->second.size() > 1 ? " (+" + std::to_string(best->second.size() - 1) + " prefixes)" : "");
    std::lock_guard lock(probe_mu);
    ++armed_runs;
    emulator->probe().arm(std::move(spec), t0_tsc);
    armed = true;
    armed_at = std::chrono::steady_clock::now();
    armed_sequence = batch.back().sequence;
    armed_sequence_atomic.store(armed_sequence, std::memory_order_release);
    armed_by_hint = false;
}

void Plane::close_measurement() {
    auto rep = emulator->probe().report(static_cast<double>(rte_get_tsc_hz()));
    emulator->probe().disarm();
    armed = false;
    armed_sequence_atomic.store(0, std::memory_order_release);
    down_armed.store(false, std::memory_order_release);
    ++events;
    if (rep.converged < rep.hosts) {
        ++incomplete;
    } else {
        const double s = rep.last_us / 1e6;
        last_host_seconds.push_back(s);
        if (last_host_seconds.size() > 10000) {
            last_host_seconds.erase(last_host_seconds.begin());
        }
        if (auto* m = metrics.load(std::memory_order_acquire)) {
            m->convergence.observe(s);
        }
    }
    last_report = std::move(rep);
    last_by_hint = armed_by_hint;
}

void Plane::monitor_loop() {
    while (!monitor_stop.load(std::memory_order_acquire)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        std::lock_guard lock(probe_mu);
        // Complete when every host converged and the FIB reported the publish (hosts can converge
        // first: a repointed next-hop group switches forwarding before the batch is published).
        if (armed && ((emulator->probe().all_converged() && emulator->probe().publish_reported()) ||
                      std::chrono::steady_clock::now() - armed_at > options.convergence_timeout)) {
            close_measurement();
        }
    }
}

DpdkForwarding::~DpdkForwarding() {
    stop();
    impl_->emulator.reset();
    impl_->source.reset();
    impl_->updater.reset();
    impl_->fib.reset();
    dataplane::stop_eal();
}

std::unique_ptr<Forwarding> DpdkForwarding::create(const fib::VnetModel& model,
                                                   const ForwardingOptions& options, std::string* error) {
    auto impl = std::make_unique<Plane>();
    impl->options = options;

    dataplane::EalOptions eal;
    eal.lcores = options.emulator ? options.workers + 1 : 1;
    eal.memory_mb = 1024;
    eal.bare_metal_args = options.eal_args;
    // --no-huge alone gives EAL 64 MiB, less than one DIR-24-8 table: add memory unless sized.
    const auto has = [&](std::string_view a) {
        return std::find(eal.bare_metal_args.begin(), eal.bare_metal_args.end(), a) !=
               eal.bare_metal_args.end();
    };
    if (has("--no-huge") && !has("-m") && !has("--socket-mem")) {
        eal.bare_metal_args.insert(eal.bare_metal_args.end(), {"-m", "1024"});
    }
    eal.log_level = "*:error";
    if (options.emulator) {
        eal.vdevs = {"net_null0", "net_null1"};
    }
    if (!dataplane::start_eal(eal, error)) {
        return nullptr;
    }
    fib::FibConfig fc;
    fc.lookup.max_routes = 1U << 19;
    fc.lookup.num_tbl8 = 1U << 12;
    // IPv6 at a quarter of the IPv4 route count; its trie needs a group for every 8 bits past /24, so
    // more groups than IPv4's tbl8 (2 x 8 MiB per table instance with 4-byte entries, made on first use).
    fc.lookup.max_routes6 = 1U << 17;
    fc.lookup.num_tbl8_6 = 1U << 13;
    impl->fib = fib::Fib::create(model, fc, error);
    if (!impl->fib) {
        dataplane::stop_eal();
        return nullptr;
    }
    fib::UpdaterConfig uc;
    uc.nice_delta = options.fib_writer_nice_delta;
    // A batch of up to 1,024 deltas — an UPDATE's worth, a peer-down of a thousand prefixes — is applied
    // on the io thread when nothing is queued and the FIB is idle: the writer's wake-up on a busy machine
    // (0.02-1.2 ms measured) would cost more than applying it (30-150 us for 256 deltas).
    uc.inline_max = 1024;
    impl->updater = std::make_unique<fib::FibUpdater>(*impl->fib, uc);
    Plane* raw = impl.get();
    impl->updater->set_visibility_observer([raw](std::uint64_t seq) { raw->on_visible(seq); });
    impl->updater->set_next_hops_down_observer(
        [raw](std::size_t repointed) { raw->on_next_hops_down(repointed); });

    if (options.emulator) {
        impl->topo = topology_for(*impl->fib, model);
        impl->source = std::make_unique<dataplane::FibRouteSource>(*impl->fib);
        const Destinations dest = destinations_for(*impl->fib, options.flows6_per_vm != 0);
        impl->flows = dataplane::make_flows(impl->topo, options.flows_per_vm, dest.v4, 42);
        if (options.flows6_per_vm != 0) {
            dataplane::add_flows6(impl->flows, impl->topo, options.flows6_per_vm, dest.v6, 43);
        }
        dataplane::EmulatorConfig ec;
        ec.workers = options.workers;
        ec.burst = options.burst;
        ec.pass_target_us = options.pass_target_us;
        ec.nva_port_ip = options.lab_address ? options.lab_address->value : 0;
        if (options.lab_address6) {
            ec.nva_port_ip6 = options.lab_address6->bytes;
        }
        ec.neighbor_retry_ms = options.neighbor_retry_ms;
        ec.neighbor_reachable_ms = options.neighbor_reachable_ms;
        ec.nva_port = 0;
        ec.fabric_port = 1;
        ec.internet_port = 1;
        ec.name = "rfd-emu";
        impl->emulator = dataplane::Emulator::create(ec, *impl->source, impl->topo, impl->flows, error);
        if (!impl->emulator) {
            impl->source.reset();
            impl->updater.reset();
            impl->fib.reset();
            dataplane::stop_eal();
            return nullptr;
        }
    }
    impl->sink = std::make_unique<ForwardingSink>(*impl);
    impl->updater->start();
    if (impl->emulator) {
        if (!impl->emulator->start(error)) {
            impl->updater->stop();
            impl->emulator.reset();
            impl->source.reset();
            impl->updater.reset();
            impl->fib.reset();
            dataplane::stop_eal();
            return nullptr;
        }
        impl->monitor = std::thread([raw]() { raw->monitor_loop(); });
    }
    return std::make_unique<DpdkForwarding>(std::move(impl));
}

bool DpdkForwarding::update_model(const fib::VnetModel& model, std::string* detail) {
    const fib::ModelChangeResult r = impl_->fib->update_model(model);
    if (!r.ok) {
        *detail = "FIB refused the model: " + r.error;
        return false;
    }
    *detail = "FIB model updated: " + std::to_string(r.tables_changed) + " table(s) changed, " +
              std::to_string(r.tables_added) + " added, " + std::to_string(r.table_ops) +
              " route(s) reprogrammed";
    Plane& p = *impl_;
    if (!p.emulator) {
        return true;
    }
    // The emulator follows the new model: VMs added, removed, moved to another subnet (table) or host.
    // VMs it keeps keep their flows, and its workers switch between two passes, so their traffic never
    // stops. A measurement running now was armed for the old hosts: it is closed (as incomplete).
    const dataplane::Topology& before = p.emulator->topology();
    dataplane::Topology next = topology_for(*p.fib, model);
    const Destinations dest = destinations_for(*p.fib, p.options.flows6_per_vm != 0);
    auto carried = dataplane::carry_flows(before, p.emulator->flows(), next, dest.v4, dest.v6, 42);
    const auto hosts = next.hosts.size(), vms = next.vms.size();
    {
        std::lock_guard lock(p.probe_mu);
        if (p.armed) {
            p.close_measurement();
        }
        p.emulator->replace_layout(std::move(next), std::move(carried.flows));
    }
    *detail += "; emulator: " + std::to_string(vms) + " VMs on " + std::to_string(hosts) + " hosts (" +
               std::to_string(carried.kept) + " kept, " + std::to_string(carried.fresh) +
               " added or moved, " + std::to_string(carried.removed) + " removed)";
    return true;
}

void DpdkForwarding::set_metrics(metrics::StandardMetrics* metrics) {
    impl_->metrics.store(metrics, std::memory_order_release);
}

fib::DeltaSink& DpdkForwarding::sink() {
    return *impl_->sink;
}

void DpdkForwarding::input_received(std::chrono::steady_clock::time_point at) {
    static_cast<ForwardingSink&>(*impl_->sink).input_received(at);  // create() made it a ForwardingSink
}

void DpdkForwarding::stop() {
    if (impl_->stopped) {
        return;
    }
    impl_->stopped = true;
    impl_->monitor_stop.store(true, std::memory_order_release);
    if (impl_->monitor.joinable()) {
        impl_->monitor.join();
    }
    if (impl_->emulator && impl_->emulator->running()) {
        impl_->emulator->stop();
    }
    impl_->updater->stop();
}

bool DpdkForwarding::emulator_running() const {
    return impl_->emulator && impl_->emulator->running();
}

api::EmulatorStats DpdkForwarding::emulator_stats() const {
    api::EmulatorStats s;
    const Plane& i = *impl_;
    if (!i.emulator) {
        return s;
    }
    s.running = i.emulator->running();
    const dataplane::LayoutInfo layout = i.emulator->layout_info();
    s.hosts = static_cast<std::uint32_t>(layout.hosts);
    s.vms = static_cast<std::uint32_t>(layout.vms);
    s.workers = i.options.workers;
    const auto t = i.emulator->totals();
    s.counters = {{"packets_generated", i.emulator->generated()}, {"packets_forwarded", t.tx},
                  {"dropped_no_route", t.drop_no_route},          {"dropped_next_hop_none", t.drop_none},
                  {"dropped_unresolved", t.drop_unresolved},      {"tx_failures", i.emulator->tx_failures()}};
    for (const auto& [ip, packets] : i.emulator->next_hop_packets()) {
        s.counters.emplace_back("packets_to_" + net::Ipv4Address{ip}.to_string(), packets);
    }
    s.counters.emplace_back("packets_generated_ipv6", i.emulator->generated6());
    for (const auto& [ip, packets] : i.emulator->next_hop_packets6()) {
        s.counters.emplace_back("packets_to_" + net::Ipv6Address{ip}.to_string(), packets);
    }
    s.counters.emplace_back("flows_ipv4", layout.flows);
    s.counters.emplace_back("flows_ipv6", layout.flows6);
    s.counters.emplace_back("current_burst", i.emulator->current_burst());  // worker 0
    const fib::FibStats fs = i.fib->stats();  // before probe_mu: it takes the FIB's control mutex
    s.counters.emplace_back("fib_next_hop_down_hints", fs.next_hop_down_events);
    s.counters.emplace_back("fib_groups_repointed_by_hint", fs.next_hop_down_repoints);
    const auto us = [](double v) { return static_cast<std::uint64_t>(v < 0 ? 0 : v); };
    std::lock_guard lock(i.probe_mu);
    s.counters.emplace_back("convergence_measurements", i.events);
    s.counters.emplace_back("convergence_incomplete", i.incomplete);
    s.counters.emplace_back("changes_not_measured", i.not_measured);
    if (i.last_report) {
        const auto& r = *i.last_report;
        s.counters.emplace_back("last_change_hosts_converged", r.converged);
        s.counters.emplace_back("last_change_fib_publish_us", us(r.publish_us));
        s.counters.emplace_back("last_change_first_host_us", us(r.first_us));
        s.counters.emplace_back("last_change_median_host_us", us(r.median_us));
        s.counters.emplace_back("last_change_last_host_us", us(r.last_us));
        s.counters.emplace_back("last_change_packets_lost", r.lost);
        s.counters.emplace_back("last_change_packets_to_withdrawn", r.to_withdrawn);
        s.counters.emplace_back("last_change_to_withdrawn_after_publish", r.to_withdrawn_after_publish);
        // 1: started by the RIB's next-hop-down hint (a peer down; hosts switched by the group repoint).
        s.counters.emplace_back("last_change_next_hop_down", i.last_by_hint ? 1 : 0);
    }
    if (!i.last_host_seconds.empty()) {
        std::vector<double> sorted = i.last_host_seconds;
        std::sort(sorted.begin(), sorted.end());
        api::EmulatorStats::Convergence c;
        c.events = i.events;
        c.last_seconds = i.last_host_seconds.back();
        c.p50_seconds = dataplane::percentile_sorted(sorted, 50);
        c.p99_seconds = dataplane::percentile_sorted(sorted, 99);
        c.max_seconds = sorted.back();
        s.convergence = c;
    }
    return s;
}

void DpdkForwarding::collect() {
    auto* m = impl_->metrics.load(std::memory_order_acquire);
    if (m == nullptr) {
        return;
    }
    if (impl_->emulator) {
        const auto t = impl_->emulator->totals();
        m->host_forwarded.set(t.tx);
        m->host_dropped.set(t.drop_none + t.drop_unresolved);
        m->host_no_route.set(t.drop_no_route);
    }
}

std::uint64_t DpdkForwarding::fib_queue_depth() const {
    return impl_->updater->stats().queue_depth;
}

std::string DpdkForwarding::describe() const {
    std::string s = "FIB: " + std::to_string(impl_->fib->table_count()) + " effective route table(s) for " +
                    std::to_string(impl_->fib->model().vms.size()) + " VMs";
    if (impl_->options.fib_writer_nice_delta != 0) {
        s += impl_->updater->stats().priority_refused
                 ? "; FIB writer at the daemon's priority (raising it by " +
                       std::to_string(-impl_->options.fib_writer_nice_delta) + " needs CAP_SYS_NICE)"
                 : "; FIB writer priority raised by " + std::to_string(-impl_->options.fib_writer_nice_delta);
    }
    if (impl_->emulator) {
        const ForwardingOptions& o = impl_->options;
        const dataplane::Emulator& emu = *impl_->emulator;
        const dataplane::LayoutInfo layout = emu.layout_info();
        s += "; emulator: " + std::to_string(layout.hosts) + " hosts, " + std::to_string(layout.vms) +
             " VMs, " + std::to_string(layout.flows) + " IPv4 + " + std::to_string(layout.flows6) +
             " IPv6 flows, " + std::to_string(o.workers) + " worker(s), bursts of " +
             (o.pass_target_us == 0 ? std::to_string(o.burst) + " packets (fixed)"
                                    : "up to " + std::to_string(o.burst) + " packets (pass target " +
                                          std::to_string(o.pass_target_us) + " us)");
        if (emu.lab_mode()) {
            // The addresses in use: configured, else the interface's own, else none (an ARP probe from
            // 0.0.0.0, DAD-style solicitations from ::).
            s += "; lab mode: ARP from " + net::Ipv4Address{emu.arp_sender()}.to_string() + ", NDP from " +
                 net::Ipv6Address{emu.ndp_source()}.to_string() + ", neighbour retry " +
                 std::to_string(o.neighbor_retry_ms) + " ms, reachable " +
                 std::to_string(o.neighbor_reachable_ms) + " ms";
        }
    }
    return s;
}

}  // namespace rf::daemon

// The module's entry points (the only symbols it exports; see forwarding.hpp).
extern "C" __attribute__((visibility("default"))) std::uint64_t rf_forwarding_abi() {
    return rf::daemon::forwarding_abi();
}

extern "C" __attribute__((visibility("default"))) const char* rf_forwarding_dpdk_version() {
    return rte_version();
}

extern "C" __attribute__((visibility("default"))) rf::daemon::Forwarding* rf_forwarding_create(
    const rf::fib::VnetModel* model, const rf::daemon::ForwardingOptions* options, std::string* error) {
    return rf::daemon::DpdkForwarding::create(*model, *options, error).release();
}
