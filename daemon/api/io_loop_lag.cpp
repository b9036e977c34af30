#include "daemon/api/io_loop_lag.hpp"

#include <algorithm>

#include "daemon/api/metrics.hpp"

namespace rf::api {

IoLoopLag::IoLoopLag(boost::asio::io_context& io, metrics::Registry& registry,
                     std::chrono::steady_clock::duration interval)
    : timer_(io),
      interval_(interval),
      last_(registry.gauge("routefabric_io_loop_lag_last_seconds",
                           "How late the last sampling timer on the io thread (sessions, route server, RIB) "
                           "ran after its deadline.")),
      // 50 µs … ~3.3 s: an idle loop answers in microseconds, a bulk RIB load can hold it for seconds.
      histogram_(registry.histogram("routefabric_io_loop_lag_seconds",
                                    "How late sampling timers on the io thread (sessions, route server, RIB) "
                                    "ran after their deadlines, one sample every 250 ms.",
                                    metrics::exponential_buckets(50e-6, 4, 9))) {}

IoLoopLag::~IoLoopLag() {
    stop();
}

void IoLoopLag::start() {
    if (running_) {
        return;
    }
    running_ = true;
    arm();
}

void IoLoopLag::stop() {
    running_ = false;
    timer_.cancel();
}

void IoLoopLag::record(std::chrono::steady_clock::time_point deadline,
                       std::chrono::steady_clock::time_point now) {
    const double lag = std::chrono::duration<double>(std::max(now - deadline, now - now)).count();
    last_.set(lag);
    histogram_.observe(lag);
}

void IoLoopLag::arm() {
    // The next deadline counts from now, not from the last one: a stalled loop is one late sample, not a
    // burst of catch-up samples.
    const auto deadline = std::chrono::steady_clock::now() + interval_;
    timer_.expires_at(deadline);
    timer_.async_wait([this, deadline](const boost::system::error_code& ec) {
        if (ec || !running_) {
            return;
        }
        record(deadline, std::chrono::steady_clock::now());
        arm();
    });
}

}  // namespace rf::api
