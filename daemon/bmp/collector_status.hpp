// One BMP collector as the REST API (GET /api/v1/bmp, rfctl bmp list) and the metrics show it: a plain
// value, so that the API layer needs nothing else of daemon/bmp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rf::bmp_export {

struct CollectorStatus {
    std::string name;
    std::string address;              // "192.0.2.9:11019", "[2001:db8::9]:11019"
    std::string state;                // idle, connecting, up
    std::vector<std::string> tables;  // pre-policy, post-policy, loc-rib
    std::uint64_t messages = 0;       // queued for the collector
    std::uint64_t bytes = 0;          // written to it
    std::uint64_t connects = 0;
    std::uint64_t connect_failures = 0;
    std::uint64_t disconnects = 0;
    std::uint64_t overflow_resets = 0;
    std::uint64_t dropped_bytes = 0;
    std::uint64_t resyncs = 0;
    std::uint64_t buffered = 0;      // bytes waiting now
    std::uint64_t buffer_bytes = 0;  // the bound for live messages
};

}  // namespace rf::bmp_export
