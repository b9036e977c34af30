// Connection's read buffer over real TCP on loopback: it starts at one standard-size message (4 KiB),
// grows for an RFC 8654 extended message (65,535 bytes, delivered intact) and for bulk input, and goes
// back to 4 KiB when a short read leaves nothing buffered. Bounded in time (5 s per wait).
#include "control/session/connection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace rf::session {
namespace {

namespace asio = boost::asio;

std::vector<std::uint8_t> message(std::size_t length, std::uint8_t type) {
    std::vector<std::uint8_t> m(length, 0);
    for (std::size_t i = 0; i < 16; ++i) {
        m[i] = 0xFF;
    }
    m[16] = static_cast<std::uint8_t>(length >> 8);
    m[17] = static_cast<std::uint8_t>(length);
    m[18] = type;
    for (std::size_t i = bgp::kHeaderSize; i < length; ++i) {
        m[i] = static_cast<std::uint8_t>(i * 7);
    }
    return m;
}

class ConnectionReadBuffer : public ::testing::Test {
protected:
    void SetUp() override {
        asio::ip::tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
        client_.connect(acceptor.local_endpoint());
        asio::ip::tcp::socket server(io_);
        acceptor.accept(server);
        conn_ = std::make_shared<Connection>(std::move(server), false);
        bgp::CodecOptions options;
        options.extended_message = true;
        conn_->set_codec_options(options);
        Connection::Callbacks cb;
        cb.on_message = [this](std::span<const std::uint8_t> m, bgp::MessageType) {
            received_.emplace_back(m.begin(), m.end());
            largest_buffer_at_delivery_ = std::max(largest_buffer_at_delivery_, conn_->read_buffer_bytes());
            return true;
        };
        cb.on_framing_error = [this](const bgp::WireError&) { failed_ = true; };
        cb.on_closed = [this](const std::string&) { failed_ = true; };
        conn_->start(std::move(cb));
    }
    void TearDown() override { conn_->close(); }

    void send(const std::vector<std::uint8_t>& bytes) {
        asio::async_write(client_, asio::buffer(bytes), [](const boost::system::error_code&, std::size_t) {});
    }
    // Runs the io_context until `done` or 5 s.
    bool run_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!done() && !failed_ && std::chrono::steady_clock::now() < deadline) {
            io_.run_for(std::chrono::milliseconds(10));
            io_.restart();
        }
        return done();
    }

    asio::io_context io_;
    asio::ip::tcp::socket client_{io_};
    std::shared_ptr<Connection> conn_;
    std::vector<std::vector<std::uint8_t>> received_;
    std::size_t largest_buffer_at_delivery_ = 0;
    bool failed_ = false;
};

TEST_F(ConnectionReadBuffer, StartsAtOneMessageGrowsForLargeInputAndShrinksWhenQuiet) {
    constexpr std::size_t kKeepalive = bgp::kHeaderSize;
    EXPECT_EQ(conn_->read_buffer_bytes(), bgp::kMaxMessageSize);

    const auto keepalive = message(kKeepalive, 4);
    send(keepalive);
    ASSERT_TRUE(run_until([&] { return received_.size() == 1; }));
    EXPECT_EQ(conn_->read_buffer_bytes(), bgp::kMaxMessageSize);

    // One extended message: 16 times the initial buffer, delivered whole and byte for byte.
    const auto big = message(bgp::kMaxExtendedMessageSize, 2);
    send(big);
    ASSERT_TRUE(run_until([&] { return received_.size() == 2; }));
    EXPECT_EQ(received_[1], big);
    EXPECT_GE(largest_buffer_at_delivery_, bgp::kMaxExtendedMessageSize);

    // Bulk: 3,000 messages of 100 bytes in one write (300 KB), all delivered in order.
    std::vector<std::uint8_t> bulk;
    for (std::size_t i = 0; i < 3000; ++i) {
        auto m = message(100, 2);
        m[bgp::kHeaderSize] = static_cast<std::uint8_t>(i);
        bulk.insert(bulk.end(), m.begin(), m.end());
    }
    send(bulk);
    ASSERT_TRUE(run_until([&] { return received_.size() == 3002; }));
    for (std::size_t i = 0; i < 3000; ++i) {
        ASSERT_EQ(received_[2 + i].size(), 100U);
        ASSERT_EQ(received_[2 + i][bgp::kHeaderSize], static_cast<std::uint8_t>(i)) << i;
    }

    // Quiet again: a lone keepalive is a short read that leaves nothing buffered.
    send(keepalive);
    ASSERT_TRUE(run_until([&] { return received_.size() == 3003; }));
    EXPECT_EQ(received_.back(), keepalive);
    EXPECT_EQ(conn_->read_buffer_bytes(), bgp::kMaxMessageSize);
    EXPECT_FALSE(failed_);
}

}  // namespace
}  // namespace rf::session
