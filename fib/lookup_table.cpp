#include "fib/lookup_table.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "fib/dpdk.hpp"

namespace rf::fib {
namespace {

std::atomic<std::uint32_t> g_instance_counter{0};

std::string instance_name(const char* prefix) {
    // rte_rib names its node mempool "MP_<name>" (at most 25 characters): keep names short and unique.
    return prefix + std::to_string(g_instance_counter.fetch_add(1));
}

rte_fib* make_instance(const LookupConfig& c, unsigned nh_bytes) {
    const std::string name = instance_name("rf");
    rte_fib_conf conf{};
    conf.type = RTE_FIB_DIR24_8;
    conf.default_nh = kNoGroup;
    conf.max_routes = static_cast<int>(c.max_routes);
    conf.rib_ext_sz = 0;
    conf.dir24_8.nh_sz = nh_bytes == 2 ? RTE_FIB_DIR24_8_2B : RTE_FIB_DIR24_8_4B;
    conf.dir24_8.num_tbl8 = c.num_tbl8;
    rte_fib* f = rte_fib_create(name.c_str(), SOCKET_ID_ANY, &conf);
    if (f == nullptr) {
        throw std::runtime_error("rte_fib_create(" + name + ") failed: " + rte_strerror(rte_errno) +
                                 " (EAL memory too small? raise -m)");
    }
    return f;
}

rte_fib6* make_instance6(const LookupConfig& c, unsigned nh_bytes) {
    const std::string name = instance_name("rf6_");
    rte_fib6_conf conf{};
    conf.type = RTE_FIB6_TRIE;
    conf.default_nh = kNoGroup;
    conf.max_routes = static_cast<int>(c.max_routes6);
    conf.rib_ext_sz = 0;
    conf.trie.nh_sz = nh_bytes == 2 ? RTE_FIB6_TRIE_2B : RTE_FIB6_TRIE_4B;
    conf.trie.num_tbl8 = c.num_tbl8_6;
    rte_fib6* f = rte_fib6_create(name.c_str(), SOCKET_ID_ANY, &conf);
    if (f == nullptr) {
        throw std::runtime_error("rte_fib6_create(" + name + ") failed: " + rte_strerror(rte_errno) +
                                 " (EAL memory too small? raise -m)");
    }
    return f;
}

}  // namespace

LookupTable::LookupTable(const LookupConfig& config, rte_rcu_qsbr* qsbr) : config_(config), qsbr_(qsbr) {
    if (config.engine == LookupEngine::Dir24) {
        Dir24Config c;
        c.max_routes = config.max_routes;
        c.num_tbl8 = config.num_tbl8;
        c.avx512 = config.path == LookupPath::Avx512;
        d4_ = Dir24Lpm4::create(c, qsbr);
        nh_bytes_ = d4_->entry_bytes();
        avx512_ = d4_->avx512();
        const bool narrow6 = config.max_routes6 < (1U << 15) && config.num_tbl8_6 <= (1U << 15);
        nh_bytes6_ = narrow6 ? 2 : 4;
        return;
    }
    nh_bytes_ = config.max_group_id < (1U << 15) && config.num_tbl8 < (1U << 15) ? 2 : 4;
    nh_bytes6_ = config.max_group_id < (1U << 15) && config.num_tbl8_6 < (1U << 15) ? 2 : 4;
    try {
        fib_[0] = make_instance(config, nh_bytes_);
        fib_[1] = make_instance(config, nh_bytes_);
    } catch (...) {
        rte_fib_free(fib_[0]);
        throw;
    }
    for (rte_fib* f : fib_) {
        int rc = -1;
        if (config.path == LookupPath::Avx512) {
            rc = rte_fib_select_lookup(f, RTE_FIB_LOOKUP_DIR24_8_VECTOR_AVX512);
            avx512_ = rc == 0;
        } else if (config.path == LookupPath::Scalar) {
            rc = rte_fib_select_lookup(f, RTE_FIB_LOOKUP_DIR24_8_SCALAR_MACRO);
        }
        if (rc != 0) {
            rte_fib_select_lookup(f, RTE_FIB_LOOKUP_DEFAULT);
        }
    }
    active_.store(fib_[0], std::memory_order_release);
}

LookupTable::~LookupTable() {
    rte_fib_free(fib_[0]);
    rte_fib_free(fib_[1]);
    rte_fib6_free(v6_[0]);
    rte_fib6_free(v6_[1]);
}

void LookupTable::create_v6() {
    if (config_.engine == LookupEngine::Dir24) {
        Dir24Config c;
        c.max_routes = config_.max_routes6;
        c.num_tbl8 = config_.num_tbl8_6;
        d6_owned_ = Dir24Lpm6::create(c, qsbr_);
        d6_owned_->set(Dir24Lpm6::Address{}, 0, default_group6_.load(std::memory_order_relaxed));
        nh_bytes6_ = d6_owned_->entry_bytes();
        return;  // published by apply() once it holds the batch's routes
    }
    v6_[0] = make_instance6(config_, nh_bytes6_);
    try {
        v6_[1] = make_instance6(config_, nh_bytes6_);
    } catch (...) {
        rte_fib6_free(v6_[0]);
        v6_[0] = nullptr;
        throw;
    }
    // Both empty, hence identical: the usual apply/flip/catch-up cycle takes over from here. Readers
    // see no IPv6 instance (active6_ null: every lookup misses) until the first flip.
}

void LookupTable::program(rte_fib* f, std::span<const Op> ops, bool count) {
    for (const Op& op : ops) {
        int rc = 0;
        if (op.group == kNoGroup) {
            rc = rte_fib_delete(f, op.ip, op.depth);
            if (rc == -ENOENT) {
                rc = 0;  // already absent: the delete's purpose holds
            }
        } else {
            rc = rte_fib_add(f, op.ip, op.depth, op.group);
        }
        if (rc != 0 && count) {
            ++failures_;
        }
    }
}

void LookupTable::program6(rte_fib6* f, std::span<const Op6> ops, bool count) {
    for (const Op6& op : ops) {
        int rc = 0;
        if (op.group == kNoGroup) {
            rc = rte_fib6_delete(f, op.ip.data(), op.depth);
            if (rc == -ENOENT) {
                rc = 0;
            }
        } else {
            rc = rte_fib6_add(f, op.ip.data(), op.depth, op.group);
        }
        if (rc != 0 && count) {
            ++failures_;
        }
    }
}

bool LookupTable::catch_up(bool wait) {
    if (config_.engine == LookupEngine::Dir24) {
        d4_->end_batch();
        if (d6_owned_) {
            d6_owned_->end_batch();
        }
        return true;
    }
    return catch_up_rte_fib(wait);
}

bool LookupTable::catch_up_rte_fib(bool wait) {
    if (behind_.empty() && behind6_.empty()) {
        return true;
    }
    // Readers may still be inside the standby instances until every one has passed a quiescent point
    // after the last flip.
    if (rte_rcu_qsbr_check(qsbr_, flip_token_, false) != 1) {
        if (!wait) {
            return false;
        }
        ++grace_waits_;
        // Spin while the readers are likely running (they report once per burst, microseconds);
        // yield only after that, since a yield on a busy machine can cost a whole time slice.
        const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
        for (unsigned spins = 0; rte_rcu_qsbr_check(qsbr_, flip_token_, false) != 1; ++spins) {
            if (spins % 64 != 0 || std::chrono::steady_clock::now() < spin_until) {
                rte_pause();
            } else {
                std::this_thread::yield();  // a reader may be waiting for this core
            }
        }
    }
    program(fib_[standby_], behind_, false);  // failures were counted when first applied
    behind_.clear();
    if (v6_[standby_] != nullptr) {
        program6(v6_[standby_], behind6_, false);
    }
    behind6_.clear();
    return true;
}

std::size_t LookupTable::apply(std::span<const Op> ops, std::span<const Op6> ops6) {
    if (config_.engine == LookupEngine::RteFib) {
        return apply_rte_fib(ops, ops6);
    }
    std::size_t failed = 0;
    if (ops.size() > 1024) {
        d4_->reserve(ops.size());
    }
    failed += d4_->apply(ops);
    d4_->end_batch();
    if (!ops6.empty()) {
        const bool fresh = d6_owned_ == nullptr;
        if (fresh) {
            create_v6();
        }
        failed += d6_owned_->apply(ops6);
        d6_owned_->end_batch();
        if (fresh) {
            d6_.store(d6_owned_.get(), std::memory_order_release);
        }
    }
    failures_ += failed;
    return failed;
}

std::size_t LookupTable::apply_rte_fib(std::span<const Op> ops, std::span<const Op6> ops6) {
    const std::uint64_t before = failures_;
    if (!ops6.empty() && v6_[0] == nullptr) {
        catch_up_rte_fib(true);  // the new pair starts identical, so the v4 pair must be current too
        create_v6();
    }
    if (!config_.left_right) {
        program(active_.load(std::memory_order_relaxed), ops, true);
        if (!ops6.empty()) {
            if (active6_.load(std::memory_order_relaxed) == nullptr) {
                active6_.store(v6_[0], std::memory_order_release);
            }
            program6(active6_.load(std::memory_order_relaxed), ops6, true);
        }
        return static_cast<std::size_t>(failures_ - before);
    }
    catch_up_rte_fib(true);
    program(fib_[standby_], ops, true);
    if (v6_[standby_] != nullptr) {
        program6(v6_[standby_], ops6, true);
        active6_.store(v6_[standby_], std::memory_order_release);
    }
    active_.store(fib_[standby_], std::memory_order_release);
    flip_token_ = rte_rcu_qsbr_start(qsbr_);
    standby_ ^= 1;
    behind_.assign(ops.begin(), ops.end());
    behind6_.assign(ops6.begin(), ops6.end());
    return static_cast<std::size_t>(failures_ - before);
}

void LookupTable::set_default_group(GroupId g) {
    if (d4_) {
        d4_->set(0, 0, g);  // rid 0's group: one store
        return;
    }
    default_group_.store(g, std::memory_order_release);
}

void LookupTable::set_default_group6(GroupId g) {
    default_group6_.store(g, std::memory_order_release);
    if (d6_owned_) {
        d6_owned_->set(Dir24Lpm6::Address{}, 0, g);
    }
}

GroupId LookupTable::default_group() const {
    return d4_ ? d4_->default_group() : default_group_.load(std::memory_order_acquire);
}

std::uint64_t LookupTable::grace_waits() const {
    std::uint64_t n = grace_waits_;
    if (d4_) {
        n += d4_->stats().grace_waits;
    }
    if (d6_owned_) {
        n += d6_owned_->stats().grace_waits;
    }
    return n;
}

std::uint64_t LookupTable::failures() const {
    return failures_;
}

Dir24Stats LookupTable::dir24_stats() const {
    Dir24Stats s;
    if (d4_) {
        s = d4_->stats();
    }
    if (d6_owned_) {
        const Dir24Stats s6 = d6_owned_->stats();
        s.routes += s6.routes;
        s.tbl8_used += s6.tbl8_used;
        s.tbl8_touched += s6.tbl8_touched;
        s.rids_deferred += s6.rids_deferred;
        s.tbl8_deferred += s6.tbl8_deferred;
        s.grace_waits += s6.grace_waits;
        s.failures += s6.failures;
        s.memory_bytes += s6.memory_bytes;
    }
    return s;
}

void LookupTable::lookup_bulk(const std::uint32_t* dst, std::uint64_t* groups, unsigned n) const {
    if (d4_) {
        d4_->lookup_bulk(dst, groups, n);  // the default route is rid 0's group: no substitution
        return;
    }
    rte_fib* f = active_.load(std::memory_order_acquire);
    // rte_fib_lookup_bulk does not write the addresses; its prototype just lacks the const.
    rte_fib_lookup_bulk(f, const_cast<std::uint32_t*>(dst), groups, n);
    const GroupId dflt = default_group_.load(std::memory_order_acquire);
    if (dflt != kNoGroup) {
        for (unsigned i = 0; i < n; ++i) {
            groups[i] = groups[i] == kNoGroup ? dflt : groups[i];
        }
    }
}

void LookupTable::lookup_bulk6(const std::uint8_t (*dst)[16], std::uint64_t* groups, unsigned n) const {
    if (config_.engine == LookupEngine::Dir24) {
        if (const Dir24Lpm6* d6 = d6_.load(std::memory_order_acquire); d6 != nullptr) {
            d6->lookup_bulk(dst, groups, n);
            return;
        }
        const GroupId dflt = default_group6_.load(std::memory_order_acquire);
        for (unsigned i = 0; i < n; ++i) {
            groups[i] = dflt;
        }
        return;
    }
    rte_fib6* f = active6_.load(std::memory_order_acquire);
    const GroupId dflt = default_group6_.load(std::memory_order_acquire);
    if (f == nullptr) {
        for (unsigned i = 0; i < n; ++i) {
            groups[i] = dflt;
        }
        return;
    }
    // Same as above: rte_fib6_lookup_bulk only reads the addresses.
    rte_fib6_lookup_bulk(f, const_cast<std::uint8_t(*)[16]>(dst), groups, static_cast<int>(n));
    if (dflt != kNoGroup) {
        for (unsigned i = 0; i < n; ++i) {
            groups[i] = groups[i] == kNoGroup ? dflt : groups[i];
        }
    }
}

std::size_t LookupTable::memory_bytes() const {
    if (config_.engine == LookupEngine::Dir24) {
        return dir24_stats().memory_bytes;
    }
    // DIR-24-8 / trie: 2^24 tbl24 entries, num_tbl8 groups of 256 entries, and the RIB's node pool
    // (rte_rib_node is 48 bytes plus the mempool's per-object header and padding, ~64 bytes; an
    // rte_rib6_node ~96).
    const std::size_t nh = nh_bytes_;
    const std::size_t nh6 = nh_bytes6_;
    std::size_t one = (std::size_t{1} << 24) * nh + std::size_t{config_.num_tbl8} * 256 * nh +
                      std::size_t{config_.max_routes} * 64;
    if (v6_[0] != nullptr) {
        one += (std::size_t{1} << 24) * nh6 + std::size_t{config_.num_tbl8_6} * 256 * nh6 +
               std::size_t{config_.max_routes6} * 96;
    }
    return 2 * one;
}

}  // namespace rf::fib
