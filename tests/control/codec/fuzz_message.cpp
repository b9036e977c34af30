// libFuzzer: a byte stream framed and decoded as a session would (first octet: options), each decoded
// message described as the logs would.
#include "tests/control/codec/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rf::bgp;
    if (size < 1) {
        return 0;
    }
    const CodecOptions o = fuzz::options_from(data[0]);
    std::size_t pos = 1;
    while (pos < size) {
        auto h = decode_header(Bytes(data + pos, size - pos), o);
        if (!h || h->length > size - pos) {
            break;
        }
        auto m = decode_message(Bytes(data + pos, h->length), o);
        if (m) {
            (void)describe(*m);
        } else {
            (void)m.error().to_string();
        }
        pos += h->length;
    }
    return 0;
}
