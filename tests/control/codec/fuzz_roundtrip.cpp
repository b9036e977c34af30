// libFuzzer: whatever decodes (first octet: options) re-encodes into messages that decode to the same
// value. The second leg runs with 4-octet AS: on a 2-octet session the AS4_PATH reconstruction of
// RFC 6793 §4.2.3 is lossy by design (confederation segments, 2-octet aggregators).
#include "tests/control/codec/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rf::bgp;
    if (size < 1) {
        return 0;
    }
    const CodecOptions o = fuzz::options_from(data[0]);
    const Bytes in(data + 1, size - 1);
    auto m = decode_message(in, o);
    if (!m) {
        return 0;
    }
    CodecOptions o4 = o;
    o4.four_octet_as = true;
    std::vector<std::uint8_t> out;
    if (const auto* u = std::get_if<Update>(&*m)) {
        if (!encode_update(*u, o4, out)) {
            fuzz::check(out.empty());
            return 0;  // larger than the limit once re-encoded (e.g. 2-octet input widened)
        }
        auto again = decode_update(Bytes(out.data(), out.size()), o4);
        fuzz::check(again.has_value() && again->update == *u);
        // Encoding for the original session must at least decode.
        std::vector<std::uint8_t> narrow;
        if (encode_update(*u, o, narrow)) {
            fuzz::check(decode_update(Bytes(narrow.data(), narrow.size()), o).has_value());
        }
        return 0;
    }
    if (const auto* op = std::get_if<Open>(&*m)) {
        encode_open(*op, out);
    } else if (const auto* n = std::get_if<Notification>(&*m)) {
        encode_notification(*n, out);
    } else if (const auto* r = std::get_if<RouteRefresh>(&*m)) {
        encode_route_refresh(*r, out);
    } else {
        encode_keepalive(out);
    }
    auto again = decode_message(Bytes(out.data(), out.size()), o4);
    fuzz::check(again.has_value() && *again == *m);
    return 0;
}
