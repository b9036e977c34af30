// The MRT message log's writer on its own: whole BGP4MP_ET records in the file, in order; a buffer too
// small for a record drops and counts instead of waiting; size rotation keeps at most `keep` files;
// file names from the pattern stay in the directory and do not collide.
#include "daemon/mrt/update_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>

#include "tests/control/session/support/test_support.hpp"

namespace rf::mrt_files {
namespace {

using rf::testing::TempDir;

const std::vector<std::uint8_t> kKeepalive = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                              0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x13, 0x04};

mrt::Bgp4mpMessage keepalive(std::uint32_t seconds) {
    mrt::Bgp4mpMessage m;
    m.time = mrt::Timestamp{seconds, 7};
    m.peer_asn = 65001;
    m.local_asn = 65515;
    m.peer = *net::IpAddress::parse("192.0.2.1");
    m.local = *net::IpAddress::parse("192.0.2.254");
    m.message = kKeepalive;
    return m;
}

std::vector<std::string> files(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::uint8_t> bytes_of(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct Lines {
    std::mutex m;
    std::vector<std::string> lines;
    UpdateLog::Log sink() {
        return [this](bool, const std::string& l) {
            std::lock_guard lock(m);
            lines.push_back(l);
        };
    }
};

TEST(MrtUpdateLog, WritesEveryRecordWholeAndInOrder) {
    TempDir dir("rf-mrtlog");
    Lines lines;
    constexpr std::uint32_t kCount = 1000;
    {
        UpdateLogOptions o;
        o.directory = dir.path().string();
        UpdateLog log(o, lines.sink());
        for (std::uint32_t i = 0; i < kCount; ++i) {
            log.record(keepalive(i));
        }
    }  // the destructor writes what is buffered
    const auto fs = files(dir.path().string());
    ASSERT_EQ(fs.size(), 1U);
    const auto bytes = bytes_of(fs[0]);
    std::vector<std::uint8_t> want;
    for (std::uint32_t i = 0; i < kCount; ++i) {
        mrt::encode_bgp4mp_et(keepalive(i), want);
    }
    EXPECT_EQ(bytes, want);
}

TEST(MrtUpdateLog, AFullBufferDropsAndCountsInsteadOfWaiting) {
    TempDir dir("rf-mrtlog");
    Lines lines;
    UpdateLogStats st;
    {
        UpdateLogOptions o;
        o.directory = dir.path().string();
        o.buffer_bytes = 50;  // smaller than one record: every message is dropped
        UpdateLog log(o, lines.sink());
        for (std::uint32_t i = 0; i < 10; ++i) {
            log.record(keepalive(i));
        }
        st = log.stats();
    }
    EXPECT_EQ(st.dropped, 10U);
    EXPECT_EQ(st.records, 0U);
    bool reported = false;
    for (const auto& l : lines.lines) {
        reported = reported || l.find("10 message(s) not logged") != std::string::npos;
    }
    EXPECT_TRUE(reported);
}

TEST(MrtUpdateLog, SizeRotationKeepsAtMostKeepFilesOfWholeRecords) {
    TempDir dir("rf-mrtlog");
    Lines lines;
    std::size_t record_size = 0;
    {
        std::vector<std::uint8_t> one;
        mrt::encode_bgp4mp_et(keepalive(0), one);
        record_size = one.size();
    }
    UpdateLogStats st;
    {
        UpdateLogOptions o;
        o.directory = dir.path().string();
        o.file_pattern = "u.mrt";  // one name: later files get .1, .2 …
        o.rotate_bytes = 1;        // every write fills a file
        o.keep = 2;
        UpdateLog log(o, lines.sink());
        for (std::uint32_t i = 0; i < 5; ++i) {
            log.record(keepalive(i));
            // Wait for the writer (bounded) so that each record lands in a file of its own.
            rf::testing::wait_until([&] { return log.stats().records == i + 1; }, std::chrono::seconds(5),
                                    std::chrono::milliseconds(5));
        }
        st = log.stats();
    }
    EXPECT_EQ(st.records, 5U);
    EXPECT_EQ(st.files, 5U);
    const auto fs = files(dir.path().string());
    EXPECT_EQ(fs.size(), 2U);
    for (const auto& f : fs) {
        EXPECT_EQ(bytes_of(f).size() % record_size, 0U) << f;
        EXPECT_EQ(std::filesystem::path(f).parent_path(), std::filesystem::path(dir.path().string())) << f;
    }
}

}  // namespace
}  // namespace rf::mrt_files
