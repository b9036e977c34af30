#include "dataplane/emulator.hpp"

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <fstream>

#include "dataplane/ecmp.hpp"
#include "dataplane/lab_port.hpp"
#include "dataplane/ndp.hpp"

namespace rf::dataplane {

namespace {
constexpr unsigned kMaxBurst = 64;
constexpr unsigned kMinAdaptiveBurst = 4;
constexpr std::uint16_t kTxBuffer = 64;
constexpr MacAddress kInternetGatewayMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

void set_mac(rte_ether_addr* dst, const MacAddress& mac) {
    std::memcpy(dst->addr_bytes, mac.data(), 6);
}

std::uint64_t ms_to_tsc(unsigned ms) {
    return rte_get_tsc_hz() * ms / 1000;
}
}  // namespace

// One immutable set of hosts, VMs and flows with the per-host counters of the time it was current.
struct Layout {
    std::uint64_t generation = 0;
    const Topology* topo = nullptr;
    const FlowTable* flows = nullptr;
    std::unique_ptr<Topology> own_topo;  // replace_layout(): the emulator's own copies
    std::unique_ptr<FlowTable> own_flows;
    std::unique_ptr<HostCounters[]> counters;              // per host
    std::vector<std::vector<std::uint32_t>> worker_hosts;  // host ids per worker
};

class Worker {
public:
    Worker(Emulator& emu, unsigned index)
        : emu_(emu), index_(index), reader_(emu.config_.first_reader_id + index) {
        nh_packets_ = std::make_unique<std::atomic<std::uint64_t>[]>(emu.neighbors_.slots());
        nh6_packets_ = std::make_unique<std::atomic<std::uint64_t>[]>(emu.neighbors6_.slots());
        tx_.resize(RTE_MAX_ETHPORTS);
        txq_ = static_cast<std::uint16_t>(index);
        max_burst_ = burst_ = std::clamp(emu.config_.burst, 1U, kMaxBurst);
        counters.burst.store(burst_, std::memory_order_relaxed);
    }
    ~Worker() { rte_mempool_free(pool_); }

    // Each worker allocates from its own pool (like l3fwd's per-lcore pools): sinks free mbufs back to
    // mbuf->pool, so a pool is only ever touched by its worker and the thread that drains a port.
    bool create_pool(std::string* error) {
        const std::string name = emu_.config_.name + "-w" + std::to_string(reader_);
        pool_ = rte_pktmbuf_pool_create(name.c_str(), emu_.config_.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                        SOCKET_ID_ANY);
        if (pool_ == nullptr && error)
            *error = "rte_pktmbuf_pool_create(" + name + "): " + rte_strerror(rte_errno);
        return pool_ != nullptr;
    }
    [[nodiscard]] const rte_mempool* pool() const { return pool_; }

    void run() {
        counters.tid.store(static_cast<std::int64_t>(::gettid()), std::memory_order_relaxed);
        begin_cpu_accounting();
        emu_.source_.reader_online(reader_);
        const std::uint64_t target = rte_get_tsc_hz() * emu_.config_.pass_target_us / 1000000;
        while (!emu_.stop_.load(std::memory_order_relaxed)) {
            const std::uint64_t begin = rte_rdtsc();
            adopt_layout();
            pass();
            if (target != 0)
                adapt_burst(rte_rdtsc() - begin, target);
        }
        flush_all();
        emu_.source_.reader_offline(reader_);
    }

    void run_passes(std::uint64_t passes) {
        counters.tid.store(static_cast<std::int64_t>(::gettid()), std::memory_order_relaxed);
        begin_cpu_accounting();
        emu_.source_.reader_online(reader_);
        for (std::uint64_t p = 0; p < passes; ++p) {
            adopt_layout();
            pass();
        }
        flush_all();
        emu_.source_.reader_offline(reader_);
    }

    // Between two passes: switch to the emulator's current layout when it changed. Generations, not
    // pointers, are compared (a new layout may reuse a freed one's address).
    void adopt_layout() {
        const Layout* cur = emu_.layout_.load(std::memory_order_acquire);
        if (cur->generation == generation_)
            return;
        layout_ = cur;
        generation_ = cur->generation;
        hosts_ = &cur->worker_hosts[index_];
        cursor_.assign(hosts_->size(), 0);
        cursor6_.assign(hosts_->size(), 0);
        seen_generation.store(generation_, std::memory_order_release);
    }

    // One pass: one burst per owned host, then the tx buffers are drained.
    void pass() {
        for (std::size_t i = 0; i < hosts_->size(); ++i)
            host_burst(i);
        flush_all();
        bump(counters.passes);
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        const auto now =
            static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
        if (cpu_start_ == 0)
            cpu_start_ = now;
        counters.cpu_ns.store(cpu_base_ + (now - cpu_start_), std::memory_order_relaxed);
    }

    [[nodiscard]] std::uint64_t nh_packets(std::uint32_t slot) const {
        return nh_packets_[slot].load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t nh6_packets(std::uint32_t slot) const {
        return nh6_packets_[slot].load(std::memory_order_relaxed);
    }
    WorkerCounters counters;
    std::atomic<std::uint64_t> seen_generation{0};  // the layout this worker uses (replace_layout waits)

private:
    // Pass-time target (EmulatorConfig::pass_target_us): every host gets one burst per pass, so a change
    // reaches the last host at most one pass after it is published. Every 16 passes the burst is scaled
    // toward the target from the fastest of those passes (a pass the worker spent partly off-CPU says
    // nothing about the burst size); it shrinks at once and grows at most halfway per step.
    void adapt_burst(std::uint64_t took, std::uint64_t target) {
        fastest_pass_ = std::min(fastest_pass_, took);
        if (++adapt_passes_ < 16)
            return;
        const double want = static_cast<double>(burst_) * static_cast<double>(target) /
                            static_cast<double>(std::max<std::uint64_t>(fastest_pass_, 1));
        unsigned next = static_cast<unsigned>(
            std::clamp(want, static_cast<double>(kMinAdaptiveBurst), static_cast<double>(max_burst_)));
        if (next > burst_)
            next = burst_ + std::max(1U, (next - burst_) / 2);
        burst_ = std::min(next, max_burst_);
        counters.burst.store(burst_, std::memory_order_relaxed);
        adapt_passes_ = 0;
        fastest_pass_ = ~0ULL;
    }

    // A new run (possibly on another thread) continues the CPU-time count from where the last stopped.
    void begin_cpu_accounting() {
        last_burst_tsc_ = 0;
        stall_ticks_ = rte_get_tsc_hz() * emu_.config_.stall_threshold_us / 1000000;
        cpu_base_ = counters.cpu_ns.load(std::memory_order_relaxed);
        cpu_start_ = 0;
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        cpu_start_ =
            static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
    }

    void host_burst(std::size_t local) {
        const std::uint32_t h = (*hosts_)[local];
        const Host& host = layout_->topo->hosts[h];
        const FlowTable& ft = *layout_->flows;
        const std::uint32_t first = host.first_vm * ft.flows_per_vm;
        const std::uint32_t count = host.vm_count * ft.flows_per_vm;
        const std::uint32_t count6 = host.vm_count * ft.flows6_per_vm;
        if (count == 0 && count6 == 0)
            return;
        // IPv6 packets in the proportion of the VMs' IPv6 flows (at least one per burst when any).
        unsigned n6 = 0;
        if (count6 != 0) {
            n6 = count == 0 ? burst_
                            : std::max(1U, burst_ * ft.flows6_per_vm / (ft.flows_per_vm + ft.flows6_per_vm));
        }
        const unsigned n4 = burst_ - n6;
        rte_mbuf* pkts[kMaxBurst];
        if (rte_pktmbuf_alloc_bulk(pool_, pkts, burst_) != 0) {
            bump(counters.alloc_failures);
            emu_.source_.quiescent(reader_);
            return;
        }
        TableId tables[kMaxBurst];
        std::uint32_t& cur = cursor_[local];
        for (unsigned i = 0; i < n4; ++i) {
            const Flow& f = ft.flows[first + cur];
            if (++cur == count)
                cur = 0;
            write_packet(pkts[i], f.tuple);
            tables[i] = f.table;
        }
        std::uint32_t& cur6 = cursor6_[local];
        const std::uint32_t first6 = host.first_vm * ft.flows6_per_vm;
        for (unsigned i = n4; i < burst_; ++i) {
            const Flow6& f = ft.flows6[first6 + cur6];
            if (++cur6 == count6)
                cur6 = 0;
            write_packet6(pkts[i], f.tuple);
            tables[i] = f.table;
        }
        bump(counters.packets, burst_);
        bump(counters.bursts);
        const std::uint64_t now = rte_rdtsc();
        if (last_burst_tsc_ != 0 && now - last_burst_tsc_ > stall_ticks_) {
            bump(counters.stalls);
            if (now - last_burst_tsc_ > counters.max_gap_tsc.load(std::memory_order_relaxed))
                counters.max_gap_tsc.store(now - last_burst_tsc_, std::memory_order_relaxed);
        }
        last_burst_tsc_ = now;
        // The armed measurement, if it has a slot for this host (runs are sized for the layout they
        // were armed under; replace_layout() disarms a run of another size).
        ConvergenceProbe::Run* run = emu_.probe_.current();
        if (run != nullptr && h >= run->hosts)
            run = nullptr;
        HostCounters& hc = layout_->counters[h];
        if (n4 != 0)
            forward(h, hc, run, pkts, tables, n4, now);
        if (n6 != 0)
            forward6(h, hc, run, pkts + n4, tables + n4, n6, now);
        if (run != nullptr && run->converged_tsc[h].load(std::memory_order_relaxed) == 0)
            check_probe(*run, h, host, now);
        emu_.source_.quiescent(reader_);
    }

    // Counts a packet for an affected destination that went to a withdrawn next hop (`excluded`).
    static void count_withdrawn(ConvergenceProbe::Run& run, std::uint32_t h, std::uint64_t now) {
        bump(run.to_withdrawn[h]);
        const std::uint64_t pub = run.publish_tsc.load(std::memory_order_acquire);
        if (pub != 0 && now > pub)
            bump(run.after_publish[h]);
    }

    void forward(std::uint32_t h, HostCounters& hc, ConvergenceProbe::Run* run, rte_mbuf** pkts,
                 const TableId* tables, unsigned n, std::uint64_t now) {
        std::uint32_t dst[kMaxBurst];
        std::uint64_t hash[kMaxBurst];
        GroupView views[kMaxBurst];
        for (unsigned i = 0; i < n; ++i) {
            FiveTuple t;
            if (!read_five_tuple(pkts[i], &t))
                t = FiveTuple{};
            dst[i] = t.dst;
            hash[i] = flow_hash(t);
        }
        // One bulk lookup per run of packets sharing a route table.
        for (unsigned i = 0; i < n;) {
            unsigned j = i + 1;
            while (j < n && tables[j] == tables[i])
                ++j;
            emu_.source_.lookup_bulk(tables[i], dst + i, views + i, j - i);
            i = j;
        }
        const bool pending = run != nullptr && run->converged_tsc[h].load(std::memory_order_relaxed) == 0;
        std::uint64_t tx = 0;
        std::uint32_t last_nh = 0, last_slot = NeighborTable::kNotFound;
        for (unsigned i = 0; i < n; ++i) {
            if (i + 4 < n)
                rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void*));
            const GroupView& v = views[i];
            auto* eth = rte_pktmbuf_mtod(pkts[i], rte_ether_hdr*);
            std::uint16_t port;
            switch (v.kind) {
                case NextHopKind::NoRoute:
                case NextHopKind::None:
                    bump(v.kind == NextHopKind::None ? hc.drop_none : hc.drop_no_route);
                    if (pending && run->affects(dst[i]))
                        bump(run->lost[h]);
                    rte_pktmbuf_free(pkts[i]);
                    continue;
                case NextHopKind::VnetLocal:
                    port = emu_.config_.fabric_port;
                    set_mac(&eth->dst_addr, synthetic_mac(dst[i]));
                    break;
                case NextHopKind::Internet:
                    port = emu_.config_.internet_port;
                    set_mac(&eth->dst_addr, kInternetGatewayMac);
                    break;
                case NextHopKind::Ip:
                default: {
                    if (v.count == 0) {  // an empty ECMP set forwards nowhere
                        bump(hc.drop_none);
                        rte_pktmbuf_free(pkts[i]);
                        continue;
                    }
                    if (v.v6) {  // an IPv6 next hop for an IPv4 route (RFC 8950)
                        std::uint64_t res = 0;
                        const std::uint8_t* nh6 = v.member6(v.pick(hash[i]));
                        if (!next_hop6(nh6, &res)) {
                            bump(hc.drop_unresolved);
                            rte_pktmbuf_free(pkts[i]);
                            continue;
                        }
                        if (run != nullptr && run->excluded6(nh6) && run->affects(dst[i]))
                            count_withdrawn(*run, h, now);
                        port = NeighborTable::port_of(res);
                        set_mac(&eth->dst_addr, NeighborTable::mac_of(res));
                        break;
                    }
                    const std::uint32_t nh = v.member(v.pick(hash[i]));
                    if (nh != last_nh || last_slot == NeighborTable::kNotFound) {
                        last_slot = emu_.neighbors_.find_or_insert(nh);
                        last_nh = nh;
                    }
                    const std::uint32_t slot = last_slot;
                    std::uint64_t res =
                        slot == NeighborTable::kNotFound ? 0 : emu_.neighbors_.resolution(slot);
                    if ((res & NeighborTable::kValid) == 0 && slot != NeighborTable::kNotFound &&
                        !emu_.config_.arp) {
                        emu_.neighbors_.resolve(slot, emu_.config_.nva_port, synthetic_mac(nh));
                        res = emu_.neighbors_.resolution(slot);
                    }
                    if ((res & NeighborTable::kValid) == 0) {
                        bump(hc.drop_unresolved);
                        rte_pktmbuf_free(pkts[i]);
                        continue;
                    }
                    if (run != nullptr && run->excluded(nh) && run->affects(dst[i]))
                        count_withdrawn(*run, h, now);
                    port = NeighborTable::port_of(res);
                    set_mac(&eth->dst_addr, NeighborTable::mac_of(res));
                    bump(nh_packets_[slot]);
                    break;
                }
            }
            set_mac(&eth->src_addr, emu_.port_mac_[port]);
            ++tx;
            enqueue(port, pkts[i]);
        }
        if (tx != 0)
            bump(hc.tx, tx);
    }

    // The resolution of IPv6 next hop `ip16` (and its packet count), false when it has none: virtual
    // mode resolves at once to a synthetic MAC; in lab mode the entry waits for Neighbor Discovery.
    bool next_hop6(const std::uint8_t* ip16, std::uint64_t* res) {
        const std::uint32_t slot = emu_.neighbors6_.find_or_insert(ip16);
        if (slot == NeighborTable6::kNotFound)
            return false;
        std::uint64_t r = emu_.neighbors6_.resolution(slot);
        if ((r & NeighborTable::kValid) == 0 && !emu_.config_.arp) {
            emu_.neighbors6_.resolve(slot, emu_.config_.nva_port, synthetic_mac6(ip16));
            r = emu_.neighbors6_.resolution(slot);
        }
        if ((r & NeighborTable::kValid) == 0)
            return false;
        bump(nh6_packets_[slot]);
        *res = r;
        return true;
    }

    // IPv6 packets: LPM6 in the VM's table, ECMP by the 5-tuple hash, L2 rewrite; the armed probe
    // counts them like IPv4 ones.
    void forward6(std::uint32_t h, HostCounters& hc, ConvergenceProbe::Run* run, rte_mbuf** pkts,
                  const TableId* tables, unsigned n, std::uint64_t now) {
        std::uint8_t dst[kMaxBurst][16];
        std::uint64_t hash[kMaxBurst];
        GroupView views[kMaxBurst];
        for (unsigned i = 0; i < n; ++i) {
            FiveTuple6 t;
            if (!read_five_tuple6(pkts[i], &t))
                t = FiveTuple6{};
            std::memcpy(dst[i], t.dst.data(), 16);
            hash[i] = flow_hash(t);
        }
        for (unsigned i = 0; i < n;) {
            unsigned j = i + 1;
            while (j < n && tables[j] == tables[i])
                ++j;
            emu_.source_.lookup_bulk6(tables[i], dst + i, views + i, j - i);
            i = j;
        }
        const bool pending = run != nullptr && run->converged_tsc[h].load(std::memory_order_relaxed) == 0;
        std::uint64_t tx = 0;
        for (unsigned i = 0; i < n; ++i) {
            const GroupView& v = views[i];
            auto* eth = rte_pktmbuf_mtod(pkts[i], rte_ether_hdr*);
            std::uint16_t port;
            if (v.kind == NextHopKind::NoRoute || v.kind == NextHopKind::None ||
                (v.kind == NextHopKind::Ip && v.count == 0)) {
                bump(v.kind == NextHopKind::NoRoute ? hc.drop_no_route : hc.drop_none);
                if (pending && run->affects6(dst[i]))
                    bump(run->lost[h]);
                rte_pktmbuf_free(pkts[i]);
                continue;
            }
            if (v.kind == NextHopKind::VnetLocal) {
                port = emu_.config_.fabric_port;
                set_mac(&eth->dst_addr, synthetic_mac6(dst[i]));
            } else if (v.kind == NextHopKind::Internet) {
                port = emu_.config_.internet_port;
                set_mac(&eth->dst_addr, kInternetGatewayMac);
            } else {
                const std::uint32_t k = v.pick(hash[i]);
                std::uint64_t res = 0;
                bool ok = false;
                bool withdrawn = false;
                if (v.v6) {
                    ok = next_hop6(v.member6(k), &res);
                    withdrawn = ok && run != nullptr && run->excluded6(v.member6(k));
                } else {  // an IPv4 next hop for an IPv6 route
                    const std::uint32_t nh = v.member(k);
                    const std::uint32_t slot = emu_.neighbors_.find_or_insert(nh);
                    if (slot != NeighborTable::kNotFound) {
                        res = emu_.neighbors_.resolution(slot);
                        if ((res & NeighborTable::kValid) == 0 && !emu_.config_.arp) {
                            emu_.neighbors_.resolve(slot, emu_.config_.nva_port, synthetic_mac(nh));
                            res = emu_.neighbors_.resolution(slot);
                        }
                        ok = (res & NeighborTable::kValid) != 0;
                        if (ok)
                            bump(nh_packets_[slot]);
                        withdrawn = ok && run != nullptr && run->excluded(nh);
                    }
                }
                if (!ok) {
                    bump(hc.drop_unresolved);
                    rte_pktmbuf_free(pkts[i]);
                    continue;
                }
                if (withdrawn && run->affects6(dst[i]))
                    count_withdrawn(*run, h, now);
                port = NeighborTable::port_of(res);
                set_mac(&eth->dst_addr, NeighborTable::mac_of(res));
            }
            set_mac(&eth->src_addr, emu_.port_mac_[port]);
            ++tx;
            enqueue(port, pkts[i]);
        }
        if (tx != 0)
            bump(hc.tx, tx);
        bump(counters.packets6, n);
    }

    // Looks the run's pending probe addresses (IPv4, then IPv6) up in every table of the host, a few at
    // a time, and stops at the first few that do not give the new path yet: the host has converged when
    // each of them gives it in all its tables. Until the change is visible a pending host pays one small
    // lookup per burst instead of one per probe address (up to 2 x 64), which would otherwise stretch
    // the very pass whose length the last host's convergence time measures.
    // The host's convergence instant is its burst's (`now`, before this check ran): the lookups that
    // decide it are the ones this burst's packets were forwarded with.
    //
    // Once one host of this worker has found every probe address switched in a table, a later host
    // reading only verified tables is stamped at its burst without repeating the lookups: within one
    // measurement the FIB only moves forward (a prefix that switched stays switched; Dir24 readers see
    // states in the writer's order), and this worker's later bursts start after that verification. So
    // the check costs one full set of lookups per table and measurement, not per host — 2 x 64 lookups
    // on each of 375 hosts took as long as a whole pass and doubled the last host's time.
    void check_probe(ConvergenceProbe::Run& run, std::uint32_t h, const Host& host, std::uint64_t now) {
        if (verified_run_ != &run) {
            verified_run_ = &run;
            verified_tables_.clear();
        }
        const auto verified = [&](TableId t) {
            return std::find(verified_tables_.begin(), verified_tables_.end(), t) != verified_tables_.end();
        };
        if (!host.tables.empty() && std::all_of(host.tables.begin(), host.tables.end(), verified)) {
            run.converged_tsc[h].store(now, std::memory_order_release);
            run.converged_hosts.fetch_add(1, std::memory_order_acq_rel);
            return;
        }
        constexpr unsigned kStep = 8;
        const auto& addrs = run.spec.probe_addrs;
        const auto& addrs6 = run.spec.probe_addrs6;
        const std::size_t n4 = addrs.size();
        const std::size_t total = n4 + addrs6.size();
        std::uint8_t* done = run.done.get() + std::size_t{h} * std::max<std::size_t>(1, run.probe_count());
        std::size_t next = 0;  // probe index to look at next
        std::uint64_t lookups = 0;
        bool blocked = false;
        while (!blocked) {
            std::uint32_t addr[kStep];
            std::uint8_t addr6[kStep][16];
            std::uint32_t idx[kStep];
            std::uint32_t idx6[kStep];
            unsigned k = 0, k6 = 0;
            for (; next < total && k + k6 < kStep; ++next) {
                if (done[next] != 0)
                    continue;
                if (next < n4) {
                    addr[k] = addrs[next];
                    idx[k++] = static_cast<std::uint32_t>(next);
                } else {
                    std::memcpy(addr6[k6], addrs6[next - n4].data(), 16);
                    idx6[k6++] = static_cast<std::uint32_t>(next);
                }
            }
            if (k + k6 == 0)
                break;
            bool ok[kStep], ok6[kStep];
            std::fill(ok, ok + k, true);
            std::fill(ok6, ok6 + k6, true);
            GroupView views[kStep];
            // Probe addresses mostly share a few groups: judge each distinct group once.
            std::uint64_t memo_id = ~std::uint64_t{0};
            bool memo_ok = false;
            auto judge = [&](const GroupView& v) {
                if (v.id != memo_id || v.id == 0) {
                    memo_id = v.id;
                    memo_ok = run.satisfied(v);
                }
                return memo_ok;
            };
            for (TableId t : host.tables) {
                if (k != 0) {
                    emu_.source_.lookup_bulk(t, addr, views, k);
                    for (unsigned i = 0; i < k; ++i)
                        ok[i] = ok[i] && judge(views[i]);
                }
                if (k6 != 0) {
                    emu_.source_.lookup_bulk6(t, addr6, views, k6);
                    for (unsigned i = 0; i < k6; ++i)
                        ok6[i] = ok6[i] && judge(views[i]);
                }
            }
            lookups += std::uint64_t{k + k6} * host.tables.size();
            for (unsigned i = 0; i < k; ++i) {
                if (ok[i])
                    done[idx[i]] = 1;
                else
                    blocked = true;
            }
            for (unsigned i = 0; i < k6; ++i) {
                if (ok6[i])
                    done[idx6[i]] = 1;
                else
                    blocked = true;
            }
        }
        bump(counters.probe_lookups, lookups);
        if (!blocked) {
            run.converged_tsc[h].store(now, std::memory_order_release);
            run.converged_hosts.fetch_add(1, std::memory_order_acq_rel);
            for (TableId t : host.tables)
                if (!verified(t))
                    verified_tables_.push_back(t);
        }
    }

    struct TxBuffer {
        std::uint16_t n = 0;
        rte_mbuf* pkts[kTxBuffer];
    };

    void enqueue(std::uint16_t port, rte_mbuf* m) {
        TxBuffer& b = tx_[port];
        b.pkts[b.n++] = m;
        if (b.n == kTxBuffer)
            flush(port);
    }

    void flush(std::uint16_t port) {
        TxBuffer& b = tx_[port];
        if (b.n == 0)
            return;
        const std::uint16_t sent = rte_eth_tx_burst(port, txq_, b.pkts, b.n);
        if (sent < b.n) {
            bump(counters.tx_failures, b.n - sent);
            rte_pktmbuf_free_bulk(b.pkts + sent, b.n - sent);
        }
        b.n = 0;
    }

    void flush_all() {
        for (std::uint16_t p : emu_.ports_)
            flush(p);
    }

    Emulator& emu_;
    unsigned index_;
    unsigned reader_;
    const Layout* layout_ = nullptr;  // adopted at a pass start (adopt_layout)
    std::uint64_t generation_ = 0;
    const std::vector<std::uint32_t>* hosts_ = nullptr;  // this worker's hosts in layout_
    std::vector<std::uint32_t> cursor_, cursor6_;        // per local host: next flow
    std::unique_ptr<std::atomic<std::uint64_t>[]> nh_packets_, nh6_packets_;
    std::vector<TxBuffer> tx_;
    std::uint16_t txq_ = 0;
    unsigned burst_ = 32, max_burst_ = 32;
    unsigned adapt_passes_ = 0;
    std::uint64_t fastest_pass_ = ~0ULL;
    rte_mempool* pool_ = nullptr;
    std::uint64_t cpu_base_ = 0, cpu_start_ = 0;
    std::uint64_t last_burst_tsc_ = 0, stall_ticks_ = 0;
    // check_probe(): the measurement whose probe addresses were found switched in these tables.
    const ConvergenceProbe::Run* verified_run_ = nullptr;
    std::vector<TableId> verified_tables_;
};

Emulator::Emulator(const EmulatorConfig& config, RouteSource& source, const Topology& topo)
    : config_(config), source_(source), probe_(static_cast<std::uint32_t>(topo.hosts.size())) {}

std::unique_ptr<Layout> Emulator::make_layout(const Topology* topo, const FlowTable* flows) {
    auto l = std::make_unique<Layout>();
    const Layout* cur = layout_.load(std::memory_order_acquire);
    l->generation = cur == nullptr ? 1 : cur->generation + 1;
    l->topo = topo;
    l->flows = flows;
    l->counters = std::make_unique<HostCounters[]>(topo->hosts.size());
    l->worker_hosts = assign_hosts(*topo, config_.workers);
    return l;
}

std::unique_ptr<Emulator> Emulator::create(const EmulatorConfig& config, RouteSource& source,
                                           const Topology& topo, const FlowTable& flows, std::string* error) {
    if (config.workers == 0 || config.first_reader_id + config.workers > source.max_readers()) {
        if (error)
            *error = "worker count exceeds the route source's reader limit";
        return nullptr;
    }
    std::unique_ptr<Emulator> emu(new Emulator(config, source, topo));
    emu->layouts_.push_back(emu->make_layout(&topo, &flows));
    emu->layout_.store(emu->layouts_.back().get(), std::memory_order_release);
    emu->timers4_.resize(emu->neighbors_.slots());
    emu->timers6_.resize(emu->neighbors6_.slots());
    // The main lcore's pool: receive queues, ARP and NDP. Workers have their own.
    const std::string pool_name = config.name + "-main";
    emu->pool_ =
        rte_pktmbuf_pool_create(pool_name.c_str(), 2047, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    if (emu->pool_ == nullptr) {
        if (error)
            *error = "rte_pktmbuf_pool_create: " + std::string(rte_strerror(rte_errno));
        return nullptr;
    }
    if (!emu->setup_ports(error))
        return nullptr;
    // Lab mode: explicit, or because the NVA port is bound to a Linux interface.
    const LabPort lab = describe_lab_port(config.nva_port);
    if (config.arp_auto && lab.linux_bound)
        emu->config_.arp = true;
    emu->answer_arp_ = emu->config_.arp && config.nva_port_ip != 0;
    if (emu->config_.arp && config.nva_port_ip == 0)
        emu->config_.nva_port_ip = lab.kernel_ipv4;
    emu->answer_ndp_ = emu->config_.arp && !ndp::is_unspecified(config.nva_port_ip6);
    if (emu->config_.arp && ndp::is_unspecified(config.nva_port_ip6))
        emu->config_.nva_port_ip6 = lab.kernel_ipv6;
    if (emu->config_.arp) {
        // Solicited-node groups (NS for our address) and all-nodes (answers to DAD-style NS): a NIC that
        // filters multicast would drop them. Ports that do not filter may refuse the call; harmless.
        (void)rte_eth_allmulticast_enable(config.nva_port);
    }
    for (unsigned w = 0; w < config.workers; ++w) {
        emu->workers_.push_back(std::make_unique<Worker>(*emu, w));
        if (!emu->workers_.back()->create_pool(error))
            return nullptr;
    }
    return emu;
}

Emulator::~Emulator() {
    stop();
    workers_.clear();
    for (std::uint16_t p : ports_)
        rte_eth_dev_stop(p);
    rte_mempool_free(pool_);
}

bool Emulator::setup_ports(std::string* error) {
    for (std::uint16_t p : {config_.nva_port, config_.fabric_port, config_.internet_port})
        if (std::find(ports_.begin(), ports_.end(), p) == ports_.end())
            ports_.push_back(p);
    port_mac_.assign(RTE_MAX_ETHPORTS, MacAddress{});
    rx_queues_.assign(RTE_MAX_ETHPORTS, 0);
    const std::uint16_t queues = static_cast<std::uint16_t>(config_.workers + 1);
    for (std::uint16_t p : ports_) {
        if (!rte_eth_dev_is_valid_port(p)) {
            if (error)
                *error = "no DPDK port " + std::to_string(p) + " (missing --vdev?)";
            return false;
        }
        rte_eth_dev_info info{};
        rte_eth_dev_info_get(p, &info);
        if (info.max_tx_queues < queues || info.max_rx_queues < 1) {
            if (error)
                *error = "port " + std::to_string(p) + " (" + info.driver_name + ") has " +
                         std::to_string(info.max_tx_queues) + " tx queues, need " + std::to_string(queues);
            return false;
        }
        const std::uint16_t rxq = std::min<std::uint16_t>(queues, info.max_rx_queues);
        rte_eth_conf conf{};
        rte_eth_dev_stop(p);
        int rc = rte_eth_dev_configure(p, rxq, queues, &conf);
        for (std::uint16_t q = 0; rc == 0 && q < rxq; ++q)
            rc = rte_eth_rx_queue_setup(p, q, 512, SOCKET_ID_ANY, nullptr, pool_);
        for (std::uint16_t q = 0; rc == 0 && q < queues; ++q)
            rc = rte_eth_tx_queue_setup(p, q, 512, SOCKET_ID_ANY, nullptr);
        if (rc == 0)
            rc = rte_eth_dev_start(p);
        rx_queues_[p] = rxq;
        if (rc != 0) {
            if (error)
                *error = "port " + std::to_string(p) + " set-up failed: " + rte_strerror(-rc);
            return false;
        }
        rte_ether_addr mac{};
        rte_eth_macaddr_get(p, &mac);
        std::memcpy(port_mac_[p].data(), mac.addr_bytes, 6);
    }
    return true;
}

bool Emulator::start(std::string* error) {
    if (running_)
        return true;
    stop_.store(false);
    lcores_.clear();
    unsigned lcore = 0;
    std::vector<unsigned> available;
    RTE_LCORE_FOREACH_WORKER(lcore) {
        if (rte_eal_get_lcore_state(lcore) == WAIT)
            available.push_back(lcore);
    }
    const bool on_lcores = config_.use_lcores && available.size() >= workers_.size();
    for (std::size_t w = 0; w < workers_.size(); ++w) {
        Worker* worker = workers_[w].get();
        if (on_lcores) {
            const int rc = rte_eal_remote_launch(
                [](void* arg) -> int {
                    static_cast<Worker*>(arg)->run();
                    return 0;
                },
                worker, available[w]);
            if (rc != 0) {
                if (error)
                    *error = "rte_eal_remote_launch failed";
                stop();
                return false;
            }
            lcores_.push_back(available[w]);
        } else {
            threads_.emplace_back([worker] { worker->run(); });
        }
    }
    if (config_.arp && config_.service_thread) {
        service_stop_.store(false);
        service_ = std::thread([this] {
            while (!service_stop_.load(std::memory_order_relaxed)) {
                service();
                rte_delay_us_sleep(config_.service_interval_us);
            }
        });
    }
    running_ = true;
    return true;
}

void Emulator::stop() {
    service_stop_.store(true);
    if (service_.joinable())
        service_.join();
    stop_.store(true);
    for (unsigned l : lcores_)
        rte_eal_wait_lcore(l);
    lcores_.clear();
    for (auto& t : threads_)
        t.join();
    threads_.clear();
    running_ = false;
    retire_layouts();
}

void Emulator::run_passes(std::uint64_t passes) {
    for (auto& w : workers_)
        w->run_passes(passes);
    retire_layouts();
}

void Emulator::replace_layout(Topology topo, FlowTable flows, double timeout_s) {
    auto own_topo = std::make_unique<Topology>(std::move(topo));
    auto own_flows = std::make_unique<FlowTable>(std::move(flows));
    auto l = make_layout(own_topo.get(), own_flows.get());
    l->own_topo = std::move(own_topo);
    l->own_flows = std::move(own_flows);
    const std::uint64_t generation = l->generation;
    const auto hosts = static_cast<std::uint32_t>(l->topo->hosts.size());
    {
        std::lock_guard lock(layout_mu_);
        layout_.store(l.get(), std::memory_order_release);
        layouts_.push_back(std::move(l));
    }
    if (running_) {
        // Each worker switches at the start of its next pass (within one pass time, unless it waits
        // for a CPU); one that takes longer keeps the old layout alive until a later retire_layouts().
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
        auto all_switched = [&] {
            return std::all_of(workers_.begin(), workers_.end(), [&](const auto& w) {
                return w->seen_generation.load(std::memory_order_acquire) >= generation;
            });
        };
        while (!all_switched() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    probe_.resize(hosts);
    retire_layouts();
}

void Emulator::retire_layouts() {
    std::lock_guard lock(layout_mu_);
    // Running workers may still be in any layout they have not reported leaving; stopped workers adopt
    // the current one before they touch a layout again.
    std::uint64_t oldest_in_use = layouts_.back()->generation;
    if (running_) {
        for (const auto& w : workers_)
            oldest_in_use = std::min(oldest_in_use, w->seen_generation.load(std::memory_order_acquire));
    }
    for (auto it = layouts_.begin(); it + 1 < layouts_.end();) {
        if ((*it)->generation >= oldest_in_use) {
            ++it;
            continue;
        }
        for (std::size_t h = 0; h < (*it)->topo->hosts.size(); ++h)
            retired_ += (*it)->counters[h];
        it = layouts_.erase(it);
    }
}

LayoutInfo Emulator::layout_info() const {
    std::lock_guard lock(layout_mu_);
    const Layout& l = *layouts_.back();
    return LayoutInfo{l.generation, l.topo->hosts.size(), l.topo->vms.size(), l.flows->flows.size(),
                      l.flows->flows6.size()};
}

const Topology& Emulator::topology() const {
    return *layout_.load(std::memory_order_acquire)->topo;
}

const FlowTable& Emulator::flows() const {
    return *layout_.load(std::memory_order_acquire)->flows;
}

void Emulator::send_arp_request(std::uint32_t target, const MacAddress* unicast_mac) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    if (m == nullptr)
        return;
    auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
    auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
    const std::uint16_t port = config_.nva_port;
    if (unicast_mac != nullptr) {
        set_mac(&eth->dst_addr, *unicast_mac);  // a reachability probe (RFC 1122 2.3.2.1)
    } else {
        std::memset(eth->dst_addr.addr_bytes, 0xFF, 6);
    }
    set_mac(&eth->src_addr, port_mac_[port]);
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
    arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
    arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    arp->arp_hlen = RTE_ETHER_ADDR_LEN;
    arp->arp_plen = 4;
    arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
    set_mac(&arp->arp_data.arp_sha, port_mac_[port]);
    arp->arp_data.arp_sip = rte_cpu_to_be_32(config_.nva_port_ip);
    std::memset(arp->arp_data.arp_tha.addr_bytes, 0, 6);
    arp->arp_data.arp_tip = rte_cpu_to_be_32(target);
    m->data_len = m->pkt_len = sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr);
    const auto q = static_cast<std::uint16_t>(config_.workers);  // the main lcore's queue
    if (rte_eth_tx_burst(port, q, &m, 1) != 1)
        rte_pktmbuf_free(m);
}

void Emulator::send_frame(const std::uint8_t* frame, std::size_t len) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    if (m == nullptr)
        return;
    std::memcpy(rte_pktmbuf_mtod(m, std::uint8_t*), frame, len);
    m->data_len = m->pkt_len = static_cast<std::uint16_t>(len);
    const auto q = static_cast<std::uint16_t>(config_.workers);  // the main lcore's queue
    if (rte_eth_tx_burst(config_.nva_port, q, &m, 1) != 1)
        rte_pktmbuf_free(m);
}

void Emulator::send_solicitation(const Ipv6Bytes& target, const MacAddress* unicast_mac) {
    std::uint8_t frame[ndp::kMaxFrame];
    // From the unspecified address an NS must go to the solicited-node group (RFC 4861 7.1.1).
    if (ndp::is_unspecified(config_.nva_port_ip6))
        unicast_mac = nullptr;
    const std::size_t len = ndp::build_solicitation(frame, port_mac_[config_.nva_port], config_.nva_port_ip6,
                                                    target, unicast_mac);
    send_frame(frame, len);
}

void Emulator::handle_ndp(const rte_mbuf* m, std::uint16_t port) {
    const auto msg = ndp::parse(rte_pktmbuf_mtod(m, const std::uint8_t*), m->data_len);
    if (!msg)
        return;
    if (msg->type == ndp::kAdvertisement) {
        // RFC 4861 7.2.5: only for a next hop we have an entry for. A new link-layer address replaces a
        // known one only with the Override flag; any accepted advertisement confirms the neighbour (the
        // answer to a DAD-style solicitation comes unsolicited, to all nodes).
        const std::uint32_t slot = neighbors6_.find(msg->target.data());
        if (slot == NeighborTable6::kNotFound)
            return;
        const std::uint64_t res = neighbors6_.resolution(slot);
        if ((res & NeighborTable::kStatic) != 0)
            return;
        const bool valid = (res & NeighborTable::kValid) != 0;
        if (msg->has_lladdr && (!valid || msg->override_flag || NeighborTable::mac_of(res) == msg->lladdr)) {
            neighbors6_.resolve(slot, port, msg->lladdr);
        } else if (!valid || msg->has_lladdr) {
            return;  // nothing to learn (no address for an incomplete entry, or a non-override change)
        }
        timers6_[slot] = NeighborTimer{rte_rdtsc(), 0, 0};
        return;
    }
    // A solicitation: its source link-layer address updates a next hop we already have (RFC 4861 7.2.3,
    // as ARP requests do), then we answer if it asks for our own address.
    if (!ndp::is_unspecified(msg->src) && msg->has_lladdr) {
        const std::uint32_t slot = neighbors6_.find(msg->src.data());
        if (slot != NeighborTable6::kNotFound &&
            (neighbors6_.resolution(slot) & NeighborTable::kStatic) == 0) {
            neighbors6_.resolve(slot, port, msg->lladdr);
        }
    }
    if (answer_ndp_ && msg->target == config_.nva_port_ip6) {
        const bool dad = ndp::is_unspecified(msg->src);  // answered to all nodes, unsolicited (7.2.4)
        const Ipv6Bytes dest = dad ? ndp::all_nodes() : msg->src;
        const MacAddress dest_mac = dad               ? ndp::multicast_mac(dest)
                                    : msg->has_lladdr ? msg->lladdr
                                                      : msg->eth_src;
        std::uint8_t frame[ndp::kMaxFrame];
        const std::size_t len =
            ndp::build_advertisement(frame, port_mac_[port], dest_mac, config_.nva_port_ip6, dest, !dad);
        send_frame(frame, len);
    }
}

void Emulator::handle_rx(rte_mbuf* m, std::uint16_t port) {
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    if (m->data_len >= sizeof(rte_ether_hdr) && eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
        handle_ndp(m, port);
    } else if (m->data_len >= sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr) &&
               eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
        const auto* arp = reinterpret_cast<const rte_arp_hdr*>(eth + 1);
        const std::uint32_t sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
        const std::uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
        if (op == RTE_ARP_OP_REPLY || op == RTE_ARP_OP_REQUEST) {
            // Learn from replies, and from requests of neighbours we already want (RFC 826 merge); a
            // reply also confirms the neighbour (reachability, neighbor_timers()).
            const std::uint32_t slot =
                op == RTE_ARP_OP_REPLY ? neighbors_.find_or_insert(sip) : neighbors_.find(sip);
            if (slot != NeighborTable::kNotFound &&
                (neighbors_.resolution(slot) & NeighborTable::kStatic) == 0) {
                MacAddress mac{};
                std::memcpy(mac.data(), arp->arp_data.arp_sha.addr_bytes, 6);
                neighbors_.resolve(slot, port, mac);
                if (op == RTE_ARP_OP_REPLY)
                    timers4_[slot] = NeighborTimer{rte_rdtsc(), 0, 0};
            }
        }
        if (op == RTE_ARP_OP_REQUEST && answer_arp_ &&
            rte_be_to_cpu_32(arp->arp_data.arp_tip) == config_.nva_port_ip) {
            // Answer for our own address, so the lab router can reach the emulated hosts' port.
            rte_mbuf* r = rte_pktmbuf_alloc(pool_);
            if (r != nullptr) {
                auto* reth = rte_pktmbuf_mtod(r, rte_ether_hdr*);
                auto* rarp = reinterpret_cast<rte_arp_hdr*>(reth + 1);
                *rarp = *arp;
                reth->dst_addr = eth->src_addr;
                set_mac(&reth->src_addr, port_mac_[port]);
                reth->ether_type = eth->ether_type;
                rarp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
                rarp->arp_data.arp_tha = arp->arp_data.arp_sha;
                rarp->arp_data.arp_tip = arp->arp_data.arp_sip;
                set_mac(&rarp->arp_data.arp_sha, port_mac_[port]);
                rarp->arp_data.arp_sip = arp->arp_data.arp_tip;
                r->data_len = r->pkt_len = sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr);
                const auto q = static_cast<std::uint16_t>(config_.workers);
                if (rte_eth_tx_burst(port, q, &r, 1) != 1)
                    rte_pktmbuf_free(r);
            }
        }
    }
    rte_pktmbuf_free(m);
}

// Every neighbor_retry_ms: incomplete next hops are solicited (ARP broadcast, NS to the solicited-node
// group); a resolved one whose last confirmation is older than neighbor_reachable_ms is probed unicast,
// up to neighbor_probes times neighbor_probe_ms apart, and withdrawn when none is answered.
void Emulator::neighbor_timers(std::uint64_t now) {
    const std::uint64_t reachable = ms_to_tsc(config_.neighbor_reachable_ms);
    const std::uint64_t probe_gap = ms_to_tsc(config_.neighbor_probe_ms);
    // What to do with one entry: 0 nothing, 1 solicit (incomplete), 2 probe unicast, 3 expire + solicit.
    auto step = [&](NeighborTimer& t, std::uint64_t res) -> int {
        if ((res & NeighborTable::kValid) == 0) {
            t = NeighborTimer{};
            return 1;
        }
        if ((res & NeighborTable::kStatic) != 0)
            return 0;
        if (t.confirmed_tsc == 0) {  // resolved without a reply (an NS or ARP request merge)
            t.confirmed_tsc = now;
            return 0;
        }
        if (now - t.confirmed_tsc < reachable || (t.probes != 0 && now - t.probe_tsc < probe_gap))
            return 0;
        if (t.probes >= config_.neighbor_probes) {
            t = NeighborTimer{};
            return 3;
        }
        ++t.probes;
        t.probe_tsc = now;
        return 2;
    };
    for (std::uint32_t slot = 0; slot < neighbors_.slots(); ++slot) {
        const std::uint32_t ip = neighbors_.ip_of(slot);
        if (ip == 0)
            continue;
        const std::uint64_t res = neighbors_.resolution(slot);
        const int action = step(timers4_[slot], res);
        if (action == 3)
            neighbors_.invalidate(slot);
        const MacAddress mac = NeighborTable::mac_of(res);
        if (action != 0)
            send_arp_request(ip, action == 2 ? &mac : nullptr);
    }
    for (std::uint32_t slot = 0; slot < neighbors6_.slots(); ++slot) {
        Ipv6Bytes ip{};
        if (!neighbors6_.ip_of(slot, ip.data()))
            continue;
        const std::uint64_t res = neighbors6_.resolution(slot);
        const int action = step(timers6_[slot], res);
        if (action == 3)
            neighbors6_.invalidate(slot);
        const MacAddress mac = NeighborTable::mac_of(res);
        if (action != 0)
            send_solicitation(ip, action == 2 ? &mac : nullptr);
    }
}

void Emulator::service() {
    if (!config_.arp)
        return;
    const std::uint16_t port = config_.nva_port;
    rte_mbuf* pkts[32];
    // The main lcore polls every receive queue (workers never receive): net_af_packet spreads received
    // frames over its queues (PACKET_FANOUT), so a reply may arrive on any of them.
    for (std::uint16_t q = 0; q < rx_queues_[port]; ++q) {
        for (int round = 0; round < 8; ++round) {
            const std::uint16_t n = rte_eth_rx_burst(port, q, pkts, 32);
            for (std::uint16_t i = 0; i < n; ++i)
                handle_rx(pkts[i], port);
            if (n < 32)
                break;
        }
    }
    const std::uint64_t now = rte_rdtsc();
    if (now - last_tick_tsc_ > ms_to_tsc(config_.neighbor_retry_ms)) {
        last_tick_tsc_ = now;
        neighbor_timers(now);
    }
}

namespace {
// Polls (calling `service` when the caller must run the resolver itself) until `done` or the timeout.
template <class Done, class Service>
bool poll_until(Done done, Service service, double timeout_s) {
    const std::uint64_t deadline =
        rte_rdtsc() + static_cast<std::uint64_t>(timeout_s * static_cast<double>(rte_get_tsc_hz()));
    while (!done()) {
        if (rte_rdtsc() > deadline)
            return false;
        service();
        rte_delay_us_sleep(1000);
    }
    return true;
}
}  // namespace

bool Emulator::resolve_neighbors(const std::vector<std::uint32_t>& next_hops, double timeout_s) {
    std::vector<std::uint32_t> slots;
    for (std::uint32_t nh : next_hops) {
        const std::uint32_t s = neighbors_.find_or_insert(nh);
        if (s == NeighborTable::kNotFound)
            return false;
        if (!config_.arp)
            neighbors_.resolve(s, config_.nva_port, synthetic_mac(nh));
        slots.push_back(s);
    }
    const bool own_service = !service_.joinable();  // else the service thread does the ARP work
    if (own_service)
        last_tick_tsc_ = 0;
    return poll_until(
        [&] {
            return std::all_of(slots.begin(), slots.end(), [&](std::uint32_t s) {
                return (neighbors_.resolution(s) & NeighborTable::kValid) != 0;
            });
        },
        [&] {
            if (own_service)
                service();
        },
        timeout_s);
}

bool Emulator::resolve_neighbors6(const std::vector<Ipv6Bytes>& next_hops, double timeout_s) {
    std::vector<std::uint32_t> slots;
    for (const Ipv6Bytes& nh : next_hops) {
        const std::uint32_t s = neighbors6_.find_or_insert(nh.data());
        if (s == NeighborTable6::kNotFound)
            return false;
        if (!config_.arp)
            neighbors6_.resolve(s, config_.nva_port, synthetic_mac6(nh.data()));
        slots.push_back(s);
    }
    const bool own_service = !service_.joinable();
    if (own_service)
        last_tick_tsc_ = 0;
    return poll_until(
        [&] {
            return std::all_of(slots.begin(), slots.end(), [&](std::uint32_t s) {
                return (neighbors6_.resolution(s) & NeighborTable::kValid) != 0;
            });
        },
        [&] {
            if (own_service)
                service();
        },
        timeout_s);
}

HostTotals Emulator::totals() const {
    std::lock_guard lock(layout_mu_);
    HostTotals t = retired_;
    for (const auto& l : layouts_)
        for (std::size_t h = 0; h < l->topo->hosts.size(); ++h)
            t += l->counters[h];
    return t;
}

HostTotals Emulator::host_totals(std::uint32_t host) const {
    std::lock_guard lock(layout_mu_);
    HostTotals t;
    if (host < layouts_.back()->topo->hosts.size())
        t += layouts_.back()->counters[host];
    return t;
}

std::vector<std::pair<std::uint32_t, std::uint64_t>> Emulator::next_hop_packets() const {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
    for (std::uint32_t s = 0; s < neighbors_.slots(); ++s) {
        const std::uint32_t ip = neighbors_.ip_of(s);
        if (ip == 0)
            continue;
        std::uint64_t n = 0;
        for (const auto& w : workers_)
            n += w->nh_packets(s);
        out.emplace_back(ip, n);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::pair<Ipv6Bytes, std::uint64_t>> Emulator::next_hop_packets6() const {
    std::vector<std::pair<Ipv6Bytes, std::uint64_t>> out;
    for (std::uint32_t s = 0; s < neighbors6_.slots(); ++s) {
        Ipv6Bytes ip{};
        if (!neighbors6_.ip_of(s, ip.data()))
            continue;
        std::uint64_t n = 0;
        for (const auto& w : workers_)
            n += w->nh6_packets(s);
        out.emplace_back(ip, n);
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool Emulator::add_static_neighbor6(const Ipv6Bytes& ip, const MacAddress& mac) {
    const std::uint32_t slot = neighbors6_.find_or_insert(ip.data());
    if (slot == NeighborTable6::kNotFound)
        return false;
    neighbors6_.resolve(slot, config_.nva_port, mac, /*is_static=*/true);
    return true;
}

std::uint64_t Emulator::generated6() const {
    std::uint64_t n = 0;
    for (const auto& w : workers_)
        n += w->counters.packets6.load(std::memory_order_relaxed);
    return n;
}

std::uint64_t Emulator::generated() const {
    std::uint64_t n = 0;
    for (const auto& w : workers_)
        n += w->counters.packets.load(std::memory_order_relaxed);
    return n;
}

std::uint64_t Emulator::worker_cpu_ns() const {
    std::uint64_t n = 0;
    for (const auto& w : workers_)
        n += w->counters.cpu_ns.load(std::memory_order_relaxed);
    return n;
}

unsigned Emulator::current_burst(unsigned worker) const {
    return worker < workers_.size() ? workers_[worker]->counters.burst.load(std::memory_order_relaxed) : 0;
}

SchedulingStats Emulator::scheduling() const {
    SchedulingStats total;
    for (const auto& w : workers_) {
        SchedulingStats s;
        s.stalls = w->counters.stalls.load(std::memory_order_relaxed);
        s.max_gap_tsc = w->counters.max_gap_tsc.load(std::memory_order_relaxed);
        s.passes = w->counters.passes.load(std::memory_order_relaxed);
        const std::int64_t tid = w->counters.tid.load(std::memory_order_relaxed);
        if (tid > 0) {
            // schedstat: time on CPU, time runnable on a run queue (ns), time slices.
            std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/schedstat");
            f >> s.run_ns >> s.runqueue_ns;
        }
        total += s;
    }
    return total;
}

std::uint64_t Emulator::tx_failures() const {
    std::uint64_t n = 0;
    for (const auto& w : workers_)
        n += w->counters.tx_failures.load(std::memory_order_relaxed);
    return n;
}

std::uint64_t Emulator::alloc_failures() const {
    std::uint64_t n = 0;
    for (const auto& w : workers_)
        n += w->counters.alloc_failures.load(std::memory_order_relaxed);
    return n;
}

std::size_t Emulator::memory_bytes() const {
    std::size_t n = sizeof(*this) + neighbors_.slots() * (32 + sizeof(NeighborTimer)) +
                    neighbors6_.slots() * (32 + sizeof(NeighborTimer));
    {
        std::lock_guard lock(layout_mu_);
        for (const auto& l : layouts_)
            n += sizeof(Layout) + l->topo->memory_bytes() + l->flows->memory_bytes() +
                 l->topo->hosts.size() * (sizeof(HostCounters) + sizeof(std::uint32_t));
    }
    n += workers_.size() * (sizeof(Worker) + (neighbors_.slots() + neighbors6_.slots()) * 8 +
                            RTE_MAX_ETHPORTS * (kTxBuffer * 8 + 8));
    auto pool_bytes = [](const rte_mempool* p) -> std::size_t {
        return p == nullptr
                   ? 0
                   : std::size_t{rte_mempool_calc_obj_size(p->elt_size, p->flags, nullptr)} * p->size;
    };
    n += pool_bytes(pool_);
    for (const auto& w : workers_)
        n += pool_bytes(w->pool());
    return n;
}

}  // namespace rf::dataplane
