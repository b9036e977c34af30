// The REST API (docs/api.md) on Boost.Beast: one thread of its own, HTTP/1.1 with keep-alive, JSON in and
// out, Prometheus text on /metrics.
//
// Security: bound to 127.0.0.1 by default. When a token is configured every request must carry
// `Authorization: Bearer TOKEN` (401 otherwise); binding to a non-loopback address without a token is
// refused at start().
//
// Runtime changes (peering create/delete) are applied to the backend, then persisted through the
// ConfigStore (atomic write); if persisting fails the change is rolled back and the request fails, so the
// file and the running state never disagree.
//
// Connections are bounded (ServerOptions::max_connections, api.max_connections): one more is answered 503
// and closed at once, and while the bound is reached idle connections are closed after
// busy_idle_timeout instead of idle_timeout. The bound never exceeds a quarter of the process's open-file
// limit (start() raises the soft limit to the hard one first), so the API cannot take the descriptors BGP
// sessions need. HTTP the server cannot parse is answered 400, an over-long target 414, over-long headers
// 431, and the connection closed. Refusals are logged through the log sink at most once per 10 s each,
// with a count.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/api/backend.hpp"
#include "daemon/api/metrics.hpp"
#include "daemon/config/config_store.hpp"

namespace rf::api {

struct HttpRequest {
    std::string method;  // "GET", "POST", "DELETE"
    std::string target;  // "/api/v1/peerings?x=y"
    std::string authorization;
    std::string body;
};

struct HttpResponse {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers = {};  // more header fields (name, value)
};

struct ServerOptions {
    net::IpAddress address = net::IpAddress::v4(net::Ipv4Address{0x7F000001U});
    std::uint16_t port = 9179;  // 0: any free port (see ApiServer::port())
    std::string token;          // empty: no authentication (loopback only)
    std::size_t body_limit = 1U << 20;
    std::string version = "0.1.0";
    std::size_t max_connections = 64;  // concurrent connections; see api_connection_budget()
    std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
    // While max_connections are open: a connection waiting this long for a request is closed.
    std::chrono::milliseconds busy_idle_timeout = std::chrono::seconds(5);
};

// The longest request target served (longer: 414) and the most header bytes read (more: 431).
inline constexpr std::size_t kMaxTargetBytes = 8 * 1024;
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

// Routes one request. No sockets: the server calls it, and tests may too.
class ApiHandler {
public:
    ApiHandler(ServerOptions options, Backend& backend, config::ConfigStore& store,
               metrics::Registry& registry);

    HttpResponse handle(const HttpRequest& request);

private:
    HttpResponse route(const HttpRequest& request);
    HttpResponse create_peering(const std::string& body);
    HttpResponse delete_peering(const std::string& name);

    ServerOptions options_;
    Backend& cp_;
    config::ConfigStore& store_;
    metrics::Registry& registry_;
};

class ApiServer {
public:
    using LogSink = std::function<void(const std::string&)>;

    ApiServer(ServerOptions options, Backend& backend, config::ConfigStore& store,
              metrics::Registry& registry);
    ~ApiServer();  // stop()
    ApiServer(const ApiServer&) = delete;
    ApiServer& operator=(const ApiServer&) = delete;

    // Binds and starts serving on the server's own thread. Returns an error text (address in use, token
    // missing for a non-loopback address, ...).
    std::optional<std::string> start();
    // Stops accepting, closes connections, joins the thread. Idempotent.
    void stop();
    // The bound port (useful with port 0).
    [[nodiscard]] std::uint16_t port() const;
    // Where the server's warnings go (refused connections, malformed requests), called on the server's
    // thread. Set before start(); without one they are dropped.
    void set_log_sink(LogSink sink);
    // The connections open now, and the most that may be (known after start()).
    [[nodiscard]] std::size_t open_connections() const;
    [[nodiscard]] std::size_t connection_budget() const;

private:
    struct Listener;  // the handler, the acceptor, their io_context and thread
    std::unique_ptr<Listener> listener_;
};

[[nodiscard]] bool is_loopback(const net::IpAddress& address);

// Raises the soft limit on open files (RLIMIT_NOFILE) to the hard limit; returns the soft limit then in
// force (0 when it cannot be read).
std::uint64_t raise_open_file_limit();

// How many API connections may be open: `configured`, but at most a quarter of `open_file_limit` (when
// known, i.e. not 0) and at least 1, so BGP sessions, listeners and files keep the rest.
[[nodiscard]] std::size_t api_connection_budget(std::size_t configured, std::uint64_t open_file_limit);

}  // namespace rf::api
