// libFuzzer: ndp::parse on arbitrary frames (what a lab link may deliver to the emulator's service
// thread). Properties: whatever parses is an NS or NA with a valid checksum and hop limit 255, a
// non-multicast target, no link-layer option on an NS from the unspecified address; and an NS or NA the
// emulator would build from the parsed fields parses back to the same fields.
#include <cstdint>
#include <cstdlib>

#include "dataplane/ndp.hpp"
#include "tests/support/fuzz_check.hpp"

using rf::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rf::dataplane;
    const auto m = ndp::parse(data, size);
    if (!m)
        return 0;
    check(m->type == ndp::kSolicitation || m->type == ndp::kAdvertisement);
    check(size >= 14 + 40 + 24 && data[14 + 7] == 255);
    check(!ndp::is_multicast(m->target));
    const std::size_t payload = (std::size_t{data[14 + 4]} << 8) | data[14 + 5];
    check(ndp::icmp6_checksum(m->src, m->dst, data + 54, payload) == 0);
    if (m->type == ndp::kSolicitation && ndp::is_unspecified(m->src))
        check(!m->has_lladdr && m->dst == ndp::solicited_node(m->target));
    if (m->type == ndp::kAdvertisement && ndp::is_multicast(m->dst))
        check(!m->solicited);

    std::uint8_t frame[ndp::kMaxFrame];
    if (m->type == ndp::kSolicitation) {
        const MacAddress* unicast = ndp::is_unspecified(m->src) ? nullptr : &m->lladdr;
        const std::size_t len = ndp::build_solicitation(frame, m->eth_src, m->src, m->target, unicast);
        const auto back = ndp::parse(frame, len);
        check(back && back->type == ndp::kSolicitation && back->src == m->src && back->target == m->target);
        check(back->has_lladdr == !ndp::is_unspecified(m->src));
    } else {
        const bool solicited = m->solicited && !ndp::is_multicast(m->dst);
        const std::size_t len =
            ndp::build_advertisement(frame, m->eth_src, m->eth_src, m->target, m->dst, solicited);
        const auto back = ndp::parse(frame, len);
        check(back && back->type == ndp::kAdvertisement && back->target == m->target && back->dst == m->dst);
        check(back->has_lladdr && back->lladdr == m->eth_src && back->override_flag &&
              back->solicited == solicited);
    }
    return 0;
}
