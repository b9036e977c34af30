#include "daemon/mrt/update_log.hpp"

#include <pthread.h>

#include <cerrno>
#include <cstring>

namespace rf::mrt_files {

UpdateLog::UpdateLog(UpdateLogOptions options, Log log)
    : options_(std::move(options)),
      log_(std::move(log)),
      series_(options_.directory, options_.file_pattern, options_.keep),
      thread_([this] { run(); }) {}

UpdateLog::~UpdateLog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void UpdateLog::record(const mrt::Bgp4mpMessage& message) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        // The record is the message plus at most 12 + 4 + 12 + 32 octets of headers.
        if (pending_.size() + message.message.size() + 60 > options_.buffer_bytes) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        wake = pending_.empty();
        mrt::encode_bgp4mp_et(message, pending_);
        ++pending_records_;
    }
    if (wake) {
        wake_.notify_one();
    }
}

UpdateLogStats UpdateLog::stats() const {
    return UpdateLogStats{records_.load(), bytes_.load(), dropped_.load(), files_.load()};
}

void UpdateLog::run() {
    pthread_setname_np(pthread_self(), "rf-mrt-log");
    std::vector<std::uint8_t> batch;
    bool stop = false;
    while (!stop) {
        std::uint64_t n = 0;
        {
            std::unique_lock lock(mutex_);
            // Wake at least once a second: a time rotation is due even when no message comes.
            wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || !pending_.empty(); });
            stop = stopping_;
            batch.swap(pending_);
            n = pending_records_;
            pending_records_ = 0;
        }
        rotate_if_due(std::chrono::system_clock::now());
        if (!batch.empty()) {
            write(batch, n);
            batch.clear();
        }
        const std::uint64_t dropped = dropped_.load(std::memory_order_relaxed);
        if (dropped != dropped_reported_) {
            log_(true, "MRT message log: " + std::to_string(dropped - dropped_reported_) +
                           " message(s) not logged (buffer of " + std::to_string(options_.buffer_bytes) +
                           " bytes full or file not writable; " + std::to_string(dropped) + " in all)");
            dropped_reported_ = dropped;
        }
    }
    close_file();
}

void UpdateLog::rotate_if_due(std::chrono::system_clock::time_point now) {
    if (file_ == nullptr) {
        return;
    }
    const bool by_size = options_.rotate_bytes != 0 && file_bytes_ >= options_.rotate_bytes;
    const bool by_time = options_.rotate_interval.count() != 0 && now >= file_ends_;
    if (by_size || by_time) {
        close_file();
    }
}

void UpdateLog::write(const std::vector<std::uint8_t>& batch, std::uint64_t records) {
    const auto now = std::chrono::system_clock::now();
    if (file_ == nullptr) {
        path_ = series_.next_path(now);
        file_ = std::fopen(path_.c_str(), "wb");
        if (file_ == nullptr) {
            log_(true, "MRT message log: cannot open " + path_ + ": " + std::strerror(errno));
            dropped_.fetch_add(records, std::memory_order_relaxed);
            return;
        }
        files_.fetch_add(1, std::memory_order_relaxed);
        file_bytes_ = 0;
        if (options_.rotate_interval.count() != 0) {
            // The file ends at the next multiple of the interval since the epoch (bgpdump-style archives).
            const auto since = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
            const auto k = since.count() / options_.rotate_interval.count() + 1;
            file_ends_ = std::chrono::system_clock::time_point(options_.rotate_interval * k);
        }
        log_(false, "MRT message log: writing " + path_);
    }
    if (std::fwrite(batch.data(), 1, batch.size(), file_) != batch.size() || std::fflush(file_) != 0) {
        log_(true, "MRT message log: cannot write " + path_ + ": " + std::strerror(errno));
        dropped_.fetch_add(records, std::memory_order_relaxed);
        close_file();
        return;
    }
    file_bytes_ += batch.size();
    records_.fetch_add(records, std::memory_order_relaxed);
    bytes_.fetch_add(batch.size(), std::memory_order_relaxed);
}

void UpdateLog::close_file() {
    if (file_ == nullptr) {
        return;
    }
    std::fclose(file_);
    file_ = nullptr;
    for (const auto& failed : series_.completed(path_)) {
        log_(true, "MRT message log: cannot delete an old file: " + failed);
    }
}

}  // namespace rf::mrt_files
