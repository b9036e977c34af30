// The running configuration shared by the REST API and the daemon: the current Config and the file it is
// persisted to. Changes are validated as a whole and saved atomically before they become current, so the
// file on disk is always a configuration the daemon would accept at start-up.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "daemon/config/config.hpp"

namespace rf::config {

class ConfigStore {
public:
    // `path` empty: changes are kept in memory only (nothing persisted).
    ConfigStore(Config initial, std::string path);

    [[nodiscard]] Config snapshot() const;
    [[nodiscard]] const std::string& path() const { return path_; }

    // Replaces the configuration with `next` if it validates and (when a path is set) was saved. On any
    // error the current configuration and the file are unchanged.
    Result<Config, Errors> replace(Config next);

    // Applies `edit` to a copy of the current configuration, then replace().
    Result<Config, Errors> update(const std::function<void(Config&)>& edit);

    // Makes `next` current if it validates, without writing the file: for a configuration just read from
    // that file (routefabricd's SIGHUP reload), so the operator's file keeps its comments and layout.
    Result<Config, Errors> adopt(Config next);

private:
    Result<Config, Errors> replace_locked(Config next);

    mutable std::mutex mutex_;
    Config current_;
    std::string path_;
};

}  // namespace rf::config
