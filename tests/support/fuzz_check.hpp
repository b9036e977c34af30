// Shared by every libFuzzer target: a failed property aborts, so that libFuzzer keeps the input.
#pragma once

#include <cstdlib>

namespace rf::fuzz {

inline void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

}  // namespace rf::fuzz
