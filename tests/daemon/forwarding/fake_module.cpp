// A forwarding module that is not this build's (loader_test.cpp): its entry point reports the interface
// version and build identity it is compiled with (RF_FAKE_INTERFACE_VERSION, RF_FAKE_BUILD_ID) and it
// creates nothing.
#include "daemon/forwarding/module_interface.hpp"

extern "C" __attribute__((visibility("default"))) const rf::daemon::RfForwardingModule*
rf_forwarding_module() {
    static const rf::daemon::RfForwardingModule table{RF_FAKE_INTERFACE_VERSION, RF_FAKE_BUILD_ID,
                                                      "DPDK (none: a test module)", nullptr};
    return &table;
}
