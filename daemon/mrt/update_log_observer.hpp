// The MRT message log as a route-server observer: every message a session reads becomes one BGP4MP_ET
// record with the wall-clock time of its arrival (update_log.hpp does the rest, off the io thread).
#pragma once

#include <chrono>

#include "control/server/route_server.hpp"
#include "daemon/mrt/update_log.hpp"

namespace rf::mrt_files {

class UpdateLogObserver final : public server::RouteServer::Observer {
public:
    explicit UpdateLogObserver(UpdateLog& log) : log_(log) {}

    void on_message_received(const server::RouteServer::ReceivedMessage& r) override {
        mrt::Bgp4mpMessage msg;
        msg.time = mrt::timestamp_of(std::chrono::system_clock::now());
        msg.peer_asn = r.peer.asn;
        msg.local_asn = r.local_asn;
        msg.peer = r.peer.address;
        msg.local = r.local;
        msg.four_octet_as = r.four_octet_as;
        msg.message = r.message;
        log_.record(msg);
    }

private:
    UpdateLog& log_;
};

}  // namespace rf::mrt_files
