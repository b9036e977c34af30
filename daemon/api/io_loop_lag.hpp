// How late the io thread runs: a timer on the io_context (the thread of every session, the route server
// and the RIB) armed every `interval`; the time between its deadline and the moment its handler runs is
// the loop's lag: how long a BGP message or a keepalive may wait behind the work in front of it.
// Measured at the edge, by a timer of its own; nothing on the message path is timed.
//
//   routefabric_io_loop_lag_last_seconds  gauge, the last sample
//   routefabric_io_loop_lag_seconds       histogram of every sample
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

namespace rf::metrics {
class Gauge;
class Histogram;
class Registry;
}  // namespace rf::metrics

namespace rf::api {

class IoLoopLag {
public:
    static constexpr std::chrono::milliseconds kDefaultInterval{250};

    IoLoopLag(boost::asio::io_context& io, metrics::Registry& registry,
              std::chrono::steady_clock::duration interval = kDefaultInterval);
    ~IoLoopLag();
    IoLoopLag(const IoLoopLag&) = delete;
    IoLoopLag& operator=(const IoLoopLag&) = delete;

    // Start and stop on the io thread, or while the io_context is not running.
    void start();
    void stop();

    // One sample (the timer's handler calls it): records the lag of a deadline met at `now`.
    void record(std::chrono::steady_clock::time_point deadline, std::chrono::steady_clock::time_point now);

private:
    void arm();

    boost::asio::steady_timer timer_;
    std::chrono::steady_clock::duration interval_;
    metrics::Gauge& last_;
    metrics::Histogram& histogram_;
    bool running_ = false;
};

}  // namespace rf::api
