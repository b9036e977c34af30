// A vector that keeps its first N elements inside the object and goes to the heap only beyond them. The
// BGP message values (control/codec/message.hpp) hold their short lists in it: a one-prefix UPDATE with
// an AS_PATH of a few ASNs and a few communities decodes without one heap allocation, where std::vector
// took four blocks (NLRI, AS_PATH segments, their ASNs, communities).
//
// The subset of std::vector's interface the project uses, with the same meaning; iterators are plain
// pointers (a contiguous range: std::span takes it). Unlike std::vector, any move invalidates iterators
// (inline elements move with the object), and a moved-from SmallVector is empty. Sizes are 32-bit.
// Elements must be nothrow move-constructible (every growth moves them).
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace rf::net {

template <typename T, std::size_t N>
class SmallVector {
    static_assert(N > 0 && N < 0xFFFFFFFFU, "inline capacity must be at least one element");

public:
    using value_type = T;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using reference = T&;
    using const_reference = const T&;
    using pointer = T*;
    using const_pointer = const T*;
    using iterator = T*;
    using const_iterator = const T*;
    static constexpr std::size_t inline_capacity = N;

    SmallVector() noexcept : data_(inline_data()) {}
    SmallVector(std::initializer_list<T> init) : SmallVector() { append(init.begin(), init.end()); }
    template <std::input_iterator It>
    SmallVector(It first, It last) : SmallVector() {
        append(first, last);
    }
    SmallVector(const SmallVector& other) : SmallVector() { append(other.begin(), other.end()); }
    SmallVector(SmallVector&& other) noexcept : SmallVector() { take(std::move(other)); }
    ~SmallVector() {
        destroy_all();
        release();
    }

    SmallVector& operator=(const SmallVector& other) {
        if (this != &other) {
            clear();
            append(other.begin(), other.end());
        }
        return *this;
    }
    SmallVector& operator=(SmallVector&& other) noexcept {
        if (this != &other) {
            clear();
            take(std::move(other));
        }
        return *this;
    }
    SmallVector& operator=(std::initializer_list<T> init) {
        clear();
        append(init.begin(), init.end());
        return *this;
    }

    void assign(std::size_t count, const T& v) {
        const T copy(v);  // `v` may be an element of this vector
        clear();
        insert(end(), count, copy);
    }
    template <std::input_iterator It>
    void assign(It first, It last) {
        clear();
        append(first, last);
    }

    // ------------------------------------------------------------------------------------- access
    [[nodiscard]] T* data() noexcept { return data_; }
    [[nodiscard]] const T* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    // True while the elements live inside the object (no heap block).
    [[nodiscard]] bool is_inline() const noexcept { return data_ == inline_data(); }

    T* begin() noexcept { return data_; }
    T* end() noexcept { return data_ + size_; }
    const T* begin() const noexcept { return data_; }
    const T* end() const noexcept { return data_ + size_; }
    const T* cbegin() const noexcept { return data_; }
    const T* cend() const noexcept { return data_ + size_; }

    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    T& at(std::size_t i) { return data_[checked(i)]; }
    const T& at(std::size_t i) const { return data_[checked(i)]; }
    T& front() noexcept { return data_[0]; }
    const T& front() const noexcept { return data_[0]; }
    T& back() noexcept { return data_[size_ - 1]; }
    const T& back() const noexcept { return data_[size_ - 1]; }

    // ---------------------------------------------------------------------------------- modifiers
    void reserve(std::size_t n) {
        if (n > capacity_) {
            reallocate(n);
        }
    }
    void clear() noexcept {
        destroy_all();
        size_ = 0;
    }
    // New elements are value-initialised (zero for the plain structs of the codec), as in std::vector.
    void resize(std::size_t n) {
        if (n < size_) {
            std::destroy(data_ + n, data_ + size_);
        } else if (n > size_) {
            reserve(n);
            std::uninitialized_value_construct(data_ + size_, data_ + n);
        }
        size_ = static_cast<std::uint32_t>(n);
    }
    void push_back(const T& v) { emplace_back(v); }
    void push_back(T&& v) { emplace_back(std::move(v)); }
    template <typename... Args>
    T& emplace_back(Args&&... args) {
        if (size_ == capacity_) {
            // The argument may be an element of this vector: build the new one before moving the rest.
            T v(std::forward<Args>(args)...);
            reallocate(grown(size_ + 1));
            return *std::construct_at(data_ + size_++, std::move(v));
        }
        return *std::construct_at(data_ + size_++, std::forward<Args>(args)...);
    }
    void pop_back() noexcept { std::destroy_at(data_ + --size_); }

    T* insert(const T* pos, const T& v) {
        T copy(v);  // `v` may be an element of this vector
        return insert(pos, std::move(copy));
    }
    T* insert(const T* pos, T&& v) {
        const std::size_t at = index(pos);
        emplace_back(std::move(v));
        std::rotate(data_ + at, data_ + size_ - 1, data_ + size_);
        return data_ + at;
    }
    T* insert(const T* pos, std::size_t count, const T& v) {
        const std::size_t at = index(pos);
        const std::size_t old_size = size_;
        const T copy(v);  // `v` may be an element of this vector
        reserve(size_ + count);
        std::uninitialized_fill_n(data_ + size_, count, copy);
        size_ = static_cast<std::uint32_t>(size_ + count);
        std::rotate(data_ + at, data_ + old_size, data_ + size_);
        return data_ + at;
    }
    // Inserts [first, last) before `pos`: appended, then rotated into place. As for std::vector, the
    // range must not be part of this vector.
    template <std::input_iterator It>
    T* insert(const T* pos, It first, It last) {
        const std::size_t at = index(pos);
        const std::size_t old_size = size_;
        append(first, last);
        std::rotate(data_ + at, data_ + old_size, data_ + size_);
        return data_ + at;
    }
    T* erase(const T* pos) { return erase(pos, pos + 1); }
    T* erase(const T* first, const T* last) {
        T* const f = data_ + index(first);
        T* const l = data_ + index(last);
        T* const new_end = std::move(l, end(), f);
        std::destroy(new_end, end());
        size_ = static_cast<std::uint32_t>(new_end - data_);
        return f;
    }

    // ------------------------------------------------------------------------------------ compare
    friend bool operator==(const SmallVector& a, const SmallVector& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
    friend auto operator<=>(const SmallVector& a, const SmallVector& b) {
        return std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end());
    }

    // std::erase_if for this container (found by argument-dependent lookup).
    template <typename Pred>
    friend std::size_t erase_if(SmallVector& v, Pred pred) {
        T* const new_end = std::remove_if(v.begin(), v.end(), pred);
        const auto removed = static_cast<std::size_t>(v.end() - new_end);
        v.erase(new_end, v.end());
        return removed;
    }

private:
    // The inline buffer as T*: elements are created in it with construct_at; an empty vector only
    // compares and offsets this pointer (no std::launder: there may be no T object to reach yet).
    T* inline_data() noexcept { return reinterpret_cast<T*>(inline_); }
    const T* inline_data() const noexcept { return reinterpret_cast<const T*>(inline_); }
    std::size_t checked(std::size_t i) const {
        if (i >= size_) {
            throw std::out_of_range("SmallVector::at");
        }
        return i;
    }
    std::size_t index(const T* p) const noexcept { return static_cast<std::size_t>(p - data_); }
    std::size_t grown(std::size_t need) const noexcept { return std::max<std::size_t>(need, 2 * capacity_); }

    template <typename It>
    void append(It first, It last) {
        if constexpr (std::forward_iterator<It>) {
            reserve(size_ + static_cast<std::size_t>(std::distance(first, last)));
            for (; first != last; ++first) {
                std::construct_at(data_ + size_, *first);
                ++size_;
            }
        } else {
            for (; first != last; ++first) {
                emplace_back(*first);
            }
        }
    }

    // Moves the elements to a heap block of `n` (≥ size) elements.
    void reallocate(std::size_t n) {
        static_assert(std::is_nothrow_move_constructible_v<T>);
        T* fresh = std::allocator<T>{}.allocate(n);
        std::uninitialized_move(data_, data_ + size_, fresh);
        destroy_all();
        release();
        data_ = fresh;
        capacity_ = static_cast<std::uint32_t>(n);
    }
    // Takes `other`'s elements (its heap block, or moves its inline elements); `other` is left empty
    // and inline. This vector must be empty.
    void take(SmallVector&& other) noexcept {
        if (!other.is_inline()) {
            release();
            data_ = other.data_;
            capacity_ = other.capacity_;
            size_ = other.size_;
            other.data_ = other.inline_data();
            other.capacity_ = N;
            other.size_ = 0;
            return;
        }
        // Inline elements are at most N, and this vector holds at least N: no growth.
        std::uninitialized_move(other.begin(), other.end(), data_);
        size_ = other.size_;
        other.clear();
    }
    void destroy_all() noexcept { std::destroy(data_, data_ + size_); }
    void release() noexcept {
        if (!is_inline()) {
            std::allocator<T>{}.deallocate(data_, capacity_);
            data_ = inline_data();
            capacity_ = N;
        }
    }

    T* data_;
    std::uint32_t size_ = 0;
    std::uint32_t capacity_ = N;
    alignas(T) unsigned char inline_[N * sizeof(T)];
};

}  // namespace rf::net
