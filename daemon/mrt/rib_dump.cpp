#include "daemon/mrt/rib_dump.hpp"

#include <algorithm>
#include <map>

#include "control/mrt/mrt.hpp"

namespace rf::mrt_files {

std::vector<std::uint8_t> dump_rib(const server::RouteServer& server,
                                   std::chrono::system_clock::time_point now) {
    const rib::RouteServerRib& rib = server.rib();
    const std::uint32_t ts = mrt::timestamp_of(now).seconds;

    // The peer index table: every session the RIB knows, by RIB peer id.
    std::vector<rib::PeerId> ids;
    for (const auto& s : server.sessions()) {
        if (s.rib_id != 0 && rib.is_up(s.rib_id)) {
            ids.push_back(s.rib_id);
        }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    mrt::PeerIndexTable table;
    table.collector_id = server.config().router_id;
    std::map<rib::PeerId, std::uint16_t> index;
    for (const auto id : ids) {
        const auto cfg = rib.peer_config(id);
        if (!cfg || table.peers.size() >= 0xFFFF) {
            continue;
        }
        index.emplace(id, static_cast<std::uint16_t>(table.peers.size()));
        table.peers.push_back(mrt::PeerEntry{cfg->bgp_identifier, cfg->address, cfg->asn});
    }

    std::vector<std::uint8_t> out;
    mrt::encode_peer_index_table(table, ts, out);
    std::uint32_t sequence = 0;
    std::vector<mrt::RibEntry> entries;
    for (const auto& prefix : rib.loc_rib_prefixes()) {
        const auto entry = rib.lookup(prefix);
        if (!entry) {
            continue;
        }
        entries.clear();
        for (const auto& path : entry->paths) {
            const auto it = index.find(path.peer);
            if (it == index.end()) {
                continue;  // not a session's path (none today; originated VNet prefixes are not in the
                           // Loc-RIB)
            }
            entries.push_back(mrt::RibEntry{it->second, ts, &path.attributes, path.next_hops});
        }
        // More than 65,535 paths for one prefix (impossible with the peer limit) go in further records.
        for (std::size_t from = 0; from < entries.size(); from += 0xFFFF) {
            const std::size_t n = std::min<std::size_t>(0xFFFF, entries.size() - from);
            mrt::encode_rib(sequence++, prefix, std::span(entries).subspan(from, n), ts, out);
        }
    }
    return out;
}

}  // namespace rf::mrt_files
