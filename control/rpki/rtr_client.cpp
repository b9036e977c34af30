#include "control/rpki/rtr_client.hpp"

// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/post.hpp>
// clang-format on
#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <mutex>
#include <type_traits>

extern "C" {
#include <rtrlib/rtrlib.h>
}

namespace rf::rpki {

std::string_view to_string(CacheState s) {
    switch (s) {
        case CacheState::Standby:
            return "standby";
        case CacheState::Connecting:
            return "connecting";
        case CacheState::Syncing:
            return "syncing";
        case CacheState::Established:
            return "established";
        case CacheState::Error:
            return "error";
        case CacheState::Shutdown:
            return "shutdown";
    }
    return "standby";
}

namespace {

CacheState cache_state(rtr_socket_state s) {
    switch (s) {
        case RTR_CONNECTING:
        case RTR_FAST_RECONNECT:
            return CacheState::Connecting;
        case RTR_RESET:
        case RTR_SYNC:
            return CacheState::Syncing;
        case RTR_ESTABLISHED:
            return CacheState::Established;
        case RTR_ERROR_NO_DATA_AVAIL:
        case RTR_ERROR_NO_INCR_UPDATE_AVAIL:
        case RTR_ERROR_FATAL:
        case RTR_ERROR_TRANSPORT:
            return CacheState::Error;
        case RTR_SHUTDOWN:
            return CacheState::Shutdown;
        case RTR_CLOSED:
            return CacheState::Standby;
    }
    return CacheState::Error;
}

// rtrlib keeps addresses as host-order words.
net::Prefix to_prefix(const lrtr_ip_addr& a, std::uint8_t length) {
    std::array<std::uint8_t, 16> bytes{};
    if (a.ver == LRTR_IPV4) {
        for (std::size_t i = 0; i < 4; ++i) {
            bytes[i] = static_cast<std::uint8_t>(a.u.addr4.addr >> (24 - 8 * i));
        }
        return net::Prefix::make(net::Afi::Ipv4, length, bytes.data(), 4);
    }
    for (std::size_t i = 0; i < 16; ++i) {
        bytes[i] = static_cast<std::uint8_t>(a.u.addr6.addr[i / 4] >> (24 - 8 * (i % 4)));
    }
    return net::Prefix::make(net::Afi::Ipv6, length, bytes.data(), 16);
}

}  // namespace

// One rtrlib socket and what its callbacks need to find their client. rtr_socket comes first and the
// struct is standard-layout, so the rtr_socket pointer rtrlib passes back converts to the slot.
struct SocketSlot {
    rtr_socket socket;
    RtrClient::Shared* shared;
    std::size_t cache;
};
static_assert(std::is_standard_layout_v<SocketSlot>);

struct RtrClient::Shared {
    Shared(boost::asio::io_context& io_context, BatchHandler h) : io(io_context), handler(std::move(h)) {}

    boost::asio::io_context& io;
    BatchHandler handler;
    std::weak_ptr<Shared> self;

    std::mutex mutex;  // guards everything below
    std::map<std::pair<std::size_t, Roa>, int> pending_roas;
    std::vector<CacheStatus> pending_statuses;
    bool posted = false;
    bool closed = false;

    // On an rtrlib thread (or the io thread inside stop()). Caller holds `mutex`.
    void schedule() {
        if (posted || closed) {
            return;
        }
        posted = true;
        boost::asio::post(io, [s = self.lock()] { s->deliver(); });
    }

    void deliver() {
        RtrBatch batch;
        {
            std::lock_guard<std::mutex> lock(mutex);
            posted = false;
            if (closed) {
                return;
            }
            batch.roas.reserve(pending_roas.size());
            for (const auto& [key, delta] : pending_roas) {
                batch.roas.push_back(RoaDelta{key.second, key.first, delta});
            }
            pending_roas.clear();
            batch.statuses.swap(pending_statuses);
        }
        handler(std::move(batch));
    }
};

struct RtrClient::Rtrlib {
    std::vector<std::unique_ptr<SocketSlot>> slots;  // by cache index
    std::vector<std::unique_ptr<tr_socket>> transports;
    std::vector<std::string> hosts, ports;
    std::vector<std::vector<rtr_socket*>> group_sockets;
    std::vector<rtr_mgr_group> groups;
    rtr_mgr_config* mgr = nullptr;
    bool started = false;
};

namespace {

void on_roa(pfx_table* /*table*/, const pfx_record record, const bool added) {
    const auto* slot = reinterpret_cast<const SocketSlot*>(record.socket);  // NOLINT: see SocketSlot
    if (slot == nullptr) {
        return;  // a record rtrlib added by itself: none are, every record comes from a socket
    }
    Roa roa{to_prefix(record.prefix, record.min_len), record.max_len, record.asn};
    RtrClient::Shared& s = *slot->shared;
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.closed) {
        return;  // stopping: rtrlib empties its table, nobody listens any more
    }
    auto [it, inserted] = s.pending_roas.try_emplace({slot->cache, roa}, 0);
    it->second += added ? 1 : -1;
    if (it->second == 0) {
        s.pending_roas.erase(it);  // added and removed again before the io thread saw it
    }
    s.schedule();
}

void on_status(const rtr_mgr_group* /*group*/, rtr_mgr_status /*status*/, const rtr_socket* socket,
               void* /*data*/) {
    if (socket == nullptr) {
        return;
    }
    // Ours: the slot is not a const object (NOLINT: see SocketSlot).
    auto* slot = const_cast<SocketSlot*>(reinterpret_cast<const SocketSlot*>(socket));  // NOLINT
    if (socket->state == RTR_ERROR_FATAL) {
        // RFC 8210 §5.1: after a protocol error (above all a Session ID mismatch: the cache restarted) the
        // router starts over with a Reset Query. rtrlib 0.8 would send Serial Queries with the old session
        // forever; asking for a new session makes its next connection reset, and it swaps the new table in
        // atomically (a diff of adds and removes). We are on the socket's own thread here.
        slot->socket.request_session_id = true;
    }
    CacheStatus st;
    st.cache = slot->cache;
    st.state = cache_state(socket->state);
    st.detail = rtr_state_to_str(socket->state);
    st.serial = socket->serial_number;
    st.session_id = socket->session_id;
    st.synced = socket->state == RTR_ESTABLISHED && socket->last_update != 0;
    st.at = std::chrono::steady_clock::now();
    RtrClient::Shared& s = *slot->shared;
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.closed) {
        return;
    }
    s.pending_statuses.push_back(std::move(st));
    s.schedule();
}

}  // namespace

RtrClient::RtrClient(boost::asio::io_context& io, RtrConfig config, BatchHandler handler)
    : config_(std::move(config)), shared_(std::make_shared<Shared>(io, std::move(handler))) {
    shared_->self = shared_;
}

RtrClient::~RtrClient() {
    stop();
}

std::optional<std::string> RtrClient::start() {
    if (rtr_ || shared_->closed) {
        return std::string("an RTR client starts once");
    }
    if (config_.caches.empty()) {
        return std::string("no RPKI cache configured");
    }
    auto r = std::make_unique<Rtrlib>();
    const std::size_t n = config_.caches.size();
    r->hosts.reserve(n);
    r->ports.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const CacheConfig& c = config_.caches[i];
        r->hosts.push_back(c.address);
        r->ports.push_back(std::to_string(c.port));
        tr_tcp_config tcp{};
        tcp.host = r->hosts.back().data();
        tcp.port = r->ports.back().data();
        tcp.bindaddr = nullptr;
        tcp.connect_timeout = 0;  // rtrlib's default
        auto tr = std::make_unique<tr_socket>();
        std::memset(tr.get(), 0, sizeof(tr_socket));
        if (tr_tcp_init(&tcp, tr.get()) != TR_SUCCESS) {
            for (auto& t : r->transports) {
                t->free_fp(t.get());  // tr_free is not exported
            }
            return "rpki.caches[" + std::to_string(i) + "]: rtrlib cannot set up a TCP transport to " +
                   c.address;
        }
        auto slot = std::make_unique<SocketSlot>();
        std::memset(&slot->socket, 0, sizeof(rtr_socket));
        slot->socket.tr_socket = tr.get();
        slot->shared = shared_.get();
        slot->cache = i;
        r->transports.push_back(std::move(tr));
        r->slots.push_back(std::move(slot));
    }
    // One group per preference, its caches all used at once.
    std::vector<std::uint8_t> prefs;
    for (const auto& c : config_.caches) {
        prefs.push_back(c.preference);
    }
    std::sort(prefs.begin(), prefs.end());
    prefs.erase(std::unique(prefs.begin(), prefs.end()), prefs.end());
    r->group_sockets.resize(prefs.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto g =
            std::lower_bound(prefs.begin(), prefs.end(), config_.caches[i].preference) - prefs.begin();
        r->group_sockets[static_cast<std::size_t>(g)].push_back(&r->slots[i]->socket);
    }
    for (std::size_t g = 0; g < prefs.size(); ++g) {
        rtr_mgr_group group{};
        group.sockets = r->group_sockets[g].data();
        group.sockets_len = static_cast<unsigned>(r->group_sockets[g].size());
        group.preference = prefs[g];
        r->groups.push_back(group);
    }
    const int rc = rtr_mgr_init(&r->mgr, r->groups.data(), static_cast<unsigned>(r->groups.size()),
                                config_.refresh_interval, config_.expire_interval, config_.retry_interval,
                                &on_roa, nullptr, &on_status, nullptr);
    if (rc != RTR_SUCCESS || r->mgr == nullptr) {
        for (auto& t : r->transports) {
            t->free_fp(t.get());  // tr_free is not exported
        }
        return std::string(
            "rtrlib refused the RPKI configuration (intervals: refresh 1..86400, retry "
            "1..7200, expire 600..172800 seconds)");
    }
    if (rtr_mgr_start(r->mgr) != RTR_SUCCESS) {
        rtr_mgr_stop(r->mgr);
        rtr_mgr_free(r->mgr);
        return std::string("rtrlib could not start its cache connections");
    }
    r->started = true;
    rtr_ = std::move(r);
    return std::nullopt;
}

void RtrClient::stop() {
    {
        std::lock_guard<std::mutex> lock(shared_->mutex);
        shared_->closed = true;
        shared_->pending_roas.clear();
        shared_->pending_statuses.clear();
    }
    if (!rtr_) {
        return;
    }
    rtr_mgr_stop(rtr_->mgr);  // joins the cache threads; their last callbacks find the client closed
    rtr_mgr_free(rtr_->mgr);  // frees the transports' own state too (tr_free)
    rtr_.reset();
}

}  // namespace rf::rpki
