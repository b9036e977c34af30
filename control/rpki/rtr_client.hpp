// The RPKI-to-Router client (RFC 8210, RFC 6810) on rtrlib's connection manager (rtr_mgr): caches in
// groups by preference (caches with the same preference form one group and are all used at once); rtrlib
// connects to the most preferred group, starts the next one when a group fails, and closes the less
// preferred groups again once a more preferred one is synchronised. Transport: plain TCP (RFC 8210 §7
// lists SSH and TLS too; not offered yet).
//
// Threading: rtrlib runs one thread per cache and calls back on those threads, for every ROA added or
// removed and every state change of a cache. The client never lets that reach the route server's state:
// the callbacks only record the change in a pending batch under a mutex and, when the batch was empty,
// post one delivery to the io_context. The delivery hands the whole batch to the handler on the io
// thread. The batch coalesces: it holds the net change per (cache, ROA) and the latest status per cache,
// so its size never exceeds the ROAs the caches announce, however long the io thread is busy.
//
// rtrlib keeps a copy of every ROA in its own table (rtr_mgr needs it); the route server validates with
// its own (control/rpki/roa_table.hpp), which changes only on the io thread, batch by batch, so that a
// re-validation sees exactly the table before and after each batch.
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>
// clang-format on
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/rpki/roa.hpp"
#include "control/rpki/rtr_config.hpp"

namespace rf::rpki {

// Where one cache connection stands (rtrlib's socket states, named for operators).
enum class CacheState : std::uint8_t {
    Standby,      // not started: a more preferred group is in use (or the client is not started)
    Connecting,   // opening the TCP connection, or waiting to retry after a failure
    Syncing,      // reset/serial query sent, receiving ROAs
    Established,  // synchronised; waiting for the refresh interval or a Serial Notify
    Error,        // the last attempt failed (transport, protocol, or the cache had no data)
    Shutdown,     // stopped (its group was closed, or the client stops)
};
[[nodiscard]] std::string_view to_string(CacheState s);

struct CacheStatus {
    std::size_t cache = 0;  // index into RtrConfig::caches
    CacheState state = CacheState::Standby;
    std::string detail;  // rtrlib's state name ("RTR_ERROR_TRANSPORT")
    std::uint32_t serial = 0;
    std::uint32_t session_id = 0;
    bool synced = false;  // this status reports a completed synchronisation (End of Data applied)
    std::chrono::steady_clock::time_point at;
};

struct RoaDelta {
    Roa roa;
    std::size_t cache = 0;
    int delta = 0;  // net occurrences added (+1) or removed (-1) by that cache since the last batch
};

struct RtrBatch {
    std::vector<RoaDelta> roas;
    std::vector<CacheStatus> statuses;  // in the order they happened, per cache the latest ones
};

class RtrClient {
public:
    using BatchHandler = std::function<void(RtrBatch)>;  // called on the io thread

    RtrClient(boost::asio::io_context& io, RtrConfig config, BatchHandler handler);
    ~RtrClient();  // stop()
    RtrClient(const RtrClient&) = delete;
    RtrClient& operator=(const RtrClient&) = delete;

    // Starts rtrlib's manager (it connects in the background); an error text when rtrlib refuses the
    // configuration. A client starts once: a new configuration is a new client.
    std::optional<std::string> start();
    // Stops every cache connection and joins rtrlib's threads. Nothing is delivered afterwards, not even
    // what was pending.
    void stop();

    [[nodiscard]] const RtrConfig& config() const { return config_; }

    struct Shared;  // what rtrlib's threads and the posted deliveries share (rtr_client.cpp)

private:
    struct Rtrlib;  // rtrlib's structures (rtr_client.cpp)

    RtrConfig config_;
    std::shared_ptr<Shared> shared_;
    std::unique_ptr<Rtrlib> rtr_;
};

}  // namespace rf::rpki
