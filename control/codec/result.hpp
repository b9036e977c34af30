// A small std::expected stand-in (C++20 has none): either a value or an error, never both.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace rf {

template <typename E>
struct Unexpected {
    E error;
};
template <typename E>
Unexpected<std::decay_t<E>> unexpected(E&& e) {
    return {std::forward<E>(e)};
}

template <typename T, typename E>
class [[nodiscard]] Result {
public:
    // Two overloads rather than one by-value parameter: a returned local is moved once, not twice (it
    // shows in the UPDATE decoder's profile).
    Result(T&& value)
        : v_(std::in_place_index<0>, std::move(value)) {}          // NOLINT(google-explicit-constructor)
    Result(const T& value) : v_(std::in_place_index<0>, value) {}  // NOLINT(google-explicit-constructor)
    template <typename G>
    Result(Unexpected<G> u)
        : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & {
        assert(has_value());
        return std::get<0>(v_);
    }
    const T& value() const& {
        assert(has_value());
        return std::get<0>(v_);
    }
    T&& value() && {
        assert(has_value());
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const& {
        assert(!has_value());
        return std::get<1>(v_);
    }
    E&& error() && {
        assert(!has_value());
        return std::get<1>(std::move(v_));
    }

private:
    std::variant<T, E> v_;
};

}  // namespace rf
