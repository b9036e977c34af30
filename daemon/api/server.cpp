// ApiServer: Boost.Beast HTTP/1.1 on one io_context thread. Connections are served one request at a
// time (keep-alive), with an inactivity timeout, a body limit and a bound on how many are open; requests
// are answered by ApiHandler on the same thread, so control-plane calls never overlap.
#include "daemon/api/server.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "daemon/api/repeated_event_log.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace rf::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kLogInterval = std::chrono::seconds(10);
constexpr auto kLingerTimeout = std::chrono::seconds(3);
// After accept() fails (out of descriptors or memory), wait this long before accepting again: retrying at
// once fails the same way and spins a core.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
// After a peak of at least this many connections has fallen to a quarter, the freed buffers are handed
// back to the system (malloc_trim), so a burst of connections does not leave the daemon's RSS high.
constexpr std::size_t kTrimAfterPeak = 16;
// A connection's read buffer above this size is shrunk after each request.
constexpr std::size_t kKeptBufferBytes = 64 * 1024;

std::string json_error(std::string_view code, const std::string& message) {
    return R"({"error": {"code": ")" + std::string(code) + R"(", "message": ")" + message + "\"}}\n";
}

std::string peer_of(const tcp::socket& socket) {
    beast::error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    return ec ? std::string("an unknown address")
              : ep.address().to_string() + ":" + std::to_string(ep.port());
}

// An HTTP error the server answers itself, before a request reaches the handler.
struct HttpRefusal {
    unsigned status;
    std::string code;
    std::string message;
};

// What to answer when reading a request failed with `ec` (nullopt: nothing, just close). `unparsed` is
// what the client sent that the parser has not taken yet (the header when it was too long).
std::optional<HttpRefusal> refusal_for(beast::error_code ec, std::string_view unparsed,
                                       std::size_t body_limit) {
    if (ec == http::error::body_limit) {
        return HttpRefusal{413, "PayloadTooLarge",
                           "the request body exceeds " + std::to_string(body_limit) + " bytes"};
    }
    if (ec == http::error::header_limit) {
        const auto line_end = unparsed.find('\n');
        const std::size_t line = line_end == std::string_view::npos ? unparsed.size() : line_end;
        if (line > kMaxTargetBytes) {
            return HttpRefusal{414, "UriTooLong",
                               "the request target exceeds " + std::to_string(kMaxTargetBytes) + " bytes"};
        }
        return HttpRefusal{431, "RequestHeaderFieldsTooLarge",
                           "the request header exceeds " + std::to_string(kMaxHeaderBytes) + " bytes"};
    }
    // The client went away (end of stream, mid-request, reset) or was idle too long: nobody to answer.
    const bool parse_error = ec.category() == http::make_error_code(http::error::bad_method).category();
    if (!parse_error || ec == http::error::end_of_stream || ec == http::error::partial_message) {
        return std::nullopt;
    }
    return HttpRefusal{400, "BadRequest", "malformed HTTP request: " + ec.message()};
}

class Connection;

// Everything the connections share: the handler, the bound and the set of open connections, the
// rate-limited log lines, the acceptor. Lives on the server's thread.
struct ServerState {
    ServerState(ServerOptions o, Backend& cp, config::ConfigStore& store, metrics::Registry& reg)
        : options(std::move(o)),
          handler(options, cp, store, reg),
          registry(reg),
          refused_total(reg.counter("routefabric_api_connections_refused_total",
                                    "REST API connections refused because api.max_connections were open.")),
          idle_closed_total(reg.counter("routefabric_api_idle_connections_closed_total",
                                        "REST API connections closed early for idling while "
                                        "api.max_connections were open.")),
          acceptor(io),
          accept_retry(io),
          sweep_timer(io),
          flush_timer(io) {}

    void accept();
    void on_accept_error(beast::error_code ec);
    void admit(tcp::socket socket);
    void refuse(tcp::socket socket);
    void sweep_idle();
    void arm_sweep();
    void on_closed(Connection* c);
    void on_http_refusal(const std::string& peer, const HttpRefusal& r);
    void count_status(unsigned status);
    // Writes `line` when `events` says so, else arms the timer that reports the held-back events.
    void report(RepeatedEventLog& events, const std::string& line);
    void arm_flush();
    void flush_reports();
    void log(const std::string& line) const {
        if (log_sink) {
            log_sink(line);
        }
    }

    ServerOptions options;
    ApiHandler handler;
    metrics::Registry& registry;
    metrics::Counter& refused_total;
    metrics::Counter& idle_closed_total;
    ApiServer::LogSink log_sink;
    std::size_t budget = 1;
    // Declared before the io_context: connections still pending when it is destroyed unregister here.
    std::unordered_set<Connection*> connections;
    std::atomic<std::size_t> open_count{0};
    std::size_t peak_since_trim = 0;
    RepeatedEventLog limit_events{kLogInterval};
    RepeatedEventLog http_events{kLogInterval};
    RepeatedEventLog accept_events{kLogInterval};
    std::string last_http_refusal;  // the newest one, for the held-back report
    std::string last_accept_error;

    asio::io_context io;
    tcp::acceptor acceptor;
    asio::steady_timer accept_retry;
    asio::steady_timer sweep_timer;
    bool sweep_armed = false;
    asio::steady_timer flush_timer;
    bool flush_armed = false;
    std::thread thread;
    std::uint16_t port = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket socket, ServerState& state) : stream_(std::move(socket)), state_(state) {
        state_.connections.insert(this);
    }
    ~Connection() { state_.on_closed(this); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start() { read(); }

    // Closes the connection if it has been waiting for a request since `cutoff` or before; the pending
    // read then ends and the connection is freed.
    bool close_if_idle_since(Clock::time_point cutoff) {
        if (!reading_ || reading_since_ > cutoff) {
            return false;
        }
        close();
        return true;
    }

private:
    void read() {
        parser_.emplace();
        parser_->body_limit(state_.options.body_limit);
        parser_->header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
        stream_.expires_after(state_.options.idle_timeout);
        reading_ = true;
        reading_since_ = Clock::now();
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        reading_ = false;
        if (ec) {
            const auto& data = buffer_.data();
            const std::string_view unparsed(static_cast<const char*>(data.data()), data.size());
            if (auto refusal = refusal_for(ec, unparsed, state_.options.body_limit)) {
                refuse(*refusal);
            } else {
                close();
            }
            return;
        }
        const auto& req = parser_->get();
        if (req.target().size() > kMaxTargetBytes) {
            refuse(HttpRefusal{414, "UriTooLong",
                               "the request target exceeds " + std::to_string(kMaxTargetBytes) + " bytes"});
            return;
        }
        HttpRequest r;
        r.method = std::string(req.method_string());
        r.target = std::string(req.target());
        if (auto it = req.find(http::field::authorization); it != req.end()) {
            r.authorization = std::string(it->value());
        }
        r.body = req.body();
        const bool keep_alive = req.keep_alive();
        parser_.reset();  // the request's body is copied; do not hold two
        if (buffer_.capacity() > kKeptBufferBytes) {
            buffer_.shrink_to_fit();  // a large request's buffer is not kept for the next one
        }
        respond(state_.handler.handle(r), keep_alive);
    }

    void refuse(const HttpRefusal& r) {
        state_.on_http_refusal(peer_of(stream_.socket()), r);
        buffer_.clear();
        buffer_.shrink_to_fit();
        respond(HttpResponse{r.status, "application/json", json_error(r.code, r.message)}, false);
    }

    void respond(const HttpResponse& r, bool keep_alive) {
        auto res =
            std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
        res->set(http::field::server, "routefabricd");
        res->set(http::field::content_type, r.content_type);
        for (const auto& [name, value] : r.headers) {
            res->set(name, value);
        }
        res->keep_alive(keep_alive);
        res->body() = r.body;
        res->prepare_payload();
        stream_.expires_after(state_.options.idle_timeout);
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
        stream_.expires_after(kLingerTimeout);
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
    std::array<char, 1024> discard_{};
    ServerState& state_;
    bool reading_ = false;
    Clock::time_point reading_since_{};
};

void ServerState::accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
            return;
        }
        if (ec) {
            on_accept_error(ec);
            return;
        }
        admit(std::move(socket));
        accept();
    });
}

void ServerState::on_accept_error(beast::error_code ec) {
    last_accept_error = ec.message();
    if (const std::uint64_t n = accept_events.record(Clock::now())) {
        log("cannot accept connections: " + ec.message() + " (" + std::to_string(n) +
            " failed accept(s) since the last report)");
    } else {
        arm_flush();
    }
    accept_retry.expires_after(kAcceptRetry);
    accept_retry.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor.is_open()) {
            accept();
        }
    });
}

void ServerState::admit(tcp::socket socket) {
    if (connections.size() >= budget) {
        refuse(std::move(socket));
        sweep_idle();
        return;
    }
    auto c = std::make_shared<Connection>(std::move(socket), *this);
    open_count.store(connections.size(), std::memory_order_relaxed);
    peak_since_trim = std::max(peak_since_trim, connections.size());
    c->start();
    if (connections.size() >= budget) {
        arm_sweep();
    }
}

// Over the bound: a 503 written straight into the new socket's empty send buffer (it fits), then close.
void ServerState::refuse(tcp::socket socket) {
    static const std::string body =
        json_error("NotAvailable", "too many API connections are open; try again later");
    static const std::string response =
        "HTTP/1.1 503 Service Unavailable\r\nServer: routefabricd\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nRetry-After: 1\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    const std::string peer = peer_of(socket);
    beast::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(response), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
    refused_total.inc();
    count_status(503);
    if (const std::uint64_t n = limit_events.record(Clock::now())) {
        log("connection limit reached (" + std::to_string(budget) + " open, api.max_connections): refused " +
            std::to_string(n) + " connection(s) since the last report, the latest from " + peer);
    } else {
        arm_flush();
    }
}

// While the bound is reached, a connection that has waited busy_idle_timeout for a request makes room.
void ServerState::sweep_idle() {
    const auto cutoff = Clock::now() - options.busy_idle_timeout;
    std::vector<Connection*> open(connections.begin(), connections.end());
    for (Connection* c : open) {
        if (c->close_if_idle_since(cutoff)) {
            idle_closed_total.inc();
        }
    }
}

void ServerState::arm_sweep() {
    if (sweep_armed) {
        return;
    }
    sweep_armed = true;
    sweep_timer.expires_after(options.busy_idle_timeout);
    sweep_timer.async_wait([this](beast::error_code ec) {
        sweep_armed = false;
        if (ec || connections.size() < budget) {
            return;
        }
        sweep_idle();
        arm_sweep();
    });
}

void ServerState::on_closed(Connection* c) {
    connections.erase(c);
    open_count.store(connections.size(), std::memory_order_relaxed);
#ifdef __GLIBC__
    if (peak_since_trim >= kTrimAfterPeak && connections.size() <= peak_since_trim / 4) {
        malloc_trim(0);
        peak_since_trim = connections.size();
    }
#endif
}

void ServerState::on_http_refusal(const std::string& peer, const HttpRefusal& r) {
    count_status(r.status);
    last_http_refusal = std::to_string(r.status) + " " + r.code + " to " + peer + ": " + r.message;
    if (const std::uint64_t n = http_events.record(Clock::now())) {
        log("answered " + std::to_string(n) +
            " request(s) with an HTTP error and closed the connection since the last report, the latest: " +
            last_http_refusal);
    } else {
        arm_flush();
    }
}

void ServerState::count_status(unsigned status) {
    registry
        .counter("routefabric_api_requests_total", "REST API requests by HTTP status.",
                 {{"code", std::to_string(status)}})
        .inc();
}

void ServerState::arm_flush() {
    if (flush_armed) {
        return;
    }
    std::optional<Clock::time_point> at;
    for (const RepeatedEventLog* events : {&limit_events, &http_events, &accept_events}) {
        if (const auto next = events->next_flush(); next && (!at || *next < *at)) {
            at = next;
        }
    }
    if (!at) {
        return;
    }
    flush_armed = true;
    flush_timer.expires_at(*at);
    flush_timer.async_wait([this](beast::error_code ec) {
        flush_armed = false;
        if (!ec) {
            flush_reports();
        }
    });
}

void ServerState::flush_reports() {
    const auto now = Clock::now();
    const auto seconds =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kLogInterval).count());
    if (const std::uint64_t n = limit_events.flush(now)) {
        log("connection limit (" + std::to_string(budget) + ", api.max_connections): refused " +
            std::to_string(n) + " more connection(s) in the last " + seconds + " s");
    }
    if (const std::uint64_t n = http_events.flush(now)) {
        log("answered " + std::to_string(n) + " more request(s) with an HTTP error in the last " + seconds +
            " s, the latest: " + last_http_refusal);
    }
    if (const std::uint64_t n = accept_events.flush(now)) {
        log("cannot accept connections: " + last_accept_error + " (" + std::to_string(n) +
            " more failed accept(s) in the last " + seconds + " s)");
    }
    arm_flush();
}

}  // namespace

struct ApiServer::Listener : ServerState {
    using ServerState::ServerState;
};

ApiServer::ApiServer(ServerOptions options, Backend& backend, config::ConfigStore& store,
                     metrics::Registry& registry)
    : listener_(std::make_unique<Listener>(std::move(options), backend, store, registry)) {}

ApiServer::~ApiServer() {
    stop();
}

void ApiServer::set_log_sink(LogSink sink) {
    listener_->log_sink = std::move(sink);
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
    const std::uint64_t fd_limit = raise_open_file_limit();
    s.budget = api_connection_budget(s.options.max_connections, fd_limit);
    if (s.budget < s.options.max_connections) {
        s.log("api.max_connections " + std::to_string(s.options.max_connections) +
              " is more than a quarter of the open-file limit (" + std::to_string(fd_limit) +
              "); serving at most " + std::to_string(s.budget) + " connections");
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

std::size_t ApiServer::open_connections() const {
    return listener_->open_count.load(std::memory_order_relaxed);
}

std::size_t ApiServer::connection_budget() const {
    return listener_->budget;
}

std::uint64_t raise_open_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return 0;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            limit = raised;
        }
    }
    return limit.rlim_cur == RLIM_INFINITY ? 0 : static_cast<std::uint64_t>(limit.rlim_cur);
}

std::size_t api_connection_budget(std::size_t configured, std::uint64_t open_file_limit) {
    std::size_t budget = std::max<std::size_t>(configured, 1);
    if (open_file_limit != 0) {
        budget = std::min<std::size_t>(budget, std::max<std::uint64_t>(open_file_limit / 4, 1));
    }
    return budget;
}

}  // namespace rf::api
