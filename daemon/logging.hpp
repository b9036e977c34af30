// routefabricd's log: spdlog on stderr, one line per event, in one of two formats (--log-format):
//
//   text (default)  2026-01-31T12:00:00.000 info peer nva1 via 10.0.0.4: OpenConfirm -> Established ...
//   json            one JSON object per line, for Loki / Elasticsearch, with the same stable keys on
//                   every line: time (RFC 3339, UTC, microseconds), level, event, peer, reason, message,
//                   then the event's own fields. peer and reason are null when the event has none.
//
// Every line carries an event name: log_event() names it; a line logged with plain spdlog calls is
// event "log". The event names and their fields are listed in docs/user-guide.md ("Logs").
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "control/server/route_server.hpp"

namespace rf::daemon {

enum class LogFormat : std::uint8_t { Text, Json };

// The default logger: stderr, at `level` (trace|debug|info|warn|error; anything else: info), in `format`.
void set_up_logging(const std::string& level, LogFormat format = LogFormat::Text);

// What a JSON line says beyond the time, the level and the message. Empty peer/reason are written null.
struct LogFields {
    std::string_view event = "log";
    std::string peer;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> extra;  // the event's own fields, as strings
};

// Logs `text` with `fields` (the text format shows the text alone, as before).
void log_event(spdlog::level::level_enum level, const LogFields& fields, const std::string& text);

// log_event with only an event name, spdlog's format syntax for the text.
template <typename... Args>
void log_as(spdlog::level::level_enum level, std::string_view event, spdlog::format_string_t<Args...> fmt,
            Args&&... args) {
    LogFields f;
    f.event = event;
    log_event(level, f, fmt::format(fmt, std::forward<Args>(args)...));
}

// Sends the route server's log lines and FSM transitions to the log (an illegal transition as a warning).
void log_route_server_events(server::RouteServer& server);

// One JSON log line (without the newline), as the json format writes it. `time` in microseconds since the
// Unix epoch. Exposed for the tests.
[[nodiscard]] std::string json_log_line(std::int64_t time_us, std::string_view level, std::string_view text,
                                        const LogFields* fields);

}  // namespace rf::daemon
