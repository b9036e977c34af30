#include "tests/control/session/support/raw_peer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace rf::testing {

namespace {
// IPv4 or IPv6 (an address with a ':'), with its length for bind/connect.
struct SockAddr {
    sockaddr_storage storage{};
    socklen_t len = 0;
    int family = AF_INET;
    sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};
SockAddr make_addr(const std::string& a, std::uint16_t port) {
    SockAddr out;
    if (a.find(':') != std::string::npos) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        ::inet_pton(AF_INET6, a.c_str(), &sin6->sin6_addr);
        out.len = sizeof(sockaddr_in6);
        out.family = AF_INET6;
    } else {
        auto* sin = reinterpret_cast<sockaddr_in*>(&out.storage);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        ::inet_pton(AF_INET, a.c_str(), &sin->sin_addr);
        out.len = sizeof(sockaddr_in);
    }
    return out;
}
}  // namespace

RawPeer::~RawPeer() {
    close();
}

void RawPeer::close() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

bool RawPeer::connect(const std::string& local, const std::string& remote, std::uint16_t port,
                      std::chrono::milliseconds timeout) {
    close();
    buf_.clear();
    auto l = make_addr(local, 0);
    fd_ = ::socket(l.family, SOCK_STREAM, 0);
    if (receive_buffer_ > 0) {  // before connect: the window the peer sees is sized from it
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_, sizeof receive_buffer_);
    }
    if (::bind(fd_, l.get(), l.len) != 0) {
        return false;
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    auto r = make_addr(remote, port);
    if (::connect(fd_, r.get(), r.len) != 0 && errno != EINPROGRESS) {
        return false;
    }
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
        return false;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    return err == 0;
}

bool RawPeer::set_ttl(int ttl) {
    return ::setsockopt(fd_, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) == 0;
}

int RawPeer::listen_on(const std::string& local, std::uint16_t port) {
    auto a = make_addr(local, port);
    const int fd = ::socket(a.family, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a.get(), a.len) != 0 || ::listen(fd, 4) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool RawPeer::accept_from(int listen_fd, std::chrono::milliseconds timeout) {
    close();
    pollfd p{listen_fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
        return false;
    }
    fd_ = ::accept(listen_fd, nullptr, nullptr);
    if (fd_ >= 0) {
        ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    }
    return fd_ >= 0;
}

bool RawPeer::send(const std::vector<std::uint8_t>& bytes) {
    std::size_t off = 0;
    for (int guard = 0; off < bytes.size() && guard < 1000; ++guard) {
        const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += static_cast<std::size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd_, POLLOUT, 0};
            ::poll(&p, 1, 100);
        } else {
            return false;
        }
    }
    return off == bytes.size();
}

std::optional<std::vector<std::uint8_t>> RawPeer::receive(std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (buf_.size() >= bgp::kHeaderSize) {
            const std::size_t len = (static_cast<std::size_t>(buf_[16]) << 8) | buf_[17];
            if (len >= bgp::kHeaderSize && buf_.size() >= len) {
                std::vector<std::uint8_t> m(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(len));
                buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(len));
                note(m);
                return m;
            }
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0 || fd_ < 0) {
            return std::nullopt;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) != 1) {
            return std::nullopt;
        }
        std::uint8_t tmp[65536];
        const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            return std::nullopt;  // closed
        }
        buf_.insert(buf_.end(), tmp, tmp + n);
    }
}

void RawPeer::note(const std::vector<std::uint8_t>& m) {
    if (m.size() > 18 && m[18] == static_cast<std::uint8_t>(bgp::MessageType::Update)) {
        ++update_messages;
        if (!record_updates) {
            return;
        }
        auto u = bgp::decode_update(m, codec);
        if (u) {
            updates.push_back(u->update);
        }
    }
    if (m.size() > 18 && m[18] == static_cast<std::uint8_t>(bgp::MessageType::RouteRefresh)) {
        auto d = bgp::decode_message(m, codec);
        if (d) {
            if (auto* rr = std::get_if<bgp::RouteRefresh>(&*d)) {
                route_refreshes.push_back(*rr);
            }
        }
    }
}

bool RawPeer::has_withdrawn(const std::string& prefix) const {
    for (const auto& u : updates) {
        for (const auto& w : u.withdrawn) {
            if (w.prefix.to_string() == prefix) {
                return true;
            }
        }
    }
    return false;
}

bool RawPeer::has_announced(const std::string& prefix) const {
    const auto p = net::Prefix::parse(prefix);
    bool present = false;
    for (const auto& u : updates) {  // the last mention wins
        for (const auto& n : u.withdrawn) {
            present = present && !(n.prefix == *p);
        }
        if (u.mp_unreach) {
            for (const auto& n : u.mp_unreach->withdrawn) {
                present = present && !(n.prefix == *p);
            }
        }
        for (const auto& n : u.nlri) {
            present = present || n.prefix == *p;
        }
        if (u.mp_reach) {
            for (const auto& n : u.mp_reach->nlri) {
                present = present || n.prefix == *p;
            }
        }
    }
    return present;
}

std::size_t RawPeer::drain(std::chrono::milliseconds quiet) {
    std::size_t n = 0;
    for (int guard = 0; guard < 1000000 && receive(quiet); ++guard) {
        ++n;
    }
    return n;
}

std::optional<bgp::Notification> RawPeer::await_notification(std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (int guard = 0; guard < 100000; ++guard) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return std::nullopt;
        }
        auto m = receive(left);
        if (!m) {
            return std::nullopt;
        }
        if ((*m)[18] == static_cast<std::uint8_t>(bgp::MessageType::Notification)) {
            bgp::CodecOptions o;
            auto d = bgp::decode_message(*m, o);
            if (d) {
                if (auto* n = std::get_if<bgp::Notification>(&*d)) {
                    return *n;
                }
            }
            bgp::Notification raw;
            raw.code = (*m)[19];
            raw.subcode = m->size() > 20 ? (*m)[20] : 0;
            return raw;
        }
    }
    return std::nullopt;
}

bool RawPeer::await_close(std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (int guard = 0; guard < 100000; ++guard) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return false;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) != 1) {
            return false;
        }
        std::uint8_t tmp[65536];
        const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            return true;
        }
    }
    return false;
}

std::vector<std::uint8_t> RawPeer::open_message(std::uint32_t asn, const std::string& router_id,
                                                std::uint16_t hold, std::uint8_t version) {
    bgp::Open o;
    o.version = version;
    o.my_as = asn > 0xFFFF ? bgp::kAsTrans : static_cast<std::uint16_t>(asn);
    o.hold_time = hold;
    o.bgp_identifier = *net::Ipv4Address::parse(router_id);
    o.capabilities.multiprotocol.push_back({net::Afi::Ipv4, net::Safi::Unicast});
    o.capabilities.four_octet_as = asn;
    o.capabilities.route_refresh = true;
    std::vector<std::uint8_t> out;
    bgp::encode_open(o, out);
    return out;
}

bgp::Open RawPeer::dual_stack_open(std::uint32_t asn, const char* router_id) {
    bgp::Open o;
    o.my_as = static_cast<std::uint16_t>(asn);
    o.hold_time = 90;
    o.bgp_identifier = *net::Ipv4Address::parse(router_id);
    o.capabilities.multiprotocol = {{net::Afi::Ipv4, net::Safi::Unicast},
                                    {net::Afi::Ipv6, net::Safi::Unicast}};
    o.capabilities.route_refresh = true;
    o.capabilities.four_octet_as = asn;
    return o;
}

std::vector<std::uint8_t> RawPeer::open_message(const bgp::Open& open) {
    std::vector<std::uint8_t> out;
    bgp::encode_open(open, out);
    return out;
}

std::vector<std::uint8_t> RawPeer::keepalive() {
    std::vector<std::uint8_t> out;
    bgp::encode_keepalive(out);
    return out;
}

bool RawPeer::handshake(std::uint32_t asn, const std::string& router_id, std::uint16_t hold) {
    bgp::Open o;
    o.my_as = asn > 0xFFFF ? bgp::kAsTrans : static_cast<std::uint16_t>(asn);
    o.hold_time = hold;
    o.bgp_identifier = *net::Ipv4Address::parse(router_id);
    o.capabilities = capabilities;
    o.capabilities.four_octet_as = asn;
    return handshake(o);
}

bool RawPeer::handshake(const bgp::Open& open) {
    if (!send(open_message(open))) {
        return false;
    }
    auto m = receive();
    if (!m || (*m)[18] != static_cast<std::uint8_t>(bgp::MessageType::Open)) {
        return false;
    }
    if (auto o = bgp::decode_open(*m)) {
        remote_open = *o;
        codec = bgp::negotiate(open, *o);
    }
    if (!send(keepalive())) {
        return false;
    }
    m = receive();
    return m && (*m)[18] == static_cast<std::uint8_t>(bgp::MessageType::Keepalive);
}

bool RawPeer::announce(const std::vector<std::string>& prefixes, const std::string& next_hop,
                       std::vector<std::uint32_t> as_path, std::vector<std::uint32_t> communities) {
    bgp::Update u;
    u.attributes.origin = bgp::Origin::Igp;
    bgp::AsPath path;
    path.segments.push_back({bgp::AsSegmentType::Sequence, {as_path.begin(), as_path.end()}});
    u.attributes.as_path = path;
    u.attributes.next_hop = *net::Ipv4Address::parse(next_hop);
    u.attributes.communities.assign(communities.begin(), communities.end());
    for (const auto& p : prefixes) {
        u.nlri.push_back({*net::Prefix::parse(p), 0});
    }
    bgp::CodecOptions o;
    o.extended_message = codec.extended_message;  // up to 65,535 octets where negotiated (RFC 8654)
    std::vector<std::uint8_t> out;
    if (!bgp::encode_update(u, o, out)) {
        return false;
    }
    return send(out);
}

bool RawPeer::withdraw(const std::vector<std::string>& prefixes) {
    bgp::Update u;
    for (const auto& p : prefixes) {
        u.withdrawn.push_back({*net::Prefix::parse(p), 0});
    }
    std::vector<std::uint8_t> out;
    return bgp::encode_update(u, bgp::CodecOptions{}, out) && send(out);
}

bool RawPeer::send_route_refresh(bgp::AfiSafi family, std::uint8_t subtype) {
    std::vector<std::uint8_t> out;
    bgp::encode_route_refresh(bgp::RouteRefresh{family, subtype}, out);
    return send(out);
}

}  // namespace rf::testing
