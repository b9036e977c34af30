#include "tests/control/server/support/rs_harness.hpp"

namespace rf::testing {

RsHarness::RsHarness(server::ServerConfig config, const std::vector<session::PeerSettings>& peers) {
    server_ = std::make_unique<server::RouteServer>(io_, std::move(config), sink_);
    server_->set_transition_observer([this](const session::TransitionRecord& r) {
        const auto& t = r.transition;
        std::lock_guard lock(mu_);
        transitions_.push_back(r.peer + " via " + r.local + ": " + std::string(session::state_name(t.from)) +
                               " -> " + std::string(session::state_name(t.to)) + " on " +
                               std::string(session::event_name(t.event)) + " (" +
                               std::string(session::reason_name(t.reason)) + ") " + r.detail);
    });
    server_->set_log_sink([this](const std::string& line) {
        std::lock_guard lock(mu_);
        logs_.push_back(line);
    });
    for (const auto& p : peers) {
        if (auto err = server_->add_peer(p)) {
            start_error_ = err;
            return;
        }
    }
    start_error_ = server_->start();
    thread_ = std::thread([this]() {
        auto guard = boost::asio::make_work_guard(io_);
        io_.run();
    });
}

RsHarness::~RsHarness() {
    shutdown();
}

void RsHarness::crash() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    if (thread_.joinable()) {
        std::promise<void> gone;
        auto gone_fut = gone.get_future();
        boost::asio::post(io_, [this, &gone]() {
            server_.reset();  // sessions close their connections, no NOTIFICATION is sent
            gone.set_value();
        });
        gone_fut.wait_for(std::chrono::seconds(5));
        io_.stop();
        thread_.join();
    }
    server_.reset();
}

void RsHarness::shutdown() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    if (thread_.joinable()) {
        std::promise<void> done;
        auto fut = done.get_future();
        boost::asio::post(
            io_, [this, &done]() { server_->shutdown("test finished", [&done]() { done.set_value(); }); });
        fut.wait_for(std::chrono::seconds(5));
        std::promise<void> gone;
        auto gone_fut = gone.get_future();
        boost::asio::post(io_, [this, &gone]() {
            server_.reset();  // sessions and the RIB die on the thread that owns them
            gone.set_value();
        });
        gone_fut.wait_for(std::chrono::seconds(5));
        io_.stop();
        thread_.join();
    }
    server_.reset();
}

std::vector<session::SessionStatus> RsHarness::sessions_of(const std::string& address) {
    const auto addr = *net::IpAddress::parse(address);
    return call([&](server::RouteServer& s) {
        std::vector<session::SessionStatus> out;
        for (auto& st : s.sessions()) {
            if (st.peer_address == addr) {
                out.push_back(st);
            }
        }
        return out;
    });
}

bool RsHarness::established(const std::string& address, std::size_t sessions) {
    std::size_t n = 0;
    for (const auto& s : sessions_of(address)) {
        n += s.state == session::State::Established ? 1 : 0;
    }
    return n >= sessions;
}

std::optional<rib::LocRibEntry> RsHarness::lookup(const std::string& prefix) {
    const auto p = *net::Prefix::parse(prefix);
    return call([&](server::RouteServer& s) { return s.rib().lookup(p); });
}

std::vector<std::string> RsHarness::transitions() {
    std::lock_guard lock(mu_);
    return transitions_;
}

std::vector<std::string> RsHarness::log_lines() {
    std::lock_guard lock(mu_);
    return logs_;
}

}  // namespace rf::testing
