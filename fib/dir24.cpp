#include "fib/dir24.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "fib/dir24_table.hpp"

namespace rf::fib {
namespace {

using dir24_detail::Dir24Table;
using dir24_detail::load_acquire;
using dir24_detail::V4;
using dir24_detail::V6;

// --- IPv4 lookups ---

template <class E>
void lookup4_scalar(const E* t24, const E* t8, const GroupId* rg, const std::uint32_t* dst,
                    std::uint64_t* out, unsigned n) {
    constexpr E kExt = Dir24Table<V4, E>::kExt;
    constexpr unsigned kAhead = 8;
    for (unsigned i = 0; i < n && i < kAhead; ++i) {
        __builtin_prefetch(&t24[dst[i] >> 8]);
    }
    for (unsigned i = 0; i < n; ++i) {
        if (i + kAhead < n) {
            __builtin_prefetch(&t24[dst[i + kAhead] >> 8]);
        }
        E e = load_acquire(&t24[dst[i] >> 8]);
        if ((e & kExt) != 0) {
            e = load_acquire(&t8[(std::size_t{static_cast<E>(e & ~kExt)} << 8) | (dst[i] & 0xFFU)]);
        }
        out[i] = load_acquire(&rg[e]);
    }
}

#if defined(__x86_64__)
// GCC 12 reports its own intrinsics' _mm512_undefined_epi32() as maybe-uninitialized once inlined.
#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
// 16 addresses per step: gather the tbl24 entries, gather the tbl8 entries of the lanes that need one,
// gather their groups. Gathers are plain loads, ordered on x86 like the scalar acquires (each depends
// on the one before).
template <class E>
__attribute__((target("avx512f"))) void lookup4_avx512(const E* t24, const E* t8, const GroupId* rg,
                                                       const std::uint32_t* dst, std::uint64_t* out,
                                                       unsigned n) {
    constexpr std::uint32_t kExt = Dir24Table<V4, E>::kExt;
    const __m512i ext = _mm512_set1_epi32(static_cast<int>(kExt));
    const __m512i low8 = _mm512_set1_epi32(0xFF);
    const __m512i width = _mm512_set1_epi32(sizeof(E) == 2 ? 0xFFFF : -1);
    unsigned i = 0;
    for (unsigned j = 0; j < n && j < 16; ++j) {
        __builtin_prefetch(&t24[dst[j] >> 8]);
    }
    for (; i + 16 <= n; i += 16) {
        // The next step's tbl24 lines, while this step's gathers wait for theirs.
        for (unsigned j = i + 16; j < n && j < i + 32; ++j) {
            __builtin_prefetch(&t24[dst[j] >> 8]);
        }
        const __m512i ip = _mm512_loadu_si512(dst + i);
        __m512i e = _mm512_i32gather_epi32(_mm512_srli_epi32(ip, 8), t24, sizeof(E));
        e = _mm512_and_si512(e, width);
        const __mmask16 m = _mm512_test_epi32_mask(e, ext);
        if (m != 0) {
            const __m512i idx = _mm512_or_si512(_mm512_slli_epi32(_mm512_andnot_si512(ext, e), 8),
                                                _mm512_and_si512(ip, low8));
            e = _mm512_mask_i32gather_epi32(e, m, idx, t8, sizeof(E));
            e = _mm512_and_si512(e, width);
        }
        const __m512i g = _mm512_i32gather_epi32(e, rg, 4);
        _mm512_storeu_si512(out + i, _mm512_cvtepu32_epi64(_mm512_castsi512_si256(g)));
        _mm512_storeu_si512(out + i + 8, _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(g, 1)));
    }
    if (i < n) {
        lookup4_scalar(t24, t8, rg, dst + i, out + i, n - i);
    }
}
#pragma GCC diagnostic pop
#endif

template <class E>
class Lpm4 final : public Dir24Lpm4 {
public:
    Lpm4(const Dir24Config& c, rte_rcu_qsbr* q)
        : table_(c, q), avx512_(c.avx512 && dir24_avx512_supported()) {}
    bool set(std::uint32_t ip, std::uint8_t depth, GroupId g) override { return table_.set(ip, depth, g); }
    void erase(std::uint32_t ip, std::uint8_t depth) override { table_.erase(ip, depth); }
    std::size_t apply(std::span<const Dir24Op4> ops) override { return table_.apply(ops); }
    void end_batch() override { table_.end_batch(); }
    void reserve(std::size_t n) override { table_.reserve(n); }
    [[nodiscard]] Dir24Stats stats() const override { return table_.stats(); }
    [[nodiscard]] unsigned entry_bytes() const override { return sizeof(E); }
    [[nodiscard]] bool avx512() const override { return avx512_; }
    void lookup_bulk(const std::uint32_t* dst, std::uint64_t* groups, unsigned n) const override {
#if defined(__x86_64__)
        if (avx512_) {
            lookup4_avx512(table_.tbl24(), table_.tbl8(), table_.rid_group(), dst, groups, n);
            return;
        }
#endif
        lookup4_scalar(table_.tbl24(), table_.tbl8(), table_.rid_group(), dst, groups, n);
    }
    [[nodiscard]] GroupId default_group() const override {
        return table_.default_group();
    }

private:
    Dir24Table<V4, E> table_;
    bool avx512_;
};

template <class E>
class Lpm6 final : public Dir24Lpm6 {
public:
    Lpm6(const Dir24Config& c, rte_rcu_qsbr* q) : table_(c, q) {}
    bool set(const Address& ip, std::uint8_t depth, GroupId g) override { return table_.set(ip, depth, g); }
    void erase(const Address& ip, std::uint8_t depth) override { table_.erase(ip, depth); }
    std::size_t apply(std::span<const Dir24Op6> ops) override { return table_.apply(ops); }
    void end_batch() override { table_.end_batch(); }
    void reserve(std::size_t n) override { table_.reserve(n); }
    [[nodiscard]] Dir24Stats stats() const override { return table_.stats(); }
    [[nodiscard]] unsigned entry_bytes() const override { return sizeof(E); }
    void lookup_bulk(const std::uint8_t (*dst)[16], std::uint64_t* groups, unsigned n) const override {
        constexpr E kExt = Dir24Table<V6, E>::kExt;
        const E* t24 = table_.tbl24();
        const E* t8 = table_.tbl8();
        const GroupId* rg = table_.rid_group();
        for (unsigned i = 0; i < n; ++i) {
            const std::uint8_t* a = dst[i];
            E e = load_acquire(&t24[(std::uint32_t{a[0]} << 16) | (std::uint32_t{a[1]} << 8) | a[2]]);
            for (unsigned k = 3; (e & kExt) != 0 && k < 16; ++k) {
                e = load_acquire(&t8[(std::size_t{static_cast<E>(e & ~kExt)} << 8) | a[k]]);
            }
            groups[i] = load_acquire(&rg[e]);
        }
    }
    [[nodiscard]] GroupId default_group() const override { return table_.default_group(); }

private:
    Dir24Table<V6, E> table_;
};

bool narrow(const Dir24Config& c) {
    return c.max_routes < (1U << 15) && c.num_tbl8 <= (1U << 15);
}

}  // namespace

bool dir24_avx512_supported() {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx512f") != 0;
#else
    return false;
#endif
}

std::unique_ptr<Dir24Lpm4> Dir24Lpm4::create(const Dir24Config& config, rte_rcu_qsbr* qsbr) {
    if (config.num_tbl8 > (1U << 23)) {
        throw std::invalid_argument("dir24: num_tbl8 above 2^23");  // tbl8 indexes stay 32-bit signed
    }
    if (narrow(config)) {
        return std::make_unique<Lpm4<std::uint16_t>>(config, qsbr);
    }
    return std::make_unique<Lpm4<std::uint32_t>>(config, qsbr);
}

std::unique_ptr<Dir24Lpm6> Dir24Lpm6::create(const Dir24Config& config, rte_rcu_qsbr* qsbr) {
    if (narrow(config)) {
        return std::make_unique<Lpm6<std::uint16_t>>(config, qsbr);
    }
    return std::make_unique<Lpm6<std::uint32_t>>(config, qsbr);
}

}  // namespace rf::fib
