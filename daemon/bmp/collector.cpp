#include "daemon/bmp/collector.hpp"

#include <algorithm>

#include "control/session/asio_address.hpp"

namespace rf::bmp_export {

namespace asio = boost::asio;

const char* state_name(CollectorState s) {
    switch (s) {
        case CollectorState::Idle:
            return "idle";
        case CollectorState::Connecting:
            return "connecting";
        case CollectorState::Up:
            return "up";
    }
    return "idle";
}

Collector::Collector(asio::io_context& io, Options options, std::function<void(Collector&)> on_up,
                     std::function<void(bool, const std::string&)> log)
    : io_(io),
      options_(std::move(options)),
      on_up_(std::move(on_up)),
      log_(std::move(log)),
      socket_(io),
      retry_timer_(io),
      backoff_(options_.connect_retry) {}

Collector::~Collector() {
    ++*generation_;
    retry_timer_.cancel();
    boost::system::error_code ec;
    socket_.close(ec);
}

void Collector::start() {
    connect();
}

void Collector::set_state(CollectorState s) {
    state_ = s;
    stats_.state.store(static_cast<int>(s), std::memory_order_relaxed);
}

void Collector::connect() {
    set_state(CollectorState::Connecting);
    const std::uint64_t gen = ++*generation_;
    boost::system::error_code ec;
    socket_.close(ec);
    const asio::ip::tcp::endpoint ep(session::to_asio(options_.address), options_.port);
    // The kernel's send buffer holds messages too: capped at the buffer bound (at most 4 MiB), so that a
    // stalled collector holds at most about twice buffer_bytes of this process's memory.
    socket_.open(ep.protocol(), ec);
    if (!ec) {
        const auto sndbuf =
            static_cast<int>(std::min<std::size_t>(options_.buffer_bytes, std::size_t{4} << 20U));
        socket_.set_option(asio::socket_base::send_buffer_size(sndbuf), ec);
    }
    socket_.async_connect(ep, [this, g = generation_, gen](const boost::system::error_code& e) {
        if (gen == *g) {
            on_connect(e);
        }
    });
}

void Collector::on_connect(const boost::system::error_code& ec) {
    if (ec) {
        stats_.connect_failures.fetch_add(1, std::memory_order_relaxed);
        if (stats_.connect_failures.load(std::memory_order_relaxed) == 1 ||
            backoff_ == options_.connect_retry_max) {
            log_(true, "BMP collector " + options_.name + " (" + options_.address.to_string() + " port " +
                           std::to_string(options_.port) + "): cannot connect: " + ec.message() +
                           "; retrying every " + std::to_string(backoff_.count()) + " s at most");
        }
        close(true);
        return;
    }
    boost::system::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    stats_.connects.fetch_add(1, std::memory_order_relaxed);
    set_state(CollectorState::Up);
    log_(false, "BMP collector " + options_.name + ": connected to " + options_.address.to_string() +
                    " port " + std::to_string(options_.port) + "; resynchronising");
    read_next();
    on_up_(*this);
}

void Collector::read_next() {
    const std::uint64_t gen = *generation_;
    socket_.async_read_some(asio::buffer(discard_), [this, g = generation_, gen](
                                                        const boost::system::error_code& ec, std::size_t) {
        if (gen != *g) {
            return;
        }
        if (ec) {
            stats_.disconnects.fetch_add(1, std::memory_order_relaxed);
            log_(true, "BMP collector " + options_.name + ": connection lost: " +
                           (ec == asio::error::eof ? std::string("closed by the collector") : ec.message()));
            close(true);
            return;
        }
        read_next();  // RFC 7854 §3.2: a station sends nothing; what it sends is ignored
    });
}

void Collector::resync(std::vector<std::uint8_t> bytes, std::uint64_t messages) {
    if (!up()) {
        return;
    }
    stats_.resyncs.fetch_add(1, std::memory_order_relaxed);
    stats_.messages.fetch_add(messages, std::memory_order_relaxed);
    resync_left_ += bytes.size();
    if (pending_.empty()) {
        pending_ = std::move(bytes);
    } else {
        pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    }
    stats_.buffered.store(pending_.size() + writing_.size(), std::memory_order_relaxed);
    write_next();
}

void Collector::finish(std::span<const std::uint8_t> bytes) {
    if (!up() || finishing_) {
        ++*generation_;
        retry_timer_.cancel();
        boost::system::error_code ec;
        socket_.close(ec);
        set_state(CollectorState::Idle);
        return;
    }
    finishing_ = true;
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    stats_.messages.fetch_add(1, std::memory_order_relaxed);
    write_next();
}

void Collector::send(std::span<const std::uint8_t> bytes, std::uint64_t messages) {
    if (!up() || finishing_) {
        return;
    }
    const std::size_t queued = pending_.size() + writing_.size() + bytes.size();
    if (queued - std::min(queued, resync_left_) > options_.buffer_bytes) {
        stats_.overflow_resets.fetch_add(1, std::memory_order_relaxed);
        stats_.dropped_bytes.fetch_add(pending_.size() + writing_.size(), std::memory_order_relaxed);
        log_(true, "BMP collector " + options_.name + ": " + std::to_string(queued) +
                       " bytes waiting exceed buffer_bytes " + std::to_string(options_.buffer_bytes) +
                       " (the collector does not keep up): session reset, resynchronised on reconnect in " +
                       std::to_string(backoff_.count()) + " s");
        close(true);
        return;
    }
    stats_.messages.fetch_add(messages, std::memory_order_relaxed);
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    stats_.buffered.store(queued, std::memory_order_relaxed);
    write_next();
}

void Collector::write_next() {
    if (write_active_ || pending_.empty() || !up()) {
        return;
    }
    writing_.swap(pending_);
    pending_.clear();
    write_active_ = true;
    const std::uint64_t gen = *generation_;
    asio::async_write(
        socket_, asio::buffer(writing_),
        [this, g = generation_, gen](const boost::system::error_code& ec, std::size_t n) {
            if (gen != *g) {
                return;
            }
            write_active_ = false;
            stats_.bytes.fetch_add(n, std::memory_order_relaxed);
            resync_left_ -= std::min(resync_left_, n);
            if (ec) {
                stats_.disconnects.fetch_add(1, std::memory_order_relaxed);
                log_(true, "BMP collector " + options_.name + ": write failed: " + ec.message());
                close(true);
                return;
            }
            // A resynchronisation's capacity is not kept once it is out.
            if (writing_.capacity() > 2 * options_.buffer_bytes) {
                std::vector<std::uint8_t>().swap(writing_);
            } else {
                writing_.clear();
            }
            if (pending_.empty()) {
                backoff_ = options_.connect_retry;  // drained: the collector keeps up, forget earlier trouble
            }
            stats_.buffered.store(pending_.size(), std::memory_order_relaxed);
            write_next();
        });
}

void Collector::close(bool retry) {
    ++*generation_;
    boost::system::error_code ec;
    socket_.close(ec);
    std::vector<std::uint8_t>().swap(pending_);
    std::vector<std::uint8_t>().swap(writing_);
    write_active_ = false;
    resync_left_ = 0;
    stats_.buffered.store(0, std::memory_order_relaxed);
    set_state(CollectorState::Idle);
    if (retry) {
        schedule_retry();
    }
}

void Collector::schedule_retry() {
    const std::uint64_t gen = *generation_;
    retry_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, options_.connect_retry_max);
    retry_timer_.async_wait([this, g = generation_, gen](const boost::system::error_code& ec) {
        if (!ec && gen == *g) {
            connect();
        }
    });
}

void Collector::terminate(std::span<const std::uint8_t> bytes) {
    if (up() && !finishing_ && !write_active_ && pending_.empty()) {
        boost::system::error_code ec;
        socket_.non_blocking(true, ec);
        socket_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
    }
    ++*generation_;
    retry_timer_.cancel();
    boost::system::error_code ec;
    socket_.close(ec);
    set_state(CollectorState::Idle);
}

}  // namespace rf::bmp_export
