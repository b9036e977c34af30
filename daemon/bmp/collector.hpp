// One BMP collector connection (RFC 7854 §3.2: the monitored router connects out to the station): active
// TCP with exponential back-off, a bounded output buffer, and the reset that keeps a slow collector from
// ever holding up BGP. It moves bytes only; what they say is the exporter's business (exporter.hpp).
//
// Threading: io thread only, except stats(), which any thread may read (atomics).
//
// Buffer bound: send() queues live messages; when the bytes queued beyond what is left of the last
// resynchronisation exceed `buffer_bytes`, the connection is reset (counted, logged) and, after the
// back-off, connected again and resynchronised by the exporter. The resynchronisation itself (the tables
// sent on connect) is queued whole and not counted against the bound: it is the state the collector must
// have, built once per connection.
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
// clang-format on
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/ip.hpp"

namespace rf::bmp_export {

enum class CollectorState : std::uint8_t { Idle, Connecting, Up };
[[nodiscard]] const char* state_name(CollectorState s);

struct CollectorStats {
    std::atomic<std::uint64_t> messages{0};  // messages queued for the collector
    std::atomic<std::uint64_t> bytes{0};     // bytes written to its socket
    std::atomic<std::uint64_t> connects{0};  // connections established
    std::atomic<std::uint64_t> connect_failures{0};
    std::atomic<std::uint64_t> disconnects{0};      // connections the collector closed or broke
    std::atomic<std::uint64_t> overflow_resets{0};  // resets for a full buffer
    std::atomic<std::uint64_t> dropped_bytes{0};    // bytes thrown away by those resets
    std::atomic<std::uint64_t> resyncs{0};          // resynchronisations sent (one per connection)
    std::atomic<std::uint64_t> buffered{0};         // bytes queued now
    std::atomic<int> state{0};                      // CollectorState
};

class Collector {
public:
    struct Options {
        std::string name;
        net::IpAddress address;
        std::uint16_t port = 0;
        std::size_t buffer_bytes = 16U << 20U;
        std::chrono::seconds connect_retry{1};
        std::chrono::seconds connect_retry_max{60};
    };
    // on_up: the connection is established; the exporter queues the resynchronisation with resync().
    // log: (warning, line).
    Collector(boost::asio::io_context& io, Options options, std::function<void(Collector&)> on_up,
              std::function<void(bool, const std::string&)> log);
    ~Collector();
    Collector(const Collector&) = delete;
    Collector& operator=(const Collector&) = delete;

    void start();  // first connection attempt at once

    // Live messages (whole BMP messages). Nothing is queued unless the collector is up; may reset it.
    void send(std::span<const std::uint8_t> bytes, std::uint64_t messages);
    // The resynchronisation after on_up (not counted against the bound).
    void resync(std::vector<std::uint8_t> bytes, std::uint64_t messages);
    // The last message (a Termination), queued behind what waits whatever the bound; the connection closes
    // once it is written and is not made again. A collector that is not up just stops trying.
    void finish(std::span<const std::uint8_t> bytes);
    // Best effort at shutdown: `bytes` (a Termination) written without waiting, then closed.
    void terminate(std::span<const std::uint8_t> bytes);

    [[nodiscard]] bool up() const { return state_ == CollectorState::Up; }
    [[nodiscard]] const Options& options() const { return options_; }
    [[nodiscard]] const CollectorStats& stats() const { return stats_; }

private:
    void connect();
    void on_connect(const boost::system::error_code& ec);
    void read_next();  // collectors send nothing; a read tells when they close
    void write_next();
    void close(bool retry);
    void schedule_retry();
    void set_state(CollectorState s);

    boost::asio::io_context& io_;
    const Options options_;
    std::function<void(Collector&)> on_up_;
    std::function<void(bool, const std::string&)> log_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer retry_timer_;
    CollectorState state_ = CollectorState::Idle;
    std::vector<std::uint8_t> pending_;  // queued, not yet handed to a write
    std::vector<std::uint8_t> writing_;  // the write in progress
    std::size_t resync_left_ = 0;        // bytes of the resynchronisation not yet written
    bool write_active_ = false;
    bool finishing_ = false;  // finish(): close after the last write, take nothing more
    // Handlers of a closed connection (or of a destroyed collector) see a newer value and stop; they hold
    // the counter itself, so it outlives the collector.
    std::shared_ptr<std::uint64_t> generation_ = std::make_shared<std::uint64_t>(0);
    std::chrono::seconds backoff_;
    std::array<std::uint8_t, 512> discard_{};
    CollectorStats stats_;
};

}  // namespace rf::bmp_export
