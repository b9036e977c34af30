// The rate limit of log lines a remote party can repeat: the first few of each interval pass, the rest
// are counted and handed over as one number; a new interval starts after the old one ends.
#include "control/session/log_rate_limit.hpp"

#include <gtest/gtest.h>

namespace rf::session {
namespace {

using namespace std::chrono_literals;

TEST(LogRateLimit, FirstBurstPassesTheRestIsCountedOncePerInterval) {
    LogRateLimit limit(3, 10s);
    const auto t0 = LogRateLimit::Clock::time_point{} + 1000s;
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(limit.admit(t0));
    }
    for (int i = 0; i < 100; ++i) {
        EXPECT_FALSE(limit.admit(t0 + 5s));
    }
    EXPECT_EQ(limit.window_end(), t0 + 10s);
    EXPECT_EQ(limit.take_suppressed(), 100U);
    EXPECT_EQ(limit.take_suppressed(), 0U);
    EXPECT_TRUE(limit.admit(t0 + 10s));  // a new interval
    EXPECT_EQ(limit.window_end(), t0 + 20s);
}

}  // namespace
}  // namespace rf::session
