// The forwarding module's loader refuses a module of another interface version, or of the same version
// from another build, with a message naming both sides (RF_FORWARDING_MODULE points it at the test's fake
// modules, fake_module.cpp), and a file that is not a module at all.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "daemon/forwarding/module_interface.hpp"

namespace rf::daemon {
namespace {

// Points the loader at `path` for one test.
class ModuleOverride {
public:
    explicit ModuleOverride(const char* path) { ::setenv("RF_FORWARDING_MODULE", path, 1); }
    ~ModuleOverride() { ::unsetenv("RF_FORWARDING_MODULE"); }
    ModuleOverride(const ModuleOverride&) = delete;
    ModuleOverride& operator=(const ModuleOverride&) = delete;
};

TEST(ForwardingLoader, RefusesAModuleOfAnotherInterfaceVersion) {
    ModuleOverride use(RF_FAKE_MODULE_OTHER_VERSION);
    const std::string described = describe_forwarding_module();
    EXPECT_EQ(described.rfind("not available: ", 0), 0U) << described;
    EXPECT_NE(
        described.find("has forwarding module interface version " +
                       std::to_string(kForwardingInterfaceVersion + 1) +
                       ", this routefabricd needs version " + std::to_string(kForwardingInterfaceVersion)),
        std::string::npos)
        << described;

    std::string error;
    EXPECT_EQ(load_forwarding(fib::VnetModel{}, ForwardingOptions{}, &error), nullptr);
    EXPECT_NE(error.find("interface version"), std::string::npos) << error;
}

TEST(ForwardingLoader, RefusesAModuleOfTheSameVersionFromAnotherBuild) {
    ModuleOverride use(RF_FAKE_MODULE_OTHER_BUILD);
    std::string error;
    EXPECT_EQ(load_forwarding(fib::VnetModel{}, ForwardingOptions{}, &error), nullptr);
    EXPECT_NE(error.find("comes from another routefabric build (module 0.0.0+another-build, routefabricd " +
                         std::string(kForwardingBuildId) + ")"),
              std::string::npos)
        << error;
}

TEST(ForwardingLoader, RefusesAFileThatIsNotAModule) {
    ModuleOverride use(RF_NOT_A_MODULE);
    const std::string described = describe_forwarding_module();
    EXPECT_EQ(described.rfind("not available: cannot load the forwarding module ", 0), 0U) << described;
}

}  // namespace
}  // namespace rf::daemon
