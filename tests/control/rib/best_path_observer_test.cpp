// RouteServerRib::set_best_path_observer (BMP's Loc-RIB): told once per RIB call of each prefix whose best
// path changed — a new best, a replaced best, a withdrawn prefix — and never of a change behind the best.
#include <gtest/gtest.h>

#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

struct Seen {
    std::string prefix;
    bool withdrawn = false;
    std::string first_asn;  // of the new best path's AS_PATH
    PeerId peer = 0;
    bool operator==(const Seen&) const = default;
};

class BestPathObserver : public RibTest {
protected:
    BestPathObserver() {
        rib.set_best_path_observer([this](std::span<const BestPathChange> changes) {
            ++calls;
            for (const auto& c : changes) {
                Seen s{c.prefix.to_string(), c.attributes == nullptr, "", c.peer};
                if (c.attributes != nullptr) {
                    s.first_asn = std::to_string(c.attributes->as_path->segments[0].asns[0]);
                }
                seen.push_back(s);
            }
        });
    }
    std::vector<Seen> take() { return std::exchange(seen, {}); }

    int calls = 0;
    std::vector<Seen> seen;
};

TEST_F(BestPathObserver, ToldOfNewReplacedAndWithdrawnBestPathsOnly) {
    up(1, 65001);
    up(2, 65002);
    send(1, v4_update(attrs({65001, 64999}, "100.64.0.1"), {"10.1.0.0/16", "10.2.0.0/16"}));
    EXPECT_EQ(take(),
              (std::vector<Seen>{{"10.1.0.0/16", false, "65001", 1}, {"10.2.0.0/16", false, "65001", 1}}));
    EXPECT_EQ(calls, 1);  // one call for the UPDATE's two prefixes

    // A longer path from peer 2: behind the best, nothing to tell.
    send(2, v4_update(attrs({65002, 64998, 64997}, "100.64.0.2"), {"10.1.0.0/16"}));
    EXPECT_TRUE(take().empty());

    // A shorter one replaces the best.
    send(2, v4_update(attrs({65002}, "100.64.0.2"), {"10.2.0.0/16"}));
    EXPECT_EQ(take(), (std::vector<Seen>{{"10.2.0.0/16", false, "65002", 2}}));

    // Peer 1 goes: 10.1/16 falls back to peer 2's path, 10.2/16's best was not peer 1's.
    down(1);
    EXPECT_EQ(take(), (std::vector<Seen>{{"10.1.0.0/16", false, "65002", 2}}));

    send(2, v4_withdraw({"10.1.0.0/16"}));
    EXPECT_EQ(take(), (std::vector<Seen>{{"10.1.0.0/16", true, "", 0}}));

    rib.set_best_path_observer(nullptr);
    send(2, v4_withdraw({"10.2.0.0/16"}));
    EXPECT_TRUE(take().empty());
}

}  // namespace
}  // namespace rf::rib::test
