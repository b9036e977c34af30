// ApiServer: Boost.Beast HTTP/1.1 on one io_context thread. Connections are served one request at a
// time (keep-alive), with a 30 s inactivity timeout and a body limit; requests are answered by ApiHandler
// on the same thread, so control-plane calls never overlap.
#include "daemon/api/server.hpp"

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

namespace rf::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket socket, ApiHandler& handler, std::size_t body_limit)
        : stream_(std::move(socket)), handler_(handler), body_limit_(body_limit) {}

    void start() { read(); }

private:
    void read() {
        parser_.emplace();
        parser_->body_limit(body_limit_);
        stream_.expires_after(kIdleTimeout);
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::body_limit) {
            respond(
                HttpResponse{
                    413, "application/json",
                    R"({"error": {"code": "PayloadTooLarge", "message": "the request body exceeds )" +
                        std::to_string(body_limit_) + R"( bytes"}})" + "\n"},
                false);
            return;
        }
        if (ec) {
            close();  // end of stream, timeout, malformed request: nothing to answer
            return;
        }
        const auto& req = parser_->get();
        HttpRequest r;
        r.method = std::string(req.method_string());
        r.target = std::string(req.target());
        if (auto it = req.find(http::field::authorization); it != req.end()) {
            r.authorization = std::string(it->value());
        }
        r.body = req.body();
        respond(handler_.handle(r), req.keep_alive());
    }

    void respond(const HttpResponse& r, bool keep_alive) {
        auto res =
            std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
        res->set(http::field::server, "routefabricd");
        res->set(http::field::content_type, r.content_type);
        res->keep_alive(keep_alive);
        res->body() = r.body;
        res->prepare_payload();
        stream_.expires_after(kIdleTimeout);
        http::async_write(stream_, *res,
                          [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
                              if (ec) {
                                  self->close();
                              } else if (!keep_alive) {
                                  self->linger();
                              } else {
                                  self->read();
                              }
                          });
    }

    // Closing a socket with unread input makes the kernel send RST, which can destroy the response we just
    // wrote before the client reads it (e.g. a 413 while the client is still sending its body). So: stop
    // sending, then read and discard until the client closes, for at most a few seconds.
    void linger() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.expires_after(std::chrono::seconds(3));
        drain();
    }
    void drain() {
        stream_.async_read_some(asio::buffer(discard_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (ec) {
                                        self->close();
                                    } else {
                                        self->drain();
                                    }
                                });
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::array<char, 4096> discard_{};
    ApiHandler& handler_;
    std::size_t body_limit_;
};

}  // namespace

struct ApiServer::Listener {
    Listener(ServerOptions o, Backend& cp, config::ConfigStore& store, metrics::Registry& registry)
        : options(std::move(o)), handler(options, cp, store, registry), acceptor(io) {}

    void accept() {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
                return;
            }
            if (!ec) {
                std::make_shared<Connection>(std::move(socket), handler, options.body_limit)->start();
            }
            accept();
        });
    }

    ServerOptions options;
    ApiHandler handler;
    asio::io_context io;
    tcp::acceptor acceptor;
    std::thread thread;
    std::uint16_t port = 0;
};

ApiServer::ApiServer(ServerOptions options, Backend& backend, config::ConfigStore& store,
                     metrics::Registry& registry)
    : listener_(std::make_unique<Listener>(std::move(options), backend, store, registry)) {}

ApiServer::~ApiServer() {
    stop();
}

std::optional<std::string> ApiServer::start() {
    Listener& s = *listener_;
    if (s.thread.joinable()) {
        return "the API server is already running";
    }
    const std::string where = s.options.address.to_string() + ":" + std::to_string(s.options.port);
    if (!is_loopback(s.options.address) && s.options.token.empty()) {
        return "the API would listen on " + where +
               " without a token; set api.token (a long random string) or bind api.listen to 127.0.0.1";
    }
    beast::error_code ec;
    const auto addr = asio::ip::make_address(s.options.address.to_string(), ec);
    if (ec) {
        return "bad API address " + s.options.address.to_string();
    }
    const tcp::endpoint ep(addr, s.options.port);
    s.acceptor.open(ep.protocol(), ec);
    if (!ec) {
        s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        s.acceptor.bind(ep, ec);
    }
    if (!ec) {
        s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        beast::error_code ignored;
        s.acceptor.close(ignored);
        return "cannot listen on " + where + ": " + ec.message();
    }
    s.port = s.acceptor.local_endpoint().port();
    s.accept();
    s.thread = std::thread([&s] { s.io.run(); });
    return std::nullopt;
}

void ApiServer::stop() {
    Listener& s = *listener_;
    if (!s.thread.joinable()) {
        return;
    }
    asio::post(s.io, [&s] {
        beast::error_code ec;
        s.acceptor.close(ec);
        s.io.stop();  // open connections are dropped with the io_context's handlers
    });
    s.thread.join();
}

std::uint16_t ApiServer::port() const {
    return listener_->port;
}

}  // namespace rf::api
