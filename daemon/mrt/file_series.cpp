#include "daemon/mrt/file_series.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace rf::mrt_files {

std::string FileSeries::next_path(std::chrono::system_clock::time_point t) const {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::ostringstream name;  // put_time: strftime's fields, the pattern being configuration (not a literal)
    name << std::put_time(&tm, pattern_.c_str());
    const std::string base = directory_ + "/" + name.str();
    std::string path = base;
    std::error_code ec;
    for (int i = 1; std::filesystem::exists(path, ec) && i < 1000; ++i) {
        path = base + "." + std::to_string(i);
    }
    return path;
}

std::deque<std::string> FileSeries::completed(const std::string& path) {
    written_.push_back(path);
    std::deque<std::string> failed;
    while (keep_ != 0 && written_.size() > keep_) {
        if (std::remove(written_.front().c_str()) != 0 && errno != ENOENT) {
            failed.push_back(written_.front() + ": " + std::strerror(errno));
        }
        written_.pop_front();
    }
    return failed;
}

}  // namespace rf::mrt_files
