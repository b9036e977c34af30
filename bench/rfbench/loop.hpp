// A single-threaded epoll loop: every emulated peer and the monitor run on it, so generator and monitor
// read the same clock without synchronisation. Handlers get readiness events and a periodic tick (timers
// such as keepalive and hold are checked on the tick, at most every kTick).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "bench/rfbench/clock.hpp"

namespace rf::bench {

class IoHandler {
public:
    virtual ~IoHandler() = default;
    virtual void on_io(std::uint32_t events, Nanos now) = 0;
    virtual void on_tick(Nanos now) = 0;
};

class EventLoop {
public:
    static constexpr Nanos kTick = 20 * kMilli;

    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    void add(int fd, std::uint32_t events, IoHandler* handler);
    void modify(int fd, std::uint32_t events, IoHandler* handler);
    void remove(int fd);
    // Handlers that receive on_tick; a handler must unregister before it is destroyed.
    void add_ticker(IoHandler* handler);
    void remove_ticker(IoHandler* handler);

    // Waits at most `max_wait` (0: poll) for readiness, dispatches, runs due ticks.
    void run_once(Nanos max_wait);
    // Runs until `done()` is true (checked after every dispatch) or `deadline`; returns done().
    bool run_until(const std::function<bool()>& done, Nanos deadline, Nanos max_wait = kMilli);
    // Runs for `duration` regardless.
    void run_for(Nanos duration);

private:
    int epfd_ = -1;
    Nanos next_tick_ = 0;
    std::vector<IoHandler*> tickers_;
};

}  // namespace rf::bench
