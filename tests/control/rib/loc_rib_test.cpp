// The Loc-RIB's storage (control/rib/loc_rib.hpp): a prefix's paths inline or on the heap, the path
// identifiers it hands out, and the record of a RIB call's touched prefixes.
#include "control/rib/loc_rib.hpp"

#include <gtest/gtest.h>

#include "tests/control/rib/rib_test_util.hpp"

namespace rf::rib::test {
namespace {

static_assert(sizeof(StoredPath) == 16, "a path is an attribute handle, two identifiers and a session index");

bool stored_inline(const PrefixPaths& paths) {
    const auto* begin = reinterpret_cast<const char*>(&paths);
    const auto* at = reinterpret_cast<const char*>(paths.data());
    return at >= begin && at < begin + sizeof(PrefixPaths);
}

class LocRibStorage : public ::testing::Test {
protected:
    StoredPath path(SessionIndex session, std::uint32_t rx, std::uint16_t out_id, bool loops = false) {
        const AttrRef a = store.intern(attrs({loops ? 65515U : 65001U}, "100.64.0.1"), {});
        return StoredPath{a, rx, session, out_id};
    }

    AttrStore store{65515};
};

TEST_F(LocRibStorage, OnePathStaysInlineMoreGoToTheHeapAndBack) {
    PrefixPaths paths;
    ASSERT_TRUE(paths.insert(0, path(1, 0, 1)));
    EXPECT_TRUE(stored_inline(paths));
    for (std::uint16_t s = 2; s <= 5; ++s) {
        ASSERT_TRUE(paths.insert(paths.size(), path(s, 0, s)));
    }
    EXPECT_EQ(paths.size(), 5U);
    EXPECT_FALSE(stored_inline(paths));
    for (std::size_t i = 0; i < paths.size(); ++i) {
        EXPECT_EQ(paths[i].session, i + 1);
    }
    while (paths.size() > 1) {
        paths.erase(0);
    }
    EXPECT_TRUE(stored_inline(paths));
    EXPECT_EQ(paths[0].session, 5);
    PrefixPaths moved = std::move(paths);
    EXPECT_TRUE(paths.empty());
    ASSERT_EQ(moved.size(), 1U);
    EXPECT_EQ(moved[0].session, 5);
}

TEST_F(LocRibStorage, InsertKeepsTheOrderAndFindsBySessionAndPathId) {
    PrefixPaths paths;
    paths.insert(0, path(1, 7, 1));
    paths.insert(0, path(2, 0, 2));
    paths.insert(1, path(1, 8, 3));
    EXPECT_EQ(paths.find(2, 0), 0U);
    EXPECT_EQ(paths.find(1, 8), 1U);
    EXPECT_EQ(paths.find(1, 7), 2U);
    EXPECT_EQ(paths.find(1, 9), paths.size());
    EXPECT_EQ(paths.count_of(1), 2U);
    EXPECT_TRUE(paths.has_session(2));
    EXPECT_FALSE(paths.has_session(3));
}

TEST_F(LocRibStorage, EligiblePathsComeFirstAndEndAtTheFirstLoop) {
    PrefixPaths paths;
    paths.insert(0, path(1, 0, 1));
    paths.insert(1, path(2, 0, 2, /*loops=*/true));
    EXPECT_EQ(paths.eligible(), 1U);
    EXPECT_EQ(view_of(paths).eligible, 1U);
}

TEST_F(LocRibStorage, FreeOutIdIsTheSmallestUnused) {
    PrefixPaths paths;
    EXPECT_EQ(paths.free_out_id(), 1);
    paths.insert(0, path(1, 0, 1));
    paths.insert(1, path(2, 0, 3));
    EXPECT_EQ(paths.free_out_id(), 2);
    paths.insert(2, path(3, 0, 2));
    EXPECT_EQ(paths.free_out_id(), 4);
}

TEST_F(LocRibStorage, TouchRecordsThePathsBeforeTheFirstChangeOfACall) {
    LocRib rib({P("10.0.0.0/16")});
    const net::Prefix p = P("10.1.0.0/24");
    rib.touch(p).insert(0, path(1, 0, 1));
    rib.end_call();

    rib.touch(p).insert(1, path(2, 0, 2));
    rib.touch(p).erase(0);  // the second touch records nothing more
    int calls = 0;
    rib.for_each_touched([&](const net::Prefix& prefix, const PathsView& before, const PathsView& after) {
        ++calls;
        EXPECT_EQ(prefix, p);
        ASSERT_EQ(before.eligible, 1U);
        EXPECT_EQ(before.paths[0].session, 1);
        ASSERT_EQ(after.eligible, 1U);
        EXPECT_EQ(after.paths[0].session, 2);
        EXPECT_FALSE(same_paths(before, after));
    });
    EXPECT_EQ(calls, 1);
    rib.end_call();
    EXPECT_NE(rib.find(p), nullptr);
}

TEST_F(LocRibStorage, EndCallErasesPrefixesLeftWithoutPaths) {
    LocRib rib({});
    const net::Prefix p = P("10.1.0.0/24");
    rib.touch(p).insert(0, path(1, 0, 1));
    rib.end_call();
    rib.touch(p).erase(0);
    EXPECT_NE(rib.find(p), nullptr);  // kept until the end of the call
    rib.end_call();
    EXPECT_EQ(rib.find(p), nullptr);
}

TEST_F(LocRibStorage, VnetPrefixesAreMarkedAndTheirChangesTouched) {
    LocRib rib({P("10.0.0.0/16")});
    EXPECT_TRUE(rib.view(P("10.0.0.0/16")).vnet);
    const auto changed = rib.replace_vnet_prefixes({P("10.2.0.0/16")});
    EXPECT_EQ(changed, (std::vector<net::Prefix>{P("10.0.0.0/16"), P("10.2.0.0/16")}));
    int touched = 0;
    rib.for_each_touched([&](const net::Prefix& prefix, const PathsView& before, const PathsView& after) {
        ++touched;
        EXPECT_NE(before.vnet, after.vnet) << prefix.to_string();
    });
    EXPECT_EQ(touched, 2);
    rib.end_call();
    EXPECT_FALSE(rib.view(P("10.0.0.0/16")).vnet);
    EXPECT_TRUE(rib.view(P("10.2.0.0/16")).vnet);
}

}  // namespace
}  // namespace rf::rib::test
