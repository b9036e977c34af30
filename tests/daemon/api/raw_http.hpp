// A client socket for the REST API tests that sends exactly the bytes a test gives it (malformed
// requests, over-long headers, nothing at all) and reads what the server answers until it closes, every
// wait bounded.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace rf::api::testing {

class RawHttpClient {
public:
    RawHttpClient() = default;
    ~RawHttpClient() { close(); }
    RawHttpClient(const RawHttpClient&) = delete;
    RawHttpClient& operator=(const RawHttpClient&) = delete;

    // Creates the socket now (connect() then needs no new descriptor).
    bool open_socket() {
        if (fd_ < 0) {
            fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        }
        return fd_ >= 0;
    }

    // Connects to 127.0.0.1:`port` (the kernel completes it before the server accepts).
    bool connect(std::uint16_t port) {
        if (!open_socket()) {
            return false;
        }
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return ::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    }

    // Sends all of `bytes`; false if the server closed or reset first.
    bool send(const std::string& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }

    // Everything the server sends until it closes the connection, or until `timeout` passes (then
    // `closed` stays false).
    std::string read_until_close(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::string out;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        closed = false;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) {
                continue;
            }
            char buf[4096];
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {  // EOF, or a reset after the response
                closed = true;
                break;
            }
            out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }

    // One whole response (header and a Content-Length body) on a connection kept open, or what arrived
    // before `timeout` / the close.
    std::string read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::string out;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto end = out.find("\r\n\r\n");
            if (end != std::string::npos) {
                const auto at = out.find("Content-Length: ");
                const std::size_t body = at == std::string::npos ? 0 : std::stoul(out.substr(at + 16));
                if (out.size() >= end + 4 + body) {
                    break;
                }
            }
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) {
                continue;
            }
            char buf[4096];
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {
                closed = true;
                break;
            }
            out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }

    // True when nothing has arrived and the connection is still open after `wait`.
    bool quiet_for(std::chrono::milliseconds wait) {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, static_cast<int>(wait.count())) == 0;
    }

    void close() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

    bool closed = false;

private:
    int fd_ = -1;
};

// The status code of an HTTP/1.1 response ("HTTP/1.1 431 ..." → 431), 0 if there is none.
inline unsigned status_of(const std::string& response) {
    if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) {
        return 0;
    }
    return static_cast<unsigned>(std::stoul(response.substr(9, 3)));
}

}  // namespace rf::api::testing
