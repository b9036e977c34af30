// libFuzzer: decode_header on arbitrary bytes, with and without extended message.
#include "tests/control/codec/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rf::bgp;
    for (bool ext : {false, true}) {
        CodecOptions o;
        o.extended_message = ext;
        auto h = decode_header(Bytes(data, size), o);
        if (h) {
            fuzz::check(h->length >= kHeaderSize && h->length <= o.max_message_size());
        } else {
            fuzz::check(h.error().action == Rfc7606Action::SessionReset);
        }
    }
    return 0;
}
