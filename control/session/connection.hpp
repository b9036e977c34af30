// One BGP TCP connection on Boost.Asio: frames the byte stream into messages with codec::decode_header
// and writes queued messages in order with scatter-gather writes. Knows nothing of the FSM: the session
// gives it callbacks and detaches them when it lets go of the connection, so late completions are
// harmless. Single-threaded: every call and callback runs on the io_context thread.
#pragma once

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
// clang-format on
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "control/codec/codec.hpp"
#include "control/codec/shared_message.hpp"

namespace rf::session {

class Connection : public std::enable_shared_from_this<Connection> {
public:
    struct Callbacks {
        // Whole messages (header included) that arrived in one read, in order. Return false to stop
        // delivering the rest (the session closed the connection).
        std::function<bool(std::span<const std::uint8_t> message, bgp::MessageType type)> on_message;
        std::function<void()> on_batch_end;                           // after the messages of one read
        std::function<void(const bgp::WireError&)> on_framing_error;  // bad marker/length/type
        std::function<void(const std::string&)> on_closed;            // EOF, reset, write error
    };

    Connection(boost::asio::ip::tcp::socket socket, bool outbound);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start(Callbacks callbacks);
    // Stops callbacks; pending writes still complete (so a final NOTIFICATION goes out).
    void detach();

    void send(bgp::SharedMessage message);
    void send(std::vector<std::uint8_t> bytes);
    // Drops the messages queued but not yet handed to the socket (the write in progress completes), so
    // that a message sent next (a final NOTIFICATION) follows right after it.
    void discard_queued();
    // Sends what is queued, then closes (bounded: at most `linger` later). Callbacks are detached.
    void close_after_flush(std::chrono::milliseconds linger = std::chrono::milliseconds(2000));
    void close();  // at once

    void set_codec_options(const bgp::CodecOptions& options) { options_ = options; }
    [[nodiscard]] bool outbound() const { return outbound_; }
    [[nodiscard]] bool open() const { return socket_.is_open(); }
    [[nodiscard]] std::size_t queued_bytes() const { return queued_bytes_; }
    [[nodiscard]] std::string remote() const { return remote_; }
    // When the read that delivered the messages being processed completed (steady clock): an UPDATE's
    // arrival, for convergence measurements.
    [[nodiscard]] std::chrono::steady_clock::time_point read_at() const { return read_at_; }
    [[nodiscard]] std::string local() const { return local_; }
    [[nodiscard]] boost::asio::ip::tcp::socket& socket() { return socket_; }
    // Bytes of the read buffer now (it grows with bulk input and shrinks when the session is quiet).
    [[nodiscard]] std::size_t read_buffer_bytes() const { return in_.size(); }

private:
    void read_more();
    void process();
    void write_more();
    void fail(const std::string& why);

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer linger_timer_;
    bool outbound_;
    bool reading_ = false;
    bool writing_ = false;
    bool closing_ = false;
    Callbacks callbacks_;
    bgp::CodecOptions options_;
    std::vector<std::uint8_t> in_;
    std::size_t in_begin_ = 0;
    std::size_t in_end_ = 0;
    std::size_t last_read_ = 0;                        // bytes of the last completed read
    std::chrono::steady_clock::time_point read_at_{};  // when the last read completed
    bool last_read_filled_ = false;                    // it filled all the space it was given
    std::deque<bgp::SharedMessage> out_;
    std::vector<bgp::SharedMessage> in_flight_;
    std::size_t queued_bytes_ = 0;
    std::string remote_;
    std::string local_;
};

}  // namespace rf::session
