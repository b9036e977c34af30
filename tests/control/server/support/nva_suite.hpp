// What the interop suites (interop_test, ipv6_interop_test) do alike with their NVAs: start them in
// folders of their own, stop them with the route server and, when a test failed, show what the route
// server and each NVA logged; wait for a route to reach (or leave) an NVA.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/control/server/support/nva.hpp"
#include "tests/control/server/support/rs_harness.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {

// An NVA at `address` with router id 10.0.0.`host`, announcing `routes` to the route-server addresses
// `rs_addresses` on `rs_port`.
inline NvaSpec nva_spec(const char* name, std::string address, int host, std::uint32_t asn,
                        std::vector<NvaRoute> routes, std::vector<std::string> rs_addresses,
                        std::uint16_t rs_port) {
    NvaSpec s;
    s.name = name;
    s.address = std::move(address);
    s.router_id = "10.0.0." + std::to_string(host);
    s.asn = asn;
    s.rs_addresses = std::move(rs_addresses);
    s.rs_port = rs_port;
    s.routes = std::move(routes);
    return s;
}

// Starts every NVA in its own folder under `dir`. Returns why the suite must be skipped ("" when every
// one started).
inline std::string start_nvas(const std::vector<Nva*>& nvas, TempDir& dir) {
    for (Nva* n : nvas) {
        const std::string d = dir.file(n->spec().name);
        std::filesystem::create_directories(d);
        if (!n->start(d)) {
            return "could not start " + n->spec().name;
        }
    }
    return "";
}

// Stops the NVAs (null ones are skipped) and the route server; after a failed test, prints the route
// server's transitions and log lines and the tail of each NVA's log.
inline void stop_nvas(const std::vector<Nva*>& nvas, RsHarness* rs) {
    for (Nva* n : nvas) {
        if (n != nullptr) {
            n->stop();
        }
    }
    if (rs != nullptr) {
        rs->shutdown();
    }
    if (::testing::UnitTest::GetInstance()->failed_test_count() == 0) {
        return;
    }
    if (rs != nullptr) {
        for (const auto& t : rs->transitions()) {
            std::fprintf(stderr, "  rs: %s\n", t.c_str());
        }
        for (const auto& t : rs->log_lines()) {
            std::fprintf(stderr, "  rs log: %s\n", t.c_str());
        }
    }
    for (Nva* n : nvas) {
        if (n != nullptr) {
            const std::string log = n->log();
            std::fprintf(stderr, "---- %s log (tail)\n%s\n", n->spec().name.c_str(),
                         (log.size() > 3000 ? log.substr(log.size() - 3000) : log).c_str());
        }
    }
}

// `prefix` is in n's routes (or, with present = false, is gone) within `timeout`.
inline void expect_route_at(Nva* n, const std::string& prefix, bool present,
                            std::chrono::milliseconds timeout) {
    using namespace std::chrono_literals;
    EXPECT_TRUE(wait_until([&] { return n->has_route(prefix) == present; }, timeout, 200ms))
        << n->kind() << (present ? " lacks " : " still has ") << prefix << "\n"
        << n->show_route(prefix);
}

}  // namespace rf::testing
