// RPKI origin validation against real RTR caches: stayrtr (Debian) serving a ROA JSON file the test
// writes, on loopback. Routes from a raw peer get valid / invalid / not-found; the file is rewritten and
// the held routes are re-validated once stayrtr has reloaded it; the only cache stops and the table is
// kept (RFC 8210 expire semantics) and it comes back with a new session (a Reset Query, RFC 8210 §5.1);
// with two caches of different preference, the second takes over when the first stops and the first takes
// back over when it returns.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "control/policy/compile.hpp"
#include "control/server/route_server.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {
namespace {

using namespace std::chrono_literals;

std::string roa_json(const std::vector<std::tuple<std::string, int, std::uint32_t>>& roas) {
    std::string out = "{\"roas\":[";
    for (std::size_t i = 0; i < roas.size(); ++i) {
        const auto& [prefix, max_length, asn] = roas[i];
        out += (i == 0 ? "" : ",") + std::string("{\"prefix\":\"") + prefix +
               "\",\"maxLength\":" + std::to_string(max_length) + ",\"asn\":\"AS" + std::to_string(asn) +
               "\",\"ta\":\"test\"}";
    }
    return out + "]}";
}

// One stayrtr in the foreground, stopped by PID.
class Stayrtr {
public:
    Stayrtr(std::filesystem::path dir, std::string name, std::uint16_t port)
        : dir_(std::move(dir)), name_(std::move(name)), port_(port) {}
    ~Stayrtr() { stop(); }
    Stayrtr(const Stayrtr&) = delete;
    Stayrtr& operator=(const Stayrtr&) = delete;

    [[nodiscard]] std::string file() const { return (dir_ / (name_ + ".json")).string(); }
    void write(const std::string& json) const {
        const std::string tmp = file() + ".tmp";  // renamed into place: stayrtr never reads half a file
        write_file(tmp, json);
        std::filesystem::rename(tmp, file());
    }
    bool start() {
        const std::string bind = loopback(1) + ":" + std::to_string(port_);
        const std::string log = (dir_ / (name_ + ".log")).string();
        pid_ = fork();
        if (pid_ == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
            // -refresh 1: the file is read again every second; -rtr.*: the intervals its End of Data
            // gives the router (retry 1 s so that a returning cache is retried at once); -protocol 1: RTR
            // version 1 (RFC 8210), the newest rtrlib 0.8 speaks (stayrtr offers the 8210bis draft by
            // default).
            execlp("stayrtr", "stayrtr", "-bind", bind.c_str(), "-cache", file().c_str(), "-checktime=false",
                   "-metrics.addr", "", "-refresh", "1", "-rtr.refresh", "2", "-rtr.retry", "1",
                   "-rtr.expire", "600", "-protocol", "1", "-loglevel", "error", "-log.verbose=false",
                   static_cast<char*>(nullptr));
            _exit(127);
        }
        if (pid_ <= 0) {
            return false;
        }
        // Listening before the route server connects, so that the test starts from a known state (a
        // refused first connection would already fail over to the next cache).
        return wait_until(
            [&] {
                const int fd = socket(AF_INET, SOCK_STREAM, 0);
                sockaddr_in sa{};
                sa.sin_family = AF_INET;
                sa.sin_port = htons(port_);
                inet_pton(AF_INET, loopback(1).c_str(), &sa.sin_addr);
                const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
                close(fd);
                return ok;
            },
            10s);
    }
    void stop() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status = 0;
            waitpid(pid_, &status, 0);
            pid_ = -1;
        }
    }

private:
    std::filesystem::path dir_;
    std::string name_;
    std::uint16_t port_;
    pid_t pid_ = -1;
};

bool have_stayrtr() {
    return std::system("command -v stayrtr > /dev/null 2>&1") == 0;
}

struct Lab {
    std::filesystem::path dir;
    std::uint16_t bgp_port = free_port(loopback(1));
    std::unique_ptr<RsHarness> rs;

    Lab() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "rf-rpki-XXXXXX").string();
        dir = mkdtemp(tmpl.data());
    }
    ~Lab() {
        rs.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    void start(const std::vector<rpki::CacheConfig>& caches) {
        server::ServerConfig cfg;
        cfg.router_id = *net::Ipv4Address::parse("10.255.0.1");
        cfg.listen_addresses = {*net::IpAddress::parse(loopback(1))};
        cfg.port = bgp_port;
        rpki::RtrConfig r;
        r.caches = caches;
        r.refresh_interval = 2;
        r.retry_interval = 1;
        r.expire_interval = 600;
        cfg.rpki = r;
        rs = std::make_unique<RsHarness>(cfg, std::vector<session::PeerSettings>{loopback_peer(71)});
    }
    std::optional<rpki::RpkiStatus> status() {
        return rs->call([](server::RouteServer& s) { return s.rpki_status(); });
    }
    // The validity of the route for `prefix` held from the peer (Unknown-like "none" when not held).
    std::string validity(const std::string& prefix) {
        return rs->call([&](server::RouteServer& s) -> std::string {
            const auto e = s.rib().lookup(*net::Prefix::parse(prefix));
            if (!e || e->paths.empty()) {
                return "none";
            }
            return std::string(rpki::to_string(s.rpki_validity(e->prefix, e->paths[0].attributes)));
        });
    }
    std::size_t logged(const std::string& text) {
        const auto lines = rs->log_lines();
        return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
            return l.find(text) != std::string::npos;
        }));
    }
};

rpki::CacheConfig cache(std::uint16_t port, std::uint8_t preference) {
    return rpki::CacheConfig{loopback(1), port, preference};
}

const rpki::CacheInfo& cache_at(const rpki::RpkiStatus& s, std::size_t i) {
    return s.caches.at(i);
}

TEST(Rpki, RoutesAreValidInvalidOrNotFoundAndRevalidatedWhenTheRoasChange) {
    if (!have_stayrtr()) {
        GTEST_SKIP() << "stayrtr is not installed (scripts/setup.sh)";
    }
    Lab lab;
    const std::uint16_t port_a = free_port(loopback(1));
    Stayrtr a(lab.dir, "a", port_a);
    a.write(roa_json({{"10.71.0.0/16", 24, 65071}}));
    ASSERT_TRUE(a.start());
    lab.start({cache(port_a, 1)});
    ASSERT_FALSE(lab.rs->start_error());
    ASSERT_TRUE(wait_until([&] { return lab.status()->state == "synced"; }, 15s))
        << "stayrtr never delivered its table";
    EXPECT_EQ(lab.status()->roas_v4, 1U);
    EXPECT_EQ(cache_at(*lab.status(), 0).state, rpki::CacheState::Established);

    RawPeer nva;
    ASSERT_TRUE(nva.connect(loopback(71), loopback(1), lab.bgp_port));
    ASSERT_TRUE(nva.handshake(65071, "10.0.0.71"));
    ASSERT_TRUE(nva.announce({"10.71.1.0/24"}, "100.64.0.71", {65071}));         // ROA matches
    ASSERT_TRUE(nva.announce({"10.71.2.0/24"}, "100.64.0.71", {65071, 65099}));  // other origin
    ASSERT_TRUE(nva.announce({"10.71.3.0/25"}, "100.64.0.71", {65071}));         // past max length
    ASSERT_TRUE(nva.announce({"10.99.0.0/24"}, "100.64.0.71", {65071}));         // no ROA
    ASSERT_TRUE(wait_until([&] { return lab.validity("10.99.0.0/24") != "none"; }, 5s));
    EXPECT_EQ(lab.validity("10.71.1.0/24"), "valid");
    EXPECT_EQ(lab.validity("10.71.2.0/24"), "invalid");
    EXPECT_EQ(lab.validity("10.71.3.0/25"), "invalid");
    EXPECT_EQ(lab.validity("10.99.0.0/24"), "not-found");
    auto counts = lab.rs->call([](server::RouteServer& s) { return s.rpki_route_counts(); });
    EXPECT_EQ(counts.valid, 1U);
    EXPECT_EQ(counts.invalid, 2U);
    EXPECT_EQ(counts.not_found, 1U);

    // New ROAs: the /16 now allows /25, AS65099 may originate 10.71.2.0/24, and 10.99.0.0/16 belongs to
    // AS65000. Once stayrtr has reloaded the file (and notified us), the held routes are re-validated.
    a.write(
        roa_json({{"10.71.0.0/16", 25, 65071}, {"10.71.2.0/24", 24, 65099}, {"10.99.0.0/16", 16, 65000}}));
    ASSERT_TRUE(wait_until([&] { return lab.status()->roas_v4 == 3; }, 15s));
    EXPECT_EQ(lab.validity("10.71.1.0/24"), "valid");
    EXPECT_EQ(lab.validity("10.71.2.0/24"), "valid");
    EXPECT_EQ(lab.validity("10.71.3.0/25"), "valid");
    EXPECT_EQ(lab.validity("10.99.0.0/24"), "invalid");
    const auto c = lab.rs->call([](server::RouteServer& s) { return s.rpki_counters(); });
    EXPECT_GE(c.validity_changes, 3U);
    EXPECT_GE(lab.logged("held path(s) re-validated"), 1U);

    // The only cache stops: the table is kept (RFC 8210: until the expire interval), routes stay validated.
    a.stop();
    ASSERT_TRUE(wait_until([&] { return lab.status()->state == "stale"; }, 10s));
    EXPECT_NE(cache_at(*lab.status(), 0).state, rpki::CacheState::Established);
    EXPECT_EQ(lab.validity("10.99.0.0/24"), "invalid");
    EXPECT_EQ(lab.status()->roas_v4, 3U);

    // It comes back: synchronised again.
    ASSERT_TRUE(a.start());
    ASSERT_TRUE(wait_until([&] { return lab.status()->state == "synced"; }, 15s));
    EXPECT_EQ(lab.validity("10.71.2.0/24"), "valid");
}

// Validity as an import-policy input (RFC 6811 §5 "route selection" left to local policy): a policy that
// rejects invalid routes keeps them out of the RIB, and when the ROAs change the covered routes go through
// the policy again: the rejected route (kept pre-policy) comes back without the peer re-sending it.
TEST(Rpki, ImportPolicyRejectsInvalidRoutesAndReadmitsThemWhenTheRoasChange) {
    if (!have_stayrtr()) {
        GTEST_SKIP() << "stayrtr is not installed (scripts/setup.sh)";
    }
    Lab lab;
    const std::uint16_t port_a = free_port(loopback(1));
    Stayrtr a(lab.dir, "a", port_a);
    a.write(roa_json({{"10.71.0.0/16", 24, 65071}}));
    ASSERT_TRUE(a.start());
    lab.start({cache(port_a, 1)});
    ASSERT_FALSE(lab.rs->start_error());
    ASSERT_TRUE(wait_until([&] { return lab.status()->state == "synced"; }, 15s));

    policy::Definitions d;
    policy::PolicyDef rov{"rov", {}, "accept"};
    rov.statements.push_back(policy::StatementDef{"invalid", {}, {}, "reject"});
    rov.statements[0].match.rpki = {"invalid"};
    d.policies = {rov};
    const auto lib = std::get<std::shared_ptr<const policy::Library>>(policy::compile(d));
    lab.rs->call([&](server::RouteServer& s) {
        return s.set_import_policy(*net::IpAddress::parse(loopback(71)), lib->chain({"rov"}), false);
    });

    RawPeer nva;
    ASSERT_TRUE(nva.connect(loopback(71), loopback(1), lab.bgp_port));
    ASSERT_TRUE(nva.handshake(65071, "10.0.0.71"));
    ASSERT_TRUE(nva.announce({"10.71.1.0/24"}, "100.64.0.71", {65071}));         // valid
    ASSERT_TRUE(nva.announce({"10.71.2.0/24"}, "100.64.0.71", {65071, 65099}));  // invalid: other origin
    ASSERT_TRUE(nva.announce({"10.99.0.0/24"}, "100.64.0.71", {65071}));         // not-found
    ASSERT_TRUE(wait_until([&] { return lab.validity("10.99.0.0/24") != "none"; }, 5s));
    EXPECT_EQ(lab.validity("10.71.1.0/24"), "valid");
    EXPECT_EQ(lab.validity("10.71.2.0/24"), "none") << "the invalid route passed the import policy";

    // AS65099 may now originate 10.71.2.0/24: the rejected route is re-evaluated and accepted; and
    // 10.99.0.0/16 now belongs to AS65000: the held not-found route turns invalid and is rejected.
    a.write(
        roa_json({{"10.71.0.0/16", 24, 65071}, {"10.71.2.0/24", 24, 65099}, {"10.99.0.0/16", 24, 65000}}));
    ASSERT_TRUE(wait_until([&] { return lab.validity("10.71.2.0/24") == "valid"; }, 15s))
        << "the route a new ROA makes valid did not come back";
    ASSERT_TRUE(wait_until([&] { return lab.validity("10.99.0.0/24") == "none"; }, 5s))
        << "the route a new ROA makes invalid stayed";
    EXPECT_EQ(lab.validity("10.71.1.0/24"), "valid");
    EXPECT_GE(lab.logged("import policy applied again"), 1U);
}

TEST(Rpki, FailsOverToTheNextPreferenceAndBack) {
    if (!have_stayrtr()) {
        GTEST_SKIP() << "stayrtr is not installed (scripts/setup.sh)";
    }
    Lab lab;
    const std::uint16_t port_a = free_port(loopback(1));
    const std::uint16_t port_b = free_port(loopback(1));
    Stayrtr a(lab.dir, "a", port_a);
    Stayrtr b(lab.dir, "b", port_b);
    a.write(roa_json({{"10.71.0.0/16", 24, 65071}}));
    // The backup also knows 10.88.0.0/16: it shows which cache the table comes from.
    b.write(roa_json({{"10.71.0.0/16", 24, 65071}, {"10.88.0.0/16", 24, 65088}}));
    ASSERT_TRUE(a.start());
    ASSERT_TRUE(b.start());
    lab.start({cache(port_a, 1), cache(port_b, 2)});
    ASSERT_FALSE(lab.rs->start_error());
    ASSERT_TRUE(wait_until([&] { return lab.status()->state == "synced"; }, 15s));
    auto s = *lab.status();
    EXPECT_EQ(s.caches[0].state, rpki::CacheState::Established);
    EXPECT_EQ(s.caches[1].state, rpki::CacheState::Standby) << "the less preferred cache is not used";
    EXPECT_EQ(s.caches[1].roas, 0U);
    EXPECT_EQ(s.roas_v4, 1U);

    a.stop();
    ASSERT_TRUE(wait_until(
        [&] {
            const auto st = *lab.status();
            return st.caches[1].state == rpki::CacheState::Established && st.roas_v4 == 2;
        },
        15s))
        << "the second cache never took over";
    s = *lab.status();
    EXPECT_NE(s.caches[0].state, rpki::CacheState::Established);
    EXPECT_EQ(s.state, "synced");
    EXPECT_EQ(s.caches[1].roas, 2U);

    ASSERT_TRUE(a.start());
    ASSERT_TRUE(wait_until(
        [&] {
            const auto st = *lab.status();
            return st.caches[0].state == rpki::CacheState::Established &&
                   st.caches[1].state == rpki::CacheState::Shutdown && st.roas_v4 == 1;
        },
        20s))
        << "the preferred cache did not take over again";
    EXPECT_EQ(lab.status()->caches[1].roas, 0U);
}

}  // namespace
}  // namespace rf::testing
