#include "daemon/mrt/periodic_dump.hpp"

#include <pthread.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "daemon/mrt/rib_dump.hpp"

namespace rf::mrt_files {

PeriodicDump::PeriodicDump(boost::asio::io_context& io, const server::RouteServer& server, FileSeries files,
                           std::chrono::seconds interval, Log log)
    : server_(server),
      files_(std::move(files)),
      interval_(interval),
      log_(std::move(log)),
      timer_(io),
      thread_([this] { run(); }) {}

PeriodicDump::~PeriodicDump() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void PeriodicDump::start() {
    arm();
}

void PeriodicDump::stop() {
    timer_.cancel();
}

std::uint64_t PeriodicDump::written() const {
    std::lock_guard lock(mutex_);
    return written_;
}

std::uint64_t PeriodicDump::skipped() const {
    std::lock_guard lock(mutex_);
    return skipped_;
}

void PeriodicDump::arm() {
    timer_.expires_after(interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) {
            return;  // cancelled: stopping
        }
        dump();
        arm();
    });
}

void PeriodicDump::dump() {
    bool skip = false;
    {
        std::lock_guard lock(mutex_);
        skip = busy_;
        skipped_ += skip ? 1 : 0;
        busy_ = true;
    }
    if (skip) {
        log_(true, "MRT RIB dump skipped: the previous dump is still being written");
        return;
    }
    const auto now = std::chrono::system_clock::now();
    auto bytes = dump_rib(server_, now);
    {
        std::lock_guard lock(mutex_);
        job_.emplace(files_.next_path(now), std::move(bytes));
    }
    wake_.notify_one();
}

void PeriodicDump::run() {
    pthread_setname_np(pthread_self(), "rf-mrt-dump");
    for (;;) {
        std::pair<std::string, std::vector<std::uint8_t>> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || job_.has_value(); });
            if (!job_) {
                return;  // stopping with nothing to write
            }
            job = std::move(*job_);
            job_.reset();
        }
        const std::string& path = job.first;
        const std::string part = path + ".part";
        std::FILE* f = std::fopen(part.c_str(), "wb");
        bool ok = f != nullptr;
        if (ok) {
            ok = std::fwrite(job.second.data(), 1, job.second.size(), f) == job.second.size();
            ok = std::fclose(f) == 0 && ok;
        }
        ok = ok && std::rename(part.c_str(), path.c_str()) == 0;
        if (!ok) {
            log_(true, "MRT RIB dump: cannot write " + path + ": " + std::strerror(errno));
            std::remove(part.c_str());
        } else {
            log_(false, "MRT RIB dump: wrote " + path + " (" + std::to_string(job.second.size()) + " bytes)");
            for (const auto& failed : files_.completed(path)) {
                log_(true, "MRT RIB dump: cannot delete an old dump: " + failed);
            }
        }
        std::lock_guard lock(mutex_);
        busy_ = false;
        written_ += ok ? 1 : 0;
    }
}

}  // namespace rf::mrt_files
