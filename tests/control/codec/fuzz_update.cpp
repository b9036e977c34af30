// libFuzzer: decode_update (first octet: options, see fuzz_common.hpp). The RFC 7606 outcome must be
// consistent with the problems reported.
#include "tests/control/codec/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rf::bgp;
    if (size < 1) {
        return 0;
    }
    const CodecOptions o = fuzz::options_from(data[0]);
    auto r = decode_update(Bytes(data + 1, size - 1), o);
    if (!r) {
        fuzz::check(r.error().action == Rfc7606Action::SessionReset);
        return 0;
    }
    Rfc7606Action strongest = Rfc7606Action::None;
    for (const auto& p : r->problems) {
        fuzz::check(p.action != Rfc7606Action::SessionReset && p.action != Rfc7606Action::None);
        strongest = stronger(strongest, p.action);
    }
    fuzz::check(strongest == r->action);
    return 0;
}
