#include "control/rpki/origin_validation.hpp"

#include <algorithm>
#include <map>

namespace rf::rpki {

using Clock = std::chrono::steady_clock;

OriginValidation::OriginValidation(boost::asio::io_context& io, RtrConfig config,
                                   std::function<void(RtrBatch)> on_batch)
    : client_(io, config, [this](RtrBatch b) { on_batch_(std::move(b)); }),
      on_batch_(std::move(on_batch)),
      expiry_(io) {
    for (const auto& c : config.caches) {
        CacheInfo info;
        info.config = c;
        caches_.push_back(std::move(info));
    }
}

OriginValidation::~OriginValidation() {
    *alive_ = false;
    expiry_.cancel();
    client_.stop();
}

std::optional<std::string> OriginValidation::start() {
    return client_.start();
}

bool OriginValidation::usable_at(const std::vector<CacheInfo>& caches, Clock::time_point now) const {
    const auto expire = std::chrono::seconds(client_.config().expire_interval);
    return std::any_of(caches.begin(), caches.end(), [&](const CacheInfo& c) {
        if (!c.last_sync) {
            return false;
        }
        return c.state == CacheState::Established || now - *c.last_sync < expire;
    });
}

namespace {

void apply_statuses(std::vector<CacheInfo>& caches, const std::vector<CacheStatus>& statuses) {
    for (const CacheStatus& s : statuses) {
        if (s.cache >= caches.size()) {
            continue;
        }
        CacheInfo& c = caches[s.cache];
        c.state = s.state;
        c.detail = s.detail;
        c.serial = s.serial;
        c.session_id = s.session_id;
        if (s.synced) {
            c.last_sync = s.at;
        }
    }
}

}  // namespace

OriginValidation::Plan OriginValidation::prepare(const RtrBatch& batch) const {
    Plan plan;
    plan.usable_before = usable_;
    std::map<Roa, int> net;
    for (const RoaDelta& d : batch.roas) {
        net[d.roa] += d.delta;
    }
    for (const auto& [roa, delta] : net) {
        const std::uint32_t now = table_.occurrences(roa);
        const auto after = static_cast<std::int64_t>(now) + delta;
        if ((now == 0) != (after <= 0)) {
            plan.changed.add(roa);
        }
    }
    auto caches = caches_;
    apply_statuses(caches, batch.statuses);
    plan.usable_after = usable_at(caches, Clock::now());
    return plan;
}

void OriginValidation::commit(const RtrBatch& batch) {
    for (const RoaDelta& d : batch.roas) {
        for (int i = 0; i < d.delta; ++i) {
            table_.add(d.roa);
        }
        for (int i = 0; i > d.delta; --i) {
            table_.remove(d.roa);
        }
        if (d.cache < caches_.size()) {
            auto& n = caches_[d.cache].roas;
            n = d.delta >= 0 ? n + static_cast<std::size_t>(d.delta)
                             : n - std::min(n, static_cast<std::size_t>(-d.delta));
        }
    }
    apply_statuses(caches_, batch.statuses);
    usable_ = usable_at(caches_, Clock::now());
    ever_synced_ = ever_synced_ || usable_;
    arm_expiry();
}

void OriginValidation::arm_expiry() {
    // The next instant a cache's table expires while it is not synchronised: then the table may become
    // unusable without rtrlib saying anything.
    std::optional<Clock::time_point> next;
    const auto expire = std::chrono::seconds(client_.config().expire_interval);
    for (const auto& c : caches_) {
        if (c.last_sync && c.state != CacheState::Established) {
            const auto at = *c.last_sync + expire;
            if (at > Clock::now() && (!next || at < *next)) {
                next = at;
            }
        }
    }
    expiry_.cancel();
    if (!next) {
        return;
    }
    expiry_.expires_at(*next);
    expiry_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (!ec && *alive) {
            on_batch_(RtrBatch{});  // nothing new from the caches; time alone may end the table's use
        }
    });
}

RpkiStatus OriginValidation::status() const {
    RpkiStatus s;
    s.usable = usable_;
    s.roas_v4 = table_.size(net::Afi::Ipv4);
    s.roas_v6 = table_.size(net::Afi::Ipv6);
    s.caches = caches_;
    s.config = client_.config();
    const bool synced = std::any_of(caches_.begin(), caches_.end(), [](const CacheInfo& c) {
        return c.state == CacheState::Established && c.last_sync;
    });
    if (!ever_synced_) {
        s.state = "connecting";
    } else if (!usable_) {
        s.state = "expired";
    } else {
        s.state = synced ? "synced" : "stale";
    }
    return s;
}

}  // namespace rf::rpki
