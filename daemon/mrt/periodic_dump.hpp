// Periodic RIB dumps: every `interval` the io thread builds the TABLE_DUMP_V2 bytes (rib_dump.hpp; the
// RIB is the io thread's) and hands them to a writer thread ("rf-mrt-dump"), which writes FILE.part and
// renames it to FILE, so a reader never sees half a dump. A dump due while the previous one is still being
// written is skipped and logged, never queued (memory stays at one dump). Stop with stop() on the io
// thread, or by destroying the object.
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
// clang-format on
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "control/server/route_server.hpp"
#include "daemon/mrt/file_series.hpp"

namespace rf::mrt_files {

class PeriodicDump {
public:
    using Log = std::function<void(bool warning, const std::string& line)>;  // either thread

    PeriodicDump(boost::asio::io_context& io, const server::RouteServer& server, FileSeries files,
                 std::chrono::seconds interval, Log log);
    ~PeriodicDump();
    PeriodicDump(const PeriodicDump&) = delete;
    PeriodicDump& operator=(const PeriodicDump&) = delete;

    void start();  // io thread: the first dump after one interval
    void stop();   // io thread

    [[nodiscard]] std::uint64_t written() const;
    [[nodiscard]] std::uint64_t skipped() const;

private:
    void arm();
    void dump();
    void run();

    const server::RouteServer& server_;
    FileSeries files_;  // writer thread
    const std::chrono::seconds interval_;
    const Log log_;
    boost::asio::steady_timer timer_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::optional<std::pair<std::string, std::vector<std::uint8_t>>> job_;  // path, bytes
    bool busy_ = false;
    bool stopping_ = false;
    std::uint64_t written_ = 0;
    std::uint64_t skipped_ = 0;
    std::thread thread_;
};

}  // namespace rf::mrt_files
