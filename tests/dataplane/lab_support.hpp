// What the lab-mode tests share beyond their namespaces (tests/support/network_namespace.hpp): MAC and
// address spellings, and the IPv4 lab they forward over — an rte_lpm source with 20.0.0.0/24 over the
// NVAs A and B, 32 VMs on 2 hosts with 2 flows each toward it — and the check that every packet the
// emulator sent reached the far side, split over both next hops.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "dataplane/emulator.hpp"
#include "dataplane/lpm_route_source.hpp"

namespace rf::dataplane::test {

constexpr std::uint32_t kNvaA = 0x0A010104, kNvaB = 0x0A010105;  // 10.1.1.4, 10.1.1.5

inline std::string mac_text(const MacAddress& m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

inline Ipv6Bytes nva6(std::uint8_t host) {  // fd00:1:1::<host>
    Ipv6Bytes a{0xfd, 0x00, 0x00, 0x01, 0x00, 0x01};
    a[15] = host;
    return a;
}

struct LpmLab {
    std::unique_ptr<LpmRouteSource> source;
    Topology topo;
    FlowTable flows;
};

// The IPv4 lab; `name` prefixes the DPDK objects. ASSERTs inside: check `source` afterwards.
inline void make_lpm_lab(LpmLab& lab, const char* name) {
    LpmRouteSource::Config cfg;
    cfg.tables = 1;
    cfg.max_routes = 16;
    cfg.tbl8_groups = 16;
    cfg.name = name;
    std::string error;
    lab.source = LpmRouteSource::create(cfg, &error);
    ASSERT_TRUE(lab.source) << error;
    ASSERT_TRUE(lab.source->apply(
        std::vector<RouteChange>{RouteChange{0, 0x14000000, 24, false, NextHopKind::Ip, {kNvaA, kNvaB}}},
        &error));
    LabSpec spec;
    spec.vms = 32;
    spec.vms_per_host = 16;
    lab.topo = make_lab_topology(spec);
    lab.flows = make_flows(lab.topo, 2, {{{0x14000000, 24}}}, 9);
}

// One worker on the calling thread, the NVA port `nva_port`, the other roles on a sink.
inline EmulatorConfig lab_emulator_config(std::uint16_t nva_port, std::uint16_t sink_port, const char* name) {
    EmulatorConfig ec;
    ec.workers = 1;
    ec.mbufs = 2047;
    ec.nva_port = nva_port;
    ec.fabric_port = ec.internet_port = sink_port;
    ec.use_lcores = false;
    ec.name = name;
    return ec;
}

// Both IPv4 NVAs resolved to (`port`, `mac`).
inline void expect_nvas_resolved_to(Emulator& emu, std::uint16_t port, const std::string& mac) {
    for (std::uint32_t nh : {kNvaA, kNvaB}) {
        const auto slot = emu.neighbors().find(nh);
        ASSERT_NE(slot, NeighborTable::kNotFound);
        const auto res = emu.neighbors().resolution(slot);
        EXPECT_EQ(NeighborTable::port_of(res), port);
        EXPECT_EQ(mac_text(NeighborTable::mac_of(res)), mac);
    }
}

// Runs 50 passes: every packet (`expected_tx` of them) leaves, `far_rx()` (the far side's receive
// counter) grows by at least as many, bounded wait, and the IPv4 next hops A and B share them.
inline void expect_every_packet_arrives(Emulator& emu, std::uint64_t expected_tx,
                                        const std::function<std::uint64_t()>& far_rx, const char* far_side) {
    const std::uint64_t rx_before = far_rx();
    emu.run_passes(50);
    const auto totals = emu.totals();
    EXPECT_EQ(totals.tx, expected_tx);
    EXPECT_EQ(totals.drop_unresolved, 0U);
    EXPECT_EQ(emu.tx_failures(), 0U);
    std::uint64_t rx = 0;
    for (int i = 0; i < 50; ++i) {  // delivery to the far side is asynchronous; bounded wait
        rx = far_rx() - rx_before;
        if (rx >= totals.tx)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GE(rx, totals.tx) << far_side << " saw fewer packets than the emulator sent";
}

// Packets per next hop (Emulator::next_hop_packets or next_hop_packets6): both `a` and `b` got some, and
// together every packet sent (`tx`).
template <class Address>
void expect_split_over(const std::vector<std::pair<Address, std::uint64_t>>& per_next_hop, const Address& a,
                       const Address& b, std::uint64_t tx) {
    std::uint64_t to_a = 0, to_b = 0;
    for (const auto& [ip, n] : per_next_hop) {
        to_a += ip == a ? n : 0;
        to_b += ip == b ? n : 0;
    }
    EXPECT_GT(to_a, 0U);
    EXPECT_GT(to_b, 0U);
    EXPECT_EQ(to_a + to_b, tx);
}

}  // namespace rf::dataplane::test
