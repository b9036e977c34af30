// The REST API server against hostile clients, over real sockets on 127.0.0.1 with a fake backend:
// malformed HTTP gets 400, an over-long target 414, over-long headers 431 (then the connection is
// closed), the connection bound answers the extra connections 503 and logs that once, idle connections
// make room while the bound is reached, and running out of descriptors is survived and logged once.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/api/http_client.hpp"
#include "daemon/api/json.hpp"
#include "daemon/api/repeated_event_log.hpp"
#include "daemon/api/server.hpp"
#include "tests/daemon/api/fake_backend.hpp"
#include "tests/daemon/api/raw_http.hpp"

namespace rf::api {
namespace {

using testing::RawHttpClient;
using testing::status_of;

const char* const kConfig = R"(
route_server:
  listen: [10.1.255.4, 10.1.255.5]
peers:
  - {name: nva1, address: 10.1.1.4, asn: 65001}
)";

// The lines an ApiServer logs, collected from its thread.
class LogLines {
public:
    ApiServer::LogSink sink() {
        return [this](const std::string& line) {
            const std::lock_guard lock(mutex_);
            lines_.push_back(line);
        };
    }
    std::vector<std::string> lines() {
        const std::lock_guard lock(mutex_);
        return lines_;
    }
    std::size_t count_containing(const std::string& text) {
        std::size_t n = 0;
        for (const std::string& l : lines()) {
            n += l.find(text) != std::string::npos ? 1 : 0;
        }
        return n;
    }

private:
    std::mutex mutex_;
    std::vector<std::string> lines_;
};

class HttpLimitsTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/rf_api_limits.XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        auto c = config::load_text(kConfig);
        ASSERT_TRUE(c);
        store_ = std::make_unique<config::ConfigStore>(*c, dir_ + "/routefabric.yaml");
        cp_ = std::make_unique<testing::FakeBackend>(*c);
    }
    void TearDown() override {
        server_.reset();
        std::filesystem::remove_all(dir_);
    }

    void start(ServerOptions o = {}) {
        o.port = 0;
        server_ = std::make_unique<ApiServer>(o, *cp_, *store_, registry_);
        server_->set_log_sink(log_.sink());
        ASSERT_EQ(server_->start(), std::nullopt);
        url_.port = server_->port();
    }

    // Sends `bytes` on a new connection and returns what the server answered before closing it.
    std::string exchange(const std::string& bytes, bool* closed = nullptr) {
        RawHttpClient c;
        EXPECT_TRUE(c.connect(url_.port));
        (void)c.send(bytes);  // the server may close before taking all of it
        std::string response = c.read_until_close();
        if (closed != nullptr) {
            *closed = c.closed;
        }
        return response;
    }

    // Polls `pred` for up to 10 s.
    template <typename Pred>
    static bool eventually(Pred pred) {
        for (int i = 0; i < 500; ++i) {
            if (pred()) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return pred();
    }

    std::uint64_t counter(const std::string& name, const metrics::Labels& labels = {}) {
        return registry_.counter(name, "", labels).value();
    }

    std::string dir_;
    std::unique_ptr<config::ConfigStore> store_;
    std::unique_ptr<testing::FakeBackend> cp_;
    metrics::Registry registry_;
    LogLines log_;
    std::unique_ptr<ApiServer> server_;
    ServerUrl url_;
};

// ------------------------------------------------------------------------------- HTTP the server refuses

TEST_F(HttpLimitsTest, MalformedHttpGets400AndTheConnectionIsClosed) {
    start();
    bool closed = false;
    const std::string r =
        exchange("GET /api/v1/routeserver HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", &closed);
    EXPECT_EQ(status_of(r), 400U) << r;
    EXPECT_NE(r.find("\"BadRequest\""), std::string::npos) << r;
    EXPECT_TRUE(closed);
    EXPECT_EQ(status_of(exchange("\x01\x02\x03 garbage\r\n\r\n")), 400U);
}

TEST_F(HttpLimitsTest, AnOverlongTargetGets414) {
    start();
    // Longer than the whole header allowance, and longer than a target may be within it.
    for (const std::size_t length : {3 * kMaxHeaderBytes, kMaxTargetBytes + 100}) {
        bool closed = false;
        const std::string r =
            exchange("GET /api/v1/" + std::string(length, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
        EXPECT_EQ(status_of(r), 414U) << length << ": " << r.substr(0, 200);
        EXPECT_NE(r.find("\"UriTooLong\""), std::string::npos);
        EXPECT_TRUE(closed);
    }
}

TEST_F(HttpLimitsTest, OverlongHeadersGet431) {
    start();
    std::string request = "GET /api/v1/routeserver HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 400; ++i) {
        request += "X-Filler-" + std::to_string(i) + ": " + std::string(60, 'v') + "\r\n";
    }
    request += "\r\n";
    bool closed = false;
    const std::string r = exchange(request, &closed);
    EXPECT_EQ(status_of(r), 431U) << r.substr(0, 200);
    EXPECT_NE(r.find("\"RequestHeaderFieldsTooLarge\""), std::string::npos);
    EXPECT_TRUE(closed);
    // The server is unharmed.
    auto ok = http_request(url_, "GET", "/api/v1/routeserver");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200U);
}

TEST_F(HttpLimitsTest, RefusedRequestsAreLoggedOncePerIntervalAndCounted) {
    start();
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(status_of(exchange("NOT HTTP\r\n\r\n")), 400U);
    }
    EXPECT_EQ(log_.lines().size(), 1U);
    EXPECT_EQ(log_.count_containing("with an HTTP error"), 1U);
    EXPECT_EQ(counter("routefabric_api_requests_total", {{"code", "400"}}), 5U);
}

// ----------------------------------------------------------------------------------- connection bound

TEST_F(HttpLimitsTest, ConnectionsBeyondTheBoundAreRefusedWith503AndLoggedOnce) {
    ServerOptions o;
    o.max_connections = 4;
    o.busy_idle_timeout = std::chrono::minutes(5);  // nobody is closed for idling during the test
    start(o);
    ASSERT_EQ(server_->connection_budget(), 4U);

    std::vector<std::unique_ptr<RawHttpClient>> idle;
    for (int i = 0; i < 4; ++i) {
        idle.push_back(std::make_unique<RawHttpClient>());
        ASSERT_TRUE(idle.back()->connect(url_.port));
    }
    ASSERT_TRUE(eventually([&] { return server_->open_connections() == 4; }));

    for (int i = 0; i < 3; ++i) {
        bool closed = false;
        const std::string r = exchange("", &closed);
        EXPECT_EQ(status_of(r), 503U) << r;
        EXPECT_NE(r.find("\"NotAvailable\""), std::string::npos) << r;
        EXPECT_TRUE(closed);
    }
    // The count and the log line follow the 503 on the server's side: the client may see the close first.
    EXPECT_TRUE(eventually([&] { return counter("routefabric_api_connections_refused_total") == 3U; }))
        << counter("routefabric_api_connections_refused_total");
    EXPECT_TRUE(eventually([&] { return log_.count_containing("connection limit reached (4 open") == 1U; }));
    EXPECT_EQ(log_.lines().size(), 1U);
    for (const auto& c : idle) {
        EXPECT_TRUE(c->quiet_for(std::chrono::milliseconds(1))) << "an admitted connection was closed";
    }

    // A closed connection frees its place.
    idle.front()->close();
    ASSERT_TRUE(eventually([&] { return server_->open_connections() == 3; }));
    auto r = http_request(url_, "GET", "/api/v1/routeserver");
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, 200U);
}

TEST_F(HttpLimitsTest, IdleConnectionsAreClosedSoonerWhileTheBoundIsReached) {
    ServerOptions o;
    o.max_connections = 2;
    o.busy_idle_timeout = std::chrono::milliseconds(200);  // idle_timeout stays 30 s
    start(o);
    RawHttpClient a;
    RawHttpClient b;
    ASSERT_TRUE(a.connect(url_.port));
    ASSERT_TRUE(b.connect(url_.port));
    (void)a.read_until_close();
    (void)b.read_until_close();
    EXPECT_TRUE(a.closed);
    EXPECT_TRUE(b.closed);
    ASSERT_TRUE(eventually([&] { return server_->open_connections() == 0; }));
    EXPECT_EQ(counter("routefabric_api_idle_connections_closed_total"), 2U);
    auto r = http_request(url_, "GET", "/api/v1/routeserver");
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, 200U);
}

// Out of descriptors, accept() fails; the server waits before trying again (rather than spinning on
// the same error), says so once, and serves the waiting clients when descriptors are free again.
TEST_F(HttpLimitsTest, AcceptFailingForWantOfDescriptorsIsLoggedOnceAndRecovers) {
    start();
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    // The limit bounds descriptor numbers, not their count: start above the highest one open (a shell or
    // CI runner may have handed down a high-numbered descriptor).
    rlim_t highest_fd = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        highest_fd = std::max<rlim_t>(highest_fd, std::stoul(entry.path().filename().string()));
    }
    rlimit tight = saved;
    tight.rlim_cur = highest_fd + 1 + 16;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
    // The clients' sockets first, then every descriptor left is taken: none for the server's accept.
    RawHttpClient a;
    RawHttpClient b;
    const bool sockets = a.open_socket() && b.open_socket();
    std::vector<int> filler;
    while (filler.size() < 1000) {  // the limit leaves 16 or so
        const int fd = ::dup(STDERR_FILENO);
        if (fd < 0) {
            break;
        }
        filler.push_back(fd);
    }
    const bool connected = sockets && a.connect(url_.port) && b.connect(url_.port);
    const bool logged = connected && eventually([&] { return log_.count_containing("cannot accept") > 0; });
    for (const int fd : filler) {
        ::close(fd);
    }
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
    ASSERT_TRUE(connected);
    ASSERT_TRUE(logged);

    for (RawHttpClient* c : {&a, &b}) {
        ASSERT_TRUE(c->send("GET /api/v1/routeserver HTTP/1.1\r\nHost: x\r\n\r\n"));
        EXPECT_EQ(status_of(c->read_response()), 200U);
    }
    EXPECT_EQ(log_.count_containing("cannot accept"), 1U);
}

TEST(ConnectionBudget, StaysWithinAQuarterOfTheOpenFileLimit) {
    EXPECT_EQ(api_connection_budget(64, 1024), 64U);
    EXPECT_EQ(api_connection_budget(5000, 1024), 256U);
    EXPECT_EQ(api_connection_budget(64, 0), 64U);  // limit unknown or unlimited
    EXPECT_EQ(api_connection_budget(0, 1024), 1U);
    EXPECT_EQ(api_connection_budget(64, 2), 1U);
}

TEST(ConnectionBudget, RaisingTheOpenFileLimitNeverLowersIt) {
    rlimit before{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
    const std::uint64_t now = raise_open_file_limit();
    EXPECT_EQ(now, before.rlim_max == RLIM_INFINITY ? 0 : before.rlim_max);
    EXPECT_GE(now == 0 ? RLIM_INFINITY : now, before.rlim_cur);
}

TEST(ConnectionBudget, ApiMaxConnectionsIsReadCheckedAndWritten) {
    auto c = config::load_text(std::string(kConfig) + "api:\n  max_connections: 4\n");
    ASSERT_TRUE(c) << config::format_errors(c.error());
    EXPECT_EQ(c->api.max_connections, 4U);
    auto again = config::load_text(config::to_yaml(*c));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->api.max_connections, 4U);
    EXPECT_EQ(config::load_text(kConfig)->api.max_connections, config::kDefaultApiMaxConnections);
    for (const char* bad : {"0", "10001"}) {
        auto e = config::load_text(std::string(kConfig) + "api:\n  max_connections: " + bad + "\n");
        ASSERT_FALSE(e) << bad;
        EXPECT_NE(config::format_errors(e.error()).find("api.max_connections"), std::string::npos)
            << config::format_errors(e.error());
    }
}

// --------------------------------------------------------------------------------- RepeatedEventLog

TEST(RepeatedEventLog, ReportsTheFirstEventAtOnceAndTheRestOncePerInterval) {
    using namespace std::chrono_literals;
    RepeatedEventLog log(10s);
    const RepeatedEventLog::Clock::time_point t0{};
    EXPECT_EQ(log.record(t0 + 1s), 1U);  // the first: at once
    EXPECT_EQ(log.next_flush(), std::nullopt);
    EXPECT_EQ(log.record(t0 + 2s), 0U);  // held back
    EXPECT_EQ(log.record(t0 + 3s), 0U);
    EXPECT_EQ(log.next_flush(), t0 + 11s);
    EXPECT_EQ(log.flush(t0 + 10s), 0U);  // too early
    EXPECT_EQ(log.flush(t0 + 11s), 2U);  // both held back, in one line
    EXPECT_EQ(log.flush(t0 + 30s), 0U);  // nothing left
    EXPECT_EQ(log.record(t0 + 15s), 0U);
    EXPECT_EQ(log.record(t0 + 22s), 2U);  // the interval passed: this one and the held-back one
    EXPECT_EQ(log.record(t0 + 40s), 1U);
}

}  // namespace
}  // namespace rf::api
