// routefabricd: the route server daemon. Reads a config file (config_file.hpp), listens, runs the
// sessions and the RIB on one io_context thread, logs one line per session transition with its reason,
// and on SIGINT/SIGTERM sends Cease / Administrative Shutdown to every peer before exiting.
//
//   routefabricd CONFIG            run
//   routefabricd --check CONFIG    validate the file and exit (0 = valid)
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <utility>

#include "control/daemon/config_file.hpp"
#include "control/daemon/counting_sink.hpp"
#include "control/session/route_server.hpp"

namespace {

void usage() {
    std::fprintf(stderr, "usage: routefabricd [--check] CONFIG\n");
}

spdlog::level::level_enum level_of(const std::string& s) {
    if (s == "trace")
        return spdlog::level::trace;
    if (s == "debug")
        return spdlog::level::debug;
    if (s == "warn")
        return spdlog::level::warn;
    if (s == "error")
        return spdlog::level::err;
    return spdlog::level::info;
}

}  // namespace

int main(int argc, char** argv) {
    bool check_only = false;
    std::string path;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--check") {
            check_only = true;
        } else if (a == "-h" || a == "--help") {
            usage();
            return 0;
        } else if (a == "-c" || a == "--config") {
            if (i + 1 >= argc) {
                usage();
                return 2;
            }
            path = argv[++i];
        } else if (path.empty()) {
            path = a;
        } else {
            usage();
            return 2;
        }
    }
    if (path.empty()) {
        usage();
        return 2;
    }
    auto logger = spdlog::stderr_color_mt("routefabricd");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

    auto cfg = rf::daemon::load_config(path);
    if (!cfg) {
        spdlog::error("configuration: {}", cfg.error().message);
        return 1;
    }
    if (check_only) {
        std::printf("%s: OK (%zu peers)\n", path.c_str(), cfg->peers.size());
        return 0;
    }
    spdlog::set_level(level_of(cfg->log_level));
    // A peer closing its socket must not kill us with SIGPIPE (Asio uses MSG_NOSIGNAL, belt and braces).
    std::signal(SIGPIPE, SIG_IGN);

    boost::asio::io_context io(1);
    rf::daemon::CountingDeltaSink sink;
    rf::session::RouteServer server(io, cfg->server, sink);
    server.set_log_sink([](const std::string& line) { spdlog::info("{}", line); });
    server.set_transition_observer([](const rf::session::TransitionRecord& r) {
        const auto& t = r.transition;
        const auto lvl = !t.legal ? spdlog::level::warn : spdlog::level::info;
        spdlog::log(lvl, "peer {} via {}: {} -> {} on {} ({}){}{}", r.peer, r.local,
                    rf::session::state_name(t.from), rf::session::state_name(t.to),
                    rf::session::event_name(t.event), rf::session::reason_name(t.reason),
                    r.detail.empty() ? "" : ": ", r.detail);
    });
    for (auto& p : cfg->peers) {
        if (auto err = server.add_peer(p)) {
            spdlog::error("configuration: {}", *err);
            return 1;
        }
    }
    if (auto err = server.start()) {
        spdlog::error("{}", *err);
        return 1;
    }
    std::string where;
    for (const auto& l : server.listening()) {
        where += (where.empty() ? "" : ", ") + l;
    }
    spdlog::info("routefabricd AS {} router-id {} listening on {} with {} peers (mode {}, max {} peers)",
                 cfg->server.local_asn, cfg->server.router_id.to_string(), where, cfg->peers.size(),
                 cfg->server.rib.as_path_mode == rf::rib::AsPathMode::Prepend ? "azure" : "transparent",
                 cfg->server.max_peers);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    bool stopping = false;
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
        if (ec || stopping) {
            return;
        }
        stopping = true;
        spdlog::info("signal {}: sending Cease / Administrative Shutdown to every peer", signo);
        server.shutdown("routefabricd shutting down", [&io]() { io.stop(); });
    });
    io.run();
    const auto st = server.rib().stats();
    spdlog::info(
        "routefabricd stopped: {} FIB delta batches, {} deltas published, {} Loc-RIB prefixes at exit",
        sink.batches(), sink.deltas(), st.loc_rib_prefixes);
    return 0;
}
