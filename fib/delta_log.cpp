#include "fib/delta_log.hpp"

#include <algorithm>

namespace rf::fib {

bool TableReplica::apply(const std::vector<TableDelta>& deltas) {
    if (!deltas.empty() && deltas.front().sequence != sequence + 1) {
        return false;
    }
    for (const TableDelta& d : deltas) {
        if (d.next_hop) {
            routes[d.prefix] = *d.next_hop;
        } else {
            routes.erase(d.prefix);
        }
        sequence = d.sequence;
    }
    return true;
}

DeltaLog::DeltaLog(std::uint64_t epoch, std::size_t retention, std::uint64_t start_sequence)
    : epoch_(epoch), retention_(std::max<std::size_t>(retention, 1)), last_(start_sequence) {}

std::uint64_t DeltaLog::append(std::uint64_t rib_sequence, const net::Prefix& prefix,
                               std::optional<NextHop> next_hop) {
    if (entries_.size() == retention_) {
        entries_.pop_front();
        ++trimmed_;
    }
    ++last_;
    entries_.push_back(TableDelta{last_, rib_sequence, prefix, std::move(next_hop)});
    return last_;
}

FollowResult DeltaLog::since(std::uint64_t epoch, std::uint64_t from_sequence, std::size_t max_deltas) const {
    FollowResult r;
    r.epoch = epoch_;
    r.last_sequence = last_;
    // A subscriber ahead of the log, of another epoch, or behind the oldest retained delta cannot
    // continue from its state.
    if (epoch != epoch_ || from_sequence > last_ || from_sequence + 1 < first_retained()) {
        r.status = FollowStatus::SnapshotRequired;
        return r;
    }
    r.status = FollowStatus::Deltas;
    const std::size_t skip = static_cast<std::size_t>(from_sequence + 1 - first_retained());
    const std::size_t available = entries_.size() - skip;
    const std::size_t n = std::min(available, max_deltas);
    r.more = n < available;
    r.deltas.assign(entries_.begin() + static_cast<std::ptrdiff_t>(skip),
                    entries_.begin() + static_cast<std::ptrdiff_t>(skip + n));
    return r;
}

}  // namespace rf::fib
