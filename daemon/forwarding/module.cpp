// The forwarding module (routefabric-forwarding.so): the daemon's Forwarding over DPDK. It brings up the
// EAL, builds the FIB from the VNet model and starts its updater, and with the emulator starts the host
// emulator and attaches the convergence observer to it. The RIB's sink is the FIB updater itself, or the
// convergence observer in front of it while the emulator runs (forwarding.hpp).
#include <rte_cycles.h>
#include <rte_version.h>

#include <algorithm>
#include <atomic>
#include <string_view>
#include <utility>

#include "daemon/forwarding/convergence_observer.hpp"
#include "daemon/forwarding/emulator_layout.hpp"
#include "daemon/forwarding/module_interface.hpp"
#include "dataplane/eal.hpp"
#include "dataplane/emulator.hpp"
#include "dataplane/fib_route_source.hpp"
#include "dataplane/flowgen.hpp"
#include "dataplane/topology.hpp"
#include "fib/fib.hpp"
#include "fib/updater.hpp"

namespace rf::daemon {

namespace {

// The EAL for the daemon: lab defaults unless options.eal_args says otherwise, two virtual ports for the
// emulator, one lcore for the FIB's own use plus one per emulator worker.
bool start_forwarding_eal(const ForwardingOptions& options, std::string* error) {
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
    return dataplane::start_eal(eal, error);
}

}  // namespace

class DpdkForwarding final : public Forwarding {
public:
    static std::unique_ptr<Forwarding> create(const fib::VnetModel& model, const ForwardingOptions& options,
                                              std::string* error);
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
    [[nodiscard]] api::ConvergenceHistory convergence_history() const override;

private:
    explicit DpdkForwarding(ForwardingOptions options) : options_(std::move(options)) {}
    bool start_fib(const fib::VnetModel& model, std::string* error);
    bool start_emulator(const fib::VnetModel& model, std::string* error);
    void on_visible(std::uint64_t sequence);

    ForwardingOptions options_;
    std::atomic<metrics::StandardMetrics*> metrics_{nullptr};
    bool eal_started_ = false;
    std::unique_ptr<fib::Fib> fib_;
    std::unique_ptr<fib::FibUpdater> updater_;
    std::unique_ptr<dataplane::FibRouteSource> source_;
    dataplane::Topology topo_;
    dataplane::FlowTable flows_;
    std::unique_ptr<dataplane::Emulator> emulator_;
    std::unique_ptr<ConvergenceObserver> convergence_;  // with the emulator; its sink is in front of updater_
    bool stopped_ = false;
};

std::unique_ptr<Forwarding> DpdkForwarding::create(const fib::VnetModel& model,
                                                   const ForwardingOptions& options, std::string* error) {
    std::unique_ptr<DpdkForwarding> f(new DpdkForwarding(options));
    if (!start_forwarding_eal(options, error)) {
        return nullptr;
    }
    f->eal_started_ = true;
    if (!f->start_fib(model, error) || (options.emulator && !f->start_emulator(model, error))) {
        return nullptr;  // the destructor stops and frees what was started, EAL last
    }
    return f;
}

bool DpdkForwarding::start_fib(const fib::VnetModel& model, std::string* error) {
    fib::FibConfig fc;
    fc.lookup.max_routes = 1U << 19;
    fc.lookup.num_tbl8 = 1U << 12;
    // IPv6 at a quarter of the IPv4 route count; its trie needs a group for every 8 bits past /24, so
    // more groups than IPv4's tbl8 (2 x 8 MiB per table instance with 4-byte entries, made on first use).
    fc.lookup.max_routes6 = 1U << 17;
    fc.lookup.num_tbl8_6 = 1U << 13;
    fib_ = fib::Fib::create(model, fc, error);
    if (!fib_) {
        return false;
    }
    fib::UpdaterConfig uc;
    uc.nice_delta = options_.fib_writer_nice_delta;
    // A batch of up to 1,024 deltas — an UPDATE's worth, a peer-down of a thousand prefixes — is applied
    // on the io thread when nothing is queued and the FIB is idle: the writer's wake-up on a busy machine
    // costs more than applying it (docs/benchmarks.md).
    uc.inline_max = 1024;
    updater_ = std::make_unique<fib::FibUpdater>(*fib_, uc);
    // routefabric_fib_publish_latency_seconds: the updater times each batch from publish to visible.
    updater_->set_latency_observer([this](std::chrono::nanoseconds latency) {
        if (auto* m = metrics_.load(std::memory_order_acquire)) {
            m->fib_publish_latency.observe(std::chrono::duration<double>(latency).count());
        }
    });
    updater_->set_visibility_observer([this](std::uint64_t seq) { on_visible(seq); });
    updater_->set_next_hops_down_observer([this](std::size_t repointed) {
        if (convergence_) {
            convergence_->on_next_hops_down(repointed);
        }
    });
    if (!options_.emulator) {
        updater_->start();
    }
    return true;
}

// The emulator over the FIB, and the convergence observer in front of the RIB's sink: both exist before
// the updater starts, so its observers see them from its first batch.
bool DpdkForwarding::start_emulator(const fib::VnetModel& model, std::string* error) {
    topo_ = topology_for(*fib_, model);
    source_ = std::make_unique<dataplane::FibRouteSource>(*fib_);
    const Destinations dest = destinations_for(*fib_, options_.flows6_per_vm != 0);
    flows_ = dataplane::make_flows(topo_, options_.flows_per_vm, dest.v4, 42);
    if (options_.flows6_per_vm != 0) {
        dataplane::add_flows6(flows_, topo_, options_.flows6_per_vm, dest.v6, 43);
    }
    dataplane::EmulatorConfig ec;
    ec.workers = options_.workers;
    ec.burst = options_.burst;
    ec.pass_target_us = options_.pass_target_us;
    ec.nva_port_ip = options_.lab_address ? options_.lab_address->value : 0;
    if (options_.lab_address6) {
        ec.nva_port_ip6 = options_.lab_address6->bytes;
    }
    ec.neighbor_retry_ms = options_.neighbor_retry_ms;
    ec.neighbor_reachable_ms = options_.neighbor_reachable_ms;
    ec.nva_port = 0;
    ec.fabric_port = 1;
    ec.internet_port = 1;
    ec.name = "rfd-emu";
    emulator_ = dataplane::Emulator::create(ec, *source_, topo_, flows_, error);
    if (!emulator_) {
        return false;
    }
    convergence_ = std::make_unique<ConvergenceObserver>(emulator_->probe(), *updater_, metrics_,
                                                         options_.convergence_timeout);
    updater_->start();
    if (!emulator_->start(error)) {
        return false;
    }
    convergence_->start();
    return true;
}

DpdkForwarding::~DpdkForwarding() {
    stop();
    convergence_.reset();
    emulator_.reset();
    source_.reset();
    updater_.reset();
    fib_.reset();
    if (eal_started_) {
        dataplane::stop_eal();
    }
}

void DpdkForwarding::on_visible(std::uint64_t sequence) {
    if (convergence_) {
        convergence_->on_visible(sequence, rte_rdtsc());
    }
}

fib::DeltaSink& DpdkForwarding::sink() {
    if (convergence_) {
        return convergence_->sink();
    }
    return *updater_;
}

void DpdkForwarding::input_received(std::chrono::steady_clock::time_point at) {
    if (convergence_) {
        convergence_->input_received(at);
    }
}

bool DpdkForwarding::update_model(const fib::VnetModel& model, std::string* detail) {
    const fib::ModelChangeResult r = fib_->update_model(model);
    if (!r.ok) {
        *detail = "FIB refused the model: " + r.error;
        return false;
    }
    *detail = "FIB model updated: " + std::to_string(r.tables_changed) + " table(s) changed, " +
              std::to_string(r.tables_added) + " added, " + std::to_string(r.table_ops) +
              " route(s) reprogrammed";
    if (!emulator_) {
        return true;
    }
    // The emulator follows the new model: VMs added, removed, moved to another subnet (table) or host.
    // VMs it keeps keep their flows, and its workers switch between two passes, so their traffic never
    // stops. A measurement running now was armed for the old hosts: it is closed (as incomplete).
    const dataplane::Topology& before = emulator_->topology();
    dataplane::Topology next = topology_for(*fib_, model);
    const Destinations dest = destinations_for(*fib_, options_.flows6_per_vm != 0);
    auto carried = dataplane::carry_flows(before, emulator_->flows(), next, dest.v4, dest.v6, 42);
    const auto hosts = next.hosts.size(), vms = next.vms.size();
    convergence_->change_layout(
        [&]() { emulator_->replace_layout(std::move(next), std::move(carried.flows)); });
    *detail += "; emulator: " + std::to_string(vms) + " VMs on " + std::to_string(hosts) + " hosts (" +
               std::to_string(carried.kept) + " kept, " + std::to_string(carried.fresh) +
               " added or moved, " + std::to_string(carried.removed) + " removed)";
    return true;
}

void DpdkForwarding::set_metrics(metrics::StandardMetrics* metrics) {
    metrics_.store(metrics, std::memory_order_release);
}

void DpdkForwarding::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    if (convergence_) {
        convergence_->stop();
    }
    if (emulator_ && emulator_->running()) {
        emulator_->stop();
    }
    if (updater_) {
        updater_->stop();
    }
}

bool DpdkForwarding::emulator_running() const {
    return emulator_ && emulator_->running();
}

api::EmulatorStats DpdkForwarding::emulator_stats() const {
    api::EmulatorStats s;
    if (!emulator_) {
        return s;
    }
    const dataplane::Emulator& emu = *emulator_;
    s.running = emu.running();
    const dataplane::LayoutInfo layout = emu.layout_info();
    s.hosts = static_cast<std::uint32_t>(layout.hosts);
    s.vms = static_cast<std::uint32_t>(layout.vms);
    s.workers = options_.workers;
    const auto t = emu.totals();
    s.counters = {{"packets_generated", emu.generated()},    {"packets_forwarded", t.tx},
                  {"dropped_no_route", t.drop_no_route},     {"dropped_next_hop_none", t.drop_none},
                  {"dropped_unresolved", t.drop_unresolved}, {"tx_failures", emu.tx_failures()}};
    for (const auto& [ip, packets] : emu.next_hop_packets()) {
        s.counters.emplace_back("packets_to_" + net::Ipv4Address{ip}.to_string(), packets);
    }
    s.counters.emplace_back("packets_generated_ipv6", emu.generated6());
    for (const auto& [ip, packets] : emu.next_hop_packets6()) {
        s.counters.emplace_back("packets_to_" + net::Ipv6Address{ip}.to_string(), packets);
    }
    s.counters.emplace_back("flows_ipv4", layout.flows);
    s.counters.emplace_back("flows_ipv6", layout.flows6);
    s.counters.emplace_back("current_burst", emu.current_burst());  // worker 0
    const fib::FibStats fs = fib_->stats();  // before the observer's lock: it takes the FIB's control mutex
    s.counters.emplace_back("fib_next_hop_down_hints", fs.next_hop_down_events);
    s.counters.emplace_back("fib_groups_repointed_by_hint", fs.next_hop_down_repoints);
    convergence_->append_stats(s);
    return s;
}

void DpdkForwarding::collect() {
    auto* m = metrics_.load(std::memory_order_acquire);
    if (m == nullptr) {
        return;
    }
    if (emulator_) {
        const auto t = emulator_->totals();
        m->host_forwarded.set(t.tx);
        m->host_dropped.set(t.drop_none + t.drop_unresolved);
        m->host_no_route.set(t.drop_no_route);
    }
}

std::uint64_t DpdkForwarding::fib_queue_depth() const {
    return updater_->stats().queue_depth;
}

api::ConvergenceHistory DpdkForwarding::convergence_history() const {
    return convergence_ ? convergence_->history() : api::ConvergenceHistory{};
}

std::string DpdkForwarding::describe() const {
    std::string s = "FIB: " + std::to_string(fib_->table_count()) + " effective route table(s) for " +
                    std::to_string(fib_->model().vms.size()) + " VMs";
    if (options_.fib_writer_nice_delta != 0) {
        s += updater_->stats().priority_refused
                 ? "; FIB writer at the daemon's priority (raising it by " +
                       std::to_string(-options_.fib_writer_nice_delta) + " needs CAP_SYS_NICE)"
                 : "; FIB writer priority raised by " + std::to_string(-options_.fib_writer_nice_delta);
    }
    if (emulator_) {
        const ForwardingOptions& o = options_;
        const dataplane::Emulator& emu = *emulator_;
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

namespace {

Forwarding* create_forwarding(const fib::VnetModel* model, const ForwardingOptions* options,
                              std::string* error) {
    return DpdkForwarding::create(*model, *options, error).release();
}

}  // namespace

}  // namespace rf::daemon

// The module's one entry point (the only symbol it exports; see module_interface.hpp).
extern "C" __attribute__((visibility("default"))) const rf::daemon::RfForwardingModule*
rf_forwarding_module() {
    static const rf::daemon::RfForwardingModule table{rf::daemon::kForwardingInterfaceVersion,
                                                      rf::daemon::kForwardingBuildId, rte_version(),
                                                      &rf::daemon::create_forwarding};
    return &table;
}
