// The MRT message log: every BGP message the route server reads, as a BGP4MP_ET record (RFC 6396 §4.4,
// microsecond timestamps), appended to files that rotate by time and/or size.
//
// Threading: record() runs on the io thread, inside the session's read handler. It encodes the record
// straight into a bounded buffer under a mutex held only for that append, and never waits for the disk:
// when the buffer holds `buffer_bytes` already the message is not logged and a drop is counted (the
// writer logs the count as a warning). The writer thread ("rf-mrt-log") swaps the buffer out and writes
// it, then opens the next file when the current one is full or its time is over. A file holds whole
// records only. The destructor writes what is buffered and closes the file.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "control/mrt/mrt.hpp"
#include "daemon/mrt/file_series.hpp"

namespace rf::mrt_files {

struct UpdateLogOptions {
    std::string directory;
    std::string file_pattern = "updates.%Y%m%d.%H%M%S.mrt";
    std::chrono::seconds rotate_interval{900};  // 0: never by time
    std::uint64_t rotate_bytes = 0;             // 0: never by size
    std::size_t keep = 96;                      // 0: keep all
    std::size_t buffer_bytes = 16U << 20U;
};

struct UpdateLogStats {
    std::uint64_t records = 0;  // written to files
    std::uint64_t bytes = 0;    // written to files
    std::uint64_t dropped = 0;  // not logged: the buffer was full, or a file could not be written
    std::uint64_t files = 0;    // files opened
};

class UpdateLog {
public:
    using Log = std::function<void(bool warning, const std::string& line)>;  // called on the writer thread

    UpdateLog(UpdateLogOptions options, Log log);
    ~UpdateLog();
    UpdateLog(const UpdateLog&) = delete;
    UpdateLog& operator=(const UpdateLog&) = delete;

    // io thread: one received message. Never blocks on I/O.
    void record(const mrt::Bgp4mpMessage& message);

    [[nodiscard]] UpdateLogStats stats() const;

private:
    void run();
    void write(const std::vector<std::uint8_t>& batch, std::uint64_t records);
    void rotate_if_due(std::chrono::system_clock::time_point now);
    void close_file();

    const UpdateLogOptions options_;
    const Log log_;
    FileSeries series_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::uint8_t> pending_;  // whole records, guarded by mutex_
    std::uint64_t pending_records_ = 0;  // guarded by mutex_
    bool stopping_ = false;              // guarded by mutex_

    std::atomic<std::uint64_t> records_{0};
    std::atomic<std::uint64_t> bytes_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> files_{0};

    // Writer thread only.
    std::FILE* file_ = nullptr;
    std::string path_;
    std::uint64_t file_bytes_ = 0;
    std::chrono::system_clock::time_point file_ends_;
    std::uint64_t dropped_reported_ = 0;

    std::thread thread_;  // last: starts after everything above exists
};

}  // namespace rf::mrt_files
