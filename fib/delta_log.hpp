// A per-table, sequence-numbered log of effective-route changes (design §6): what a subscriber that is
// not in this process (a remote host agent) follows to keep a copy of one effective route table.
//
// Protocol, transport-neutral (an in-process caller, later a NATS consumer or anything else):
//   1. take a snapshot: (epoch, sequence S, every route of the table at S);
//   2. ask for the changes after S: since(epoch, S) returns the ordered deltas S+1..last, or
//      SnapshotRequired when they are no longer retained (the log keeps the last `retention` deltas)
//      or when the epoch differs (the log was recreated, e.g. the publishing process restarted);
//   3. apply the deltas in order, remember the last sequence, repeat from 2.
// Each delta carries the complete new state of one prefix (the next hop, or "no route for exactly this
// prefix"), so applying it needs no earlier state and applying the same delta twice is harmless.
// Sequences are dense per table (1, 2, 3, ... without gaps), which lets a subscriber detect loss.
//
// Not synchronised: the owner (Fib) serialises appends and reads under its control mutex.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "fib/nexthop_group.hpp"
#include "net/ip.hpp"

namespace rf::fib {

struct TableDelta {
    std::uint64_t sequence = 0;      // the table's own sequence (dense)
    std::uint64_t rib_sequence = 0;  // the RIB delta that caused it (0: a VNet-model change)
    net::Prefix prefix;
    std::optional<NextHop> next_hop;  // nullopt: no route for exactly this prefix any more

    bool operator==(const TableDelta&) const = default;
};

enum class FollowStatus : std::uint8_t {
    Deltas,            // `deltas` holds every change after the requested sequence (possibly none)
    SnapshotRequired,  // the requested changes are gone (trimmed, or another epoch): take a snapshot
};

struct FollowResult {
    FollowStatus status = FollowStatus::SnapshotRequired;
    std::uint64_t epoch = 0;
    std::uint64_t last_sequence = 0;  // the log's newest sequence when answered
    std::vector<TableDelta> deltas;
    bool more = false;  // truncated at max_deltas: ask again from the last delta's sequence
};

// What a subscriber keeps: the table as prefix → next hop at `sequence`.
struct TableReplica {
    std::uint64_t epoch = 0;
    std::uint64_t sequence = 0;
    std::map<net::Prefix, NextHop> routes;

    // Applies deltas in order; false (nothing applied) when they do not continue `sequence`.
    bool apply(const std::vector<TableDelta>& deltas);
};

class DeltaLog {
public:
    // `retention` deltas are kept (at least 1). The first delta gets start_sequence + 1.
    DeltaLog(std::uint64_t epoch, std::size_t retention, std::uint64_t start_sequence = 0);

    // Appends one change and returns its sequence.
    std::uint64_t append(std::uint64_t rib_sequence, const net::Prefix& prefix,
                         std::optional<NextHop> next_hop);
    // Changes after `from_sequence` for a subscriber of `epoch`, at most max_deltas of them.
    [[nodiscard]] FollowResult since(std::uint64_t epoch, std::uint64_t from_sequence,
                                     std::size_t max_deltas = SIZE_MAX) const;

    [[nodiscard]] std::uint64_t epoch() const { return epoch_; }
    [[nodiscard]] std::uint64_t last_sequence() const { return last_; }
    // The oldest sequence still retained (last_sequence() + 1 when empty).
    [[nodiscard]] std::uint64_t first_retained() const { return last_ + 1 - entries_.size(); }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] std::size_t retention() const { return retention_; }
    [[nodiscard]] std::uint64_t trimmed() const { return trimmed_; }

private:
    std::uint64_t epoch_;
    std::size_t retention_;
    std::uint64_t last_;
    std::uint64_t trimmed_ = 0;
    std::deque<TableDelta> entries_;
};

}  // namespace rf::fib
