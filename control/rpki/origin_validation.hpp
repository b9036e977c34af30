// Route origin validation as the route server runs it: the RTR client, the ROA table it feeds, where each
// cache stands, and whether the table may be used at all. Lives on the route server's io thread.
//
// When the table is used (RFC 8210 §6, expire semantics): from the first completed synchronisation with
// any cache; while some cache is synchronised; and, once no cache is reachable, until the expire interval
// has passed since the last synchronisation of some cache. Before that and after it every route is
// Unknown (not validated), never NotFound: an empty or outdated table proves nothing. rtrlib drops a
// cache's ROAs itself when they expire; the table then empties, but routes are already Unknown.
//
// A batch from the RTR client is applied in two steps so that the route server can re-validate what it
// holds: prepare() says which ROAs come or go (those whose last occurrence leaves, or first arrives) and
// whether the table becomes usable or unusable; the route server computes the validity of the routes
// those ROAs cover, then commit() applies the batch and it computes them again.
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
// clang-format on
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/rpki/roa_table.hpp"
#include "control/rpki/rtr_client.hpp"
#include "control/rpki/validity.hpp"

namespace rf::rpki {

struct CacheInfo {
    CacheConfig config;
    CacheState state = CacheState::Standby;
    std::string detail;  // rtrlib's state name
    std::uint32_t serial = 0;
    std::uint32_t session_id = 0;
    std::size_t roas = 0;  // ROAs this cache delivers now
    std::optional<std::chrono::steady_clock::time_point> last_sync;
};

struct RpkiStatus {
    // connecting (no table yet), synced (a cache is synchronised), stale (no cache reachable, the table
    // kept until it expires), expired (no usable table: routes are Unknown)
    std::string state;
    bool usable = false;
    std::size_t roas_v4 = 0;
    std::size_t roas_v6 = 0;
    std::vector<CacheInfo> caches;
    RtrConfig config;
};

class OriginValidation {
public:
    // `on_batch` gets every RTR batch and every expiry on the io thread; it calls prepare() and commit().
    OriginValidation(boost::asio::io_context& io, RtrConfig config, std::function<void(RtrBatch)> on_batch);
    ~OriginValidation();
    OriginValidation(const OriginValidation&) = delete;
    OriginValidation& operator=(const OriginValidation&) = delete;

    std::optional<std::string> start();

    struct Plan {
        RoaTable changed;  // ROAs that enter or leave the table
        bool usable_before = false;
        bool usable_after = false;
        [[nodiscard]] bool everything() const { return usable_before != usable_after; }
    };
    [[nodiscard]] Plan prepare(const RtrBatch& batch) const;
    void commit(const RtrBatch& batch);

    // The route's validity now: Unknown while the table is not usable.
    [[nodiscard]] Validity validity(const net::Prefix& route, std::optional<std::uint32_t> origin) const {
        return usable_ ? table_.validate(route, origin) : Validity::Unknown;
    }
    [[nodiscard]] bool usable() const { return usable_; }
    [[nodiscard]] const RoaTable& table() const { return table_; }
    [[nodiscard]] RpkiStatus status() const;
    [[nodiscard]] const RtrConfig& config() const { return client_.config(); }

private:
    [[nodiscard]] bool usable_at(const std::vector<CacheInfo>& caches,
                                 std::chrono::steady_clock::time_point now) const;
    void arm_expiry();

    RtrClient client_;
    std::function<void(RtrBatch)> on_batch_;
    RoaTable table_;
    std::vector<CacheInfo> caches_;
    bool usable_ = false;
    bool ever_synced_ = false;
    boost::asio::steady_timer expiry_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rf::rpki
