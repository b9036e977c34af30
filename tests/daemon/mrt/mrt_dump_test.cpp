// `rfctl rib dump FILE` against routefabricd with real BGP sessions on loopback: two raw peers announce
// IPv4 routes (one prefix from both, so it has two paths) and an IPv6 route; the dump rfctl writes is
// read by bgpdump (Debian's, `bgpdump -m`), and every line it prints must be a path the RIB shows for
// that prefix (rfctl rib show), with the peer's address and ASN from the PEER_INDEX_TABLE, and every
// path the RIB shows must be in the dump. Skips without routefabricd, rfctl or bgpdump.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "control/codec/codec.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

using Json = nlohmann::json;

const char* const kBgpdump = "/usr/bin/bgpdump";

// (peer address, peer ASN, prefix, AS path, next hop): one path as bgpdump prints it and the RIB shows it.
using PathRow = std::tuple<std::string, std::string, std::string, std::string, std::string>;

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) {
        out.push_back(cur);
    }
    return out;
}

struct Nva {
    int host;
    std::uint32_t asn;
};
constexpr Nva kNva1{51, 65051};
constexpr Nva kNva2{52, 65052};

// `bgpdump -m FILE`: its record lines, split at '|' (bgpdump's own messages left out).
std::vector<std::vector<std::string>> bgpdump_rows(const std::string& file) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& line : split(run_capture({kBgpdump, "-m", file}, 10s), '\n')) {
        if (line.find('|') != std::string::npos) {
            rows.push_back(split(line, '|'));
        }
    }
    return rows;
}

// The files of `dir` whose names start with `prefix`, sorted.
std::vector<std::string> files_in(const std::string& dir, const std::string& prefix) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && name.find(".part") == std::string::npos) {
            out.push_back(e.path().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

class MrtDump : public ::testing::Test {
protected:
    void SetUp() override {
        if (const std::string why = daemon_binaries_missing(); !why.empty()) {
            GTEST_SKIP() << why;
        }
        if (!have_executable(kBgpdump)) {
            GTEST_SKIP() << "bgpdump not installed (Debian package bgpdump)";
        }
        std::string peers;
        for (const Nva& n : {kNva1, kNva2}) {
            peers += "  - {name: nva" + std::to_string(n.host) + ", address: " + loopback(n.host) +
                     ", asn: " + std::to_string(n.asn) + "}\n";
        }
        write_file(dir_.file("rf.yaml"), "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs_ +
                                             "]\n  port: " + std::to_string(port_) + "\npeers:\n" + peers +
                                             "api:\n  port: " + std::to_string(api_) + "\n" + extra_config());
        ASSERT_TRUE(start_routefabricd(daemon_, dir_.file("rf.yaml"), dir_.file("rf.log"), {"--no-fib"}));
    }

    // `four_octet` false: an IPv4-only peer without the four-octet AS capability (RFC 6793), whose
    // UPDATEs carry two-octet AS_PATHs (the message log must say so, or a reader misreads them).
    void bring_up(RawPeer& peer, const Nva& nva, bool four_octet = true) {
        ASSERT_TRUE(
            wait_until([&] { return peer.connect(loopback(nva.host), rs_, port_, 500ms); }, 10s, 100ms))
            << log();
        bgp::Open open = RawPeer::dual_stack_open(nva.asn, ("10.0.0." + std::to_string(nva.host)).c_str());
        if (!four_octet) {
            open.capabilities.four_octet_as.reset();
            open.capabilities.multiprotocol = {{net::Afi::Ipv4, net::Safi::Unicast}};
        }
        ASSERT_TRUE(peer.handshake(open));
        ASSERT_EQ(peer.codec.four_octet_as, four_octet);
    }

    // The paths `rfctl rib show PREFIX` lists, as rows.
    std::set<PathRow> rib_paths(const std::string& prefix, const std::map<std::string, std::string>& asn_of) {
        std::set<PathRow> out;
        const Json j = Json::parse(rfctl_.json({"rib", "show", prefix}));
        for (const auto& p : j["paths"]) {
            const std::string addr = p["peerAddress"];
            out.emplace(addr, asn_of.at(addr), prefix, p["asPath"], p["nextHops"][0]);
        }
        return out;
    }

    std::string log() const { return read_file(dir_.file("rf.log")); }
    virtual std::string extra_config() const { return {}; }

    TempDir dir_{"rf-mrt"};
    const std::string rs_ = loopback(50);
    const std::uint16_t port_ = free_port(rs_);
    const std::uint16_t api_ = free_port("127.0.0.1");
    const Rfctl rfctl_{"http://127.0.0.1:" + std::to_string(api_)};
    Process daemon_;

    // Both peers up; nva1 announces two IPv4 prefixes, nva2 one of them and an IPv6 prefix. Returns once
    // the RIB holds them all: the paths as rows.
    void announce_all(RawPeer& nva1, RawPeer& nva2, std::set<PathRow>& rib) {
        ASSERT_NO_FATAL_FAILURE(bring_up(nva1, kNva1, /*four_octet=*/false));
        ASSERT_NO_FATAL_FAILURE(bring_up(nva2, kNva2));
        // Encoded with what nva1 negotiated (RawPeer::announce assumes four-octet AS numbers).
        bgp::Update v4;
        v4.attributes.origin = bgp::Origin::Igp;
        v4.attributes.as_path = bgp::AsPath{{{bgp::AsSegmentType::Sequence, {kNva1.asn, 64999}}}};
        v4.attributes.next_hop = *net::Ipv4Address::parse(loopback(kNva1.host));
        v4.attributes.communities = {(65051U << 16U) | 7U};
        v4.nlri = {{*net::Prefix::parse("10.51.0.0/16"), 0}, {*net::Prefix::parse("10.99.0.0/24"), 0}};
        std::vector<std::uint8_t> two_octet;
        ASSERT_TRUE(bgp::encode_update(v4, nva1.codec, two_octet));
        ASSERT_TRUE(nva1.send(two_octet));
        ASSERT_TRUE(nva2.announce({"10.99.0.0/24"}, loopback(kNva2.host), {kNva2.asn}));
        bgp::Update v6;
        v6.attributes.origin = bgp::Origin::Igp;
        v6.attributes.as_path = bgp::AsPath{{{bgp::AsSegmentType::Sequence, {kNva2.asn}}}};
        v6.mp_reach = bgp::MpReach{{net::Afi::Ipv6, net::Safi::Unicast},
                                   {*net::IpAddress::parse("2001:db8:52::1")},
                                   {{*net::Prefix::parse("2001:db8:5200::/40"), 0}}};
        std::vector<std::uint8_t> bytes;
        ASSERT_TRUE(bgp::encode_update(v6, nva2.codec, bytes));
        ASSERT_TRUE(nva2.send(bytes));
        ASSERT_TRUE(wait_until(
            [&] {
                const std::string s = rfctl_.json({"rib", "show", "10.99.0.0/24"});
                const std::string s6 = rfctl_.json({"rib", "show", "2001:db8:5200::/40"});
                return s.find("64999") != std::string::npos &&
                       s.find("\"" + loopback(kNva2.host)) != std::string::npos &&
                       s6.find("2001:db8:52::1") != std::string::npos;
            },
            10s, 100ms))
            << log();
        const std::map<std::string, std::string> asn_of = {{loopback(kNva1.host), std::to_string(kNva1.asn)},
                                                           {loopback(kNva2.host), std::to_string(kNva2.asn)}};
        for (const auto& p : {"10.51.0.0/16", "10.99.0.0/24", "2001:db8:5200::/40"}) {
            const auto rows = rib_paths(p, asn_of);
            rib.insert(rows.begin(), rows.end());
        }
        ASSERT_EQ(rib.size(), 4U);  // 10.99.0.0/24 from both peers
    }
};

TEST_F(MrtDump, BgpdumpReadsTheRibDumpAndItHoldsEveryPathOfTheRib) {
    RawPeer nva1;
    RawPeer nva2;
    std::set<PathRow> want;
    ASSERT_NO_FATAL_FAILURE(announce_all(nva1, nva2, want));

    const std::string file = dir_.file("rib.mrt");
    const std::string said = rfctl_({"rib", "dump", file});
    EXPECT_NE(said.find("wrote "), std::string::npos) << said;
    const std::string dump = run_capture({kBgpdump, "-m", file}, 10s);
    std::set<PathRow> got;
    std::size_t lines = 0;
    for (const auto& line : split(dump, '\n')) {
        if (line.find('|') == std::string::npos) {
            continue;  // bgpdump's own messages ("logging to syslog") share the captured output
        }
        ++lines;
        const auto f = split(line, '|');
        ASSERT_GE(f.size(), 12U) << line;
        EXPECT_EQ(f[0], "TABLE_DUMP2") << line;
        EXPECT_EQ(f[2], "B") << line;
        got.emplace(f[3], f[4], f[5], f[6], f[8]);
        if (f[5] == "10.51.0.0/16") {
            EXPECT_EQ(f[7], "IGP") << line;
            EXPECT_EQ(f[11], "65051:7") << line;  // communities as received
        }
    }
    EXPECT_EQ(lines, want.size()) << dump;
    EXPECT_EQ(got, want) << dump;

    // A file name rfctl cannot write is an error naming it, and nothing is left behind.
    const std::string bad = dir_.file("no-such-dir/rib.mrt");
    const std::string err = rfctl_({"rib", "dump", bad});
    EXPECT_NE(err.find("cannot write " + bad), std::string::npos) << err;

    daemon_.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !daemon_.running(); }, 15s));
}

// With an mrt section: the message log and periodic dumps in mrt.directory.
class MrtFiles : public MrtDump {
protected:
    void SetUp() override {
        std::filesystem::create_directory(dir_.file("mrt"));
        MrtDump::SetUp();
    }
    std::string extra_config() const override {
        return "mrt:\n  directory: " + dir_.file("mrt") +
               "\n  rib_dump: {interval: 1, keep: 2}\n  updates: {enabled: true, rotate_interval: 3600}\n";
    }
};

TEST_F(MrtFiles, BgpdumpReadsTheMessageLogAndThePeriodicDumps) {
    RawPeer nva1;
    RawPeer nva2;
    std::set<PathRow> rib;
    ASSERT_NO_FATAL_FAILURE(announce_all(nva1, nva2, rib));

    // A periodic dump that holds the whole RIB (dumps come every second; one after the routes arrived).
    std::set<PathRow> dumped;
    ASSERT_TRUE(wait_until(
        [&] {
            const auto dumps = files_in(dir_.file("mrt"), "rib.");
            if (dumps.empty()) {
                return false;
            }
            dumped.clear();
            for (const auto& f : bgpdump_rows(dumps.back())) {
                if (f.size() >= 9 && f[0] == "TABLE_DUMP2") {
                    dumped.emplace(f[3], f[4], f[5], f[6], f[8]);
                }
            }
            return dumped == rib;
        },
        15s, 200ms))
        << log();
    EXPECT_LE(files_in(dir_.file("mrt"), "rib.").size(), 2U);  // keep: 2

    // The writers' counters on /metrics: messages logged, none dropped, dumps written.
    if (have_executable("/usr/bin/curl")) {
        const std::string m = run_capture(
            {"/usr/bin/curl", "-s", "http://127.0.0.1:" + std::to_string(api_) + "/metrics"}, 10s);
        EXPECT_NE(m.find("routefabric_mrt_messages_total{result=\"logged\"}"), std::string::npos) << m;
        EXPECT_NE(m.find("routefabric_mrt_messages_total{result=\"dropped\"} 0"), std::string::npos) << m;
        EXPECT_EQ(m.find("routefabric_mrt_rib_dumps_total{result=\"written\"} 0"), std::string::npos) << m;
    }

    // SIGTERM: the message log is written out and closed.
    daemon_.signal(SIGTERM);
    ASSERT_TRUE(wait_until([&] { return !daemon_.running(); }, 15s));
    const auto logs = files_in(dir_.file("mrt"), "updates.");
    ASSERT_EQ(logs.size(), 1U) << log();
    // Every announcement the peers sent, as bgpdump reads it back: BGP4MP_ET with microseconds.
    std::set<std::tuple<std::string, std::string, std::string, std::string>> announced;
    const std::regex et_time(R"(\d+\.\d{6})");
    for (const auto& f : bgpdump_rows(logs[0])) {
        ASSERT_GE(f.size(), 7U);
        EXPECT_EQ(f[0], "BGP4MP_ET");
        EXPECT_TRUE(std::regex_match(f[1], et_time)) << f[1];
        if (f[2] == "A") {
            announced.emplace(f[3], f[4], f[5], f[6]);
        }
    }
    const std::string a1 = loopback(kNva1.host);
    const std::string a2 = loopback(kNva2.host);
    const std::set<std::tuple<std::string, std::string, std::string, std::string>> sent = {
        {a1, "65051", "10.51.0.0/16", "65051 64999"},
        {a1, "65051", "10.99.0.0/24", "65051 64999"},
        {a2, "65052", "10.99.0.0/24", "65052"},
        {a2, "65052", "2001:db8:5200::/40", "65052"},
    };
    EXPECT_EQ(announced, sent);
    const std::string l = log();
    EXPECT_EQ(l.find("not logged"), std::string::npos) << l;  // nothing dropped
}

}  // namespace
}  // namespace rf::testing
