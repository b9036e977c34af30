#include "bench/rfbench/loop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace rf::bench {

EventLoop::EventLoop() : epfd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epfd_ < 0)
        throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

EventLoop::~EventLoop() {
    if (epfd_ >= 0)
        ::close(epfd_);
}

void EventLoop::add(int fd, std::uint32_t events, IoHandler* handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl add");
}

void EventLoop::modify(int fd, std::uint32_t events, IoHandler* handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    if (::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl mod");
}

void EventLoop::remove(int fd) {
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::add_ticker(IoHandler* handler) {
    tickers_.push_back(handler);
}

void EventLoop::remove_ticker(IoHandler* handler) {
    tickers_.erase(std::remove(tickers_.begin(), tickers_.end(), handler), tickers_.end());
}

void EventLoop::run_once(Nanos max_wait) {
    std::array<epoll_event, 128> events{};
    Nanos now = now_ns();
    Nanos wait = std::min(max_wait, std::max<Nanos>(0, next_tick_ - now));
    const int timeout_ms = static_cast<int>((wait + kMilli - 1) / kMilli);
    const int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n > 0) {
        now = now_ns();  // one timestamp per batch of readiness events: receive time at the monitor
        for (int i = 0; i < n; ++i) {
            auto* h = static_cast<IoHandler*>(events[static_cast<std::size_t>(i)].data.ptr);
            h->on_io(events[static_cast<std::size_t>(i)].events, now);
        }
    }
    now = now_ns();
    if (now >= next_tick_) {
        next_tick_ = now + kTick;
        // Copy: a tick may close a session, which unregisters it.
        const auto tickers = tickers_;
        for (auto* h : tickers) {
            if (std::find(tickers_.begin(), tickers_.end(), h) != tickers_.end())
                h->on_tick(now);
        }
    }
}

bool EventLoop::run_until(const std::function<bool()>& done, Nanos deadline, Nanos max_wait) {
    while (!done()) {
        const Nanos now = now_ns();
        if (now >= deadline)
            return done();
        run_once(std::min(max_wait, deadline - now));
    }
    return true;
}

void EventLoop::run_for(Nanos duration) {
    const Nanos deadline = now_ns() + duration;
    run_until([] { return false; }, deadline, 10 * kMilli);
}

}  // namespace rf::bench
