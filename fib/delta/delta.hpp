// The RIB → FIB interface: a sequence-numbered log of Loc-RIB changes (design §6). Each delta gives the
// complete new ECMP set of one prefix, so a consumer never needs the previous state to apply it, and a
// remote subscriber can resume from a sequence number.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "net/ip.hpp"

namespace rf::fib {

struct RouteDelta {
    std::uint64_t sequence = 0;  // strictly increasing per producer, no gaps
    net::Prefix prefix;
    // The ECMP set after the change, in the RIB's deterministic order; empty means the prefix was
    // withdrawn from the Loc-RIB.
    std::vector<net::IpAddress> next_hops;

    [[nodiscard]] bool is_withdrawal() const { return next_hops.empty(); }
};

// Where the Loc-RIB publishes its changes. One producer (the RIB's strand) calls publish() with every
// delta of one RIB operation (an UPDATE, a peer-down sweep) as one batch. Implementations are bounded:
// publish() returns false when the batch was not accepted; the producer keeps the batch and retries,
// and the implementation counts the refusal (explicit back-pressure, never silent loss).
class DeltaSink {
public:
    virtual ~DeltaSink() = default;
    virtual bool publish(std::span<const RouteDelta> batch) = 0;
    // A peer went down that carried every path through these next hops (no other session has a path
    // through them): a hint, sent before the batch that withdraws those paths, so that a FIB can stop
    // forwarding to them at once (BGP PIC edge) instead of prefix by prefix. It changes no state of the
    // delta stream: the batch that follows is complete on its own. The default ignores it.
    virtual void next_hops_down(std::span<const net::IpAddress> next_hops) { static_cast<void>(next_hops); }
};

}  // namespace rf::fib
