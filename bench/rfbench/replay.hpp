// An MRT file as rfbench's load (the replay scenario, docs/rfbench.md): read with the MRT reader in
// control/mrt, turned into one emulated peer per peer of the file, each with an initial table (the
// TABLE_DUMP_V2 RIB entries) and the file's BGP4MP / BGP4MP_ET UPDATEs as timed events. Pure functions
// over bytes and values; sockets and clocks are the scenario's (replay_scenario.cpp).
//
// What is sent is what the file holds, with three changes a route server needs to accept and tell the
// paths apart: the next hop is the emulated peer's own (IPv4 unicast: NEXT_HOP 100.64.x.y, which the
// targets resolve and the monitor maps back to the peer; IPv6 unicast: MP_REACH_NLRI with the same
// address embedded in 2001:db8:64::/96, ipv6_next_hop() in prefix_set.hpp); LOCAL_PREF, ORIGINATOR_ID and
// CLUSTER_LIST are dropped (iBGP-only, the emulated peers are eBGP neighbours of the target). IPv4 and
// IPv6 unicast are replayed (the emulated sessions, on IPv4 transport, negotiate both; a file peer with
// an IPv6 address is mapped to an emulated peer like an IPv4 one); other families are counted and left out.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bench/rfbench/clock.hpp"
#include "bench/rfbench/preencode.hpp"
#include "bench/rfbench/prefix_set.hpp"
#include "control/codec/message.hpp"
#include "net/ip.hpp"

namespace rf::bench {

enum class ReplayPace {
    Asap,      // every UPDATE as soon as the previous one is queued
    Recorded,  // at the file's timestamps (divided by the speed factor)
};

struct ReplayOptions {
    std::string file;  // empty: no replay
    ReplayPace pace = ReplayPace::Asap;
    double speed = 1.0;  // Recorded: 2 = twice as fast as recorded
    std::vector<net::IpAddress>
        peers;                  // the file's peers to replay, by address; empty: every peer with routes
    std::string monitor_table;  // write the monitor's final table here (prefix, file peer, ASN)
};

struct ReplayPeer {
    net::IpAddress address;  // the peer's address in the file
    std::uint32_t asn = 0;   // the emulated peer's ASN
    std::uint64_t routes = 0;
    std::uint64_t updates = 0;
};

struct ReplayRoute {
    net::Prefix prefix;
    std::uint32_t attributes = 0;  // into ReplayFile::attribute_sets
};

// One UPDATE of the file from emulated peer `peer`, IPv4 and IPv6 unicast (either family in each list).
struct ReplayEvent {
    std::uint32_t peer = 0;
    Nanos at = 0;  // since the first UPDATE of the file
    std::vector<net::Prefix> withdrawn;
    std::vector<net::Prefix> announced;
    std::uint32_t attributes = 0;  // of the announcements, into ReplayFile::attribute_sets
};

struct ReplayFile {
    std::vector<ReplayPeer> peers;                 // emulated peer i replays peers[i]
    std::vector<std::vector<ReplayRoute>> tables;  // initial table of each peer
    std::vector<ReplayEvent> events;               // in file order
    // Every distinct attribute set of the file once, as in the file (NEXT_HOP not yet rewritten): a full
    // table holds millions of routes but far fewer attribute sets.
    std::vector<bgp::PathAttributes> attribute_sets;
    std::uint64_t records = 0;
    std::uint64_t rib_records = 0;
    std::uint64_t skipped_records = 0;  // types not replayed (ADD-PATH, TABLE_DUMP v1, ...)
    std::uint64_t other_messages = 0;   // BGP4MP OPEN/KEEPALIVE/NOTIFICATION, End-of-RIB
    std::uint64_t ipv4_routes = 0;      // RIB entries and announced UPDATE NLRI replayed, by family
    std::uint64_t ipv6_routes = 0;
    std::uint64_t other_family_routes = 0;  // UPDATE NLRI of other families (multicast, VPN...), not replayed
    std::uint64_t unselected_routes = 0;    // of peers not picked by --replay-peers, or with ASN 0
    std::uint64_t treat_as_withdraw = 0;    // UPDATEs with an RFC 7606 treat-as-withdraw problem
    std::uint64_t peer_downs = 0;           // STATE_CHANGEs out of Established: the peer's routes withdrawn

    [[nodiscard]] std::uint64_t total_routes() const;
    // Every prefix the tables and the events mention, once, in order of first mention.
    [[nodiscard]] std::vector<net::Prefix> prefixes() const;
};

// Reads the bytes of an MRT file. On failure returns nothing and `error` names the record and offset.
std::optional<ReplayFile> read_replay(std::span<const std::uint8_t> bytes,
                                      const std::vector<net::IpAddress>& select, std::string& error);
// Reads `options.file` (error: cannot read, or read_replay's error prefixed with the file name).
std::optional<ReplayFile> load_replay(const ReplayOptions& options, std::string& error);

// The attributes an emulated peer sends for a route of the file (see the top of this file).
// (`next_hop` nullopt: no NEXT_HOP attribute, for IPv6 routes whose next hop is in MP_REACH_NLRI.)
bgp::PathAttributes replay_attributes(const bgp::PathAttributes& file_attributes,
                                      std::optional<net::Ipv4Address> next_hop);
// A peer's initial table as packed UPDATEs (routes with equal attributes and family share UPDATEs).
PackedUpdates encode_replay_table(const ReplayFile& file, std::uint32_t peer, net::Ipv4Address next_hop);
// The events as UPDATEs: event i is bytes [offsets[i], offsets[i+1]) (one or more UPDATEs).
SingleUpdates encode_replay_events(const ReplayFile& file, const std::vector<PeerIdentity>& ids);

std::string replay_pace_name(ReplayPace p);

}  // namespace rf::bench
