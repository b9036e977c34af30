// The counting operator new of alloc_counter.hpp. Out of line so that no caller inlines a delete that
// frees what this new mallocs (gcc would warn of a mismatch it cannot see through).
#include "bench/alloc_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::uint64_t> g_allocations{0};

}  // namespace

std::uint64_t rf::bench::allocations() {
    return g_allocations.load(std::memory_order_relaxed);
}

void* operator new(std::size_t n) {
    // A relaxed load and store, not an atomic increment: no locked instruction in the timed loops of a
    // benchmark (the counted binaries allocate from one thread; a concurrent count could only miss one).
    g_allocations.store(g_allocations.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) {
        return p;
    }
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    return ::operator new(n);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t /*size*/) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t /*size*/) noexcept {
    std::free(p);
}
