// routefabric_rpki_*: what publish_rpki_metrics renders from the route server's RPKI state, that held
// routes by validity are not among them (a RIB walk per scrape), and that a cache that left the
// configuration leaves no series behind.
#include <gtest/gtest.h>

#include "daemon/api/rpki_backend.hpp"

namespace rf::api {
namespace {

RpkiInfo two_caches() {
    RpkiInfo r;
    r.enabled = true;
    r.state = "synced";
    r.usable = true;
    r.roas_v4 = 10;
    r.roas_v6 = 2;
    r.caches.push_back({"192.0.2.10", 8282, 1, "established", "RTR_ESTABLISHED", 7, 1, 12, 3});
    r.caches.push_back({"192.0.2.11", 8282, 2, "standby", "", 0, 0, 0, std::nullopt});
    r.routes_valid = 4;
    r.routes_invalid = 1;
    r.routes_not_found = 6;
    r.paths_revalidated = 9;
    r.validity_changes = 2;
    r.revalidated_valid = 5;
    r.revalidated_not_found = 4;
    return r;
}

bool has(const std::string& text, const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
}

TEST(RpkiMetrics, RenderTheTableTheCachesAndTheRoutesByValidity) {
    metrics::Registry registry;
    publish_rpki_metrics(registry, two_caches());
    const std::string t = registry.render();
    EXPECT_TRUE(has(t, "routefabric_rpki_usable 1")) << t;
    EXPECT_TRUE(has(t, "routefabric_rpki_roas{family=\"ipv4\"} 10")) << t;
    EXPECT_TRUE(has(t, "routefabric_rpki_cache_up{cache=\"192.0.2.10:8282\",preference=\"1\"} 1")) << t;
    EXPECT_TRUE(has(t, "routefabric_rpki_cache_up{cache=\"192.0.2.11:8282\",preference=\"2\"} 0")) << t;
    EXPECT_TRUE(has(t, "routefabric_rpki_cache_serial{cache=\"192.0.2.10:8282\",preference=\"1\"} 7")) << t;
    EXPECT_TRUE(has(t, "routefabric_rpki_revalidated_paths_total{validity=\"not-found\"} 4")) << t;
    EXPECT_TRUE(has(t, "routefabric_rpki_revalidated_paths_total{validity=\"invalid\"} 0")) << t;
    EXPECT_EQ(t.find("routefabric_rpki_routes"), std::string::npos) << "no RIB walk per scrape";
    EXPECT_TRUE(has(t, "routefabric_rpki_validity_changes_total 2")) << t;
    EXPECT_TRUE(has(t, "# TYPE routefabric_rpki_revalidated_paths_total counter")) << t;

    RpkiInfo one = two_caches();
    one.caches.pop_back();
    one.usable = false;
    publish_rpki_metrics(registry, one);
    const std::string after = registry.render();
    EXPECT_TRUE(has(after, "routefabric_rpki_usable 0")) << after;
    EXPECT_EQ(after.find("192.0.2.11"), std::string::npos) << after;
}

}  // namespace
}  // namespace rf::api
