// The looking glass as a person sees it: routefabricd with its emulator, a VNet with two VMs and two BIRD
// NVAs on loopback announcing one prefix each and one prefix both (an ECMP set); headless Chromium loads
// the page by its shareable addresses (#prefix=..., #vm=..., #view=convergence) and the test reads the DOM
// it rendered: the peers Established, a prefix search answering with both next hops and why, a peer's
// routes filtered by prefix, the VM's effective routes, the convergence plot drawn from the recorded
// events. With api.token set, the page's data requests without the token get 401 and the page says so;
// with #token=... it shows the data.
//
// Chromium (Debian `chromium`, installed by scripts/setup.sh) and BIRD 2 are required: without them the
// test fails and says which package is missing, it never passes silently.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "daemon/api/http_client.hpp"
#include "tests/control/server/support/nva.hpp"
#include "tests/control/session/support/test_support.hpp"
#include "tests/support/daemon_launcher.hpp"

namespace rf::testing {
namespace {

std::string chromium_binary() {
    return find_executable({"/usr/bin/chromium", "/usr/bin/chromium-browser"});
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

// The element with id `id` and everything up to its closing tag `</tag>` (flat enough for our markup).
std::string element(const std::string& dom, const std::string& id, const std::string& tag) {
    const auto start = dom.find("id=\"" + id + "\"");
    if (start == std::string::npos) {
        return {};
    }
    const auto end = dom.find("</" + tag + ">", start);
    return dom.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The table row of `key` ("data-peer=\"nva61\"") in `html`, up to </tr>.
std::string row(const std::string& html, const std::string& key) {
    const auto start = html.find(key);
    if (start == std::string::npos) {
        return {};
    }
    return html.substr(start, html.find("</tr>", start) - start);
}

class LookingGlassBrowser : public ::testing::Test {
protected:
    void SetUp() override {
        if (const std::string why = daemon_binaries_missing(); !why.empty()) {
            GTEST_SKIP() << why;
        }
        ASSERT_FALSE(chromium_binary().empty())
            << "chromium is not installed: the looking glass test needs headless Chromium (Debian package "
               "chromium; scripts/setup.sh installs it)";
    }

    // The page at `fragment` as headless Chromium renders it: the DOM after the view is drawn (the page
    // sets data-ready on <body>; a load is retried a few times when the page was not done in time).
    std::string render(const std::string& fragment) {
        const std::string url = "http://127.0.0.1:" + std::to_string(api_) + "/lg" + fragment;
        std::string dom;
        for (int attempt = 0; attempt < 3; ++attempt) {
            dom = run_capture(
                {chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu",
                 "--user-data-dir=" + dir_.file("chromium"), "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                 "--disable-sync", "--no-pings", "--disable-domain-reliability", "--disable-extensions",
                 "--virtual-time-budget=5000", "--dump-dom", url},
                30s);
            if (dom.find("data-ready=\"1\"") != std::string::npos) {
                break;
            }
        }
        return dom;
    }

    Result<api::ClientResponse, std::string> get(const std::string& target, const std::string& token = {}) {
        return api::http_request(api::ServerUrl{"127.0.0.1", api_}, "GET", target, {}, token);
    }
    std::string log() const { return read_file(dir_.file("rf.log")); }

    TempDir dir_{"rf-lg"};
    const std::string rs_ = loopback(20);  // inside RouteServerSubnet (the /27 at .0)
    const std::uint16_t port_ = free_port(rs_);
    const std::uint16_t api_ = free_port("127.0.0.1");
    Process daemon_;
};

struct Peer {
    int host;
    std::uint32_t asn;
};
constexpr Peer kNva1{61, 65061};
constexpr Peer kNva2{62, 65062};

TEST_F(LookingGlassBrowser, ShowsPeersEcmpSetWhyVmRoutesAndTheConvergencePlot) {
    if (bird_binary().empty()) {
        FAIL() << "BIRD 2 is not installed (Debian package bird2; scripts/setup.sh installs it)";
    }
    std::string peers;
    for (const Peer& p : {kNva1, kNva2}) {
        peers += "  - {name: nva" + std::to_string(p.host) + ", address: " + loopback(p.host) +
                 ", asn: " + std::to_string(p.asn) + "}\n";
    }
    const std::string rs_subnet = loopback(0);
    write_file(dir_.file("rf.yaml"),
               "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs_ +
                   "]\n  port: " + std::to_string(port_) + "\npeers:\n" + peers +
                   "virtual_network:\n  route_server_vnet: hub\n  vnets:\n"
                   "    - name: hub\n      address_spaces: [10.1.0.0/16, " +
                   rs_subnet +
                   "/24]\n      subnets:\n        - {name: RouteServerSubnet, prefix: " + rs_subnet +
                   "/27}\n        - {name: web, prefix: 10.1.1.0/24}\n  vms:\n"
                   "    - {name: web1, vnet: hub, subnet: web, nic_address: 10.1.1.20, host: 0}\n"
                   "    - {name: web2, vnet: hub, subnet: web, nic_address: 10.1.1.21, host: 1}\n"
                   "emulator:\n  enabled: true\n  workers: 1\napi:\n  port: " +
                   std::to_string(api_) + "\n");
    ASSERT_TRUE(start_routefabricd(daemon_, dir_.file("rf.yaml"), dir_.file("rf.log")));
    ASSERT_TRUE(wait_until([&] { return get("/api/v1/routeserver").has_value(); }, 20s, 100ms)) << log();

    // Two BIRD NVAs: 10.200.0.0/24 from both (equal AS-path length: one ECMP set), one prefix each.
    std::vector<std::unique_ptr<TempDir>> nva_dirs;  // destroyed after the NVAs stop
    std::vector<std::unique_ptr<Nva>> nvas;
    for (const Peer& p : {kNva1, kNva2}) {
        NvaSpec s;
        s.name = "nva" + std::to_string(p.host);
        s.address = loopback(p.host);
        s.router_id = "10.0.0." + std::to_string(p.host);
        s.asn = p.asn;
        s.rs_addresses = {rs_};
        s.rs_port = port_;
        const std::string nh = "100.64.0." + std::to_string(p.host);
        s.routes = {{"10.200.0.0/24", nh, {std::to_string(p.asn) + ":7"}, {}, 0},
                    {"10." + std::to_string(p.host) + ".0.0/24", nh, {}, {}, 0}};
        nvas.push_back(make_bird(std::move(s)));
        nva_dirs.push_back(std::make_unique<TempDir>("rf-lg-bird"));
        ASSERT_TRUE(nvas.back()->start(nva_dirs.back()->path().string()));
    }
    std::string rib;
    ASSERT_TRUE(wait_until(
        [&] {
            const auto r = get("/api/v1/rib/10.200.0.0%2F24");
            rib = r ? r->body : r.error();
            return r && r->status == 200 && rib.find("100.64.0.61") != std::string::npos &&
                   rib.find("100.64.0.62") != std::string::npos &&
                   rib.find("\"ecmp\": false") == std::string::npos;
        },
        30s, 200ms))
        << rib << log() << nvas[0]->log();
    std::string history;
    ASSERT_TRUE(wait_until(
        [&] {
            const auto r = get("/api/v1/emulator/convergence");
            history = r ? r->body : r.error();
            return history.find("\"seconds\"") != std::string::npos;
        },
        20s, 200ms))
        << "no complete convergence measurement: " << history;

    // The overview: both peers listed, Established.
    std::string dom = render("");
    const std::string peers_table = element(dom, "peers-table", "table");
    for (const Peer& p : {kNva1, kNva2}) {
        const std::string r = row(peers_table, "data-peer=\"nva" + std::to_string(p.host) + "\"");
        EXPECT_NE(r.find(loopback(p.host)), std::string::npos) << r;
        EXPECT_NE(r.find(">Established<"), std::string::npos) << r;
    }
    EXPECT_NE(dom.find("AS65515"), std::string::npos) << "the route server's line";

    // A prefix search: the ECMP set with both next hops, and why each path is where it is.
    dom = render("#prefix=10.200.0.0/24");
    const std::string set = element(dom, "ecmp-set", "p");
    EXPECT_NE(set.find("100.64.0.61"), std::string::npos) << set;
    EXPECT_NE(set.find("100.64.0.62"), std::string::npos) << set;
    EXPECT_NE(set.find("(2 next hops)"), std::string::npos) << set;
    const std::string paths = element(dom, "paths-table", "table");
    EXPECT_EQ(count(paths, "<tr class=\"best ecmp\""), 1U) << paths;
    EXPECT_EQ(count(paths, "<tr class=\"ecmp\""), 1U) << paths;
    EXPECT_NE(paths.find("best path"), std::string::npos) << paths;
    // nva61 has the lower BGP identifier (10.0.0.61): the tie was broken there.
    EXPECT_NE(row(paths, "data-peer=\"nva61\"").find("best path"), std::string::npos) << paths;
    EXPECT_NE(row(paths, "data-peer=\"nva62\"")
                  .find("in the ECMP set; ranked after the best by lower BGP "
                        "identifier of the advertising peer"),
              std::string::npos)
        << paths;
    EXPECT_NE(paths.find("65061:7"), std::string::npos) << "communities shown";

    // A peer's learned routes searched by prefix: the /16 finds the /24 inside it, not the other one.
    dom = render("#peer=nva61&routes=learned&filter=10.200.0.0/16");
    std::string routes = element(dom, "routes-table", "table");
    EXPECT_NE(routes.find("data-network=\"10.200.0.0/24\""), std::string::npos) << dom;
    EXPECT_EQ(routes.find("data-network=\"10.61.0.0/24\""), std::string::npos) << routes;
    // ... and an address finds the route that contains it.
    dom = render("#peer=nva61&routes=learned&filter=10.61.0.9");
    routes = element(dom, "routes-table", "table");
    EXPECT_NE(routes.find("data-network=\"10.61.0.0/24\""), std::string::npos) << dom;
    EXPECT_EQ(routes.find("data-network=\"10.200.0.0/24\""), std::string::npos) << routes;

    // A VM's effective routes: the BGP route with both next hops, and the VNet's own space.
    dom = render("#vm=web1");
    const std::string vm = element(dom, "vm-table", "table");
    const std::string bgp = row(vm, "10.200.0.0/24");
    EXPECT_NE(bgp.find("VirtualNetworkGateway"), std::string::npos) << vm;
    EXPECT_NE(bgp.find("100.64.0.61, 100.64.0.62"), std::string::npos) << vm;
    EXPECT_NE(vm.find("VnetLocal"), std::string::npos) << vm;

    // The convergence plot: an SVG with a line through one point per complete measurement.
    dom = render("#view=convergence");
    const std::string plot = element(dom, "convergence-plot", "svg");
    ASSERT_FALSE(plot.empty()) << dom;
    EXPECT_GE(count(plot, "<circle class=\"point\""), 1U) << plot;
    EXPECT_NE(plot.find("class=\"series\" d=\"M"), std::string::npos) << plot;
    EXPECT_NE(element(dom, "convergence-table", "table").find("update 10."), std::string::npos) << dom;
    EXPECT_NE(element(dom, "error", "div").find(" hidden"), std::string::npos)
        << "an error was shown: " << dom;
}

TEST_F(LookingGlassBrowser, WithATokenDataNeedsItAndThePageSaysSo) {
    write_file(dir_.file("rf.yaml"),
               "route_server:\n  router_id: 10.255.0.1\n  listen: [" + rs_ + "]\n  port: " +
                   std::to_string(port_) + "\npeers:\n  - {name: nva63, address: " + loopback(63) +
                   ", asn: 65063}\napi:\n  port: " + std::to_string(api_) + "\n  token: lg-s3cret\n");
    ASSERT_TRUE(start_routefabricd(daemon_, dir_.file("rf.yaml"), dir_.file("rf.log"), {"--no-fib"}));
    ASSERT_TRUE(wait_until([&] { return get("/lg").has_value(); }, 20s, 100ms)) << log();
    const auto page = get("/lg");
    EXPECT_EQ(page->status, 200U);  // the page holds no data
    const auto data = get("/api/v1/peerings");
    EXPECT_EQ(data->status, 401U) << data->body;
    EXPECT_EQ(get("/api/v1/peerings", "lg-s3cret")->status, 200U);

    std::string dom = render("");
    const std::string error = element(dom, "error", "div");
    EXPECT_NE(error.find("401 Unauthorized"), std::string::npos) << dom;
    EXPECT_NE(error.find("needs its API token"), std::string::npos) << error;
    EXPECT_EQ(dom.find("data-peer=\"nva63\""), std::string::npos) << "no data without the token";

    // The token in the fragment (never a query string): the data shows, the error is gone.
    dom = render("#token=lg-s3cret");
    EXPECT_NE(row(element(dom, "peers-table", "table"), "data-peer=\"nva63\"").find(loopback(63)),
              std::string::npos)
        << dom;
    EXPECT_NE(element(dom, "error", "div").find(" hidden"), std::string::npos) << dom;
    // A wrong token is refused like a missing one.
    dom = render("#token=wrong");
    EXPECT_NE(element(dom, "error", "div").find("401 Unauthorized"), std::string::npos) << dom;
}

}  // namespace
}  // namespace rf::testing
