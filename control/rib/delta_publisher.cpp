#include "control/rib/delta_publisher.hpp"

namespace rf::rib {

void DeltaPublisher::publish(std::vector<fib::RouteDelta>&& deltas) {
    if (pending_.empty()) {
        pending_ = std::move(deltas);  // the usual case: no index needed
        flush();
        return;
    }
    if (pending_index_.size() != pending_.size()) {
        pending_index_.clear();
        for (std::size_t i = 0; i < pending_.size(); ++i) {
            pending_index_.emplace(pending_[i].prefix, i);
        }
    }
    for (auto& d : deltas) {
        auto [it, inserted] = pending_index_.emplace(d.prefix, pending_.size());
        if (inserted) {
            pending_.push_back(std::move(d));
        } else {
            pending_[it->second].next_hops = std::move(d.next_hops);
        }
    }
    flush();
}

bool DeltaPublisher::flush() {
    if (pending_.empty()) {
        return true;
    }
    std::uint64_t seq = next_sequence_;
    for (auto& d : pending_) {
        d.sequence = seq++;
    }
    if (!sink_.publish(pending_)) {
        ++refusals_;
        return false;
    }
    next_sequence_ = seq;
    pending_.clear();
    pending_index_.clear();
    return true;
}

}  // namespace rf::rib
