#include "control/rib/classified_update.hpp"

#include "control/rib/families.hpp"
#include "control/rib/peers.hpp"

namespace rf::rib {

std::string_view filter_reason_name(FilterReason r) {
    switch (r) {
        case FilterReason::Rfc7606:
            return "rfc7606";
        case FilterReason::Family:
            return "family";
        case FilterReason::NextHop:
            return "next_hop";
        case FilterReason::AsLoop:
            return "as_loop";
        case FilterReason::PathLimit:
            return "path_limit";
        case FilterReason::RouteLimit:
            return "route_limit";
        case FilterReason::Policy:
            return "policy";
    }
    return "unknown";
}

ClassifiedUpdate classify_update(const RibPeer& peer, const bgp::DecodedUpdate& decoded) {
    ClassifiedUpdate out;
    const bgp::Update& u = decoded.update;
    const bool withdraw_all = decoded.action >= bgp::Rfc7606Action::TreatAsWithdraw;
    auto accepted = [&](const bgp::AfiSafi& f) {
        return f.safi == net::Safi::Unicast && (peer.families & family_bit(family_index(f.afi))) != 0;
    };
    // The received path identifier counts only where ADD-PATH receive was negotiated.
    auto rx_of = [&](const bgp::Nlri& n) {
        return (peer.add_path_rx & family_bit(family_index(n.prefix.afi))) != 0 ? n.path_id : 0U;
    };
    auto withdraw = [&](const bgp::NlriList& v) {
        for (const auto& n : v) {
            out.withdrawals.push_back(ReceivedNlri{n.prefix, rx_of(n), NlriSource::NlriField});
        }
    };
    withdraw(u.withdrawn);
    out.counts.withdrawn = u.withdrawn.size();
    if (u.mp_unreach) {
        withdraw(u.mp_unreach->withdrawn);
        out.counts.withdrawn += u.mp_unreach->withdrawn.size();
    }
    const std::size_t mp_announced = u.mp_reach ? u.mp_reach->nlri.size() : 0;
    out.counts.received = u.nlri.size() + mp_announced;
    // MP_REACH next hops: an IPv4 next hop for IPv4 NLRI becomes NEXT_HOP; IPv4 NLRI with an IPv6 next
    // hop (RFC 8950) are not supported and are treated as withdrawn.
    bool mp_usable = u.mp_reach && accepted(u.mp_reach->family) && !u.mp_reach->next_hops.empty();
    if (mp_usable && u.mp_reach->family.afi == net::Afi::Ipv4) {
        out.mp_v4_next_hop = u.mp_reach->next_hops.front().is_v4();
        mp_usable = out.mp_v4_next_hop;
    }
    if (withdraw_all) {
        withdraw(u.nlri);
        if (u.mp_reach) {
            withdraw(u.mp_reach->nlri);
        }
        out.counts.filter(FilterReason::Rfc7606, out.counts.received);
        return out;
    }
    if (accepted(bgp::AfiSafi{net::Afi::Ipv4, net::Safi::Unicast})) {
        for (const auto& n : u.nlri) {
            out.announcements.push_back(ReceivedNlri{n.prefix, rx_of(n), NlriSource::NlriField});
        }
    } else {
        out.counts.filter(FilterReason::Family, u.nlri.size());
    }
    if (u.mp_reach && mp_usable) {
        for (const auto& n : u.mp_reach->nlri) {
            if (n.prefix.afi == u.mp_reach->family.afi) {
                out.announcements.push_back(ReceivedNlri{n.prefix, rx_of(n), NlriSource::MpReach});
            } else {
                out.counts.filter(FilterReason::Family);
            }
        }
    } else if (u.mp_reach) {
        withdraw(u.mp_reach->nlri);
        out.counts.filter(accepted(u.mp_reach->family) ? FilterReason::NextHop : FilterReason::Family,
                          mp_announced);
    }
    return out;
}

}  // namespace rf::rib
