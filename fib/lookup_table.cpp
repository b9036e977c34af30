#include "fib/lookup_table.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "fib/dpdk.hpp"

namespace rf::fib {
namespace {

std::atomic<std::uint32_t> g_instance_counter{0};

rte_fib* make_instance(const LookupConfig& c) {
    // rte_rib names its node mempool "MP_<name>" (at most 25 characters): keep names short and unique.
    const std::string name = "rf" + std::to_string(g_instance_counter.fetch_add(1));
    rte_fib_conf conf{};
    conf.type = RTE_FIB_DIR24_8;
    conf.default_nh = kNoGroup;
    conf.max_routes = static_cast<int>(c.max_routes);
    conf.rib_ext_sz = 0;
    conf.dir24_8.nh_sz = RTE_FIB_DIR24_8_4B;
    conf.dir24_8.num_tbl8 = c.num_tbl8;
    rte_fib* f = rte_fib_create(name.c_str(), SOCKET_ID_ANY, &conf);
    if (f == nullptr) {
        throw std::runtime_error("rte_fib_create(" + name + ") failed: " + rte_strerror(rte_errno) +
                                 " (EAL memory too small? raise -m)");
    }
    return f;
}

}  // namespace

LookupTable::LookupTable(const LookupConfig& config, rte_rcu_qsbr* qsbr) : config_(config), qsbr_(qsbr) {
    try {
        fib_[0] = make_instance(config);
        fib_[1] = make_instance(config);
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

bool LookupTable::catch_up(bool wait) {
    if (behind_.empty()) {
        return true;
    }
    // Readers may still be inside the standby instance until every one has passed a quiescent point
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
    return true;
}

std::size_t LookupTable::apply(std::span<const Op> ops) {
    const std::uint64_t before = failures_;
    if (!config_.left_right) {
        program(active_.load(std::memory_order_relaxed), ops, true);
        return static_cast<std::size_t>(failures_ - before);
    }
    catch_up(true);
    program(fib_[standby_], ops, true);
    active_.store(fib_[standby_], std::memory_order_release);
    flip_token_ = rte_rcu_qsbr_start(qsbr_);
    standby_ ^= 1;
    behind_.assign(ops.begin(), ops.end());
    return static_cast<std::size_t>(failures_ - before);
}

void LookupTable::lookup_bulk(const std::uint32_t* dst, std::uint64_t* groups, unsigned n) const {
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

std::size_t LookupTable::memory_bytes() const {
    // DIR-24-8 with 4-byte entries: 2^24 tbl24 entries, num_tbl8 groups of 256, and the RIB's node
    // pool (rte_rib_node is 48 bytes plus the mempool's per-object header and padding, ~64 bytes).
    const std::size_t one = (std::size_t{1} << 24) * 4 + std::size_t{config_.num_tbl8} * 256 * 4 +
                            std::size_t{config_.max_routes} * 64;
    return 2 * one;
}

}  // namespace rf::fib
