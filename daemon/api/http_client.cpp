#include "daemon/api/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

namespace rf::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<ServerUrl, std::string> parse_server_url(const std::string& url) {
    std::string_view s = url;
    if (s.rfind("http://", 0) == 0) {
        s.remove_prefix(7);
    } else if (s.find("://") != std::string_view::npos) {
        return unexpected("only http:// server URLs are supported, got '" + url + "'");
    }
    while (!s.empty() && s.back() == '/') {
        s.remove_suffix(1);
    }
    ServerUrl out;
    std::string_view port_text;
    if (!s.empty() && s.front() == '[') {  // [v6]:port
        const auto close = s.find(']');
        if (close == std::string_view::npos) {
            return unexpected("bad server URL '" + url + "'");
        }
        out.host = std::string(s.substr(1, close - 1));
        if (close + 1 < s.size() && s[close + 1] == ':') {
            port_text = s.substr(close + 2);
        }
    } else {
        const auto colon = s.rfind(':');
        out.host = std::string(s.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = s.substr(colon + 1);
        }
    }
    if (out.host.empty()) {
        return unexpected("bad server URL '" + url + "': no host");
    }
    if (!port_text.empty()) {
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
            return unexpected("bad port in server URL '" + url + "'");
        }
        out.port = static_cast<std::uint16_t>(port);
    }
    return out;
}

Result<ClientResponse, std::string> http_request(const ServerUrl& server, const std::string& method,
                                                 const std::string& target, const std::string& body,
                                                 const std::string& token,
                                                 std::chrono::milliseconds timeout) {
    const std::string where = server.host + ":" + std::to_string(server.port);
    try {
        asio::io_context io;
        tcp::resolver resolver(io);
        beast::tcp_stream stream(io);
        beast::error_code ec;
        const auto endpoints = resolver.resolve(server.host, std::to_string(server.port), ec);
        if (ec) {
            return unexpected("cannot resolve " + server.host + ": " + ec.message());
        }
        stream.expires_after(timeout);
        stream.connect(endpoints, ec);
        if (ec) {
            return unexpected("cannot connect to " + where + ": " + ec.message());
        }
        http::request<http::string_body> req(http::string_to_verb(method), target, 11);
        req.set(http::field::host, server.host);
        req.set(http::field::user_agent, "rfctl");
        req.keep_alive(false);
        if (!token.empty()) {
            req.set(http::field::authorization, "Bearer " + token);
        }
        if (!body.empty()) {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.prepare_payload();
        stream.expires_after(timeout);
        http::write(stream, req, ec);
        if (ec) {
            return unexpected("cannot send the request to " + where + ": " + ec.message());
        }
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(256U << 20);
        http::read(stream, buffer, parser, ec);
        if (ec) {
            return unexpected("no answer from " + where + ": " + ec.message());
        }
        const auto& res = parser.get();
        ClientResponse out;
        out.status = res.result_int();
        if (auto it = res.find(http::field::content_type); it != res.end()) {
            out.content_type = std::string(it->value());
        }
        out.body = res.body();
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        return out;
    } catch (const std::exception& e) {
        return unexpected("request to " + where + " failed: " + e.what());
    }
}

}  // namespace rf::api
