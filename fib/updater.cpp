#include "fib/updater.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>

#include "fib/dpdk.hpp"

namespace rf::fib {

FibUpdater::FibUpdater(Fib& fib, UpdaterConfig config)
    : fib_(fib),
      config_(config),
      ring_(std::bit_ceil(std::max<std::uint32_t>(config.queue_capacity, 2))),
      ends_(ring_.size(), 0),
      mask_(ring_.size() - 1) {
    if (config_.max_batch == 0) {
        config_.max_batch = 1;
    }
}

FibUpdater::~FibUpdater() {
    stop();
}

bool FibUpdater::publish(std::span<const fib::RouteDelta> batch) {
    std::lock_guard lock(producer_mu_);
    // Stamped before anything applies it: an inline apply reports it visible before publish() returns.
    const bool timed = latency_observer_ && !batch.empty() && stamp_publish(batch.back().sequence);
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    const std::uint64_t used = tail - head;
    // Nothing queued (so nothing to overtake: producer_mu_ keeps other publishes out meanwhile) and the
    // FIB idle: apply it here.
    if (used == 0 && in_flight_.load(std::memory_order_acquire) == 0 && !batch.empty() &&
        batch.size() <= config_.inline_max && thread_.joinable() &&
        !down_flag_.load(std::memory_order_acquire) && take_inline_tokens(batch.size())) {
        if (const auto r = fib_.try_apply(batch)) {
            accepted_batches_.fetch_add(1, std::memory_order_relaxed);
            accepted_deltas_.fetch_add(batch.size(), std::memory_order_relaxed);
            inline_batches_.fetch_add(1, std::memory_order_relaxed);
            applied(r->sequence, batch.size());
            return true;
        }
    }
    if (batch.size() > ring_.size() - used) {
        if (timed) {
            unstamp_publish(batch.back().sequence);  // the producer keeps the batch and publishes it again
        }
        rejected_batches_.fetch_add(1, std::memory_order_relaxed);
        rejected_deltas_.fetch_add(batch.size(), std::memory_order_relaxed);
        return false;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        ring_[(tail + i) & mask_] = batch[i];  // reuses the slot's vector capacity
        ends_[(tail + i) & mask_] = i + 1 == batch.size() ? 1 : 0;
    }
    tail_.store(tail + batch.size(), std::memory_order_release);
    accepted_batches_.fetch_add(1, std::memory_order_relaxed);
    accepted_deltas_.fetch_add(batch.size(), std::memory_order_relaxed);
    const std::uint64_t depth = used + batch.size();
    if (depth > max_depth_.load(std::memory_order_relaxed)) {
        max_depth_.store(depth, std::memory_order_relaxed);
    }
    wake_.fetch_add(1, std::memory_order_release);
    wake_.notify_one();
    return true;
}

void FibUpdater::next_hops_down(std::span<const net::IpAddress> next_hops) {
    if (next_hops.empty()) {
        return;
    }
    if (const auto repointed = fib_.try_next_hops_down(next_hops)) {
        if (down_observer_) {
            down_observer_(*repointed);
        }
        return;
    }
    {
        std::lock_guard lock(down_mu_);
        for (const net::IpAddress& a : next_hops) {
            if (std::find(down_pending_.begin(), down_pending_.end(), a) == down_pending_.end()) {
                down_pending_.push_back(a);
            }
        }
    }
    down_flag_.store(true, std::memory_order_release);
    wake_.fetch_add(1, std::memory_order_release);
    wake_.notify_one();
}

void FibUpdater::apply_down_hints() {
    {
        std::lock_guard lock(down_mu_);
        down_applying_.swap(down_pending_);
        down_pending_.clear();
        down_flag_.store(false, std::memory_order_relaxed);
    }
    if (down_applying_.empty()) {
        return;
    }
    const std::size_t repointed = fib_.next_hops_down(down_applying_);
    if (down_observer_) {
        down_observer_(repointed);
    }
    down_applying_.clear();
}

bool FibUpdater::stamp_publish(std::uint64_t sequence) {
    std::lock_guard lock(stamps_mu_);
    if (publish_stamps_.size() >= kMaxPublishStamps) {
        return false;
    }
    publish_stamps_.emplace_back(sequence, std::chrono::steady_clock::now());
    return true;
}

void FibUpdater::unstamp_publish(std::uint64_t sequence) {
    std::lock_guard lock(stamps_mu_);
    if (!publish_stamps_.empty() && publish_stamps_.back().first == sequence) {
        publish_stamps_.pop_back();
    }
}

void FibUpdater::applied(std::uint64_t sequence, std::size_t deltas) {
    applied_batches_.fetch_add(1, std::memory_order_relaxed);
    applied_deltas_.fetch_add(deltas, std::memory_order_relaxed);
    if (latency_observer_) {
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(stamps_mu_);
        while (!publish_stamps_.empty() && publish_stamps_.front().first <= sequence) {
            latency_observer_(now - publish_stamps_.front().second);
            publish_stamps_.pop_front();
        }
    }
    if (observer_) {
        observer_(sequence);
    }
}

bool FibUpdater::take_inline_tokens(std::size_t deltas) {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - inline_refilled_).count();
    inline_refilled_ = now;
    inline_tokens_ = std::min<double>(config_.inline_burst, inline_tokens_ + elapsed * config_.inline_rate);
    if (static_cast<double>(deltas) > inline_tokens_) {
        return false;
    }
    inline_tokens_ -= static_cast<double>(deltas);
    return true;
}

std::size_t FibUpdater::drain(std::vector<fib::RouteDelta>& out) {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    const std::uint64_t tail = tail_.load(std::memory_order_acquire);
    const std::size_t have = out.size();
    const std::uint64_t avail = tail - head;
    std::uint64_t n = std::min<std::uint64_t>(avail, config_.max_batch > have ? config_.max_batch - have : 0);
    // Never split a publish: a peer-down larger than max_batch is one Fib::apply(), so that its whole
    // next-hop groups can be repointed at once (prefix-independent convergence).
    while (n != 0 && n < avail && ends_[(head + n - 1) & mask_] == 0) {
        ++n;
    }
    out.resize(have + n);
    for (std::uint64_t i = 0; i < n; ++i) {
        std::swap(out[have + i], ring_[(head + i) & mask_]);  // both keep their vector capacity around
    }
    in_flight_.store(have + n, std::memory_order_relaxed);  // before head_: see publish()
    head_.store(head + n, std::memory_order_release);
    return n;
}

void FibUpdater::start() {
    if (thread_.joinable()) {
        return;
    }
    stop_.store(false);
    std::atomic<bool> ready{false};
    thread_ = std::thread([this, &ready] {
        ::pthread_setname_np(::pthread_self(), "rf-fib-writer");  // for top -H, perf, ps -L
        // A new thread starts with its creator's nice value: read it here.
        errno = 0;
        const int base = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
        if (config_.nice_delta != 0 && errno == 0) {
            const int want = std::clamp(base + config_.nice_delta, -20, 19);
            if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), want) != 0) {
                priority_refused_.store(true, std::memory_order_relaxed);
            }
        }
        ready.store(true, std::memory_order_release);
        ready.notify_one();
        run();
    });
    ready.wait(false, std::memory_order_acquire);  // stats().priority_refused is final from here on
}

void FibUpdater::stop() {
    if (!thread_.joinable()) {
        return;
    }
    stop_.store(true, std::memory_order_release);
    wake_.fetch_add(1, std::memory_order_release);
    wake_.notify_one();
    thread_.join();
}

void FibUpdater::run() {
    std::vector<fib::RouteDelta> batch;
    batch.reserve(config_.max_batch);
    // While a grace period runs, poll briefly before yielding: readers report within microseconds
    // when they are running, and a yield on a busy machine can cost a whole time slice.
    unsigned polls = 0;
    auto pause = [&polls] {
        if (++polls % 256 == 0) {
            std::this_thread::yield();
        } else {
            rte_pause();
        }
    };
    for (;;) {
        const std::uint32_t seen = wake_.load(std::memory_order_acquire);
        if (down_flag_.load(std::memory_order_acquire)) {
            apply_down_hints();  // first: it takes dead next hops out of every group at once
        }
        const std::size_t n = drain(batch);
        if (batch.empty()) {
            // Idle: the lookup structures' own idle work first (RteFib: the standby instances).
            if (!fib_.sync(false)) {
                pause();
                continue;
            }
            if (stop_.load(std::memory_order_acquire)) {
                return;
            }
            fib_.reclaim();
            // Poll the queue briefly before sleeping: waking a sleeping thread costs a futex call and,
            // on a busy machine, a scheduling delay that dwarfs applying a small batch.
            const auto poll_until =
                std::chrono::steady_clock::now() + std::chrono::microseconds(config_.idle_poll_us);
            bool arrived = false;
            while (!arrived && std::chrono::steady_clock::now() < poll_until) {
                for (int i = 0; i < 32 && !arrived; ++i) {
                    rte_pause();
                    arrived =
                        tail_.load(std::memory_order_acquire) != head_.load(std::memory_order_relaxed) ||
                        down_flag_.load(std::memory_order_relaxed) || stop_.load(std::memory_order_relaxed);
                }
            }
            if (!arrived) {
                wake_.wait(seen, std::memory_order_acquire);
            }
            continue;
        }
        // RteFib: readers are still leaving the standby instances: gather more deltas meanwhile
        // (adaptive batching) rather than wait with a small batch. (Dir24 never holds a batch here.)
        if (batch.size() < config_.max_batch && !fib_.sync(false)) {
            if (n == 0) {
                pause();
            }
            continue;
        }
        applied(fib_.apply(batch).sequence, batch.size());
        batch.clear();
        in_flight_.store(0, std::memory_order_release);
    }
}

bool FibUpdater::wait_visible(std::uint64_t sequence, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fib_.visible_sequence() < sequence) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::yield();
    }
    return true;
}

UpdaterStats FibUpdater::stats() const {
    UpdaterStats s;
    s.accepted_batches = accepted_batches_.load(std::memory_order_relaxed);
    s.accepted_deltas = accepted_deltas_.load(std::memory_order_relaxed);
    s.rejected_batches = rejected_batches_.load(std::memory_order_relaxed);
    s.rejected_deltas = rejected_deltas_.load(std::memory_order_relaxed);
    s.applied_batches = applied_batches_.load(std::memory_order_relaxed);
    s.applied_deltas = applied_deltas_.load(std::memory_order_relaxed);
    s.queue_depth = tail_.load(std::memory_order_relaxed) - head_.load(std::memory_order_relaxed);
    s.max_queue_depth = max_depth_.load(std::memory_order_relaxed);
    s.priority_refused = priority_refused_.load(std::memory_order_relaxed);
    s.inline_batches = inline_batches_.load(std::memory_order_relaxed);
    return s;
}

}  // namespace rf::fib
