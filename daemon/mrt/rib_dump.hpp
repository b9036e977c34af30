// The route server's RIB as an MRT TABLE_DUMP_V2 file (RFC 6396 §4.3), the form BIRD, FRR and GoBGP
// dump their tables in and RouteViews/RIS archive: a PEER_INDEX_TABLE naming every established session
// (BGP identifier, address, ASN), then one RIB_IPV4_UNICAST / RIB_IPV6_UNICAST record per Loc-RIB prefix
// with one entry per path the route server holds for it — every peer's path, the ECMP set first, then
// the others in decision order (rib::LocRibEntry), as `rfctl rib show` lists them. Paths whose AS_PATH
// holds the route server's own ASN are not in the Loc-RIB and are not dumped.
//
// The RIB keeps no arrival time per path, so each entry's originated time is the time of the dump.
//
// Threading: reads the RIB, so it runs on the io thread (the API's backend posts it there). It copies
// nothing but the bytes it writes; a million paths make about 60 MB and take the io thread for the
// time it takes to encode them.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "control/server/route_server.hpp"

namespace rf::mrt_files {

// The whole dump, records in order, timestamped `now`.
[[nodiscard]] std::vector<std::uint8_t> dump_rib(const server::RouteServer& server,
                                                 std::chrono::system_clock::time_point now);

}  // namespace rf::mrt_files
