// libFuzzer: the policy texts an operator writes (AS-path regexes and communities) never crash the
// compiler, and what compiles can be matched and evaluated.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "control/policy/sets.hpp"
#include "tests/support/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), std::min<std::size_t>(size, 256));
    auto r = rf::policy::AsPathRegex::compile(text);
    if (auto* re = std::get_if<rf::policy::AsPathRegex>(&r)) {
        (void)re->matches("65001 65002 {65003,65004}");
        rf::fuzz::check(re->text() == text);
    } else {
        rf::fuzz::check(!std::get<std::string>(r).empty());
    }
    const auto c = rf::policy::parse_community(text);
    rf::fuzz::check(c.pattern.has_value() != !c.error.empty());
    if (c.pattern && !c.pattern->wildcard()) {
        // A concrete community matches its own value.
        switch (c.pattern->kind) {
            case rf::policy::CommunityPattern::Kind::Standard:
                rf::fuzz::check(c.pattern->matches_standard(c.pattern->standard()));
                break;
            case rf::policy::CommunityPattern::Kind::Extended:
                rf::fuzz::check(c.pattern->matches_extended(c.pattern->extended()));
                break;
            case rf::policy::CommunityPattern::Kind::Large:
                rf::fuzz::check(c.pattern->matches_large(c.pattern->large()));
                break;
        }
    }
    return 0;
}
