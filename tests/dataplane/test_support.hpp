// EAL for the data-plane tests: no hugepages, per-process prefix (tests run in parallel), three
// net_ring ports that loop transmitted packets back to their receive queues (so a test sees exactly what
// the emulator sent, per port) and a net_null sink. And the ECMP member a flow must go to, computed
// independently of the forwarding path (the FIB's selection over the members' addresses).
#pragma once

#include <gtest/gtest.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "dataplane/eal.hpp"
#include "fib/ecmp.hpp"

namespace rf::dataplane::test {

struct TestPorts {
    std::uint16_t nva = 0, fabric = 0, internet = 0, null = 0;
};

inline const TestPorts& ensure_eal(std::vector<std::string> extra_vdevs = {}) {
    static TestPorts ports;
    static bool done = false;
    if (!done) {
        done = true;
        EalOptions c;
        c.lcores = 1;
        c.memory_mb = 768;
        c.vdevs = {"net_ring0", "net_ring1", "net_ring2", "net_null0"};
        c.vdevs.insert(c.vdevs.end(), extra_vdevs.begin(), extra_vdevs.end());
        std::string error;
        if (!start_eal(c, &error)) {
            ADD_FAILURE() << error;
            return ports;
        }
        std::atexit([] { stop_eal(); });
        rte_eth_dev_get_port_by_name("net_ring0", &ports.nva);
        rte_eth_dev_get_port_by_name("net_ring1", &ports.fabric);
        rte_eth_dev_get_port_by_name("net_ring2", &ports.internet);
        rte_eth_dev_get_port_by_name("net_null0", &ports.null);
    }
    return ports;
}

// Everything the emulator transmitted on `port` (queue 0 = worker 0) since the last drain.
inline std::vector<rte_mbuf*> drain(std::uint16_t port, std::uint16_t queue = 0) {
    std::vector<rte_mbuf*> out;
    rte_mbuf* pkts[64];
    for (int i = 0; i < 100000; ++i) {
        const std::uint16_t n = rte_eth_rx_burst(port, queue, pkts, 64);
        out.insert(out.end(), pkts, pkts + n);
        if (n == 0)
            break;
    }
    return out;
}

// The member of `members` (IPv4, host order) that carries a flow with hash `flow`.
inline std::uint32_t expected_member(std::uint64_t flow, const std::vector<std::uint32_t>& members) {
    const auto seed = [&](std::uint32_t i) { return fib::ecmp::seed_v4(members[i]); };
    return members[fib::ecmp::select(flow, static_cast<std::uint32_t>(members.size()), seed)];
}

inline void free_all(std::vector<rte_mbuf*>& v) {
    for (auto* m : v)
        rte_pktmbuf_free(m);
    v.clear();
}

}  // namespace rf::dataplane::test
