// libFuzzer: decode_open on arbitrary bytes; whatever decodes re-encodes to an OPEN that decodes to the
// same value.
#include "tests/control/codec/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rf::bgp;
    auto r = decode_open(Bytes(data, size));
    if (!r) {
        return 0;
    }
    std::vector<std::uint8_t> out;
    encode_open(*r, out);
    auto again = decode_open(Bytes(out.data(), out.size()));
    fuzz::check(again.has_value() && *again == *r);
    (void)describe(Message{*r});
    return 0;
}
