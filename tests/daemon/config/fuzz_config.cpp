// libFuzzer: the configuration reader on arbitrary text (what an operator, an API client or a broken
// write may leave in the file). Properties: reading never crashes, whatever is accepted is written out
// by the emitter as a file the reader accepts again, and writing that gives the same text.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/config/config.hpp"
#include "tests/support/fuzz_check.hpp"

using rf::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024)
        return 0;  // the reader's cost grows with the file; large inputs only slow the search down
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto config = rf::config::load_text(text);
    if (!config)
        return 0;
    const std::string written = rf::config::to_yaml(*config);
    const auto again = rf::config::load_text(written);
    check(again.has_value());
    check(rf::config::to_yaml(*again) == written);
    return 0;
}
