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
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

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
};

struct ServerOptions {
    net::IpAddress address = net::IpAddress::v4(net::Ipv4Address{0x7F000001U});
    std::uint16_t port = 9179;  // 0: any free port (see ApiServer::port())
    std::string token;          // empty: no authentication (loopback only)
    std::size_t body_limit = 1U << 20;
    std::string version = "0.1.0";
};

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

private:
    struct Listener;  // the handler, the acceptor, their io_context and thread
    std::unique_ptr<Listener> listener_;
};

[[nodiscard]] bool is_loopback(const net::IpAddress& address);

}  // namespace rf::api
