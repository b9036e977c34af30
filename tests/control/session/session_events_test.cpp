// The session → owner boundary without a RIB: a Session driven through a fake SessionOwner over loopback
// TCP. What the session reports (established with what the OPENs negotiated, the UPDATEs of one read as
// one batch, ROUTE-REFRESH, down), in which order, and how it carries out its owner's commands (send,
// drop for the route limit, stop). One thread: the test runs the io_context itself between the peer's
// writes and reads, so nothing waits for a timer.
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/session/session.hpp"
#include "tests/control/session/support/raw_peer.hpp"
#include "tests/control/session/support/test_support.hpp"

namespace rf::session {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

constexpr bgp::AfiSafi kV4{net::Afi::Ipv4, net::Safi::Unicast};
constexpr bgp::AfiSafi kV6{net::Afi::Ipv6, net::Safi::Unicast};

// Records every event, and answers them the way the test asks.
class RecordingOwner final : public SessionOwner {
public:
    std::vector<std::string> events;  // "established", "updates N", "route-refresh AFI/SAFI", "down", "input"
    std::vector<TransitionRecord> transitions;
    std::optional<EstablishedSession> negotiated;
    std::vector<bgp::Update> updates;  // every UPDATE taken, in order
    std::vector<TimePoint> read_at;    // per batch

    std::vector<bgp::SharedMessage> initial_table;  // sent when the session is established
    std::size_t drop_at = 0;  // drop for the route limit at this UPDATE (1-based); 0: never

    void on_established(Session& session, const EstablishedSession& n) override {
        events.emplace_back("established");
        negotiated = n;
        session.send_messages(initial_table);
    }
    std::size_t on_updates(Session& session, UpdateBatch& batch) override {
        events.push_back("updates " + std::to_string(batch.updates.size()));
        read_at.push_back(batch.read_at);
        for (std::size_t i = 0; i < batch.updates.size(); ++i) {
            updates.push_back(batch.updates[i].update);
            if (updates.size() == drop_at) {
                session.drop_for_route_limit(kV4, 1001, 1000);
                return i + 1;
            }
        }
        return batch.updates.size();
    }
    void on_route_refresh(Session& /*session*/, bgp::AfiSafi family) override {
        events.push_back("route-refresh " + std::to_string(static_cast<int>(family.afi)) + "/" +
                         std::to_string(static_cast<int>(family.safi)));
    }
    void on_refresh_begin(Session& /*session*/, bgp::AfiSafi family) override {
        events.push_back("borr " + std::to_string(static_cast<int>(family.afi)));
    }
    void on_refresh_end(Session& /*session*/, bgp::AfiSafi family, bool timed_out) override {
        events.push_back(std::string(timed_out ? "eorr-timeout " : "eorr ") +
                         std::to_string(static_cast<int>(family.afi)));
    }
    void on_down(Session& /*session*/, TimePoint /*at*/, const DownCause& cause) override {
        events.emplace_back("down");
        down_cause = cause;
    }
    std::optional<DownCause> down_cause;
    void on_input_handled(Session& /*session*/) override { events.emplace_back("input"); }
    void on_transition(const TransitionRecord& record) override { transitions.push_back(record); }
    void on_log(const std::string& /*line*/) override {}

    // The events other than "input" (which closes every read and timer).
    [[nodiscard]] std::vector<std::string> reports() const {
        std::vector<std::string> out;
        for (const auto& e : events) {
            if (e != "input") {
                out.push_back(e);
            }
        }
        return out;
    }
};

Bytes update_for(const std::string& prefix) {
    bgp::Update u;
    u.attributes.origin = bgp::Origin::Igp;
    u.attributes.as_path = bgp::AsPath{{{bgp::AsSegmentType::Sequence, {65001}}}};
    u.attributes.next_hop = *net::Ipv4Address::parse("10.0.0.2");
    u.nlri.push_back({*net::Prefix::parse(prefix), 0});
    Bytes out;
    EXPECT_TRUE(bgp::encode_update(u, bgp::CodecOptions{}, out));
    return out;
}

Bytes route_refresh(bgp::AfiSafi family, std::uint8_t subtype = bgp::refresh_subtype::Normal) {
    Bytes out;
    bgp::encode_route_refresh(bgp::RouteRefresh{family, subtype}, out);
    return out;
}

// The peer's OPEN with enhanced route refresh (RFC 7313) and extended messages (RFC 8654) too.
bgp::Open enhanced_open() {
    bgp::Open o = testing::RawPeer::dual_stack_open(65001, "10.0.0.2");
    o.capabilities.enhanced_route_refresh = true;
    o.capabilities.extended_message = true;
    return o;
}

Bytes notification(std::uint8_t code, std::uint8_t subcode) {
    Bytes out;
    bgp::encode_notification(bgp::Notification{code, subcode, {}}, out);
    return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

std::uint8_t type_of(const Bytes& m) {
    return m[18];
}

class SessionEvents : public ::testing::Test {
protected:
    SessionEvents() {
        const asio::ip::tcp::endpoint local(asio::ip::make_address(testing::loopback(1)), 0);
        acceptor_.open(local.protocol());
        acceptor_.bind(local);
        acceptor_.listen();
        peer_settings_.name = "nva1";
        peer_settings_.address = *net::IpAddress::parse(testing::loopback(2));
        peer_settings_.asn = 65001;
        peer_settings_.add_path = bgp::AddPathMode::Both;
    }
    ~SessionEvents() override {
        if (session_socket_ >= 0) {
            ::close(session_socket_);
        }
        session_.reset();
        io_.restart();
        io_.run_for(50ms);  // let the closing connection finish
    }

    void start_session(std::size_t max_output_bytes = std::size_t{1} << 20U) {
        SessionConfig c;
        c.local = *net::IpAddress::parse(testing::loopback(1));
        c.fsm.passive = true;
        c.local_open = make_local_open(azure::kRouteServerAsn, *net::Ipv4Address::parse("10.0.0.1"), 180);
        c.open_policy.local_asn = azure::kRouteServerAsn;
        c.open_policy.local_id = *net::Ipv4Address::parse("10.0.0.1");
        c.max_output_bytes = max_output_bytes;
        c.refresh_stale_time = refresh_stale_time_;
        c.id = 7;
        c.neighbor = 3;
        session_ = std::make_shared<Session>(
            io_, owner_, std::make_shared<const PeerSettings>(peer_settings_), std::move(c));
        session_->start();
        const asio::ip::tcp::endpoint rs(acceptor_.local_endpoint());
        peer_.open(asio::ip::tcp::v4());
        peer_.bind({asio::ip::make_address(testing::loopback(2)), 0});
        peer_.connect(rs);
        asio::ip::tcp::socket accepted(io_);
        acceptor_.accept(accepted);
        session_socket_ = ::dup(accepted.native_handle());
        session_->accept(std::move(accepted));
    }

    // Runs the io_context until `pred` holds (bounded).
    bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5000ms) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (!pred()) {
            if (std::chrono::steady_clock::now() > end) {
                return false;
            }
            io_.restart();
            io_.run_for(2ms);
        }
        return true;
    }

    // The next whole message the session sent (the io_context runs meanwhile); nullopt on timeout/close.
    std::optional<Bytes> next_message(std::chrono::milliseconds timeout = 5000ms) {
        const auto whole = [this]() {
            return in_.size() >= bgp::kHeaderSize &&
                   in_.size() >= ((std::size_t{in_[16]} << 8U) | std::size_t{in_[17]});
        };
        const bool got = run_until(
            [&]() {
                boost::system::error_code ec;
                const std::size_t n = peer_.available(ec);
                if (!ec && n > 0) {
                    Bytes chunk(n);
                    asio::read(peer_, asio::buffer(chunk), ec);
                    in_.insert(in_.end(), chunk.begin(), chunk.end());
                }
                return whole() || ec;
            },
            timeout);
        if (!got || !whole()) {
            return std::nullopt;
        }
        const std::size_t len = (std::size_t{in_[16]} << 8U) | std::size_t{in_[17]};
        Bytes m(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(len));
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(len));
        return m;
    }

    std::optional<bgp::Notification> next_notification() {
        while (auto m = next_message()) {
            if (type_of(*m) == static_cast<std::uint8_t>(bgp::MessageType::Notification)) {
                auto d = bgp::decode_message(*m, bgp::CodecOptions{});
                if (d) {
                    if (auto* n = std::get_if<bgp::Notification>(&*d)) {
                        return *n;
                    }
                }
                return std::nullopt;
            }
        }
        return std::nullopt;
    }

    // Writes `bytes` and waits (bounded) until the session's socket holds them all, so that the session
    // reads them in one read: the io_context does not run meanwhile.
    void send_at_once(const Bytes& bytes) {
        ASSERT_LT(bytes.size(), bgp::kMaxMessageSize);  // fits the session's first read buffer
        asio::write(peer_, asio::buffer(bytes));
        ASSERT_TRUE(testing::wait_until(
            [&]() {
                int queued = 0;
                return ::ioctl(session_socket_, FIONREAD, &queued) == 0 &&
                       static_cast<std::size_t>(queued) >= bytes.size();
            },
            5000ms, 1ms));
    }

    // OPEN → OPEN, KEEPALIVE → KEEPALIVE, the peer's OPEN being `open`.
    void establish(const bgp::Open& open = testing::RawPeer::dual_stack_open(65001, "10.0.0.2")) {
        start_session();
        asio::write(peer_, asio::buffer(testing::RawPeer::open_message(open)));
        auto m = next_message();
        ASSERT_TRUE(m);
        ASSERT_EQ(type_of(*m), static_cast<std::uint8_t>(bgp::MessageType::Open));
        asio::write(peer_, asio::buffer(testing::RawPeer::keepalive()));
        m = next_message();
        ASSERT_TRUE(m);
        ASSERT_EQ(type_of(*m), static_cast<std::uint8_t>(bgp::MessageType::Keepalive));
        ASSERT_TRUE(run_until([this]() { return session_->state() == State::Established; }));
    }

    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_{io_};
    asio::ip::tcp::socket peer_{io_};  // the peer's end, used synchronously
    Bytes in_;                         // bytes the peer read, not yet a whole message
    int session_socket_ = -1;          // a duplicate of the session's socket, to see what it has queued
    PeerSettings peer_settings_;
    Seconds refresh_stale_time_{360};
    RecordingOwner owner_;
    std::shared_ptr<Session> session_;
};

TEST_F(SessionEvents, EstablishedCarriesWhatTheOpensNegotiatedAndTheInitialTableIsSent) {
    Bytes eor;
    bgp::encode_end_of_rib(kV4, eor);
    owner_.initial_table = {std::make_shared<const Bytes>(eor)};
    bgp::Open open = testing::RawPeer::dual_stack_open(65001, "10.0.0.2");
    open.capabilities.add_path = {{kV4, bgp::AddPathMode::Send}};
    establish(open);
    EXPECT_EQ(owner_.reports(), std::vector<std::string>{"established"});
    ASSERT_TRUE(owner_.negotiated);
    const EstablishedSession& n = *owner_.negotiated;
    EXPECT_EQ(n.peer_asn, 65001U);
    EXPECT_EQ(n.peer_id, *net::Ipv4Address::parse("10.0.0.2"));
    EXPECT_EQ(n.families, (std::vector<bgp::AfiSafi>{kV4, kV6}));
    EXPECT_TRUE(n.route_refresh);
    EXPECT_EQ(n.local_address, *net::IpAddress::parse(testing::loopback(1)));
    // ADD-PATH: we offered both directions, the peer only sends: we receive path ids for IPv4.
    EXPECT_EQ(n.codec.add_path_receive, std::vector<bgp::AfiSafi>{kV4});
    EXPECT_TRUE(n.codec.add_path_send.empty());
    // The transitions, in order, each reported once.
    std::vector<std::pair<State, State>> steps;
    for (const auto& t : owner_.transitions) {
        steps.emplace_back(t.transition.from, t.transition.to);
    }
    EXPECT_EQ(steps, (std::vector<std::pair<State, State>>{{State::Idle, State::Active},
                                                           {State::Active, State::OpenSent},
                                                           {State::OpenSent, State::OpenConfirm},
                                                           {State::OpenConfirm, State::Established}}));
    // The owner's initial table went out after our KEEPALIVE.
    auto m = next_message();
    ASSERT_TRUE(m);
    EXPECT_EQ(*m, eor);
    const SessionStatus st = session_->status();
    EXPECT_EQ(st.established_count, 1U);
    EXPECT_EQ(st.updates_sent, 1U);
    EXPECT_EQ(st.rib_id, 7U);
    EXPECT_EQ(st.neighbor, 3U);
}

TEST_F(SessionEvents, UpdatesOfOneReadAreOneBatchHandedOverBeforeTheRouteRefreshThatFollows) {
    establish();
    owner_.events.clear();
    const auto before = std::chrono::steady_clock::now();
    send_at_once(concat({update_for("10.1.0.0/16"), update_for("10.2.0.0/16"), route_refresh(kV4),
                         update_for("10.3.0.0/16")}));
    ASSERT_TRUE(run_until([this]() { return !owner_.events.empty() && owner_.events.back() == "input"; }));
    EXPECT_EQ(owner_.events,
              (std::vector<std::string>{"updates 2", "route-refresh 1/1", "updates 1", "input"}));
    ASSERT_EQ(owner_.updates.size(), 3U);
    EXPECT_EQ(owner_.updates[0].nlri.at(0).prefix, *net::Prefix::parse("10.1.0.0/16"));
    EXPECT_EQ(owner_.updates[2].nlri.at(0).prefix, *net::Prefix::parse("10.3.0.0/16"));
    // Both batches came from the same read, stamped with its time.
    ASSERT_EQ(owner_.read_at.size(), 2U);
    EXPECT_EQ(owner_.read_at[0], owner_.read_at[1]);
    EXPECT_GE(owner_.read_at[0], before);
    const SessionStatus st = session_->status();
    EXPECT_EQ(st.updates_received, 3U);
    EXPECT_EQ(st.route_refreshes_received, 1U);
    EXPECT_EQ(st.state, State::Established);
}

TEST_F(SessionEvents, EnhancedRefreshDemarcationsAreReportedInStreamOrder) {
    establish(enhanced_open());
    ASSERT_TRUE(owner_.negotiated);
    EXPECT_TRUE(owner_.negotiated->enhanced_route_refresh);
    EXPECT_TRUE(owner_.negotiated->codec.extended_message);
    owner_.events.clear();
    send_at_once(concat({route_refresh(kV4, bgp::refresh_subtype::Begin), update_for("10.1.0.0/16"),
                         route_refresh(kV4, bgp::refresh_subtype::End), route_refresh(kV6)}));
    ASSERT_TRUE(run_until([this]() { return !owner_.events.empty() && owner_.events.back() == "input"; }));
    EXPECT_EQ(owner_.events,
              (std::vector<std::string>{"borr 1", "updates 1", "eorr 1", "route-refresh 2/1", "input"}));
    const SessionStatus st = session_->status();
    EXPECT_EQ(st.borr_received, 1U);
    EXPECT_EQ(st.eorr_received, 1U);
    EXPECT_EQ(st.route_refreshes_received, 1U);  // requests only
    EXPECT_EQ(st.route_refreshes_ignored, 0U);
    EXPECT_TRUE(st.refreshing.empty());
    EXPECT_TRUE(st.enhanced_route_refresh);
    EXPECT_TRUE(st.extended_message);
    EXPECT_EQ(st.max_message_size, bgp::kMaxExtendedMessageSize);
}

TEST_F(SessionEvents, DemarcationsAreIgnoredWithoutTheCapabilityOrOutOfOrderAndUnknownSubtypes) {
    establish();  // the peer offers route refresh only
    ASSERT_TRUE(owner_.negotiated);
    EXPECT_FALSE(owner_.negotiated->enhanced_route_refresh);
    EXPECT_FALSE(session_->status().extended_message);
    owner_.events.clear();
    send_at_once(concat({route_refresh(kV4, bgp::refresh_subtype::Begin),
                         route_refresh(kV4, bgp::refresh_subtype::End), route_refresh(kV4, 7)}));
    ASSERT_TRUE(run_until([this]() { return !owner_.events.empty() && owner_.events.back() == "input"; }));
    EXPECT_EQ(owner_.reports(), std::vector<std::string>{});
    EXPECT_EQ(session_->status().route_refreshes_ignored, 3U);
    EXPECT_EQ(session_->state(), State::Established);
}

TEST_F(SessionEvents, EorrWithoutBorrAndUnknownSubtypesAreIgnoredWithTheCapability) {
    establish(enhanced_open());
    owner_.events.clear();
    send_at_once(concat({route_refresh(kV4, bgp::refresh_subtype::End), route_refresh(kV4, 3),
                         route_refresh(kV4, 255), route_refresh(kV4, bgp::refresh_subtype::Begin),
                         route_refresh(kV4, bgp::refresh_subtype::Begin)}));
    ASSERT_TRUE(run_until([this]() { return !owner_.events.empty() && owner_.events.back() == "input"; }));
    // A second BoRR begins the refresh again (the owner marks everything stale again).
    EXPECT_EQ(owner_.reports(), (std::vector<std::string>{"borr 1", "borr 1"}));
    const SessionStatus st = session_->status();
    EXPECT_EQ(st.route_refreshes_ignored, 3U);
    EXPECT_EQ(st.refreshing, std::vector<bgp::AfiSafi>{kV4});
    EXPECT_EQ(session_->state(), State::Established);
}

TEST_F(SessionEvents, AMissingEorrEndsTheRefreshAfterTheStaleTime) {
    refresh_stale_time_ = Seconds{1};
    establish(enhanced_open());
    owner_.events.clear();
    send_at_once(route_refresh(kV6, bgp::refresh_subtype::Begin));
    // Bounded wait for the guard timer (1 s here; 360 s by default): the owner is told to purge.
    ASSERT_TRUE(run_until([this]() { return owner_.reports().size() >= 2; }, 10000ms));
    EXPECT_EQ(owner_.reports(), (std::vector<std::string>{"borr 2", "eorr-timeout 2"}));
    const SessionStatus st = session_->status();
    EXPECT_EQ(st.refresh_timeouts, 1U);
    EXPECT_TRUE(st.refreshing.empty());
    EXPECT_EQ(session_->state(), State::Established);
}

TEST_F(SessionEvents, ABorrOfTheWrongLengthIsARouteRefreshMessageError) {
    establish(enhanced_open());
    Bytes bad = route_refresh(kV4, bgp::refresh_subtype::Begin);
    bad.push_back(0);
    bad[17] = static_cast<std::uint8_t>(bad.size());
    asio::write(peer_, asio::buffer(bad));
    const auto n = next_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, static_cast<std::uint8_t>(bgp::ErrorCode::RouteRefreshMessage));
    EXPECT_EQ(n->subcode, static_cast<std::uint8_t>(bgp::RouteRefreshSubcode::InvalidMessageLength));
    EXPECT_EQ(n->data, bad);  // RFC 7313 §5: the whole message
}

TEST_F(SessionEvents, RouteLimitDropSendsCeaseAndTheRestOfTheReadIsNotTaken) {
    establish();
    owner_.events.clear();
    owner_.drop_at = 2;
    send_at_once(concat({update_for("10.1.0.0/16"), update_for("10.2.0.0/16"), update_for("10.3.0.0/16")}));
    const auto n = next_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, static_cast<std::uint8_t>(bgp::ErrorCode::Cease));
    EXPECT_EQ(n->subcode, static_cast<std::uint8_t>(bgp::CeaseSubcode::MaximumPrefixesReached));
    EXPECT_EQ(n->data, max_prefix_notification(kV4, 1000).data);
    EXPECT_EQ(owner_.reports(), (std::vector<std::string>{"updates 3", "down"}));
    EXPECT_EQ(owner_.updates.size(), 2U);
    const SessionStatus st = session_->status();
    EXPECT_EQ(st.route_limit_trips, 1U);
    EXPECT_EQ(st.updates_received, 2U);  // the third UPDATE was never taken
    EXPECT_EQ(st.state, State::Idle);
    EXPECT_EQ(st.last_reason, Reason::RouteLimitExceeded);
    ASSERT_FALSE(owner_.transitions.empty());
    const TransitionRecord& last = owner_.transitions.back();
    EXPECT_EQ(last.transition.event, Event::RouteLimitExceeded);
    EXPECT_NE(last.detail.find("1001 routes > limit 1000"), std::string::npos) << last.detail;
}

TEST_F(SessionEvents, UpdatesBeforeAMalformedOneAreHandedOverBeforeTheSessionGoesDown) {
    establish();
    owner_.events.clear();
    Bytes bad = update_for("10.2.0.0/16");
    bad[19] = 0x0F;  // Withdrawn Routes Length past the end of the message: the session must reset
    bad[20] = 0xFF;
    ASSERT_FALSE(bgp::decode_update(bad, bgp::CodecOptions{}));
    send_at_once(concat({update_for("10.1.0.0/16"), bad}));
    const auto n = next_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->code, static_cast<std::uint8_t>(bgp::ErrorCode::UpdateMessage));
    EXPECT_EQ(owner_.reports(), (std::vector<std::string>{"updates 1", "down"}));
    EXPECT_EQ(session_->status().updates_received, 2U);
}

TEST_F(SessionEvents, NotificationAfterUpdatesEndsTheSessionAfterTheirBatch) {
    establish();
    owner_.events.clear();
    send_at_once(
        concat({update_for("10.1.0.0/16"),
                notification(static_cast<std::uint8_t>(bgp::ErrorCode::Cease),
                             static_cast<std::uint8_t>(bgp::CeaseSubcode::AdministrativeShutdown))}));
    ASSERT_TRUE(run_until([this]() { return session_->state() == State::Idle; }));
    EXPECT_EQ(owner_.reports(), (std::vector<std::string>{"updates 1", "down"}));
    ASSERT_TRUE(session_->status().last_received);
    EXPECT_EQ(session_->status().last_received->code, static_cast<std::uint8_t>(bgp::ErrorCode::Cease));
}

TEST_F(SessionEvents, StopSendsTheCeaseItIsGivenAndReportsDown) {
    establish();
    owner_.events.clear();
    session_->stop(admin_cease(bgp::CeaseSubcode::AdministrativeShutdown, "maintenance"));
    EXPECT_EQ(owner_.reports(), std::vector<std::string>{"down"});
    const auto n = next_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->subcode, static_cast<std::uint8_t>(bgp::CeaseSubcode::AdministrativeShutdown));
    EXPECT_EQ(session_->state(), State::Idle);
}

TEST_F(SessionEvents, AnInitialTableOverTheOutputBoundDropsTheSessionWithOutOfResources) {
    // The owner hands a table the peer cannot have read yet: the queue passes the bound at once.
    std::vector<bgp::SharedMessage> table;
    for (int i = 0; i < 64; ++i) {
        table.push_back(std::make_shared<const Bytes>(update_for("10." + std::to_string(i) + ".0.0/16")));
    }
    owner_.initial_table = table;
    peer_settings_.add_path.reset();
    start_session(/*max_output_bytes=*/256);
    bgp::Open open = testing::RawPeer::dual_stack_open(65001, "10.0.0.2");
    asio::write(peer_, asio::buffer(testing::RawPeer::open_message(open)));
    asio::write(peer_, asio::buffer(testing::RawPeer::keepalive()));
    const auto n = next_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->subcode, static_cast<std::uint8_t>(bgp::CeaseSubcode::OutOfResources));
    // Reported down from within the established event that sent the table.
    EXPECT_EQ(owner_.reports(), (std::vector<std::string>{"established", "down"}));
    EXPECT_EQ(session_->status().output_overflows, 1U);
}

}  // namespace
}  // namespace rf::session

namespace rf::session {
namespace {

// The peer's OPEN with graceful restart (RFC 4724): IPv4 with the F bit, IPv6 without, the N bit as given.
bgp::Open graceful_open(bool notification) {
    bgp::Open o = testing::RawPeer::dual_stack_open(65001, "10.0.0.2");
    o.capabilities.graceful_restart =
        bgp::GracefulRestart{false, notification, 90, {{kV4, true}, {kV6, false}}};
    return o;
}

TEST_F(SessionEvents, GracefulRestartIsNegotiatedWhenBothOpensCarryItWithTheNBitOfBoth) {
    establish(graceful_open(true));
    ASSERT_TRUE(owner_.negotiated && owner_.negotiated->graceful_restart);
    const NegotiatedGracefulRestart& gr = *owner_.negotiated->graceful_restart;
    EXPECT_EQ(gr.restart_time, 90);
    EXPECT_TRUE(gr.notification);
    ASSERT_EQ(gr.families.size(), 2U);
    EXPECT_TRUE(gr.families[0].forwarding_preserved);
    EXPECT_FALSE(gr.families[1].forwarding_preserved);
    EXPECT_TRUE(session_->status().graceful_restart);
}

TEST_F(SessionEvents, NoGracefulRestartWhenWeDoNotOfferIt) {
    peer_settings_.graceful_restart.enabled = false;
    establish(graceful_open(true));
    ASSERT_TRUE(owner_.negotiated);
    EXPECT_FALSE(owner_.negotiated->graceful_restart);
}

TEST_F(SessionEvents, TcpLossIsReportedAsADownWithoutNotification) {
    establish(graceful_open(true));
    peer_.close();
    ASSERT_TRUE(run_until([this]() { return owner_.down_cause.has_value(); }));
    EXPECT_FALSE(owner_.down_cause->notification());
    EXPECT_EQ(owner_.down_cause->reason, Reason::ConnectionLost);
}

TEST_F(SessionEvents, AReceivedNotificationIsInTheDownCause) {
    establish(graceful_open(true));
    send_at_once(notification(static_cast<std::uint8_t>(bgp::ErrorCode::Cease),
                              static_cast<std::uint8_t>(bgp::CeaseSubcode::HardReset)));
    ASSERT_TRUE(run_until([this]() { return owner_.down_cause.has_value(); }));
    ASSERT_TRUE(owner_.down_cause->received);
    EXPECT_TRUE(owner_.down_cause->hard_reset());
    EXPECT_FALSE(owner_.down_cause->sent);
}

TEST_F(SessionEvents, WithTheNBitAnAdministrativeResetGoesOutAsHardReset) {
    establish(graceful_open(true));
    session_->admin_reset(admin_cease(bgp::CeaseSubcode::AdministrativeReset, ""));
    const auto n = next_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->subcode, static_cast<std::uint8_t>(bgp::CeaseSubcode::HardReset));
    EXPECT_EQ(n->data, (std::vector<std::uint8_t>{6, 4}));
    ASSERT_TRUE(owner_.down_cause);
    EXPECT_TRUE(owner_.down_cause->hard_reset());
    EXPECT_EQ(session_->status().hard_resets_sent, 1U);
}

TEST_F(SessionEvents, WithoutTheNBitTheCeaseGoesOutAsItIs) {
    establish(graceful_open(false));
    session_->stop(admin_cease(bgp::CeaseSubcode::AdministrativeShutdown, ""));
    const auto n = next_notification();
    ASSERT_TRUE(n);
    EXPECT_EQ(n->subcode, static_cast<std::uint8_t>(bgp::CeaseSubcode::AdministrativeShutdown));
    ASSERT_TRUE(owner_.down_cause && owner_.down_cause->sent);
    EXPECT_FALSE(owner_.down_cause->hard_reset());
}

}  // namespace
}  // namespace rf::session
