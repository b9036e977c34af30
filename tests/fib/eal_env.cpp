// Brings DPDK EAL up once per test executable (lab mode: no hugepages, per-process file prefix) and
// down at exit.
#include <gtest/gtest.h>

#include <string>

#include "dataplane/eal.hpp"

namespace {

class EalEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        rf::dataplane::EalOptions o;
        o.memory_mb = 1024;
        o.log_level = "*:error";
        std::string error;
        ASSERT_TRUE(rf::dataplane::start_eal(o, &error)) << error;
    }
    void TearDown() override { rf::dataplane::stop_eal(); }
};

[[maybe_unused]] ::testing::Environment* const g_env =
    ::testing::AddGlobalTestEnvironment(new EalEnvironment);

}  // namespace

// DPDK's EAL keeps a few start-up allocations (argument copies, service and interrupt thread state) for
// the life of the process; they are not ours to free.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() {
    return "leak:librte_\nleak:rte_eal_init\n";
}
