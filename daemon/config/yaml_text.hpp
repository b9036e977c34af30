// The characters of YAML text, shared by the reader (a file must be text), the emitter (which never
// writes a control character) and error messages (which show a value's control characters escaped, so
// that a NUL cannot cut a message printed as a C string).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rf::config {

// The code point that starts at text[i], advancing i past it; nullopt (i unchanged) when the bytes there
// are not well-formed UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
[[nodiscard]] inline std::optional<char32_t> next_code_point(std::string_view text, std::size_t& i) {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
    const std::uint8_t lead = byte(i);
    if (lead < 0x80) {
        ++i;
        return lead;
    }
    // The lead byte gives the length, its payload bits and the smallest code point that needs that length.
    struct Form {
        std::uint8_t mask, prefix;
        std::size_t length;
        char32_t min;
    };
    static constexpr Form kForms[] = {
        {0xE0, 0xC0, 2, 0x80}, {0xF0, 0xE0, 3, 0x800}, {0xF8, 0xF0, 4, 0x10000}};
    const Form* form = nullptr;
    for (const Form& f : kForms) {
        if ((lead & f.mask) == f.prefix) {
            form = &f;
        }
    }
    if (form == nullptr) {
        return std::nullopt;
    }
    const std::size_t length = form->length;
    char32_t cp = lead & static_cast<std::uint8_t>(~form->mask);
    if (text.size() - i < length) {
        return std::nullopt;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            return std::nullopt;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3FU);
    }
    if (cp < form->min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return std::nullopt;
    }
    i += length;
    return cp;
}

// YAML 1.2's printable characters (c-printable): what a YAML stream may hold. Tab and line breaks are
// in; the other C0 controls, DEL, the C1 controls but NEL, surrogates and U+FFFE/U+FFFF are out.
[[nodiscard]] constexpr bool is_yaml_printable(char32_t c) {
    return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
           (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// A control character (C0, DEL, C1): in a value it is written as an escape, never as itself.
[[nodiscard]] constexpr bool is_control(char32_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

// `value` for an error message: control characters and bytes that are not UTF-8 as \xNN, the rest as is.
[[nodiscard]] inline std::string printable(std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size();) {
        const std::size_t start = i;
        const auto cp = next_code_point(value, i);
        if (cp && !is_control(*cp)) {
            out.append(value.substr(start, i - start));
            continue;
        }
        if (!cp) {
            i = start + 1;  // one byte that does not start a well-formed sequence
        }
        for (std::size_t k = start; k < i; ++k) {
            const auto b = static_cast<std::uint8_t>(value[k]);
            out += "\\x";
            out += kHex[b >> 4];
            out += kHex[b & 0xF];
        }
    }
    return out;
}

// 'value', escaped as printable() does: how messages quote what the file said.
[[nodiscard]] inline std::string quoted(std::string_view value) {
    return "'" + printable(value) + "'";
}

}  // namespace rf::config
