#include "bench/rfbench/target.hpp"

#include <thread>

#include "bench/rfbench/targets/drivers.hpp"

#ifndef RF_PROJECT_VERSION
#define RF_PROJECT_VERSION "unknown"
#endif

namespace rf::bench {

Target::~Target() {
    Target::stop();
}

std::optional<std::string> Target::binary() const {
    if (!binary_override_.empty())
        return find_executable({binary_override_});
    return find_executable(binaries());
}

std::string Target::version() const {
    const auto bin = binary();
    if (!bin)
        return "not installed";
    const auto cmd = version_command(*bin);
    if (cmd.empty())
        return name() + " " + RF_PROJECT_VERSION;
    std::string out = capture_output(cmd);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' '))
        out.pop_back();
    const auto nl = out.find('\n');
    return nl == std::string::npos ? out : out.substr(0, nl);
}

bool Target::start(const TargetSpec& spec, Nanos ready_timeout, std::string& error) {
    const auto bin = binary();
    if (!bin) {
        error = name() + ": executable not found";
        return false;
    }
    dir_ = make_temp_dir("rfbench-" + name() + "-");
    if (dir_.empty()) {
        error = "mkdtemp failed";
        return false;
    }
    log_path_ = dir_ + "/" + name() + ".log";
    if (!write_file(dir_ + "/" + config_file_name(), config_text(spec, dir_))) {
        error = "cannot write config in " + dir_;
        return false;
    }
    prepare_dir(dir_);
    if (!process_.start(command(spec, dir_, *bin), log_path_, error))
        return false;
    const Nanos deadline = now_ns() + ready_timeout;
    while (now_ns() < deadline) {
        if (!process_.running()) {
            error = name() + " " + process_.exit_description() + ": " + log_tail();
            return false;
        }
        if (tcp_listening(spec.port))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    error = name() + " did not listen on port " + std::to_string(spec.port) + " in time: " + log_tail();
    process_.stop();
    return false;
}

void Target::stop() {
    process_.stop();
    if (!keep_dir_)
        remove_tree(dir_);
    dir_.clear();
}

bool Target::running() {
    return process_.running();
}

ProcSample Target::sample() {
    if (process_.pid() <= 0)
        return {};
    return sample_process_tree(process_.pid());
}

std::string Target::log_tail(std::size_t bytes) const {
    const std::string log = read_file(log_path_);
    return log.size() > bytes ? log.substr(log.size() - bytes) : log;
}

std::unique_ptr<Target> make_target(const std::string& name) {
    if (name == "bird")
        return make_bird_target();
    if (name == "frr")
        return make_frr_target();
    if (name == "gobgp")
        return make_gobgp_target();
    if (name == "routefabricd")
        return make_routefabricd_target();
    if (name == "openbgpd")
        return make_openbgpd_target();
    if (name == "remote")
        return make_remote_target();
    return nullptr;
}

std::vector<std::string> known_targets() {
    return {"routefabricd", "bird", "frr", "gobgp", "openbgpd", "remote"};
}

}  // namespace rf::bench
