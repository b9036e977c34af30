#include "bench/rfbench/replay.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <unordered_map>
#include <unordered_set>

#include "control/codec/codec.hpp"
#include "control/mrt/mrt_reader.hpp"

namespace rf::bench {

namespace {

constexpr bgp::AfiSafi kIpv4Unicast{net::Afi::Ipv4, net::Safi::Unicast};
constexpr bgp::AfiSafi kIpv6Unicast{net::Afi::Ipv6, net::Safi::Unicast};

// Counts a replayed route of the file by family.
void count_route(ReplayFile& f, const net::Prefix& p) {
    ++(p.is_v4() ? f.ipv4_routes : f.ipv6_routes);
}

std::string at_record(const mrt::Record& r, const std::string& what) {
    return "MRT record at offset " + std::to_string(r.offset) + " (type " + std::to_string(r.type) + "/" +
           std::to_string(r.subtype) + "): " + what;
}

Nanos micros_of(const mrt::Timestamp& t) {
    return static_cast<Nanos>(t.seconds) * 1'000'000 + t.microseconds;
}

// Builds the ReplayFile while the records go by: file peers become emulated peers in order of first
// appearance (peer index table first), the ones not selected are counted and left out.
class Builder {
public:
    explicit Builder(const std::vector<net::IpAddress>& select) : select_(select.begin(), select.end()) {}

    // The emulated peer for file peer `address`, creating it; nullopt when not selected.
    std::optional<std::uint32_t> peer(const net::IpAddress& address, std::uint32_t asn) {
        // ASN 0 marks a collector's placeholder entry (no BGP session): nothing to emulate.
        if (asn == 0 || (!select_.empty() && select_.count(address) == 0))
            return std::nullopt;
        const auto it = by_address_.find(address);
        if (it != by_address_.end())
            return it->second;
        const auto i = static_cast<std::uint32_t>(out.peers.size());
        out.peers.push_back(ReplayPeer{address, asn, 0, 0});
        out.tables.emplace_back();
        by_address_.emplace(address, i);
        return i;
    }

    std::uint32_t intern(bgp::PathAttributes attributes) {
        const auto [it, fresh] =
            set_index_.emplace(std::move(attributes), static_cast<std::uint32_t>(out.attribute_sets.size()));
        if (fresh)
            out.attribute_sets.push_back(it->first);
        return it->second;
    }

    void add_route(std::uint32_t p, const net::Prefix& prefix, bgp::PathAttributes attributes) {
        out.tables[p].push_back(ReplayRoute{prefix, intern(std::move(attributes))});
        ++out.peers[p].routes;
        held(p).insert(prefix);
    }

    // What peer p holds at this point of the file (its table and the UPDATEs so far).
    std::unordered_set<net::Prefix, net::PrefixHash>& held(std::uint32_t p) {
        if (held_.size() <= p)
            held_.resize(p + 1);
        return held_[p];
    }

    // Peers with nothing to replay are dropped; the events' peer numbers follow.
    void drop_empty_peers() {
        std::vector<std::uint32_t> renumber(out.peers.size(), 0);
        std::uint32_t kept = 0;
        for (std::uint32_t p = 0; p < out.peers.size(); ++p) {
            renumber[p] = kept;
            if (out.peers[p].routes == 0 && out.peers[p].updates == 0)
                continue;
            if (kept != p) {  // a vector moved into itself would be left empty
                out.peers[kept] = out.peers[p];
                out.tables[kept] = std::move(out.tables[p]);
            }
            ++kept;
        }
        out.peers.resize(kept);
        out.tables.resize(kept);
        for (auto& e : out.events)
            e.peer = renumber[e.peer];
    }

    ReplayFile out;
    std::vector<mrt::PeerEntry> index_table;  // the last PEER_INDEX_TABLE

private:
    std::unordered_set<net::IpAddress, net::IpAddressHash> select_;
    std::unordered_map<net::IpAddress, std::uint32_t, net::IpAddressHash> by_address_;
    std::unordered_map<bgp::PathAttributes, std::uint32_t, bgp::PathAttributesHash> set_index_;
    std::vector<std::unordered_set<net::Prefix, net::PrefixHash>> held_;
};

bool add_rib(Builder& b, const mrt::Record& r, std::string& error) {
    auto rib = mrt::decode_rib(r);
    if (!rib) {
        error = at_record(r, rib.error().to_string());
        return false;
    }
    ++b.out.rib_records;
    for (auto& e : rib->entries) {
        if (e.peer_index >= b.index_table.size()) {
            error = at_record(r, "RIB entry names peer index " + std::to_string(e.peer_index) +
                                     ", the peer index table has " + std::to_string(b.index_table.size()) +
                                     " peers");
            return false;
        }
        const mrt::PeerEntry& pe = b.index_table[e.peer_index];
        const auto p = b.peer(pe.address, pe.asn);
        if (!p) {
            ++b.out.unselected_routes;
            continue;
        }
        count_route(b.out, rib->prefix);
        b.add_route(*p, rib->prefix, std::move(e.attributes));
    }
    return true;
}

bool add_message(Builder& b, const mrt::Record& r, std::optional<Nanos>& first_at, std::string& error) {
    auto m = mrt::decode_bgp4mp_message(r);
    if (!m) {
        error = at_record(r, m.error().to_string());
        return false;
    }
    if (m->message[18] != static_cast<std::uint8_t>(bgp::MessageType::Update)) {
        ++b.out.other_messages;
        return true;
    }
    bgp::CodecOptions o;
    o.four_octet_as = m->four_octet_as;
    o.extended_message = true;  // the collector's session may have negotiated RFC 8654
    auto d = bgp::decode_update(m->message, o);
    if (!d) {
        error = at_record(r, "UPDATE does not decode: " + d.error().to_string());
        return false;
    }
    const bgp::Update& u = d->update;
    if (u.is_end_of_rib()) {
        ++b.out.other_messages;
        return true;
    }
    ReplayEvent e;
    for (const auto& n : u.withdrawn)
        e.withdrawn.push_back(n.prefix);
    for (const auto& n : u.nlri)
        e.announced.push_back(n.prefix);
    auto take = [&](const bgp::NlriList& nlri, bgp::AfiSafi family, std::vector<net::Prefix>& into) {
        if (family != kIpv4Unicast && family != kIpv6Unicast) {
            b.out.other_family_routes += nlri.size();
            return;
        }
        for (const auto& n : nlri)
            into.push_back(n.prefix);
    };
    if (u.mp_unreach)
        take(u.mp_unreach->withdrawn, u.mp_unreach->family, e.withdrawn);
    if (u.mp_reach)
        take(u.mp_reach->nlri, u.mp_reach->family, e.announced);
    if (d->action >= bgp::Rfc7606Action::TreatAsWithdraw) {
        // RFC 7606: what the target would do with it; the replay sends the withdrawal.
        ++b.out.treat_as_withdraw;
        e.withdrawn.insert(e.withdrawn.end(), e.announced.begin(), e.announced.end());
        e.announced.clear();
    }
    if (e.withdrawn.empty() && e.announced.empty())
        return true;  // nothing of IPv4 or IPv6 unicast in it
    const auto p = b.peer(m->peer, m->peer_asn);
    if (!p) {
        b.out.unselected_routes += e.withdrawn.size() + e.announced.size();
        return true;
    }
    const Nanos at = micros_of(m->time);
    if (!first_at)
        first_at = at;
    e.peer = *p;
    e.at = std::max<Nanos>(0, at - *first_at) * kMicro;
    for (const auto& x : e.announced)
        count_route(b.out, x);
    if (!e.announced.empty())
        e.attributes = b.intern(u.attributes);
    auto& held = b.held(*p);
    for (const auto& x : e.withdrawn)
        held.erase(x);
    for (const auto& x : e.announced)
        held.insert(x);
    ++b.out.peers[*p].updates;
    b.out.events.push_back(std::move(e));
    return true;
}

// A collector session that leaves Established has lost the peer's routes (RFC 4271 §9 / the collector's
// view): the replay withdraws what the peer held, as one event; the peer's UPDATEs after it come back.
bool add_state_change(Builder& b, const mrt::Record& r, std::optional<Nanos>& first_at, std::string& error) {
    auto s = mrt::decode_bgp4mp_state_change(r);
    if (!s) {
        error = at_record(r, s.error().to_string());
        return false;
    }
    if (s->old_state != mrt::kFsmEstablished || s->new_state == mrt::kFsmEstablished)
        return true;
    const auto p = b.peer(s->peer, s->peer_asn);
    if (!p)
        return true;
    auto& held = b.held(*p);
    ++b.out.peer_downs;
    if (held.empty())
        return true;
    ReplayEvent e;
    e.peer = *p;
    e.withdrawn.assign(held.begin(), held.end());
    std::sort(e.withdrawn.begin(), e.withdrawn.end());  // the same bytes on every run
    held.clear();
    const Nanos at = micros_of(s->time);
    if (!first_at)
        first_at = at;
    e.at = std::max<Nanos>(0, at - *first_at) * kMicro;
    ++b.out.peers[*p].updates;
    b.out.events.push_back(std::move(e));
    return true;
}

}  // namespace

std::uint64_t ReplayFile::total_routes() const {
    std::uint64_t n = 0;
    for (const auto& t : tables)
        n += t.size();
    return n;
}

std::vector<net::Prefix> ReplayFile::prefixes() const {
    std::vector<net::Prefix> out;
    std::unordered_set<net::Prefix, net::PrefixHash> seen;
    auto add = [&](const net::Prefix& p) {
        if (seen.insert(p).second)
            out.push_back(p);
    };
    for (const auto& t : tables)
        for (const auto& r : t)
            add(r.prefix);
    for (const auto& e : events) {
        for (const auto& p : e.withdrawn)
            add(p);
        for (const auto& p : e.announced)
            add(p);
    }
    return out;
}

std::optional<ReplayFile> read_replay(std::span<const std::uint8_t> bytes,
                                      const std::vector<net::IpAddress>& select, std::string& error) {
    Builder b(select);
    std::optional<Nanos> first_at;
    std::size_t at = 0;
    while (at < bytes.size()) {
        auto r = mrt::read_record(bytes, at);
        if (!r) {
            error = r.error().to_string();
            return std::nullopt;
        }
        ++b.out.records;
        if (mrt::is_peer_index_table(*r)) {
            auto t = mrt::decode_peer_index_table(*r);
            if (!t) {
                error = at_record(*r, t.error().to_string());
                return std::nullopt;
            }
            b.index_table = std::move(t->peers);
            for (const auto& pe : b.index_table)
                (void)b.peer(pe.address, pe.asn);  // table order is emulated peer order
        } else if (mrt::is_rib(*r)) {
            if (!add_rib(b, *r, error))
                return std::nullopt;
        } else if (mrt::is_bgp4mp_message(*r)) {
            if (!add_message(b, *r, first_at, error))
                return std::nullopt;
        } else if (mrt::is_bgp4mp_state_change(*r)) {
            if (!add_state_change(b, *r, first_at, error))
                return std::nullopt;
        } else {
            ++b.out.skipped_records;
        }
        at = r->end();
    }
    b.drop_empty_peers();
    if (b.out.peers.empty()) {
        error = "no IPv4 or IPv6 unicast route or UPDATE to replay (" + std::to_string(b.out.records) +
                " records, " + std::to_string(b.out.other_family_routes) + " routes of other families, " +
                std::to_string(b.out.unselected_routes) + " routes of peers not selected)";
        return std::nullopt;
    }
    return std::move(b.out);
}

std::optional<ReplayFile> load_replay(const ReplayOptions& options, std::string& error) {
    std::ifstream in(options.file, std::ios::binary);
    if (!in) {
        error = "cannot read " + options.file;
        return std::nullopt;
    }
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
    auto f = read_replay(bytes, options.peers, error);
    if (!f)
        error = options.file + ": " + error;
    return f;
}

bgp::PathAttributes replay_attributes(const bgp::PathAttributes& file_attributes,
                                      std::optional<net::Ipv4Address> next_hop) {
    bgp::PathAttributes a = file_attributes;
    a.next_hop = next_hop;
    a.local_pref.reset();
    a.originator_id.reset();
    a.cluster_list.clear();
    return a;
}

namespace {

// Announces `nlri` (either family, in order) with the file's attribute set `set`: IPv4 unicast with
// NEXT_HOP `next_hop`, IPv6 unicast in MP_REACH_NLRI with ipv6_next_hop(next_hop) and no NEXT_HOP.
std::size_t announce(const ReplayFile& file, std::uint32_t set, std::span<const bgp::Nlri> nlri,
                     net::Ipv4Address next_hop, const bgp::CodecOptions& o, std::vector<std::uint8_t>& out) {
    std::vector<bgp::Nlri> v4;
    std::vector<bgp::Nlri> v6;
    for (const auto& n : nlri)
        (n.prefix.is_v4() ? v4 : v6).push_back(n);
    std::size_t messages = 0;
    if (!v4.empty())
        messages += bgp::encode_announcements(replay_attributes(file.attribute_sets[set], next_hop),
                                              kIpv4Unicast, {}, v4, o, out);
    if (!v6.empty()) {
        const net::IpAddress nh6 = net::IpAddress::v6(ipv6_next_hop(next_hop));
        messages +=
            bgp::encode_announcements(replay_attributes(file.attribute_sets[set], std::nullopt), kIpv6Unicast,
                                      std::span<const net::IpAddress>(&nh6, 1), v6, o, out);
    }
    return messages;
}

// Withdraws `nlri` (either family): IPv4 in Withdrawn Routes, IPv6 in MP_UNREACH_NLRI.
void withdraw(std::span<const bgp::Nlri> nlri, const bgp::CodecOptions& o, std::vector<std::uint8_t>& out) {
    std::vector<bgp::Nlri> v4;
    std::vector<bgp::Nlri> v6;
    for (const auto& n : nlri)
        (n.prefix.is_v4() ? v4 : v6).push_back(n);
    if (!v4.empty())
        bgp::encode_withdrawals(kIpv4Unicast, v4, o, out);
    if (!v6.empty())
        bgp::encode_withdrawals(kIpv6Unicast, v6, o, out);
}

}  // namespace

PackedUpdates encode_replay_table(const ReplayFile& file, std::uint32_t peer, net::Ipv4Address next_hop) {
    // Routes sharing attributes go out together, in order of first appearance (deterministic bytes).
    const std::vector<ReplayRoute>& table = file.tables[peer];
    std::vector<std::uint32_t> sets;
    std::vector<std::vector<bgp::Nlri>> nlri;
    std::unordered_map<std::uint32_t, std::size_t> group_of;
    for (const auto& r : table) {
        auto [it, fresh] = group_of.emplace(r.attributes, sets.size());
        if (fresh) {
            sets.push_back(r.attributes);
            nlri.emplace_back();
        }
        nlri[it->second].push_back(bgp::Nlri{r.prefix, 0});
    }
    bgp::CodecOptions o;
    o.four_octet_as = true;
    auto bytes = std::make_shared<std::vector<std::uint8_t>>();
    PackedUpdates out;
    for (std::size_t g = 0; g < sets.size(); ++g)
        out.messages += announce(file, sets[g], nlri[g], next_hop, o, *bytes);
    out.prefixes = table.size();
    out.bytes = std::move(bytes);
    return out;
}

SingleUpdates encode_replay_events(const ReplayFile& file, const std::vector<PeerIdentity>& ids) {
    bgp::CodecOptions o;
    o.four_octet_as = true;
    auto bytes = std::make_shared<std::vector<std::uint8_t>>();
    SingleUpdates out;
    out.offsets.push_back(0);
    std::vector<bgp::Nlri> nlri;
    for (const auto& e : file.events) {
        nlri.clear();
        for (const auto& p : e.withdrawn)
            nlri.push_back(bgp::Nlri{p, 0});
        withdraw(nlri, o, *bytes);
        nlri.clear();
        for (const auto& p : e.announced)
            nlri.push_back(bgp::Nlri{p, 0});
        if (!nlri.empty())
            announce(file, e.attributes, nlri, ids[e.peer].next_hop, o, *bytes);
        out.offsets.push_back(bytes->size());
    }
    out.bytes = std::move(bytes);
    return out;
}

std::string replay_pace_name(ReplayPace p) {
    return p == ReplayPace::Asap ? "asap" : "recorded";
}

}  // namespace rf::bench
