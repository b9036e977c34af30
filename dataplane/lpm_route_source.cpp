#include "dataplane/lpm_route_source.hpp"

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lpm.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <algorithm>
#include <cerrno>

namespace rf::dataplane {

std::unique_ptr<LpmRouteSource> LpmRouteSource::create(const Config& config, std::string* error) {
    auto fail = [&](const std::string& what) -> std::unique_ptr<LpmRouteSource> {
        if (error)
            *error = what + ": " + rte_strerror(rte_errno);
        return nullptr;
    };
    if (config.max_groups < 2 || config.max_groups > (1U << 24)) {
        if (error)
            *error = "max_groups must be in [2, 2^24]";
        return nullptr;
    }
    std::unique_ptr<LpmRouteSource> self(new LpmRouteSource(config));
    const std::size_t qs = rte_rcu_qsbr_get_memsize(config.max_readers);
    self->qsbr_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc(nullptr, qs, RTE_CACHE_LINE_SIZE));
    if (self->qsbr_ == nullptr)
        return fail("rte_zmalloc(qsbr)");
    if (rte_rcu_qsbr_init(self->qsbr_, config.max_readers) != 0)
        return fail("rte_rcu_qsbr_init");
    for (unsigned t = 0; t < config.tables; ++t) {
        rte_lpm_config lc{};
        lc.max_rules = config.max_routes;
        lc.number_tbl8s = config.tbl8_groups;
        const std::string name = std::string(config.name) + "-" + std::to_string(t);
        rte_lpm* lpm = rte_lpm_create(name.c_str(), SOCKET_ID_ANY, &lc);
        if (lpm == nullptr)
            return fail("rte_lpm_create(" + name + ")");
        self->lpms_.push_back(lpm);
        rte_lpm_rcu_config rc{};
        rc.v = self->qsbr_;
        rc.mode = RTE_LPM_QSBR_MODE_DQ;
        if (rte_lpm_rcu_qsbr_add(lpm, &rc) != 0)
            return fail("rte_lpm_rcu_qsbr_add");
    }
    self->slots_ = std::make_unique<std::atomic<const Group*>[]>(config.max_groups);
    self->owned_.resize(config.max_groups);
    for (std::uint32_t s = config.max_groups - 1; s >= 1; --s)
        self->free_slots_.push_back(s);
    self->routes_.resize(config.tables);
    return self;
}

LpmRouteSource::~LpmRouteSource() {
    for (auto* lpm : lpms_)
        rte_lpm_free(lpm);
    rte_free(qsbr_);
}

void LpmRouteSource::reader_online(unsigned reader) {
    rte_rcu_qsbr_thread_register(qsbr_, reader);
    rte_rcu_qsbr_thread_online(qsbr_, reader);
}

void LpmRouteSource::reader_offline(unsigned reader) {
    rte_rcu_qsbr_thread_offline(qsbr_, reader);
    rte_rcu_qsbr_thread_unregister(qsbr_, reader);
}

void LpmRouteSource::quiescent(unsigned reader) {
    rte_rcu_qsbr_quiescent(qsbr_, reader);
}

void LpmRouteSource::lookup_bulk(TableId table, const std::uint32_t* dst, GroupView* out, unsigned n) {
    constexpr unsigned kChunk = 64;
    std::uint32_t hops[kChunk];
    rte_lpm* lpm = lpms_[table];
    for (unsigned base = 0; base < n; base += kChunk) {
        const unsigned m = std::min(kChunk, n - base);
        rte_lpm_lookup_bulk(lpm, dst + base, hops, m);
        for (unsigned i = 0; i < m; ++i) {
            if ((hops[i] & RTE_LPM_LOOKUP_SUCCESS) == 0) {
                out[base + i] = GroupView{};
                continue;
            }
            const Group* g = slots_[hops[i] & 0x00FFFFFFU].load(std::memory_order_acquire);
            out[base + i] = g != nullptr ? g->view : GroupView{};
        }
    }
}

LpmRouteSource::Group* LpmRouteSource::intern(NextHopKind kind, std::vector<std::uint32_t> addrs,
                                              std::string* error) {
    std::sort(addrs.begin(), addrs.end());
    addrs.erase(std::unique(addrs.begin(), addrs.end()), addrs.end());
    if (kind != NextHopKind::Ip)
        addrs.clear();
    GroupKey key{kind, addrs};
    if (auto it = groups_by_key_.find(key); it != groups_by_key_.end())
        return owned_[it->second].get();
    if (free_slots_.empty()) {
        reclaim();
        if (free_slots_.empty()) {
            if (error)
                *error = "next-hop group capacity exhausted";
            return nullptr;
        }
    }
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    auto g = std::make_unique<Group>();
    g->addrs = std::move(addrs);
    g->slot = slot;
    g->view.kind = kind;
    g->view.count = static_cast<std::uint32_t>(g->addrs.size());
    for (std::uint32_t a : g->addrs)
        g->wire.push_back(rte_cpu_to_be_32(a));
    g->view.members = reinterpret_cast<const std::uint8_t*>(g->wire.data());
    g->view.stride = 4;
    g->view.id = next_group_id_++;
    Group* raw = g.get();
    owned_[slot] = std::move(g);
    slots_[slot].store(raw, std::memory_order_release);
    groups_by_key_.emplace(std::move(key), slot);
    return raw;
}

void LpmRouteSource::release(std::uint32_t slot) {
    Group* g = owned_[slot].get();
    if (--g->refs != 0)
        return;
    groups_by_key_.erase(GroupKey{g->view.kind, g->addrs});
    // Readers may still hold the view: retire until every reader has been quiescent.
    retired_.push_back(Retired{rte_rcu_qsbr_start(qsbr_), slot});
}

bool LpmRouteSource::apply(std::span<const RouteChange> batch, std::string* error) {
    for (const auto& c : batch) {
        if (c.table >= lpms_.size()) {
            if (error)
                *error = "no such table";
            return false;
        }
        auto& table = routes_[c.table];
        const RouteKey key{c.prefix, c.length};
        auto it = table.find(key);
        if (c.withdraw) {
            if (it == table.end())
                continue;
            rte_lpm_delete(lpms_[c.table], c.prefix, c.length);
            const std::uint32_t old = it->second;
            table.erase(it);
            release(old);
            continue;
        }
        Group* g = intern(c.kind, c.next_hops, error);
        if (g == nullptr)
            return false;
        if (it != table.end() && it->second == g->slot)
            continue;  // unchanged
        const int rc = c.length == 0 ? -EINVAL : rte_lpm_add(lpms_[c.table], c.prefix, c.length, g->slot);
        if (rc != 0) {
            if (g->refs == 0) {  // undo the intern of a group nobody uses
                ++g->refs;
                release(g->slot);
            }
            if (error)
                *error = std::string("rte_lpm_add: ") + rte_strerror(-rc);
            return false;
        }
        ++g->refs;
        if (it != table.end()) {
            const std::uint32_t old = it->second;
            it->second = g->slot;
            release(old);
        } else {
            table.emplace(key, g->slot);
        }
    }
    reclaim();
    return true;
}

void LpmRouteSource::reclaim() {
    auto keep = retired_.begin();
    for (auto& r : retired_) {
        if (rte_rcu_qsbr_check(qsbr_, r.token, false) == 1) {
            slots_[r.slot].store(nullptr, std::memory_order_relaxed);
            owned_[r.slot].reset();
            free_slots_.push_back(r.slot);
        } else {
            *keep++ = r;
        }
    }
    retired_.erase(keep, retired_.end());
}

void LpmRouteSource::synchronize() {
    while (!retired_.empty()) {
        rte_rcu_qsbr_check(qsbr_, retired_.back().token, true);
        reclaim();
    }
}

std::vector<RouteEntry> LpmRouteSource::routes(TableId table) const {
    std::vector<RouteEntry> out;
    if (table >= routes_.size())
        return out;
    out.reserve(routes_[table].size());
    for (const auto& [key, slot] : routes_[table]) {
        const Group& g = *owned_[slot];
        out.push_back(RouteEntry{key.first, key.second, g.view.kind, g.addrs});
    }
    return out;
}

std::size_t LpmRouteSource::route_count() const {
    std::size_t n = 0;
    for (const auto& t : routes_)
        n += t.size();
    return n;
}

std::size_t LpmRouteSource::memory_bytes() const {
    // tbl24 (2^24 entries of 4 bytes) + tbl8 groups (256 entries of 4 bytes) + rules, per table.
    const std::size_t per_table = (std::size_t{1} << 24) * 4 + std::size_t{config_.tbl8_groups} * 256 * 4 +
                                  std::size_t{config_.max_routes} * 8;
    std::size_t groups = 0;
    for (const auto& g : owned_)
        if (g)
            groups += sizeof(Group) + g->addrs.capacity() * 8;
    return per_table * lpms_.size() + groups + rte_rcu_qsbr_get_memsize(config_.max_readers) +
           config_.max_groups * (sizeof(void*) * 2);
}

}  // namespace rf::dataplane
