#include "bench/rfbench/tracker.hpp"

#include <algorithm>
#include <sstream>

#include "bench/rfbench/prefix_set.hpp"

namespace rf::bench {

Tracker::Tracker(std::uint32_t universe_size, const std::vector<net::Ipv4Address>& next_hops)
    : owner_(universe_size, kAbsent),
      expected_(universe_size, kAbsent),
      match_at_(universe_size, 0),
      pending_at_(universe_size, 0),
      eligible_(next_hops.size(), true),
      matched_(universe_size) {
    for (std::size_t p = 0; p < next_hops.size(); ++p)
        by_next_hop_.emplace(next_hops[p].value, peer_value(static_cast<std::uint32_t>(p)));
}

Tracker::Tracker(std::vector<net::Prefix> prefixes, const std::vector<net::Ipv4Address>& next_hops)
    : Tracker(static_cast<std::uint32_t>(prefixes.size()), next_hops) {
    prefixes_ = std::move(prefixes);
    index_.reserve(prefixes_.size());
    for (std::uint32_t i = 0; i < prefixes_.size(); ++i)
        index_.emplace(prefixes_[i], i);
}

std::optional<std::uint32_t> Tracker::index_of(const net::Prefix& p) const {
    if (prefixes_.empty())
        return universe_index(p);
    const auto it = index_.find(p);
    if (it == index_.end())
        return std::nullopt;
    return it->second;
}

net::Prefix Tracker::prefix_at(std::uint32_t index) const {
    return prefixes_.empty() ? universe_prefix(index) : prefixes_[index];
}

bool Tracker::matches(std::uint16_t owner, std::uint16_t expected) const {
    if (expected == kAnyEligible)
        return owner != kAbsent && owner != kUnknownPeer && owner - 1u < eligible_.size() &&
               eligible_[owner - 1u];
    return owner == expected;
}

void Tracker::set_match(std::uint32_t index, bool was, bool is, bool expectation_changed, Nanos now) {
    if (was == is)
        return;
    if (was) {
        --matched_;
        if (!expectation_changed)
            ++regressions_;
        return;
    }
    ++matched_;
    if (expectation_changed) {
        match_at_[index] = 0;  // matched without anything arriving: not an arrival
        return;
    }
    match_at_[index] = now;
    last_match_at_ = now;
    if (pending_at_[index] != 0) {
        lags_.emplace_back(pending_at_[index], now - pending_at_[index]);
        pending_at_[index] = 0;
        --pending_count_;
    }
}

void Tracker::expect(std::uint32_t index, std::uint16_t value) {
    if (index >= expected_.size() || expected_[index] == value)
        return;
    const bool was = matches(owner_[index], expected_[index]);
    expected_[index] = value;
    set_match(index, was, matches(owner_[index], value), true, 0);
}

void Tracker::expect_range(std::uint32_t first, std::uint32_t count, std::uint16_t value) {
    for (std::uint32_t i = 0; i < count; ++i)
        expect(first + i, value);
}

void Tracker::set_eligible(std::uint32_t peer, bool eligible) {
    if (peer >= eligible_.size() || eligible_[peer] == eligible)
        return;
    std::vector<bool> before = eligible_;
    for (std::uint32_t i = 0; i < size(); ++i) {
        if (expected_[i] != kAnyEligible)
            continue;
        const bool was = matches(owner_[i], kAnyEligible);
        eligible_[peer] = eligible;
        const bool is = matches(owner_[i], kAnyEligible);
        eligible_ = before;
        set_match(i, was, is, true, 0);
    }
    eligible_[peer] = eligible;
}

void Tracker::mark_pending(std::uint32_t index, Nanos sent_at) {
    if (index >= pending_at_.size())
        return;
    if (pending_at_[index] != 0) {
        ++overruns_;  // the previous event on this prefix never showed up before this one
    } else {
        ++pending_count_;
    }
    pending_at_[index] = sent_at;
    // Already matching (e.g. the route server had not yet sent the previous state): nothing to wait for.
    if (matches(owner_[index], expected_[index])) {
        pending_at_[index] = 0;
        --pending_count_;
    }
}

std::uint16_t Tracker::owner_of_next_hop(net::Ipv4Address nh) const {
    const auto it = by_next_hop_.find(nh.value);
    return it == by_next_hop_.end() ? kUnknownPeer : it->second;
}

void Tracker::observe(const net::Prefix& prefix, std::uint16_t owner, Nanos now) {
    const auto idx = index_of(prefix);
    if (!idx || *idx >= size()) {
        if (owner == kAbsent) {
            foreign_.erase(prefix);
        } else {
            foreign_.insert(prefix);
        }
        return;
    }
    const std::uint16_t old = owner_[*idx];
    if (old == owner)
        return;
    if (first_change_at_ == 0)
        first_change_at_ = now;
    if (old == kAbsent)
        ++present_;
    if (owner == kAbsent)
        --present_;
    const bool was = matches(old, expected_[*idx]);
    owner_[*idx] = owner;
    set_match(*idx, was, matches(owner, expected_[*idx]), false, now);
}

void Tracker::apply_update(std::span<const std::uint8_t> message, const bgp::CodecOptions& options,
                           Nanos now) {
    ++updates_;
    auto decoded = bgp::decode_update(message, options);
    if (!decoded) {
        ++decode_errors_;
        return;
    }
    const bgp::Update& u = decoded->update;
    const bool as_withdraw = decoded->action >= bgp::Rfc7606Action::TreatAsWithdraw;
    if (as_withdraw)
        ++treat_as_withdraw_;
    for (const auto& n : u.withdrawn) {
        ++withdrawn_;
        observe(n.prefix, kAbsent, now);
    }
    if (u.mp_unreach) {
        for (const auto& n : u.mp_unreach->withdrawn) {
            ++withdrawn_;
            observe(n.prefix, kAbsent, now);
        }
    }
    const std::uint16_t owner =
        as_withdraw ? kAbsent
                    : (u.attributes.next_hop ? owner_of_next_hop(*u.attributes.next_hop) : kUnknownPeer);
    for (const auto& n : u.nlri) {
        ++announced_;
        observe(n.prefix, owner, now);
    }
    if (u.mp_reach) {
        std::uint16_t mp_owner = kUnknownPeer;
        if (as_withdraw) {
            mp_owner = kAbsent;
        } else if (!u.mp_reach->next_hops.empty() && u.mp_reach->next_hops.front().is_v4()) {
            mp_owner = owner_of_next_hop(u.mp_reach->next_hops.front().as_v4());
        } else if (!u.mp_reach->next_hops.empty()) {
            // An IPv6 route: the peer's IPv4 next hop is embedded in its IPv6 one (ipv6_next_hop).
            const auto v4 = embedded_next_hop(u.mp_reach->next_hops.front().as_v6());
            if (v4)
                mp_owner = owner_of_next_hop(*v4);
        }
        for (const auto& n : u.mp_reach->nlri) {
            ++announced_;
            observe(n.prefix, mp_owner, now);
        }
    }
}

void Tracker::reset_timing() {
    first_change_at_ = 0;
    last_match_at_ = 0;
    timing_epoch_ = now_ns();
    lags_.clear();
}

std::vector<Nanos> Tracker::match_times_since(Nanos t0) const {
    std::vector<Nanos> out;
    for (auto t : match_at_)
        if (t != 0 && t >= timing_epoch_)
            out.push_back(t - t0);
    return out;
}

std::string Tracker::describe_mismatches(std::size_t limit) const {
    std::ostringstream os;
    std::size_t shown = 0;
    for (std::uint32_t i = 0; i < size() && shown < limit; ++i) {
        if (matches(owner_[i], expected_[i]))
            continue;
        auto who = [](std::uint16_t v) -> std::string {
            if (v == kAbsent)
                return "absent";
            if (v == kAnyEligible)
                return "any-eligible";
            if (v == kUnknownPeer)
                return "unknown-next-hop";
            return "peer" + std::to_string(v - 1);
        };
        os << (shown ? ", " : "") << prefix_at(i).to_string() << " has " << who(owner_[i]) << " expected "
           << who(expected_[i]);
        ++shown;
    }
    if (mismatched() > shown)
        os << " (+" << (mismatched() - shown) << " more)";
    return os.str();
}

}  // namespace rf::bench
