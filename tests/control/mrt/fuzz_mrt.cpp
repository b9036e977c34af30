// libFuzzer: the MRT reader over arbitrary bytes, as `rfbench --replay` reads a file from outside. It must
// never crash or read past the input; every error points inside the input (or at its end), and records
// advance through it.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "control/mrt/mrt_reader.hpp"

namespace {

void check(bool ok) {
    if (!ok)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rf::mrt;
    const std::span<const std::uint8_t> file(data, size);
    std::size_t at = 0;
    while (at < size) {
        auto r = read_record(file, at);
        if (!r) {
            check(r.error().offset <= size && !r.error().to_string().empty());
            return 0;
        }
        check(r->end() > at && r->end() <= size);
        std::size_t error_offset = 0;
        bool failed = false;
        if (is_peer_index_table(*r)) {
            auto t = decode_peer_index_table(*r);
            failed = !t;
            if (failed)
                error_offset = t.error().offset;
        } else if (is_rib(*r)) {
            auto rib = decode_rib(*r);
            failed = !rib;
            if (failed) {
                error_offset = rib.error().offset;
            } else {
                check(rib->prefix.length <= rib->prefix.max_length());
            }
        } else if (is_bgp4mp_message(*r)) {
            auto m = decode_bgp4mp_message(*r);
            failed = !m;
            if (failed) {
                error_offset = m.error().offset;
            } else {
                check(m->message.data() >= data && m->message.data() + m->message.size() <= data + size);
            }
        } else if (is_bgp4mp_state_change(*r)) {
            auto st = decode_bgp4mp_state_change(*r);
            failed = !st;
            if (failed)
                error_offset = st.error().offset;
        }
        if (failed)
            check(error_offset >= r->offset && error_offset <= r->end());
        at = r->end();
    }
    return 0;
}
