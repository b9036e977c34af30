#include "control/session/connection.hpp"

#include <algorithm>
#include <cstring>

namespace rf::session {

namespace asio = boost::asio;

namespace {
// The read buffer starts at one standard-size message and doubles while reads fill it (a peer sending
// its table: fewer, larger reads), up to kMaxReadBuffer; it goes back to kInitialReadBuffer when a short
// read leaves nothing buffered (an idle or lightly loaded session: keepalives, churn), so 64 idle
// sessions hold 256 KiB instead of 8 MiB. A message longer than the buffer (RFC 8654 extended messages,
// up to 65,535 bytes) fills it, so the doubling reaches its size.
constexpr std::size_t kInitialReadBuffer = bgp::kMaxMessageSize;
constexpr std::size_t kMaxReadBuffer = 64 * 1024 + bgp::kMaxExtendedMessageSize;
constexpr std::size_t kMaxGather = 64;  // buffers per scatter-gather write

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, bool outbound)
    : socket_(std::move(socket)), linger_timer_(socket_.get_executor()), outbound_(outbound) {
    boost::system::error_code ec;
    auto r = socket_.remote_endpoint(ec);
    if (!ec) {
        remote_ = endpoint_text(r);
    }
    auto l = socket_.local_endpoint(ec);
    if (!ec) {
        local_ = endpoint_text(l);
    }
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

Connection::~Connection() {
    boost::system::error_code ec;
    socket_.close(ec);
}

void Connection::start(Callbacks callbacks) {
    callbacks_ = std::move(callbacks);
    in_.resize(kInitialReadBuffer);
    read_more();
}

void Connection::detach() {
    callbacks_ = {};
}

void Connection::read_more() {
    if (reading_ || closing_ || !socket_.is_open()) {
        return;
    }
    if (in_end_ == in_.size()) {  // never read into no space (process() compacts, so rarely needed)
        in_.resize(in_.size() + kInitialReadBuffer);
    }
    reading_ = true;
    const std::size_t space = in_.size() - in_end_;
    socket_.async_read_some(
        asio::buffer(in_.data() + in_end_, space),
        [self = shared_from_this(), space](const boost::system::error_code& ec, std::size_t n) {
            self->reading_ = false;
            if (ec) {
                self->fail(ec == asio::error::eof ? "connection closed by peer" : ec.message());
                return;
            }
            self->read_at_ = std::chrono::steady_clock::now();
            self->in_end_ += n;
            self->last_read_ = n;
            self->last_read_filled_ = n == space;
            self->process();
        });
}

void Connection::process() {
    auto self = shared_from_this();  // a callback may drop the session's reference
    bool delivered = false;
    while (callbacks_.on_message && in_end_ - in_begin_ >= bgp::kHeaderSize) {
        const std::span<const std::uint8_t> avail(in_.data() + in_begin_, in_end_ - in_begin_);
        auto header = bgp::decode_header(avail.first(bgp::kHeaderSize), options_);
        if (!header) {
            auto cb = callbacks_.on_framing_error;
            callbacks_ = {};
            if (cb) {
                cb(header.error());
            }
            return;
        }
        if (avail.size() < header->length) {
            break;
        }
        in_begin_ += header->length;
        delivered = true;
        if (!callbacks_.on_message(avail.first(header->length), header->type)) {
            break;
        }
    }
    if (delivered && callbacks_.on_batch_end) {
        callbacks_.on_batch_end();
    }
    if (!callbacks_.on_message) {
        return;  // detached: stop reading
    }
    // Compact: keep the partial message at the front of the buffer.
    if (in_begin_ > 0) {
        std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
        in_end_ -= in_begin_;
        in_begin_ = 0;
    }
    if (last_read_filled_ && in_.size() < kMaxReadBuffer) {
        in_.resize(std::min(in_.size() * 2, kMaxReadBuffer));
    } else if (in_end_ == 0 && last_read_ < kInitialReadBuffer / 2 && in_.size() > kInitialReadBuffer) {
        in_ = std::vector<std::uint8_t>(kInitialReadBuffer);  // releases the large block
    }
    read_more();
}

void Connection::send(bgp::SharedMessage message) {
    if (closing_ || !socket_.is_open() || !message || message->empty()) {
        return;
    }
    queued_bytes_ += message->size();
    out_.push_back(std::move(message));
    write_more();
}

void Connection::discard_queued() {
    out_.clear();
    std::size_t in_flight = 0;
    for (const auto& m : in_flight_) {
        in_flight += m->size();
    }
    queued_bytes_ = writing_ ? in_flight : 0;
}

void Connection::send(std::vector<std::uint8_t> bytes) {
    send(std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes)));
}

void Connection::write_more() {
    if (writing_ || out_.empty() || !socket_.is_open()) {
        return;
    }
    in_flight_.clear();
    std::vector<asio::const_buffer> buffers;
    while (!out_.empty() && in_flight_.size() < kMaxGather) {
        buffers.emplace_back(out_.front()->data(), out_.front()->size());
        in_flight_.push_back(std::move(out_.front()));
        out_.pop_front();
    }
    writing_ = true;
    asio::async_write(socket_, buffers,
                      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                          self->writing_ = false;
                          self->queued_bytes_ -= std::min(self->queued_bytes_, n);
                          self->in_flight_.clear();
                          if (ec) {
                              self->out_.clear();
                              self->queued_bytes_ = 0;
                              self->fail("write failed: " + ec.message());
                              return;
                          }
                          if (!self->out_.empty()) {
                              self->write_more();
                          } else if (self->closing_) {
                              boost::system::error_code ignored;
                              self->socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
                              self->socket_.close(ignored);
                              self->linger_timer_.cancel();
                          }
                      });
}

void Connection::close_after_flush(std::chrono::milliseconds linger) {
    callbacks_ = {};
    if (closing_) {
        return;
    }
    closing_ = true;
    if (!writing_ && out_.empty()) {
        close();
        return;
    }
    linger_timer_.expires_after(linger);
    linger_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) {
            self->close();
        }
    });
}

void Connection::close() {
    callbacks_ = {};
    closing_ = true;
    boost::system::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    linger_timer_.cancel();
}

void Connection::fail(const std::string& why) {
    auto cb = callbacks_.on_closed;
    callbacks_ = {};
    boost::system::error_code ec;
    socket_.close(ec);
    linger_timer_.cancel();
    if (cb) {
        cb(why);
    }
}

}  // namespace rf::session
