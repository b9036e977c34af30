#include "daemon/config/config_store.hpp"

#include <utility>

namespace rf::config {

ConfigStore::ConfigStore(Config initial, std::string path)
    : current_(std::move(initial)), path_(std::move(path)) {}

Config ConfigStore::snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
}

Result<Config, Errors> ConfigStore::replace(Config next) {
    std::lock_guard<std::mutex> lock(mutex_);
    return replace_locked(std::move(next));
}

Result<Config, Errors> ConfigStore::replace_locked(Config next) {
    Errors errors = validate(next);
    if (!errors.empty()) {
        return unexpected(std::move(errors));
    }
    if (!path_.empty()) {
        if (auto err = save_file(path_, next)) {
            return unexpected(
                Errors{ConfigError{"", "configuration not saved: " + *err, ErrorKind::Invalid}});
        }
    }
    current_ = std::move(next);
    return current_;
}

Result<Config, Errors> ConfigStore::adopt(Config next) {
    std::lock_guard<std::mutex> lock(mutex_);
    Errors errors = validate(next);
    if (!errors.empty()) {
        return unexpected(std::move(errors));
    }
    current_ = std::move(next);
    return current_;
}

Result<Config, Errors> ConfigStore::update(const std::function<void(Config&)>& edit) {
    std::lock_guard<std::mutex> lock(mutex_);  // held throughout: concurrent updates do not lose each other
    Config next = current_;
    edit(next);
    return replace_locked(std::move(next));
}

}  // namespace rf::config
