// The monitor's view: for every prefix of the universe, which peer's path the monitor currently holds
// (recognised by the next hop, which a route server keeps), against the state the scenario expects.
// A counter of matching prefixes makes "expected state reached" an O(1) check after every UPDATE; each
// prefix remembers when it last came to match, and a prefix with a pending churn event yields one
// UPDATE-in to UPDATE-out lag sample when it does.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "bench/rfbench/clock.hpp"
#include "control/codec/codec.hpp"
#include "net/ip.hpp"

namespace rf::bench {

class Tracker {
public:
    static constexpr std::uint16_t kAbsent = 0;
    static constexpr std::uint16_t kAnyEligible = 0xFFFF;  // present, from any eligible peer (ECMP tie)
    static constexpr std::uint16_t kUnknownPeer = 0xFFFE;  // present with a next hop of no emulated peer

    // `next_hops[p]` identifies peer p. Every prefix starts absent and expected absent.
    Tracker(std::uint32_t universe_size, const std::vector<net::Ipv4Address>& next_hops);
    // Over arbitrary prefixes (an MRT replay's table): index i is prefixes[i].
    Tracker(std::vector<net::Prefix> prefixes, const std::vector<net::Ipv4Address>& next_hops);

    // The index of `p` among the tracked prefixes, and back.
    [[nodiscard]] std::optional<std::uint32_t> index_of(const net::Prefix& p) const;
    [[nodiscard]] net::Prefix prefix_at(std::uint32_t index) const;

    [[nodiscard]] std::uint32_t size() const { return static_cast<std::uint32_t>(owner_.size()); }
    static std::uint16_t peer_value(std::uint32_t peer) { return static_cast<std::uint16_t>(peer + 1); }

    void expect(std::uint32_t index, std::uint16_t value);
    void expect_range(std::uint32_t first, std::uint32_t count, std::uint16_t value);
    // Which peers kAnyEligible accepts (all are eligible at first).
    void set_eligible(std::uint32_t peer, bool eligible);
    // A churn event for `index` left the generator at `sent_at`; its arrival yields a lag sample.
    void mark_pending(std::uint32_t index, Nanos sent_at);

    // Applies one UPDATE received by the monitor at `now`.
    void apply_update(std::span<const std::uint8_t> message, const bgp::CodecOptions& options, Nanos now);
    // Applies one decoded change (used by apply_update and by tests).
    void observe(const net::Prefix& prefix, std::uint16_t owner, Nanos now);
    std::uint16_t owner_of_next_hop(net::Ipv4Address nh) const;

    [[nodiscard]] bool converged() const { return matched_ == owner_.size(); }
    [[nodiscard]] std::uint32_t matched() const { return matched_; }
    [[nodiscard]] std::uint32_t mismatched() const { return size() - matched_; }
    [[nodiscard]] std::uint16_t owner(std::uint32_t index) const { return owner_[index]; }
    [[nodiscard]] std::uint16_t expected(std::uint32_t index) const { return expected_[index]; }
    [[nodiscard]] std::uint32_t present() const { return present_; }
    [[nodiscard]] std::size_t foreign_present() const { return foreign_.size(); }
    [[nodiscard]] std::uint64_t updates() const { return updates_; }
    [[nodiscard]] std::uint64_t announced_nlri() const { return announced_; }
    [[nodiscard]] std::uint64_t withdrawn_nlri() const { return withdrawn_; }
    [[nodiscard]] std::uint64_t treat_as_withdraw() const { return treat_as_withdraw_; }
    [[nodiscard]] std::uint64_t decode_errors() const { return decode_errors_; }
    // Prefixes that went from matching to not matching without their expectation changing: a route
    // the scenario did not touch was disturbed.
    [[nodiscard]] std::uint64_t regressions() const { return regressions_; }
    [[nodiscard]] std::uint64_t overruns() const { return overruns_; }
    [[nodiscard]] std::uint32_t pending() const { return pending_count_; }

    // Timing since the last reset_timing(): first observed change, last time a prefix came to match.
    void reset_timing();
    [[nodiscard]] Nanos first_change_at() const { return first_change_at_; }
    [[nodiscard]] Nanos last_match_at() const { return last_match_at_; }
    // Times at which prefixes came to match since reset_timing() (one per prefix that did).
    [[nodiscard]] std::vector<Nanos> match_times_since(Nanos t0) const;
    // (sent_at, lag) of every churn event that arrived.
    [[nodiscard]] const std::vector<std::pair<Nanos, Nanos>>& lag_samples() const { return lags_; }
    // Human-readable description of up to `limit` mismatching prefixes.
    [[nodiscard]] std::string describe_mismatches(std::size_t limit) const;

private:
    [[nodiscard]] bool matches(std::uint16_t owner, std::uint16_t expected) const;
    void set_match(std::uint32_t index, bool was, bool now_matches, bool expectation_changed, Nanos now);

    std::vector<net::Prefix> prefixes_;  // empty: the universe of /24s (prefix_set.hpp)
    std::unordered_map<net::Prefix, std::uint32_t, net::PrefixHash> index_;
    std::vector<std::uint16_t> owner_;
    std::vector<std::uint16_t> expected_;
    std::vector<Nanos> match_at_;
    std::vector<Nanos> pending_at_;
    std::vector<bool> eligible_;
    std::unordered_map<std::uint32_t, std::uint16_t> by_next_hop_;
    std::unordered_set<net::Prefix, net::PrefixHash> foreign_;
    std::uint32_t matched_ = 0;
    std::uint32_t present_ = 0;
    std::uint32_t pending_count_ = 0;
    std::uint64_t updates_ = 0;
    std::uint64_t announced_ = 0;
    std::uint64_t withdrawn_ = 0;
    std::uint64_t treat_as_withdraw_ = 0;
    std::uint64_t decode_errors_ = 0;
    std::uint64_t regressions_ = 0;
    std::uint64_t overruns_ = 0;
    Nanos first_change_at_ = 0;
    Nanos last_match_at_ = 0;
    Nanos timing_epoch_ = 0;
    std::vector<std::pair<Nanos, Nanos>> lags_;
};

}  // namespace rf::bench
