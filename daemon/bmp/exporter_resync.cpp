// The resynchronisation a collector gets on every connect (exporter.hpp): Initiation, the Peer Ups, then
// the tables it monitors, each closed by End-of-RIB markers, built on the io thread from the RIB as it is
// now, so that the live messages queued after it apply on top of it.
#include <algorithm>
#include <map>

#include "control/codec/codec.hpp"
#include "daemon/bmp/exporter.hpp"

namespace rf::bmp_export {

namespace {

// Routes of one table, packed: consecutive routes of one family with equal attributes and next hops share
// UPDATEs. `Route` has prefix, attributes, next_hops and path_id.
template <typename Route>
void encode_routes(const std::vector<Route>& routes, const bgp::CodecOptions& codec,
                   std::vector<std::uint8_t>& out) {
    std::vector<bgp::Nlri> run;
    for (std::size_t i = 0; i < routes.size();) {
        const Route& first = routes[i];
        run.clear();
        std::size_t j = i;
        for (; j < routes.size(); ++j) {
            const Route& r = routes[j];
            if (r.prefix.afi != first.prefix.afi || r.next_hops != first.next_hops ||
                !(r.attributes == first.attributes)) {
                break;
            }
            run.push_back(bgp::Nlri{r.prefix, r.path_id});
        }
        const bgp::AfiSafi family{first.prefix.afi, net::Safi::Unicast};
        const std::span<const net::IpAddress> next_hops =
            first.prefix.is_v4() ? std::span<const net::IpAddress>{} : std::span(first.next_hops);
        bgp::encode_announcements(first.attributes, family, next_hops, run, codec, out);
        i = j;
    }
}

struct BestRoute {  // a Loc-RIB entry's best path, shaped like rib::LearnedRoute for encode_routes
    net::Prefix prefix;
    bgp::PathAttributes attributes;
    std::vector<net::IpAddress> next_hops;
    std::uint32_t path_id = 0;
};

}  // namespace

void Exporter::resync(Entry& e) {
    std::vector<std::uint8_t> out;
    std::uint64_t n = 0;
    const bmp::InformationTlv init[] = {{bmp::kInfoSysName, sys_name_}, {bmp::kInfoSysDescr, sys_descr_}};
    bmp::encode_initiation(init, out);
    ++n;
    if (e.config.loc_rib) {
        encode_loc_rib_peer_up(out);
        ++n;
    }
    const std::map<rib::PeerId, const Session*> ordered = [&] {
        std::map<rib::PeerId, const Session*> m;
        for (const auto& [id, s] : sessions_) {
            m.emplace(id, &s);
        }
        return m;
    }();
    for (const auto& [id, s] : ordered) {
        encode_peer_up(*s, out);
        ++n;
    }
    const rib::RouteServerRib& rib = server_.rib();
    std::vector<std::uint8_t> bgp;
    for (const auto& [id, s] : ordered) {
        if (!e.config.pre_policy && !e.config.post_policy) {
            break;
        }
        std::vector<rib::LearnedRoute> routes = rib.adj_rib_in(id);
        const auto config = rib.peer_config(id);
        const std::vector<bgp::AfiSafi> families =
            config ? config->families : std::vector<bgp::AfiSafi>{{net::Afi::Ipv4, net::Safi::Unicast}};
        for (const bool post : {false, true}) {
            if (post ? !e.config.post_policy : !e.config.pre_policy) {
                continue;
            }
            if (post) {  // the post-policy Adj-RIB-In holds what the RIB uses: no AS-path loops
                std::erase_if(routes, [](const rib::LearnedRoute& r) { return !r.eligible; });
            }
            bgp.clear();
            encode_routes(routes, s->post_codec, bgp);
            for (const bgp::AfiSafi& f : families) {
                bgp::encode_end_of_rib(f, bgp);
            }
            bmp::Peer peer = s->peer;
            peer.table = post ? bmp::Table::PostPolicy : bmp::Table::PrePolicy;
            peer.two_octet_as = false;
            stamp_now(peer);
            n += wrap(peer, bgp, out);
        }
    }
    if (e.config.loc_rib) {
        std::vector<BestRoute> best;
        for (const net::Prefix& p : rib.loc_rib_prefixes()) {
            auto entry = rib.lookup(p);
            if (!entry || entry->paths.empty()) {
                continue;
            }
            rib::LocRibPath& path = entry->paths.front();
            best.push_back(BestRoute{p, std::move(path.attributes), std::move(path.next_hops), 0});
        }
        bgp::CodecOptions codec;
        codec.four_octet_as = true;
        codec.extended_message = true;
        bgp.clear();
        encode_routes(best, codec, bgp);
        bgp::encode_end_of_rib({net::Afi::Ipv4, net::Safi::Unicast}, bgp);
        bgp::encode_end_of_rib({net::Afi::Ipv6, net::Safi::Unicast}, bgp);
        bmp::Peer peer = loc_rib_peer();
        stamp_now(peer);
        n += wrap(peer, bgp, out);
    }
    e.collector->resync(std::move(out), n);
}

}  // namespace rf::bmp_export
