// A series of MRT files in one directory: names from a strftime pattern (UTC), and a bound on how many
// are kept. Only files this object named are ever deleted (the oldest first), never anything else in
// the directory; the pattern is a file name (config validation refuses '/'), so no name leaves it.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>

namespace rf::mrt_files {

class FileSeries {
public:
    FileSeries(std::string directory, std::string pattern, std::size_t keep)
        : directory_(std::move(directory)), pattern_(std::move(pattern)), keep_(keep) {}

    // The path for a file started at `t`; when that name exists already (two files in one second) a
    // ".1", ".2" … is added.
    [[nodiscard]] std::string next_path(std::chrono::system_clock::time_point t) const;
    // `path` is complete: remember it, and delete the oldest files beyond `keep` (0: keep all). Returns
    // the paths that could not be deleted (error text each), normally none.
    std::deque<std::string> completed(const std::string& path);

private:
    std::string directory_;
    std::string pattern_;
    std::size_t keep_ = 0;
    std::deque<std::string> written_;
};

}  // namespace rf::mrt_files
