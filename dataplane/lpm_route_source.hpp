// A self-contained RouteSource: one DPDK rte_lpm per effective route table (RCU-integrated, so tbl8
// groups are reclaimed only after a grace period) and interned, immutable next-hop groups retired
// through the same rte_rcu_qsbr variable. One writer thread calls apply(); any number of registered
// readers look up concurrently. Used by the tests (as the system under test and, through routes(), as
// the reference), and by rf-emulator when it runs without the FIB.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dataplane/route_source.hpp"

struct rte_lpm;
struct rte_rcu_qsbr;

namespace rf::dataplane {

struct RouteChange {
    TableId table = 0;
    std::uint32_t prefix = 0;  // host byte order, host bits zero
    std::uint8_t length = 0;
    bool withdraw = false;
    NextHopKind kind = NextHopKind::Ip;
    std::vector<std::uint32_t> next_hops;  // kind Ip; sorted by the writer
};

struct RouteEntry {
    std::uint32_t prefix = 0;
    std::uint8_t length = 0;
    NextHopKind kind = NextHopKind::NoRoute;
    std::vector<std::uint32_t> next_hops;
};

class LpmRouteSource final : public RouteSource {
public:
    struct Config {
        unsigned tables = 1;
        unsigned max_routes = 1U << 16;   // per table
        unsigned tbl8_groups = 1U << 12;  // per table (routes longer than /24)
        unsigned max_readers = 128;
        unsigned max_groups = 1U << 16;
        const char* name = "rf-lpm";  // DPDK object names are derived from it; unique per process
    };
    static std::unique_ptr<LpmRouteSource> create(const Config& config, std::string* error);
    ~LpmRouteSource() override;
    LpmRouteSource(const LpmRouteSource&) = delete;
    LpmRouteSource& operator=(const LpmRouteSource&) = delete;

    // Reader side.
    [[nodiscard]] unsigned max_readers() const override { return config_.max_readers; }
    void reader_online(unsigned reader) override;
    void reader_offline(unsigned reader) override;
    void quiescent(unsigned reader) override;
    void lookup_bulk(TableId table, const std::uint32_t* dst, GroupView* out, unsigned n) override;

    // Writer side (one thread). Applies the batch; every change is visible to readers when it returns.
    // Returns false (and applies nothing more) on a capacity error.
    bool apply(std::span<const RouteChange> batch, std::string* error = nullptr);
    // Frees groups whose grace period has ended; never blocks.
    void reclaim();
    // Blocks until every retired group is freed (readers must keep reporting quiescent state).
    void synchronize();

    [[nodiscard]] unsigned tables() const { return config_.tables; }
    [[nodiscard]] std::vector<RouteEntry> routes(TableId table) const;
    [[nodiscard]] std::size_t route_count() const;
    [[nodiscard]] std::size_t group_count() const { return groups_by_key_.size(); }
    [[nodiscard]] std::size_t retired_pending() const { return retired_.size(); }
    [[nodiscard]] std::size_t memory_bytes() const;
    [[nodiscard]] rte_rcu_qsbr* qsbr() const { return qsbr_; }

private:
    struct Group {
        GroupView view;
        std::vector<std::uint32_t> addrs;  // host byte order, sorted (the interning key)
        std::vector<std::uint32_t> wire;   // the same in network byte order (what GroupView points to)
        std::uint32_t refs = 0;
        std::uint32_t slot = 0;
    };
    using GroupKey = std::pair<NextHopKind, std::vector<std::uint32_t>>;
    using RouteKey = std::pair<std::uint32_t, std::uint8_t>;

    explicit LpmRouteSource(const Config& config) : config_(config) {}
    Group* intern(NextHopKind kind, std::vector<std::uint32_t> addrs, std::string* error);
    void release(std::uint32_t slot);

    Config config_;
    rte_rcu_qsbr* qsbr_ = nullptr;
    std::vector<rte_lpm*> lpms_;
    std::unique_ptr<std::atomic<const Group*>[]> slots_;
    std::vector<std::unique_ptr<Group>> owned_;  // by slot
    std::vector<std::uint32_t> free_slots_;
    std::map<GroupKey, std::uint32_t> groups_by_key_;
    std::vector<std::map<RouteKey, std::uint32_t>> routes_;  // per table: prefix → group slot
    struct Retired {
        std::uint64_t token;
        std::uint32_t slot;
    };
    std::vector<Retired> retired_;
    std::uint64_t next_group_id_ = 1;
};

}  // namespace rf::dataplane
