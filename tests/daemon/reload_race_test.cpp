// SIGHUP reloads racing REST API changes, end to end: routefabricd runs with a configuration file and its
// API; a burst of SIGHUPs arrives while two clients create and delete peerings. Every change goes through
// one serialised path, so afterwards the running peers (the API's list, the route server's sessions and
// who may open a BGP session), the peers in the file and the API's answers for each name all agree, no
// API call was contradicted by the one after it, and a final SIGHUP finds nothing to change.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <csignal>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "daemon/api/http_client.hpp"
#include "daemon/config/config.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

using Json = nlohmann::json;

constexpr int kClients = 2;
constexpr int kSlots = 4;          // peering names per client: h<client>_<slot>
constexpr int kSighups = 50;       // sent every kSighupGap
constexpr auto kSighupGap = 20ms;  // ~50 Hz
constexpr int kMaxCallsPerClient = 300;
constexpr auto kClientTimeBox = 20s;  // the clients stop at the latest then

std::string slot_name(int client, int slot) {
    return "h" + std::to_string(client) + "_" + std::to_string(slot);
}
int slot_host(int client, int slot) {
    return 100 + client * 10 + slot;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
        ++n;
    }
    return n;
}

// One client: creates and deletes its own peerings at random. It alone touches those names, so in any
// serial order its create of a name it does not have succeeds and its delete of a name it has succeeds;
// an answer that says otherwise is counted.
struct Client {
    int id = 0;
    api::ServerUrl url;
    std::atomic<int> contradicted{0};
    std::atomic<int> failed_calls{0};
    std::atomic<int> calls{0};  // answered
    std::vector<std::string> contradictions;

    void run(const std::atomic<bool>& stop) {
        std::mt19937 random(static_cast<std::uint32_t>(1234 + id));
        std::array<bool, kSlots> have{};
        const auto deadline = std::chrono::steady_clock::now() + kClientTimeBox;
        for (int call = 0; call < kMaxCallsPerClient && !stop && std::chrono::steady_clock::now() < deadline;
             ++call) {
            ++calls;
            const int s = static_cast<int>(random() % kSlots);
            const std::string name = slot_name(id, s);
            if (!have[s]) {
                const Json body{{"name", name},
                                {"peerIp", loopback(slot_host(id, s))},
                                {"peerAsn", 65100 + id * 10 + s},
                                {"passive", true}};
                auto r = api::http_request(url, "POST", "/api/v1/peerings", body.dump());
                if (!r) {
                    ++failed_calls;
                    continue;
                }
                if (r->status != 201) {
                    note("create " + name + " (not held) -> " + std::to_string(r->status) + " " + r->body);
                }
                have[s] = r->status == 201 || r->status == 409;
            } else {
                auto r = api::http_request(url, "DELETE", "/api/v1/peerings/" + name);
                if (!r) {
                    ++failed_calls;
                    continue;
                }
                if (r->status != 200) {
                    note("delete " + name + " (held) -> " + std::to_string(r->status) + " " + r->body);
                }
                have[s] = r->status != 200 && r->status != 404;
            }
        }
    }
    void note(std::string what) {
        ++contradicted;
        if (contradictions.size() < 5) {
            contradictions.push_back(std::move(what));
        }
    }
};

std::set<std::string> listed_peerings(const api::ServerUrl& url,
                                      std::map<std::string, std::size_t>* sessions) {
    std::set<std::string> out;
    auto r = api::http_request(url, "GET", "/api/v1/peerings");
    if (!r || r->status != 200) {
        ADD_FAILURE() << "peering list failed";
        return out;
    }
    const Json j = Json::parse(r->body);
    const Json& items = j.is_array() ? j : j.at("value");
    for (const Json& p : items) {
        const std::string name = p.at("name").get<std::string>();
        out.insert(name);
        if (sessions != nullptr) {
            (*sessions)[name] = p.contains("sessions") ? p.at("sessions").size() : 0;
        }
    }
    return out;
}

std::set<std::string> file_peerings(const std::string& path) {
    std::set<std::string> out;
    auto c = config::load_file(path);
    if (!c) {
        ADD_FAILURE() << path << ": " << config::format_errors(c.error());
        return out;
    }
    for (const config::PeerConfig& p : c->peers) {
        out.insert(p.name);
    }
    return out;
}

TEST(RoutefabricdReloadRace, SighupsDuringApiChangesLeaveRunningEqualToFileAndAnswers) {
    if (const std::string why = daemon_binaries_missing(false); !why.empty()) {
        GTEST_SKIP() << why;
    }
    TempDir dir("rf-race");
    const std::string rs = loopback(8);
    const std::uint16_t port = free_port(rs);
    const std::uint16_t api_port = free_port("127.0.0.1");
    const std::string path = dir.file("rf.yaml");
    write_file(path, "route_server:\n  router_id: 10.255.0.8\n  listen: [" + rs +
                         "]\n  port: " + std::to_string(port) +
                         "\n  max_peers: 16\npeers:\n  - {name: a, address: " + loopback(71) +
                         ", asn: 65071, passive: true}\n  - {name: b, address: " + loopback(72) +
                         ", asn: 65072, passive: true}\napi:\n  port: " + std::to_string(api_port) + "\n");
    Process d;
    ASSERT_TRUE(start_routefabricd(d, path, dir.file("rf.log"), {"--no-fib"}));
    const api::ServerUrl url{"127.0.0.1", api_port};
    ASSERT_TRUE(wait_until(
        [&] {
            auto r = api::http_request(url, "GET", "/api/v1/peerings", {}, {}, 500ms);
            return r && r->status == 200;
        },
        10s, 100ms))
        << read_file(dir.file("rf.log"));

    std::atomic<bool> stop{false};
    std::vector<std::unique_ptr<Client>> clients;
    std::vector<std::thread> threads;
    for (int k = 0; k < kClients; ++k) {
        clients.push_back(std::make_unique<Client>());
        clients.back()->id = k;
        clients.back()->url = url;
        threads.emplace_back([&c = *clients.back(), &stop] { c.run(stop); });
    }
    for (int i = 0; i < kSighups && d.running(); ++i) {
        d.signal(SIGHUP);
        std::this_thread::sleep_for(kSighupGap);
    }
    stop = true;
    for (auto& t : threads) {
        t.join();
    }
    ASSERT_TRUE(d.running()) << read_file(dir.file("rf.log"));
    // Quiet: the last SIGHUPs are handled (each reload takes milliseconds; the checks below are bounded).
    std::this_thread::sleep_for(500ms);

    for (const auto& c : clients) {
        EXPECT_EQ(c->failed_calls, 0) << "client " << c->id << ": calls without an answer";
        EXPECT_GT(c->calls, kSlots) << "client " << c->id << ": the race needs API changes";
        EXPECT_EQ(c->contradicted, 0) << "client " << c->id << ": answers contradicting the client's own "
                                      << "earlier successful calls, e.g. "
                                      << (c->contradictions.empty() ? "" : c->contradictions.front());
    }

    std::map<std::string, std::size_t> sessions;
    const std::set<std::string> listed = listed_peerings(url, &sessions);
    const std::set<std::string> in_file = file_peerings(path);
    EXPECT_EQ(listed, in_file) << "the API's list and the file";
    for (const auto& [name, n] : sessions) {
        EXPECT_GT(n, 0U) << name << " is listed but the route server runs no session for it";
    }

    // Every name: show / create / delete answer as the file says, and BGP is accepted from its address
    // exactly when the file has it.
    std::vector<std::pair<std::string, int>> names{{"a", 71}, {"b", 72}};
    for (int k = 0; k < kClients; ++k) {
        for (int s = 0; s < kSlots; ++s) {
            names.emplace_back(slot_name(k, s), slot_host(k, s));
        }
    }
    for (const auto& [name, host] : names) {
        const bool configured = in_file.count(name) != 0;
        auto show = api::http_request(url, "GET", "/api/v1/peerings/" + name);
        ASSERT_TRUE(show);
        EXPECT_EQ(show->status, configured ? 200U : 404U) << "show " << name;
        if (configured) {
            const Json body{{"name", name}, {"peerIp", loopback(host)}, {"peerAsn", 65000 + host}};
            auto create = api::http_request(url, "POST", "/api/v1/peerings", body.dump());
            ASSERT_TRUE(create);
            EXPECT_EQ(create->status, 409U) << "create " << name << ": " << create->body;
        } else {
            auto del = api::http_request(url, "DELETE", "/api/v1/peerings/" + name);
            ASSERT_TRUE(del);
            EXPECT_EQ(del->status, 404U) << "delete " << name << ": " << del->body;
        }
        RawPeer p;
        ASSERT_TRUE(p.connect(loopback(host), rs, port, 2000ms)) << name;
        EXPECT_EQ(p.handshake(static_cast<std::uint32_t>(65000 + host), "10.0.1." + std::to_string(host)),
                  configured)
            << "BGP from " << name << "'s address";
    }

    const std::size_t unchanged_before =
        count_of(read_file(dir.file("rf.log")), "reload: peerings unchanged");
    d.signal(SIGHUP);
    EXPECT_TRUE(wait_until(
        [&] {
            return count_of(read_file(dir.file("rf.log")), "reload: peerings unchanged") > unchanged_before;
        },
        10s))
        << "the final SIGHUP finds the running peers equal to the file";
    EXPECT_EQ(listed_peerings(url, nullptr), file_peerings(path));

    d.signal(SIGTERM);
    EXPECT_TRUE(wait_until([&] { return !d.running(); }, 10s));
}

}  // namespace
}  // namespace rf::testing
