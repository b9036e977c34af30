#include "daemon/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace rf::daemon {

namespace {

spdlog::level::level_enum level_of(const std::string& s) {
    if (s == "trace") {
        return spdlog::level::trace;
    }
    if (s == "debug") {
        return spdlog::level::debug;
    }
    if (s == "warn") {
        return spdlog::level::warn;
    }
    if (s == "error") {
        return spdlog::level::err;
    }
    return spdlog::level::info;
}

// The fields of the line being logged on this thread (log_event sets them around its spdlog call; the
// logger is synchronous, so the formatter runs inside that call on the same thread).
thread_local const LogFields* current_fields = nullptr;

std::string_view level_name(spdlog::level::level_enum l) {
    switch (l) {
        case spdlog::level::trace:
            return "trace";
        case spdlog::level::debug:
            return "debug";
        case spdlog::level::info:
            return "info";
        case spdlog::level::warn:
            return "warn";
        case spdlog::level::err:
            return "error";
        case spdlog::level::critical:
            return "critical";
        default:
            return "info";
    }
}

class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto us =
            std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count();
        const std::string line =
            json_log_line(us, level_name(msg.level), std::string_view(msg.payload.data(), msg.payload.size()),
                          current_fields);
        dest.append(line.data(), line.data() + line.size());
        dest.push_back('\n');
    }
    [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonFormatter>();
    }
};

// "peer NAME: what happened" (the sessions' and the route server's lines about one peer) → NAME.
std::string peer_of(const std::string& line) {
    if (line.rfind("peer ", 0) != 0) {
        return {};
    }
    const auto colon = line.find(": ", 5);
    return colon == std::string::npos ? std::string{} : line.substr(5, colon - 5);
}

}  // namespace

std::string json_log_line(std::int64_t time_us, std::string_view level, std::string_view text,
                          const LogFields* fields) {
    const std::time_t secs = static_cast<std::time_t>(time_us / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char when[40];
    const std::size_t n = std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(when + n, sizeof when - n, ".%06lldZ", static_cast<long long>(time_us % 1000000));
    nlohmann::ordered_json j;
    j["time"] = when;
    j["level"] = level;
    j["event"] = fields != nullptr ? fields->event : std::string_view("log");
    j["peer"] = nullptr;
    j["reason"] = nullptr;
    if (fields != nullptr && !fields->peer.empty()) {
        j["peer"] = fields->peer;
    }
    if (fields != nullptr && !fields->reason.empty()) {
        j["reason"] = fields->reason;
    }
    j["message"] = text;
    if (fields != nullptr) {
        for (const auto& [k, v] : fields->extra) {
            if (!j.contains(k)) {  // an event field never overwrites a stable key
                j[k] = v;
            }
        }
    }
    // Invalid UTF-8 (a peer's bytes quoted in a message) is replaced, never thrown.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void set_up_logging(const std::string& level, LogFormat format) {
    auto logger = spdlog::stderr_color_mt("routefabricd");
    spdlog::set_default_logger(logger);
    if (format == LogFormat::Json) {
        spdlog::set_formatter(std::make_unique<JsonFormatter>());
    } else {
        spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    }
    spdlog::set_level(level_of(level));
}

void log_event(spdlog::level::level_enum level, const LogFields& fields, const std::string& text) {
    const LogFields* before = current_fields;
    current_fields = &fields;
    spdlog::log(level, "{}", text);
    current_fields = before;
}

void log_route_server_events(server::RouteServer& server) {
    server.set_log_sink([](const std::string& line) {
        LogFields f;
        f.peer = peer_of(line);
        f.event = f.peer.empty() ? "route_server" : "peer";
        log_event(spdlog::level::info, f, line);
    });
    server.set_transition_observer([](const session::TransitionRecord& r) {
        const auto& t = r.transition;
        const auto lvl = !t.legal ? spdlog::level::warn : spdlog::level::info;
        LogFields f;
        f.event = "session_transition";
        f.peer = r.peer;
        f.reason = session::reason_name(t.reason);
        f.extra = {{"local", r.local},
                   {"from", std::string(session::state_name(t.from))},
                   {"to", std::string(session::state_name(t.to))},
                   {"fsm_event", std::string(session::event_name(t.event))},
                   {"legal", t.legal ? "true" : "false"}};
        if (!r.detail.empty()) {
            f.extra.emplace_back("detail", r.detail);
        }
        log_event(
            lvl, f,
            fmt::format("peer {} via {}: {} -> {} on {} ({}){}{}", r.peer, r.local,
                        session::state_name(t.from), session::state_name(t.to), session::event_name(t.event),
                        session::reason_name(t.reason), r.detail.empty() ? "" : ": ", r.detail));
    });
}

}  // namespace rf::daemon
