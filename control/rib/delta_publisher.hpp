// Publishing Loc-RIB changes into the FIB's DeltaSink (fib/delta/delta.hpp), as the top of rib.hpp
// promises: one batch per RIB call; refused deltas wait in a pending set keyed by prefix (a later change
// of the prefix replaces its pending delta, each delta being complete state); sequence numbers are
// assigned when a batch is offered and consumed only when it is accepted, so the accepted stream has no
// gaps. Which deltas a call produces (changes of a prefix's ECMP next-hop set) is decided by the caller,
// RouteServerRib::Tables::finish_call().
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "control/rib/prefix_key_hash.hpp"
#include "fib/delta/delta.hpp"
#include "net/ip.hpp"

namespace rf::rib {

class DeltaPublisher {
public:
    explicit DeltaPublisher(fib::DeltaSink& sink) : sink_(sink) {}

    // Adds one RIB call's deltas to the pending set and offers it to the sink.
    void publish(std::vector<fib::RouteDelta>&& deltas);

    // Offers the pending deltas to the sink again. Returns true when nothing is pending afterwards.
    bool flush();

    // The next-hops-down hint (DeltaSink::next_hops_down): a peer that carried every path through these
    // next hops went down. Sent before the batch that withdraws its paths; not part of the sequence.
    void next_hops_down(const std::vector<net::IpAddress>& next_hops) { sink_.next_hops_down(next_hops); }

    [[nodiscard]] std::uint64_t next_sequence() const { return next_sequence_; }
    [[nodiscard]] std::size_t pending() const { return pending_.size(); }
    [[nodiscard]] std::uint64_t refusals() const { return refusals_; }

private:
    fib::DeltaSink& sink_;
    std::vector<fib::RouteDelta> pending_;  // refused by the sink, coalesced per prefix
    std::unordered_map<net::Prefix, std::size_t, PrefixKeyHash> pending_index_;
    std::uint64_t next_sequence_ = 1;
    std::uint64_t refusals_ = 0;
};

}  // namespace rf::rib
