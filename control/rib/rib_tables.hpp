// What a RouteServerRib owns: its parts, wired together. rib.cpp runs the public calls through them,
// rib_queries.cpp reads them.
//
//   peers        the established sessions (peers.hpp), each with its Adj-RIB-In index
//   loc_rib      every prefix's paths in best-path order (loc_rib.hpp)
//   decision     the comparator and the ECMP set over those paths (best_path.hpp)
//   adj_rib_in   applies UPDATEs to the paths, sweeps a session's paths away (adj_rib_in.hpp)
//   adj_rib_out  update groups and their encoded messages (adj_rib_out.hpp, update_groups.hpp)
//   publisher    Loc-RIB deltas into the FIB's sink (delta_publisher.hpp)
// plus the route limit (route_limit.hpp) and the UPDATE's classification (classified_update.hpp), which
// hold no state.
#pragma once

#include <cstdint>
#include <vector>

#include "control/rib/adj_rib_in.hpp"
#include "control/rib/adj_rib_out.hpp"
#include "control/rib/attr_store.hpp"
#include "control/rib/best_path.hpp"
#include "control/rib/delta_publisher.hpp"
#include "control/rib/loc_rib.hpp"
#include "control/rib/peers.hpp"
#include "control/rib/rib.hpp"

namespace rf::rib {

struct RouteServerRib::Tables {
    Tables(RibConfig c, fib::DeltaSink& sink);
    Tables(const Tables&) = delete;
    Tables& operator=(const Tables&) = delete;

    // Takes the peer down: out of its group, the next-hops-down hint, every path withdrawn in one batch,
    // then forgotten. Unknown ids are ignored.
    void take_down(PeerId id);

    // Graceful restart (graceful_restart.cpp): the restarting peer `cfg.id`, if it may keep its stale
    // paths under `cfg`, back in an update group with its families' paths no longer negotiated withdrawn;
    // null when there is no such peer (peer_up then takes it down and starts afresh).
    RibPeer* resume_restarting(const PeerConfig& cfg);
    // Withdraws the peer's paths of family `fi` (stale or not), in the call in progress.
    void remove_family(RibPeer& peer, int fi);

    // Records the peer's new route count against its threshold and limit; sets the crossings in `result`
    // and counts them.
    void watch_route_limit(RibPeer& peer, std::size_t count, UpdateResult& result);

    // The end of every RIB call: compares each touched prefix before and after, queues the UPDATEs for
    // the peers, publishes the changed ECMP next-hop sets and forgets the recorded state.
    void finish_call();
    // finish_call()'s part for the best-path observer: a change of the prefix's first path goes to `out`.
    void note_best_path_change(const net::Prefix& p, const PathsView& before, const PathsView& after,
                               std::vector<BestPathChange>& out);
    // Applies one UPDATE into the call in progress; false (and the peer taken down, the call finished)
    // when it trips the route limit.
    UpdateResult apply(PeerId id, const bgp::DecodedUpdate& decoded);

    RibConfig config;
    AttrStore attributes;  // declared before everything that holds attribute references: destroyed last
    PeerTable peers;
    LocRib loc_rib;
    DecisionProcess decision;
    AdjRibIn adj_rib_in;
    AdjRibOut adj_rib_out;
    DeltaPublisher publisher;
    BestPathObserver best_path_observer;  // set: finish_call() reports best-path changes
    std::uint64_t route_limit_trips = 0;
    bool call_open = false;  // UPDATEs staged since the last finish_call()
    std::uint64_t route_limit_warnings = 0;
    std::uint64_t route_limit_threshold_warnings = 0;
};

}  // namespace rf::rib
