// Counts the heap allocations of a process. Linking the object library `rf_alloc_counter` (bench/
// CMakeLists.txt) replaces the global operator new (plain and array; the aligned forms keep the
// library's own pair) with one that counts, then mallocs. For benchmark and test binaries only, never
// production code: read allocations() before and after the operation under test.
#pragma once

#include <cstdint>

namespace rf::bench {

// Allocations through operator new since the process started.
std::uint64_t allocations();

}  // namespace rf::bench
