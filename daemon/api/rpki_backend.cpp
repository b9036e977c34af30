#include "daemon/api/rpki_backend.hpp"

#include <chrono>
#include <string>

namespace rf::api {

RpkiInfo rpki_info(const server::RouteServer& server, bool count_routes) {
    RpkiInfo info;
    const auto status = server.rpki_status();
    if (!status) {
        return info;
    }
    info.enabled = true;
    info.state = status->state;
    info.usable = status->usable;
    info.roas_v4 = status->roas_v4;
    info.roas_v6 = status->roas_v6;
    info.refresh_interval = status->config.refresh_interval;
    info.retry_interval = status->config.retry_interval;
    info.expire_interval = status->config.expire_interval;
    const auto now = std::chrono::steady_clock::now();
    for (const rpki::CacheInfo& c : status->caches) {
        RpkiCacheInfo out;
        out.address = c.config.address;
        out.port = c.config.port;
        out.preference = c.config.preference;
        out.state = std::string(rpki::to_string(c.state));
        out.detail = c.detail;
        out.serial = c.serial;
        out.session_id = c.session_id;
        out.roas = c.roas;
        if (c.last_sync) {
            out.seconds_since_sync = static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::seconds>(now - *c.last_sync).count());
        }
        info.caches.push_back(std::move(out));
    }
    if (count_routes) {
        const server::RpkiRouteCounts counts = server.rpki_route_counts();
        info.routes_valid = counts.valid;
        info.routes_invalid = counts.invalid;
        info.routes_not_found = counts.not_found;
        info.routes_unknown = counts.unknown;
    }
    const server::RpkiCounters& rc = server.rpki_counters();
    info.paths_revalidated = rc.paths_revalidated;
    info.validity_changes = rc.validity_changes;
    const auto by = [&](rpki::Validity v) { return rc.revalidated_by_validity[static_cast<std::size_t>(v)]; };
    info.revalidated_valid = by(rpki::Validity::Valid);
    info.revalidated_invalid = by(rpki::Validity::Invalid);
    info.revalidated_not_found = by(rpki::Validity::NotFound);
    info.revalidated_unknown = by(rpki::Validity::Unknown);
    return info;
}

void publish_rpki_metrics(metrics::Registry& r, const RpkiInfo& info) {
    r.gauge("routefabric_rpki_usable",
            "1 while the ROA table is used to validate routes (a cache synchronised "
            "within the expire interval), else 0: routes are unknown")
        .set(info.usable ? 1 : 0);
    r.gauge("routefabric_rpki_roas", "ROAs in the table, by family", {{"family", "ipv4"}})
        .set(static_cast<double>(info.roas_v4));
    r.gauge("routefabric_rpki_roas", "ROAs in the table, by family", {{"family", "ipv6"}})
        .set(static_cast<double>(info.roas_v6));
    r.clear_gauge_family("routefabric_rpki_cache_up");
    r.clear_gauge_family("routefabric_rpki_cache_serial");
    r.clear_gauge_family("routefabric_rpki_cache_roas");
    for (const RpkiCacheInfo& c : info.caches) {
        const metrics::Labels l{{"cache", c.address + ":" + std::to_string(c.port)},
                                {"preference", std::to_string(c.preference)}};
        r.gauge("routefabric_rpki_cache_up", "1 while the RTR cache is synchronised (established), else 0", l)
            .set(c.state == "established" ? 1 : 0);
        r.gauge("routefabric_rpki_cache_serial", "The RTR cache's serial number last synchronised", l)
            .set(static_cast<double>(c.serial));
        r.gauge("routefabric_rpki_cache_roas", "ROAs the RTR cache delivers now", l)
            .set(static_cast<double>(c.roas));
    }
    const char* help = "Held paths validated again after a ROA change or an expiry, by the validity they got";
    r.counter("routefabric_rpki_revalidated_paths_total", help, {{"validity", "valid"}})
        .set(info.revalidated_valid);
    r.counter("routefabric_rpki_revalidated_paths_total", help, {{"validity", "invalid"}})
        .set(info.revalidated_invalid);
    r.counter("routefabric_rpki_revalidated_paths_total", help, {{"validity", "not-found"}})
        .set(info.revalidated_not_found);
    r.counter("routefabric_rpki_revalidated_paths_total", help, {{"validity", "unknown"}})
        .set(info.revalidated_unknown);
    r.counter("routefabric_rpki_validity_changes_total", "Re-validated paths whose validity changed")
        .set(info.validity_changes);
}

}  // namespace rf::api
