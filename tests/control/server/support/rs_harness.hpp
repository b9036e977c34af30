// An in-process route server (RouteServer + RIB) on its own io_context thread, for integration tests
// that need the RIB query API (ECMP sets) next to real TCP peers. Every access goes through call(),
// which runs the function on the io thread and waits for it (bounded).
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
// clang-format on
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "control/server/route_server.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {

class CountingSink final : public fib::DeltaSink {
public:
    bool publish(std::span<const fib::RouteDelta> batch) override {
        deltas += batch.size();
        return true;
    }
    std::size_t deltas = 0;  // io thread only
};

// The peer "nva<host>" at 127.0.0.<host>, AS 65000 + host, with the other settings at their defaults.
inline session::PeerSettings loopback_peer(int host) {
    session::PeerSettings p;
    p.name = "nva" + std::to_string(host);
    p.address = *net::IpAddress::parse(loopback(host));
    p.asn = static_cast<std::uint32_t>(65000 + host);
    return p;
}

// The route server of the integration tests: listening on 127.0.0.<host> at `port`, router id
// 10.255.0.<host>, advertising the VNet 10.1.0.0/16 with next hop 100.64.0.1; idle-hold and connect-retry
// 2 s, so that a test sees a peer come back soon.
inline server::ServerConfig lab_server_config(int host, std::uint16_t port) {
    server::ServerConfig cfg;
    cfg.router_id = *net::Ipv4Address::parse("10.255.0." + std::to_string(host));
    cfg.listen_addresses = {*net::IpAddress::parse(loopback(host))};
    cfg.port = port;
    cfg.idle_hold = 2;
    cfg.connect_retry = 2;
    cfg.rib.vnet_prefixes = {*net::Prefix::parse("10.1.0.0/16")};
    cfg.rib.vnet_next_hop_v4 = *net::IpAddress::parse("100.64.0.1");
    return cfg;
}

class RsHarness {
public:
    RsHarness(server::ServerConfig config, const std::vector<session::PeerSettings>& peers);
    ~RsHarness();
    RsHarness(const RsHarness&) = delete;
    RsHarness& operator=(const RsHarness&) = delete;

    [[nodiscard]] const std::optional<std::string>& start_error() const { return start_error_; }

    template <typename F>
    auto call(F&& f) -> decltype(f(std::declval<server::RouteServer&>())) {
        using R = decltype(f(std::declval<server::RouteServer&>()));
        std::packaged_task<R()> task([this, &f]() { return f(*server_); });
        auto fut = task.get_future();
        boost::asio::post(io_, [&task]() { task(); });
        if (fut.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
            throw std::runtime_error("route server thread did not answer in 10 s");
        }
        return fut.get();
    }

    // Sessions of the peer at `address` (one per local address it reached).
    std::vector<session::SessionStatus> sessions_of(const std::string& address);
    bool established(const std::string& address, std::size_t sessions = 1);
    std::optional<rib::LocRibEntry> lookup(const std::string& prefix);
    std::vector<std::string> transitions();  // every transition line so far
    std::vector<std::string> log_lines();
    void shutdown();  // graceful Cease to every peer, then stop the thread
    // As if the route server process died: its sockets close without a NOTIFICATION.
    void crash();

private:
    boost::asio::io_context io_;
    CountingSink sink_;
    std::unique_ptr<server::RouteServer> server_;
    std::optional<std::string> start_error_;
    std::thread thread_;
    std::mutex mu_;
    std::vector<std::string> transitions_;
    std::vector<std::string> logs_;
    bool stopped_ = false;
};

}  // namespace rf::testing
