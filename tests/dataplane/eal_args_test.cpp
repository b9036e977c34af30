// EAL argument handling: virtual defaults, bare-metal pass-through, command-line splitting.
#include <gtest/gtest.h>

#include <algorithm>

#include "dataplane/command_line.hpp"
#include "dataplane/eal.hpp"
#include "dataplane/neighbor.hpp"
#include "dataplane/topology.hpp"

using namespace rf::dataplane;

namespace {
bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

TEST(EalArgs, DefaultsNeedNoHugepagesNoPciAndArePerProcess) {
    EalOptions c;
    c.vdevs = {"net_null0"};
    const auto a = eal_arguments(c, "prog");
    EXPECT_EQ(a[0], "prog");
    EXPECT_TRUE(has(a, "--no-huge"));
    EXPECT_TRUE(has(a, "--no-pci"));
    EXPECT_TRUE(has(a, "--no-shconf"));
    EXPECT_TRUE(has(a, "--file-prefix"));
    EXPECT_TRUE(has(a, "net_null0"));
    EXPECT_FALSE(has(a, "--in-memory"));  // incompatible with --no-huge in DPDK 22.11
}

TEST(EalArgs, PassthroughReplacesDefaults) {
    EalOptions c;
    c.bare_metal_args = {"-l", "2-5", "-a", "0000:3b:00.0", "--socket-mem", "2048"};
    c.vdevs = {"net_null0"};
    const auto a = eal_arguments(c, "prog");
    EXPECT_FALSE(has(a, "--no-huge"));
    EXPECT_TRUE(has(a, "0000:3b:00.0"));
    EXPECT_TRUE(has(a, "net_null0"));
}

TEST(EalArgs, SplitsDoubleDashAndEalOption) {
    const char* argv1[] = {"rf", "--vms", "10", "--", "-l", "0-3", "--huge-dir", "/mnt/huge"};
    auto s = split_command_line(8, argv1, nullptr);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->app, (std::vector<std::string>{"--vms", "10"}));
    EXPECT_EQ(s->eal, (std::vector<std::string>{"-l", "0-3", "--huge-dir", "/mnt/huge"}));

    const char* argv2[] = {"rf", "--eal", "-l 0-1 --vdev 'net_af_packet0,iface=veth 0'", "--workers", "2"};
    s = split_command_line(5, argv2, nullptr);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->app, (std::vector<std::string>{"--workers", "2"}));
    EXPECT_EQ(s->eal, (std::vector<std::string>{"-l", "0-1", "--vdev", "net_af_packet0,iface=veth 0"}));

    const char* argv3[] = {"rf", "--eal"};
    std::string err;
    EXPECT_FALSE(split_command_line(2, argv3, &err));
    EXPECT_FALSE(err.empty());
    EXPECT_FALSE(split_words("a 'b", &err));
}

TEST(Topology, LabPlacesVmsPerHostAndSplitsWorkers) {
    LabSpec spec;
    spec.vms = 1000;
    spec.vms_per_host = 16;
    spec.vms_per_subnet = 250;
    spec.tables = 2;
    const auto t = make_lab_topology(spec);
    ASSERT_EQ(t.vms.size(), 1000U);
    EXPECT_EQ(t.hosts.size(), 63U);  // ceil(1000 / 16)
    EXPECT_EQ(t.tables, 2U);
    EXPECT_EQ(t.vms[0].ip, 0x0A010004U);
    EXPECT_EQ(t.vms[250].ip, 0x0A010104U);  // second subnet
    EXPECT_EQ(t.vms[250].table, 1U);
    for (const auto& h : t.hosts)
        for (std::uint32_t v = h.first_vm; v < h.first_vm + h.vm_count; ++v)
            EXPECT_EQ(t.vms[v].host, h.id);
    const auto split = assign_hosts(t, 3);
    std::size_t total = 0;
    for (const auto& w : split) {
        EXPECT_GT(w.size(), 15U);
        total += w.size();
    }
    EXPECT_EQ(total, t.hosts.size());
}

TEST(Neighbors, InsertFindResolve) {
    NeighborTable nt(16);
    const auto s = nt.find_or_insert(0x0A010104);
    ASSERT_NE(s, NeighborTable::kNotFound);
    EXPECT_EQ(nt.find_or_insert(0x0A010104), s);
    EXPECT_EQ(nt.find(0x0A010104), s);
    EXPECT_EQ(nt.find(0x0A010105), NeighborTable::kNotFound);
    EXPECT_EQ(nt.resolution(s) & NeighborTable::kValid, 0U);
    EXPECT_EQ(nt.incomplete().size(), 1U);
    nt.resolve(s, 3, synthetic_mac(0x0A010104));
    const auto r = nt.resolution(s);
    EXPECT_NE(r & NeighborTable::kValid, 0U);
    EXPECT_EQ(NeighborTable::port_of(r), 3);
    EXPECT_EQ(NeighborTable::mac_of(r), (MacAddress{0x02, 0x00, 10, 1, 1, 4}));
    EXPECT_TRUE(nt.incomplete().empty());
    for (std::uint32_t i = 0; i < 100; ++i)
        nt.find_or_insert(0x0B000000 + i);
    EXPECT_LE(nt.size(), 16U);  // bounded
    EXPECT_EQ(nt.find_or_insert(0), NeighborTable::kNotFound);
}
