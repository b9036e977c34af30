// A scripted BGP speaker over a blocking socket, for malformed-input tests: it sends exactly the bytes
// the test gives it and reads whole messages back with a timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/codec/codec.hpp"

namespace rf::testing {

class RawPeer {
public:
    RawPeer() = default;
    ~RawPeer();
    RawPeer(const RawPeer&) = delete;
    RawPeer& operator=(const RawPeer&) = delete;

    // Connects from `local` to `remote`:`port` (bounded by `timeout`); IPv4 or IPv6 addresses.
    bool connect(const std::string& local, const std::string& remote, std::uint16_t port,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
    void close();
    // IP TTL of the packets this peer sends (call after connect).
    bool set_ttl(int ttl);

    // Passive side: a listening socket on `local`:`port` (returns the fd, -1 on failure), and accepting
    // one connection from it into this peer (bounded by `timeout`).
    static int listen_on(const std::string& local, std::uint16_t port);
    bool accept_from(int listen_fd, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

    bool send(const std::vector<std::uint8_t>& bytes);
    // The next whole message, or nullopt on timeout / close.
    std::optional<std::vector<std::uint8_t>> receive(
        std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
    // Reads messages until a NOTIFICATION arrives (returned) or the timeout / close.
    std::optional<bgp::Notification> await_notification(
        std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
    // True when the remote side closed the connection within `timeout` (reads and discards messages).
    bool await_close(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

    // OPEN → OPEN, KEEPALIVE → KEEPALIVE. Returns false if the route server did not establish. The first
    // form sends `capabilities` (4-octet AS set from `asn`); afterwards `codec` holds what was negotiated.
    bool handshake(std::uint32_t asn, const std::string& router_id, std::uint16_t hold = 90);
    bool handshake(const bgp::Open& open);
    // Reads and records messages until none arrives for `quiet`; returns how many.
    std::size_t drain(std::chrono::milliseconds quiet = std::chrono::milliseconds(300));
    // The received UPDATEs (so far) leave `prefix` announced (IPv4 NLRI or MP_REACH).
    [[nodiscard]] bool has_announced(const std::string& prefix) const;
    // Some UPDATE received so far withdrew `prefix` (IPv4 withdrawn routes field).
    [[nodiscard]] bool has_withdrawn(const std::string& prefix) const;
    // SO_RCVBUF for the next connect() (0: the system default). A small one makes a slow reader.
    void set_receive_buffer(int bytes) { receive_buffer_ = bytes; }

    // What handshake(asn, …) offers: IPv4 unicast, route refresh (clear it for a peer without).
    bgp::Capabilities capabilities = [] {
        bgp::Capabilities c;
        c.multiprotocol.push_back({net::Afi::Ipv4, net::Safi::Unicast});
        c.route_refresh = true;
        return c;
    }();
    bgp::CodecOptions codec;                         // negotiated by the last handshake
    std::vector<bgp::RouteRefresh> route_refreshes;  // ROUTE-REFRESH messages received
    std::size_t update_messages = 0;                 // UPDATEs received (recorded or not)
    bool record_updates = true;                      // false: count UPDATEs only (a fast reader)
    // Sends an UPDATE announcing `prefixes` with AS_PATH = asn (+ extra), NEXT_HOP = next_hop; longer than
    // 4,096 octets only where extended messages were negotiated (false otherwise).
    bool announce(const std::vector<std::string>& prefixes, const std::string& next_hop,
                  std::vector<std::uint32_t> as_path, std::vector<std::uint32_t> communities = {});
    // Sends an UPDATE withdrawing `prefixes` (IPv4 withdrawn routes field).
    bool withdraw(const std::vector<std::string>& prefixes);
    // Sends ROUTE-REFRESH for `family` with `subtype` (RFC 7313: 0 request, 1 BoRR, 2 EoRR).
    bool send_route_refresh(bgp::AfiSafi family, std::uint8_t subtype = bgp::refresh_subtype::Normal);
    // Received UPDATEs so far (decoded), collected by receive()/await_*.
    std::vector<bgp::Update> updates;
    bgp::Open remote_open;

    static std::vector<std::uint8_t> open_message(std::uint32_t asn, const std::string& router_id,
                                                  std::uint16_t hold, std::uint8_t version = 4);
    static std::vector<std::uint8_t> open_message(const bgp::Open& open);
    // An OPEN for IPv4 and IPv6 unicast (multiprotocol), ROUTE-REFRESH and four-octet AS, hold time 90.
    static bgp::Open dual_stack_open(std::uint32_t asn, const char* router_id);
    static std::vector<std::uint8_t> keepalive();

private:
    void note(const std::vector<std::uint8_t>& m);
    int fd_ = -1;
    int receive_buffer_ = 0;
    std::vector<std::uint8_t> buf_;
};

}  // namespace rf::testing
