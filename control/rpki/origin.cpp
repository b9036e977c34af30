#include "control/rpki/roa.hpp"

namespace rf::rpki {

std::string Roa::to_string() const {
    return prefix.to_string() + "-" + std::to_string(max_length) + " AS" + std::to_string(asn);
}

std::optional<std::uint32_t> origin_as(const bgp::AsPath* path, std::uint32_t local_asn) {
    if (path == nullptr || path->segments.empty()) {
        return local_asn;  // a route we or a confederation member originated
    }
    const bgp::AsSegment& last = path->segments.back();
    switch (last.type) {
        case bgp::AsSegmentType::Sequence:
            if (last.asns.empty()) {
                return local_asn;  // an empty segment adds nothing: the path is empty in effect
            }
            return last.asns.back();
        case bgp::AsSegmentType::ConfedSequence:
        case bgp::AsSegmentType::ConfedSet:
            return local_asn;
        case bgp::AsSegmentType::Set:
            break;
    }
    return std::nullopt;  // NONE: an aggregate's AS_SET has no single origin
}

}  // namespace rf::rpki
