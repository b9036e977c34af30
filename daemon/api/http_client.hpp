// A small blocking HTTP/1.1 client for rfctl and the API tests (Boost.Beast, plain TCP, one request per
// connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "control/codec/result.hpp"

namespace rf::api {

struct ServerUrl {
    std::string host = "127.0.0.1";
    std::uint16_t port = 9179;
};
// "http://127.0.0.1:9179", "127.0.0.1:9179", "http://[::1]:9179/" → host + port; nullopt-style error text.
[[nodiscard]] Result<ServerUrl, std::string> parse_server_url(const std::string& url);

struct ClientResponse {
    unsigned status = 0;
    std::string content_type;
    std::string body;
};

// Fails (error text) only when the server cannot be reached or the exchange breaks; HTTP errors are
// responses.
[[nodiscard]] Result<ClientResponse, std::string> http_request(
    const ServerUrl& server, const std::string& method, const std::string& target,
    const std::string& body = {}, const std::string& token = {},
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace rf::api
