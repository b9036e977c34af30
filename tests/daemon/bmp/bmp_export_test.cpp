// BMP export of routefabricd against a test collector on loopback (a TCP listener in the test): real BGP
// sessions from raw peers, the stream checked with Wireshark's BMP dissector (Debian's tshark, on a pcap
// the test writes from the received bytes) and with our own decoder; a collector that stalls leaves the
// BGP sessions and the RIB alone, its session is reset once the bound is passed, and it is resynchronised
// when it reads again; a collector that restarts is resynchronised. Skips without routefabricd or tshark.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "control/bmp/bmp.hpp"
#include "control/codec/codec.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"
#include "tests/support/tshark.hpp"

namespace rf::testing {
namespace {

using Json = nlohmann::json;

// A BMP station: accepts the daemon's connections one after the other and keeps each one's bytes. While
// `reading` is false it accepts but never reads (a stalled station with a small receive buffer).
class TestCollector {
public:
    TestCollector(const std::string& address, std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        const int small = 4096;  // inherited by accepted sockets: a stalled station's window stays small
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
        ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0 && ::listen(fd_, 4) == 0;
        thread_ = std::thread([this] { run(); });
    }
    ~TestCollector() { stop(); }
    TestCollector(const TestCollector&) = delete;
    TestCollector& operator=(const TestCollector&) = delete;

    void stop() {
        stopping_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        if (const int c = conn_.exchange(-1); c >= 0) {
            ::shutdown(c, SHUT_RDWR);
        }
        if (thread_.joinable()) {
            thread_.join();
        }
        ::close(fd_);
    }
    // Closes the connection in progress (a station restart); the next one is a new stream.
    void drop_connection() {
        if (const int c = conn_.load(); c >= 0) {
            ::shutdown(c, SHUT_RDWR);
        }
    }

    [[nodiscard]] bool ok() const { return ok_; }
    std::atomic<bool> reading{true};

    [[nodiscard]] std::vector<std::vector<std::uint8_t>> streams() const {
        std::lock_guard lock(mutex_);
        return streams_;
    }
    [[nodiscard]] std::size_t connections() const {
        std::lock_guard lock(mutex_);
        return streams_.size();
    }

private:
    void run() {
        while (!stopping_) {
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) {
                return;
            }
            {
                std::lock_guard lock(mutex_);
                streams_.emplace_back();
            }
            conn_ = c;
            std::vector<std::uint8_t> buf(65536);
            while (!stopping_) {
                if (!reading) {
                    std::this_thread::sleep_for(20ms);
                    continue;
                }
                const ssize_t n = ::read(c, buf.data(), buf.size());
                if (n <= 0) {
                    break;
                }
                std::lock_guard lock(mutex_);
                streams_.back().insert(streams_.back().end(), buf.begin(), buf.begin() + n);
            }
            conn_ = -1;
            ::close(c);
        }
    }

    int fd_ = -1;
    bool ok_ = false;
    std::atomic<bool> stopping_{false};
    std::atomic<int> conn_{-1};
    mutable std::mutex mutex_;
    std::vector<std::vector<std::uint8_t>> streams_;
    std::thread thread_;
};

// What a stream says, from our own walk over it: message types in order, and per table the prefixes its
// Route Monitoring messages announced (last word wins: a withdrawal removes).
struct Seen {
    std::vector<bmp::MessageType> types;
    std::set<std::string> pre;
    std::set<std::string> post;
    std::set<std::string> loc;
    std::size_t end_of_ribs = 0;
    std::size_t peer_downs = 0;
    std::vector<std::uint8_t> down_reasons;
};

Seen walk(const std::vector<std::uint8_t>& s) {
    Seen seen;
    bgp::CodecOptions codec;
    codec.four_octet_as = true;
    codec.extended_message = true;
    for (std::size_t at = 0; at < s.size();) {
        const auto h = bmp::decode_header(std::span(s).subspan(at));
        if (!h || h->length < bmp::kCommonHeaderSize || at + h->length > s.size()) {
            break;  // a partial message at the end of what was read
        }
        const auto msg = std::span(s).subspan(at, h->length);
        seen.types.push_back(h->type);
        if (h->type == bmp::MessageType::PeerDown) {
            seen.down_reasons.push_back(msg[bmp::kCommonHeaderSize + bmp::kPerPeerHeaderSize]);
        }
        if (h->type == bmp::MessageType::RouteMonitoring) {
            const std::uint8_t type = msg[6];
            const std::uint8_t flags = msg[7];
            std::set<std::string>& table =
                type == 3 ? seen.loc : ((flags & bmp::kFlagPostPolicy) != 0 ? seen.post : seen.pre);
            bgp::CodecOptions c = codec;
            c.four_octet_as = (flags & bmp::kFlagAs2) == 0 || type == 3;
            const auto d =
                bgp::decode_update(msg.subspan(bmp::kCommonHeaderSize + bmp::kPerPeerHeaderSize), c);
            if (d) {
                const bgp::Update& u = d->update;
                if (u.is_end_of_rib()) {
                    ++seen.end_of_ribs;
                }
                for (const auto& n : u.withdrawn) {
                    table.erase(n.prefix.to_string());
                }
                if (u.mp_unreach) {
                    for (const auto& n : u.mp_unreach->withdrawn) {
                        table.erase(n.prefix.to_string());
                    }
                }
                for (const auto& n : u.nlri) {
                    table.insert(n.prefix.to_string());
                }
                if (u.mp_reach) {
                    for (const auto& n : u.mp_reach->nlri) {
                        table.insert(n.prefix.to_string());
                    }
                }
            }
        }
        at += h->length;
    }
    return seen;
}

std::size_t count(const Seen& s, bmp::MessageType t) {
    return static_cast<std::size_t>(std::count(s.types.begin(), s.types.end(), t));
}

class BmpExport : public ::testing::Test {
protected:
    void SetUp() override {
        if (const std::string why = daemon_binaries_missing(); !why.empty()) {
            GTEST_SKIP() << why;
        }
        if (!have_executable("/usr/bin/tshark")) {
            GTEST_SKIP() << "tshark not installed (scripts/setup.sh)";
        }
        ASSERT_TRUE(collector_.ok());
    }

    std::string config_text(const std::string& buffer_bytes, const std::string& stats_interval,
                            bool with_bmp) {
        std::string peers;
        for (int host : {61, 62}) {
            peers += "  - {name: nva" + std::to_string(host) + ", address: " + loopback(host) +
                     ", asn: " + std::to_string(65000 + host) + ", route_limit: 0}\n";
        }
        std::string text = "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs_ +
                           "]\n  port: " + std::to_string(port_) + "\npeers:\n" + peers +
                           "api:\n  port: " + std::to_string(api_) + "\n";
        if (with_bmp) {
            text +=
                "bmp:\n  sys_name: rs-under-test\n  collectors:\n    - name: station\n      address: " +
                station_ + "\n      port: " + std::to_string(station_port_) +
                "\n      route_monitoring: [pre-policy, post-policy, loc-rib]\n      statistics_interval: " +
                stats_interval + "\n      buffer_bytes: " + buffer_bytes +
                "\n      connect_retry: 1\n      connect_retry_max: 2\n";
        }
        return text;
    }

    void start(const std::string& buffer_bytes, const std::string& stats_interval, bool with_bmp = true) {
        write_file(dir_.file("rf.yaml"), config_text(buffer_bytes, stats_interval, with_bmp));
        ASSERT_TRUE(start_routefabricd(daemon_, dir_.file("rf.yaml"), dir_.file("rf.log"), {"--no-fib"}));
    }

    void bring_up(RawPeer& peer, int host) {
        ASSERT_TRUE(wait_until([&] { return peer.connect(loopback(host), rs_, port_, 500ms); }, 10s, 100ms))
            << log();
        ASSERT_TRUE(peer.handshake(
            RawPeer::dual_stack_open(65000 + host, ("10.0.0." + std::to_string(host)).c_str())));
    }

    Json bmp_status() { return Json::parse(rfctl_.json({"bmp", "list"})); }
    std::string log() const { return read_file(dir_.file("rf.log")); }

    TempDir dir_{"rf-bmp"};
    const std::string rs_ = loopback(60);
    const std::string station_ = loopback(69);
    const std::uint16_t port_ = free_port(rs_);
    const std::uint16_t station_port_ = free_port(station_);
    const std::uint16_t api_ = free_port("127.0.0.1");
    const Rfctl rfctl_{"http://127.0.0.1:" + std::to_string(api_)};
    TestCollector collector_{station_, station_port_};
    Process daemon_;
};

TEST_F(BmpExport, TsharkDecodesPeersTablesAndPrefixesAndARestartedStationIsResynchronised) {
    ASSERT_NO_FATAL_FAILURE(start("16777216", "1"));
    RawPeer nva1;
    RawPeer nva2;
    ASSERT_NO_FATAL_FAILURE(bring_up(nva1, 61));
    ASSERT_NO_FATAL_FAILURE(bring_up(nva2, 62));
    ASSERT_TRUE(nva1.announce({"10.61.0.0/16", "10.99.0.0/24"}, loopback(61), {65061, 64999}));
    ASSERT_TRUE(nva2.announce({"10.99.0.0/24"}, loopback(62), {65062}));
    bgp::Update v6;
    v6.attributes.origin = bgp::Origin::Igp;
    v6.attributes.as_path = bgp::AsPath{{{bgp::AsSegmentType::Sequence, {65062}}}};
    v6.mp_reach = bgp::MpReach{{net::Afi::Ipv6, net::Safi::Unicast},
                               {*net::IpAddress::parse("2001:db8:62::1")},
                               {{*net::Prefix::parse("2001:db8:6200::/40"), 0}}};
    std::vector<std::uint8_t> bytes;
    ASSERT_TRUE(bgp::encode_update(v6, nva2.codec, bytes));
    ASSERT_TRUE(nva2.send(bytes));
    // A route with the route server's own ASN in its path: pre-policy shows it, post-policy does not.
    ASSERT_TRUE(nva2.announce({"10.62.66.0/24"}, loopback(62), {65062, 65515}));

    const std::set<std::string> want{"10.61.0.0/16", "10.99.0.0/24", "2001:db8:6200::/40"};
    ASSERT_TRUE(wait_until(
        [&] {
            const auto st = collector_.streams();
            if (st.empty()) {
                return false;
            }
            const Seen s = walk(st.front());
            return s.loc == want && count(s, bmp::MessageType::StatisticsReport) >= 3 &&
                   s.pre.count("10.62.66.0/24") != 0;
        },
        15s, 100ms))
        << log();
    nva1.close();  // closed without a NOTIFICATION: Peer Down reason 4
    ASSERT_TRUE(
        wait_until([&] { return count(walk(collector_.streams().front()), bmp::MessageType::PeerDown) == 1; },
                   10s, 100ms))
        << log();

    const auto first = collector_.streams().front();
    const Seen s = walk(first);
    EXPECT_EQ(s.types.front(), bmp::MessageType::Initiation);
    // Both peers' routes, as announced (walk() does not forget a peer's routes at its Peer Down); the
    // looping route only pre-policy.
    EXPECT_EQ(s.post, (std::set<std::string>{"10.61.0.0/16", "10.99.0.0/24", "2001:db8:6200::/40"}));
    EXPECT_EQ(s.pre,
              (std::set<std::string>{"10.61.0.0/16", "10.99.0.0/24", "2001:db8:6200::/40", "10.62.66.0/24"}));
    EXPECT_EQ(s.loc, (std::set<std::string>{"10.99.0.0/24", "2001:db8:6200::/40"}));  // nva1's withdrawn
    EXPECT_EQ(s.down_reasons, (std::vector<std::uint8_t>{4}));

    const std::string pcap = dir_.file("bmp.pcap");
    ASSERT_TRUE(write_tcp_stream_pcap(pcap, first, station_port_));
    auto got = tshark_columns(
        pcap, station_port_,
        {"bmp.type", "bmp.init.info", "bmp.peer.ip.addr", "bmp.peer.type", "bmp.peer.flags.post_policy",
         "bgp.nlri_prefix", "bgp.mp_reach_nlri_ipv6_prefix", "bmp.peer.down.reason",
         "bmp.stats.data.routes_adj_rib_in", "bmp.stats.data.routes_loc_rib", "bmp.peer.up.port.local"});
    const std::set<std::string> types(got["bmp.type"].begin(), got["bmp.type"].end());
    EXPECT_EQ(types, (std::set<std::string>{"0", "1", "2", "3", "4"}));
    EXPECT_EQ(got["bmp.type"].front(), "4");
    EXPECT_NE(std::find(got["bmp.init.info"].begin(), got["bmp.init.info"].end(), "rs-under-test"),
              got["bmp.init.info"].end());
    std::set<std::string> peers(got["bmp.peer.ip.addr"].begin(), got["bmp.peer.ip.addr"].end());
    peers.erase("0.0.0.0");  // the Loc-RIB instance's (RFC 9069: zero-filled)
    EXPECT_EQ(peers, (std::set<std::string>{loopback(61), loopback(62)}));
    const std::set<std::string> peer_types(got["bmp.peer.type"].begin(), got["bmp.peer.type"].end());
    EXPECT_EQ(peer_types, (std::set<std::string>{"0", "3"}));
    const std::set<std::string> flags(got["bmp.peer.flags.post_policy"].begin(),
                                      got["bmp.peer.flags.post_policy"].end());
    EXPECT_EQ(flags.count("1"), 1U);
    const std::set<std::string> v4(got["bgp.nlri_prefix"].begin(), got["bgp.nlri_prefix"].end());
    EXPECT_EQ(v4, (std::set<std::string>{"10.61.0.0", "10.99.0.0", "10.62.66.0"}));
    EXPECT_EQ(got["bgp.mp_reach_nlri_ipv6_prefix"].empty(), false);
    EXPECT_EQ(got["bmp.peer.down.reason"], (std::vector<std::string>{"4"}));
    EXPECT_FALSE(got["bmp.stats.data.routes_adj_rib_in"].empty());
    EXPECT_FALSE(got["bmp.stats.data.routes_loc_rib"].empty());
    const auto& local_ports = got["bmp.peer.up.port.local"];
    EXPECT_EQ(std::count(local_ports.begin(), local_ports.end(), std::to_string(port_)), 2);

    // The station restarts: the daemon reconnects and sends the state again, now without nva1.
    collector_.drop_connection();
    ASSERT_TRUE(wait_until(
        [&] {
            const auto st = collector_.streams();
            if (st.size() < 2) {
                return false;
            }
            const Seen again = walk(st[1]);
            return again.end_of_ribs >= 6;  // nva2 pre + post (two families each), Loc-RIB (two)
        },
        15s, 100ms))
        << log();
    const Seen again = walk(collector_.streams()[1]);
    EXPECT_EQ(again.types.front(), bmp::MessageType::Initiation);
    EXPECT_EQ(count(again, bmp::MessageType::PeerUp), 2U);  // the Loc-RIB instance and nva2
    EXPECT_EQ(again.loc, (std::set<std::string>{"10.99.0.0/24", "2001:db8:6200::/40"}));
    EXPECT_EQ(again.pre, (std::set<std::string>{"10.99.0.0/24", "2001:db8:6200::/40", "10.62.66.0/24"}));
    EXPECT_EQ(again.post, (std::set<std::string>{"10.99.0.0/24", "2001:db8:6200::/40"}));
    const Json st = bmp_status();
    EXPECT_EQ(st["collectors"][0]["state"], "up");
    EXPECT_GE(st["collectors"][0]["resyncs"].get<int>(), 2);

    // SIGTERM: nva2's Peer Down (we sent Cease: reason 1), then the Termination, then the end of the stream.
    daemon_.stop();
    ASSERT_TRUE(wait_until(
        [&] {
            const Seen last = walk(collector_.streams()[1]);
            return !last.types.empty() && last.types.back() == bmp::MessageType::Termination;
        },
        10s, 100ms));
    const Seen last = walk(collector_.streams()[1]);
    EXPECT_EQ(last.down_reasons, (std::vector<std::uint8_t>{1}));
}

TEST_F(BmpExport, AStalledStationNeverHoldsUpBgpAndIsResynchronisedWhenItReads) {
    collector_.reading = false;
    ASSERT_NO_FATAL_FAILURE(start("65536", "0"));
    RawPeer nva1;
    ASSERT_NO_FATAL_FAILURE(bring_up(nva1, 61));
    ASSERT_TRUE(wait_until([&] { return collector_.connections() == 1; }, 10s, 50ms)) << log();
    // 4000 UPDATEs of one /24 each, each with its own path: several MB of BMP for three tables.
    constexpr int kRoutes = 4000;
    for (int i = 0; i < kRoutes; ++i) {
        const std::string p = "10." + std::to_string(100 + i / 256) + "." + std::to_string(i % 256) + ".0/24";
        ASSERT_TRUE(nva1.announce({p}, loopback(61), {65061, static_cast<std::uint32_t>(64512 + i % 1000)}));
    }
    // BGP is untouched: every route reaches the RIB while the station reads nothing.
    ASSERT_TRUE(wait_until(
        [&] {
            return json_number(rfctl_.json({"routeserver", "show"}), "locRibPrefixes") == kRoutes;
        },
        20s, 100ms))
        << rfctl_.json({"routeserver", "show"}) << log();
    ASSERT_TRUE(wait_until([&] { return bmp_status()["collectors"][0]["overflowResets"].get<int>() >= 1; },
                           10s, 100ms))
        << bmp_status().dump() << log();
    const Json st = bmp_status();
    EXPECT_LE(st["collectors"][0]["bufferedBytes"].get<std::uint64_t>(), 65536U + 65536U);
    EXPECT_NE(log().find("exceed buffer_bytes"), std::string::npos);
    // The peer is still established and answers (a keepalive exchange keeps working).
    const Json peers = Json::parse(rfctl_.json({"peering", "list"}));
    EXPECT_NE(peers.dump().find("Established"), std::string::npos) << peers.dump();

    collector_.reading = true;  // the station catches up: the next connection carries the whole table
    ASSERT_TRUE(wait_until(
        [&] {
            const auto streams = collector_.streams();
            for (std::size_t i = 1; i < streams.size(); ++i) {
                const Seen s = walk(streams[i]);
                if (s.loc.size() == kRoutes && s.pre.size() == kRoutes && s.post.size() == kRoutes) {
                    return true;
                }
            }
            return false;
        },
        30s, 200ms))
        << bmp_status().dump() << log();
}

TEST_F(BmpExport, ACollectorAddedBySighupGetsTheSessionsAlreadyUp) {
    ASSERT_NO_FATAL_FAILURE(start("16777216", "0", /*with_bmp=*/false));
    RawPeer nva1;
    ASSERT_NO_FATAL_FAILURE(bring_up(nva1, 61));
    ASSERT_TRUE(nva1.announce({"10.61.0.0/16"}, loopback(61), {65061}));
    ASSERT_TRUE(wait_until(
        [&] {
            return json_number(rfctl_.json({"routeserver", "show"}), "locRibPrefixes") == 1;
        },
        10s, 100ms))
        << log();
    EXPECT_EQ(collector_.connections(), 0U);
    EXPECT_TRUE(bmp_status()["collectors"].empty());

    write_file(dir_.file("rf.yaml"), config_text("16777216", "0", /*with_bmp=*/true));
    daemon_.signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        [&] {
            const auto st = collector_.streams();
            if (st.empty()) {
                return false;
            }
            const Seen s = walk(st.front());
            return count(s, bmp::MessageType::PeerUp) == 2 && s.loc.count("10.61.0.0/16") == 1 &&
                   s.pre.count("10.61.0.0/16") == 1 && s.post.count("10.61.0.0/16") == 1;
        },
        15s, 100ms))
        << log();
    EXPECT_NE(log().find("bmp applied"), std::string::npos) << log();
    EXPECT_EQ(bmp_status()["collectors"][0]["name"], "station");

    // Removed again: the station gets a Termination and the connection ends.
    write_file(dir_.file("rf.yaml"), config_text("16777216", "0", /*with_bmp=*/false));
    daemon_.signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        [&] {
            const Seen s = walk(collector_.streams().front());
            return !s.types.empty() && s.types.back() == bmp::MessageType::Termination;
        },
        10s, 100ms))
        << log();
    EXPECT_TRUE(bmp_status()["collectors"].empty());
}

}  // namespace
}  // namespace rf::testing
